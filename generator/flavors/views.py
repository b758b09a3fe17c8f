"""The view types both docs flavours hand to their templates, and the helpers they share.

A view holds what a section shows, already decided: which rows, which tables, which heading
depth, which link.  The flavours build views from the model (:mod:`generator.flavors.dcloud`,
:mod:`generator.flavors.mkdocs`); their templates only lay the views out.
"""

from __future__ import annotations

import re

__all__ = ["fence"]

_BACKTICKS = re.compile(r"`+")


def fence(code: str) -> str:
    """The backtick fence of a code block holding ``code``: longer than any run inside it."""
    longest = max((len(run) for run in _BACKTICKS.findall(code)), default=0)
    return "`" * max(3, longest + 1)
