"""Exports run in bounded memory: the peak while streaming 600 projects is about the peak for 100,
with batches of 25 (bench/opendata_export.py measures 10,000 against 100,000 with the same
functions and the default batch sizes)."""

import importlib.util
from pathlib import Path

import pytest

from commonweal.opendata.csv import CSV_TABLES, write_csv
from commonweal.opendata.exports import iati_activities
from commonweal.opendata.iati import write_activities

pytestmark = pytest.mark.django_db

_BENCH = Path(__file__).resolve().parents[2] / "bench" / "opendata_export.py"


def _bench():
    spec = importlib.util.spec_from_file_location("opendata_export_bench", _BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_peak_memory_does_not_grow_with_the_number_of_projects(monkeypatch):
    monkeypatch.setattr("commonweal.opendata.csv.CSV_CHUNK_SIZE", 25)
    bench = _bench()
    orgs = bench.make_orgs(5)
    bench.bulk_projects(100, orgs=orgs)
    small_iati = bench.stream_peak(write_activities(iati_activities(batch_size=25)))
    small_csv = bench.stream_peak(write_csv(CSV_TABLES["projects"]))
    bench.bulk_projects(500, orgs=orgs, start=100)
    large_iati = bench.stream_peak(write_activities(iati_activities(batch_size=25)))
    large_csv = bench.stream_peak(write_csv(CSV_TABLES["projects"]))
    assert large_iati[0] > 5 * small_iati[0]  # six times the projects, about six times the bytes
    assert large_iati[1] < 1.5 * small_iati[1], (small_iati, large_iati)
    assert large_csv[0] > 5 * small_csv[0]
    assert large_csv[1] < 1.5 * small_csv[1], (small_csv, large_csv)
