"""Reports: the outcome report with bar charts drawn as SVG on the server (no chart script)
and each table as a CSV download with the same figures (``legal_tracker.casework.report_tables``,
shared with ``GET /api/reports/outcomes?format=csv``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get
from litestar.params import FromPath

from legal_tracker.casework import report_tables
from legal_tracker.casework.reports import outcome_report
from legal_tracker.common import MAX_PAGE, PageRequest
from legal_tracker.organisation.service import list_offices
from web.errors import not_found
from web.forms import Form
from web.i18n import gettext_ as _
from web.render import page
from web.session import CurrentMe, Me


def _filters(request: Request, me: Me) -> tuple[Form, dict[str, Any]]:
    form = Form({k: request.query_params.get(k, "") for k in ("office_id", "from", "to")})
    office_id = form.integer("office_id") if me.actor.is_org_admin else None
    start, end = form.date("from"), form.date("to")
    if start and end and start > end:
        form.add("to", _("The last day must not be before the first day"))
    return form, {"office_id": office_id, "start": start, "end": end}


def bars(table: report_tables.Table) -> dict[str, Any] | None:
    """Geometry of a horizontal bar chart for the table's chart column (viewBox units)."""
    if table.chart is None or not table.rows:
        return None
    values = [float(r[table.chart] or 0) for r in table.rows]
    top = max(values) or 1.0
    percent = table.columns[table.chart].endswith("percent")
    scale = 100.0 if percent else top
    row_h, label_w, bar_w = 28, 130, 150
    items = []
    for i, (row, value) in enumerate(zip(table.rows, values, strict=True)):
        shown = row[table.chart]
        items.append({"label": str(row[0]).replace("_", " ")[:22], "y": i * row_h,
                      "width": round(bar_w * min(value, scale) / scale, 1),
                      "value": "–" if shown is None else f"{shown}{' %' if percent else ''}"})
    return {"items": items, "height": len(items) * row_h, "label_w": label_w, "bar_w": bar_w,
            "width": label_w + bar_w + 60}


@get("/app/reports", name="reports")
async def reports_page(request: Request, me: CurrentMe) -> Any:
    form, filters = _filters(request, me)
    offices = []
    if me.actor.is_org_admin:
        offices = [(str(o["id"]), o["name"])
                   for o in (await list_offices(me.actor, PageRequest(MAX_PAGE, 0))).items]
    report, tables, query = None, [], ""
    if form.ok:
        report = await outcome_report(me.actor, **filters)
        tables = [(t, bars(t)) for t in report_tables.tables(report)]
        query = urlencode({k: v for k, v in form.values.items() if v})
    else:
        form.status = 422
    return page(request, "reports.html", status=form.status, title=_("Reports"), form=form,
                offices=offices, report=report, tables=tables, query=query)


@get("/app/reports/csv/{name:str}", name="report-csv")
async def report_csv(request: Request, me: CurrentMe, name: FromPath[str]) -> Any:
    form, filters = _filters(request, me)
    if name not in report_tables.TABLE_NAMES:
        return not_found(request)
    if not form.ok:
        return page(request, "reports.html", status=422, title=_("Reports"), form=form, offices=[],
                    report=None, tables=[], query="")
    report = await outcome_report(me.actor, **filters)
    return Response(report_tables.to_csv(report, name), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{name}.csv"'})


HANDLERS = [reports_page, report_csv]
