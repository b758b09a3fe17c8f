"""Compare two ``utsApiJson.json`` files fact by fact (``utsapi compare-data``).

A data file is DCloud's flat object ``{key: {section: markdown}}`` (API keys with ``name``,
``originName``, ``description``, ``compatibility``, ``param``, ``returnValue``, ``tutorial``,
``fileFormats``, ``example``; module keys with ``example`` only; ``general_type``).  Each section's
Markdown is read into facts (:mod:`generator.compare._facts`), each ``(key, category, path) ->
value``; the facts of the two files are matched by identity and their values compared.  Rendering
that carries no fact (column order, spacing, heading levels, where a type table is printed) does
not count; byte-identical sections are counted apart.

Categories
----------

``categories.json`` (shipped beside this module) is the data: every category, what it holds,
and its ``group``: ``fact`` (the declarations of npm ``@dcloudio/uni-app-x`` supply it; the
recall is over these), ``prose`` (descriptions: the declarations supply them, but a curated spec
words them its own way, so they are compared and counted apart) or ``overlay`` (the declarations
cannot supply it: examples, menu ids, the ten vendor links, type-name links, module keys; counted
apart, each with its reason).  ``not_in_data`` names what the declarations cannot supply and the
data file never holds (runtime ``errMsg``, English, page grouping); ``column_aliases`` maps a
renamed compatibility column to its earlier title; ``undeclared_apis`` names the API keys that
the pinned npm version does not declare at all (their facts go to the ``overlay`` category
``undeclared-api``, the original category first in the path).  Its ``links`` rules
sort the 参见 links into ``menu-id``, ``vendor-link`` or ``tutorial``.  Recall is the share of the
reference's facts that the candidate has with the same value:
``equal / (equal + different + only_reference)``.

JSON output (``--json``), ``version`` 1
---------------------------------------

::

    {
      "format": "utsapi-compare-data", "version": 1,
      "reference": "path", "candidate": "path", "keys": ["connectSocket", ...],
      "identical": false,                      # every fact of every group equal (exit code 0)
      "groups": {"fact": {"equal": n, "different": n, "only_reference": n,
                          "only_candidate": n, "recall": 0.93},  # null: the reference has none
                 "prose": {... same counts ...}, "overlay": {... same counts ...}},
      "categories": {"field-type": {"group": "fact", ... same counts ...}, ...},
      "by_key": {"connectSocket": {... counts of the group "fact" ...}, ...},
      "sections": {"identical": n, "different": n, "only_reference": n, "only_candidate": n,
                   "identical_share": 0.41, "differing": ["connectSocket.param", ...]},
      "not_in_data": {"errMsg": "reason", ...},
      "problems": {"reference": [{"key", "section", "line", "message"}], "candidate": [...]},
      "facts": [{"status": "different" | "only-reference" | "only-candidate",
                 "key": "connectSocket", "category": "field-default",
                 "path": ["options", "timeout"], "reference": "1000" | null,
                 "candidate": "-" | null}, ...]   # every fact that is not equal
    }

A new key may be added to an object without a version change; a removed or renamed key, or a
changed meaning, raises ``version``.
"""

from __future__ import annotations

from pathlib import Path

from generator.compare._facts import Fact, ParseProblem, section_facts
from generator.compare._input import CompareInputError, load_data, parse_data
from generator.compare._report import (
    FORMAT,
    FORMAT_VERSION,
    Categories,
    Category,
    CategoryCount,
    CompareReport,
    FactDiff,
    Group,
    SectionCount,
    Status,
    compare_data,
    data_facts,
    load_categories,
)
from generator.exceptions import Diagnostic

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "Categories",
    "Category",
    "CategoryCount",
    "CompareInputError",
    "CompareReport",
    "Fact",
    "FactDiff",
    "Group",
    "ParseProblem",
    "SectionCount",
    "Status",
    "compare_data",
    "compare_files",
    "data_facts",
    "load_categories",
    "load_data",
    "parse_data",
    "section_facts",
]


def compare_files(
    reference: Path, candidate: Path, *, keys: list[str] | None = None, common_keys: bool = False
) -> CompareReport:
    """Load both files (raising :class:`CompareInputError` with every problem of both) and
    compare them over ``keys``, or the keys both hold (``common_keys``), or every key."""
    loaded: list[dict[str, dict[str, str]]] = []
    problems: list[Diagnostic] = []
    for path in (reference, candidate):
        try:
            loaded.append(load_data(path))
        except CompareInputError as error:
            problems.extend(error.diagnostics)
    if problems:
        raise CompareInputError(problems)
    ref, cand = loaded
    if keys is None and common_keys:
        keys = [k for k in ref if k in cand]
    return compare_data(
        ref, cand, reference_name=str(reference), candidate_name=str(candidate), keys=keys
    )
