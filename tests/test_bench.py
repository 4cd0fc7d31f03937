"""A smoke run of the benchmark harness: every section runs end to end and the report holds its tables.

Kept small for CI: a dozen abstracts and two claims (the model loads in four fresh
processes are most of its time; a smoke run leaves out the two cold-start ones),
a few hundred synthetic passages, and a second, model-free run that reruns one
section into the same results.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _bench(*args: str) -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), *args], cwd=REPO, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.mark.slow
def test_bench_smoke_run_writes_the_report_and_a_rerun_section_keeps_the_others(tmp_path):
    out = tmp_path / "results"
    _bench(
        "--smoke",
        "--only",
        "scifact,scaling,postgres",
        "--scifact-docs",
        "12",
        "--scifact-queries",
        "2",
        "--sizes",
        "400",
        "--out",
        str(out),
    )
    report = (out / "report.md").read_text(encoding="utf-8")
    for system in ("(a) BM25 alone", "(b) dense alone", "(c) LangChain", "(d) our search", "(e) our answer"):
        assert system in report
    for section in ("## Ingest cost", "## Query speed and memory", "## Scaling", "## PostgreSQL"):
        assert section in report
    assert (out / "quality.png").stat().st_size > 0 and (out / "scaling.png").stat().st_size > 0
    first = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert set(first) >= {"scifact", "scaling", "postgres"} and first["scifact"]["run"]["date"]

    # Rerunning one section replaces only that section's figures; the report is rebuilt from all of them.
    sys.path.insert(0, str(REPO))
    from bench import run as bench_run

    assert bench_run.main(["--smoke", "--only", "scaling", "--sizes", "300", "--out", str(out)]) == 0
    merged = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert merged["scifact"] == first["scifact"]
    assert set(merged["scaling"]) == {"300", "400"}
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "(d) our search" in report and "| 300 |" in report and "| 400 |" in report
    assert "| scaling, 300 passages | measured 20" in report and "| scaling, 400 passages | measured 20" in report

    # Ingest cost measured on a subset: the cost table says the subset's size, the quality table the corpus's.
    from bench import report as bench_report

    scifact = merged["scifact"]
    scifact["cost"] = {"documents": 5, "ingest": scifact["ingest"], "peers": scifact["peers"]}
    scifact["ingest"] = {k: v for k, v in scifact["ingest"].items() if k != "baseline"}
    scifact["documents"] = 5183
    text = bench_report.write(merged, tmp_path).read_text(encoding="utf-8")
    assert "### SciFact: 5,183 documents" in text
    cost_rows = text.split("## Ingest cost", 1)[1].split("\n\n")[2]
    assert "| SciFact | 5 |" in cost_rows

    # Sizes from another run's results merge in without measuring anything.
    other = tmp_path / "other"
    other.mkdir()
    (other / "results.json").write_text(json.dumps({"scaling": {"123": merged["scaling"]["300"]}}), encoding="utf-8")
    assert bench_run.main(["--only", "scaling", "--merge", str(other / "results.json"), "--out", str(out)]) == 0
    assert set(json.loads((out / "results.json").read_text(encoding="utf-8"))["scaling"]) == {"123", "300", "400"}


@pytest.mark.slow
def test_answer_time_section_times_the_same_questions_at_each_size(tmp_path):
    out = tmp_path / "results"
    _bench("--smoke", "--only", "answer-time", "--answer-sizes", "30,60", "--out", str(out))
    figures = json.loads((out / "results.json").read_text(encoding="utf-8"))["answer-time"]["sizes"]
    assert set(figures) == {"30", "60"}
    for f in figures.values():
        assert f["answer"]["p50_ms"] > 0 and f["search"]["p50_x"] > 0 and f["questions"] == figures["30"]["questions"]
    assert "| documents |" in (out / "answer_time.md").read_text(encoding="utf-8")
    assert "## Answer time against collection size" in (out / "report.md").read_text(encoding="utf-8")
