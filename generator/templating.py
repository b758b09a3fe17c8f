"""The one Jinja environment of every document the kit renders: both docs flavours and the reports.

:func:`make_environment` gives an environment over a folder of ``generator/templates/``: a
package loader, ``StrictUndefined``, ``keep_trailing_newline``, block trimming, and autoescaping
on, so an expression that forgets its filter is HTML-escaped and inert.  Each flavour passes its
own filter set, one filter per context a text can land in; every filter returns
:class:`markupsafe.Markup`, which autoescaping passes through unchanged.

Templates format; the view model decides.  Nothing here knows a flavour.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from markupsafe import Markup, escape

__all__ = ["Filter", "make_environment"]

#: A filter: a value in, Markup out (some take arguments after the value).
Filter = Callable[..., Markup]


class _CodeGenerator(CodeGenerator):
    """Jinja's code generator with cheaper autoescaping for two kinds of output expression.

    One whose last step is a filter of the environment's ``markup_filters`` gets no
    ``escape()``: escaping :class:`~markupsafe.Markup` gives the same text back, so the call
    only costs time (two per table cell).  A call (a macro, which returns Markup) goes through
    :func:`_escape_call`, which passes Markup through and escapes anything else.  Every other
    expression is autoescaped as usual.
    """

    def _opening(self, node: nodes.Expr, frame: Frame, finalize: Any) -> str | None:
        if finalize.src is not None or frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            return None
        markup_filters: frozenset[str] = getattr(self.environment, "markup_filters", frozenset())
        if isinstance(node, nodes.Filter) and node.name in markup_filters:
            return "("
        if isinstance(node, nodes.Call):
            return "environment.escape_call("
        return None

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        opening = self._opening(node, frame, finalize)
        if opening is None:
            super()._output_child_pre(node, frame, finalize)
        else:
            self.write(opening)

    def _output_child_post(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        if self._opening(node, frame, finalize) is None:
            super()._output_child_post(node, frame, finalize)
        else:
            self.write(")")


def _escape_call(value: Any) -> Markup:
    """Autoescaping of a call's result: a macro's (Markup) as it is, anything else escaped."""
    return value if type(value) is Markup else escape(value)


class _Environment(jinja2.Environment):
    code_generator_class = _CodeGenerator
    escape_call = staticmethod(_escape_call)
    #: Filters whose result is always Markup (so autoescaping it is a no-op).
    markup_filters: frozenset[str] = frozenset({"safe"})


def make_environment(folder: str, filters: Mapping[str, Filter]) -> jinja2.Environment:
    """An environment over ``generator/templates/<folder>/`` with ``filters`` added.

    Every filter of ``filters`` must return :class:`~markupsafe.Markup`: its output is not
    escaped again.  Callers cache the environment (building one compiles nothing, but each
    keeps its own template cache).
    """
    env = _Environment(
        loader=jinja2.PackageLoader("generator", f"templates/{folder}"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=True,
        auto_reload=False,
    )
    env.filters.update(filters)
    env.markup_filters = frozenset({*filters, "safe"})
    return env
