"""Read the Markdown of one ``utsApiJson.json`` section into facts.

The sections are Markdown as the uni-app x docs render it (see
``../shared/reference/uni-websocket-facts.md`` §1.3 and ``generator/flavors/dcloud.py``):

- headings ``## uni.name(args) @anchor`` (a struck ``~~name~~`` is deprecated), ``### X 兼容性``,
  ``### 参数``, ``### 返回值``, ``#### T 的属性值 @t-values``, ``#### T 的方法 @t-values``, method
  headings ``#### send(options: T): void; @send``, ``### 参见``, ``## 示例``;
- tables whose nested rows carry one ``@`` per level (``@|``, ``@@|`` …): a nested table describes
  the fields of the row above it, or its legal values (``合法值``).  When the row above names
  one declared type (``**T**``, ``Array<T>``, ``T<U>``, a capitalised name), the nested fields
  are ``T``'s and get the path ``(T, field)`` (and a ``type`` fact), the same facts as a
  ``T 的属性值`` table: where a type's table is printed is rendering, not a fact;
- compatibility cells ``<CompatibilityTable table='{"headers":[{"title":…}],"rows":[[…]]}' />``;
- link lists ``- [label](url)`` and source links ``> GitHub: url``.

Each fact is ``(key, category, path) -> value``; the comparison matches facts by that identity and
compares values.  Values are normalised so that rendering choices that carry no fact do not count:
links and ``**``/``~~`` are removed (the link target becomes a ``type-link`` fact), HTML entities
are decoded, whitespace is collapsed, a version's ``+`` is dropped, and a ``-`` compatibility or
default cell is no fact at all.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

__all__ = ["Fact", "ParseProblem", "SectionFacts", "classify_link", "section_facts"]


@dataclass(frozen=True, order=True)
class Fact:
    key: str
    category: str
    path: tuple[str, ...]
    value: str

    @property
    def identity(self) -> tuple[str, str, tuple[str, ...]]:
        return (self.key, self.category, self.path)


@dataclass(frozen=True)
class ParseProblem:
    """A line of a section that looked like a fact but could not be read."""

    key: str
    section: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"$.{self.key}.{self.section}: line {self.line}: {self.message}"


@dataclass
class SectionFacts:
    facts: list[Fact] = field(default_factory=list)
    problems: list[ParseProblem] = field(default_factory=list)


_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
_ROW = re.compile(r"^(@*)\|(.*)$")
_SEPARATOR_CELL = re.compile(r"^:?-+:?$")
_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)\)")
_COMPAT_CELL = re.compile(r"<CompatibilityTable\s+table='(.*?)'[^>]*/>", re.S)
_COMPONENT = re.compile(r"<[A-Z][A-Za-z]*\s*/>")
_LIST_LINK = re.compile(r"^\s*[-*]\s+\[([^\]]*)\]\(([^)\s]+)\)\s*$")
_SOURCE_LINK = re.compile(r"^>\s*([A-Za-z]+):\s*(\S+)\s*$")
_ANCHOR_TAG = re.compile(r"<a\b[^>]*>(.*?)</a>", re.S)
_TAG = re.compile(r"<[^>]+>")
_ERROR_LINE = re.compile(r"^-\s*(-?\d+)\s*[:：]?\s*(.*)$")  # "- 4: text" too
#: a type cell naming one declared type (``T``, ``Array<T>``, ``Promise<T>``: the nested rows
#: are T's); a lower-case name is primitive
_NAMED_TYPE = re.compile(r"(?:Array|Promise)<([A-Z_$][\w$]*)>|([A-Z_$][\w$.]*)(?:<[\w$, .]*>)?")
_CODE_BLOCK = re.compile(r"^\s*(```|~~~)")

#: header cell -> role, for the field, legal-value and return tables.
_ROLES = {
    "名称": "name",
    "类型": "type",
    "必填": "required",
    "必备": "required",
    "默认值": "default",
    "兼容性": "compat",
    "描述": "description",
    "合法值": "value",
}
_YES_NO = {"是": "yes", "否": "no"}

_LinkRules = tuple[tuple[re.Pattern[str], str], ...]


def classify_link(url: str, rules: _LinkRules, default: str) -> str:
    for pattern, category in rules:
        if pattern.search(url):
            return category
    return default


def _split_cells(body: str) -> list[str]:
    """Cells of a table row (without the leading ``|``); ``\\|`` and pipes inside a
    ``<CompatibilityTable … />`` do not split."""
    cells: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(body):
        if body.startswith("<CompatibilityTable", i):
            end = body.find("/>", i)
            end = len(body) if end < 0 else end + 2
            current.append(body[i:end])
            i = end
            continue
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            current.append(body[i : i + 2])
            i += 2
            continue
        if char == "|":
            cells.append("".join(current).strip())
            current = []
        else:
            current.append(char)
        i += 1
    tail = "".join(current).strip()
    if tail:
        cells.append(tail)
    return cells


def _plain(text: str) -> str:
    """Text without Markdown links, emphasis, tags and entities, whitespace collapsed."""
    text = text.replace("\\<", "&lt;")  # DCloud's escaped "Array\<T>" is text, not a tag
    text = _LINK.sub(r"\1", text)
    text = _ANCHOR_TAG.sub(r"\1", text)
    text = re.sub(r"<br\s*/?>", " ", text)
    text = _TAG.sub("", text)
    text = text.replace("**", "").replace("~~", "").replace("\\", "")
    text = html.unescape(text)
    return " ".join(text.split())


def _version(cell: str) -> str:
    value = _plain(cell)
    return value[:-1] if value.endswith("+") and value[:-1][:1].isdigit() else value


def _signature(text: str) -> str:
    """A method signature as declared, without spacing that carries nothing: DCloud copies the
    declaration's text (``close() : void``, ``options ?: T``, a trailing ``,`` or ``;``)."""
    text = " ".join(text.split()).rstrip(";,").strip()
    text = re.sub(r"\s*(\?)?\s*:\s*", lambda m: f"{m.group(1) or ''}: ", text)
    text = re.sub(r"\(\s+", "(", text)
    text = re.sub(r",?\s+\)", ")", text)
    return text


