"""Page controllers, one module per area. Each module exports ``HANDLERS``."""

from __future__ import annotations

from web.pages import account, auth, calendar, cases, day, filings, hearings, reports, sheet

PAGE_HANDLERS = [*auth.HANDLERS, *day.HANDLERS, *cases.HANDLERS, *hearings.HANDLERS,
                 *calendar.HANDLERS, *account.HANDLERS, *reports.HANDLERS,
                 *sheet.HANDLERS,
                 *filings.HANDLERS]
