from django.urls import path

from commonweal.giving import views

urlpatterns = [
    path("projects/<str:public_id>/", views.project_detail, name="project-detail"),
    path("projects/<str:public_id>/progress/", views.project_progress, name="project-progress"),
    path("projects/<str:public_id>/donate/", views.donate, name="donate"),
    path("pay/sandbox/<str:intent_public_id>/", views.sandbox_pay, name="sandbox-pay"),
    path("donations/<str:public_id>/thanks/", views.donation_thanks, name="donation-thanks"),
    path("me/donations/", views.my_donations, name="my-donations"),
    path("me/plans/<str:public_id>/cancel/", views.plan_cancel, name="plan-cancel"),
]
