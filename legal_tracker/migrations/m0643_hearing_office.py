"""Indexes a national network's data needs (issue 15).

* ``hearing.office``: the office of the hearing's case, denormalised so that office-scoped
  queries (an office admin's lists, the office feed, the outcome report for one office) use an
  index instead of scanning every hearing through ``legal_case``. Triggers keep it in step
  whichever code path writes: set from the case on insert and when a hearing moves to another
  case, and rewritten when a case moves to another office.
* ``legal_case (reference)``: ``GET /api/cases?reference=`` across offices (the only index
  was ``(office, reference)``).
"""

from __future__ import annotations

from legal_tracker.migrations import Dialect


def statements(d: Dialect) -> list[str]:
    out = [
        f"ALTER TABLE hearing ADD COLUMN office {d.fk('office', 'RESTRICT')}",
        'UPDATE hearing SET office = (SELECT lc.office FROM legal_case lc WHERE lc.id = hearing."case")',
        "CREATE INDEX hearing_office_idx ON hearing (office, starts_at, id)",
        "CREATE INDEX legal_case_reference_idx ON legal_case (reference)",
    ]
    if d.name == "sqlite":
        return out + [
            """CREATE TRIGGER hearing_office_on_insert AFTER INSERT ON hearing
               FOR EACH ROW WHEN NEW.office IS NOT (SELECT office FROM legal_case WHERE id = NEW."case")
               BEGIN
                 UPDATE hearing SET office = (SELECT office FROM legal_case WHERE id = NEW."case")
                 WHERE id = NEW.id;
               END""",
            """CREATE TRIGGER hearing_office_on_update AFTER UPDATE OF "case", office ON hearing
               FOR EACH ROW WHEN NEW.office IS NOT (SELECT office FROM legal_case WHERE id = NEW."case")
               BEGIN
                 UPDATE hearing SET office = (SELECT office FROM legal_case WHERE id = NEW."case")
                 WHERE id = NEW.id;
               END""",
            """CREATE TRIGGER legal_case_office_to_hearings AFTER UPDATE OF office ON legal_case
               FOR EACH ROW WHEN NEW.office IS NOT OLD.office
               BEGIN
                 UPDATE hearing SET office = NEW.office WHERE "case" = NEW.id;
               END""",
        ]
    return out + [
        """CREATE FUNCTION hearing_office_from_case() RETURNS trigger AS $$
           BEGIN
             NEW.office := (SELECT office FROM legal_case WHERE id = NEW."case");
             RETURN NEW;
           END $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER hearing_office_from_case BEFORE INSERT OR UPDATE OF "case", office
           ON hearing FOR EACH ROW EXECUTE FUNCTION hearing_office_from_case()""",
        """CREATE FUNCTION legal_case_office_to_hearings() RETURNS trigger AS $$
           BEGIN
             IF NEW.office IS DISTINCT FROM OLD.office THEN
               UPDATE hearing SET office = NEW.office WHERE "case" = NEW.id;
             END IF;
             RETURN NEW;
           END $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER legal_case_office_to_hearings AFTER UPDATE OF office ON legal_case
           FOR EACH ROW EXECUTE FUNCTION legal_case_office_to_hearings()""",
    ]
