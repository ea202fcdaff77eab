"""Public and staff pages of programs/grants."""

urlpatterns: list = []
