"""Scores supplier-buyer pairs, assigns partnerships, ranks shortlists."""

__all__: list[str] = []
