"""Who may do what: each role x each resource x read / list / write / create / reveal / other,
on records of the caller's own office and of another office.

A record outside the caller's scope answers 404 (its existence is not revealed); a record the
caller may see but not change answers 403; no token answers 401. Offices, courts (and the
office's staff list) are readable by all staff; only admins change them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from legal_tracker.organisation.tables import Staff

ROLES = ("org_admin", "admin", "other_admin", "lawyer", "caseworker", "viewer", "unassigned",
         "other_lawyer", "nobody")
ADMINS = ("org_admin", "admin")
ASSIGNED_WRITERS = ("org_admin", "admin", "lawyer", "caseworker")
OFFICE_STAFF = ("lawyer", "caseworker", "viewer", "unassigned")


def expect(default: int, **by_role: int) -> dict[str, int]:
    """Expected status per role: ``default`` unless named; no token is always 401."""
    table = dict.fromkeys(ROLES, default)
    for role, status in by_role.items():
        table[role] = status
    table["nobody"] = 401
    return table


def roles(status: int, names: tuple[str, ...]) -> dict[str, int]:
    return dict.fromkeys(names, status)


# Records of office A's case: seen by its admins and the staff assigned to the case only.
CASE_READ = expect(404, **roles(200, (*ASSIGNED_WRITERS, "viewer")))
CASE_WRITE = expect(404, **roles(200, ASSIGNED_WRITERS), viewer=403)
CASE_CREATE = expect(404, **roles(201, ASSIGNED_WRITERS), viewer=403)
CASE_REVEAL = expect(404, **roles(200, ASSIGNED_WRITERS), viewer=403)
STAFF_ONLY = expect(403, **roles(200, (*ADMINS, "other_admin")))


@dataclass
class Op:
    resource: str
    kind: str  # read, list, write, create, reveal, other
    method: str
    path: str
    body: Any
    expected: dict[str, int]


def operations(ids: dict[str, int]) -> list[Op]:
    a, b = ids["office_a"], ids["office_b"]
    s, c, k, h = ids["survivor"], ids["contact"], ids["case"], ids["hearing"]
    unique = uuid.uuid4().hex[:6]
    return [
        # offices: everyone reads; the office's admins and org admins change; only org admins open
        Op("office", "read", "GET", f"/api/offices/{a}", None, expect(200)),
        Op("office", "list", "GET", "/api/offices", None, expect(200)),
        Op("office", "write", "PATCH", f"/api/offices/{a}", {"name": "Nairobi office"},
           expect(403, **roles(200, ADMINS))),
        Op("office", "create", "POST", "/api/offices",
           {"name": f"Office {unique}", "country": "UG", "timezone": "Africa/Kampala"},
           expect(403, org_admin=201)),
        # courts: everyone reads; admins change (their own office's and shared ones)
        Op("court", "read", "GET", f"/api/courts/{ids['court']}", None, expect(200)),
        Op("court", "list", "GET", "/api/courts", None, expect(200)),
        Op("court", "write", "PATCH", f"/api/courts/{ids['court']}", {"address": "Kibera Drive"},
           expect(403, **roles(200, ADMINS))),
        Op("court", "create", "POST", "/api/courts",
           {"name": f"Court {unique}", "timezone": "Africa/Nairobi"},
           expect(403, **roles(201, (*ADMINS, "other_admin")))),
        # staff: colleagues of one's own office are visible; only admins manage them
        Op("staff", "read", "GET", f"/api/staff/{ids['viewer']}", None,
           expect(200, other_admin=404, other_lawyer=404)),
        Op("staff", "list", "GET", "/api/staff", None, expect(200)),
        Op("staff", "write", "PATCH", f"/api/staff/{ids['viewer']}", {"language": "sw"},
           expect(403, **roles(200, ADMINS), other_admin=404, other_lawyer=404)),
        # an office's admin cannot take over (or switch off) an organisation-wide account
        Op("staff (organisation-wide admin)", "write", "PATCH", f"/api/staff/{ids['org_admin']}",
           {"language": "sw"}, expect(403, org_admin=200)),
        Op("staff", "create", "POST", "/api/staff",
           {"name": "New Colleague", "email": f"new-{unique}@example.org", "role": "viewer",
            "office_id": a, "password": "correct horse battery"},
           expect(403, **roles(201, ADMINS), other_admin=422)),
        # survivors: assigned staff and the office's admins
        Op("survivor", "read", "GET", f"/api/survivors/{s}", None, CASE_READ),
        Op("survivor", "list", "GET", "/api/survivors", None, expect(200)),
        Op("survivor", "reveal", "GET", f"/api/survivors/{s}?reveal=legal_name", None,
           CASE_REVEAL),
        Op("survivor", "write", "PATCH", f"/api/survivors/{s}", {"language": "sw"}, CASE_WRITE),
        # anyone who writes may register a survivor in their own office (422: not that office)
        Op("survivor", "create", "POST", "/api/survivors", {"office_id": a},
           expect(201, viewer=403, other_admin=422, other_lawyer=422)),
        Op("survivor", "create in another office", "POST", "/api/survivors", {"office_id": b},
           expect(422, org_admin=201, other_admin=201, other_lawyer=201, viewer=403)),
        # contacts: through their survivor
        Op("contact", "list", "GET", f"/api/survivors/{s}/contacts", None, CASE_READ),
        Op("contact", "read", "GET", f"/api/contacts/{c}", None, CASE_READ),
        Op("contact", "reveal", "GET", f"/api/contacts/{c}?reveal=phone", None, CASE_REVEAL),
        Op("contact", "write", "PATCH", f"/api/contacts/{c}", {"language": "sw"}, CASE_WRITE),
        Op("contact", "create", "POST", f"/api/survivors/{s}/contacts",
           {"name": "Uncle", "relationship": "uncle", "phone": "+254711000222"}, CASE_CREATE),
        # cases
        Op("case", "read", "GET", f"/api/cases/{k}", None, CASE_READ),
        Op("case", "list", "GET", "/api/cases", None, expect(200)),
        Op("case", "write", "PATCH", f"/api/cases/{k}", {"court_case_number": "CR 9/2026"},
           CASE_WRITE),
        Op("case", "create", "POST", "/api/cases", {"reference": f"NEW {unique}", "office_id": a},
           expect(201, viewer=403, other_admin=422, other_lawyer=422)),
        # hearings
        Op("hearing", "read", "GET", f"/api/hearings/{h}", None, CASE_READ),
        Op("hearing", "list", "GET", "/api/hearings", None, expect(200)),
        Op("hearing", "list of a case", "GET", f"/api/cases/{k}/hearings", None, CASE_READ),
        Op("hearing", "history", "GET", f"/api/hearings/{h}/history", None, CASE_READ),
        Op("hearing", "write", "PATCH", f"/api/hearings/{h}", {"courtroom": "Court 2"},
           CASE_WRITE),
        Op("hearing", "create", "POST", f"/api/cases/{k}/hearings",
           {"starts_at": "2031-06-06T09:00:00+03:00", "kind": "mention"}, CASE_CREATE),
        Op("hearing", "reschedule", "POST", f"/api/hearings/{h}/reschedule",
           {"starts_at": "2031-05-07T09:00:00+03:00", "reason": "court diary"}, CASE_WRITE),
        # reminders and calendar subscriptions (other areas) follow the case's scope
        Op("reminder", "list", "GET", f"/api/reminders?hearing_id={h}", None,
           expect(200, other_admin=404, unassigned=404, other_lawyer=404)),
        Op("calendar", "subscribe to a case", "POST", "/api/calendar-subscriptions",
           {"scope": "case", "target_id": k},
           expect(404, **roles(201, (*ASSIGNED_WRITERS, "viewer")))),
        # casework (statements, identity documents, immigration, deadlines): the case's scope
        *casework_operations(ids),
        # filing templates: readable by all staff; filings follow their case
        Op("template", "list", "GET", "/api/templates", None, expect(200)),
        Op("filing", "list", "GET", f"/api/cases/{k}/filings", None, CASE_READ),
        # the audit trail: admins only
        Op("audit", "list", "GET", "/api/audit", None, STAFF_ONLY),
        # last, as they change what the operations above rely on
        Op("contact", "delete", "DELETE", f"/api/contacts/{c}", None,
           expect(404, **roles(204, ASSIGNED_WRITERS), viewer=403)),
        Op("hearing", "cancel", "POST", f"/api/hearings/{h}/cancel", {"reason": "withdrawn"},
           CASE_WRITE),
    ]


def casework_operations(ids: dict[str, int]) -> list[Op]:
    if "statement" not in ids:
        return []
    s, k = ids["survivor"], ids["case"]
    st, doc, imm, dl = ids["statement"], ids["document"], ids["immigration"], ids["deadline"]
    return [
        Op("statement", "list", "GET", f"/api/cases/{k}/statements", None, CASE_READ),
        Op("statement", "read", "GET", f"/api/statements/{st}", None, CASE_READ),
        Op("statement", "write", "PATCH", f"/api/statements/{st}", {"taken_by": "Inspector"},
           CASE_WRITE),
        Op("statement", "create", "POST", f"/api/cases/{k}/statements",
           {"kind": "witness_statement", "survivor_id": s}, CASE_CREATE),
        Op("identity document", "list", "GET", f"/api/survivors/{s}/identity-documents", None,
           CASE_READ),
        Op("identity document", "read", "GET", f"/api/identity-documents/{doc}", None, CASE_READ),
        Op("identity document", "reveal", "GET", f"/api/identity-documents/{doc}?reveal=number",
           None, CASE_REVEAL),
        Op("identity document", "write", "PATCH", f"/api/identity-documents/{doc}",
           {"notes": "kept at the office"}, CASE_WRITE),
        Op("identity document", "create", "POST", f"/api/survivors/{s}/identity-documents",
           {"kind": "national_id", "issuing_country": "KE", "status": "withheld",
            "number": "ID 5566"}, CASE_CREATE),
        Op("custody", "list", "GET", f"/api/identity-documents/{doc}/custody", None, CASE_READ),
        Op("custody", "append", "POST", f"/api/identity-documents/{doc}/custody",
           {"at": "2026-01-05T10:00:00+03:00", "released_by": "Police", "received_by": "Office"},
           CASE_CREATE),
        Op("immigration", "list", "GET", f"/api/survivors/{s}/immigration", None, CASE_READ),
        Op("immigration", "read", "GET", f"/api/immigration/{imm}", None, CASE_READ),
        Op("immigration", "write", "PATCH", f"/api/immigration/{imm}", {"jurisdiction": "US"},
           CASE_WRITE),
        Op("immigration", "create", "POST", f"/api/survivors/{s}/immigration",
           {"kind": "u_visa"}, CASE_CREATE),
        Op("deadline", "upcoming", "GET", "/api/deadlines", None, expect(200)),
        Op("deadline", "list", "GET", f"/api/cases/{k}/deadlines", None, CASE_READ),
        Op("deadline", "write", "PATCH", f"/api/deadlines/{dl}", {"title": "File the brief"},
           CASE_WRITE),
        Op("deadline", "create", "POST", f"/api/cases/{k}/deadlines",
           {"due_on": "2031-02-02", "title": "Serve notice"}, CASE_CREATE),
        Op("case", "timeline", "GET", f"/api/cases/{k}/timeline", None, CASE_READ),
    ]


async def build_casework(world, ids: dict[str, int]) -> None:
    """Casework records of the case, when the casework area's endpoints are there."""
    app = world.client._transport.app  # type: ignore[attr-defined]
    if not any(route.path.startswith("/api/statements") for route in app.routes):
        return
    s, k = ids["survivor"], ids["case"]
    ids["statement"] = (await world.post(f"/api/cases/{k}/statements",
                                         {"kind": "police_statement", "survivor_id": s}))["id"]
    ids["document"] = (await world.post(f"/api/survivors/{s}/identity-documents", {
        "kind": "passport", "issuing_country": "KE", "status": "withheld", "number": "AK1234567",
        "case_id": k}))["id"]
    ids["immigration"] = (await world.post(f"/api/survivors/{s}/immigration",
                                           {"kind": "t_visa", "case_id": k}))["id"]
    ids["deadline"] = (await world.post(f"/api/cases/{k}/deadlines",
                                        {"due_on": "2031-01-01", "title": "File brief"}))["id"]


