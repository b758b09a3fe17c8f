"""From the extractor's JSON to the model: comments attached, conditions found, JSDoc read.

Which comment documents what (the rule, for declarations, members, parameters and union members
alike): the comments between a node's full start and its first token are its leading comments;
the last JSDoc block among them is its doc.  Union members get docs by the same rule, which is how
error codes and string values are documented (``/** doc */ 10001 |``).

Conditional blocks: a line comment ``// #ifdef X`` opens a block with condition ``X``,
``// #ifndef X`` one with ``!X``, ``// #else`` turns the innermost into its negation and
``// #endif`` closes it (``#if``/``#elif`` conditions are kept as written).  A node's
``condition`` lists the conditions of the blocks around its first token, outermost first.  A
block left open or an ``#endif`` without a block is a warning.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from generator.exceptions import Diagnostic
from generator.importer.jsdoc import is_jsdoc, parse_doc
from generator.importer.model import (
    Declaration,
    DeclarationKind,
    Doc,
    Heritage,
    Member,
    MemberKind,
    Parameter,
    Provenance,
    Signature,
    Source,
    TypeKind,
    TypeNode,
    TypeParameter,
    UnionMember,
)

__all__ = ["read_file"]

Json = Mapping[str, Any]

_DIRECTIVE = re.compile(r"//\s*#\s*(?P<word>ifdef|ifndef|if|elif|else|endif)\b\s*(?P<arg>.*?)\s*$")


@dataclass(frozen=True)
class _Comment:
    kind: str
    text: str
    pos: int
    end: int
    line: int
    column: int
    ts_tags: tuple[str, ...] | None


@dataclass(frozen=True)
class _Region:
    start: int
    end: int
    condition: str


def _negate(condition: str) -> str:
    return condition[1:] if condition.startswith("!") else f"!{condition}"


class _FileReader:
    def __init__(
        self, data: Json, source: Source, platform_overrides: Mapping[int, object]
    ) -> None:
        self.source = source
        self.platform_overrides = platform_overrides
        self.platform_lines: set[int] = set()
        self.warnings: list[Diagnostic] = []
        self.comments = [
            _Comment(
                c["kind"],
                c["text"],
                c["pos"],
                c["end"],
                c["line"],
                c["column"],
                None if c["tsTags"] is None else tuple(t["name"] for t in c["tsTags"]),
            )
            for c in data["comments"]
        ]
        self.starts = [c.pos for c in self.comments]
        self.regions = self._regions()

    def warn(self, line: int, column: int, message: str, check: str) -> None:
        self.warnings.append(Diagnostic(self.source.path, line, column, "", message, check))

    def _regions(self) -> list[_Region]:
        regions: list[_Region] = []
        stack: list[tuple[str, int, _Comment]] = []
        for c in self.comments:
            m = _DIRECTIVE.match(c.text) if c.kind == "line" else None
            if m is None:
                continue
            word, arg = m["word"], m["arg"]
            if word in {"ifdef", "if"}:
                stack.append((arg, c.end, c))
            elif word == "ifndef":
                stack.append((_negate(arg), c.end, c))
            elif not stack:
                self.warn(c.line, c.column, f"#{word} without an open #ifdef", "ifdef")
            elif word in {"else", "elif"}:
                cond, start, _ = stack.pop()
                regions.append(_Region(start, c.pos, cond))
                stack.append((_negate(cond) if word == "else" else arg, c.end, c))
            else:
                cond, start, _ = stack.pop()
                regions.append(_Region(start, c.pos, cond))
        for cond, _, c in stack:
            self.warn(c.line, c.column, f"#ifdef {cond} is never closed", "ifdef")
        return sorted(regions, key=lambda r: (r.start, -r.end))

    def condition(self, start: int) -> tuple[str, ...]:
        return tuple(r.condition for r in self.regions if r.start <= start < r.end)

    def prov(self, node: Json) -> Provenance:
        return Provenance(self.source, node["line"], node["column"])

    def doc(self, node: Json) -> Doc | None:
        first = bisect.bisect_left(self.starts, node["pos"])
        last = bisect.bisect_left(self.starts, node["start"])
        docs = [
            c
            for c in self.comments[first:last]
            if c.end <= node["start"] and c.kind == "block" and is_jsdoc(c.text)
        ]
        if not docs:
            return None
        c = docs[-1]
        doc = parse_doc(
            c.text,
            Provenance(self.source, c.line, c.column),
            self.warnings,
            ts_tag_names=c.ts_tags,
            platform_overrides=self.platform_overrides,
        )
        if (tag := doc.tag("uniPlatform")) is not None:
            self.platform_lines.add(tag.provenance.line)
        return doc

    # --- types ---------------------------------------------------------------------------

    def type(self, node: Json | None) -> TypeNode | None:
        return None if node is None else self.type_node(node)

    def type_node(self, node: Json) -> TypeNode:
        kind: str = node["kind"]
        common = {"text": node["text"], "line": node["line"], "column": node["column"]}
        match kind:
            case "union" | "intersection" | "tuple":
                items = node["types"] if kind != "tuple" else node["elements"]
                members = tuple(
                    UnionMember(self.type_node(t), self.doc(t), self.prov(t)) for t in items
                )
                return TypeNode(kind, **common, members=members)
            case "array":
                return TypeNode(kind, **common, element=self.type_node(node["elementType"]))
            case "parenthesized":
                return TypeNode(kind, **common, element=self.type_node(node["type"]))
            case "typeLiteral":
                fields = tuple(self.member(m) for m in node["members"])
                return TypeNode("object", **common, fields=fields)
            case "function" | "constructor":
                return TypeNode(kind, **common, signature=self.signature(node))
            case "reference":
                args = tuple(self.type_node(a) for a in node["typeArguments"])
                return TypeNode(kind, **common, name=node["name"], arguments=args)
            case "literal":
                return TypeNode(kind, **common, literal_kind=node["literalKind"])
            case "keyword" | "this":
                return TypeNode(cast(TypeKind, kind), **common)
            case _:
                return TypeNode("other", **common, literal_kind=node.get("syntaxKind"))

    def type_parameters(self, items: Sequence[Json]) -> tuple[TypeParameter, ...]:
        return tuple(
            TypeParameter(p["name"], self.type(p["constraint"]), self.type(p["default"]))
            for p in items
        )

    def signature(self, node: Json) -> Signature:
        return Signature(
            self.type_parameters(node["typeParameters"]),
            tuple(
                Parameter(p["name"], p["optional"], p["rest"], self.type(p["type"]), self.prov(p))
                for p in node["parameters"]
            ),
            self.type(node["returnType"]),
        )

    # --- members and declarations --------------------------------------------------------

    def member(self, node: Json) -> Member:
        kind: MemberKind = node["kind"]
        return Member(
            kind=kind,
            name=node["name"],
            optional=node["optional"],
            modifiers=tuple(node["modifiers"]),
            type=self.type(node.get("type")),
            signature=self.signature(node) if "parameters" in node else None,
            doc=self.doc(node),
            condition=self.condition(node["start"]),
            provenance=self.prov(node),
            text=node.get("text"),
        )

    def heritage(self, clauses: Sequence[Json]) -> tuple[Heritage, ...]:
        return tuple(
            Heritage(
                clause["token"],
                t["expression"],
                t["text"],
                tuple(self.type_node(a) for a in t["typeArguments"]),
                self.condition(t["start"]),
            )
            for clause in clauses
            for t in clause["types"]
        )

    def declarations(self, statements: Sequence[Json]) -> list[Declaration]:
        out: list[Declaration] = []
        for node in statements:
            if node["kind"] == "other" and node["syntaxKind"] == "EmptyStatement":
                continue  # a stray ";" after a declaration
            if node["kind"] == "variable":
                out.extend(self.variable(node, d) for d in node["declarations"])
            else:
                out.append(self.declaration(node))
        return out

    def variable(self, statement: Json, node: Json) -> Declaration:
        return Declaration(
            kind="variable",
            name=node["name"],
            modifiers=tuple(statement["modifiers"]),
            type_parameters=(),
            heritage=(),
            members=(),
            type=self.type(node["type"]),
            signature=None,
            doc=self.doc(statement) or self.doc(node),
            condition=self.condition(statement["start"]),
            provenance=self.prov(node),
        )

    def declaration(self, node: Json) -> Declaration:
        kinds: dict[str, DeclarationKind] = {
            "interface": "interface",
            "typeAlias": "type",
            "class": "class",
            "function": "function",
            "enum": "enum",
            "namespace": "namespace",
            "import": "import",
            "export": "export",
        }
        kind = kinds.get(node["kind"], "other")
        members: tuple[Member, ...] = ()
        if kind in {"interface", "class"}:
            members = tuple(self.member(m) for m in node["members"])
        return Declaration(
            kind=kind,
            name=node.get("name"),
            modifiers=tuple(node["modifiers"]),
            type_parameters=self.type_parameters(node.get("typeParameters", ())),
            heritage=self.heritage(node.get("heritage", ())),
            members=members,
            type=self.type(node.get("type")) if kind == "type" else None,
            signature=self.signature(node) if kind == "function" else None,
            doc=self.doc(node),
            condition=self.condition(node["start"]),
            provenance=self.prov(node),
            text=node.get("text"),
            body=tuple(self.declarations(node["statements"])) if kind == "namespace" else (),
        )


def read_file(
    data: Json, source: Source, *, platform_overrides: Mapping[int, object] | None = None
) -> tuple[list[Declaration], list[Diagnostic]]:
    """The declarations of one file of the extractor's output, and the warnings met.

    ``platform_overrides`` (line of a ``@uniPlatform`` tag -> JSON value) replace blocks; one
    whose line has no ``@uniPlatform`` tag is a warning (check ``override-unused``): an
    override that matches nothing has gone stale and says so.
    """
    overrides = platform_overrides or {}
    reader = _FileReader(data, source, overrides)
    for d in data["parseDiagnostics"]:
        reader.warn(d["line"], d["column"], f"TypeScript: {d['message']}", "typescript-parse")
    declarations = reader.declarations(data["statements"])
    for line in sorted(set(overrides) - reader.platform_lines):
        reader.warn(line, 0, "@uniPlatform override matches no @uniPlatform tag", "override-unused")
    return declarations, reader.warnings
