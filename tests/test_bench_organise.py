"""The organiser benchmark runs end to end (a smoke run; the figures are in bench/README.md)."""

import json
import subprocess
import sys

import pytest
from django.conf import settings


@pytest.mark.slow
def test_organise_benchmark_smoke_run_serves_the_list_and_both_exports(tmp_path):
    result_path = tmp_path / "organise.json"
    completed = subprocess.run(
        [sys.executable, "bench/organise.py", "--smoke", "--json", str(result_path)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]
    results = json.loads(result_path.read_text())
    assert results["list"]["attendees"]["errors"] == 0
    assert results["list"]["attendees"]["rows_shown"] == 50
    for kind in ("csv", "xlsx"):
        export = results["exports"][kind]
        assert export["errors"] == 0 and export["bytes"] > 0
        assert export["worker_hwm_kb_after"] >= export["worker_hwm_kb_before"]
    assert "Attendee list" in completed.stdout and "Exports" in completed.stdout