async def build(world) -> tuple[dict[str, dict[str, str]], dict[str, int]]:
    a = await world.office("Nairobi")
    b = await world.office("Manila", "Asia/Manila", "PH")
    court = await world.court(office_id=a["id"])
    people = {"org_admin": world.admin, "nobody": {}}
    ids: dict[str, int] = {"office_a": a["id"], "office_b": b["id"], "court": court["id"]}
    org_admin = await Staff.select(Staff.id).where(Staff.email == "admin@example.org").first()
    ids["org_admin"] = org_admin["id"]
    _, people["admin"] = await world.user("admin", a["id"])
    _, people["other_admin"] = await world.user("admin", b["id"])
    _, people["other_lawyer"] = await world.user("lawyer", b["id"])
    for role in ("lawyer", "caseworker", "viewer"):
        ids[role], people[role] = await world.user(role, a["id"])
    _, people["unassigned"] = await world.user("lawyer", a["id"])
    survivor = await world.survivor(a["id"], legal_name="Amani Test Survivor")
    contact = await world.post(f"/api/survivors/{survivor['id']}/contacts",
                               {"name": "Aunt", "relationship": "aunt", "phone": "+254711000111"})
    case = await world.case(a["id"], court["id"], survivor_ids=[survivor["id"]],
                            staff_ids=[ids["lawyer"], ids["caseworker"], ids["viewer"]])
    hearing = await world.hearing(case["id"], "2031-05-05T09:00:00+03:00")
    ids.update(survivor=survivor["id"], contact=contact["id"], case=case["id"],
               hearing=hearing["id"])
    await build_casework(world, ids)
    return people, ids


