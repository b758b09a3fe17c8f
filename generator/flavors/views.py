"""The view types both docs flavours hand to their templates, and the helpers they share.

A view holds what a section shows, already decided: which rows, which tables, which heading
depth, which link.  The flavours build views from the model (:mod:`generator.flavors.dcloud`,
:mod:`generator.flavors._mkdocs_view`); their templates only lay the views out.  A row's
compatibility cell is the one part whose shape differs: a dcloud :class:`CompatTable` (or None),
or the mkdocs flavour's :class:`Badge` tuple, hence ``Row[C]``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Generic, Literal, TypeVar

from markupsafe import Markup

__all__ = [
    "Badge",
    "Badges",
    "CallableView",
    "CaseLine",
    "CompatTable",
    "ExampleView",
    "InterfaceView",
    "Method",
    "Params",
    "ResultsView",
    "ReturnValue",
    "ReturnView",
    "Row",
    "RuleRow",
    "Status",
    "TypePageView",
    "TypeRef",
    "TypeTable",
    "ValueRow",
    "fence",
    "type_formatter",
]

_BACKTICKS = re.compile(r"`+")


def fence(code: str) -> str:
    """The backtick fence of a code block holding ``code``: longer than any run inside it."""
    longest = max((len(run) for run in _BACKTICKS.findall(code)), default=0)
    return "`" * max(3, longest + 1)


# ----------------------------------------------------------------------------------------------
# Both flavours


@dataclass(frozen=True)
class TypeRef:
    """A type as a docs cell shows it: aliases expanded, links resolved, error codes as numbers.

    ``kind`` is ``name`` (``text``, optional ``url``), ``bold`` (an object whose properties are
    shown right after the row), ``array`` (a generic: ``text`` of ``args``), ``union``
    (``args``) or ``function`` (``params``, ``returns``).
    """

    kind: Literal["name", "bold", "array", "union", "function"]
    text: str = ""
    url: str | None = None
    args: tuple[TypeRef, ...] = ()
    params: tuple[tuple[str, TypeRef], ...] = ()
    returns: TypeRef | None = None


@dataclass(frozen=True)
class ValueRow:
    """One valid value of an enumerated property (an error code and its runtime errMsg)."""

    value: str
    description: str
    errmsg: str = ""
    #: the dcloud flavour's compatibility cell of the value (a literal union member's)
    compat: CompatTable | None = None
    deprecated: bool = False


def type_formatter(
    escape: Callable[[str], Markup], link: Callable[[str], str], arrow: str
) -> Callable[[TypeRef], Markup]:
    """A flavour's ``md_type`` filter: a :class:`TypeRef` as Markdown, names through ``escape``,
    URLs through ``link``, ``arrow`` between a function's parameters and its result:
    ``[Name](url)``, ``**Name**``, ``Array&lt;string&gt;``, ``a &#124; b``, ``(res: T) => void``.
    """

    @lru_cache(maxsize=4096)
    def md_type(ref: TypeRef) -> Markup:
        kind = ref.kind
        if kind == "name":
            text = escape(ref.text)
            return Markup(f"[{text}]({link(ref.url)})") if ref.url else text
        if kind == "bold":
            return Markup(f"**{escape(ref.text)}**")
        if kind == "array":
            args = ", ".join(md_type(a) for a in ref.args)
            return Markup(f"{escape(ref.text)}&lt;{args}&gt;")
        if kind == "union":
            return Markup(" &#124; ".join(md_type(a) for a in ref.args))
        assert ref.returns is not None
        params = ", ".join(f"{escape(name)}: {md_type(t)}" for name, t in ref.params)
        return Markup(f"({params}) {arrow} {md_type(ref.returns)}")

    return md_type


C = TypeVar("C")


@dataclass(frozen=True)
class Row(Generic[C]):
    """A row of a parameter or property table; ``nested`` are the properties of its object type
    when the flavour shows them with the row."""

    name: str
    type: TypeRef
    required: bool
    default: str
    compat: C
    description: str
    requires: str | None = None
    values: tuple[ValueRow, ...] = ()
    nested: tuple[Row[C], ...] = ()
    #: struck through (``@deprecated``), after the other rows
    deprecated: bool = False
    #: the id of the ``nested`` table, where a page links to it from elsewhere
    nested_anchor: str | None = None


@dataclass(frozen=True)
class TypeTable(Generic[C]):
    """A named type's table: its heading (``caption``, ``anchor``, ``depth``) and rows."""

    name: str
    anchor: str
    depth: int
    rows: tuple[Row[C], ...]
    caption: str = ""


# ----------------------------------------------------------------------------------------------
# dcloud


Status = Literal["SUPPORTED", "NOT_SUPPORTED", "PARTIALLY_SUPPORTED"]


