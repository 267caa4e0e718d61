"""Security and privacy pieces that are not on every request path: key rotation, reading the
audit trail, keeping personal data out of library log lines.

The request-path pieces live where everything else finds them: ``legal_tracker.access`` (who
may see what), ``legal_tracker.crypto`` (field encryption), ``legal_tracker.audit`` (writing
the trail), ``legal_tracker.services.auth`` and ``legal_tracker.services.passwords``.
"""
