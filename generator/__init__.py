"""Spec model, validation and rendering for uni-app x API docs."""
