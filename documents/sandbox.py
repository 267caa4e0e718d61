"""The Jinja environment filing templates run in: sandboxed, strict and bounded.

Templates are uploaded by organisations, so they are treated as untrusted code. On top
of Jinja's ``ImmutableSandboxedEnvironment`` (no internals, no mutation) this adds:

* a short allow-list of filters and a single global (a capped ``range``), so nothing
  else reachable can allocate without bounds;
* a per-render :class:`RenderBudget` checked cooperatively: at every loop iteration,
  every call and every piece of output (wall-clock deadline), and before every
  operation that could build a huge value (``*``, ``**``, ``+``, ``join``, ``replace``);
* output counting: every ``{{ }}`` and every piece of literal document text is counted
  as it is produced, including inside ``{% set %}`` blocks and macros.

Checks run in the rendering thread, so no process is spawned per render; the overhead
is a few function calls per template tag (measured at about 5-10% over a bare docxtpl
render of the same built-in template).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from babel import Locale
from jinja2 import StrictUndefined, nodes, pass_context
from jinja2.defaults import DEFAULT_FILTERS
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context, markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

from documents.errors import RenderLimitExceeded
from documents.formatting import DEFAULT_LOCALE, and_list, long_date, resolve_locale

DEFAULT_TIME_LIMIT_S = 10.0
DEFAULT_MAX_OUTPUT_BYTES = 20 * 1024 * 1024
MAX_LOOP_ITEMS = 10_000
MAX_LIST_ITEMS = 100_000
# Integers beyond this many bits only come from a template trying to burn CPU.
MAX_INT_BITS = 4_096

# Filters a template author may use. Left out on purpose: safe (would let a value inject
# raw document XML), center/indent/format/batch/slice (a numeric argument decides how
# much memory they allocate), sum (adding lists is quadratic, in C, out of the deadline's
# reach), random (filings must be reproducible), tojson/pprint/xmlattr/urlencode/urlize
# (no use in a court document).
BUILTIN_FILTERS: frozenset[str] = frozenset(
    {
        "abs", "capitalize", "count", "d", "default", "dictsort", "e", "escape", "first",
        "float", "groupby", "int", "items", "join", "last", "length", "list", "lower",
        "map", "max", "min", "reject", "rejectattr", "replace", "reverse", "round",
        "select", "selectattr", "sort", "string", "striptags", "title", "trim",
        "truncate", "unique", "upper", "wordcount", "wordwrap",
    }
)  # fmt: skip
CUSTOM_FILTERS: frozenset[str] = frozenset({"long_date", "and_list"})
USER_FILTERS: frozenset[str] = BUILTIN_FILTERS | CUSTOM_FILTERS
UNSUPPORTED_TAGS: tuple[type[nodes.Node], ...] = (
    nodes.Extends,
    nodes.Include,
    nodes.Import,
    nodes.FromImport,
)

# String methods whose arguments decide how much memory the result takes.
_GROWING_STR_METHODS = frozenset(
    {"center", "ljust", "rjust", "zfill", "expandtabs", "format", "format_map"}
)


class RenderBudget:
    """Time and size allowance for one render, shared by every part of the document."""

    __slots__ = ("deadline", "time_limit_s", "max_chars", "produced")

    def __init__(self, time_limit_s: float, max_output_bytes: int) -> None:
        self.time_limit_s = time_limit_s
        self.deadline = time.monotonic() + time_limit_s
        self.max_chars = max_output_bytes
        self.produced = 0

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise RenderLimitExceeded(
                "time",
                f"The template took longer than {self.time_limit_s:g} seconds to fill in "
                "and was stopped.",
            )

    def check_value_size(self, size: int) -> None:
        if size > self.max_chars:
            raise RenderLimitExceeded(
                "value",
                f"The template builds a piece of text longer than the output limit "
                f"({self.max_chars} characters).",
            )

    def add_output(self, size: int) -> None:
        self.produced += size
        if self.produced > self.max_chars:
            raise RenderLimitExceeded(
                "size",
                f"The filled-in document would be larger than the limit of {self.max_chars} bytes.",
            )
        self.check_time()


def estimated_size(value: Any, limit: int) -> int:
    """Roughly how many characters ``str(value)`` would take, stopping once past ``limit``.

    Converting a list to text copies every string in it: ``[s] * 100000`` is cheap to
    build but ``str()`` of it is not, so values are measured before they become text.
    """
    total = 0
    stack = [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, str | bytes):
            total += len(item)
        elif isinstance(item, Mapping):
            total += 4 * len(item) + 2
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            total += 2 * len(item) + 2
            stack.extend(item)
        else:
            total += 24  # numbers and other small objects
    return total


def _budget(context: Context) -> RenderBudget:
    environment = context.environment
    if not isinstance(environment, FilingEnvironment):  # the guards are only compiled in by it
        raise TypeError("render guards need a FilingEnvironment")
    return environment.budget


# -- guards the compiled template calls; pass_context keeps Jinja from running them at
# -- compile time (constant folding) where no budget applies.


@pass_context
def _loop_guard(context: Context, iterable: Iterable[Any]) -> Iterator[Any]:
    budget = _budget(context)
    for item in iterable:
        budget.check_time()
        yield item


@pass_context
def _count_static(context: Context, size: int) -> str:
    _budget(context).add_output(size)
    return ""


@pass_context
def _count_value(context: Context, value: Any) -> Any:
    budget = _budget(context)
    budget.add_output(estimated_size(value, budget.max_chars))
    return value


@pass_context
def _concat(context: Context, pieces: list[Any]) -> str:
    """``a ~ b``: measured before the pieces become text, then joined as Jinja would."""
    budget = _budget(context)
    budget.check_value_size(estimated_size(pieces, budget.max_chars))
    join = markup_join if context.eval_ctx.autoescape else str_join
    return join(pieces)


def _guard_filter(func: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a Jinja filter so its input and arguments are measured before it runs.

    Most filters turn their input into text first (upper, trim, escape...), which is
    where a large list would cost memory.
    """
    pass_arg = getattr(func, "jinja_pass_arg", None)
    kind = pass_arg.name if pass_arg is not None else None

    @pass_context
    @functools.wraps(func)
    def guarded(context: Context, value: Any, *args: Any, **kwargs: Any) -> Any:
        budget = _budget(context)
        budget.check_time()
        budget.check_value_size(estimated_size([value, args, kwargs], budget.max_chars))
        if kind == "context":
            return func(context, value, *args, **kwargs)
        if kind == "eval_context":
            return func(context.eval_ctx, value, *args, **kwargs)
        if kind == "environment":
            return func(context.environment, value, *args, **kwargs)
        return func(value, *args, **kwargs)

    return guarded


