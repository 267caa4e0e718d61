"""Cases (prosecutions): the unit of need-to-know. Staff see the cases they are assigned to."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from piccolo.columns.combination import WhereRaw

from legal_tracker import audit, db
from legal_tracker.access import Actor, case_scope, office_visible, require_write, survivor_scope
from legal_tracker.cases.tables import Accused, Case, CaseStaff, CaseSurvivor, Survivor
from legal_tracker.common import PageRequest, check_id, page_of, utcnow
from legal_tracker.errors import Forbidden, NotFound
from legal_tracker.organisation.tables import Court, Office, Staff
from legal_tracker.validation import Checks


def _scoped(actor: Actor, *columns: Any) -> Any:
    query = Case.select(*columns)
    scope = case_scope(actor)
    return query.where(scope) if scope is not None else query


async def _attach_links(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ids = [r["id"] for r in rows]
    if not ids:
        return rows
    staff: dict[int, list[int]] = defaultdict(list)
    survivors: dict[int, list[dict[str, Any]]] = defaultdict(list)
    accused: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in await CaseStaff.select(CaseStaff.case, CaseStaff.staff).where(
        CaseStaff.case.is_in(ids)
    ).order_by(CaseStaff.staff):
        staff[r["case"]].append(r["staff"])
    for r in await CaseSurvivor.select(
        CaseSurvivor.case, CaseSurvivor.survivor, CaseSurvivor.role
    ).where(CaseSurvivor.case.is_in(ids)).order_by(CaseSurvivor.survivor):
        survivors[r["case"]].append(r)
    for r in await Accused.select(Accused.id, Accused.case, Accused.name, Accused.status).where(
        Accused.case.is_in(ids)
    ).order_by(Accused.id):
        accused[r.pop("case")].append(r)
    out = []
    for row in rows:
        row = dict(row)
        row["staff_ids"] = staff[row["id"]]
        row["survivor_ids"] = [s["survivor"] for s in survivors[row["id"]]]
        row["survivors"] = [{"id": s["survivor"], "role": s["role"]} for s in survivors[row["id"]]]
        row["accused"] = accused[row["id"]]
        out.append(row)
    return out


def _like(text: str, *, prefix: bool = False) -> str:
    """A LIKE pattern matching ``text`` literally (its % and _ escaped), lower-cased."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%" if prefix else f"%{escaped}%"


def search_clause(q: str) -> WhereRaw:
    """What people type to find a case: part of the reference or the court case number
    (any case), the start of a survivor's code, or part of an accused person's name."""
    part, start = _like(q), _like(q, prefix=True)
    return WhereRaw(
        "(lower(\"legal_case\".\"reference\") LIKE {} ESCAPE '\\'"
        " OR lower(coalesce(\"legal_case\".\"court_case_number\", '')) LIKE {} ESCAPE '\\'"
        " OR \"legal_case\".\"id\" IN (SELECT cs.\"case\" FROM case_survivor cs"
        " JOIN survivor s ON s.id = cs.survivor WHERE lower(s.code) LIKE {} ESCAPE '\\')"
        " OR \"legal_case\".\"id\" IN (SELECT a.\"case\" FROM accused a"
        " WHERE lower(a.name) LIKE {} ESCAPE '\\'))",
        part, part, start, part)


def _filters(*, status: str | None = None, office_id: int | None = None,
             staff_id: int | None = None, survivor_id: int | None = None,
             reference: str | None = None, court_id: int | None = None,
             q: str | None = None) -> list[Any]:
    where: list[Any] = []
    if status is not None:
        where.append(Case.status == status)
    if office_id is not None:
        where.append(Case.office == office_id)
    if court_id is not None:
        where.append(Case.court == court_id)
    if reference is not None:
        where.append(Case.reference == reference)
    if staff_id is not None:
        where.append(Case.id.is_in(
            CaseStaff.select(CaseStaff.case).where(CaseStaff.staff == staff_id)))
    if survivor_id is not None:
        where.append(Case.id.is_in(
            CaseSurvivor.select(CaseSurvivor.case).where(CaseSurvivor.survivor == survivor_id)))
    if q is not None and q.strip():
        where.append(search_clause(q.strip()))
    return where


