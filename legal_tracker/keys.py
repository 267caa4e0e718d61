"""Key rotation: re-encrypt every protected column with the current key.

The procedure (README, "Security model"): generate a new key, set it as
``LEGAL_TRACKER_SECRET_KEY`` and put the old one in ``LEGAL_TRACKER_OLD_SECRET_KEYS``, run
``legal-tracker rotate-key``, then drop the old key. Every value carries the id of the key
that sealed it, so the command finds exactly what still needs re-encrypting, and can be run
again safely after an interruption. Blind indexes (for finding a phone number) are derived
from the current key, so they are recomputed in the same pass.
"""

from __future__ import annotations

from dataclasses import dataclass

from legal_tracker import crypto, db


@dataclass(frozen=True, slots=True)
class ProtectedColumn:
    table: str
    column: str
    context: str
    blind_index: str | None = None  # column holding crypto.blind_index(value, "phone")


# Every encrypted column in the schema. Areas that add one add it here.
PROTECTED_COLUMNS: list[ProtectedColumn] = [
    ProtectedColumn("survivor", "legal_name_enc", "survivor.legal_name"),
    ProtectedColumn("staff", "phone_enc", "staff.phone"),
    ProtectedColumn("contact", "phone_enc", "contact.phone", blind_index="phone_index"),
]


def register_protected_column(column: ProtectedColumn) -> None:
    if column not in PROTECTED_COLUMNS:
        PROTECTED_COLUMNS.append(column)


async def rotate_keys(batch_size: int = 500) -> dict[str, int]:
    """Returns how many values were re-encrypted per table.column."""
    cipher = crypto.cipher()
    counts: dict[str, int] = {}
    for spec in PROTECTED_COLUMNS:
        done = 0
        last_id = 0
        while True:
            rows = await db.execute(
                f"SELECT id, {spec.column} AS value FROM {spec.table} "  # noqa: S608 - fixed names
                f"WHERE id > {{}} AND {spec.column} IS NOT NULL ORDER BY id LIMIT {batch_size}",
                last_id)
            if not rows:
                break
            async with db.transaction():
                for row in rows:
                    last_id = row["id"]
                    stored = row["value"]
                    if not cipher.needs_rotation(stored) and spec.blind_index is None:
                        continue
                    plain = cipher.decrypt(stored, context=spec.context)
                    sealed = (cipher.encrypt(plain, context=spec.context)
                              if cipher.needs_rotation(stored) else stored)
                    if spec.blind_index and plain is not None:
                        await db.execute(
                            f"UPDATE {spec.table} SET {spec.column} = {{}}, "  # noqa: S608
                            f"{spec.blind_index} = {{}} WHERE id = {{}}",
                            sealed, cipher.blind_index(plain, context="phone"), row["id"])
                    else:
                        await db.execute(
                            f"UPDATE {spec.table} SET {spec.column} = {{}} WHERE id = {{}}",  # noqa: S608
                            sealed, row["id"])
                    if sealed != stored:
                        done += 1
        counts[f"{spec.table}.{spec.column}"] = done
    return counts
