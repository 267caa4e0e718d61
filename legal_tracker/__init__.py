"""Court accompaniment and legal case tracker: the domain core.

Nothing in this package imports Litestar: services raise domain errors
(:mod:`legal_tracker.errors`) and the ``api`` package maps them to HTTP.
"""

import os

__version__ = "0.1.0"

# Piccolo's engine finder reads this; see legal_tracker/piccolo_conf.py.
os.environ.setdefault("PICCOLO_CONF", "legal_tracker.piccolo_conf")
