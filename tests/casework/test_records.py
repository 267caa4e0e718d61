"""Statements, identity documents with their chain of custody, immigration applications."""

from __future__ import annotations

import json

import pytest

from legal_tracker import db
from tests.casework.conftest import ago, ahead
from tests.platform.helpers import assert_problem


async def _post(world, path, body, headers):
    return await world.client.post(path, json=body, headers=headers)


# ---------------------------------------------------------------- statements


async def test_statement_record_and_forward_only_status(world, setting):
    c, s = world.client, setting
    path = f"/api/cases/{s.case['id']}/statements"
    r = await _post(world, path, {"kind": "forensic_interview", "survivor_id": s.survivor["id"],
                                  "language": "sw", "interpreter_name": "Juma Interpreter",
                                  "interpreter_language": "sw", "support_person_present": True,
                                  "support_person": "Aftercare worker", "video_recorded": True,
                                  "taken_by": "Inspector Otieno", "taken_by_staff_id": s.worker_id},
                    s.lawyer)
    assert r.status_code == 201, r.text
    st = r.json()
    assert (st["status"], st["video_recorded"], st["support_person_present"]) == ("planned", True, True)
    assert st["interpreter_language"] == "sw" and st["taken_by_staff_id"] == s.worker_id
    # Taken needs a time.
    assert_problem(await c.patch(f"/api/statements/{st['id']}", json={"status": "taken"},
                                 headers=s.lawyer), 422, "taken_at")
    r = await c.patch(f"/api/statements/{st['id']}", json={"status": "taken", "taken_at": ago(days=1)},
                      headers=s.lawyer)
    assert r.status_code == 200 and r.json()["status"] == "taken"
    r = await c.patch(f"/api/statements/{st['id']}", json={"status": "filed"}, headers=s.lawyer)
    assert r.status_code == 200 and r.json()["status"] == "filed"
    for back in ("taken", "planned"):
        assert_problem(await c.patch(f"/api/statements/{st['id']}", json={"status": back},
                                     headers=s.lawyer), 409)
    r = await c.get(path, headers=s.viewer)
    assert [i["id"] for i in r.json()["items"]] == [st["id"]]
    assert (await c.get(f"/api/statements/{st['id']}", headers=s.viewer)).json()["status"] == "filed"
    assert_problem(await c.patch(f"/api/statements/{st['id']}", json={"notes": "x"}, headers=s.viewer), 403)
    assert_problem(await c.get(f"/api/statements/{st['id']}", headers=s.outsider), 404)
    assert_problem(await c.get(path, headers=s.outsider), 404)


async def test_statement_survivor_must_belong_to_the_case(world, setting):
    other = await world.survivor(setting.office["id"])
    r = await _post(world, f"/api/cases/{setting.case['id']}/statements",
                    {"kind": "affidavit", "survivor_id": other["id"]}, setting.lawyer)
    assert_problem(r, 422, "survivor_id")
    r = await _post(world, f"/api/cases/{setting.case['id']}/statements",
                    {"kind": "confession", "survivor_id": setting.survivor["id"]}, setting.lawyer)
    assert_problem(r, 422, "kind")
    r = await _post(world, f"/api/cases/{setting.case['id']}/statements",
                    {"kind": "affidavit", "survivor_id": setting.survivor["id"],
                     "interpreter_name": "Someone"}, setting.lawyer)
    assert_problem(r, 422, "interpreter_language")


# ---------------------------------------------------------------- identity documents


async def _document(world, setting, **extra):
    body = {"kind": "passport", "issuing_country": "PH", "status": "withheld", "number": "P 1234567",
            "expires_on": "2030-05-01", **extra}
    r = await _post(world, f"/api/survivors/{setting.survivor['id']}/identity-documents", body,
                    setting.lawyer)
    assert r.status_code == 201, r.text
    return r.json()


