"""Public ledger pages (docs/ledger.md, "Public pages"): verify, explorer, the donor's receipt.

Included at the site root: ``path("", include("commonweal.ledger.urls_public"))``.
"""

from django.urls import path

from commonweal.ledger import views_public as views

urlpatterns = [
    path("verify/", views.verify, name="ledger-verify"),
    path("ledger/", views.ledger_home, name="ledger-explorer"),
    path("ledger/entries/<int:index>/", views.entry_detail, name="ledger-entry"),
    path("ledger/entries/<int:index>/proof", views.entry_proof, name="ledger-entry-proof"),
    path("ledger/donations/<str:public_id>/", views.donation_lookup, name="ledger-donation"),
    path("ledger/donations/<str:public_id>/recorded", views.donation_recorded, name="ledger-donation-recorded"),
    path("ledger/projects/<str:public_id>/", views.project_ledger, name="ledger-project"),
    path("donations/<str:public_id>/receipt", views.donation_receipt, name="donation-receipt"),
]
