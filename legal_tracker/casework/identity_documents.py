"""Identity documents of survivors and their chain of custody.

Traffickers confiscate passports and IDs; police seize them as evidence; the organisation
recovers and returns them. A document's number is encrypted at rest (context
``identity_document.number``), masked on read, and shown in clear only to an allowed role that
asks with ``reveal={"number"}``, which is audited.

The chain of custody is append-only (the database refuses UPDATE and DELETE of its rows). Each
entry's ``released_by`` must be the previous entry's ``received_by``: a gap in the chain is
refused with a 422 naming ``released_by``. An entry may carry the status the hand-over leaves
the document in (``resulting_status``); the document's status follows it.
"""

from __future__ import annotations

from typing import Any

from legal_tracker import audit, crypto, db
from legal_tracker.access import Actor, check_reveal, require_write
from legal_tracker.cases.survivors import get_survivor
from legal_tracker.casework.common import gate, require_case_of_survivor
from legal_tracker.casework.tables import CustodyEntry, IdentityDocument
from legal_tracker.common import PageRequest, check_id, page_of, to_utc, utcnow
from legal_tracker.errors import Conflict, Invalid, NotFound
from legal_tracker.validation import Checks

MASK = "•••"
CONTEXT = "identity_document.number"


def _out(row: dict[str, Any], reveal: bool = False) -> dict[str, Any]:
    row = dict(row)
    stored = row.pop("number_enc", None)
    row.pop("created_by", None)
    if reveal:
        row["number"] = crypto.cipher().decrypt(stored, context=CONTEXT)
    else:
        row["number"] = MASK if stored else None
    row["number_recorded"] = stored is not None
    return row


