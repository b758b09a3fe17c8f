"""Renderings of the spec into placeholder data: one module per flavour."""
