"""Issue 14 item 5: one convention for every timestamp a response carries: ISO 8601 in UTC
with ``Z`` (hearings, their history, custody, the case timeline, record stamps), the zone to
show it in beside it (``court_timezone``)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")


def _timestamps(value: Any, path: str = "") -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in _timestamps(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [t for i, v in enumerate(value) for t in _timestamps(v, f"{path}[{i}]")]
    if isinstance(value, str) and DATETIME.match(value):
        return [(path, value)]
    return []


async def test_every_timestamp_is_utc_with_z(world):
    office = await world.office()
    court = await world.court(office_id=office["id"])
    survivor = await world.survivor(office["id"])
    case = await world.case(office["id"], court["id"], survivor_ids=[survivor["id"]])
    day = (datetime.now(UTC) + timedelta(days=9)).date()
    hearing = await world.hearing(case["id"], f"{day}T09:00:00+03:00")
    moved = await world.post(f"/api/hearings/{hearing['id']}/reschedule",
                             {"starts_at": f"{day}T11:00:00+03:00", "reason": "diary"}, expect=200)
    assert moved["starts_at"] == f"{day}T08:00:00Z"
    assert moved["ends_at"] == f"{day}T10:00:00Z" and moved["court_timezone"] == "Africa/Nairobi"
    document = await world.post(f"/api/survivors/{survivor['id']}/identity-documents", {
        "kind": "passport", "issuing_country": "PH", "status": "withheld", "case_id": case["id"]})
    at = (datetime.now(UTC) - timedelta(days=3)).astimezone().replace(microsecond=0)
    await world.post(f"/api/identity-documents/{document['id']}/custody", {
        "at": at.isoformat(), "released_by": "Agent", "received_by": "Police",
        "resulting_status": "seized_as_evidence"})
    responses = {}
    for name, path in {
        "hearing": f"/api/hearings/{hearing['id']}",
        "hearings": f"/api/hearings?case_id={case['id']}",
        "history": f"/api/hearings/{hearing['id']}/history",
        "custody": f"/api/identity-documents/{document['id']}/custody",
        "timeline": f"/api/cases/{case['id']}/timeline",
        "case": f"/api/cases/{case['id']}",
    }.items():
        response = await world.client.get(path, headers=world.admin)
        assert response.status_code == 200, (name, response.text)
        responses[name] = response.json()
    found = _timestamps(responses)
    assert len(found) > 15
    assert [(p, v) for p, v in found if not v.endswith("Z")] == []
    assert any(p.startswith(".timeline") for p, _ in found)
    assert any(p.startswith(".history") for p, _ in found)