async def list_cases(actor: Actor, page: PageRequest, **filters: Any) -> Any:
    """Filters: ``status``, ``office_id``, ``court_id``, ``staff_id`` (assigned),
    ``survivor_id``, ``reference`` (exact) and ``q`` (search, see :func:`search_clause`)."""
    page = page.clamp()
    query = _scoped(actor).order_by(Case.id, ascending=False)
    for clause in _filters(**filters):
        query = query.where(clause)
    rows = await query.limit(page.limit + 1).offset(page.offset)
    result = page_of(rows, page)
    result.items[:] = await _attach_links(result.items)
    return result


async def count_cases(actor: Actor, **filters: Any) -> int:
    """How many cases :func:`list_cases` would page through with the same filters."""
    query = Case.count()
    scope = case_scope(actor)
    if scope is not None:
        query = query.where(scope)
    for clause in _filters(**filters):
        query = query.where(clause)
    return await query


async def fetch_case(actor: Actor, case_id: int) -> dict[str, Any]:
    """The case row if the caller may see it; the single gate for everything under a case."""
    check_id("case", case_id)
    row = await _scoped(actor).where(Case.id == case_id).first()
    if row is None:
        raise NotFound("case")
    return row


async def get_case(actor: Actor, case_id: int) -> dict[str, Any]:
    return (await _attach_links([await fetch_case(actor, case_id)]))[0]


async def check_court_of_office(court_id: int, office_id: int, checks: Checks) -> None:
    """A case or hearing of an office sits in a court of that office or a shared one (no
    office): never another office's (which would also book it in that court's zone)."""
    court = await Court.select(Court.id, Court.office).where(
        Court.id == check_id("court", court_id)).first()
    if court is None:
        checks.add("court_id", "no such court")
    elif court["office"] not in (None, office_id):
        checks.add("court_id", "this court belongs to another office")


async def _check_links(actor: Actor, office_id: int, values: dict[str, Any], checks: Checks) -> None:
    if values.get("court") is not None:
        await check_court_of_office(values["court"], office_id, checks)
    staff_ids = values.get("staff_ids")
    if staff_ids:
        found = await Staff.select(Staff.id, Staff.office, Staff.active).where(
            Staff.id.is_in([check_id("staff", s) for s in set(staff_ids)])
        )
        by_id = {r["id"]: r for r in found}
        for sid in staff_ids:
            row = by_id.get(sid)
            if row is None or (row["office"] not in (office_id, None)) or not row["active"]:
                checks.add("staff_ids", f"staff {sid} does not exist or is not active in this office")
    survivors = values.get("survivors")
    if survivors:
        ids = {check_id("survivor", s["id"]) for s in survivors}
        query = Survivor.select(Survivor.id, Survivor.office).where(Survivor.id.is_in(list(ids)))
        scope = survivor_scope(actor)
        if scope is not None:
            query = query.where(scope)
        survivor_by_id = {r["id"]: r for r in await query}
        for sid in sorted(ids):
            if sid not in survivor_by_id or survivor_by_id[sid]["office"] != office_id:
                checks.add("survivor_ids", f"survivor {sid} does not exist in this office")


def _survivor_links(values: dict[str, Any]) -> None:
    """``survivor_ids`` (API.md) and ``survivors`` (with roles) both describe the links."""
    ids = values.pop("survivor_ids", None)
    if values.get("survivors") is None:
        values.pop("survivors", None)
        if ids is not None:
            values["survivors"] = [{"id": i, "role": "complainant"} for i in ids]


