"""A smoke run of the benchmark harness: every section runs end to end and the report holds its tables."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_bench_smoke_run_writes_the_report_and_plots(tmp_path):
    out = tmp_path / "results"
    command = [
        sys.executable, str(REPO / "bench" / "run.py"), "--smoke", "--only", "scifact,scaling,postgres",
        "--scifact-docs", "20", "--scifact-queries", "3", "--sizes", "1000", "--out", str(out),
    ]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    report = (out / "report.md").read_text(encoding="utf-8")
    for system in ("(a) BM25 alone", "(b) dense alone", "(c) LangChain", "(d) our search", "(e) our answer"):
        assert system in report
    for section in ("## Ingest cost", "## Query speed and memory", "## Scaling", "## PostgreSQL"):
        assert section in report
    assert (out / "quality.png").stat().st_size > 0 and (out / "scaling.png").stat().st_size > 0
    assert (out / "results.json").is_file()
