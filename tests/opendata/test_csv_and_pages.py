"""The public pages: /opendata/, the CSV tables (no personal data), and streamed responses."""

import csv
import io
import json

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from lxml import etree

from commonweal.giving.models import Donation, Refund
from commonweal.opendata.csv import CSV_TABLES
from commonweal.opendata.exports import iati_activities
from commonweal.opendata.iati import write_activities
from commonweal.opendata.models import ValidationRun
from commonweal.projects.models import Project
from commonweal.projects.permissions import PUBLIC_STATUSES

pytestmark = pytest.mark.django_db


def _body(response) -> bytes:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content)


def _csv(client, name: str) -> list[list[str]]:
    response = client.get(f"/opendata/{name}.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = _body(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_every_csv_has_its_columns_and_no_personal_data(client, dataset):
    personal = dataset["personal"]
    assert len(personal) > 10
    for name, table in CSV_TABLES.items():
        rows = _csv(client, name)
        assert tuple(rows[0]) == table.columns
        text = "\n".join(",".join(row) for row in rows)
        leaked = {s for s in personal if s in text}
        assert not leaked, f"{name}.csv contains personal data: {leaked}"


def test_csv_rows_are_the_public_records(client, dataset):
    projects = _csv(client, "projects")
    public = set(Project.objects.filter(status__in=PUBLIC_STATUSES).values_list("public_id", flat=True))
    assert {row[0] for row in projects[1:]} == public
    assert dataset["draft"].public_id not in public
    donations = _csv(client, "donations")
    assert sum(int(row[3]) for row in donations[1:]) == sum(Donation.objects.values_list("amount_fen", flat=True))
    commitments = {row[0]: row for row in _csv(client, "commitments")[1:]}
    person = commitments[dataset["person_commitment"].public_id]
    assert person[6:9] == ["individual", "", ""]  # kind, no org, no name
    assert len(_csv(client, "refunds")) == 1 + Refund.objects.count()
    assert [row[3] for row in _csv(client, "disbursements")[1:]] == ["purchase", "grant", "purchase"]
    assert len(_csv(client, "grants")) == 2


def test_unknown_csv_is_404(client, db):
    assert client.get("/opendata/secrets.csv").status_code == 404


def test_iati_and_360giving_endpoints(client, dataset):
    response = client.get("/opendata/iati.xml")
    assert response.status_code == 200 and response["Content-Type"] == "application/xml; charset=utf-8"
    document = etree.fromstring(_body(response))
    assert document.tag == "iati-activities"
    response = client.get("/opendata/360giving.json")
    assert response["Content-Type"] == "application/json"
    assert len(json.loads(_body(response))["grants"]) == 2


def test_the_index_links_the_files_and_shows_the_last_check(client, dataset):
    from django.core.management import call_command

    call_command("export", "iati", "--validate", stdout=io.StringIO())
    page = client.get("/opendata/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for href in ["/opendata/iati.xml", "/opendata/360giving.json", *(f"/opendata/{n}.csv" for n in CSV_TABLES)]:
        assert f'href="{href}"' in page
    run = ValidationRun.objects.get()
    assert f"{run.records} records checked" in page
    assert "43082" in page  # the domain table


def test_the_index_shows_problems_of_a_failed_check(client, dataset):
    Project.objects.filter(pk=dataset["world"].project.pk).update(sdg_tags=["99"])
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("export", "iati", "--validate", stdout=io.StringIO())
    page = client.get("/opendata/").content.decode()
    assert "/iati-activities/iati-activity/tag/@code" in page
    assert "发现问题：1 个" in page


def test_the_response_streams_before_the_projects_are_read(client, dataset):
    """The view returns a generator; its first bytes come before any project is read, and the
    first project activity after reading only the first batch."""
    with CaptureQueriesContext(connection) as at_response:
        response = client.get("/opendata/iati.xml")
    assert response.streaming
    assert not any("projects_project" in q["sql"] for q in at_response.captured_queries)
    chunks = iter(response.streaming_content)
    with CaptureQueriesContext(connection) as at_header:
        first = next(chunks)
    assert first.startswith(b"<?xml") and b"<iati-activities" in first and b"<iati-activity" not in first
    assert not any("projects_project" in q["sql"] for q in at_header.captured_queries)
    response.close()


def test_project_batches_are_read_one_at_a_time(dataset):
    public = Project.objects.filter(status__in=PUBLIC_STATUSES).count()
    assert public > 3
    chunks = write_activities(iati_activities(batch_size=2))
    with CaptureQueriesContext(connection) as queries:
        for chunk in chunks:
            if b"<iati-identifier>CN-USCI-" in chunk and b'hierarchy="2"' in chunk and b"<tag " in chunk:
                break  # the first project activity
    project_pages = [q for q in queries.captured_queries if 'FROM "projects_project"' in q["sql"] and "LIMIT 2" in q["sql"]]
    assert len(project_pages) == 1
    rest = sum(1 for _ in chunks)
    assert rest >= public - 2


def test_export_csv_command(dataset, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    target = tmp_path / "projects.csv"
    call_command("export", "csv", "--table", "projects", "--output", str(target))
    text = target.read_bytes().decode("utf-8")
    assert text.startswith("\ufeffpublic_id,iati_identifier,")
    assert len(text.strip().splitlines()) == 1 + Project.objects.filter(status__in=PUBLIC_STATUSES).count()
    with pytest.raises(CommandError, match="csv needs --table"):
        call_command("export", "csv")