async def create_case(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    require_write(actor)
    values = dict(data)
    _survivor_links(values)
    office_id = values.pop("office", None) or actor.office_id
    checks = Checks()
    if office_id is None:
        checks.add("office_id", "required for an organisation-wide admin")
    elif not office_visible(actor, office_id) or not await Office.exists().where(
        Office.id == check_id("office", office_id)
    ):
        checks.add("office_id", "no such office")
    else:
        if await Case.exists().where((Case.office == office_id) & (Case.reference == values["reference"])):
            checks.add("reference", "another case of this office already has this reference")
        if not actor.is_admin:
            # Whoever opens a case must keep seeing it.
            values["staff_ids"] = sorted(set(values.get("staff_ids") or []) | {actor.staff_id})
        await _check_links(actor, office_id, values, checks)
    checks.raise_if_any()
    staff_ids = values.pop("staff_ids", None) or []
    survivors = values.pop("survivors", None) or []
    accused = values.pop("accused", None) or []
    now = utcnow()
    async with db.transaction():
        rows = await Case.insert(Case(
            **values, office=office_id, created_by=actor.staff_id, created_at=now, updated_at=now,
        )).returning(Case.id)
        case_id = rows[0]["id"]
        await _replace_links(case_id, staff_ids, survivors, accused)
        await audit.record(actor.staff_id, "create", "case", case_id, office_id=office_id,
                           detail={"fields": sorted(data)})
    return await get_case(actor, case_id)


async def _replace_links(case_id: int, staff_ids: list[int] | None,
                         survivors: list[dict[str, Any]] | None,
                         accused: list[dict[str, Any]] | None) -> None:
    if staff_ids is not None:
        await CaseStaff.delete().where(CaseStaff.case == case_id)
        if staff_ids:
            await CaseStaff.insert(*[CaseStaff(case=case_id, staff=s) for s in sorted(set(staff_ids))])
    if survivors is not None:
        await CaseSurvivor.delete().where(CaseSurvivor.case == case_id)
        unique = {s["id"]: s.get("role") or "complainant" for s in survivors}
        if unique:
            await CaseSurvivor.insert(*[
                CaseSurvivor(case=case_id, survivor=sid, role=role) for sid, role in unique.items()
            ])
    if accused is not None:
        keep = [a["id"] for a in accused if a.get("id")]
        delete = Accused.delete().where(Accused.case == case_id)
        if keep:
            delete = delete.where(Accused.id.not_in(keep))
        await delete
        for person in accused:
            if person.get("id"):
                await Accused.update({Accused.name: person["name"], Accused.status: person["status"]}
                                     ).where((Accused.id == person["id"]) & (Accused.case == case_id))
            else:
                await Accused.insert(Accused(case=case_id, name=person["name"], status=person["status"]))


async def update_case(actor: Actor, case_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    current = await fetch_case(actor, case_id)
    require_write(actor)
    values = dict(changes)
    _survivor_links(values)
    checks = Checks()
    if "reference" in values and await Case.exists().where(
        (Case.office == current["office"]) & (Case.reference == values["reference"])
        & (Case.id != case_id)
    ):
        checks.add("reference", "another case of this office already has this reference")
    if (
        "staff_ids" in values and not actor.is_admin
        and actor.staff_id not in (values["staff_ids"] or [])
    ):
        raise Forbidden("only an admin may remove you from a case")
    await _check_links(actor, current["office"], values, checks)
    if values.get("accused"):
        existing = {r["id"] for r in await Accused.select(Accused.id).where(Accused.case == case_id)}
        for person in values["accused"]:
            if person.get("id") and person["id"] not in existing:
                checks.add("accused", f"accused {person['id']} is not part of this case")
    checks.raise_if_any()
    staff_ids = values.pop("staff_ids", None)
    survivors = values.pop("survivors", None)
    accused = values.pop("accused", None)
    async with db.transaction():
        if values:
            await Case.update(db.update_values(values, {Case.updated_at: utcnow()})).where(Case.id == case_id)
        before = {r["staff"] for r in await CaseStaff.select(CaseStaff.staff).where(
            CaseStaff.case == case_id)} if staff_ids is not None else set()
        await _replace_links(case_id, staff_ids, survivors, accused)
        if staff_ids is not None:
            # Deferred: hearings imports this module.
            from legal_tracker.cases.hearings import release_accompaniments

            await release_accompaniments(actor, case_id, before - set(staff_ids))
        detail: dict[str, Any] = {"fields": sorted(changes)}
        if "status" in values and values["status"] != current["status"]:
            detail["status"] = [current["status"], values["status"]]
        await audit.record(actor.staff_id, "update", "case", case_id, office_id=current["office"],
                           detail=detail)
    return await get_case(actor, case_id)
