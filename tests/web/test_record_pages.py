"""Identity documents (with their chain of custody) and immigration applications as pages over
HTTP: the forms, the custody gap beside its field, the country list, the certification warning,
need-to-know and a viewer who may only read."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from legal_tracker.audit import AuditEvent
from tests.conftest import World
from tests.web.test_foundation import sign_in
from tests.web.test_pages import _post, _setup

NAIROBI = ZoneInfo("Africa/Nairobi")


def _ago(hours: int) -> str:
    return (datetime.now(NAIROBI) - timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


def _field_error(html: str, field_id: str) -> str:
    """The problem shown beside one field (the macro puts it between label and input)."""
    match = re.search(rf'<p class="field-error" id="{field_id}-error">(.*?)</p>\s*'
                      rf'<(?:input|select|textarea) id="{field_id}"', html, re.S)
    assert match, f"no error beside {field_id}"
    return re.sub(r'<span class="vh">[^<]*</span>|<[^>]+>', "", match.group(1)).strip()


async def test_documents_country_list_custody_gap_and_audited_number(world: World,
                                                                     web: httpx.AsyncClient) -> None:
    s = await _setup(world)
    await sign_in(web, "lawyer@example.org")
    listing = f"/app/survivors/{s['survivor']['id']}/documents"
    # The case page links to each survivor's documents and immigration pages.
    case_html = (await web.get(f"/app/cases/{s['case']['id']}")).text
    assert f'href="{listing}"' in case_html
    assert f'href="/app/survivors/{s["survivor"]["id"]}/immigration"' in case_html
    html = (await web.get(listing)).text
    assert "No identity document recorded." in html
    # The issuing country is chosen from names (values are ISO codes), not typed.
    select = re.search(r'<select id="f-issuing_country" name="issuing_country".*?</select>', html, re.S)
    assert select is not None and '<input id="f-issuing_country"' not in html
    options = re.findall(r'<option value="([A-Z]{2})">([^<]+)</option>', select.group(0))
    assert ("KE", "Kenya") in options and ("PH", "Philippines") in options and len(options) > 200
    assert all(code not in {"EU", "ZZ", "UN"} for code, _name in options)
    # Missing country: 422 beside the field, what was typed kept.
    r = await _post(web, listing, {"kind": "passport", "status": "withheld", "number": "AB 123456"})
    assert r.status_code == 422 and _field_error(r.text, "f-issuing_country")
    assert '<option value="passport" selected>' in r.text and 'value="AB 123456"' in r.text
    r = await _post(web, listing, {"kind": "passport", "issuing_country": "PH", "status": "withheld",
                                   "number": "AB 123456", "expires_on": "2031-05-01"})
    assert r.status_code == 303
    page = r.headers["location"].split("?")[0]
    assert re.fullmatch(r"/app/documents/\d+", page)
    html = (await web.get(r.headers["location"])).text
    assert "Saved." in html and "Passport · Philippines" in html and "Withheld by the trafficker" in html
    assert "AB 123456" not in html and "•••" in html and "Show the number" in html
    assert "AB 123456" not in (await web.get(listing)).text
    # Showing the number is a POST, audited; the next view masks it again.
    before = await AuditEvent.count().where(AuditEvent.action == "reveal")
    r = await _post(web, f"{page}/reveal", {}, page)
    assert r.status_code == 200 and "AB 123456" in r.text
    assert await AuditEvent.count().where(AuditEvent.action == "reveal") == before + 1
    assert "AB 123456" not in (await web.get(page)).text
    # The chain of custody: the first hand-over, then one that does not start where it ended.
    r = await _post(web, f"{page}/custody", {
        "at": _ago(48), "released_by": "The employer", "received_by": "Kenya Police, DCI",
        "location": "Industrial Area", "purpose": "Seized during the raid",
        "resulting_status": "seized_as_evidence"}, page)
    assert r.status_code == 303 and r.headers["location"].endswith("?done=custody")
    r = await _post(web, f"{page}/custody", {
        "at": _ago(2), "released_by": "The prosecutor", "received_by": "Grace Caseworker"}, page)
    assert r.status_code == 422
    gap = _field_error(r.text, "f-custody-released_by")
    assert "gap" in gap and "Kenya Police, DCI" in gap, gap
    assert 'value="Grace Caseworker"' in r.text  # what was typed stays
    assert '<details id="custody" open>' in r.text and 'href="#f-custody-released_by"' in r.text
    # An earlier time than the last hand-over, also beside its field.
    r = await _post(web, f"{page}/custody", {
        "at": _ago(72), "released_by": "Kenya Police, DCI", "received_by": "Grace Caseworker"}, page)
    assert r.status_code == 422 and "earlier than the last hand-over" in _field_error(r.text, "f-custody-at")
    r = await _post(web, f"{page}/custody", {
        "at": _ago(2), "released_by": "kenya police,  DCI", "received_by": "Grace Caseworker",
        "purpose": "Returned after the trial", "resulting_status": "recovered"}, page)
    assert r.status_code == 303
    html = (await web.get(page)).text
    assert "Held now by Grace Caseworker" in html and "Recovered" in html
    assert "From The employer to Kenya Police, DCI" in html and "Industrial Area" in html
    assert "Recorded by Amina Lawyer" in html
    # The form starts where the chain ends.
    assert 'id="f-custody-released_by" name="released_by" type="text" value="Grace Caseworker"' in html
    # Change the details: an empty number keeps the recorded one.
    r = await _post(web, f"{page}/details", {"kind": "passport", "issuing_country": "KE",
                                             "status": "returned", "expires_on": ""}, page)
    assert r.status_code == 303
    doc_id = int(page.rsplit("/", 1)[1])
    api = (await world.client.get(f"/api/identity-documents/{doc_id}", headers=s["lawyer"])).json()
    assert api["issuing_country"] == "KE" and api["status"] == "returned"
    assert api["number_recorded"] and api["expires_on"] is None
    r = await _post(web, f"{page}/details", {"kind": "passport", "issuing_country": "XX",
                                             "status": "returned"}, page)
    assert r.status_code == 422 and _field_error(r.text, "f-details-issuing_country")


async def test_immigration_milestones_decision_and_certification_warning(
        world: World, web: httpx.AsyncClient) -> None:
    s = await _setup(world)
    await sign_in(web, "lawyer@example.org")
    listing = f"/app/survivors/{s['survivor']['id']}/immigration"
    assert "No immigration application recorded." in (await web.get(listing)).text
    r = await _post(web, listing, {"jurisdiction": "US"})
    assert r.status_code == 422 and _field_error(r.text, "f-kind")
    signed = date.today() - timedelta(days=250)  # more than six months ago
    r = await _post(web, listing, {"kind": "u_visa", "jurisdiction": "US",
                                   "certification_requested_on": (signed - timedelta(days=20)).isoformat(),
                                   "certification_signed_on": signed.isoformat()})
    assert r.status_code == 303
    page = r.headers["location"].split("?")[0]
    html = (await web.get(page)).text
    assert "U visa (US) · US" in html and "Started" in html
    # Not filed, and the certification is too old to file with: said with its date.
    assert "could be used for filing" in html and "ask for a new one before filing" in html
    # A milestone out of order: beside the date, in words.
    today = date.today()
    r = await _post(web, f"{page}/milestone", {"milestone": "filed_on", "on": today.isoformat()}, page)
    assert r.status_code == 303
    r = await _post(web, f"{page}/milestone", {"milestone": "prepared_on",
                                               "on": (today + timedelta(days=1)).isoformat()}, page)
    assert r.status_code == 422
    problem = _field_error(r.text, "f-milestone-on")
    assert problem == "The date of “Filed” cannot be before the date of “Prepared”.", problem
    assert '<option value="prepared_on" selected>' in r.text
    r = await _post(web, f"{page}/milestone", {"milestone": "", "on": ""}, page)
    assert r.status_code == 422 and _field_error(r.text, "f-milestone-milestone")
    # Filed with a certification older than six months: the warning, prominently, with dates.
    html = (await web.get(page)).text
    warning = re.search(r'<div class="notice notice-warn immigration-warning" role="status">(.*?)</div>',
                        html, re.S)
    assert warning is not None
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", warning.group(1)))
    assert "USCIS may reject it" in text and "was filed on" in text
    assert str(signed.year) in text  # the dates are written out
    assert "Filed" in html and "Stage" in html
    assert "immigration-warning" in (await web.get(listing)).text  # on the list as well
    # Record the decision ("update status"): the date is required.
    r = await _post(web, f"{page}/decision", {"outcome": "approved"}, page)
    assert r.status_code == 422 and _field_error(r.text, "f-decision-decision_on")
    r = await _post(web, f"{page}/decision", {"outcome": "approved", "decision_on": today.isoformat()},
                    page)
    assert r.status_code == 303
    app_id = int(page.rsplit("/", 1)[1])
    api = (await world.client.get(f"/api/immigration/{app_id}", headers=s["lawyer"])).json()
    assert api["outcome"] == "approved" and api["stage"] == "decision"
    assert [w["code"] for w in api["warnings"]] == ["certification_stale"]
    assert "Approved" in (await web.get(page)).text
    # A UK NRM referral: a grounds decision with its result.
    nrm = await world.post(listing.replace("/app/", "/api/"), {"kind": "uk_nrm"}, s["lawyer"])
    page = f"/app/immigration/{nrm['id']}"
    r = await _post(web, f"{page}/milestone", {"milestone": "reasonable_grounds_on",
                                               "on": today.isoformat(), "result": "positive"}, page)
    assert r.status_code == 303
    html = (await web.get(page)).text
    assert "<dt>Reasonable grounds decision</dt><dd>Positive</dd>" in html
    assert "Reasonable grounds decision</p>" in html  # the milestone, in the list
    api = (await world.client.get(f"/api/immigration/{nrm['id']}", headers=s["lawyer"])).json()
    assert api["reasonable_grounds_outcome"] == "positive" and api["stage"] == "reasonable_grounds"


async def test_another_office_sees_not_found_and_a_viewer_only_reads(world: World,
                                                                     web: httpx.AsyncClient) -> None:
    s = await _setup(world)
    document = await world.post(f"/api/survivors/{s['survivor']['id']}/identity-documents",
                                {"kind": "passport", "issuing_country": "KE", "status": "in_custody",
                                 "number": "X9"}, s["lawyer"])
    application = await world.post(f"/api/survivors/{s['survivor']['id']}/immigration",
                                   {"kind": "t_visa"}, s["lawyer"])
    pages = [f"/app/survivors/{s['survivor']['id']}/documents", f"/app/documents/{document['id']}",
             f"/app/survivors/{s['survivor']['id']}/immigration",
             f"/app/immigration/{application['id']}"]
    posts = [(pages[0], {"kind": "passport", "issuing_country": "KE", "status": "lost"}),
             (f"{pages[1]}/custody", {"at": _ago(1), "released_by": "A", "received_by": "B"}),
             (f"{pages[1]}/details", {"status": "lost"}), (f"{pages[1]}/reveal", {}),
             (pages[2], {"kind": "t_visa"}),
             (f"{pages[3]}/milestone", {"milestone": "filed_on", "on": date.today().isoformat()}),
             (f"{pages[3]}/decision", {"outcome": "denied", "decision_on": date.today().isoformat()}),
             (f"{pages[3]}/details", {"notes": "x"})]
    # A caseworker of another office: the ordinary not-found page, for reads and for posts.
    other = await world.office(name="Mombasa")
    await world.user("caseworker", other["id"], email="far@example.org")
    await sign_in(web, "far@example.org")
    missing = await web.get("/app/documents/999999")
    assert missing.status_code == 404
    for path in pages:
        r = await web.get(path)
        assert r.status_code == 404 and "SRV-9K" not in r.text, path
    for path, data in posts:
        r = await _post(web, path, data, "/app/cases")
        assert r.status_code == 404, path
    # A viewer on the case reads everything, sees no button that changes anything, and is
    # refused if they post anyway.
    viewer_id, _ = await world.user("viewer", s["office"]["id"], email="viewer@example.org")
    r = await world.client.patch(f"/api/cases/{s['case']['id']}", headers=world.admin,
                                 json={"staff_ids": [s["lawyer_id"], viewer_id]})
    assert r.status_code == 200, r.text
    web.cookies.clear()
    await sign_in(web, "viewer@example.org")
    for path in pages:
        r = await web.get(path)
        assert r.status_code == 200, path
        forms = re.findall(r'<form method="post" action="([^"]+)"', r.text)
        assert forms == ["/app/logout"], (path, forms)
    assert "•••" in (await web.get(pages[1])).text
    for path, data in posts:
        r = await _post(web, path, data, "/app/cases")
        assert r.status_code == 403, path
    api = (await world.client.get(f"/api/identity-documents/{document['id']}", headers=s["lawyer"])).json()
    assert api["status"] == "in_custody"
