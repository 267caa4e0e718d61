"""Key rotation: re-encrypt every protected column with the current key.

The procedure (docs/operations.md, "Keys and rotation"): generate a new key, set it as
``LEGAL_TRACKER_SECRET_KEY`` and put the old one in ``LEGAL_TRACKER_OLD_SECRET_KEYS``, restart,
run ``legal-tracker rotate-key``, then drop the old key. Every value carries the id of the key
that sealed it, so the command finds exactly what still needs re-encrypting and can be run
again safely after an interruption.

Which columns are protected is a registry, so other areas' encrypted columns join it with
:func:`register_encrypted_column`. Rotation refuses to run while any ``*_enc`` column of any
table is missing from the registry: dropping the old key afterwards would make that column
unreadable for ever.

Blind indexes (a keyed hash beside a phone number so it can be found) are derived from the
current key, so they are recomputed in the same pass, together with any copy of an index kept
elsewhere (``contact_sms_status.flagged_phone_index``).

Rotation may run while the service runs: each row is rewritten only if it still holds the
value that was read (compare-and-set), so a concurrent edit is never overwritten with a stale
value; the row is simply picked up by the next run.
"""

from __future__ import annotations

from dataclasses import dataclass

from legal_tracker import crypto, db

ENCRYPTED_SUFFIX = "_enc"


@dataclass(frozen=True, slots=True)
class IndexCopy:
    """A column elsewhere holding a copy of a blind index, keyed by the owner's id."""

    table: str
    column: str
    owner_column: str


@dataclass(frozen=True, slots=True)
class EncryptedColumn:
    table: str
    column: str
    context: str  # the associated data passed to crypto.cipher().encrypt(..., context=)
    blind_index: str | None = None  # column holding cipher.blind_index(value, index_context)
    index_context: str = "phone"
    index_copies: tuple[IndexCopy, ...] = ()


# The core's encrypted columns, registered by legal_tracker.bootstrap. The outer packages
# register theirs from api.bootstrap (documents.tables.register).
CORE_ENCRYPTED_COLUMNS: tuple[EncryptedColumn, ...] = (
    EncryptedColumn("survivor", "legal_name_enc", "survivor.legal_name"),
    EncryptedColumn("staff", "phone_enc", "staff.phone"),
    EncryptedColumn(
        "contact", "phone_enc", "contact.phone", blind_index="phone_index",
        index_copies=(IndexCopy("contact_sms_status", "flagged_phone_index", "contact"),),
    ),
    # The casework area's identity documents (legal_tracker.casework.identity_documents.CONTEXT).
    EncryptedColumn("identity_document", "number_enc", "identity_document.number"),
    # Second factors (legal_tracker.accounts.tables.TOTP_CONTEXT, PENDING_TOTP_CONTEXT).
    EncryptedColumn("staff_mfa", "secret_enc", "staff_mfa.secret"),
    EncryptedColumn("staff_mfa", "pending_secret_enc", "staff_mfa.pending_secret"),
)
# Every encrypted column registered in this process (see legal_tracker.bootstrap).
ENCRYPTED_COLUMNS: list[EncryptedColumn] = []


def register_encrypted_column(column: EncryptedColumn) -> EncryptedColumn:
    if all((c.table, c.column) != (column.table, column.column) for c in ENCRYPTED_COLUMNS):
        ENCRYPTED_COLUMNS.append(column)
    return column


class RotationError(RuntimeError):
    """Rotation cannot proceed safely; the message names tables and columns, never values."""


async def database_columns() -> dict[str, set[str]]:
    """The columns of every table in the database itself (whatever modules are loaded)."""
    if db.is_sqlite():
        rows = await db.execute(
            "SELECT m.name AS t, p.name AS c FROM sqlite_master m, pragma_table_info(m.name) p "
            "WHERE m.type = 'table'")
    else:
        rows = await db.execute(
            "SELECT table_name AS t, column_name AS c FROM information_schema.columns "
            "WHERE table_schema = current_schema()")
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row["t"], set()).add(row["c"])
    return found


async def unregistered_columns() -> list[str]:
    """``table.column`` of every ``*_enc`` column in the database that is not registered."""
    registered = {(c.table, c.column) for c in ENCRYPTED_COLUMNS}
    return sorted(
        f"{table}.{column}"
        for table, columns in (await database_columns()).items()
        for column in columns
        if column.endswith(ENCRYPTED_SUFFIX) and (table, column) not in registered
    )


async def rotate_keys(batch_size: int = 500) -> dict[str, int]:
    """Re-encrypts every value not sealed with the current key and recomputes blind indexes.
    Returns how many values were rewritten per ``table.column``."""
    missing = await unregistered_columns()
    if missing:
        raise RotationError(
            "encrypted column(s) not in the rotation registry: " + ", ".join(missing)
            + " (register them with legal_tracker.key_rotation.register_encrypted_column)")
    cipher = crypto.cipher()
    tables = set(await database_columns())
    counts: dict[str, int] = {}
    for spec in ENCRYPTED_COLUMNS:
        if spec.table not in tables:
            continue  # an area whose tables this installation does not have (yet)
        counts[f"{spec.table}.{spec.column}"] = await _rotate_column(cipher, spec, tables,
                                                                     batch_size)
    return counts


