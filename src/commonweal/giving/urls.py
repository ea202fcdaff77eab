from django.urls import path

from commonweal.giving import views, views_ledger, views_receipts

urlpatterns = [
    path("projects/<str:public_id>/", views.project_detail, name="project-detail"),
    path("projects/<str:public_id>/progress/", views.project_progress, name="project-progress"),
    path("projects/<str:public_id>/donate/", views.donate, name="donate"),
    path("pay/sandbox/<str:intent_public_id>/", views.sandbox_pay, name="sandbox-pay"),
    path("donations/<str:public_id>/thanks/", views.donation_thanks, name="donation-thanks"),
    path("me/donations/", views.my_donations, name="my-donations"),
    path("me/plans/<str:public_id>/cancel/", views.plan_cancel, name="plan-cancel"),
    # Donation receipts (Charity Law Art. 38) and annual statements: giving/views_receipts.py
    path("me/donations/<str:public_id>/receipt/", views_receipts.gift_receipt, name="gift-receipt"),
    path("me/donations/<str:public_id>/display/", views_receipts.gift_display, name="gift-display"),
    path("me/receipts/", views_receipts.my_receipts, name="my-receipts"),
    path("me/receipts/year/", views_receipts.year_receipt, name="receipt-year"),
    path("me/receipts/<str:public_id>/", views_receipts.receipt_detail, name="receipt-detail"),
    path("me/receipts/<str:public_id>/pdf/", views_receipts.receipt_detail_pdf, name="receipt-pdf"),
    path("me/statements/<int:year>/", views_receipts.statement, name="statement"),
    path("me/statements/<int:year>/pdf/", views_receipts.statement_pdf, name="statement-pdf"),
    path("receipts/<str:public_id>/verify/", views_receipts.receipt_verify, name="receipt-verify"),
    # Ledger pages that read donations and projects (giving/views_ledger.py; docs/ledger.md)
    path("ledger/donations/<str:public_id>/", views_ledger.donation_lookup, name="ledger-donation"),
    path("ledger/donations/<str:public_id>/recorded", views_ledger.donation_recorded, name="ledger-donation-recorded"),
    path("ledger/projects/<str:public_id>/", views_ledger.project_ledger, name="ledger-project"),
    path("donations/<str:public_id>/receipt", views_ledger.donation_receipt, name="donation-receipt"),
]
