"""What a template needs, and every reason it cannot be used (the upload checks)."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from threading import Lock

from jinja2 import TemplateSyntaxError, meta, nodes

from documents.docx_io import (
    TemplatePart,
    open_template,
    problem_from_jinja,
    render_namespace,
    template_parts,
    validate_docx,
    where,
)
from documents.errors import (
    DRY_RUN_FAILED,
    LIMIT_EXCEEDED,
    SYNTAX_ERROR,
    UNDEFINED_VARIABLE,
    UNKNOWN_FILTER,
    UNKNOWN_TEST,
    UNKNOWN_VARIABLE,
    UNSAFE_ATTRIBUTE,
    UNSUPPORTED_TAG,
    RenderLimitExceeded,
    TemplateProblem,
    TemplateRejected,
)
from documents.sandbox import (
    DEFAULT_MAX_OUTPUT_BYTES,
    UNSUPPORTED_TAGS,
    USER_FILTERS,
    FilingEnvironment,
)
from documents.variables import (
    CATALOGUE,
    NAMESPACES,
    is_safe_name,
    is_user_field_name,
    sample_namespace,
)

# An upload waits for its dry run; a normal template renders in well under a second.
CHECK_TIME_LIMIT_S = 5.0

# Using a variable through these makes it optional: the template copes without it.
_OPTIONAL_FILTERS = frozenset({"default", "d"})
_OPTIONAL_TESTS = frozenset({"defined", "undefined"})


@dataclass(frozen=True, slots=True)
class TemplateVariables:
    """The variables a template uses. ``optional`` ones are only used with ``|default``
    or behind ``is defined``; every other one must be supplied to render."""

    required: frozenset[str]
    optional: frozenset[str]

    @property
    def all(self) -> frozenset[str]:
        return self.required | self.optional


@dataclass(slots=True)
class _Analysis:
    variables: TemplateVariables
    # Problems found without running the template; render_filing refuses on any.
    problems: list[TemplateProblem] = field(default_factory=list)


def _walk(
    node: nodes.Node, parents: tuple[nodes.Node, ...] = ()
) -> Iterator[tuple[nodes.Node, tuple[nodes.Node, ...]]]:
    yield node, parents
    for child in node.iter_child_nodes():
        yield from _walk(child, (*parents, node))


def _dotted_uses(ast: nodes.Template, roots: set[str]) -> Iterator[tuple[str, bool, int]]:
    """Each use of an undeclared variable: (dotted name, whether it is guarded, line)."""
    for node, parents in _walk(ast):
        if not (isinstance(node, nodes.Name) and node.ctx == "load" and node.name in roots):
            continue
        parts = [node.name]
        top: nodes.Node = node
        index = len(parents) - 1
        while index >= 0:
            parent = parents[index]
            if isinstance(parent, nodes.Getattr) and parent.node is top:
                parts.append(parent.attr)
            elif (
                isinstance(parent, nodes.Getitem)
                and parent.node is top
                and isinstance(parent.arg, nodes.Const)
                and isinstance(parent.arg.value, str)
            ):
                parts.append(parent.arg.value)
            else:
                break
            top = parent
            index -= 1
        outer = parents[index] if index >= 0 else None
        if isinstance(outer, nodes.Call) and outer.node is top and len(parts) > 1:
            parts.pop()  # reason.upper() uses "reason"; "upper" is a method, not data
        guarded = (
            isinstance(outer, nodes.Filter)
            and outer.node is top
            and outer.name in _OPTIONAL_FILTERS
        ) or (isinstance(outer, nodes.Test) and outer.node is top and outer.name in _OPTIONAL_TESTS)
        yield ".".join(parts), guarded, node.lineno


def _never(*_args: object, **_kwargs: object) -> None:
    """Stands in for unknown filters and tests while variables are found; never called."""
    raise AssertionError("placeholder filter called")


def _unknown_variable_message(name: str) -> str:
    root = name.split(".")[0]
    if root in NAMESPACES:
        known = sorted(n for n in CATALOGUE if n.startswith(root + "."))
        return (
            f"'{name}' is not a value the system fills in. Under '{root}' you can use: "
            + ", ".join(known)
            + "."
        )
    if root == "today":
        return (
            f"'{name}' is not available: today is already the date written out; "
            "use {{ today }}."
        )
    return (
        f"'{name}' is not a known variable. Fields you type in must be plain lowercase names "
        "(letters, digits and _ , starting with a letter), such as reason or proposed_date."
    )


def _analyse_part(
    env: FilingEnvironment, part: TemplatePart
) -> tuple[list[tuple[str, bool, str]], list[TemplateProblem]]:
    problems: list[TemplateProblem] = []
    try:
        ast = env.parse(part.source)
    except TemplateSyntaxError as exc:
        problems.append(problem_from_jinja(exc, part.label, part.source))
        return [], problems

    def at_line(lineno: int) -> str:
        return where(part.label, part.source, lineno)

    def at(node: nodes.Node) -> str:
        return at_line(node.lineno)

    for node in ast.find_all(UNSUPPORTED_TAGS):
        problems.append(
            TemplateProblem(
                UNSUPPORTED_TAG,
                "Templates cannot include, import or extend other templates.",
                at(node),
            )
        )
    for node in ast.find_all(nodes.Filter):
        if node.name not in USER_FILTERS:
            problems.append(
                TemplateProblem(
                    UNKNOWN_FILTER,
                    f"The filter '{node.name}' is not available. Available filters: "
                    + ", ".join(sorted(USER_FILTERS))
                    + ".",
                    at(node),
                )
            )
    for node in ast.find_all(nodes.Test):
        if node.name not in env.tests:
            problems.append(
                TemplateProblem(UNKNOWN_TEST, f"The test '{node.name}' is not available.", at(node))
            )
    unsafe: dict[str, list[str]] = {}  # location -> names, so one chain is one problem
    for node in ast.find_all((nodes.Getattr, nodes.Getitem, nodes.Name)):
        attr: object = None
        if isinstance(node, nodes.Getattr):
            attr = node.attr
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            attr = node.arg.value
        elif isinstance(node, nodes.Name):
            attr = node.name
        if isinstance(attr, str) and attr.startswith("_"):
            names = unsafe.setdefault(at(node), [])
            if attr not in names:
                names.append(attr)
    for location, names in unsafe.items():
        problems.append(
            TemplateProblem(
                UNSAFE_ATTRIBUTE,
                "The template tries to reach program internals ("
                + ", ".join(f"'{n}'" for n in sorted(names))
                + "); templates may only use the variables in the catalogue and typed fields.",
                location,
            )
        )
    # Jinja's variable finder compiles the template and stops at the first unknown filter
    # or test; let it accept those (already reported above) so variables are still found.
    finder = FilingEnvironment()
    finder.filters = {**dict.fromkeys((n.name for n in ast.find_all(nodes.Filter)), _never),
                      **finder.filters}  # fmt: skip
    finder.tests = {**dict.fromkeys((n.name for n in ast.find_all(nodes.Test)), _never),
                    **finder.tests}  # fmt: skip
    ast.set_environment(finder)
    roots = set(meta.find_undeclared_variables(ast))
    uses = [(name, guarded, at_line(line)) for name, guarded, line in _dotted_uses(ast, roots)]
    return uses, problems


def _analyse(docx_bytes: bytes) -> _Analysis:
    template = open_template(docx_bytes)
    env = FilingEnvironment()
    uses: list[tuple[str, bool, str]] = []
    problems: list[TemplateProblem] = []
    for part in template_parts(template):
        part_uses, part_problems = _analyse_part(env, part)
        uses += part_uses
        problems += part_problems
    names = {name for name, _, _ in uses}
    optional = {name for name, guarded, _ in uses if guarded}
    first_seen: dict[str, str] = {}
    for name, _, location in uses:
        first_seen.setdefault(name, location)
    for name in sorted(names):
        if not is_safe_name(name):
            continue  # already reported as unsafe where it occurs
        if name not in CATALOGUE and not is_user_field_name(name):
            problems.append(
                TemplateProblem(UNKNOWN_VARIABLE, _unknown_variable_message(name), first_seen[name])
            )
    variables = TemplateVariables(
        required=frozenset(names - optional), optional=frozenset(optional)
    )
    return _Analysis(variables, problems)


# Rendering the same template again (every filing from a built-in, say) should not pay
# for parsing it twice; keyed by content so an edited upload is analysed afresh.
_CACHE: OrderedDict[str, _Analysis] = OrderedDict()
_CACHE_SIZE = 64
_CACHE_LOCK = Lock()


def _cached_analysis(docx_bytes: bytes) -> _Analysis:
    key = hashlib.sha256(docx_bytes).hexdigest()
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    analysis = _analyse(docx_bytes)
    with _CACHE_LOCK:
        _CACHE[key] = analysis
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return analysis


def analyse_template(docx_bytes: bytes) -> tuple[TemplateVariables, list[TemplateProblem]]:
    """Variables and static problems (those found without running the template).

    Raises :class:`TemplateRejected` when the bytes are not a usable .docx.
    """
    analysis = _cached_analysis(docx_bytes)
    return analysis.variables, list(analysis.problems)


def describe_template(docx_bytes: bytes) -> TemplateVariables:
    """The required and optional variables of a template (see :class:`TemplateVariables`).

    Raises :class:`TemplateRejected` when the file is not a .docx or has a syntax error,
    since its variables cannot then be known.
    """
    variables, problems = analyse_template(docx_bytes)
    syntax = [p for p in problems if p.code == SYNTAX_ERROR]
    if syntax:
        raise TemplateRejected(syntax)
    return variables


def discover_variables(docx_bytes: bytes) -> set[str]:
    """Every variable a template uses, from its body, tables, headers, footers, footnotes
    and core properties: dotted system names (``court.name``) and plain user fields."""
    return set(describe_template(docx_bytes).all)


def _placeholder_namespace(names: frozenset[str]) -> dict[str, object]:
    """Sample values for every known variable, and harmless text for unknown ones so the
    dry run can still find problems beyond those already reported."""
    ns: dict[str, object] = sample_namespace(names)
    for name in names:
        if not is_safe_name(name) or name in CATALOGUE or is_user_field_name(name):
            continue
        target: object = ns
        parts = name.split(".")
        for part in parts[:-1]:
            if not isinstance(target, dict):
                break
            target = target.setdefault(part, {})
        if isinstance(target, dict) and parts[-1] not in target:
            target[parts[-1]] = f"Sample text for {name}"
    return ns


def check_template(
    docx_bytes: bytes,
    *,
    time_limit_s: float = CHECK_TIME_LIMIT_S,
    max_output_bytes: int = DEFAULT_MAX_OUTPUT_BYTES,
) -> list[TemplateProblem]:
    """Every reason an uploaded template cannot be used; an empty list means it can.

    Checks, in order: the file is a .docx; each part's Jinja syntax; no include/import;
    only available filters and tests; no reach for internals; every variable is in the
    catalogue or is a valid typed-field name; and a sandboxed dry run with a full sample
    context, under the same time and size limits as real rendering.
    """
    problems = validate_docx(docx_bytes)
    if problems:
        return problems
    variables, problems = analyse_template(docx_bytes)
    if any(p.code == SYNTAX_ERROR for p in problems):
        return problems  # a template that does not parse cannot be dry-run
    try:
        render_namespace(
            docx_bytes,
            _placeholder_namespace(variables.all),
            locale="en",
            time_limit_s=time_limit_s,
            max_output_bytes=max_output_bytes,
        )
    except RenderLimitExceeded as exc:
        problems.append(TemplateProblem(LIMIT_EXCEEDED, str(exc)))
    except TemplateRejected as exc:
        reported = {p.code for p in problems}
        for problem in exc.problems:
            # The dry run trips over what the static checks already named; say it once.
            duplicate = (
                (problem.code == UNSAFE_ATTRIBUTE and UNSAFE_ATTRIBUTE in reported)
                or (problem.code == UNDEFINED_VARIABLE and reported & {
                    UNKNOWN_VARIABLE, UNSAFE_ATTRIBUTE})
                or (problem.code == UNKNOWN_FILTER and UNKNOWN_FILTER in reported)
                or (problem.code == UNKNOWN_TEST and UNKNOWN_TEST in reported)
                or (problem.code == DRY_RUN_FAILED and UNSUPPORTED_TAG in reported)
            )  # fmt: skip
            if not duplicate:
                problems.append(problem)
    return problems
