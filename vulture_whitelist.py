"""Names vulture cannot see being used: ``make deadcode`` passes this file with the packages.

Only true false positives belong here, each with why. Litestar calls route handlers it finds
by decorator; the CLI's commands are registered by decorator; Jinja's sandbox and docxtpl
call the overridden methods; tests use some helpers the packages never call themselves.
Generated with ``vulture ... --make-whitelist`` and checked by hand.
"""
# ruff: noqa: F821, B018

# Litestar route handlers and the auth middleware's hook.
_.authenticate_request  # api/auth.py
_.list_audit  # api/controllers/audit.py
_.list_case_hearings  # api/controllers/cases.py
_.reschedule  # api/controllers/cases.py
_.adjourn  # api/controllers/cases.py
_.cancel  # api/controllers/cases.py
_.history  # api/controllers/cases.py
_.upcoming  # api/controllers/casework.py
_.timeline  # api/controllers/casework.py
_.assign  # api/controllers/casework.py
_.unassign  # api/controllers/casework.py
_.download_template  # api/controllers/documents.py
_.list_case_filings  # api/controllers/documents.py
_.download_filing  # api/controllers/documents.py
_.preview  # api/controllers/reminders.py
_.cancel  # api/controllers/reminders.py
_.resend  # api/controllers/reminders.py

# legal-tracker commands, registered by the @command decorator.
create_user_command  # legal_tracker/cli.py
seed_demo_command  # legal_tracker/cli.py
rotate_key_command  # legal_tracker/cli.py
generate_key_command  # legal_tracker/cli.py
dispatch_command  # legal_tracker/cli.py
serve_command  # legal_tracker/cli.py

# Overrides called by Jinja's sandbox and by docxtpl.
_.render_properties  # documents/docx_io.py
_.render_footnotes  # documents/docx_io.py
_.visit_For  # documents/sandbox.py
_.visit_Concat  # documents/sandbox.py
_.visit_Output  # documents/sandbox.py
_.wrap_str_format  # documents/sandbox.py

# Piccolo's engine finder reads the module's attributes.
__getattr__  # unused function (legal_tracker/piccolo_conf.py)

# Used by the tests (and, for the webhook secret, by operators in a Python shell).
clear_caches  # calendars/feed.py
demo_context  # documents/demo.py
is_bootstrapped  # legal_tracker/bootstrap.py
_.outbox  # legal_tracker/reminders/gateways/console.py
new_webhook_secret  # legal_tracker/reminders/webhooks.py
_.sqlite_path  # legal_tracker/settings.py
_.with_overrides  # legal_tracker/settings.py

# Kept for hand-written migrations: the dialect's type names.
_.bigint  # unused property (legal_tracker/migrations/__init__.py)