async def _rotate_column(cipher: crypto.FieldCipher, spec: EncryptedColumn, tables: set[str],
                         batch_size: int) -> int:
    index_col = f", {spec.blind_index} AS idx" if spec.blind_index else ""
    done = 0
    last_id = 0
    while True:
        rows = await db.execute(
            f"SELECT id, {spec.column} AS value{index_col} FROM {spec.table} "  # noqa: S608
            f"WHERE id > {{}} AND {spec.column} IS NOT NULL ORDER BY id LIMIT {int(batch_size)}",
            last_id)
        if not rows:
            return done
        async with db.transaction():
            for row in rows:
                last_id = row["id"]
                stored = row["value"]
                stale = cipher.needs_rotation(stored)
                if not stale and spec.blind_index is None:
                    continue
                try:
                    plain = cipher.decrypt(stored, context=spec.context)
                except crypto.DecryptionError as exc:
                    raise RotationError(
                        f"{spec.table}.{spec.column} of row {row['id']} cannot be read with the "
                        "current key or LEGAL_TRACKER_OLD_SECRET_KEYS; nothing after it was "
                        "rotated") from exc
                sealed = cipher.encrypt(plain, context=spec.context) if stale else stored
                if spec.blind_index is None:
                    changed = await _compare_and_set(spec, row["id"], stored, {spec.column: sealed})
                else:
                    assert plain is not None
                    index = cipher.blind_index(plain, context=spec.index_context)
                    if not stale and index == row["idx"]:
                        continue
                    changed = await _compare_and_set(
                        spec, row["id"], stored, {spec.column: sealed, spec.blind_index: index})
                    if changed and row["idx"] != index:
                        for copy in spec.index_copies:
                            if copy.table in tables:
                                await db.execute(
                                    f"UPDATE {copy.table} SET {copy.column} = {{}} "  # noqa: S608
                                    f"WHERE {copy.owner_column} = {{}} AND {copy.column} = {{}}",
                                    index, row["id"], row["idx"])
                if changed and stale:
                    done += 1


async def _compare_and_set(spec: EncryptedColumn, row_id: int, expected: str,
                           values: dict[str, str]) -> bool:
    """Writes ``values`` only if the row still holds ``expected``. Returns whether it did."""
    assignments = ", ".join(f"{name} = {{}}" for name in values)
    rows = await db.execute(
        f"UPDATE {spec.table} SET {assignments} "  # noqa: S608 - names come from the registry
        f"WHERE id = {{}} AND {spec.column} = {{}} RETURNING id",
        *values.values(), row_id, expected)
    return bool(rows)


async def unreadable_key_ids() -> dict[str, str]:
    """``table.column`` -> key id, for encrypted columns whose oldest or newest value was
    written with a key the configured ones cannot read. Every ``*_enc`` column in the
    database is looked at, registered or not."""
    cipher = crypto.cipher()
    known = {crypto.key_id(k) for k in (cipher.current, *cipher.old)}
    found: dict[str, str] = {}
    for table, columns in sorted((await database_columns()).items()):
        if "id" not in columns:
            continue
        for column in sorted(c for c in columns if c.endswith(ENCRYPTED_SUFFIX)):
            for order in ("ASC", "DESC"):
                rows = await db.execute(
                    f"SELECT {column} AS v FROM {table} WHERE {column} IS NOT NULL "  # noqa: S608
                    f"ORDER BY id {order} LIMIT 1")
                parts = str(rows[0]["v"]).split(":", 2) if rows else []
                if len(parts) == 3 and parts[0] == crypto.PREFIX and parts[1] not in known:
                    found[f"{table}.{column}"] = parts[1]
                    break
    return found


async def check_keys_can_read() -> None:
    """Refuse to start when the configured key cannot read the stored data (rather than
    starting cleanly and answering 500 on contacts, reveals and filing downloads)."""
    unreadable = await unreadable_key_ids()
    if not unreadable:
        return
    cipher = crypto.cipher()
    where = ", ".join(f"{column} (key id {kid})" for column, kid in sorted(unreadable.items()))
    raise crypto.SettingsError(
        f"The configured secret key (key id {cipher.current_id}) cannot read data in the "
        f"database: {where}. Set LEGAL_TRACKER_SECRET_KEY to the key that data was written "
        "with. After a rotation that is the NEW key; while `legal-tracker rotate-key` has not "
        "finished, also list the previous key in LEGAL_TRACKER_OLD_SECRET_KEYS. In development "
        "without LEGAL_TRACKER_SECRET_KEY the key is read from <data dir>/secret.key: write the "
        "new key there (mode 0600) after rotating.")
