"""Public and staff pages of programs."""

urlpatterns: list = []
