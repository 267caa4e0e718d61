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

VOCABULARIES = {
    "kind": HEARING_KINDS, "hearing_status": HEARING_STATUSES, "case_status": CASE_STATUSES,
    "outcome": CASE_OUTCOMES, "accused_status": ACCUSED_STATUSES,
    "adjournment_reason": ADJOURNMENT_REASONS, "reminder_status": REMINDER_STATUSES,
    "role": ROLES, "history": HISTORY_ACTIONS, "survivor_role": SURVIVOR_ROLES, "offence": OFFENCE_CATEGORIES,
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
}


def done_message(key: str | None) -> str | None:
    text = DONE.get(key or "")
    return gettext_(text) if text else None


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
