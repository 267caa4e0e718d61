"""Demo data: one deterministic transaction of offices, cases, casework and reminders."""
