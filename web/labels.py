"""Readable, translatable names for the domain's vocabularies (kinds, statuses, roles…).

The English text is marked with ``N_`` for extraction and translated when a page renders."""

from __future__ import annotations

from web.i18n import current_language, gettext_


def N_(text: str) -> str:  # noqa: N802 - the conventional gettext marker name
    return text


HEARING_KINDS = {
    "mention": N_("Mention"), "plea": N_("Plea"), "bail": N_("Bail"),
    "pre_trial": N_("Pre-trial"), "testimony": N_("Testimony"), "judgment": N_("Judgment"),
    "sentencing": N_("Sentencing"), "appeal": N_("Appeal"),
}
HEARING_STATUSES = {
    "scheduled": N_("Scheduled"), "held": N_("Held"), "adjourned": N_("Adjourned"),
    "cancelled": N_("Cancelled"),
}
CASE_STATUSES = {
    "investigation": N_("Investigation"), "charged": N_("Charged"), "trial": N_("Trial"),
    "judgment": N_("Judgment"), "sentencing": N_("Sentencing"), "appeal": N_("Appeal"),
    "closed": N_("Closed"),
}
CASE_OUTCOMES = {
    "convicted": N_("Convicted"), "partly_convicted": N_("Partly convicted"),
    "acquitted": N_("Acquitted"), "dismissed": N_("Dismissed"), "withdrawn": N_("Withdrawn"),
    "plea_agreement": N_("Plea agreement"), "other": N_("Other"),
}
ACCUSED_STATUSES = {
    "at_large": N_("At large"), "arrested": N_("Arrested"), "remanded": N_("Remanded"),
    "on_bail": N_("On bail"), "convicted": N_("Convicted"), "acquitted": N_("Acquitted"),
    "discharged": N_("Discharged"),
}
ADJOURNMENT_REASONS = {
    "accused_absent": N_("The accused was absent"),
    "prosecutor_not_ready": N_("The prosecution was not ready"),
    "witness_absent": N_("A witness was absent"),
    "court_did_not_sit": N_("The court did not sit"),
    "defence_application": N_("Defence application"),
    "interpreter_unavailable": N_("No interpreter was available"),
    "other": N_("Other (describe it)"),
}
REMINDER_STATUSES = {
    "pending": N_("Planned"), "sending": N_("Sending"), "sent": N_("Sent"),
    "delivered": N_("Delivered"), "failed": N_("Failed"), "cancelled": N_("Cancelled"),
    "skipped": N_("Skipped"), "unconfirmed": N_("Unconfirmed"),
}
HISTORY_ACTIONS = {
    "created": N_("Created"), "updated": N_("Changed"), "rescheduled": N_("Rescheduled"),
    "adjourned": N_("Adjourned"), "cancelled": N_("Cancelled"), "held": N_("Outcome recorded"),
}
ROLES = {"admin": N_("Administrator"), "lawyer": N_("Lawyer"), "caseworker": N_("Caseworker"),
         "viewer": N_("Viewer")}
SURVIVOR_ROLES = {"complainant": N_("Complainant"), "witness": N_("Witness")}
OFFENCE_CATEGORIES = {
    "sex_trafficking": N_("Sex trafficking"), "labour_trafficking": N_("Labour trafficking"),
    "child_sexual_exploitation": N_("Child sexual exploitation"),
    "online_sexual_exploitation": N_("Online sexual exploitation"),
    "sexual_abuse": N_("Sexual abuse"), "forced_marriage": N_("Forced marriage"), "other": N_("Other"),
}
# Deadlines: the kinds entered by hand (legal_tracker.casework.vocab.DeadlineKind) and the
# kinds the deadlines service computes (rfe_answer, certification_expiry, ...).
DEADLINE_KINDS = {
    "filing": N_("Filing"), "submission": N_("Submission"), "court_order": N_("Court order"),
    "other": N_("Other"), "rfe_answer": N_("Request for evidence"),
    "certification_expiry": N_("Certification expires"), "biometrics": N_("Biometrics"),
    "document_expiry": N_("Document expires"), "call_the_family": N_("Call the family"),
}

VOCABULARIES = {
    "kind": HEARING_KINDS, "hearing_status": HEARING_STATUSES, "case_status": CASE_STATUSES,
    "outcome": CASE_OUTCOMES, "accused_status": ACCUSED_STATUSES,
    "adjournment_reason": ADJOURNMENT_REASONS, "reminder_status": REMINDER_STATUSES,
    "role": ROLES, "history": HISTORY_ACTIONS, "survivor_role": SURVIVOR_ROLES, "offence": OFFENCE_CATEGORIES,
    "deadline_kind": DEADLINE_KINDS,
}


