"""No query grows its parameter list with the data (issue 15): with 33,000 cases and hearings
in one office (more than the 32,767 parameters asyncpg allows, and the 32,766 variables SQLite
allows), an organisation-wide admin's deadlines and the office's calendar feed still answer.
The rows are made with one INSERT … SELECT over a generated series, as a national network's
data would be."""

from __future__ import annotations

import pytest

from calendars.service import feed_state, load_feed_rows
from calendars.subscriptions import resolve_token
from legal_tracker import db
from legal_tracker.common import utcnow

COUNT = 33_000  # > 32,767


def _series(n: int) -> tuple[str, str]:
    """(a WITH clause naming ``g(n)``, the FROM source) generating 1..n on either engine."""
    if db.is_sqlite():
        return (f"WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {n}) ",
                "g")
    return "", f"generate_series(1, {n}) AS g(n)"


async def _fill(office_id: int, court_id: int) -> None:
    with_clause, source = _series(COUNT)
    async with db.transaction():
        await db.execute(
            f"{with_clause}INSERT INTO legal_case (reference, office, court, status, created_at, "  # noqa: S608
            f"updated_at) SELECT 'SCALE-' || n, {{}}, {{}}, 'trial', {{}}, {{}} FROM {source}",
            office_id, court_id, utcnow(), utcnow())
        # One hearing per case, about 20 hours from now, the family attending: every one of
        # them is a "call the family" task (no SMS has reached anyone).
        now_sql = "CURRENT_TIMESTAMP" if db.is_sqlite() else "now()"
        starts = ("strftime('%Y-%m-%d %H:%M:%f+00:00', 'now', '+20 hours')" if db.is_sqlite()
                  else "now() + interval '20 hours'")
        await db.execute(
            f"INSERT INTO hearing (\"case\", court, starts_at, kind, status, family_attends, "  # noqa: S608
            f"version, created_at, updated_at) SELECT id, court, {starts}, 'mention', "
            f"'scheduled', TRUE, 1, {now_sql}, {now_sql} FROM legal_case WHERE reference LIKE 'SCALE-%'")


@pytest.fixture
async def national(world):
    office = await world.office()
    court = await world.court(office_id=office["id"])
    await _fill(office["id"], court["id"])
    return office


async def test_an_organisation_wide_admin_sees_every_deadline(world, national):
    response = await world.client.get("/api/deadlines", headers=world.admin)
    assert response.status_code == 200, response.text[:500]
    items = response.json()["items"]
    assert sum(1 for i in items if i["kind"] == "call_the_family") == COUNT


async def test_an_office_feed_with_more_hearings_than_parameters_loads(world, national):
    """What the office feed shows is loaded in a bounded number of queries, whatever its
    size. (Serialising 33,000 events with icalendar then takes minutes on this machine, so the
    test stops at the rows; the HTTP path is the same code.)"""
    response = await world.client.post("/api/calendar-subscriptions", headers=world.admin,
                                       json={"scope": "office", "target_id": national["id"]})
    assert response.status_code == 201, response.text
    token = response.json()["url"].rsplit("/calendars/", 1)[1].removesuffix(".ics")
    feed = await resolve_token(token)
    rows = await load_feed_rows(feed)
    assert len(rows["hearings"]) == COUNT
    assert rows["hearings"][0]["case_reference"].startswith("SCALE-")
    assert (await feed_state(feed))[0] == COUNT
