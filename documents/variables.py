"""The variables a filing template may use, and the context that fills them.

Two kinds of variable exist:

* **System variables** are dotted names filled from the records (``case.reference``,
  ``hearing.date``, ``lawyer.name``...) plus ``today``. :data:`CATALOGUE` lists each with
  a description and a sample value.
* **User fields** are what the lawyer types when drafting. A template refers to them by a
  plain lowercase name (``{{ reason }}``): any name matching ``[a-z][a-z0-9_]*`` (at
  most 64 characters) that is not one of :data:`RESERVED_NAMES` is a user field. Using a
  name in a template is all it takes to declare it.

The integration hands over plain dicts shaped like :class:`FilingContext`;
:func:`build_context` turns them into the namespace the template sees. Every value in
that namespace is text (or a list of text), already worded for the reader: dates are
long, locale-aware dates, so templates never format dates themselves.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypedDict
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import get_datetime_format

from documents.errors import InvalidFields
from documents.formatting import and_list, country_name, long_date, resolve_locale, short_time

# --------------------------------------------------------------------------- input shape


class CaseData(TypedDict, total=False):
    reference: str
    court_case_number: str
    status: str
    accused: list[str]  # names of the accused persons, in the order the court lists them


class CourtData(TypedDict, total=False):
    name: str
    address: str
    timezone: str  # IANA; hearing times are shown in the court's zone


class HearingData(TypedDict, total=False):
    starts_at: dt.datetime  # must be timezone-aware
    kind: str
    courtroom: str
    accompanying_staff: list[str]  # names of the staff who accompany the survivor


class SurvivorData(TypedDict, total=False):
    code: str
    # Only for callers whose role may reveal it; leave the key out otherwise and any
    # template that needs it reports ``survivor.legal_name`` as missing.
    legal_name: str


class OfficeData(TypedDict, total=False):
    name: str
    phone: str
    country: str  # ISO 3166 code ("KE") or a name
    timezone: str  # IANA; decides what "today" is
    language: str  # BCP 47; the language the office files in


class LawyerData(TypedDict, total=False):
    name: str
    email: str
    phone: str
    language: str  # BCP 47; only when the office has no filing language


class FilingContext(TypedDict, total=False):
    """Everything the integration supplies for one filing; every key is optional.

    ``fields`` holds what the user typed: plain user-field names (``reason``), or a
    catalogue name marked ``user_can_supply`` (``court.address``) to fill a value the
    records lack. Typed values never replace a value the records have.
    """

    case: CaseData
    court: CourtData
    hearing: HearingData
    survivor: SurvivorData
    office: OfficeData
    lawyer: LawyerData
    fields: Mapping[str, Any]
    today: dt.date  # defaults to today in the office's time zone
    locale: str  # BCP 47; overrides the office's filing language for this filing


# --------------------------------------------------------------------------- catalogue


@dataclass(frozen=True, slots=True)
class SystemVariable:
    name: str
    description: str
    sample: str | list[str]
    # False where letting a user type the value would defeat a rule (the survivor's
    # identity is only ever what the records say, and only for roles allowed to see it).
    user_can_supply: bool = True
    restricted: bool = False  # filled only for roles allowed to reveal it


NAMESPACES: tuple[str, ...] = ("case", "court", "hearing", "survivor", "office", "lawyer")
RESERVED_NAMES: frozenset[str] = frozenset(
    {*NAMESPACES, "today", "range", "loop", "self", "caller", "varargs", "kwargs"}
    | {"true", "false", "none", "and", "or", "not", "in", "is", "if", "else"}
)
USER_FIELD_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,63}")

_DESCRIPTIONS: dict[str, tuple[str, bool, bool]] = {
    # name: (description, user_can_supply, restricted)
    "case.reference": ("Your organisation's internal reference for the case", True, False),
    "case.court_case_number": ("The number the court gave the case", True, False),
    "case.status": (
        "Stage of the case: investigation, charged, trial, judgment, sentencing, appeal or closed",
        True,
        False,
    ),
    "case.accused": (
        "The accused persons' names as a list, for a table row per person "
        "({%tr for name in case.accused %})",
        True,
        False,
    ),
    "case.accused_names": (
        "The accused persons' names in one phrase, e.g. 'A, B and C'",
        True,
        False,
    ),
    "court.name": ("Name of the court hearing the case", True, False),
    "court.address": ("Postal address of the court", True, False),
    "hearing.date": ("Date of the hearing, written out in full", True, False),
    "hearing.time": ("Time the hearing starts, in the court's time zone", True, False),
    "hearing.date_time": ("Date and time of the hearing together", True, False),
    "hearing.kind": ("Kind of hearing, e.g. mention, plea, testimony, judgment", True, False),
    "hearing.courtroom": ("Courtroom where the hearing is held", True, False),
    "hearing.accompanying_staff": (
        "Names of the staff accompanying the survivor to the hearing, e.g. 'A and B'",
        True,
        False,
    ),
    "survivor.code": (
        "The survivor's pseudonymous code, used instead of the name everywhere by default",
        False,
        False,
    ),
    "survivor.legal_name": (
        "The survivor's legal name. Filled only for users whose role allows revealing it; "
        "for others the filing is refused with this variable named as missing",
        False,
        True,
    ),
    "office.name": ("Name of your organisation's office (country programme)", True, False),
    "office.phone": ("Office telephone number", True, False),
    "office.country": ("Country of the office, as a name", True, False),
    "lawyer.name": ("Name of the person drafting the filing", True, False),
    "lawyer.email": ("Email address of the person drafting the filing", True, False),
    "lawyer.phone": ("Telephone number of the person drafting the filing", True, False),
    "today": ("Today's date, written out in full", False, False),
}

# Clearly fictional data, used for catalogue samples and for the upload dry run.
SAMPLE_CONTEXT: FilingContext = {
    "case": {
        "reference": "KE-NBI-2024-017",
        "court_case_number": "CR E123/2024",
        "status": "trial",
        "accused": ["John Kamau Doe", "Peter Otieno Roe"],
    },
    "court": {
        "name": "High Court at Riverside",
        "address": "1 Court Road, Riverside",
        "timezone": "Africa/Nairobi",
    },
    "hearing": {
        "starts_at": dt.datetime(2025, 3, 4, 6, 30, tzinfo=dt.UTC),
        "kind": "testimony",
        "courtroom": "Courtroom 4",
        "accompanying_staff": ["Grace Wanjiru", "Amina Hassan"],
    },
    "survivor": {"code": "S-0417", "legal_name": "Jane Example"},
    "office": {
        "name": "Safe Passage Example Office",
        "phone": "+254 20 000 0000",
        "country": "KE",
        "timezone": "Africa/Nairobi",
        "language": "en",
    },
    "lawyer": {"name": "Ruth Example", "email": "ruth@example.org", "phone": "+254 700 000000"},
    "today": dt.date(2025, 2, 20),
}


def is_user_field_name(name: str) -> bool:
    """True for a plain lowercase identifier that templates may use as a typed field."""
    return bool(USER_FIELD_PATTERN.fullmatch(name)) and name not in RESERVED_NAMES


def is_safe_name(name: str) -> bool:
    """False when any part of a dotted name reaches for internals (``__class__``...)."""
    return not any(part.startswith("_") for part in name.split("."))


# --------------------------------------------------------------------------- context

# XML 1.0 forbids these; a stray one from a paste would corrupt the document, and
# docxtpl turns \a and \f into new paragraphs and page breaks, which a typed value must
# never do.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean_text(value: object) -> str:
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return _XML_INVALID.sub("", text)


def context_locale(context: FilingContext) -> Locale:
    office = context.get("office") or {}
    lawyer = context.get("lawyer") or {}
    # A filing is in the office's language (a setting on the office), unless the filing
    # asks for another; the drafting lawyer's own language does not change it.
    language = context.get("locale") or office.get("language") or lawyer.get("language")
    return resolve_locale(language, office.get("country"))


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _put(target: dict[str, Any], key: str, value: object) -> None:
    if value is None:
        return
    if isinstance(value, list | tuple):
        items = [clean_text(item) for item in value if item is not None]
        items = [item for item in items if item.strip()]
        if items:
            target[key] = items
        return
    target[key] = clean_text(value)


def _long_date_time(moment: dt.datetime, locale: Locale) -> str:
    # Babel's own long datetime adds seconds and a zone name; courts write "3 March
    # 2025 at 09:30", so combine the long date and short time with the locale's glue.
    glue = str(get_datetime_format("long", locale=locale)).replace("'", "")
    return glue.replace("{1}", long_date(moment, locale)).replace("{0}", short_time(moment, locale))


def build_context(context: FilingContext) -> dict[str, Any]:
    """The namespace a template is rendered with: text values, worded for the reader.

    Absent or empty values are left out, so the template's strict undefined handling
    and :func:`missing_variables` name them. Raises :class:`InvalidFields` when a typed
    field has a name that is neither a user field nor a fillable catalogue name, or a
    value that is not text.
    """
    locale = context_locale(context)
    ns: dict[str, Any] = {name: {} for name in NAMESPACES}

    case = context.get("case") or {}
    for key in ("reference", "court_case_number", "status"):
        _put(ns["case"], key, case.get(key))
    _put(ns["case"], "accused", case.get("accused"))
    if "accused" in ns["case"]:
        ns["case"]["accused_names"] = and_list(ns["case"]["accused"], locale)

    court = context.get("court") or {}
    _put(ns["court"], "name", court.get("name"))
    _put(ns["court"], "address", court.get("address"))

    office = context.get("office") or {}
    hearing = context.get("hearing") or {}
    starts_at = hearing.get("starts_at")
    if starts_at is not None:
        if starts_at.tzinfo is None:
            raise ValueError("hearing.starts_at must be timezone-aware")
        zone = _zone(court.get("timezone")) or _zone(office.get("timezone"))
        local = starts_at.astimezone(zone) if zone else starts_at
        ns["hearing"]["date"] = long_date(local, locale)
        ns["hearing"]["time"] = short_time(local, locale)
        ns["hearing"]["date_time"] = _long_date_time(local, locale)
    kind = hearing.get("kind")
    _put(ns["hearing"], "kind", kind.replace("_", " ") if isinstance(kind, str) else kind)
    _put(ns["hearing"], "courtroom", hearing.get("courtroom"))
    staff = [clean_text(n) for n in hearing.get("accompanying_staff") or [] if n]
    if any(s.strip() for s in staff):
        ns["hearing"]["accompanying_staff"] = and_list(staff, locale)

    survivor = context.get("survivor") or {}
    _put(ns["survivor"], "code", survivor.get("code"))
    _put(ns["survivor"], "legal_name", survivor.get("legal_name"))

    _put(ns["office"], "name", office.get("name"))
    _put(ns["office"], "phone", office.get("phone"))
    if office.get("country"):
        ns["office"]["country"] = country_name(clean_text(office["country"]), locale)

    lawyer = context.get("lawyer") or {}
    for key in ("name", "email", "phone"):
        _put(ns["lawyer"], key, lawyer.get(key))

    today = context.get("today")
    if today is None:
        zone = _zone(office.get("timezone"))
        today = dt.datetime.now(zone or dt.UTC).date()
    ns["today"] = long_date(today, locale)

    _apply_fields(ns, context.get("fields") or {}, locale)
    return ns


def _apply_fields(ns: dict[str, Any], fields: Mapping[str, Any], locale: Locale) -> None:
    bad_names = []
    bad_values = []
    for name, value in fields.items():
        if not isinstance(name, str):
            bad_names.append(str(name))
            continue
        if is_user_field_name(name):
            target, key = ns, name
        elif name in CATALOGUE and CATALOGUE[name].user_can_supply and "." in name:
            namespace, key = name.split(".", 1)
            target = ns[namespace]
        else:
            bad_names.append(name)
            continue
        if value is None:
            continue
        if name == "case.accused" and isinstance(value, str):
            value = value.splitlines()
        if isinstance(value, list) and name == "case.accused":
            if not all(isinstance(v, str) for v in value):
                bad_values.append(name)
                continue
        elif not isinstance(value, str | int | float) or isinstance(value, bool):
            bad_values.append(name)
            continue
        if target is ns or not _present_value(target.get(key)):
            _put(target, key, value)
            if name == "case.accused" and "accused" in target:
                target["accused_names"] = and_list(target["accused"], locale)
    if bad_names:
        raise InvalidFields(
            bad_names,
            "Unknown field names (typed fields are plain lowercase names such as 'reason', "
            "or a fillable system variable)",
        )
    if bad_values:
        raise InvalidFields(bad_values, "Field values must be text")


# --------------------------------------------------------------------------- missing


def _present_value(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | tuple | dict):
        return bool(value)
    return True


def lookup(namespace: Mapping[str, Any], name: str) -> Any:
    """The value at a dotted name, or None when any part of the path is absent."""
    current: Any = namespace
    for part in name.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return None
        current = current[part]
    return current


def missing_in_namespace(
    variables: Iterable[str], namespace: Mapping[str, Any], optional: Iterable[str] = ()
) -> list[str]:
    skip = set(optional)
    return sorted(
        name
        for name in set(variables)
        if name not in skip and not _present_value(lookup(namespace, name))
    )


def missing_variables(
    variables: Iterable[str], context: FilingContext, *, optional: Iterable[str] = ()
) -> list[str]:
    """Every variable the template needs that the context leaves absent or blank, sorted.

    ``optional`` names (those a template only uses with ``|default(...)`` or behind
    ``is defined``) are never reported. Blank text counts as missing: a filing with an
    empty "reason" is not one a court would accept.
    """
    return missing_in_namespace(variables, build_context(context), optional)


def sample_namespace(variables: Iterable[str]) -> dict[str, Any]:
    """A full sample namespace for a dry run: catalogue samples plus text for each field."""
    ns = build_context(SAMPLE_CONTEXT)
    for name in variables:
        if is_user_field_name(name):
            ns[name] = f"Sample text for {name}"
    return ns


def _catalogue() -> dict[str, SystemVariable]:
    ns = build_context(SAMPLE_CONTEXT)
    catalogue = {}
    for name, (description, user_can_supply, restricted) in _DESCRIPTIONS.items():
        sample = lookup(ns, name)
        if sample is None:  # a catalogue entry the sample context forgot to fill
            raise RuntimeError(f"no sample for catalogue variable {name}")
        catalogue[name] = SystemVariable(name, description, sample, user_can_supply, restricted)
    return catalogue


CATALOGUE: dict[str, SystemVariable] = {}
CATALOGUE.update(_catalogue())


# --------------------------------------------------------------------------- typed fields


@dataclass(frozen=True, slots=True)
class FieldGuide:
    """How a drafting form asks for a typed field: a label, a hint, an example, and whether
    the answer is a paragraph (a text area) rather than a line."""

    label: str
    description: str
    sample: str | None = None
    multiline: bool = False


_DATE_HINT = "A date typed as 2025-04-15 is written out in full; other words appear as typed"

# The built-in templates' fields (documents/build_templates.py). A field of an uploaded
# template that is not listed here gets a label made from its name (field_guide).
FIELD_GUIDES: dict[str, FieldGuide] = {
    "reason": FieldGuide("Reason", "The grounds, in full sentences, as the court should read "
                         "them", "The complainant is in hospital and cannot attend.", True),
    "proposed_date": FieldGuide("Proposed date", _DATE_HINT, "2025-04-15"),
    "other_parties_position": FieldGuide(
        "The other parties' position", "Whether the prosecution and defence agree",
        "The prosecution supports the application.", True),
    "prosecution": FieldGuide("Prosecution", "How the prosecution is named in the heading",
                              "The Prosecution"),
    "witness_description": FieldGuide("The witness", "Who the witness is, without their name",
                                      "a child of 14 and the complainant", True),
    "vulnerability_grounds": FieldGuide("Why the witness is vulnerable", "The reasons, in full "
                                        "sentences", "Age, and fear of the accused.", True),
    "measure_screen": FieldGuide("Screen", "What is asked and why", "Asked: the witness fears "
                                 "seeing the accused.", True),
    "measure_video_link": FieldGuide("Video link", "What is asked and why", "Not asked.", True),
    "measure_in_camera": FieldGuide("Hearing in camera", "What is asked and why",
                                    "Asked while the witness gives evidence.", True),
    "measure_support_person": FieldGuide("Support person", "What is asked and why",
                                         "Asked: the caseworker who knows the witness.", True),
    "measure_intermediary": FieldGuide("Intermediary", "What is asked and why", "Not asked.", True),
    "measure_breaks": FieldGuide("Breaks", "What is asked and why",
                                 "A break every 30 minutes.", True),
    "witness_views": FieldGuide("The witness's views", "In the witness's own words",
                                "I want to speak from another room.", True),
    "caseworker_name": FieldGuide("Caseworker", "Who prepared the statement with the survivor",
                                  "Grace Wanjiru"),
    "statement": FieldGuide("Statement", "The survivor's own words, as they said them",
                            None, True),
    "statement_language": FieldGuide("Language of the statement", "The language the survivor "
                                     "spoke", "Swahili"),
    "interpreter": FieldGuide("Interpreter", "Name of the interpreter, if there was one",
                              "None"),
    "addressee": FieldGuide("Addressed to", "The person or office the letter goes to",
                            "The Officer in Charge"),
    "agency_name": FieldGuide("Agency", "The agency's name", "Riverside Police Station"),
    "agency_address": FieldGuide("Agency's address", "Postal address of the agency",
                                 "PO Box 100, Riverside", True),
    "exhibit_reference": FieldGuide("Exhibit reference", "The agency's reference for the "
                                    "exhibit", "EXH 45/2024"),
    "documents_held": FieldGuide("Documents held", "Each document, one per line",
                                 "Passport No. on file; birth certificate", True),
    "purpose": FieldGuide("Why they are needed", "In full sentences", "To enrol in school.",
                          True),
    "reply_by": FieldGuide("Reply by", _DATE_HINT, "2025-04-15"),
    "salutation": FieldGuide("Greeting", "How the letter opens", "Dear Sir or Madam"),
    "certification_type": FieldGuide("Certification", "The form asked for",
                                     "Form I-914 Supplement B"),
    "certifying_official": FieldGuide("Certifying official", "Name and title",
                                      "Inspector A. Example"),
    "agency_case_number": FieldGuide("Agency's case number", "The agency's own reference",
                                     "RPS/CR/123/2024"),
    "criminal_activity": FieldGuide("The criminal activity", "What was investigated, in plain "
                                    "sentences", None, True),
    "helpfulness": FieldGuide("How the survivor helped", "Statements given, appearances in "
                              "court", None, True),
    "respond_by": FieldGuide("Respond by", _DATE_HINT, "2025-04-15"),
    "enclosures": FieldGuide("Enclosures", "What goes with the letter", None, True),
    "what_happened": FieldGuide("What happened at court", "In plain sentences", None, True),
    "support_provided": FieldGuide("Support given", "How the survivor was supported", None, True),
    "survivor_wellbeing": FieldGuide("How the survivor is doing", "In plain sentences", None,
                                     True),
    "concerns": FieldGuide("Concerns and incidents", "Anything that went wrong", None, True),
    "next_hearing_date": FieldGuide("Next hearing", _DATE_HINT, "2025-04-15"),
    "follow_up": FieldGuide("Follow-up", "What happens next, and who does it", None, True),
}


def field_guide(name: str) -> FieldGuide:
    """How to ask for a typed field: the built-ins' own wording, else a label made from the
    name (``new_address`` → "New address"; a name ending in ``_date`` is asked for as a date)."""
    known = FIELD_GUIDES.get(name)
    if known is not None:
        return known
    words = name.replace("_", " ").strip()
    if name.endswith("_date"):
        return FieldGuide(words.capitalize(), _DATE_HINT, "2025-04-15")
    return FieldGuide(words.capitalize(), "Typed by the person drafting the filing")
