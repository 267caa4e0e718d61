"""Who may read and change what: each role x each resource x read / write / other office.

A record outside the caller's scope answers 404 (its existence is not revealed); a record the
caller may see but not change answers 403; no token answers 401.
"""

from __future__ import annotations

import pytest

READ, WRITE = "read", "write"


async def _world(world):
    a = await world.office("Nairobi")
    b = await world.office("Manila", "Asia/Manila", "PH")
    court = await world.court(office_id=a["id"])
    people = {"admin": (await world.user("admin", a["id"]))[1],
              "other_admin": (await world.user("admin", b["id"]))[1]}
    ids = {}
    for role in ("lawyer", "caseworker", "viewer"):
        ids[role], people[role] = await world.user(role, a["id"])
    _, people["unassigned_lawyer"] = await world.user("lawyer", a["id"])
    survivor = await world.survivor(a["id"])
    contact = await world.post(f"/api/survivors/{survivor['id']}/contacts",
                               {"name": "Aunt", "relationship": "aunt", "phone": "+254711000111"})
    case = await world.case(a["id"], court["id"], survivor_ids=[survivor["id"]],
                            staff_ids=[ids["lawyer"], ids["caseworker"], ids["viewer"]])
    hearing = await world.hearing(case["id"], "2031-05-05T09:00:00+03:00")
    people["nobody"] = {}
    targets = {
        "office": (f"/api/offices/{a['id']}", {"name": "Nairobi office"}),
        "court": (f"/api/courts/{court['id']}", {"address": "Kibera Drive"}),
        "staff": (f"/api/staff/{ids['viewer']}", {"language": "sw"}),
        "survivor": (f"/api/survivors/{survivor['id']}", {"language": "sw"}),
        "contact": (f"/api/contacts/{contact['id']}", {"language": "sw"}),
        "case": (f"/api/cases/{case['id']}", {"court_case_number": "CR 9/2026"}),
        "hearing": (f"/api/hearings/{hearing['id']}", {"courtroom": "Court 2"}),
    }
    return people, targets


# role -> resource -> (read status, write status)
CASE_RECORDS = ("survivor", "contact", "case", "hearing")
EXPECTED: dict[str, dict[str, tuple[int, int]]] = {
    "admin": {r: (200, 200) for r in ("office", "court", "staff", *CASE_RECORDS)},
    "lawyer": {"office": (200, 403), "court": (200, 403), "staff": (200, 403),
               **{r: (200, 200) for r in CASE_RECORDS}},
    "caseworker": {"office": (200, 403), "court": (200, 403), "staff": (200, 403),
                   **{r: (200, 200) for r in CASE_RECORDS}},
    "viewer": {"office": (200, 403), "court": (200, 403), "staff": (200, 403),
               **{r: (200, 403) for r in CASE_RECORDS}},
    "unassigned_lawyer": {"office": (200, 403), "court": (200, 403), "staff": (200, 403),
                          **{r: (404, 404) for r in CASE_RECORDS}},
    "other_admin": {"office": (200, 404), "court": (200, 403), "staff": (404, 404),
                    **{r: (404, 404) for r in CASE_RECORDS}},
    "nobody": {r: (401, 401) for r in ("office", "court", "staff", *CASE_RECORDS)},
}


@pytest.mark.parametrize("role", sorted(EXPECTED))
async def test_permission_matrix(world, role):
    people, targets = await _world(world)
    headers = people[role]
    problems = []
    for resource, (read_status, write_status) in EXPECTED[role].items():
        path, change = targets[resource]
        got = (await world.client.get(path, headers=headers)).status_code
        if got != read_status:
            problems.append(f"{READ} {resource}: {got} != {read_status}")
        got = (await world.client.patch(path, json=change, headers=headers)).status_code
        if got != write_status:
            problems.append(f"{WRITE} {resource}: {got} != {write_status}")
    assert problems == []


async def test_lists_hold_only_what_the_caller_may_see(world):
    people, targets = await _world(world)
    for role, expected in (("lawyer", 1), ("unassigned_lawyer", 0), ("other_admin", 0),
                           ("admin", 1)):
        for path in ("/api/cases", "/api/hearings", "/api/survivors"):
            response = await world.client.get(path, headers=people[role])
            assert response.status_code == 200
            assert len(response.json()["items"]) == expected, (role, path)
