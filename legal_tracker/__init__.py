"""Court accompaniment and legal case tracker: the domain core.

Nothing in this package imports Litestar: services raise domain errors
(:mod:`legal_tracker.errors`) and the ``api`` package maps them to HTTP.
"""

__version__ = "0.1.0"
