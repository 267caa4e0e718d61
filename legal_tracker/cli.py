"""The ``legal-tracker`` command line."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from legal_tracker import db
from legal_tracker.settings import Settings, SettingsError, get_settings

Command = Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, int]]
COMMANDS: dict[str, tuple[str, Command, Callable[[argparse.ArgumentParser], None] | None]] = {}


def command(name: str, help_text: str,
            arguments: Callable[[argparse.ArgumentParser], None] | None = None
            ) -> Callable[[Command], Command]:
    def decorator(func: Command) -> Command:
        COMMANDS[name] = (help_text, func, arguments)
        return func

    return decorator


def _bootstrap() -> None:
    # The whole application's registrations (the core's hooks and tick jobs, and every
    # package's encrypted columns, which key rotation must know), without building the app.
    from api.bootstrap import bootstrap_application

    bootstrap_application()


async def _open(settings: Settings) -> None:
    await db.setup(settings, pool=False)


@command("migrate", "create or update the database schema")
async def migrate_command(args: argparse.Namespace, settings: Settings) -> int:
    from legal_tracker.migrate import migrate

    await _open(settings)
    applied = await migrate(legacy_files_dir=settings.legacy_filings_path)
    print(f"applied {len(applied)} migration(s)" + (": " + ", ".join(applied) if applied else ""))
    return 0


def _create_user_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--email", required=True)
    parser.add_argument("--role", required=True, choices=["admin", "lawyer", "caseworker", "viewer"])
    parser.add_argument("--name", required=True)
    parser.add_argument("--office", type=int, default=None, help="office id (none: organisation-wide)")


def _read_password() -> str:
    # Never from argv: it would be visible in the process list and shell history.
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Repeat password: ") != first:
            raise SystemExit("passwords do not match")
        return first
    return sys.stdin.readline().rstrip("\r\n")


@command("create-user", "create a member of staff (password from stdin or a prompt)", _create_user_args)
async def create_user_command(args: argparse.Namespace, settings: Settings) -> int:
    from legal_tracker.access import Actor
    from legal_tracker.accounts.passwords import MIN_PASSWORD_LENGTH
    from legal_tracker.errors import DomainError
    from legal_tracker.migrate import migrate
    from legal_tracker.organisation.service import create_staff

    password = _read_password()
    if len(password) < MIN_PASSWORD_LENGTH:
        print(f"the password must have at least {MIN_PASSWORD_LENGTH} characters", file=sys.stderr)
        return 2
    await _open(settings)
    await migrate(legacy_files_dir=settings.legacy_filings_path)
    system = Actor(staff_id=0, role="admin", office_id=None, name="command line")
    try:
        staff = await create_staff(system, {
            "email": args.email, "role": args.role, "name": args.name, "office": args.office,
            "password": password,
        })
    except DomainError as exc:
        print(f"could not create the user: {exc.message}", file=sys.stderr)
        return 2
    print(f"created {staff['role']} #{staff['id']} <{staff['email']}>")
    return 0


def _email_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--email", required=True)


async def _staff_by_email(settings: Settings, email: str) -> int | None:
    from legal_tracker.migrate import migrate
    from legal_tracker.organisation.tables import Staff

    await _open(settings)
    await migrate()
    row = await Staff.select(Staff.id).where(Staff.email == email.strip().lower()).first()
    if row is None:
        print("no member of staff has this address", file=sys.stderr)
    return row["id"] if row else None


@command("reset-link", "print a one-time password reset link for a member of staff "
         "(break-glass: when no administrator can sign in)", _email_arg)
async def reset_link_command(args: argparse.Namespace, settings: Settings) -> int:
    from legal_tracker.access import Actor
    from legal_tracker.accounts.links import issue_reset
    from legal_tracker.errors import DomainError

    staff_id = await _staff_by_email(settings, args.email)
    if staff_id is None:
        return 2
    system = Actor(staff_id=0, role="admin", office_id=None, name="command line")
    try:
        link = await issue_reset(system, settings, staff_id)
    except DomainError as exc:
        print(f"no link issued: {exc.message}", file=sys.stderr)
        return 2
    print(f"{link.url}\n(works once, until {link.expires_at:%Y-%m-%d %H:%M} UTC)")
    return 0


@command("reset-2fa", "remove a member of staff's second factor (a lost phone; break-glass "
         "when no other administrator can do it)", _email_arg)
async def reset_2fa_command(args: argparse.Namespace, settings: Settings) -> int:
    from legal_tracker.access import Actor
    from legal_tracker.accounts.mfa import admin_reset
    from legal_tracker.errors import DomainError

    staff_id = await _staff_by_email(settings, args.email)
    if staff_id is None:
        return 2
    system = Actor(staff_id=0, role="admin", office_id=None, name="command line")
    try:
        await admin_reset(system, staff_id)
    except DomainError as exc:
        print(f"nothing changed: {exc.message}", file=sys.stderr)
        return 2
    print("second factor removed and sessions ended; they set up a new one at next sign-in")
    return 0


@command("seed-demo", "fill the database with realistic, clearly fictional demo data")
async def seed_demo_command(args: argparse.Namespace, settings: Settings) -> int:
    from legal_tracker.demo import DEMO_PASSWORD, demo_logins, seed_demo
    from legal_tracker.migrate import migrate

    await _open(settings)
    await migrate(legacy_files_dir=settings.legacy_filings_path)
    summary = await seed_demo()
    if any(summary.values()):
        print("added: " + ", ".join(f"{value} {key}" for key, value in summary.items()))
    else:
        print("demo data already present: nothing added")
    print(f"demo logins (password for all: {DEMO_PASSWORD}):")
    for line in demo_logins():
        print(f"  {line}")
    return 0


@command("rotate-key", "re-encrypt every protected field with the current LEGAL_TRACKER_SECRET_KEY")
async def rotate_key_command(args: argparse.Namespace, settings: Settings) -> int:
    from legal_tracker.crypto import DecryptionError
    from legal_tracker.key_rotation import RotationError, rotate_keys
    from legal_tracker.migrate import migrate

    if not settings.secret_key:
        print("set the new key in LEGAL_TRACKER_SECRET_KEY and the old one(s) in "
              "LEGAL_TRACKER_OLD_SECRET_KEYS first", file=sys.stderr)
        return 2
    await _open(settings)
    await migrate(legacy_files_dir=settings.legacy_filings_path)
    try:
        counts = await rotate_keys()
    except (RotationError, DecryptionError) as exc:
        print(f"rotation stopped: {exc}", file=sys.stderr)
        return 1
    for column, count in counts.items():
        print(f"{column}: {count} value(s) re-encrypted")
    print("every protected value is now sealed with the current key; the old key(s) in "
          "LEGAL_TRACKER_OLD_SECRET_KEYS may be removed")
    _follow_development_key(settings)
    return 0


def _follow_development_key(settings: Settings) -> None:
    """In development the key file is what a restart without LEGAL_TRACKER_SECRET_KEY uses:
    it follows the rotation (the service would otherwise refuse to start)."""
    import os
    from pathlib import Path

    path = Path(settings.data_dir) / "secret.key"
    if settings.is_production or not path.exists() or not settings.secret_key:
        return
    tmp = path.with_name("secret.key.new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(settings.secret_key)
    os.replace(tmp, path)
    print(f"the development key file {path} now holds the new key")


@command("generate-key", "print a new random key for LEGAL_TRACKER_SECRET_KEY")
async def generate_key_command(args: argparse.Namespace, settings: Settings) -> int:
    from legal_tracker.crypto import generate_key

    print(generate_key())
    return 0


def _dispatch_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--max", type=int, default=None, help="send at most this many messages")
    parser.add_argument("--batch", type=int, default=200, help="reminders claimed per round")


@command("dispatch", "send the SMS reminders due now, once, and exit", _dispatch_args)
async def dispatch_command(args: argparse.Namespace, settings: Settings) -> int:
    from legal_tracker.reminders.dispatcher import Dispatcher, build_gateway

    await db.setup(settings)
    gateway = build_gateway(settings)
    try:
        stats = await Dispatcher(gateway, settings, batch_size=max(1, args.batch)).run_once(
            max_messages=args.max)
    finally:
        await gateway.aclose()
        await db.teardown()
    print(f"claimed {stats.claimed}, sent {stats.sent}, failed {stats.failed}, "
          f"skipped {stats.skipped}, retrying {stats.retrying}, unconfirmed {stats.unconfirmed} "
          f"in {stats.seconds:.2f}s")
    return 0


def _path_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="the backup file")


@command("backup", "write a consistent copy of the whole installation to PATH while it serves "
                   "(SQLite online backup; pg_dump on PostgreSQL)", _path_arg)
async def backup_command(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from legal_tracker.backup import BackupError, backup

    try:
        engine = await backup(settings, Path(args.path))
    except BackupError as exc:
        print(f"backup failed: {exc}", file=sys.stderr)
        return 1
    print(f"backed up the {engine} database to {args.path} (mode 0600). Protected "
          "values stay encrypted: keep the key (LEGAL_TRACKER_SECRET_KEY) safe and apart from "
          "the backup; without it they cannot be read.")
    return 0


@command("restore", "restore a backup made by `backup` into an empty data directory or database",
         _path_arg)
async def restore_command(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    import api.app  # noqa: F401 - every area's encrypted columns, for the key check
    from legal_tracker.backup import BackupError, check_protected_values, restore

    try:
        engine = await restore(settings, Path(args.path))
    except BackupError as exc:
        print(f"restore failed: {exc}", file=sys.stderr)
        return 1
    await _open(settings)
    try:
        checked = await check_protected_values(limit_per_column=200)
    finally:
        await db.teardown()
    print(f"restored {args.path} into the {engine} database; the configured key opened "
          f"{checked.values} protected value(s) checked")
    if checked.unreadable:
        print(f"{len(checked.unreadable)} protected value(s) cannot be read with the configured key "
              "(for example " + ", ".join(checked.unreadable[:3]) + "): set the key this backup was "
              "made with in LEGAL_TRACKER_SECRET_KEY (and LEGAL_TRACKER_OLD_SECRET_KEYS)",
              file=sys.stderr)
        return 1
    print("run `legal-tracker migrate` (or start the service) to bring it up to this version")
    return 0


def _serve_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-migrate", action="store_true", help="do not migrate before serving")
    parser.add_argument("--workers", type=int, default=1,
                        help="server processes on this port (uvicorn workers), each with its own "
                             "database pool and scheduler ticker")


@command("serve", "migrate, then serve the API", _serve_args)
async def serve_command(args: argparse.Namespace, settings: Settings) -> int:
    if not 1 <= args.workers <= 64:
        print("--workers must be between 1 and 64", file=sys.stderr)
        return 2
    if not args.no_migrate:
        await migrate_command(args, settings)
        await db.teardown()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="legal-tracker", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (help_text, _, arguments) in COMMANDS.items():
        sp = sub.add_parser(name, help=help_text)
        if arguments:
            arguments(sp)
    args = parser.parse_args(argv)
    try:
        settings = get_settings()
    except SettingsError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    _, func, _ = COMMANDS[args.command]
    _bootstrap()
    try:
        code = asyncio.run(func(args, settings))
    except SettingsError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    if args.command == "serve" and code == 0:
        import uvicorn

        from api.app import create_app

        print(f"serving on http://{settings.host}:{settings.port} with {args.workers} worker(s) "
              "(docs at /schema)", flush=True)
        # X-Forwarded-For is read by api.auth.client_address, from trusted proxies only.
        options: dict[str, Any] = dict(host=settings.host, port=settings.port,
                                       log_level=settings.log_level.lower(), access_log=False,
                                       proxy_headers=False)
        if args.workers == 1:
            uvicorn.run(create_app(settings), workers=1, **options)
        else:
            # Each worker process builds its own app (and so its own database pool, Redis
            # client and scheduler ticker) from the same environment.
            uvicorn.run("api.app:create_app", factory=True, workers=args.workers, **options)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
