"""Issue 14 item 18: a case or hearing never sits in another office's court, and an office's
admin creates (and hands over) courts under the same rule that governs changing them."""

from __future__ import annotations


def _field(response) -> str:
    body = response.json()
    return " ".join(str(e.get("field") or e.get("name") or e) for e in body.get("errors", [body]))


async def _two_offices(world):
    east = await world.office("East", "Africa/Nairobi", "KE")
    west = await world.office("West", "America/New_York", "US")
    east_court = await world.court("Kibera Law Courts", "Africa/Nairobi", east["id"])
    west_court = await world.court("Kings County Criminal Court", "America/New_York", west["id"])
    shared = await world.court("Court of Appeal", "Africa/Nairobi", None)
    case = await world.case(east["id"], east_court["id"])
    return east, west, east_court, west_court, shared, case


async def test_a_hearing_in_another_offices_court_is_refused_naming_court_id(world):
    east, west, east_court, west_court, shared, case = await _two_offices(world)
    refused = await world.client.post(
        f"/api/cases/{case['id']}/hearings", headers=world.admin,
        json={"starts_at": "2031-05-05T09:00:00+03:00", "kind": "mention",
              "court_id": west_court["id"]})
    assert refused.status_code == 422, refused.text
    assert "court_id" in _field(refused)
    # Its own office's courts and the shared ones are fine.
    ok = await world.hearing(case["id"], "2031-05-05T09:00:00+03:00", court_id=shared["id"])
    moved = await world.client.patch(f"/api/hearings/{ok['id']}", headers=world.admin,
                                     json={"court_id": west_court["id"]})
    assert moved.status_code == 422 and "court_id" in _field(moved)
    # The same rule for the case's own court.
    other = await world.client.post("/api/cases", headers=world.admin,
                                    json={"reference": "CR 9/2031", "office_id": east["id"],
                                          "court_id": west_court["id"]})
    assert other.status_code == 422 and "court_id" in _field(other)
    patched = await world.client.patch(f"/api/cases/{case['id']}", headers=world.admin,
                                       json={"court_id": west_court["id"]})
    assert patched.status_code == 422 and "court_id" in _field(patched)


async def test_an_office_admin_creates_courts_only_where_they_may_change_them(world):
    east, west, east_court, west_court, shared, case = await _two_offices(world)
    _, east_admin = await world.user("admin", east["id"])
    body = {"name": "Another court", "timezone": "America/New_York", "address": "x"}
    created = await world.client.post("/api/courts", headers=east_admin,
                                      json={**body, "office_id": west["id"]})
    assert created.status_code == 403, created.text
    patched = await world.client.patch(f"/api/courts/{west_court['id']}", headers=east_admin,
                                       json={"name": "Renamed"})
    assert patched.status_code == 403
    # Nor hand one of their own courts to another office.
    handed = await world.client.patch(f"/api/courts/{east_court['id']}", headers=east_admin,
                                      json={"office_id": west["id"]})
    assert handed.status_code == 403
    own = await world.client.post("/api/courts", headers=east_admin,
                                  json={**body, "office_id": east["id"]})
    assert own.status_code == 201, own.text
