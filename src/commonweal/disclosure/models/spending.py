"""Disclosure: spending."""

__all__: list[str] = []
