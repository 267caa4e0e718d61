"""The outcome report as tables: what the web page shows, its SVG charts read, and the CSV
download (web page and ``GET /api/reports/outcomes?format=csv``) writes, so the spreadsheet
and the page always carry the same figures.

Rates are written as percentages with one decimal (``42.9``), the way the page shows them; a
rate with nothing to divide (no hearings sat) is left empty rather than written as 0.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

# Formula-starting characters a spreadsheet would evaluate (CSV injection): a court name or a
# reason typed by staff is written as text, never as a formula.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    # the column the page draws as bars (an index into columns), or None for no chart
    chart: int | None = None


def percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def tables(report: dict[str, Any]) -> list[Table]:
    h = report["hearings"]
    ctj = report["charge_to_judgment"]
    acc = report["accompaniment"]
    cases = report["cases"]
    return [
        Table("adjournments_by_reason", "Adjournments by reason",
              ("reason", "adjournments", "share_of_hearings_sat_percent"),
              [(r["reason"] or "not recorded", r["count"], percent(r["rate"]))
               for r in h["adjournments_by_reason"]], chart=2),
        Table("adjournments_by_court", "Adjournment rate by court",
              ("court", "held", "adjourned", "adjournment_rate_percent"),
              [(c["court_name"], c["held"], c["adjourned"], percent(c["adjournment_rate"]))
               for c in h["by_court"]], chart=3),
        Table("charge_to_judgment", "Time from charge to judgment",
              ("cases_judged", "mean_days", "median_days"),
              [(ctj["cases"], ctj["mean_days"], ctj["median_days"])]),
        Table("accompaniment", "Accompaniment coverage",
              ("testifying_hearings", "accompanied", "coverage_percent"),
              [(acc["testifying_hearings"], acc["accompanied"], percent(acc["coverage"]))]),
        Table("sms_delivery_by_office", "SMS delivery rate by office",
              ("office", "sent", "delivered", "delivery_rate_percent"),
              [(o["office_name"], o["sent"], o["delivered"], percent(o["delivery_rate"]))
               for o in report["sms"]["by_office"]], chart=3),
        Table("hearings", "Hearings",
              ("held", "adjourned", "cancelled", "scheduled", "adjournment_rate_percent"),
              [(h["held"], h["adjourned"], h["cancelled"], h["scheduled"],
                percent(h["adjournment_rate"]))]),
        Table("cases_by_status", "Cases by status", ("status", "cases"),
              sorted(cases["by_status"].items()), chart=1),
        Table("cases_by_outcome", "Judgments by outcome", ("outcome", "cases"),
              sorted(cases["by_outcome"].items()), chart=1),
    ]


TABLE_NAMES = ("adjournments_by_reason", "adjournments_by_court", "charge_to_judgment",
               "accompaniment", "sms_delivery_by_office", "hearings", "cases_by_status",
               "cases_by_outcome")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    if isinstance(value, str) and text.startswith(_FORMULA):
        return "'" + text
    return text


def to_csv(report: dict[str, Any], table: str | None = None) -> str:
    """One table (``table`` is one of :data:`TABLE_NAMES`), or every table one after another,
    each under a row with its title and separated by an empty row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    chosen = [t for t in tables(report) if table is None or t.name == table]
    for i, t in enumerate(chosen):
        if table is None:
            if i:
                writer.writerow([])
            writer.writerow([t.title])
        writer.writerow(t.columns)
        for row in t.rows:
            writer.writerow([_cell(v) for v in row])
    return out.getvalue()
