"""Public and staff pages of opendata."""

urlpatterns: list = []
