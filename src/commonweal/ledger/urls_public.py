"""Public ledger pages (docs/ledger.md, "Public pages"): verify and the explorer. The pages that
read donations and projects (a donation's entry, a project's ledger, the donor's receipt) are
routed in ``giving/urls.py``.

Included at the site root: ``path("", include("commonweal.ledger.urls_public"))``.
"""

from django.urls import path

from commonweal.ledger import views_public as views

urlpatterns = [
    path("verify/", views.verify, name="ledger-verify"),
    path("ledger/", views.ledger_home, name="ledger-explorer"),
    path("ledger/entries/<int:index>/", views.entry_detail, name="ledger-entry"),
    path("ledger/entries/<int:index>/proof", views.entry_proof, name="ledger-entry-proof"),
]