@dataclass(frozen=True)
class CompatTable:
    """The columns left after empty optional ones are deleted, their values, and the status."""

    titles: tuple[str, ...]
    values: tuple[str, ...]
    status: Status | None

    def as_component_data(self) -> dict[str, Any]:
        """The ``table`` prop of ``<CompatibilityTable>``."""
        data: dict[str, Any] = {
            "headers": [{"title": t} for t in self.titles],
            "rows": [list(self.values)],
        }
        if self.status is not None:
            data["status"] = self.status
        return data


@dataclass(frozen=True)
class Params:
    """A ``### 参数`` section: the heading depth, the rows, the type tables that follow."""

    depth: int
    rows: tuple[Row[CompatTable | None], ...]
    tables: tuple[TypeTable[CompatTable | None], ...]


@dataclass(frozen=True)
class Method:
    """One method of an interface inside ``returnValue``."""

    name: str
    signature: str
    anchor: str
    description: str
    depth: int
    compat: CompatTable | None
    params: Params | None


@dataclass(frozen=True)
class ReturnValue:
    type: TypeRef
    depth: int
    interface: str | None = None
    anchor: str | None = None
    methods: tuple[Method, ...] = ()
    tables: tuple[TypeTable[CompatTable | None], ...] = ()


# ----------------------------------------------------------------------------------------------
# mkdocs


@dataclass(frozen=True)
class Badge:
    """A compatibility badge: ``kind`` is ``yes``, ``no`` or ``none``; ``title`` the tooltip."""

    kind: str
    text: str
    title: str


Badges = tuple[Badge, ...]


@dataclass(frozen=True)
class RuleRow:
    """A conformance rule under an API; ``anchor`` only where the rule's anchor lives; ``url``
    where its full text is (the conformance page); ``apis``: the names it concerns in the
    section that lists it."""

    id: str
    level: str
    title: str
    text: str
    anchor: str | None = None
    url: str | None = None
    apis: tuple[str, ...] = ()


@dataclass(frozen=True)
class CaseLine:
    """A conformance case in an API section: its id, where its row of the full matrix is
    (the conformance page), and its verdict per implementation."""

    case: str
    url: str
    cells: Badges


@dataclass(frozen=True)
class ResultsView:
    """The conformance results of an API section's rules: a summary badge per implementation
    (``reference 12/12 PASS``) and the rows of their cases, each linking to the full matrix."""

    heading: str
    summary: Badges
    labels: tuple[str, ...]
    rows: tuple[CaseLine, ...]
    rows_heading: str
    case_label: str
    matrix_url: str
    matrix_label: str


@dataclass(frozen=True)
class CallableView:
    """Everything one API or method shows in the mkdocs flavour."""

    name: str
    anchor: str
    title: str
    description: str
    deprecated: str | None
    deprecated_since: str | None
    compat_heading: str
    compat_headers: tuple[str, ...]
    compat: Badges
    params: tuple[Row[Badges], ...]
    types: tuple[TypeTable[Badges], ...]
    rules: tuple[RuleRow, ...]
    returns: TypeRef | None
    examples: tuple[tuple[str, str], ...] = ()
    #: The examples as tabs: (tab label, fence language, code).
    example_tabs: tuple[tuple[str, str, str], ...] = ()
    #: The parameters fit one line (name, type, required each; no default, compatibility,
    #: description or values that would need the table's columns).
    params_inline: bool = False
    #: The results of the implementations for ``rules`` (None: no report, or no rules).
    results: ResultsView | None = None


@dataclass(frozen=True)
class InterfaceView:
    """The interface an API returns, whose methods follow its return value."""

    name: str
    anchor: str
    description: str
    heading: str


@dataclass(frozen=True)
class ReturnView:
    """An API's ``returnValue`` section: the type, and the interface's methods if it is one."""

    type: TypeRef
    iface: InterfaceView | None
    methods: tuple[CallableView, ...]


@dataclass(frozen=True)
class ExampleView:
    """A module's example: the checked links (label, http(s) URL), the fence language, the code
    ending in a newline."""

    title: str
    links: tuple[tuple[str, str], ...]
    lang: str
    code: str
    #: The tab label of the code (the spec's language name).
    tab: str = ""


@dataclass(frozen=True)
class TypePageView:
    """A named type's page; which of ``extends``/``rows``, ``methods``, ``codes``/``subject``
    and ``alias`` are set follows ``kind``.  ``used_by``: (who, link or None)."""

    name: str
    anchor: str
    module: str
    description: str
    used_by: tuple[tuple[str, str | None], ...]
    kind: str
    kind_label: str
    extends: TypeRef | None = None
    rows: tuple[Row[Badges], ...] = ()
    methods: tuple[CallableView, ...] = ()
    codes: tuple[ValueRow, ...] = ()
    subject: str = ""
    alias: TypeRef | None = None
