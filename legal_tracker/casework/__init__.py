"""Casework depth: statements, identity documents and their chain of custody, immigration
applications, manual deadlines, the deadline computation, the case timeline and the outcome
reports. Services only (no HTTP); the API lives in ``api/controllers/casework.py``."""
