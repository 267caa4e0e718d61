"""Page controllers, one module per area. Each module exports ``HANDLERS``."""

from __future__ import annotations

from web.pages import account, account_security, auth, calendar, cases, day, hearings, reports, sheet

PAGE_HANDLERS = [*auth.HANDLERS, *day.HANDLERS, *cases.HANDLERS, *hearings.HANDLERS,
                 *calendar.HANDLERS, *account.HANDLERS, *reports.HANDLERS,
                 *sheet.HANDLERS,
                 *account_security.HANDLERS]