def _same_party(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


async def _fetch(actor: Actor, document_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    check_id("identity document", document_id)
    row = await IdentityDocument.select().where(IdentityDocument.id == document_id).first()
    if row is None:
        raise NotFound("identity document")
    survivor = await gate(get_survivor(actor, row["survivor"], audited=False), "identity document")
    return row, survivor


def _values(values: dict[str, Any], checks: Checks) -> dict[str, Any]:
    checks.country("issuing_country", values.get("issuing_country"))
    if "number" in values:
        number = values.pop("number")
        values["number_enc"] = crypto.cipher().encrypt(
            " ".join(number.split()) if number else None, context=CONTEXT)
    return values


async def list_documents(actor: Actor, survivor_id: int, page: PageRequest, *,
                         status: str | None = None) -> Any:
    survivor = await get_survivor(actor, survivor_id, audited=False)
    page = page.clamp()
    query = IdentityDocument.select().where(IdentityDocument.survivor == survivor_id)
    if status is not None:
        query = query.where(IdentityDocument.status == status)
    rows = await query.order_by(IdentityDocument.id).limit(page.limit + 1).offset(page.offset)
    await audit.record(actor.staff_id, "list", "identity_document", None, office_id=survivor["office"],
                       detail={"survivor_id": survivor_id})
    return page_of([_out(r) for r in rows], page)


async def get_document(actor: Actor, document_id: int, reveal: set[str] | None = None) -> dict[str, Any]:
    reveal = reveal or set()
    check_reveal(actor, reveal, {"number"})
    row, survivor = await _fetch(actor, document_id)
    await audit.record(actor.staff_id, "reveal" if reveal else "read", "identity_document",
                       document_id, office_id=survivor["office"],
                       detail={"fields": sorted(reveal)} if reveal else None)
    return _out(row, "number" in reveal)


async def create_document(actor: Actor, survivor_id: int, data: dict[str, Any]) -> dict[str, Any]:
    survivor = await get_survivor(actor, survivor_id, audited=False)
    require_write(actor)
    checks = Checks()
    values = _values(dict(data), checks)
    checks.raise_if_any()
    await require_case_of_survivor(values.get("case"), survivor_id)
    now = utcnow()
    async with db.transaction():
        rows = await IdentityDocument.insert(IdentityDocument(
            **values, survivor=survivor_id, created_by=actor.staff_id, created_at=now, updated_at=now,
        )).returning(IdentityDocument.id)
        document_id = rows[0]["id"]
        await audit.record(actor.staff_id, "create", "identity_document", document_id,
                           office_id=survivor["office"],
                           detail={"survivor_id": survivor_id, "fields": sorted(data)})
    row, _ = await _fetch(actor, document_id)
    return _out(row)


async def update_document(actor: Actor, document_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    current, survivor = await _fetch(actor, document_id)
    require_write(actor)
    checks = Checks()
    values = _values(dict(changes), checks)
    checks.raise_if_any()
    if "case" in values:
        await require_case_of_survivor(values["case"], current["survivor"])
    async with db.transaction():
        if values:
            stamped = db.update_values(values, {IdentityDocument.updated_at: utcnow()})
            await IdentityDocument.update(stamped).where(
                IdentityDocument.id == document_id)
        detail: dict[str, Any] = {"fields": sorted(changes)}
        if "status" in values and values["status"] != current["status"]:
            detail["status"] = [current["status"], values["status"]]
        await audit.record(actor.staff_id, "update", "identity_document", document_id,
                           office_id=survivor["office"], detail=detail)
    row, _ = await _fetch(actor, document_id)
    return _out(row)


# ---------------------------------------------------------------- chain of custody


def _entry_out(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["document_id"] = row.pop("document")
    return row


async def list_custody(actor: Actor, document_id: int) -> list[dict[str, Any]]:
    _, survivor = await _fetch(actor, document_id)
    rows = [_entry_out(r) for r in await CustodyEntry.select().where(
        CustodyEntry.document == document_id).order_by(CustodyEntry.seq)]
    await audit.record(actor.staff_id, "list", "custody_entry", None, office_id=survivor["office"],
                       detail={"document_id": document_id})
    return rows


async def append_custody(actor: Actor, document_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """Appends one hand-over. Refused (422) when it does not continue the chain: its
    ``released_by`` is not the previous ``received_by``, or it is dated before the previous
    entry."""
    current, survivor = await _fetch(actor, document_id)
    require_write(actor)
    checks = Checks()
    checks.instant("at", data["at"])
    for field in ("released_by", "received_by"):
        if not data[field].strip():
            checks.add(field, "must name a person or body")
    checks.raise_if_any()
    at = to_utc(data["at"])
    now = utcnow()
    if at > now:
        raise Invalid("at", "a hand-over cannot be recorded before it happens")
    try:
        async with db.transaction():
            # Touching the document first locks its row on PostgreSQL (SQLite's IMMEDIATE
            # transaction already serialises writers), so two appends cannot both see the same
            # "last entry"; the UNIQUE (document, seq) constraint backs this up.
            await IdentityDocument.update({IdentityDocument.updated_at: now}).where(
                IdentityDocument.id == document_id)
            last = await CustodyEntry.select().where(CustodyEntry.document == document_id).order_by(
                CustodyEntry.seq, ascending=False).first()
            if last is not None:
                problems = Checks()
                if not _same_party(data["released_by"], last["received_by"]):
                    problems.add("released_by", "must be who received the document in the previous "
                                                "entry: the chain of custody may not have gaps")
                if at < last["at"]:
                    problems.add("at", "must not be earlier than the previous entry")
                problems.raise_if_any()
            seq = (last["seq"] + 1) if last else 1
            values: dict[str, Any] = {
                k: (v.strip() if isinstance(v, str) and k in ("released_by", "received_by") else v)
                for k, v in data.items()}
            rows = await CustodyEntry.insert(CustodyEntry(
                **{**values, "at": at}, document=document_id, seq=seq, recorded_by=actor.staff_id,
                recorded_at=now,
            )).returning(CustodyEntry.id)
            entry_id = rows[0]["id"]
            status = data.get("resulting_status")
            if status and status != current["status"]:
                await IdentityDocument.update({IdentityDocument.status: status}).where(
                    IdentityDocument.id == document_id)
            await audit.record(actor.staff_id, "create", "custody_entry", entry_id,
                               office_id=survivor["office"],
                               detail={"document_id": document_id, "seq": seq,
                                       **({"status": [current["status"], status]}
                                          if status and status != current["status"] else {})})
    except Exception as exc:
        if db.is_unique_violation(exc) is None:
            raise
        raise Conflict("another custody entry was recorded at the same moment; reload and retry") from None
    entry = await CustodyEntry.select().where(CustodyEntry.id == entry_id).first()
    assert entry is not None  # inserted above
    return _entry_out(entry)
