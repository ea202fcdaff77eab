"""Pages of prize and grant programs, mounted at the site root (``commonweal.urls``)."""

from django.urls import path

from commonweal.programs.grants import views

urlpatterns = [
    path("grants/", views.call_list, name="grants-calls"),
    path("grants/calls/<str:public_id>/", views.call_detail, name="grants-call"),
    path("grants/calls/<str:public_id>/apply/", views.apply, name="grants-apply"),
    path("grants/me/", views.my_grants, name="grants-mine"),
    path("grants/applications/<str:public_id>/", views.application_detail, name="grants-application"),
    path("grants/installments/<str:public_id>/report/", views.installment_report, name="grants-installment-report"),
    path("grants/applications/<str:public_id>/referees/<str:referee>/resend/", views.referee_resend, name="grants-referee-resend"),
    path("grants/referee/<str:token>/", views.referee_upload, name="grants-referee"),
    path("grants/nominate/<str:token>/", views.nominator_page, name="grants-nominator"),
    path("grants/letters/<str:public_id>/", views.referee_letter, name="grants-letter"),
    path("grants/review/<str:public_id>/", views.review_page, name="grants-review"),
    path("grants/review/<str:public_id>/conflict/", views.conflict_declare, name="grants-conflict"),
    path("grants/office/", views.office_home, name="grants-office"),
    path("grants/office/programs/new/", views.office_program_new, name="grants-office-program-new"),
    path("grants/office/calls/new/", views.office_call_new, name="grants-office-call-new"),
    path("grants/office/calls/<str:public_id>/", views.office_call, name="grants-office-call"),
    path("grants/office/rounds/<str:public_id>/", views.office_round, name="grants-office-round"),
    path("grants/finance/", views.finance_page, name="grants-finance"),
]
