"""Court calendars: subscriptions and iCalendar feeds."""
