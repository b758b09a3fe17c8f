"""Conformance suite for uni-app x API implementations."""
