"""The benchmark script runs end to end (a smoke run; the figures are in bench/README.md)."""

import json
import subprocess
import sys

import pytest
from django.conf import settings


@pytest.mark.slow
def test_benchmark_smoke_run_serves_every_url_without_errors(tmp_path):
    result_path = tmp_path / "bench.json"
    completed = subprocess.run(
        [sys.executable, "bench/run.py", "--smoke", "--json", str(result_path)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]
    results = json.loads(result_path.read_text())
    assert "rps ÷ bare" in completed.stdout or "rps" in completed.stdout
    text = json.dumps(results)
    assert "/bench/bare/" in text and "/events/" in text
