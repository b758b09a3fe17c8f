"""``utsapi diff``: what changed between two versions of the API surface (issue 14).

Changes are computed on the model (:mod:`generator.spec.model`), never on text: per module, API,
method, named type, field, parameter, literal value, error code and platform cell
(:mod:`._walk`).  Each change has a kind, and :data:`.rules.RULES` (data, with the reason in
both languages) gives its class: breaking, deprecation, additive or documentation.
:func:`semver` says which version bump the typed package (:mod:`generator.stubs`) needs, from
the changes of its own surface (:mod:`._semver`).  :mod:`._render` writes the result as text,
JSON (``spec/schema/diff.schema.json``) or a Markdown changelog; :func:`render_changes_page` the
site's Changes page from a result read back from its JSON (:func:`read_result`, :mod:`._read`),
each change linked to its item where the site shows it (:func:`site_links`, :mod:`._site`).

::

    result = diff_specs(load_side("npm:@dcloudio/uni-app-x@0.7.92"), load_side("build/spec"))
    result.counts()          # {"breaking": 12, "deprecation": 1, ...}
    semver(old, new).bump    # "major"
"""

from __future__ import annotations

from generator.diff._input import DiffInputError, load_side
from generator.diff._read import DiffReadError, read_result, result_from_json
from generator.diff._render import (
    LABELS,
    render_changes_page,
    render_json,
    render_markdown,
    render_text,
    to_json,
)
from generator.diff._result import FORMAT_VERSION, DiffResult, diff_specs
from generator.diff._semver import SemverResult, StubChange, semver
from generator.diff._site import ChangeLinks, site_links
from generator.diff._walk import Change, cell_change, diff_modules, type_change
from generator.diff.rules import PLATFORM_KEY_ALIASES, RULES, ChangeClass, Rule, classify

__all__ = [
    "FORMAT_VERSION",
    "LABELS",
    "PLATFORM_KEY_ALIASES",
    "RULES",
    "Change",
    "ChangeClass",
    "ChangeLinks",
    "DiffInputError",
    "DiffReadError",
    "DiffResult",
    "Rule",
    "SemverResult",
    "StubChange",
    "cell_change",
    "classify",
    "diff_modules",
    "diff_specs",
    "load_side",
    "read_result",
    "render_changes_page",
    "render_json",
    "render_markdown",
    "render_text",
    "result_from_json",
    "semver",
    "site_links",
    "to_json",
    "type_change",
]
