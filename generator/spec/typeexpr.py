"""Type expressions in the interface's own notation.

``string``, ``number``, ``boolean``, ``any``, ``void``, ``null``, ``ArrayBuffer``,
``UTSJSONObject``, ``Error``, ``Array<T>``, ``A | B``, ``(result: T) => void`` and named types.
The parser is a small recursive descent over a token list; it reports the column of the first
token it cannot use.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "BUILTINS",
    "Function",
    "Generic",
    "Named",
    "TypeExpr",
    "TypeExprError",
    "Union",
    "parse_type",
]

#: Names that need no declaration in the spec.
BUILTINS = frozenset(
    {"string", "number", "boolean", "any", "void", "null", "ArrayBuffer", "UTSJSONObject", "Error"}
)
_GENERICS = frozenset({"Array"})

_TOKEN = re.compile(r"\s*(=>|[A-Za-z_][A-Za-z0-9_]*|[()<>|:,])")


class TypeExprError(ValueError):
    """A type expression does not parse; ``column`` is 1-based within the expression."""

    def __init__(self, text: str, column: int, expected: str) -> None:
        self.text = text
        self.column = column
        self.expected = expected
        super().__init__(text, column, expected)

    def __str__(self) -> str:
        return (
            f"bad type expression {self.text!r} at column {self.column}: expected {self.expected}"
        )


@dataclass(frozen=True)
class Named:
    name: str

    def __str__(self) -> str:
        return self.name

    def walk(self) -> Iterator[TypeExpr]:
        yield self


@dataclass(frozen=True)
class Generic:
    name: str
    args: tuple[TypeExpr, ...]

    def __str__(self) -> str:
        return f"{self.name}<{', '.join(str(a) for a in self.args)}>"

    def walk(self) -> Iterator[TypeExpr]:
        yield self
        for arg in self.args:
            yield from arg.walk()


@dataclass(frozen=True)
class Union:
    members: tuple[TypeExpr, ...]

    def __str__(self) -> str:
        return " | ".join(str(m) for m in self.members)

    def walk(self) -> Iterator[TypeExpr]:
        yield self
        for member in self.members:
            yield from member.walk()


@dataclass(frozen=True)
class Function:
    params: tuple[tuple[str, TypeExpr], ...]
    returns: TypeExpr

    def __str__(self) -> str:
        inner = ", ".join(f"{n}: {t}" for n, t in self.params)
        return f"({inner}) => {self.returns}"

    def walk(self) -> Iterator[TypeExpr]:
        yield self
        for _, param in self.params:
            yield from param.walk()
        yield from self.returns.walk()


TypeExpr = Named | Generic | Union | Function


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[tuple[str, int]] = []
        pos = 0
        while pos < len(text):
            if text[pos:].strip() == "":
                break
            match = _TOKEN.match(text, pos)
            if match is None:
                raise TypeExprError(text, pos + 1, "a name or one of ( ) < > | : , =>")
            self.tokens.append((match.group(1), match.start(1) + 1))
            pos = match.end()
        self.i = 0

    def peek(self, ahead: int = 0) -> str | None:
        j = self.i + ahead
        return self.tokens[j][0] if j < len(self.tokens) else None

    def fail(self, expected: str) -> TypeExprError:
        column = self.tokens[self.i][1] if self.i < len(self.tokens) else len(self.text) + 1
        return TypeExprError(self.text, column, expected)

    def take(self, token: str) -> None:
        if self.peek() != token:
            raise self.fail(repr(token))
        self.i += 1

    def name(self) -> str:
        tok = self.peek()
        if tok is None or not (tok[0].isalpha() or tok[0] == "_"):
            raise self.fail("a type name")
        self.i += 1
        return tok

    def parse(self) -> TypeExpr:
        expr = self.union()
        if self.peek() is not None:
            raise self.fail("the end of the expression")
        return expr

    def union(self) -> TypeExpr:
        members = [self.primary()]
        while self.peek() == "|":
            self.i += 1
            members.append(self.primary())
        return members[0] if len(members) == 1 else Union(tuple(members))

    def primary(self) -> TypeExpr:
        if self.peek() == "(":
            if self.peek(1) == ")" or self.peek(2) == ":":
                return self.function()
            self.i += 1
            inner = self.union()
            self.take(")")
            return inner
        name = self.name()
        if self.peek() == "<":
            if name not in _GENERICS:
                raise self.fail(f"no type arguments: {name} is not generic")
            self.i += 1
            args = [self.union()]
            while self.peek() == ",":
                self.i += 1
                args.append(self.union())
            self.take(">")
            return Generic(name, tuple(args))
        if name in _GENERICS:
            raise self.fail(f"type arguments for {name}")
        return Named(name)

    def function(self) -> Function:
        self.take("(")
        params: list[tuple[str, TypeExpr]] = []
        while self.peek() != ")":
            if params:
                self.take(",")
            pname = self.name()
            self.take(":")
            params.append((pname, self.union()))
        self.take(")")
        self.take("=>")
        return Function(tuple(params), self.primary())


@lru_cache(maxsize=1 << 12)
def parse_type(text: str) -> TypeExpr:
    """Parse ``text``; raises :class:`TypeExprError` with the column of the problem.

    Expressions are frozen, so a parsed one is shared by every use of the same text."""
    return _Parser(text).parse()
