"""Type expressions in the interface's own notation.

``string``, ``number``, ``boolean``, ``any``, ``void``, ``null``, ``ArrayBuffer``,
``UTSJSONObject``, ``Error``, ``Array<T>``, ``A | B``, ``(result: T) => void`` and named types.
The parser is a small recursive descent over a token list; it reports the column of the first
token it cannot use.

Additions for the imported surface (issue 10), all still :class:`Named`, :class:`Generic`,
:class:`Union` or :class:`Function`:

- ``string.PageURIString``: a UTS string subtype, kept as written (a :class:`Named` whose name
  contains the dot; :func:`is_string_subtype`, :func:`base_name` gives ``string``).
- ``Foo<T>``, ``Promise<T>``, ``Map<K, V>``: any name may take type arguments; whether the
  arguments fit is :mod:`generator.spec.checks`' job (``Array`` takes one, a declared type as
  many as its ``typeParams``, a global as :data:`GLOBAL_GENERICS` says).  A type parameter in
  scope (``T``) is a :class:`Named`.
- ``(listener?: Callback) => void``: an optional parameter of a function type; its name is in
  :attr:`Function.optional`.
- :data:`GLOBAL_TYPES`: names the runtime provides that a module may use without declaring them
  (``IUniError``, ``UniError``, ``UniElement``, …), instead of ``any``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "BUILTINS",
    "GLOBAL_GENERICS",
    "GLOBAL_TYPES",
    "Function",
    "Generic",
    "Named",
    "TypeExpr",
    "TypeExprError",
    "Union",
    "base_name",
    "is_string_subtype",
    "parse_type",
]

#: Names that need no declaration in the spec.
BUILTINS = frozenset(
    {"string", "number", "boolean", "any", "void", "null", "ArrayBuffer", "UTSJSONObject", "Error"}
)

#: Global types of uni-app x that a module may name without declaring them: declared by the
#: runtime (``types/uni/uts-plugin-api/global``, ``uni-app-x`` globals, UTS and platform
#: classes), not by any module's ``interface.d.ts``.  A reference to one is kept as written;
#: renderers show the name (DCloud's pages link some of them to the UTS docs).
GLOBAL_TYPES = frozenset(
    {
        # uni-app x error and result bases
        "IUniError", "UniError", "AsyncApiResult", "AsyncApiSuccessResult", "SourceError",
        # elements, pages, events, providers of the runtime
        "UniElement", "UniEvent", "UniPage", "UniProvider", "ComponentPublicInstance",
        "CanvasRenderingContext2D", "Path2D", "Image", "JSExport",
        # @dcloudio/uni-runtime
        "Interceptor",
        # UTS and platform classes
        "Promise", "Map", "Set", "Date", "Blob", "Long", "Int", "Float", "Double",
        "Context", "Bitmap", "ImageProxy", "String", "Any",
    }
)  # fmt: skip
#: Global generic types and how many type arguments each takes.
GLOBAL_GENERICS: dict[str, int] = {"Array": 1, "Promise": 1, "Map": 2, "Set": 1}

_STRING_SUBTYPE = re.compile(r"string\.[A-Za-z_][A-Za-z0-9_]*")

_BLANK = re.compile(r"\s*")
#: How deep a type expression may nest (unions, parentheses, type arguments, function types).
MAX_DEPTH = 64
_TOKEN = re.compile(r"\s*(=>|string\.[A-Za-z_][A-Za-z0-9_]*|[A-Za-z_][A-Za-z0-9_]*|[()<>|:,?])")


def is_string_subtype(name: str) -> bool:
    """``string.PageURIString`` and the like: a UTS string subtype, a string to every renderer."""
    return _STRING_SUBTYPE.fullmatch(name) is not None


def base_name(name: str) -> str:
    """``string`` for a string subtype, else ``name``."""
    return "string" if is_string_subtype(name) else name


class TypeExprError(ValueError):
    """A type expression does not parse; ``column`` is 1-based within the expression."""

    def __init__(self, text: str, column: int, expected: str) -> None:
        self.text = text
        self.column = column
        self.expected = expected
        super().__init__(text, column, expected)

    def __str__(self) -> str:
        text = self.text
        if len(text) > 80:  # quote the part around the column, not a megabyte of input
            start = max(0, min(self.column - 40, len(text) - 80))
            text = ("…" if start else "") + text[start : start + 80] + "…"
        return f"bad type expression {text!r} at column {self.column}: expected {self.expected}"


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
    #: Names of the parameters written ``name?: T`` (optional), in order.
    optional: tuple[str, ...] = ()

    def __str__(self) -> str:
        inner = ", ".join(f"{n}{'?' if n in self.optional else ''}: {t}" for n, t in self.params)
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
            match = _TOKEN.match(text, pos)
            if match is None:
                if _BLANK.fullmatch(text, pos):  # trailing blanks, matched in place (no copy)
                    break
                raise TypeExprError(text, pos + 1, "a name or one of ( ) < > | : , ? =>")
            self.tokens.append((match.group(1), match.start(1) + 1))
            pos = match.end()
        self.i = 0
        self.depth = 0

    def nest(self) -> None:
        """One level deeper (a parenthesis, type arguments, a function's parts); bounded, so a
        hostile expression is a located error, not a RecursionError."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"at most {MAX_DEPTH} levels of nesting")

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
        self.nest()
        members = [self.primary()]
        while self.peek() == "|":
            self.i += 1
            members.append(self.primary())
        self.depth -= 1
        return members[0] if len(members) == 1 else Union(tuple(members))

    def primary(self) -> TypeExpr:
        if self.peek() == "(":
            if self.peek(1) == ")" or self.peek(2) in (":", "?"):
                return self.function()
            self.i += 1
            inner = self.union()
            self.take(")")
            return inner
        name = self.name()
        if self.peek() == "<":
            if is_string_subtype(name):
                raise self.fail(f"no type arguments: {name} is not generic")
            self.i += 1
            args = [self.union()]
            while self.peek() == ",":
                self.i += 1
                args.append(self.union())
            self.take(">")
            return Generic(name, tuple(args))
        if name == "Array":
            raise self.fail(f"type arguments for {name}")
        return Named(name)

    def function(self) -> Function:
        self.nest()
        self.take("(")
        params: list[tuple[str, TypeExpr]] = []
        optional: list[str] = []
        while self.peek() != ")":
            if params:
                self.take(",")
            pname = self.name()
            if self.peek() == "?":
                self.i += 1
                optional.append(pname)
            self.take(":")
            params.append((pname, self.union()))
        self.take(")")
        self.take("=>")
        result = Function(tuple(params), self.primary(), tuple(optional))
        self.depth -= 1
        return result


@lru_cache(maxsize=1 << 12)
def parse_type(text: str) -> TypeExpr:
    """Parse ``text``; raises :class:`TypeExprError` with the column of the problem.

    Expressions are frozen, so a parsed one is shared by every use of the same text."""
    return _Parser(text).parse()