def _split_anchor(text: str) -> tuple[str, str]:
    head, sep, anchor = text.rpartition(" @")
    if sep and anchor and " " not in anchor.strip():
        return head.strip(), anchor.strip()
    return text.strip(), ""


@dataclass
class _Table:
    kind: str  # "fields", "values", "return", "compat"
    roles: list[str]
    columns: list[str]
    parent: tuple[str, ...]
    separator_seen: bool = False


class _Reader:
    """Walks one section line by line; the headings set the context of the tables below them."""

    def __init__(
        self, key: str, section: str, rules: _LinkRules, columns: Mapping[str, str]
    ) -> None:
        self.key = key
        self.section = section
        self.rules = rules
        self.columns = columns
        self.out = SectionFacts()
        self.scope: tuple[str, ...] = ()
        self.scope_level = 0
        self.interface = ""
        #: (heading level, name) of every "X 的方法" heading still open: a method heading at a
        #: level closes the interfaces opened deeper (``###### Stats 的方法`` inside a method of
        #: ``#### FileSystemManager 的方法`` ends at the next ``####`` method)
        self.interfaces: list[tuple[int, str]] = []
        #: (heading level, owner) of the methods still open, and the parts (参数, 返回值) each
        #: has shown: a part a method has shown already is its enclosing method's
        self.methods: list[tuple[int, str]] = []
        self.parts: set[tuple[str, str]] = set()
        self.expect = ""  # what the next table is: "fields", "return", "compat", ""
        self.owner: tuple[str, ...] = ()
        self.tables: dict[int, _Table] = {}
        self.rows: dict[int, tuple[str, ...]] = {}
        #: depth -> the named type of that depth's current row, whose fields a nested table lists
        self.row_types: dict[int, str] = {}
        self.text: list[str] = []
        self.text_path: tuple[str, ...] | None = None
        self.line = 0

    # -- output --------------------------------------------------------------------------------

    def fact(self, category: str, path: tuple[str, ...], value: str) -> None:
        self.out.facts.append(Fact(self.key, category, path, value))

    def problem(self, message: str) -> None:
        self.out.problems.append(ParseProblem(self.key, self.section, self.line, message))

    def flush_text(self) -> None:
        if self.text_path is not None:
            text = _plain(" ".join(self.text))
            if text:
                self.fact("description", self.text_path, text)
        self.text = []
        self.text_path = None

    # -- lines ---------------------------------------------------------------------------------

    def read(self, text: str) -> SectionFacts:
        if self.section == "description":
            self.text_path = ()
        in_code = False
        for self.line, raw in enumerate(text.split("\n"), start=1):
            line = raw.rstrip()
            if _CODE_BLOCK.match(line):
                in_code = not in_code
                continue
            if in_code:
                continue
            heading = _HEADING.match(line)
            row = _ROW.match(line)
            if heading:
                self.flush_text()
                self.end_tables()
                self.heading(len(heading.group(1)), heading.group(2))
            elif row:
                self.row(len(row.group(1)), _split_cells(row.group(2)))
            elif not line.strip():
                self.end_tables()
            else:
                self.other(line)
        self.flush_text()
        return self.out

    def end_tables(self) -> None:
        self.tables.clear()
        self.rows.clear()
        self.row_types.clear()

    def heading(self, level: int, raw: str) -> None:
        text, anchor = _split_anchor(_COMPONENT.sub("", raw))
        if self.scope and level <= self.scope_level and not self.of_method(text):
            self.scope = ()
        if self.scope and text in ("参数", "返回值"):
            if (self.scope[0], text) in self.parts:
                # DCloud prints a nested interface's methods inside a method, then that
                # method's own 返回值: the second one belongs to the enclosing method
                enclosing = [(lv, o) for lv, o in self.methods if lv < level]
                if enclosing and enclosing[-1][1] != self.scope[0]:
                    self.scope_level, owner = enclosing[-1]
                    self.scope = (owner,)
            self.parts.add((self.scope[0], text))
        self.expect = ""
        if self.section == "name" and text != "通用类型":
            self.api_or_method(level, text, anchor)
        elif text.endswith("兼容性"):
            self.expect = "compat"
        elif text == "参数":
            self.expect = "fields"
            self.owner = self.scope
        elif text == "返回值":
            self.expect = "return"
        elif text.endswith("的属性值"):
            name = _plain(text[: -len("的属性值")])
            self.owner = (name,)
            self.expect = "fields"
            self.fact("type", (name,), "")
        elif text.endswith("的方法"):
            self.interfaces = [(lv, n) for lv, n in self.interfaces if lv < level]
            self.interfaces.append((level, _plain(text[: -len("的方法")])))
            self.interface = self.interfaces[-1][1]
            self.fact("type", (self.interface,), "")
        elif text in ("参见", "示例", "通用类型"):
            pass
        elif "(" in text:
            self.api_or_method(level, text, anchor)
        elif re.fullmatch(r"[A-Za-z_$][\w$.]*", _plain(text)):
            self.owner = (_plain(text),)
            self.expect = "fields"
            self.fact("type", self.owner, "")
        else:
            self.problem(f"a heading this reader does not know: {text!r}")

    def of_method(self, text: str) -> bool:
        """Whether a heading is a part of the method above it whatever its level: DCloud's data
        prints a method's ``参数``, ``返回值`` and ``name 兼容性`` a level above or at the
        method's own (``###### start(…)`` then ``##### 参数``), and they still belong to it."""
        if text in ("参数", "返回值"):
            return True
        method = self.scope[0].rsplit(".", 1)[-1] if self.scope else ""
        return bool(method) and _plain(text) == f"{method} 兼容性"

    def api_or_method(self, level: int, text: str, anchor: str) -> None:
        signature = _plain(text)
        deprecated = "~~" in text
        name = signature.split("(", 1)[0]
        if self.section == "name" or name.startswith("uni."):
            self.fact("name", (), signature)
            self.fact("deprecated", (), "yes" if deprecated else "no")
            if anchor:
                self.fact("anchor", (), anchor)
            return
        self.interfaces = [(lv, n) for lv, n in self.interfaces if lv <= level]
        self.interface = self.interfaces[-1][1] if self.interfaces else ""
        owner = f"{self.interface}.{name}" if self.interface else name
        self.scope = (owner,)
        self.scope_level = level
        self.methods = [(lv, o) for lv, o in self.methods if lv < level] + [(level, owner)]
        self.fact("method", (owner,), _signature(signature))
        self.fact("deprecated", (owner,), "yes" if deprecated else "no")
        if anchor:
            self.fact("anchor", (owner,), anchor)
        self.text_path = (owner,)
        self.text = []

    def other(self, line: str) -> None:
        self.end_tables()
        link = _LIST_LINK.match(line)
        source = _SOURCE_LINK.match(line)
        if link and self.section == "tutorial":
            label, url = _plain(link.group(1)), link.group(2)
            self.fact(classify_link(url, self.rules, "tutorial"), (label,), url)
        elif source and self.section == "name":
            self.fact("source-link", (source.group(1),), source.group(2))
        elif self.text_path is not None:
            if self.scope and not self.text and _plain(line) == self.scope[0].rsplit(".", 1)[-1]:
                return  # DCloud repeats a method's name on the line after its heading
            self.text.append(line)

    # -- tables --------------------------------------------------------------------------------

    def row(self, depth: int, cells: list[str]) -> None:
        self.flush_text()
        table = self.tables.get(depth)
        if (
            table is not None
            and not table.separator_seen
            and all(_SEPARATOR_CELL.match(c) for c in cells)
        ):
            table.separator_seen = True
            return
        if table is None or (table.separator_seen and self.is_header(cells)):
            self.start_table(depth, cells)
            return
        for deeper in [d for d in self.tables if d > depth]:
            del self.tables[deeper]
        self.row_types.pop(depth, None)
        if table.kind == "compat":
            for column, cell in zip(table.columns, cells, strict=False):
                value = _version(cell)
                if value and value != "-":
                    self.fact("api-compatibility", (*self.scope, column), value)
        elif table.kind == "return":
            self.return_row(table, cells)
        elif table.kind == "values":
            self.value_row(table, cells)
        else:
            self.field_row(depth, table, cells)

    @staticmethod
    def is_header(cells: list[str]) -> bool:
        return bool(cells) and cells[0] in ("名称", "合法值", "类型")

    def start_table(self, depth: int, cells: list[str]) -> None:
        roles = [_ROLES.get(c, "") for c in cells]
        parent = self.rows.get(depth - 1, self.owner) if depth else self.owner
        named = self.row_types.get(depth - 1) if depth else None
        if named is not None and roles[:1] == ["name"]:
            # the fields of a named type printed as @-rows under the row that uses it are the
            # facts of that type wherever the table is printed (nested, or "T 的属性值")
            parent = (named,)
            self.fact("type", parent, "")
        if depth == 0 and self.expect == "compat":
            columns = [self.column(c) for c in cells]
            self.tables[0] = _Table("compat", roles, columns, parent)
        elif roles[:1] == ["value"]:
            self.tables[depth] = _Table("values", roles, [], parent)
        elif roles[:1] == ["name"]:
            self.tables[depth] = _Table("fields", roles, [], parent)
        elif roles[:1] == ["type"]:
            self.tables[depth] = _Table("return", roles, [], parent)
        else:
            self.problem(f"a table this reader does not know, header {cells!r}")
            self.tables[depth] = _Table("unknown", roles, [], parent)

    def column(self, title: str) -> str:
        name = _plain(title)
        return self.columns.get(name, name)

    def cells_by_role(self, table: _Table, cells: list[str]) -> dict[str, str]:
        if len(cells) < len(table.roles):
            self.problem(f"{len(cells)} cell(s) where the header has {len(table.roles)}")
        return {r: c for r, c in zip(table.roles, cells, strict=False) if r}

    def field_row(self, depth: int, table: _Table, cells: list[str]) -> None:
        if table.kind != "fields":
            return
        by_role = self.cells_by_role(table, cells)
        raw_name = by_role.get("name", "")
        name = _plain(raw_name)
        if not name:
            self.problem("a field row without a name")
            return
        path = (*table.parent, name)
        self.rows[depth] = path
        if "~~" in raw_name:
            self.fact("deprecated", path, "yes")
        if "type" in by_role:
            self.type_cell(path, "field-type", by_role["type"])
            self.note_row_type(depth, by_role["type"])
        if by_role.get("required"):
            required = _plain(by_role["required"])
            self.fact("field-required", path, _YES_NO.get(required, required))
        default = _plain(by_role.get("default", ""))
        if default and default != "-":
            self.fact("field-default", path, default)
        self.compat_cell(path, by_role.get("compat", ""))
        description = by_role.get("description", "")
        if name == "errCode":
            description = self.error_lines(path, description)
        text = _plain(description)
        if text and text != "-":
            self.fact("description", path, text)

    def error_lines(self, path: tuple[str, ...], description: str) -> str:
        """``错误码<br/>- 600009 URL格式不合法``: the codes become facts, the rest stays text."""
        parts = re.split(r"<br\s*/?>", description)
        kept: list[str] = []
        for part in parts:
            match = _ERROR_LINE.match(part.strip())
            if match:
                code = match.group(1)
                self.fact("error-code", (*path, code), "")
                text = _plain(match.group(2))
                if text:
                    self.fact("description", (*path, code), text)
            else:
                kept.append(part)
        return "<br/>".join(kept)

    def value_row(self, table: _Table, cells: list[str]) -> None:
        by_role = self.cells_by_role(table, cells)
        value = _plain(by_role.get("value", ""))
        if not value:
            self.problem("a legal-value row without a value")
            return
        field_name = table.parent[-1] if table.parent else ""
        path = (*table.parent, value)
        self.fact("error-code" if field_name == "errCode" else "legal-value", path, "")
        if "~~" in by_role.get("value", ""):
            self.fact("deprecated", path, "yes")
        self.compat_cell(path, by_role.get("compat", ""))
        text = _plain(by_role.get("description", ""))
        if text and text != "-":
            self.fact("description", path, text)

    def return_row(self, table: _Table, cells: list[str]) -> None:
        by_role = self.cells_by_role(table, cells)
        if "type" in by_role:
            self.type_cell(self.scope, "return-type", by_role["type"])
            self.note_row_type(0, by_role["type"])
        text = _plain(by_role.get("description", ""))
        if text and text != "-":
            self.fact("description", (*self.scope, "返回值"), text)

    def note_row_type(self, depth: int, cell: str) -> None:
        """Remember the type a row names (``T``, ``Array<T>``), for a nested table below it."""
        match = _NAMED_TYPE.fullmatch(_plain(cell))
        if match is not None and (match.group(1) or match.group(2) not in ("Array", "Promise")):
            self.row_types[depth] = match.group(1) or match.group(2)

    def type_cell(self, path: tuple[str, ...], category: str, cell: str) -> None:
        self.fact(category, path, _plain(cell))
        for label, url in _LINK.findall(cell):
            if not url.startswith("#"):
                self.fact("type-link", (*path, _plain(label)), url)

    def compat_cell(self, path: tuple[str, ...], cell: str) -> None:
        match = _COMPAT_CELL.search(cell)
        if match is None:
            if _plain(cell) not in ("", "-"):
                self.problem(f"a compatibility cell this reader does not know: {cell[:60]!r}")
            return
        try:
            table = json.loads(html.unescape(match.group(1)))
            columns = [self.column(str(h["title"])) for h in table["headers"]]
            values = [str(v) for v in table["rows"][0]]
        except (ValueError, KeyError, IndexError, TypeError) as error:
            self.problem(f"a <CompatibilityTable> whose table is not readable: {error}")
            return
        for column, raw in zip(columns, values, strict=False):
            value = _version(raw)
            if value and value != "-":
                self.fact("field-compatibility", (*path, column), value)


def section_facts(
    key: str,
    section: str,
    text: str,
    rules: _LinkRules,
    *,
    columns: Mapping[str, str] | None = None,
) -> SectionFacts:
    """Every fact of one section's Markdown, and the lines that could not be read.  ``rules``
    sort 参见 links into categories; ``columns`` maps a renamed column title to its name."""
    if section == "example":
        out = SectionFacts()
        if text.strip():
            digest = hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[:12]
            out.facts.append(Fact(key, "example", (), digest))
        return out
    if section == "originName":
        out = SectionFacts()
        if text.strip():
            out.facts.append(Fact(key, "origin-name", (), text.strip()))
        return out
    if section == "fileFormats" and not text.strip():
        return SectionFacts()
    return _Reader(key, section, rules, columns or {}).read(text)


def iter_unique(facts: list[Fact]) -> Iterator[Fact]:
    """One fact per identity; an identity seen with several values keeps them all, joined."""
    values: dict[tuple[str, str, tuple[str, ...]], list[str]] = {}
    for fact in facts:
        seen = values.setdefault(fact.identity, [])
        if fact.value not in seen:
            seen.append(fact.value)
    for (key, category, path), found in values.items():
        yield Fact(key, category, path, " ; ".join(sorted(found)))
