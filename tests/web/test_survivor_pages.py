"""The survivor page (contacts, consent, reveals) and a case's statements over HTTP (no
browser): what each shows, forms with the problem beside the field, 409 on a stale version,
need-to-know (another office's survivor is an ordinary 404; a viewer sees no buttons and is
refused if they post anyway)."""

from __future__ import annotations

import re

import httpx

from legal_tracker import db
from legal_tracker.audit import AuditEvent
from legal_tracker.reminders.consent import set_consent
from tests.conftest import World
from tests.web.test_foundation import csrf_of, sign_in
from tests.web.test_pages import _post, _setup

PHONE = "+254712345679"


async def _with_contact(world: World) -> dict:
    s = await _setup(world)
    contact = await world.post(f"/api/survivors/{s['survivor']['id']}/contacts", {
        "name": "Auntie Test", "relationship": "aunt", "phone": PHONE, "language": "sw",
        "sms_consent": True}, s["lawyer"])
    return {**s, "contact": contact}


async def _reveals(entity: str) -> int:
    return await AuditEvent.count().where((AuditEvent.action == "reveal")
                                          & (AuditEvent.entity == entity))


async def test_survivor_page_reveals_are_posts_and_audited(world: World, web: httpx.AsyncClient) -> None:
    s = await _with_contact(world)
    sid = s["survivor"]["id"]
    await sign_in(web, "lawyer@example.org")
    # Reachable from the case page and by code (any case of letters).
    case_html = (await web.get(f"/app/cases/{s['case']['id']}")).text
    assert f'href="/app/survivors/{sid}"' in case_html
    assert f'href="/app/cases/{s["case"]["id"]}/statements"' in case_html
    r = await web.get("/app/survivors", params={"code": "srv-9k"})
    assert r.status_code == 303 and r.headers["location"] == f"/app/survivors/{sid}"
    r = await web.get("/app/survivors", params={"code": "NOPE-1"})
    assert r.status_code == 200 and 'id="f-code-error"' in r.text
    page = f"/app/survivors/{sid}"
    html = (await web.get(page)).text
    # The survivor's identity documents and immigration applications are one link away.
    assert f'href="/app/survivors/{sid}/documents"' in html
    assert f'href="/app/survivors/{sid}/immigration"' in html
    for text in ("SRV-9K", "CR 555/2026", "Auntie Test", "aunt", "Swahili", "Consent given",
                 "recorded by Amina Lawyer", "Show name", "Show number", "+254••••••679"):
        assert text in html, text
    # Neither the name nor the number is in the page before a reveal.
    assert "Wanjiru" not in html and PHONE not in html
    names, phones = await _reveals("survivor"), await _reveals("contact")
    r = await _post(web, f"{page}/reveal", {}, page)
    assert r.status_code == 200 and "Wanjiru Test" in r.text and PHONE not in r.text
    assert await _reveals("survivor") == names + 1
    r = await _post(web, f"/app/contacts/{s['contact']['id']}/reveal", {}, page)
    assert r.status_code == 200 and PHONE in r.text and "Wanjiru" not in r.text
    assert await _reveals("contact") == phones + 1
    # A reveal is one answer, not a state.
    html = (await web.get(page)).text
    assert "Wanjiru" not in html and PHONE not in html
    # A GET cannot reveal.
    assert (await web.get(f"{page}/reveal")).status_code in (404, 405)