_translated: dict[tuple[str, str, str], str] = {}


def label(vocabulary: str, key: str | None) -> str:
    if key is None:
        return ""
    memo = (current_language.get(), vocabulary, key)
    found = _translated.get(memo)
    if found is None:
        text = VOCABULARIES[vocabulary].get(key)
        found = _translated[memo] = gettext_(text) if text else key.replace("_", " ")
    return found


def options(vocabulary: str) -> list[tuple[str, str]]:
    """``(value, text)`` pairs for a select or checkboxes, in the vocabulary's order."""
    return [(key, gettext_(text)) for key, text in VOCABULARIES[vocabulary].items()]


# What a page says after a successful POST redirected to it with ?done=<key>.
DONE = {
    "created": N_("Saved."), "saved": N_("Saved."), "rescheduled": N_("The hearing was moved."),
    "adjourned": N_("The hearing was adjourned. This is the next hearing."),
    "cancelled": N_("The hearing was cancelled."), "outcome": N_("The outcome was recorded."),
    "accompaniment": N_("Who accompanies was saved."), "resent": N_("The reminder will be sent again."),
    "password": N_("Your password was changed. Your other sessions were signed out."),
    "subscribed": N_("Subscription created."), "revoked": N_("The subscription was revoked."),
    "deadline_added": N_("The deadline was added."), "deadline_done": N_("The deadline was marked done."),
}


def done_message(key: str | None) -> str | None:
    text = DONE.get(key or "")
    return gettext_(text) if text else None


# == survivor page and statements (h12surv) ==
STATEMENT_KINDS = {
    "police_statement": N_("Police statement"), "witness_statement": N_("Witness statement"),
    "affidavit": N_("Affidavit"), "victim_impact_statement": N_("Victim impact statement"),
    "forensic_interview": N_("Forensic interview"),
}
STATEMENT_STATUSES = {"planned": N_("Planned"), "taken": N_("Taken"), "signed": N_("Signed"),
                      "filed": N_("Filed")}
# What a reminder said (``reminder.kind``): the planned ones and the other messages.
MESSAGE_KINDS = {
    "first_notice": N_("First notice"), "d7": N_("7 days before"), "d3": N_("3 days before"),
    "d1": N_("The day before"), "changed": N_("Date changed"), "cancelled": N_("Hearing cancelled"),
    "welcome": N_("Welcome"), "help": N_("Help reply"),
}
VOCABULARIES.update({"statement_kind": STATEMENT_KINDS, "statement_status": STATEMENT_STATUSES,
                     "message_kind": MESSAGE_KINDS})
DONE.update({
    "consent_given": N_("Consent to SMS reminders was recorded."),
    "consent_withdrawn": N_("The withdrawal of consent was recorded. No more SMS will be sent."),
    "contact_added": N_("The family contact was added."),
    "contact_saved": N_("The family contact was saved."),
    "statement_added": N_("The statement was added."),
    "statement_saved": N_("The statement was saved."),
})
# == identity documents and immigration (h12idimm) ==
DOCUMENT_KINDS = {
    "passport": N_("Passport"), "national_id": N_("National identity card"),
    "birth_certificate": N_("Birth certificate"), "work_permit": N_("Work permit"), "other": N_("Other"),
}
DOCUMENT_STATUSES = {
    "withheld": N_("Withheld by the trafficker"), "seized_as_evidence": N_("Seized as evidence"),
    "in_custody": N_("Held for safekeeping"), "recovered": N_("Recovered"),
    "returned": N_("Returned to the survivor"), "replacement_requested": N_("Replacement requested"),
    "replaced": N_("Replaced"), "lost": N_("Lost"),
}
IMMIGRATION_KINDS = {
    "t_visa": N_("T visa (US)"), "u_visa": N_("U visa (US)"),
    "continued_presence": N_("Continued presence (US)"), "uk_nrm": N_("NRM referral (UK)"),
    "canada_trp": N_("Temporary resident permit (Canada)"), "other": N_("Other"),
}
IMMIGRATION_OUTCOMES = {"approved": N_("Approved"), "denied": N_("Denied"),
                        "withdrawn": N_("Withdrawn"), "other": N_("Other")}
