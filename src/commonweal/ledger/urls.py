"""The log's URLs under /log/ (c2sp.org/tlog-tiles); stable: auditors and witnesses use them."""

from django.urls import path, re_path

from commonweal.ledger import views

urlpatterns = [
    path("checkpoint", views.log_checkpoint, name="log-checkpoint"),
    path("vkey", views.log_vkey, name="log-vkey"),
    # Tile paths always end in a digit; no trailing-slash variant exists to redirect to.
    re_path(r"^tile/(?P<tile_path>[0-9a-z./]{1,123}[0-9])$", views.log_tile, name="log-tile"),
]