async def test_consent_and_contact_forms(world: World, web: httpx.AsyncClient) -> None:
    s = await _with_contact(world)
    sid, cid = s["survivor"]["id"], s["contact"]["id"]
    page = f"/app/survivors/{sid}"
    await sign_in(web, "worker@example.org")  # not on the case: not found, like a missing id
    assert (await web.get(page)).status_code == 404
    web.cookies.clear()
    await sign_in(web, "lawyer@example.org")
    r = await _post(web, f"/app/contacts/{cid}/consent", {"consent": "withdrawn"}, page)
    assert r.status_code == 303 and "done=consent_withdrawn" in r.headers["location"]
    html = (await web.get(r.headers["location"])).text
    assert "Consent withdrawn" in html and "recorded by Amina Lawyer" in html
    assert "Record consent given" in html
    api = (await world.client.get(f"/api/contacts/{cid}", headers=s["lawyer"])).json()
    assert api["sms_consent"] is False and api["sms_consent_withdrawn_at"]
    assert api["sms_consent_by_staff_id"] == s["lawyer_id"] and api["sms_consent_via"] == "staff"
    r = await _post(web, f"/app/contacts/{cid}/consent", {"consent": "given"}, page)
    assert r.status_code == 303 and "Consent given" in (await web.get(page)).text
    # The family replies STOP: withdrawn at once, and the page says by whom.
    async with db.transaction():
        assert await set_consent([cid], False, via="sms_stop_twilio") == [cid]
    html = (await web.get(page)).text
    assert "Consent withdrawn" in html and "by an SMS reply from the family" in html
    assert "recorded by Amina Lawyer" not in html
    # Add a contact: a bad number is refused beside the field, what was typed is kept.
    new = f"/app/survivors/{sid}/contacts/new"
    r = await _post(web, new, {"name": "Uncle Test", "relationship": "uncle",
                               "phone": "12345", "language": "sw"}, new)
    assert r.status_code == 422 and 'id="f-phone-error"' in r.text
    assert "international E.164" in r.text and 'value="Uncle Test"' in r.text
    r = await _post(web, new, {"name": "", "relationship": "uncle", "phone": "+254 733 000 111",
                               "language": "sw"}, new)
    assert r.status_code == 422 and 'id="f-name-error"' in r.text
    r = await _post(web, new, {"name": "Uncle Test", "relationship": "uncle",
                               "phone": "+254 733 000 111", "language": "sw"}, new)
    assert r.status_code == 303 and "done=contact_added" in r.headers["location"]
    html = (await web.get(page)).text
    assert "Uncle Test" in html and "No consent" in html and "+254733000111" not in html
    # Edit: the phone left empty keeps the number; a new one is validated the same way.
    edit = f"/app/contacts/{cid}/edit"
    r = await _post(web, edit, {"name": "Auntie Renamed", "relationship": "aunt", "phone": "",
                                "language": "sw"}, edit)
    assert r.status_code == 303
    api = (await world.client.get(f"/api/contacts/{cid}", params={"reveal": "phone"},
                                  headers=s["lawyer"])).json()
    assert api["name"] == "Auntie Renamed" and api["phone"] == PHONE
    r = await _post(web, edit, {"name": "Auntie Renamed", "relationship": "aunt",
                                "phone": "+1 555", "language": "sw"}, edit)
    assert r.status_code == 422 and 'id="f-phone-error"' in r.text


async def test_another_offices_survivor_is_not_found_and_a_viewer_changes_nothing(
        world: World, web: httpx.AsyncClient) -> None:
    s = await _with_contact(world)
    sid, cid = s["survivor"]["id"], s["contact"]["id"]
    other = await world.office(name="Manila", timezone="Asia/Manila")
    await world.user("caseworker", other["id"], email="manila@example.org", name="Other Office")
    await sign_in(web, "manila@example.org")
    real = await web.get(f"/app/survivors/{sid}")
    missing = await web.get("/app/survivors/999999")
    assert real.status_code == missing.status_code == 404
    strip = re.compile(r'value="[^"]+"')
    assert strip.sub("", real.text) == strip.sub("", missing.text)
    assert "SRV-9K" not in real.text
    r = await web.get("/app/survivors", params={"code": "SRV-9K"})
    assert r.status_code == 200 and f"/app/survivors/{sid}" not in r.text
    assert (await web.get(f"/app/contacts/{cid}/edit")).status_code == 404
    # A viewer assigned to the case sees the page without a single button that changes anything.
    viewer_id, _ = await world.user("viewer", s["office"]["id"], email="viewer@example.org",
                                    name="Vera Viewer")
    await world.client.patch(f"/api/cases/{s['case']['id']}",
                             json={"staff_ids": [s["lawyer_id"], viewer_id]}, headers=s["lawyer"])
    web.cookies.clear()
    await sign_in(web, "viewer@example.org")
    page = f"/app/survivors/{sid}"
    html = (await web.get(page)).text
    assert "SRV-9K" in html and "Auntie Test" in html
    for button in ("Show name", "Show number", "Record consent", "Add a family contact", ">Edit"):
        assert button not in html, button
    token = await csrf_of(web, page)
    for path, data in ((f"{page}/reveal", {}), (f"/app/contacts/{cid}/reveal", {}),
                       (f"/app/contacts/{cid}/consent", {"consent": "withdrawn"}),
                       (f"{page}/contacts/new", {"name": "X", "relationship": "y",
                                                 "phone": "+254733000222", "language": "en"})):
        r = await web.post(path, data={**data, "_csrf_token": token})
        assert r.status_code == 403, path
    assert "Wanjiru" not in r.text
    api = (await world.client.get(f"/api/contacts/{cid}", headers=s["lawyer"])).json()
    assert api["sms_consent"] is True
    statements = f"/app/cases/{s['case']['id']}/statements"
    html = (await web.get(statements)).text
    assert "Add a statement" not in html
    r = await web.post(statements, data={"kind": "affidavit", "survivor_id": str(sid),
                                         "language": "en", "_csrf_token": token})
    assert r.status_code == 403


