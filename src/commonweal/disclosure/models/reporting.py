"""Disclosure: reporting."""

__all__: list[str] = []
