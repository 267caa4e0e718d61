"""One realistic pass through the sensitive parts of the API, shared by the at-rest, log and
audit tests: a survivor with a legal name, family contacts with phones, a case, hearings,
reveals, failed logins, a search that misses."""

from __future__ import annotations

from typing import Any

LEGAL_NAME = "Wanjiku Zamaradi Kiprotich"
SECOND_NAME = "Nyokabi Achieng Odhiambo"
PHONE = "+254712987654"
SECOND_PHONE = "+639171234567"
STAFF_PHONE = "+254733444555"
DOCUMENT_NUMBER = "AK7731902"
CONTACT_NAME = "Mama Nyambura"  # not encrypted at rest, but never logged
SECRETS = (LEGAL_NAME, "Zamaradi", "Kiprotich", SECOND_NAME, "Odhiambo", PHONE, PHONE[1:],
           "712987654", SECOND_PHONE, SECOND_PHONE[1:], "9171234567", STAFF_PHONE, "733444555",
           DOCUMENT_NUMBER)


async def run(world, client=None) -> dict[str, Any]:
    client = client or world.client
    admin = world.admin

    async def post(path: str, body: dict[str, Any], headers=None, expect: int = 201) -> dict:
        response = await client.post(path, json=body, headers=headers or admin)
        assert response.status_code == expect, response.text
        return response.json()

    office = await post("/api/offices", {"name": "Nairobi", "country": "KE",
                                         "timezone": "Africa/Nairobi", "phone": "+254700000000"})
    court = await post("/api/courts", {"name": "Kibera Law Courts", "timezone": "Africa/Nairobi",
                                       "office_id": office["id"]})
    lawyer = await post("/api/staff", {"name": "Lawyer One", "email": "lawyer1@example.org",
                                       "role": "lawyer", "office_id": office["id"],
                                       "phone": STAFF_PHONE, "password": "correct horse battery"})
    survivor = await post("/api/survivors", {"office_id": office["id"], "legal_name": LEGAL_NAME})
    await client.patch(f"/api/survivors/{survivor['id']}", json={"legal_name": SECOND_NAME},
                       headers=admin)
    contact = await post(f"/api/survivors/{survivor['id']}/contacts",
                         {"name": CONTACT_NAME, "relationship": "mother", "phone": PHONE,
                          "language": "sw", "sms_consent": True})
    await client.patch(f"/api/contacts/{contact['id']}", json={"phone": SECOND_PHONE},
                       headers=admin)
    await client.patch(f"/api/contacts/{contact['id']}", json={"phone": PHONE}, headers=admin)
    case = await post("/api/cases", {"reference": "CR 1/2026", "office_id": office["id"],
                                     "court_id": court["id"], "survivor_ids": [survivor["id"]],
                                     "staff_ids": [lawyer["id"]]})
    hearing = await post(f"/api/cases/{case['id']}/hearings",
                         {"starts_at": "2031-03-03T09:00:00+03:00", "kind": "mention",
                          "survivor_attends": True, "family_attends": True})
    response = await client.post(f"/api/hearings/{hearing['id']}/reschedule", headers=admin,
                                 json={"starts_at": "2031-04-04T09:00:00+03:00",
                                       "reason": "court diary"})
    assert response.status_code == 200, response.text
    for path in (f"/api/survivors/{survivor['id']}?reveal=legal_name",
                 f"/api/contacts/{contact['id']}?reveal=phone", f"/api/staff/{lawyer['id']}",
                 f"/api/survivors/{survivor['id']}/contacts", "/api/reminders",
                 f"/api/hearings?case_id={case['id']}"):
        response = await client.get(path, headers=admin)
        assert response.status_code == 200, (path, response.text)
    # Failed logins, one of them with a secret typed as the password, one with a name as email.
    for email, password in (("admin@example.org", "wrong " + PHONE),
                            ("lawyer1@example.org", LEGAL_NAME),
                            (f"{LEGAL_NAME.split()[1].lower()}@example.org", "whatever123")):
        response = await client.post("/api/auth/login", json={"email": email, "password": password})
        assert response.status_code == 401
    # Searches and mistakes carrying secrets in the URL or body.
    await client.get("/api/survivors?code=S-NOSUCH", headers=admin)
    await client.get(f"/api/survivors/{survivor['id']}?reveal=nonsense", headers=admin)
    await client.post(f"/api/survivors/{survivor['id']}/contacts",
                      json={"name": "Bad", "relationship": "aunt", "phone": "+2547129876549999"},
                      headers=admin)
    await client.post("/api/survivors", json={"office_id": office["id"], "legal_name": 5},
                      headers=admin)
    return {"office": office, "court": court, "lawyer": lawyer, "survivor": survivor,
            "contact": contact, "case": case, "hearing": hearing}
