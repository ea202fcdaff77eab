"""Public open-data pages: ``/opendata/`` and the exports."""

from django.urls import path

from commonweal.opendata import views

urlpatterns = [
    path("opendata/", views.opendata_index, name="opendata"),
    path("opendata/iati.xml", views.iati_xml, name="opendata-iati"),
    path("opendata/360giving.json", views.threesixty_json, name="opendata-360giving"),
    path("opendata/<str:name>.csv", views.csv_table, name="opendata-csv"),
]
