"""Compatibility names for the key-rotation registry, which lives in
:mod:`legal_tracker.security.keys` (``EncryptedColumn`` / ``register_encrypted_column``)."""

from __future__ import annotations

from legal_tracker.security.keys import (
    ENCRYPTED_COLUMNS as PROTECTED_COLUMNS,
)
from legal_tracker.security.keys import (
    EncryptedColumn as ProtectedColumn,
)
from legal_tracker.security.keys import (
    IndexCopy,
    RotationError,
    rotate_keys,
)
from legal_tracker.security.keys import (
    register_encrypted_column as register_protected_column,
)

__all__ = ["PROTECTED_COLUMNS", "IndexCopy", "ProtectedColumn", "RotationError",
           "register_protected_column", "rotate_keys"]