async def test_document_number_is_encrypted_masked_and_revealed_with_audit(world, setting):
    c, s = world.client, setting
    doc = await _document(world, s)
    assert doc["number"] == "•••" and doc["number_recorded"] is True
    rows = await db.execute("SELECT number_enc FROM identity_document WHERE id = {}", doc["id"])
    assert "1234567" not in rows[0]["number_enc"] and rows[0]["number_enc"].startswith("v1:")
    r = await c.get(f"/api/identity-documents/{doc['id']}", params={"reveal": "number"}, headers=s.lawyer)
    assert r.status_code == 200 and r.json()["number"] == "P 1234567"
    assert_problem(await c.get(f"/api/identity-documents/{doc['id']}", params={"reveal": "number"},
                               headers=s.viewer), 403)
    assert_problem(await c.get(f"/api/identity-documents/{doc['id']}", params={"reveal": "legal_name"},
                               headers=s.lawyer), 400, "reveal")
    audit = await db.execute("SELECT action, detail FROM audit_event WHERE entity = 'identity_document' "
                             "AND entity_id = {} ORDER BY id", str(doc["id"]))
    reveals = [a for a in audit if a["action"] == "reveal"]
    assert len(reveals) == 1
    assert all("1234567" not in json.dumps(a["detail"]) for a in audit)
    r = await c.patch(f"/api/identity-documents/{doc['id']}", json={"number": None}, headers=s.lawyer)
    assert r.json()["number"] is None and r.json()["number_recorded"] is False
    assert_problem(await _post(world, f"/api/survivors/{s.survivor['id']}/identity-documents",
                               {"kind": "passport", "issuing_country": "XX", "status": "lost"}, s.lawyer),
                   422, "issuing_country")
    assert_problem(await c.get(f"/api/identity-documents/{doc['id']}", headers=s.outsider), 404)


async def test_chain_of_custody_refuses_gaps_and_drives_the_status(world, setting):
    c, s = world.client, setting
    doc = await _document(world, s)
    path = f"/api/identity-documents/{doc['id']}/custody"
    first = {"at": ago(days=30), "released_by": "Recruitment agent", "received_by": "DCI Kilimani",
             "purpose": "seized in raid", "location": "Kilimani police station",
             "resulting_status": "seized_as_evidence"}
    r = await _post(world, path, first, s.lawyer)
    assert r.status_code == 201, r.text
    assert r.json()["seq"] == 1
    assert (await c.get(f"/api/identity-documents/{doc['id']}", headers=s.lawyer)).json()["status"] == \
        "seized_as_evidence"
    # A gap: the police gave it to nobody who appears in the chain.
    gap = {"at": ago(days=20), "released_by": "Court registry", "received_by": "Aftercare office"}
    body = assert_problem(await _post(world, path, gap, s.lawyer), 422, "released_by")
    assert "previous entry" in body["errors"][0]["message"]
    # Out of order in time.
    assert_problem(await _post(world, path, {**gap, "released_by": "DCI Kilimani", "at": ago(days=40)},
                               s.lawyer), 422, "at")
    # In the future.
    assert_problem(await _post(world, path, {**gap, "released_by": "DCI Kilimani", "at": ahead(days=1)},
                               s.lawyer), 422, "at")
    # Case and spacing of names do not matter; the status follows.
    r = await _post(world, path, {**gap, "released_by": "dci  kilimani", "received_by": "Aftercare office",
                                  "resulting_status": "recovered"}, s.lawyer)
    assert r.status_code == 201, r.text
    r = await _post(world, path, {"at": ago(days=1), "released_by": "Aftercare office",
                                  "received_by": "Survivor", "resulting_status": "returned"}, s.worker)
    assert r.status_code == 201
    chain = (await c.get(path, headers=s.viewer)).json()
    assert [e["seq"] for e in chain] == [1, 2, 3]
    assert [e["received_by"] for e in chain] == ["DCI Kilimani", "Aftercare office", "Survivor"]
    doc_now = (await c.get(f"/api/identity-documents/{doc['id']}", headers=s.lawyer)).json()
    assert doc_now["status"] == "returned"
    # Append-only: no route changes an entry, and the database refuses it too.
    assert (await c.patch(f"{path}", json={}, headers=world.admin)).status_code == 405
    with pytest.raises(Exception, match="append-only"):
        await db.execute("UPDATE custody_entry SET received_by = 'someone' WHERE id = {}", chain[0]["id"])
    with pytest.raises(Exception, match="append-only"):
        await db.execute("DELETE FROM custody_entry WHERE id = {}", chain[0]["id"])
    assert_problem(await _post(world, path, gap, s.viewer), 403)
    assert_problem(await _post(world, path, gap, s.outsider), 404)