@pytest.mark.parametrize("role", ROLES)
async def test_permission_matrix(world, role):
    people, ids = await build(world)
    headers = people[role]
    problems = []
    for op in operations(ids):
        kwargs: dict[str, Any] = {"headers": headers}
        if op.body is not None:
            kwargs["json"] = op.body
        response = await world.client.request(op.method, op.path, **kwargs)
        want = op.expected[role]
        if response.status_code != want:
            problems.append(f"{op.kind} {op.resource} ({op.method} {op.path}): "
                            f"{response.status_code} != {want}: {response.text[:160]}")
        elif want >= 400:
            assert response.headers["content-type"].startswith("application/problem+json")
    assert problems == [], "\n".join(problems)


async def test_lists_hold_only_what_the_caller_may_see(world):
    people, ids = await build(world)
    expectations = {
        "org_admin": 1, "admin": 1, "lawyer": 1, "caseworker": 1, "viewer": 1,
        "unassigned": 0, "other_admin": 0, "other_lawyer": 0,
    }
    for role, expected in expectations.items():
        for path in ("/api/cases", "/api/hearings", "/api/survivors"):
            response = await world.client.get(path, headers=people[role])
            assert response.status_code == 200
            assert len(response.json()["items"]) == expected, (role, path)
    # Staff lists: an office sees its own colleagues (and organisation-wide admins), not others.
    other = await world.client.get("/api/staff", headers=people["other_admin"])
    offices = {s["office_id"] for s in other.json()["items"]}
    assert ids["office_a"] not in offices
    # Filtering by another office's id does not open it up.
    for path in (f"/api/survivors?office_id={ids['office_a']}",
                 f"/api/hearings?case_id={ids['case']}", f"/api/staff?office_id={ids['office_a']}"):
        response = await world.client.get(path, headers=people["other_admin"])
        assert response.status_code in (200, 404)
        if response.status_code == 200:
            assert response.json()["items"] == [], path


async def test_out_of_scope_looks_exactly_like_missing(world):
    people, ids = await build(world)
    for path in ("/api/survivors/{}", "/api/contacts/{}", "/api/cases/{}", "/api/hearings/{}"):
        real = path.format(ids[_key(path)])
        missing = path.format(987654)
        for role in ("unassigned", "other_admin"):
            seen = await world.client.get(real, headers=people[role])
            absent = await world.client.get(missing, headers=people[role])
            assert seen.status_code == absent.status_code == 404
            one, two = seen.json(), absent.json()
            one.pop("instance"), two.pop("instance")
            assert one == two, (role, path)


def _key(path: str) -> str:
    return {"survivors": "survivor", "contacts": "contact", "cases": "case",
            "hearings": "hearing"}[path.split("/")[2]]
