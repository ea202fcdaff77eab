"""Disclosure: complaints."""

__all__: list[str] = []
