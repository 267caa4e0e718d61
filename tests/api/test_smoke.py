async def test_health(client):
    r = await client.get("/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


async def test_basic_flow(world):
    office = await world.office()
    court = await world.court(office_id=office["id"])
    survivor = await world.survivor(office["id"], legal_name="Amina Wanjiru")
    case = await world.case(office["id"], court["id"], survivor_ids=[survivor["id"]])
    hearing = await world.hearing(case["id"], "2030-01-10T09:00:00+03:00")
    # Every timestamp in a response is UTC with Z; the court's zone is given beside it.
    assert hearing["starts_at"] == "2030-01-10T06:00:00Z"
    assert hearing["court_timezone"] == "Africa/Nairobi"
    r = await world.client.get("/api/hearings", headers=world.admin)
    assert r.status_code == 200, r.text
    assert [h["id"] for h in r.json()["items"]] == [hearing["id"]]
