"""The printable court-day sheet: the office's roster for one day as a page that prints on A4
(print rules in app.css) and as a PDF download, for the caseworker who goes to court without
data. Hearings the person may not open show only time, court and kind, as on the court day.
Like the court day, the sheet carries no legal name and no offence: a printed sheet leaves the
system.

The PDF is drawn with fpdf2 (pure Python, in-process, a few milliseconds a page) rather than
LibreOffice (documents/pdf.py), which needs a soffice process of about a second per
conversion and a .docx to start from; DejaVu Sans is embedded when the system has it, so
names in any Latin, Greek or Cyrillic script print.
"""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, Response, get

from legal_tracker.cases.roster import office_roster, resolve_office, today_in
from web.i18n import gettext_ as _
from web.render import page
from web.session import CurrentMe, Me

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


async def _sheet(request: Request, me: Me) -> dict[str, Any]:
    params = request.query_params
    raw_office = params.get("office_id")
    office_id = int(raw_office) if raw_office and raw_office.isdigit() and len(raw_office) < 10 else None
    office = await resolve_office(me.actor, office_id)
    try:
        day = date.fromisoformat(params.get("day") or "")
    except ValueError:
        day = today_in(office["timezone"])
    roster = await office_roster(me.actor, office["id"], day=day)
    rows = []
    for h in roster.items:
        local = h["starts_at"].astimezone(ZoneInfo(h["court_timezone"]))
        rows.append({
            "time": local.strftime("%H:%M"), "court": h["court_name"],
            "courtroom": h["courtroom"] or "", "kind": str(h["kind"]).replace("_", " "),
            "case": None if h["restricted"] else h["case_reference"],
            "survivors": "" if h["restricted"] else ", ".join(h["survivor_codes"]),
            "staff": ", ".join(p["name"] for p in h["accompanying_staff"]),
            "status": h["status"], "restricted": h["restricted"],
        })
    return {"office": office, "day": day, "rows": rows}


def render_pdf(sheet: dict[str, Any], labels: dict[str, str]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    if FONT.exists() and BOLD.exists():
        pdf.add_font("body", "", str(FONT))
        pdf.add_font("body", "B", str(BOLD))
        family = "body"
    else:  # core font: Latin-1 only
        family = "helvetica"
    pdf.add_page()
    pdf.set_font(family, "B", 15)
    pdf.cell(0, 9, f"{labels['title']} · {sheet['office']['name']} · {sheet['day'].isoformat()}",
             new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 10)
    if not sheet["rows"]:
        pdf.cell(0, 8, labels["none"], new_x="LMARGIN", new_y="NEXT")
    widths = (14, 40, 26, 30, 32, 38)
    headings = (labels["time"], labels["court"], labels["kind"], labels["case"], labels["survivors"],
                labels["staff"])
    if sheet["rows"]:
        with pdf.table(col_widths=widths, text_align="LEFT", line_height=5.5) as table:
            table.row(headings)
            for r in sheet["rows"]:
                court = r["court"] + (f", {r['courtroom']}" if r["courtroom"] else "")
                case = labels["restricted"] if r["restricted"] else (r["case"] or "")
                kind = r["kind"] + ("" if r["status"] == "scheduled" else f" ({r['status']})")
                table.row((r["time"], court, kind, case, r["survivors"], r["staff"]))
    return bytes(pdf.output())


def _labels() -> dict[str, str]:
    return {"title": _("Court day"), "none": _("No hearings on this day."), "time": _("Time"),
            "court": _("Court"), "kind": _("Hearing"), "case": _("Case"),
            "survivors": _("Survivors"), "staff": _("Who accompanies"),
            "restricted": _("Not your case")}


@get("/app/day/sheet", name="day-sheet")
async def sheet_page(request: Request, me: CurrentMe) -> Any:
    sheet = await _sheet(request, me)
    return page(request, "sheet.html", title=_("Court day sheet"), labels=_labels(),
                office=sheet["office"], sheet_day=sheet["day"], rows=sheet["rows"])


@get("/app/day/sheet/pdf", name="day-sheet-pdf")
async def sheet_pdf(request: Request, me: CurrentMe) -> Response:
    sheet = await _sheet(request, me)
    body = await asyncio.to_thread(render_pdf, sheet, _labels())
    name = f"court-day-{sheet['day'].isoformat()}.pdf"
    return Response(body, media_type="application/pdf",
                    headers={"content-disposition": f'attachment; filename="{name}"'})


HANDLERS = [sheet_page, sheet_pdf]
