"""Realistic, clearly fictional data for trying out the built-in templates.

Used by the tests, and available to ``seed-demo`` and the render benchmark so they draft
the same filings.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from documents.variables import FilingContext

DEMO_BASE: FilingContext = {
    "case": {
        "reference": "DEMO-KE-2024-031",
        "court_case_number": "CR E4471/2024",
        "status": "trial",
        "accused": ["Josephat Demo Mwangi", "Evans Sample Otieno"],
    },
    "court": {
        "name": "Chief Magistrate's Court at Demoville",
        "address": "Law Courts Building, 12 Justice Road, Demoville",
        "timezone": "Africa/Nairobi",
    },
    "hearing": {
        # 06:30 UTC is 09:30 in Nairobi: the filing must show the court's local time.
        "starts_at": dt.datetime(2025, 3, 11, 6, 30, tzinfo=dt.UTC),
        "kind": "testimony",
        "courtroom": "Courtroom 3",
        "accompanying_staff": ["Mercy Demo Achieng", "Daniel Sample Kiprop"],
    },
    "survivor": {"code": "SV-2024-088", "legal_name": "Amani Fictional Wanjiku"},
    "office": {
        "name": "Demo Aftercare Kenya",
        "phone": "+254 20 765 4321",
        "country": "KE",
        "timezone": "Africa/Nairobi",
        "language": "en",
    },
    "lawyer": {
        "name": "Wanjiru Example Kamau",
        "email": "w.kamau@demo-aftercare.example",
        "phone": "+254 711 000 111",
    },
    "today": dt.date(2025, 2, 24),
}

DEMO_FIELDS: dict[str, dict[str, Any]] = {
    "adjournment_application": {
        "reason": (
            "The complainant was admitted to hospital on 20 February 2025 and her treating "
            "doctor advises that she will not be fit to give evidence for at least four "
            "weeks. A medical report is annexed."
        ),
        "proposed_date": "2025-04-15",
        "other_parties_position": (
            "The prosecution supports the application. Counsel for the second accused "
            "has indicated that he does not oppose it."
        ),
    },
    "special_measures_application": {
        "witness_description": "a child aged 15 years and the complainant in this case",
        "vulnerability_grounds": (
            "She is a child; she was exploited over eight months by the accused persons; "
            "she has been diagnosed with post-traumatic stress disorder and has panic "
            "attacks when she sees the first accused."
        ),
        "measure_screen": "Sought, so that the witness does not see the accused persons.",
        "measure_video_link": (
            "Sought as the first choice: evidence from the court's remote witness room."
        ),
        "measure_in_camera": "Sought for the whole of the witness's evidence.",
        "measure_support_person": (
            "Sought: Ms Mercy Achieng, the caseworker known to the witness, who is not a "
            "witness in the case."
        ),
        "measure_intermediary": "Not sought.",
        "measure_breaks": "Sought: a break of ten minutes every forty-five minutes.",
        "witness_views": (
            "She wants to tell the court what happened but is afraid of being in the same "
            "room as the accused. She prefers the video link."
        ),
    },
    "victim_impact_statement": {
        "statement": (
            "Before this happened I was in Form Two and I wanted to be a nurse.\n"
            "For a long time I could not sleep, and I still wake up when I hear a car at "
            "night. I lost a year of school.\n"
            "I want the court to know that I am trying to finish school now, and that I "
            "am not ashamed any more."
        ),
        "caseworker_name": "Mercy Demo Achieng",
        "statement_language": "Kiswahili",
        "interpreter": "Read back in Kiswahili by the caseworker",
    },
    "identity_document_return_letter": {
        "addressee": "The Officer in Charge, Exhibits Store",
        "agency_name": "Demoville Police Station",
        "agency_address": "P.O. Box 1000, Demoville",
        "exhibit_reference": "EXH/2024/0912",
        "documents_held": (
            "Passport of the Republic of Examplia (original)\nBirth certificate (original)"
        ),
        "purpose": (
            "She needs her passport and birth certificate to register for her national "
            "examinations and to open a bank account for her school bursary."
        ),
        "reply_by": "2025-03-10",
    },
    "immigration_certification_request": {
        "certifying_official": "Superintendent Demo Mutua",
        "agency_name": "Directorate of Criminal Investigations, Anti-Trafficking Unit",
        "agency_address": "Demo House, 4 Station Road, Demoville",
        "agency_case_number": "DCI/AHTU/77/2024",
        "certification_type": "Form I-914 Supplement B (T visa)",
        "criminal_activity": (
            "Trafficking in persons for forced labour and sexual exploitation, between "
            "January and August 2024."
        ),
        "helpfulness": (
            "She reported the offences, gave two statements to your officers, identified "
            "the accused persons and has attended every hearing at which she was needed."
        ),
        "respond_by": "2025-03-21",
    },
    "accompaniment_report": {
        "what_happened": (
            "The hearing started at 10:15. The witness gave evidence by video link for "
            "ninety minutes. Cross-examination by the first accused's counsel was "
            "adjourned part-heard."
        ),
        "support_provided": (
            "We met her at the safe house at 07:30, travelled together, waited in the "
            "separate waiting room and took a break every forty-five minutes."
        ),
        "survivor_wellbeing": (
            "Tired but calm. She said she was proud of herself. Counsellor informed."
        ),
        "concerns": "A relative of the first accused was seen in the corridor.",
        "next_hearing_date": "2025-03-25",
        "follow_up": "Ask the prosecutor to request a separate entrance for the next date.",
    },
}


def demo_context(key: str) -> FilingContext:
    """The demo context for a built-in template: the shared records plus its fields."""
    context: FilingContext = {**DEMO_BASE}
    context["fields"] = dict(DEMO_FIELDS[key])
    return context