# ---------------------------------------------------------------- immigration


async def test_immigration_milestones_and_stale_certification(world, setting):
    c, s = world.client, setting
    path = f"/api/survivors/{s.survivor['id']}/immigration"
    r = await _post(world, path, {"kind": "u_visa", "jurisdiction": "US", "prepared_on": "2026-01-10",
                                  "certification_requested_on": "2026-01-05",
                                  "certification_signed_on": "2026-02-01", "case_id": s.case["id"]},
                    s.lawyer)
    assert r.status_code == 201, r.text
    app = r.json()
    assert app["stage"] == "prepared" and app["certification_expires_on"] == "2026-08-01"
    assert app["warnings"] == []
    # Filed in time: no warning.
    r = await c.patch(f"/api/immigration/{app['id']}", json={"filed_on": "2026-08-01"}, headers=s.lawyer)
    assert r.status_code == 200 and r.json()["warnings"] == [] and r.json()["stage"] == "filed"
    # Filed a day too late: flagged.
    r = await c.patch(f"/api/immigration/{app['id']}", json={"filed_on": "2026-08-02"}, headers=s.lawyer)
    assert [w["code"] for w in r.json()["warnings"]] == ["certification_stale"]
    r = await c.patch(f"/api/immigration/{app['id']}", json={
        "receipt_on": "2026-08-20", "receipt_number": "EAC2690000001", "biometrics_on": "2026-09-15",
        "rfe_received_on": "2026-10-01", "rfe_due_on": "2026-12-24"}, headers=s.lawyer)
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["stage"] == "request_for_evidence" and got["receipt_number"] == "EAC2690000001"
    assert [m["milestone"] for m in got["milestones"]] == [
        "prepared", "filed", "receipt", "biometrics", "request_for_evidence"]
    # Order of milestones and NRM-only fields are checked.
    assert_problem(await c.patch(f"/api/immigration/{app['id']}", json={"receipt_on": "2026-07-01"},
                                 headers=s.lawyer), 422, "receipt_on")
    assert_problem(await c.patch(f"/api/immigration/{app['id']}",
                                 json={"reasonable_grounds_on": "2026-07-01"}, headers=s.lawyer),
                   422, "reasonable_grounds_on")
    assert_problem(await c.patch(f"/api/immigration/{app['id']}", json={"outcome": "approved"},
                                 headers=s.lawyer), 422, "decision_on")
    r = await c.patch(f"/api/immigration/{app['id']}", json={
        "rfe_answered_on": "2026-11-01", "bona_fide_on": "2026-11-10", "decision_on": "2026-11-20",
        "outcome": "approved"}, headers=s.lawyer)
    assert r.json()["stage"] == "decision" and r.json()["outcome"] == "approved"
    listing = (await c.get(path, headers=s.viewer)).json()["items"]
    assert [a["id"] for a in listing] == [app["id"]]
    assert_problem(await c.get(f"/api/immigration/{app['id']}", headers=s.outsider), 404)


async def test_uk_nrm_grounds_decisions(world, setting):
    r = await _post(world, f"/api/survivors/{setting.survivor['id']}/immigration", {
        "kind": "uk_nrm", "jurisdiction": "GB", "filed_on": "2026-03-01",
        "reasonable_grounds_on": "2026-03-06", "reasonable_grounds_outcome": "positive",
        "conclusive_grounds_on": "2026-09-30", "conclusive_grounds_outcome": "positive"}, setting.lawyer)
    assert r.status_code == 201, r.text
    assert r.json()["stage"] == "conclusive_grounds"
    r = await _post(world, f"/api/survivors/{setting.survivor['id']}/immigration", {
        "kind": "uk_nrm", "reasonable_grounds_on": "2026-03-06",
        "conclusive_grounds_on": "2026-03-01"}, setting.lawyer)
    assert_problem(r, 422, "conclusive_grounds_on")
    r = await _post(world, f"/api/survivors/{setting.survivor['id']}/immigration", {
        "kind": "uk_nrm", "case_id": 999999}, setting.lawyer)
    assert_problem(r, 422, "case_id")