GROUNDS_OUTCOMES = {"positive": N_("Positive"), "negative": N_("Negative")}
# Milestones of an application, by their date column (legal_tracker.casework.immigration).
MILESTONE_DATES = {
    "prepared_on": N_("Prepared"), "filed_on": N_("Filed"), "receipt_on": N_("Receipt notice"),
    "biometrics_on": N_("Biometrics appointment"),
    "rfe_received_on": N_("Request for evidence received"),
    "rfe_due_on": N_("Answer to the request for evidence due"),
    "rfe_answered_on": N_("Evidence sent"), "bona_fide_on": N_("Bona fide determination"),
    "reasonable_grounds_on": N_("Reasonable grounds decision"),
    "conclusive_grounds_on": N_("Conclusive grounds decision"), "decision_on": N_("Decision"),
    "certification_requested_on": N_("Certification requested"),
    "certification_signed_on": N_("Certification signed"),
}
IMMIGRATION_STAGES = {
    "started": N_("Started"), "prepared": N_("Prepared"), "filed": N_("Filed"),
    "receipt": N_("Receipt notice"), "biometrics": N_("Biometrics"),
    "request_for_evidence": N_("Request for evidence"), "evidence_sent": N_("Evidence sent"),
    "bona_fide_determination": N_("Bona fide determination"),
    "reasonable_grounds": N_("Reasonable grounds decision"),
    "conclusive_grounds": N_("Conclusive grounds decision"), "decision": N_("Decided"),
}
VOCABULARIES.update({
    "document_kind": DOCUMENT_KINDS, "document_status": DOCUMENT_STATUSES,
    "immigration_kind": IMMIGRATION_KINDS, "immigration_outcome": IMMIGRATION_OUTCOMES,
    "grounds_outcome": GROUNDS_OUTCOMES, "milestone": MILESTONE_DATES, "stage": IMMIGRATION_STAGES,
})
DONE.update({
    "custody": N_("The hand-over was recorded."),
})
# == Administration (h12admin): the audit log's vocabularies and the admin pages' outcomes ==
AUDIT_ACTIONS = {
    "create": N_("Created"), "update": N_("Changed"), "read": N_("Opened"), "list": N_("Listed"),
    "reveal": N_("Revealed a protected value"), "delete": N_("Deleted"),
    "login": N_("Signed in"), "login_password_ok": N_("Password accepted (second step next)"),
    "logout": N_("Signed out"), "logout_everywhere": N_("Signed out everywhere"),
    "account_locked": N_("Account locked"), "account_unlocked": N_("Account unlocked"),
    "invitation_issued": N_("Invitation issued"), "invitation_mailed": N_("Invitation emailed"),
    "invitation_mail_failed": N_("Invitation email failed"),
    "invitation_accepted": N_("Invitation accepted"),
    "password_changed": N_("Password changed"), "password_reset": N_("Password reset"),
    "password_reset_issued": N_("Password reset link issued"),
    "password_reset_requested": N_("Password reset asked for by email"),
    "mfa_enrolled": N_("Two-factor sign-in set up"), "mfa_disabled": N_("Two-factor sign-in turned off"),
    "mfa_reset": N_("Two-factor sign-in reset by an admin"), "end_session": N_("Session ended"),
    "reschedule": N_("Rescheduled"), "adjourn": N_("Adjourned"), "cancel": N_("Cancelled"),
    "outcome": N_("Outcome recorded"), "resend": N_("Resent"), "revoke": N_("Revoked"),
    "download": N_("Downloaded"), "sms_failed": N_("SMS failed"),
}
AUDIT_ENTITIES = {
    "staff": N_("Staff member"), "office": N_("Office"), "court": N_("Court"), "case": N_("Case"),
    "hearing": N_("Hearing"), "survivor": N_("Survivor"), "contact": N_("Family contact"),
    "statement": N_("Statement"), "identity_document": N_("Identity document"),
    "custody_entry": N_("Custody entry"), "immigration_application": N_("Immigration application"),
    "deadline": N_("Deadline"), "filing": N_("Filing"), "filing_template": N_("Filing template"),
    "reminder": N_("SMS reminder"), "calendar_subscription": N_("Calendar link"),
    "report": N_("Report"), "case_timeline": N_("Case timeline"), "sms_gateway": N_("SMS gateway"),
}
VOCABULARIES.update({"audit_action": AUDIT_ACTIONS, "audit_entity": AUDIT_ENTITIES})
DONE.update({
    "deactivated": N_("The account was deactivated. Every session of theirs has ended."),
    "reactivated": N_("The account was reactivated. They sign in again with their password."),
    "unlocked": N_("The account was unlocked."), "staff_saved": N_("Role and office saved."),
    "office_saved": N_("The office was saved."), "court_saved": N_("The court was saved."),
    "mfa_reset": N_("Their two-factor sign-in was removed and their sessions ended. They set "
                    "it up again at their next sign-in."),
})
