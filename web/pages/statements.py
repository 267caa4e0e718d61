"""The statements of a case: the list, adding one, and updating one (status planned → taken →
signed → filed, who took it, language, interpreter, support person).

Calls ``legal_tracker.casework.statements`` with ``me.actor``; requests are checked against
the API's own ``StatementCreate`` / ``StatementUpdate``. Each update form carries the version
it was read at, so a change made after someone else's answers 409 with a sentence on top
instead of overwriting it (as on the hearing page).
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath

from api.schemas.casework import StatementCreate, StatementUpdate
from api.schemas.common import values_of
from legal_tracker.access import require_write
from legal_tracker.cases import cases as case_svc
from legal_tracker.cases import survivors as survivor_svc
from legal_tracker.casework import statements as svc
from legal_tracker.casework.vocab import STATEMENT_FLOW, STATEMENT_KINDS, STATEMENT_STATUSES
from legal_tracker.common import MAX_PAGE, PageRequest
from web import lookups
from web.formatting import local_input
from web.forms import Form, attempt, convert
from web.labels import label
from web.pages.survivors import language_name
from web.render import page, see_other
from web.session import CurrentMe, Me

RENAME = {"case_id": "case", "survivor_id": "survivor", "taken_by_staff_id": "taken_by_staff"}
# The fields both forms share, as (name, longest).
TEXTS = (("taken_by", 200), ("interpreter_name", 200), ("interpreter_language", 16),
         ("support_person", 200), ("location", 200))


def _read(form: Form, tz: str) -> dict[str, Any]:
    """What the add and update forms have in common. Empty optional texts clear the field."""
    values: dict[str, Any] = {
        "taken_at": form.local_datetime("taken_at", tz, required=False),
        "taken_by_staff_id": form.integer("taken_by_staff_id"),
        "language": form.text("language", required=True, max_length=16),
        "support_person_present": form.checked("support_person_present"),
    }
    for name, longest in TEXTS:
        values[name] = form.text(name, max_length=longest)
    values["taken_by"] = values["taken_by"] or ""
    values["location"] = values["location"] or ""
    return values


def _sentence(text: str | None) -> str | None:
    """A service's message as a sentence on top of the page: "Someone else changed…"."""
    return f"{text[:1].upper()}{text[1:]}." if text and not text.endswith(".") else text


def _form_of(statement: dict[str, Any], tz: str) -> Form:
    values = {name: statement[name] or "" for name, _ in TEXTS}
    values.update(status=statement["status"], language=statement["language"],
                  taken_at=local_input(statement["taken_at"], tz),
                  taken_by_staff_id=str(statement["taken_by_staff_id"] or ""),
                  version=str(statement["version"]))
    if statement["support_person_present"]:
        values["support_person_present"] = "on"
    return Form(values, prefix=f"s{statement['id']}-")


async def _context(me: Me, case_id: int, *, failed: str | None = None,
                   form: Form | None = None) -> dict[str, Any]:
    case = await case_svc.get_case(me.actor, case_id)
    tz = me.office_timezone or "UTC"
    rows = (await svc.list_statements(me.actor, case_id, PageRequest(MAX_PAGE, 0))).items
    survivors = [await survivor_svc.get_survivor(me.actor, s["id"]) for s in case["survivors"]]
    staff = await lookups.staff(me.actor, case["office"])
    forms = {f"s{row['id']}": _form_of(row, tz) for row in rows}
    first = survivors[0]["language"] if survivors else "en"
    forms["new"] = Form({"status": "planned", "language": first,
                         "survivor_id": str(survivors[0]["id"]) if len(survivors) == 1 else ""},
                        prefix="new-")
    if failed and form is not None:
        form.prefix = f"{failed}-"
        if form.status == 409 and failed in forms:
            # Someone else's change won: show the statement as it is now, with the sentence.
            forms[failed].message, forms[failed].status = _sentence(form.message), 409
        else:
            forms[failed] = form
    statuses = {row["id"]: [(s, label("statement_status", s)) for s in STATEMENT_STATUSES
                            if s in STATEMENT_FLOW[row["status"]]] for row in rows}
    return {
        "case": case, "statements": rows, "forms": forms, "failed": failed, "tz": tz,
        "survivor_codes": {s["id"]: s["code"] for s in survivors},
        "survivor_options": [(str(s["id"]), s["code"]) for s in survivors],
        "staff": lookups.by_id(staff), "staff_options": lookups.pairs(staff),
        "next_statuses": statuses, "can_write": me.actor.can_write,
        "language_name": language_name,
        "title": f"{case['reference']} · statements",
    }


@get("/app/cases/{case_id:int}/statements", name="statements")
async def statements_page(request: Request, me: CurrentMe, case_id: FromPath[int]) -> Any:
    return page(request, "statements.html", **await _context(me, case_id))


@post("/app/cases/{case_id:int}/statements")
async def add_statement(request: Request, me: CurrentMe, case_id: FromPath[int]) -> Any:
    await case_svc.get_case(me.actor, case_id)
    require_write(me.actor)
    form = await Form.from_request(request)
    values = _read(form, me.office_timezone or "UTC")
    values.update(kind=form.choice("kind", STATEMENT_KINDS, required=True),
                  survivor_id=form.integer("survivor_id", required=True),
                  status=form.choice("status", STATEMENT_STATUSES) or "planned")
    data = convert(form, StatementCreate, values) if not form.errors else None
    created = None
    if data is not None:
        created = await attempt(form, lambda: svc.create_statement(
            me.actor, case_id, values_of(data, RENAME)))
    if created is None:
        context = await _context(me, case_id, failed="new", form=form)
        return page(request, "statements.html", status=form.status, **context)
    return see_other(f"/app/cases/{case_id}/statements?done=statement_added#statement-{created['id']}")


@post("/app/statements/{statement_id:int}")
async def update_statement(request: Request, me: CurrentMe, statement_id: FromPath[int]) -> Any:
    current = await svc.get_statement(me.actor, statement_id)
    require_write(me.actor)
    form = await Form.from_request(request)
    values = _read(form, me.office_timezone or "UTC")
    values["status"] = form.choice("status", STATEMENT_STATUSES, required=True)
    version = form.integer("version", required=True)
    data = convert(form, StatementUpdate, values) if not form.errors else None
    saved = None
    if data is not None:
        saved = await attempt(form, lambda: svc.update_statement(
            me.actor, statement_id, values_of(data, RENAME), expected_version=version))
    if saved is None:
        context = await _context(me, current["case"], failed=f"s{statement_id}", form=form)
        return page(request, "statements.html", status=form.status, **context)
    return see_other(f"/app/cases/{current['case']}/statements?done=statement_saved"
                     f"#statement-{statement_id}")


HANDLERS = [statements_page, add_statement, update_statement]
