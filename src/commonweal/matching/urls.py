"""Public and staff pages of matching."""

urlpatterns: list = []
