"""The public names of the rendering stack and the report model, pinned: a change is deliberate."""

from __future__ import annotations

import importlib

import pytest

EXPORTS = {
    "generator.templating": ["Filter", "make_environment"],
    "generator.report": [
        "REPORT_FORMAT", "REPORT_VERSION", "VERDICTS", "Allowance", "CaseResult", "Report",
        "ReportError", "RunInfo", "Summary", "TraceEntry", "Verdict", "load_report",
        "report_from_data",
    ],
    "generator.flavors.mkdocs": [
        "DEFAULT_COLUMNS", "RULES_PAGE", "SITE_WORDS", "Column", "Coverage", "SitePage",
        "TypePage", "api_links", "build_data", "build_module_data", "build_page_data",
        "build_type_pages", "escape_md", "load_matrix", "module_page_markdown",
        "not_translated_note",
        "overlay_pages", "render_results", "safe_url", "site_pages", "translation_coverage",
        "type_page_files", "type_page_name",
    ],
    "generator.flavors.dcloud": [
        "COLUMN_SETS", "DEFAULT_COLUMNS", "Column", "ColumnSet", "TypeRef", "build_data",
        "column_set",
    ],
    "generator.flavors.views": [
        "Badge", "Badges", "CallableView", "CaseLine", "CompatTable", "ExampleView",
        "InterfaceView",
        "Method", "Params", "ResultsView", "ReturnValue", "ReturnView", "Row", "RuleRow", "Status",
        "TypePageView", "TypeRef", "TypeTable", "ValueRow", "fence", "type_formatter",
    ],
    "generator.flavors.labels": ["DCLOUD", "MKDOCS", "PLATFORM_KEYS", "RESULTS", "Labels", "table"],
    "generator.flavors.columns": [
        "COLUMN_SETS", "DCLOUD_DEFAULT", "MKDOCS_COLUMNS", "Column", "ColumnSet", "column_set",
    ],
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_exports_are_pinned_and_defined(name: str) -> None:
    module = importlib.import_module(name)
    assert sorted(module.__all__) == sorted(EXPORTS[name])
    for export in module.__all__:
        assert hasattr(module, export), f"{name}.{export}"


def test_both_flavours_share_one_column_type() -> None:
    from generator.flavors import columns, dcloud, mkdocs  # noqa: PLC0415

    assert dcloud.Column is mkdocs.Column is columns.Column
    assert dcloud.DEFAULT_COLUMNS is columns.DCLOUD_DEFAULT
    assert mkdocs.DEFAULT_COLUMNS is columns.MKDOCS_COLUMNS
