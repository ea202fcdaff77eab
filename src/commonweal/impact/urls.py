"""Public and staff pages of impact."""

urlpatterns: list = []
