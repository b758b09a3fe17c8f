"""Bundled spec data (YAML modules, rules, profiles, JSON Schemas). Holds no code."""