async def test_statements_add_update_and_a_stale_version(world: World, web: httpx.AsyncClient) -> None:
    s = await _setup(world)
    await sign_in(web, "lawyer@example.org")
    page = f"/app/cases/{s['case']['id']}/statements"
    html = (await web.get(page)).text
    assert "No statement recorded yet." in html and "Add a statement" in html
    # Taken without a date: the problem beside the date, the choices kept.
    r = await _post(web, page, {"kind": "police_statement", "survivor_id": str(s["survivor"]["id"]),
                                "status": "taken", "language": "sw",
                                "interpreter_name": "Juma Interpreter"})
    assert r.status_code == 422 and 'id="f-new-taken_at-error"' in r.text
    assert 'id="f-new-interpreter_language-error"' in r.text
    assert '<option value="police_statement" selected>' in r.text
    r = await _post(web, page, {"kind": "police_statement", "survivor_id": str(s["survivor"]["id"]),
                                "status": "planned", "language": "sw",
                                "taken_by_staff_id": str(s["lawyer_id"]),
                                "support_person_present": "on", "support_person": "Grace"})
    assert r.status_code == 303 and "done=statement_added" in r.headers["location"]
    html = (await web.get(page)).text
    for text in ("Police statement", "SRV-9K", "Planned", "Amina Lawyer", "Grace"):
        assert text in html, text
    statement_id = int(re.search(r'id="statement-(\d+)"', html).group(1))
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    form = {"status": "signed", "taken_at": "2026-11-02T10:30", "language": "sw",
            "interpreter_name": "Juma Interpreter", "interpreter_language": "en",
            "taken_by": "Inspector Otieno", "version": version}
    r = await _post(web, f"/app/statements/{statement_id}", form, page)
    assert r.status_code == 303
    html = (await web.get(page)).text
    assert "Signed" in html and "Juma Interpreter · English (en)" in html and "Inspector Otieno" in html
    # The same form again (the version it read is now old): 409, a sentence on top, nothing changed.
    r = await _post(web, f"/app/statements/{statement_id}", {**form, "status": "filed"}, page)
    assert r.status_code == 409 and "Someone else changed this statement" in r.text
    api = (await world.client.get(f"/api/statements/{statement_id}", headers=s["lawyer"])).json()
    assert api["status"] == "signed" and api["version"] == int(version) + 1
    # Backwards is refused; the form only offers the steps forward.
    html = (await web.get(page)).text
    card = html.split(f'id="statement-{statement_id}"')[1].split('id="add"')[0]
    assert '<option value="planned"' not in card and '<option value="filed"' in card
    r = await _post(web, f"/app/statements/{statement_id}",
                    {**form, "status": "taken", "version": str(api["version"])}, page)
    assert r.status_code == 409 and "cannot go back" in r.text