@pass_context
def _guarded_join(context: Context, value: Iterable[Any], d: str = "", attribute: Any = None):
    budget = _budget(context)
    items = list(value)
    estimate = len(str(d)) * max(len(items) - 1, 0)
    estimate += estimated_size(items, budget.max_chars)
    budget.check_value_size(estimate)
    return DEFAULT_FILTERS["join"](context.eval_ctx, items, d, attribute)


@pass_context
def _guarded_replace(context: Context, s: Any, old: Any, new: Any, count: int | None = None):
    _check_replace(_budget(context), str(s), str(old), str(new), count)
    return DEFAULT_FILTERS["replace"](context.eval_ctx, s, old, new, count)


def _check_replace(budget: RenderBudget, s: str, old: str, new: str, count: Any) -> None:
    hits = s.count(old) if old else len(s) + 1
    if isinstance(count, int) and count >= 0:
        hits = min(hits, count)
    budget.check_value_size(len(s) + hits * max(len(new) - len(old), 0))


@pass_context
def _long_date_filter(context: Context, value: Any) -> str:
    return long_date(value, context.environment.locale)  # type: ignore[attr-defined]


@pass_context
def _and_list_filter(context: Context, value: Iterable[Any]) -> str:
    if isinstance(value, str):
        return value
    return and_list(value, context.environment.locale)  # type: ignore[attr-defined]


def _filter(node: nodes.Expr, name: str, *args: nodes.Expr) -> nodes.Filter:
    return nodes.Filter(node, name, list(args), [], None, None, lineno=node.lineno)


