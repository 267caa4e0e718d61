"""Page controllers, one module per area. Each module exports ``HANDLERS``."""

from __future__ import annotations

from web.pages import (
    account,
    account_security,
    admin,
    auth,
    calendar,
    cases,
    day,
    deadlines,
    filings,
    hearings,
    identity,
    immigration,
    reports,
    sheet,
    statements,
    survivors,
)

PAGE_HANDLERS = [*auth.HANDLERS, *day.HANDLERS, *cases.HANDLERS, *hearings.HANDLERS,
                 *calendar.HANDLERS, *account.HANDLERS, *reports.HANDLERS,
                 *sheet.HANDLERS,
                 *deadlines.HANDLERS,
                 *survivors.HANDLERS,
                 *statements.HANDLERS,
                 *identity.HANDLERS,
                 *immigration.HANDLERS,
                 *admin.HANDLERS,
                 *account_security.HANDLERS,
                 *filings.HANDLERS,
                 ]
