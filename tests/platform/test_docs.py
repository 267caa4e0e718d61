"""The guide names only things that exist.

README.md and docs/*.md are read the way a newcomer reads them: every `legal-tracker`
subcommand (and its options), `make` target, LEGAL_TRACKER_* variable, relative link (and
#anchor), HTTP path, repository file and Python name they name must exist, and every setting
must be documented in docs/operations.md. A renamed command, a removed setting or a moved page fails here.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import io
import re
from functools import cache
from pathlib import Path

import pytest

from legal_tracker import cli

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
OPERATIONS = ROOT / "docs" / "operations.md"
FRONT_PAGE_LIMIT = 12 * 1024  # the front door stays short; depth belongs in docs/

# Variables the docs may name although legal_tracker/settings.py does not read them: they
# configure the tests and CI, not the service. Each is checked to be read where it says.
TEST_VARIABLES = {
    "LEGAL_TRACKER_TEST_DATABASE_URL": "tests/conftest.py",  # run the suite on PostgreSQL
    "LEGAL_TRACKER_CI_POSTGRES_URL": ".ci/run",  # the PostgreSQL server CI uses
    "LEGAL_TRACKER_FUZZ_EXAMPLES": "tests/security/test_fuzz_api.py",  # fuzz examples per operation
    "LEGAL_TRACKER_CHROMIUM": "tests/web/browser.py",  # the browser the web app's tests drive
}

FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.M | re.S)
INLINE_CODE = re.compile(r"`((?:[^`\n]|\n(?![ \t]*\n))+)`")  # may wrap, never across a blank line
LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$", re.M)
COMMAND = re.compile(r"(?:^|[\s/(])legal-tracker\s+([a-z][a-z0-9-]*)((?:\s+\[?--?[a-z][a-z0-9-]*[^\n`]*)?)")
OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*)")
MAKE = re.compile(r"(?:^|[\s;&(])make\s+([a-z][a-z0-9_-]*)")
REPO_PATH = re.compile(r"^(?:legal_tracker|api|web|calendars|documents|tests|bench|docs|\.ci)/[\w./-]*$")
DOTTED = re.compile(r"^((?:legal_tracker|api|calendars|documents)(?:\.[A-Za-z_]\w*)+)(?:\(|$)")
VARIABLE = re.compile(r"LEGAL_TRACKER_[A-Z0-9_]*[A-Z0-9]")
PATH_CHARS = r"[A-Za-z0-9_{}\-/.…]"
HTTP_PATH = re.compile(rf"(?<![A-Za-z_.\-/])(/(?:api|webhooks|app|health|schema)(?:/{PATH_CHARS}*)?)")
METHOD_PATH = re.compile(rf"\b(GET|POST|PATCH|PUT|DELETE)\s+(/(?:api|webhooks|app)(?:/{PATH_CHARS}*)?)")


def _page_name(page: Path) -> str:
    return str(page.relative_to(ROOT))


def _prose(text: str) -> str:
    """The text without fenced code blocks (where '#' is a shell comment, not a heading)."""
    return FENCE.sub("", text)


def _code(text: str) -> list[str]:
    """Fenced code blocks and inline code spans: where commands are written."""
    blocks = [m.group(0) for m in FENCE.finditer(text)]
    return blocks + [re.sub(r"\s+", " ", span) for span in INLINE_CODE.findall(_prose(text))]


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = LINK.sub(r"\1", heading).replace("`", "")
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


@cache
def anchors(page: Path) -> frozenset[str]:
    seen: dict[str, int] = {}
    found = set()
    for _, heading in HEADING.findall(_prose(page.read_text(encoding="utf-8"))):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return frozenset(found)


def named(pattern: re.Pattern[str], texts_of: str = "code") -> list[tuple[str, re.Match[str]]]:
    found: list[tuple[str, re.Match[str]]] = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        texts = _code(text) if texts_of == "code" else [text]
        for chunk in texts:
            found.extend((_page_name(page), m) for m in pattern.finditer(chunk))
    return found


def test_the_guide_has_its_pages() -> None:
    names = {p.name for p in PAGES}
    for page in ("README.md", "lawyer.md", "caseworker.md", "administrator.md", "operations.md",
                 "calendars.md", "sms.md", "filings.md", "api.md", "development.md"):
        assert page in names, page
    assert (ROOT / "docs" / "README.md").exists()


def test_front_page_stays_short() -> None:
    size = len((ROOT / "README.md").read_bytes())
    assert size <= FRONT_PAGE_LIMIT, f"README.md is {size} bytes: move detail into docs/"


# ---------------------------------------------------------------- commands


def _help(subcommand: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out), \
            pytest.raises(SystemExit) as exited:
        cli.main([subcommand, "--help"])
    return int(exited.value.code or 0), out.getvalue()


def test_every_legal_tracker_command_named_exists() -> None:
    uses = named(COMMAND)
    assert uses, "the guide names no legal-tracker command: is the pattern broken?"
    problems = []
    for page, match in uses:
        subcommand, rest = match.group(1), match.group(2)
        code, text = _help(subcommand)
        if code != 0:
            problems.append(f"{page}: `legal-tracker {subcommand}` is not a command")
            continue
        problems.extend(f"{page}: `legal-tracker {subcommand}` has no option {option}"
                        for option in OPTION.findall(rest) if option not in text)
    assert not problems, "\n".join(problems)


def _make_targets() -> set[str]:
    targets: set[str] = set()
    for line in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+(?:[ \t]+[A-Za-z0-9_.\-]+)*)[ \t]*:(?!=)", line)
        if m:
            targets.update(m.group(1).split())
    return targets


def test_every_make_target_named_exists() -> None:
    targets = _make_targets()
    assert {"run", "test"} <= targets
    uses = named(MAKE)
    assert uses, "the guide names no make target: is the pattern broken?"
    problems = [f"{page}: `make {m.group(1)}` is not a Makefile target"
                for page, m in uses if m.group(1) not in targets]
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- files and modules


def test_every_repository_path_named_exists() -> None:
    uses = named(REPO_PATH)
    assert uses, "the guide names no file: is the pattern broken?"
    problems = []
    for page, match in uses:
        path = match.group(0)
        if path.startswith("web/") and not (ROOT / "web").exists():
            continue  # the staff web app is being built on another branch
        if not (ROOT / path).exists():
            problems.append(f"{page}: {path} does not exist")
    assert not problems, "\n".join(sorted(set(problems)))


def _resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            if not hasattr(target, name):
                return False
            target = getattr(target, name)
        return True
    return False


def test_every_python_name_named_exists() -> None:
    uses = named(DOTTED)
    assert uses, "the guide names no Python function: is the pattern broken?"
    problems = [f"{page}: {m.group(1)} cannot be imported"
                for page, m in uses if not _resolves(m.group(1))]
    assert not problems, "\n".join(sorted(set(problems)))


# ---------------------------------------------------------------- settings


def settings_variables() -> set[str]:
    source = (ROOT / "legal_tracker" / "settings.py").read_text(encoding="utf-8")
    prefix = re.search(r'^PREFIX = "([A-Z_]+)"', source, re.M)
    assert prefix, "settings.py no longer defines PREFIX"
    names = re.findall(r'_env(?:_int|_float|_bool)?\(\s*"([A-Z0-9_]+)"', source)
    assert names, "settings.py reads no variable through _env(): is the pattern broken?"
    return {prefix.group(1) + name for name in names}


def test_every_variable_named_is_read() -> None:
    known = settings_variables()
    problems = []
    for page, match in named(VARIABLE, texts_of="all"):
        name = match.group(0)
        if name not in known and name not in TEST_VARIABLES:
            problems.append(f"{page}: {name} is not read by legal_tracker/settings.py")
    assert not problems, "\n".join(sorted(set(problems)))


def test_test_variables_are_read_where_the_allow_list_says() -> None:
    for name, where in TEST_VARIABLES.items():
        assert name in (ROOT / where).read_text(encoding="utf-8"), f"{name} is not read in {where}"


def test_every_setting_is_documented_in_operations() -> None:
    text = OPERATIONS.read_text(encoding="utf-8")
    missing = sorted(name for name in settings_variables() if f"`{name}`" not in text)
    assert not missing, f"docs/operations.md does not document: {', '.join(missing)}"


# ---------------------------------------------------------------- links


def test_every_relative_link_and_anchor_exists() -> None:
    problems = []
    checked = 0
    for page in PAGES:
        prose = INLINE_CODE.sub("", _prose(page.read_text(encoding="utf-8")))
        for _, target in LINK.findall(prose):
            if re.match(r"^[a-z][a-z0-9+.\-]*:", target):  # http:, https:, mailto:
                continue
            checked += 1
            path, _, anchor = target.partition("#")
            destination = (page.parent / path).resolve() if path else page
            if not destination.exists():
                problems.append(f"{_page_name(page)}: link to {target}: no such file")
            elif anchor and destination.suffix == ".md" and anchor not in anchors(destination):
                problems.append(f"{_page_name(page)}: link to {target}: no heading #{anchor}")
    assert checked, "the guide has no relative links: is the pattern broken?"
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- HTTP paths


@cache
def routes() -> dict[str, set[str]]:
    from api.app import create_app

    found: dict[str, set[str]] = {}
    for route in create_app().routes:
        found.setdefault(_normal(route.path), set()).update(getattr(route, "methods", ()) or ())
    return found


def _normal(path: str) -> str:
    segments = [
        "{}" if re.fullmatch(r"\{[^}]*\}|\d+", segment) else segment
        for segment in path.rstrip("/").split("/")
    ]
    return "/".join(segments) or "/"


def _find(path: str) -> set[str] | None:
    """The methods of the route a documented path names, or None when there is none.
    A path ending in '...' (or '/', or a bare '/api') names a prefix."""
    known = routes()
    for ellipsis in ("...", "…"):
        if path.endswith(ellipsis):
            prefix = _normal(path.removesuffix(ellipsis))
            methods = set().union(*(m for p, m in known.items() if p.startswith(prefix)))
            return methods or None
    path = path.rstrip(".")
    normal = _normal(path)
    if normal in known:
        return known[normal]
    if path.endswith("/") or normal in ("/api", "/webhooks", "/app"):
        methods = set().union(*(m for p, m in known.items() if p.startswith(normal + "/")))
        return methods or None
    return None


def _paths(prefixes: tuple[str, ...]) -> list[tuple[str, str, str | None]]:
    found: list[tuple[str, str, str | None]] = []
    for page, m in named(HTTP_PATH, texts_of="all"):
        if m.group(1).startswith(prefixes):
            found.append((page, m.group(1), None))
    for page, m in named(METHOD_PATH, texts_of="all"):
        if m.group(2).startswith(prefixes):
            found.append((page, m.group(2), m.group(1)))
    return found


def _check(uses: list[tuple[str, str, str | None]]) -> list[str]:
    problems = []
    for page, path, method in uses:
        methods = _find(path)
        if methods is None:
            problems.append(f"{page}: {path} is not a route of the app")
        elif method and method not in methods:
            problems.append(f"{page}: {method} {path}: the route answers {sorted(methods)}")
    return sorted(set(problems))


def test_every_api_path_named_exists() -> None:
    uses = _paths(("/api", "/webhooks", "/health", "/schema"))
    assert len(uses) > 20, "the guide names few API paths: is the pattern broken?"
    problems = _check(uses)
    assert not problems, "\n".join(problems)


def test_every_web_app_path_named_exists() -> None:
    uses = _paths(("/app",))
    if not uses:
        pytest.skip("the guide names no /app/ page")
    if importlib.util.find_spec("web") is None:
        pytest.skip("the staff web app (web/) is not on this branch: the /app/ pages the guide "
                    f"names ({', '.join(sorted({p for _, p, _ in uses}))}) cannot be checked yet")
    problems = _check(uses)
    assert not problems, "\n".join(problems)
