"""Outcome reports, computed in the database (GROUP BY, COUNT, SUM, AVG; medians by counting
and then reading the middle one or two values of a sorted single-column query).

Who sees what: an organisation-wide admin sees every office (or the one named by
``office_id``); an office admin sees their office; everyone else sees figures over the cases
they are assigned to (and the survivors of those cases). An ``office_id`` outside the caller's
scope gives zeros, never another office's figures.

The period (``from``, ``to``, both inclusive calendar dates, in the office's zone when one
office is in view, else UTC) applies to events: hearing start, judgment date (cases' outcome,
convictions, time to judgment), statement taken, custody hand-over, immigration decision.
Snapshots (cases by status, documents by status, applications pending) are of today.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from legal_tracker import audit, db
from legal_tracker.access import Actor
from legal_tracker.casework.vocab import CONVICTIONS
from legal_tracker.organisation.tables import Office


@dataclass
class _Sql:
    """Builds WHERE fragments with ``{}`` placeholders and their arguments together."""

    parts: list[str] = field(default_factory=list)
    args: list[Any] = field(default_factory=list)

    def add(self, fragment: str, *args: Any) -> _Sql:
        self.parts.append(fragment)
        self.args.extend(args)
        return self

    def where(self) -> str:
        return " AND ".join(self.parts) if self.parts else "1 = 1"

    def __add__(self, other: _Sql) -> _Sql:
        return _Sql(self.parts + other.parts, self.args + other.args)


def _case_scope(actor: Actor, office_id: int | None, alias: str = "lc",
                office_column: str | None = None, case_column: str | None = None) -> _Sql:
    """``office_column`` and ``case_column``: where the office and the case id are read
    (``h.office`` and ``h."case"`` for hearings: indexed, and no join to ``legal_case``)."""
    office = office_column or f"{alias}.office"
    case = case_column or f"{alias}.id"
    sql = _Sql()
    if actor.is_admin and not actor.is_org_admin:
        sql.add(f"{office} = {{}}", actor.office_id)
    elif not actor.is_admin:
        sql.add(f'{case} IN (SELECT cs."case" FROM case_staff cs WHERE cs.staff = {{}})', actor.staff_id)
    if office_id is not None:
        sql.add(f"{office} = {{}}", office_id)
    return sql


def _survivor_scope(actor: Actor, office_id: int | None, alias: str = "sv") -> _Sql:
    sql = _Sql()
    if actor.is_admin and not actor.is_org_admin:
        sql.add(f"{alias}.office = {{}}", actor.office_id)
    elif not actor.is_admin:
        sql.add(f'{alias}.id IN (SELECT csv.survivor FROM case_survivor csv JOIN case_staff cst '
                f'ON cst."case" = csv."case" WHERE cst.staff = {{}})', actor.staff_id)
    if office_id is not None:
        sql.add(f"{alias}.office = {{}}", office_id)
    return sql


def _dates(column: str, start: date | None, end: date | None) -> _Sql:
    sql = _Sql()
    if start is not None:
        sql.add(f"{column} >= {{}}", start)
    if end is not None:
        sql.add(f"{column} <= {{}}", end)
    return sql


def _instants(column: str, start: datetime | None, end: datetime | None) -> _Sql:
    sql = _Sql()
    if start is not None:
        sql.add(f"{column} >= {{}}", start)
    if end is not None:
        sql.add(f"{column} < {{}}", end)
    return sql


async def _rows(sql: str, args: list[Any]) -> list[dict[str, Any]]:
    return await db.execute(sql, *args)


async def _median(from_where: str, value: str, args: list[Any], n: int) -> float | None:
    """The median of ``value`` over ``FROM ... WHERE ...``, in the database: read the middle
    value(s) of the sorted column (``n``: how many non-null values there are, already counted)."""
    if n == 0:
        return None
    middle = await _rows(
        f"SELECT {value} AS v FROM {from_where} AND {value} IS NOT NULL ORDER BY {value} "
        f"LIMIT {2 - n % 2} OFFSET {(n - 1) // 2}", args)
    values = [float(r["v"]) for r in middle]
    return sum(values) / len(values)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _num(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)


async def outcome_report(actor: Actor, *, office_id: int | None = None, start: date | None = None,
                         end: date | None = None) -> dict[str, Any]:
    zone_name = "UTC"
    office = office_id if office_id is not None else actor.office_id
    if office is not None:
        row = await Office.select(Office.timezone).where(Office.id == office).first()
        zone_name = row["timezone"] if row else "UTC"
    zone = ZoneInfo(zone_name)
    t0 = datetime.combine(start, time(), zone) if start else None
    t1 = datetime.combine(end + timedelta(days=1), time(), zone) if end else None
    sqlite = db.is_sqlite()
    cases = _case_scope(actor, office_id)
    survivors = _survivor_scope(actor, office_id)
    judged = _dates("COALESCE(lc.judgment_on, lc.closed_on)", start, end)
    report: dict[str, Any] = {
        "office_id": office_id, "from": start, "to": end, "timezone": zone_name,
        "scope": "organisation" if actor.is_org_admin else "office" if actor.is_admin else "assigned_cases",
    }
    async with db.read_transaction():
        # ---- cases, convictions and sentences, time from charge to judgment: one pass over the
        # cases in scope (the (office, status) index), grouped by status and by outcome in the
        # period; the sums give the counts and means, the medians read the middle values.
        marks = ", ".join("{}" for _ in CONVICTIONS)
        convicted = _dates("lc.judgment_on", start, end) + _Sql([f"lc.outcome IN ({marks})"],
                                                                list(CONVICTIONS))
        days = ("(julianday(lc.judgment_on) - julianday(lc.charged_on))" if sqlite
                else "(lc.judgment_on - lc.charged_on)")
        timed = _dates("lc.judgment_on", start, end) + _Sql(
            ["lc.charged_on IS NOT NULL", "lc.judgment_on IS NOT NULL"])
        judged_now = f"{judged.where()} AND lc.outcome IS NOT NULL"
        groups = await _rows(
            f"SELECT lc.status AS status, CASE WHEN {judged_now} THEN lc.outcome END AS outcome, "
            f"COUNT(*) AS n, SUM(CASE WHEN {convicted.where()} THEN 1 ELSE 0 END) AS convicted, "
            f"SUM(CASE WHEN {convicted.where()} AND lc.sentence_months IS NOT NULL THEN 1 ELSE 0 END) "
            f"AS sentenced, SUM(CASE WHEN {convicted.where()} THEN lc.sentence_months END) AS months, "
            f"SUM(CASE WHEN {timed.where()} THEN 1 ELSE 0 END) AS timed, "
            f"SUM(CASE WHEN {timed.where()} THEN {days} END) AS days "
            f"FROM legal_case lc WHERE {cases.where()} GROUP BY 1, 2 ORDER BY 1, 2",
            [*judged.args, *convicted.args, *convicted.args, *convicted.args, *timed.args,
             *timed.args, *cases.args])
        by_status: dict[str, int] = {}
        by_outcome: dict[str, int] = {}
        totals = {"convicted": 0, "sentenced": 0, "months": 0.0, "timed": 0, "days": 0.0}
        for r in groups:
            by_status[r["status"]] = by_status.get(r["status"], 0) + int(r["n"])
            if r["outcome"] is not None:
                by_outcome[r["outcome"]] = by_outcome.get(r["outcome"], 0) + int(r["n"])
            for key in totals:
                totals[key] += float(r[key] or 0) if key in ("months", "days") else int(r[key] or 0)
        report["cases"] = {"total": sum(by_status.values()), "by_status": by_status,
                           "by_outcome": dict(sorted(by_outcome.items()))}
        sentenced, timed_n = int(totals["sentenced"]), int(totals["timed"])
        conviction_scope = cases + convicted
        report["convictions"] = {
            "count": int(totals["convicted"]), "sentenced": sentenced,
            "sentence_mean_months": _num(totals["months"] / sentenced if sentenced else None),
            "sentence_median_months": _num(await _median(
                "legal_case lc WHERE " + conviction_scope.where(), "lc.sentence_months",
                conviction_scope.args, sentenced)),
        }
        timed_scope = cases + timed
        report["charge_to_judgment"] = {
            "cases": timed_n, "mean_days": _num(totals["days"] / timed_n if timed_n else None),
            "median_days": _num(await _median("legal_case lc WHERE " + timed_scope.where(), days,
                                              timed_scope.args, timed_n)),
        }
        # ---- hearings: the office's hearings of the period (the (office, starts_at, id)
        # index; no join to the cases), counted by court, status and adjournment reason in one
        # hash aggregate (court names joined to the few groups, not to every hearing); the
        # status counts, reasons and courts add up from the groups.
        heard = _case_scope(actor, office_id, alias="h", office_column="h.office",
                            case_column='h."case"') + _instants("h.starts_at", t0, t1)
        by_hstatus: dict[str, int] = {}
        by_reason: dict[str | None, int] = {}
        by_court: dict[int, dict[str, Any]] = {}
        testifying = 0
        for r in await _rows(
            "SELECT g.court_id AS court_id, c.name AS court_name, g.status AS status, "
            "g.reason AS reason, g.n AS n, g.testifying AS testifying FROM ("
            "SELECT h.court AS court_id, h.status AS status, h.adjournment_reason AS reason, "
            "COUNT(*) AS n, SUM(CASE WHEN h.survivor_testifies = {} THEN 1 ELSE 0 END) AS testifying "
            f"FROM hearing h WHERE {heard.where()} GROUP BY h.court, h.status, h.adjournment_reason"
            ") g JOIN court c ON c.id = g.court_id ORDER BY c.name, g.court_id",
            [True, *heard.args]):
            n, status = int(r["n"]), r["status"]
            by_hstatus[status] = by_hstatus.get(status, 0) + n
            if status not in ("held", "adjourned"):
                continue
            testifying += int(r["testifying"] or 0)
            court = by_court.setdefault(r["court_id"], {
                "court_id": r["court_id"], "court_name": r["court_name"], "held": 0, "adjourned": 0})
            court[status] += n
            if status == "adjourned":
                by_reason[r["reason"]] = by_reason.get(r["reason"], 0) + n
        held, adjourned = by_hstatus.get("held", 0), by_hstatus.get("adjourned", 0)
        sat = held + adjourned
        reasons = [{"reason": reason, "count": n, "rate": _rate(n, sat)} for reason, n in sorted(
            by_reason.items(), key=lambda item: (-item[1], item[0] is None, item[0] or ""))]
        courts = [{**c, "adjournment_rate": _rate(c["adjourned"], c["held"] + c["adjourned"])}
                  for c in by_court.values()]
        report["hearings"] = {
            "held": held, "adjourned": adjourned, "cancelled": by_hstatus.get("cancelled", 0),
            "scheduled": by_hstatus.get("scheduled", 0), "adjournment_rate": _rate(adjourned, sat),
            "adjournments_by_reason": reasons, "by_court": courts,
        }
        # ---- accompaniment: hearings the survivor came to testify at (held or adjourned);
        # only those probe hearing_staff.
        accompanied = 0
        if testifying:
            row = (await _rows(
                f"SELECT COUNT(*) AS n FROM hearing h WHERE {heard.where()} "
                "AND h.survivor_testifies = {} AND h.status IN ('held', 'adjourned') "
                "AND EXISTS (SELECT 1 FROM hearing_staff hs WHERE hs.hearing = h.id)",
                [*heard.args, True]))[0]
            accompanied = int(row["n"])
        report["accompaniment"] = {"testifying_hearings": testifying, "accompanied": accompanied,
                                   "coverage": _rate(accompanied, testifying)}
        # ---- SMS: of the messages handed to the gateway in the period, the share it reported
        # delivered, by office (a welcome or help message belongs to no case: admins only).
        texted = _case_scope(actor, office_id, office_column="r.office") + _instants(
            "r.sent_at", t0, t1)
        sms_offices = [{"office_id": r["office_id"], "office_name": r["office_name"],
                        "sent": int(r["sent"]), "delivered": int(r["delivered"] or 0),
                        "delivery_rate": _rate(int(r["delivered"] or 0), int(r["sent"]))}
                       for r in await _rows(
            "SELECT r.office AS office_id, o.name AS office_name, COUNT(*) AS sent, "
            "SUM(CASE WHEN r.status = 'delivered' THEN 1 ELSE 0 END) AS delivered "
            "FROM reminder r JOIN office o ON o.id = r.office "
            'LEFT JOIN legal_case lc ON lc.id = r."case" '
            f"WHERE {texted.where()} AND r.sent_at IS NOT NULL "
            "GROUP BY r.office, o.name ORDER BY o.name, r.office", texted.args)]
        sent = sum(o["sent"] for o in sms_offices)
        delivered = sum(o["delivered"] for o in sms_offices)
        report["sms"] = {"sent": sent, "delivered": delivered,
                         "delivery_rate": _rate(delivered, sent), "by_office": sms_offices}
        # ---- statements
        taken = cases + _instants("st.taken_at", t0, t1)
        by_kind = {r["kind"]: int(r["n"]) for r in await _rows(
            'SELECT st.kind AS kind, COUNT(*) AS n FROM statement st JOIN legal_case lc '
            f'ON lc.id = st."case" WHERE {taken.where()} AND st.status IN (\'taken\', \'filed\') '
            "GROUP BY st.kind ORDER BY st.kind", taken.args)}
        report["statements"] = {"taken": sum(by_kind.values()), "by_kind": by_kind}
        # ---- identity documents
        docs = f"identity_document d JOIN survivor sv ON sv.id = d.survivor WHERE {survivors.where()}"
        by_dstatus = {r["status"]: int(r["n"]) for r in await _rows(
            f"SELECT d.status AS status, COUNT(*) AS n FROM {docs} GROUP BY d.status ORDER BY d.status",
            survivors.args)}
        moved = survivors + _instants("ce.at", t0, t1)
        handed = {r["status"]: int(r["n"]) for r in await _rows(
            "SELECT ce.resulting_status AS status, COUNT(DISTINCT ce.document) AS n "
            "FROM custody_entry ce JOIN identity_document d ON d.id = ce.document "
            f"JOIN survivor sv ON sv.id = d.survivor WHERE {moved.where()} "
            "AND ce.resulting_status IN ('recovered', 'returned') GROUP BY ce.resulting_status",
            moved.args)}
        report["documents"] = {"recovered": handed.get("recovered", 0),
                               "returned": handed.get("returned", 0), "by_status": by_dstatus}
        # ---- immigration: decisions in the period and applications pending, in one query
        decided = _dates("a.decision_on", start, end)
        groups = await _rows(
            f"SELECT a.kind AS kind, a.outcome AS outcome, SUM(CASE WHEN {decided.where()} AND "
            "a.decision_on IS NOT NULL THEN 1 ELSE 0 END) AS n, SUM(CASE WHEN a.filed_on IS NOT NULL "
            "AND a.decision_on IS NULL THEN 1 ELSE 0 END) AS pending "
            "FROM immigration_application a JOIN survivor sv ON sv.id = a.survivor "
            f"WHERE {survivors.where()} GROUP BY a.kind, a.outcome ORDER BY a.kind, a.outcome",
            [*decided.args, *survivors.args])
        decisions = [{"kind": r["kind"], "outcome": r["outcome"], "count": int(r["n"])}
                     for r in groups if int(r["n"] or 0)]
        report["immigration"] = {"decisions": sum(d["count"] for d in decisions),
                                 "approved": sum(d["count"] for d in decisions if d["outcome"] == "approved"),
                                 "by_kind_and_outcome": decisions,
                                 "pending": sum(int(r["pending"] or 0) for r in groups)}
    await audit.record(actor.staff_id, "read", "report", "outcomes", office_id=office,
                       detail={"from": start, "to": end, "office_id": office_id})
    return report
