"""Renderings of the spec into placeholder data, in two flavours over one rendering stack.

``dcloud``          the uni-app x docs' own Markdown (``utsApiJson.json``): view model + rendering
``mkdocs``          plain Markdown/HTML for MkDocs: rendering; its view model is ``_mkdocs_view``
``views``           the view types both flavours fill (rows, tables, type references) and helpers
``labels``          every fixed word, per language: both flavours and the results page
``columns``         the compatibility columns of both flavours, as data
``_markdown``       the dcloud filters (escaping by context); ``_mkdocs_md`` the mkdocs ones
``results``         the site's conformance results page, from :mod:`generator.report`

Both flavours render through :func:`generator.templating.make_environment` (autoescape on, a
filter set each, every filter returning Markup); templates are in ``generator/templates/``.
"""
