from django.contrib import admin
from django.urls import include, path

from commonweal.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("log/", include("commonweal.ledger.urls")),
    path("", include("commonweal.ledger.urls_public")),
    path("console/", include("commonweal.console_urls")),
    path("", include("commonweal.disclosure.urls_spending")),
    path("", include("commonweal.disclosure.urls_reporting")),
    path("", include("commonweal.disclosure.urls_complaints")),
    path("", include("commonweal.giving.urls")),
    path("", include("commonweal.projects.urls")),
]