class _GuardInserter(NodeTransformer):
    """Rewrites the parsed template so the guards above run where work can pile up."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = _filter(node.iter, "_loop_guard")  # type: ignore[arg-type]
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return _filter(nodes.List(node.nodes, lineno=node.lineno), "_concat")

    def visit_Output(self, node: nodes.Output) -> nodes.Node:
        self.generic_visit(node)
        static = sum(len(c.data) for c in node.nodes if isinstance(c, nodes.TemplateData))
        children: list[nodes.Expr] = []
        if static:
            children.append(_filter(nodes.Const(static, lineno=node.lineno), "_count_static"))
        for child in node.nodes:
            if isinstance(child, nodes.TemplateData):
                children.append(child)
            else:
                children.append(_filter(child, "_count_value"))
        node.nodes = children
        return node


class FilingEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox every filing template is parsed, checked and rendered in."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(
        self,
        *,
        locale: Locale | str = DEFAULT_LOCALE,
        budget: RenderBudget | None = None,
        autoescape: bool = True,
    ) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=autoescape)
        self.locale = locale if isinstance(locale, Locale) else resolve_locale(locale)
        self.budget = budget or RenderBudget(DEFAULT_TIME_LIMIT_S, DEFAULT_MAX_OUTPUT_BYTES)
        self.globals = {"range": self._range}
        self.filters = {
            **_GUARDED_BUILTIN_FILTERS,
            "join": _guarded_join,
            "replace": _guarded_replace,
            "long_date": _long_date_filter,
            "and_list": _and_list_filter,
            "_loop_guard": _loop_guard,
            "_count_static": _count_static,
            "_count_value": _count_value,
            "_concat": _concat,
        }

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
        # Every template, whichever way docxtpl hands it over, is compiled with guards.
        if isinstance(source, str):
            source = self.parse(source, name, filename)
        source = _GuardInserter().visit(source)
        return super().compile(source, name, filename, raw, defer_init)

    def _range(self, *args: int) -> range:
        try:
            numbers = range(*args)
            size = len(numbers)
        except OverflowError:
            size = MAX_LOOP_ITEMS + 1
            numbers = range(0)
        if size > MAX_LOOP_ITEMS:
            raise RenderLimitExceeded(
                "loop", f"A loop in the template runs over more than {MAX_LOOP_ITEMS} items."
            )
        return numbers

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        # Refused at access rather than at call: Jinja wraps str.format on access, so a
        # call-time check would not recognise it.
        if isinstance(obj, str | bytes) and attr in _GROWING_STR_METHODS:
            return False
        return super().is_safe_attribute(obj, attr, value)

    def wrap_str_format(self, value: Any) -> None:
        # Jinja hands out a sandboxed str.format here, skipping is_safe_attribute; format
        # takes field widths from the template, so it is refused there instead.
        return None

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        __self.budget.check_time()
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str | bytes):
            method = getattr(__obj, "__name__", "")
            if method == "join" and args:
                # Materialise once: a generator (from map, say) checked here would
                # otherwise reach the real join already exhausted.
                items = list(args[0])
                _guarded_join_check(__self.budget, owner, items)
                args = (items, *args[1:])
            elif method == "replace" and len(args) >= 2:
                count = args[2] if len(args) > 2 else kwargs.get("count", -1)
                _check_replace(__self.budget, str(owner), str(args[0]), str(args[1]), count)
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            self._check_product(left, right)
        elif operator == "**":
            self._check_power(left, right)
        elif operator == "+":
            if isinstance(left, str | bytes | list | tuple) and isinstance(
                right, str | bytes | list | tuple
            ):
                if isinstance(left, list | tuple):
                    self._check_items(len(left) + len(right))
                limit = self.budget.max_chars
                self.budget.check_value_size(
                    estimated_size(left, limit) + estimated_size(right, limit)
                )
        elif operator == "%" and isinstance(left, str | bytes):
            # printf-style formatting takes a field width from the template.
            raise SecurityError("text formatting with '%' is not available in templates")
        return super().call_binop(context, operator, left, right)

    def _check_product(self, left: Any, right: Any) -> None:
        if isinstance(left, int) and isinstance(right, str | bytes | list | tuple):
            left, right = right, left
        if isinstance(left, list | tuple) and isinstance(right, int):
            self._check_items(len(left) * max(right, 0))
        if isinstance(left, str | bytes | list | tuple) and isinstance(right, int):
            size = estimated_size(left, self.budget.max_chars)
            self.budget.check_value_size(size * max(right, 0))
        elif isinstance(left, int) and isinstance(right, int):
            if left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise RenderLimitExceeded("value", "The template computes an enormous number.")

    def _check_items(self, count: int) -> None:
        if count > MAX_LIST_ITEMS:
            raise RenderLimitExceeded(
                "value", f"The template builds a list of more than {MAX_LIST_ITEMS} items."
            )

    def _check_power(self, left: Any, right: Any) -> None:
        if isinstance(left, int) and isinstance(right, int) and right > 0:
            if max(left.bit_length(), 1) * right > MAX_INT_BITS:
                raise RenderLimitExceeded("value", "The template computes an enormous number.")


def _guarded_join_check(budget: RenderBudget, separator: str | bytes, items: list[Any]) -> None:
    estimate = len(separator) * max(len(items) - 1, 0)
    estimate += estimated_size(items, budget.max_chars)
    budget.check_value_size(estimate)


_GUARDED_BUILTIN_FILTERS: dict[str, Callable[..., Any]] = {
    name: _guard_filter(DEFAULT_FILTERS[name]) for name in BUILTIN_FILTERS
}


__all__ = [
    "BUILTIN_FILTERS",
    "CUSTOM_FILTERS",
    "DEFAULT_MAX_OUTPUT_BYTES",
    "DEFAULT_TIME_LIMIT_S",
    "MAX_LOOP_ITEMS",
    "FilingEnvironment",
    "RenderBudget",
    "USER_FILTERS",
]
