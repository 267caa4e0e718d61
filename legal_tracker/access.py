"""Need-to-know access, enforced in one place.

Every service asks this module which rows the caller may see (a WHERE clause) and whether
they may change them. The rules:

* an admin with an office sees everything of that office; an admin without an office is an
  organisation-wide admin and sees everything;
* lawyers, caseworkers and viewers see the cases they are assigned to, and the survivors,
  hearings and records of those cases (plus survivors they registered themselves, so a new
  survivor does not vanish before it is linked to a case);
* viewers never write; only admins change offices, courts and staff;
* a record outside the caller's scope is reported as not found, never as forbidden, so its
  existence is not revealed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from piccolo.columns.combination import Or, Where

from legal_tracker.cases.tables import Case, CaseStaff, CaseSurvivor, Hearing, Survivor
from legal_tracker.errors import FieldProblem, Forbidden, Invalid


@dataclass(frozen=True, slots=True)
class Actor:
    staff_id: int
    role: str
    office_id: int | None
    name: str = ""

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_org_admin(self) -> bool:
        return self.role == "admin" and self.office_id is None

    @property
    def can_write(self) -> bool:
        return self.role in {"admin", "lawyer", "caseworker"}

    @property
    def can_reveal(self) -> bool:
        """Who may ask for a legal name or a document number in clear (audited)."""
        return self.role in {"admin", "lawyer", "caseworker"}


def assigned_case_ids(actor: Actor) -> Any:
    return CaseStaff.select(CaseStaff.case).where(CaseStaff.staff == actor.staff_id)


def case_scope(actor: Actor) -> Where | None:
    if actor.is_org_admin:
        return None
    if actor.is_admin:
        return Case.office == actor.office_id
    return Case.id.is_in(assigned_case_ids(actor))


def hearing_scope(actor: Actor) -> Where | None:
    if actor.is_org_admin:
        return None
    if actor.is_admin:
        return Hearing.office == actor.office_id  # the case's office (m0643), indexed
    return Hearing.case.is_in(assigned_case_ids(actor))


def survivor_scope(actor: Actor) -> Any:
    if actor.is_org_admin:
        return None
    if actor.is_admin:
        return Survivor.office == actor.office_id
    linked = CaseSurvivor.select(CaseSurvivor.survivor).where(
        CaseSurvivor.case.is_in(assigned_case_ids(actor))
    )
    return Or(Survivor.id.is_in(linked), Survivor.created_by == actor.staff_id)


def office_visible(actor: Actor, office_id: int | None) -> bool:
    return actor.is_org_admin or actor.office_id is None or actor.office_id == office_id


def require_write(actor: Actor) -> None:
    if not actor.can_write:
        raise Forbidden("your role may read but not change records")


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("only an admin may do this")


def check_reveal(actor: Actor, reveal: set[str], allowed: set[str]) -> None:
    """``?reveal=`` asks for protected fields in clear: only those ``allowed`` here, and only
    for roles that may reveal them (every reveal is audited by the caller)."""
    unknown = reveal - allowed
    if unknown:
        raise Invalid(problems=[FieldProblem("reveal", f"can only be {', '.join(sorted(allowed))}",
                                             "query")])
    if reveal and not actor.can_reveal:
        raise Forbidden("your role may not reveal protected fields")
