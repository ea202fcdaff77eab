"""Public open-data pages: the index, and the exports streamed as they are built."""

from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render

from commonweal.core.domains import DOMAINS
from commonweal.opendata.conf import publisher
from commonweal.opendata.csv import CSV_TABLES, write_csv
from commonweal.opendata.exports import iati_activities
from commonweal.opendata.iati import IATI_VERSION, write_activities
from commonweal.opendata.models import Dataset
from commonweal.opendata.selectors import latest_validation_runs
from commonweal.opendata.sectors import DOMAIN_SECTORS
from commonweal.opendata.standards import codelist
from commonweal.opendata.threesixty import THREESIXTY_VERSION, threesixty_grants, write_package


def _stream(chunks, *, content_type: str, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "public, max-age=300"
    return response


def opendata_index(request):
    runs = latest_validation_runs()
    sectors = codelist("Sector")["active"]
    domain_sectors = [(info, [(code, sectors.get(code, ""), pct) for code, pct in DOMAIN_SECTORS[info.domain]]) for info in DOMAINS]
    return render(request, "opendata/index.html", {
        "publisher": publisher(),
        "iati_version": IATI_VERSION,
        "threesixty_version": THREESIXTY_VERSION,
        "iati_run": runs[Dataset.IATI],
        "threesixty_run": runs[Dataset.THREESIXTY],
        "tables": list(CSV_TABLES.values()),
        "domain_sectors": domain_sectors,
    })


def iati_xml(request):
    return _stream(write_activities(iati_activities()), content_type="application/xml; charset=utf-8", filename="iati.xml")


def threesixty_json(request):
    return _stream(write_package(threesixty_grants()), content_type="application/json", filename="360giving.json")


def csv_table(request, name: str):
    table = CSV_TABLES.get(name)
    if table is None:
        raise Http404(f"no open-data table {name!r}")
    return _stream(write_csv(table), content_type="text/csv; charset=utf-8", filename=f"{name}.csv")
