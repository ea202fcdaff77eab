from django.conf import settings
from django.conf.urls.static import static
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
    path("", include("commonweal.matching.urls")),
    path("", include("commonweal.programs.urls")),
    path("", include("commonweal.programs.grants.urls")),
    path("", include("commonweal.impact.urls")),
    path("", include("commonweal.opendata.urls")),
    path("", include("commonweal.giving.urls")),
    path("", include("commonweal.projects.urls")),
]

if settings.DEBUG:
    # Development only: uploaded covers and report photos. In production the reverse proxy serves
    # MEDIA_ROOT (docs/operations.md); evidence files live in private storage and are never here.
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
