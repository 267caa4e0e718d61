"""Use cases. Plain async functions that take an :class:`~legal_tracker.access.Actor` and
plain values, apply need-to-know, write in one transaction, audit, and return plain dicts."""
