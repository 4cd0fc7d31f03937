"""Fuzz the loaders: random and mutated bytes of every supported type either load or raise LoadError, quickly."""

from __future__ import annotations

import io
import random
import time
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from bench.reliability_report import record
from qa.assistant import Assistant
from qa.errors import LoadError
from qa.ingest.readers import Loaded, read_file

from conftest import DATA, make_settings

try:
    from docxmaker import docx_bytes
    from pdfmaker import make_pdf
except ImportError:
    from tests.docxmaker import docx_bytes
    from tests.pdfmaker import make_pdf

LIMIT = 10 * 1024 * 1024
BOUND_S = 10.0  # no single file may take longer than this to load or be refused
EXAMPLES = 50  # per type and strategy; a few seconds each
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # timing is asserted below against BOUND_S; hypothesis' own deadline is flaky on a loaded CI box
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)


def _docx_seed() -> bytes:
    return docx_bytes("The board met in public and approved the budget for children's services.")


def _pdf_seed(tmp: Path) -> bytes:
    lines = ["The council published its improvement plan on Tuesday.", "Inspectors found that supervision was weak."]
    return make_pdf(tmp / "seed.pdf", [lines, lines[::-1]], title="Improvement plan").read_bytes()


@pytest.fixture(scope="module")
def seeds(tmp_path_factory) -> dict[str, bytes]:
    """One valid file of every supported type."""
    tmp = tmp_path_factory.mktemp("seeds")
    return {
        ".txt": (DATA / "plain.txt").read_bytes(),
        ".md": (DATA / "notes.md").read_bytes(),
        ".html": (DATA / "page.html").read_bytes(),
        ".pdf": _pdf_seed(tmp),
        ".docx": _docx_seed(),
    }


def test_seeds_are_valid(seeds, tmp_path):
    for suffix, data in seeds.items():
        path = tmp_path / f"seed{suffix}"
        path.write_bytes(data)
        assert read_file(path, LIMIT).text.strip(), suffix


class Tally:
    """Outcomes per (type, strategy), recorded for docs/reliability.md."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str], Counter] = {}
        self.slowest: dict[tuple[str, str], float] = {}

    def run(self, path: Path, data: bytes, key: tuple[str, str]) -> None:
        path.write_bytes(data)
        started = time.perf_counter()
        try:
            result = read_file(path, LIMIT)
            assert isinstance(result, Loaded) and isinstance(result.text, str)
            outcome = "loaded"
        except LoadError as exc:
            assert str(exc).startswith(f"{path.name}: ")
            outcome = "skipped"
        # anything else propagates and fails the test, with hypothesis' minimal example
        took = time.perf_counter() - started
        assert took < BOUND_S, f"{path.name} took {took:.1f} s"
        self.counts.setdefault(key, Counter())[outcome] += 1
        self.slowest[key] = max(self.slowest.get(key, 0.0), took)

    def record(self, order: int) -> None:
        for (suffix, strategy), counts in self.counts.items():
            record(
                "fuzz",
                f"{suffix} {strategy}",
                {
                    "order": order,
                    "type": suffix,
                    "strategy": strategy,
                    "examples": sum(counts.values()),
                    "loaded": counts["loaded"],
                    "skipped": counts["skipped"],
                    "crashes": 0,
                    "slowest_s": round(self.slowest[(suffix, strategy)], 3),
                },
            )


def _mutate(data: bytes, mutations: list[tuple[str, float, object]]) -> bytes:
    out = bytearray(data)
    for kind, where, arg in mutations:
        at = int(where * len(out))
        if kind == "flip" and out:
            out[min(at, len(out) - 1)] ^= arg
        elif kind == "truncate":
            del out[at:]
        elif kind == "insert":
            out[at:at] = arg
        elif kind == "delete":
            del out[at : at + arg]
        elif kind == "repeat":  # duplicate a slice many times: stresses parsers' loops
            piece = bytes(out[at : at + 64])
            out[at:at] = piece * arg
    return bytes(out)


MUTATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("flip"), st.floats(0, 1), st.integers(1, 255)),
        st.tuples(st.just("truncate"), st.floats(0, 1), st.none()),
        st.tuples(st.just("insert"), st.floats(0, 1), st.binary(min_size=1, max_size=64)),
        st.tuples(st.just("delete"), st.floats(0, 1), st.integers(1, 256)),
        st.tuples(st.just("repeat"), st.floats(0, 1), st.integers(1, 200)),
    ),
    min_size=1,
    max_size=6,
)
SUFFIXES = [".txt", ".md", ".html", ".pdf", ".docx"]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_random_bytes_load_or_are_skipped(suffix, tmp_path):
    tally = Tally()

    @FUZZ
    @given(data=st.one_of(st.binary(max_size=4096), st.binary(max_size=64).map(lambda b: _magic(suffix) + b)))
    def check(data: bytes) -> None:
        tally.run(tmp_path / f"random{suffix}", data, (suffix, "random bytes"))

    check()
    tally.record(SUFFIXES.index(suffix))


def _magic(suffix: str) -> bytes:
    """The start a real file of this type has, so random bytes get past the first check."""
    return {".pdf": b"%PDF-1.4\n", ".docx": b"PK\x03\x04", ".html": b"<!DOCTYPE html><html><body>"}.get(suffix, b"")


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_mutated_valid_files_load_or_are_skipped(suffix, seeds, tmp_path):
    tally = Tally()

    @FUZZ
    @given(mutations=MUTATIONS)
    def check(mutations) -> None:
        tally.run(tmp_path / f"mutated{suffix}", _mutate(seeds[suffix], mutations), (suffix, "mutated valid file"))

    check()
    tally.record(SUFFIXES.index(suffix))


def _rezip(docx: bytes, member: str, change) -> bytes:
    """Rewrite one member of a .docx with ``change(bytes) -> bytes``, keeping the zip itself valid."""
    source = zipfile.ZipFile(io.BytesIO(docx))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info.filename, change(data) if info.filename == member else data)
    return buffer.getvalue()


@pytest.mark.parametrize("member", ["word/document.xml", "word/styles.xml", "[Content_Types].xml"])
def test_docx_with_mutated_xml_inside_a_valid_zip(member, seeds, tmp_path):
    tally = Tally()

    @FUZZ
    @given(mutations=MUTATIONS)
    def check(mutations) -> None:
        data = _rezip(seeds[".docx"], member, lambda xml: _mutate(xml, mutations))
        tally.run(tmp_path / "inner.docx", data, (".docx", f"mutated {member} in a valid zip"))

    check()
    tally.record(5)


TAGS = ["div", "p", "span", "table", "tr", "td", "script", "style", "pre", "main", "article", "br", "nav", "b"]


TAG_SOUP = st.lists(
    st.one_of(
        st.sampled_from(TAGS).map(lambda t: f"<{t}>"),
        st.sampled_from(TAGS).map(lambda t: f"</{t}>"),
        st.text(max_size=30),
        st.sampled_from(
            ["<!--", "-->", "<![CDATA[", "&amp;", "&#0;", "&#xD800;", "<meta charset='utf-7'>", "\x00", "<"]
        ),
    ),
    max_size=200,
)


def test_tag_soup_html_loads_or_is_skipped(tmp_path):
    tally = Tally()

    @FUZZ
    @given(parts=TAG_SOUP)
    def check(parts) -> None:
        markup = "".join(parts).encode("utf-8", "surrogatepass")
        tally.run(tmp_path / "soup.html", markup, (".html", "random tag soup"))

    check()
    tally.record(2)


def test_ingest_over_a_folder_of_garbage_keeps_the_good_file(tmp_path, seeds, fake_embedder):
    rnd = random.Random(20240601)
    corpus = tmp_path / "garbage"
    corpus.mkdir()
    expected_skips = set()
    for suffix in SUFFIXES:
        for n in range(3):
            name = f"random-{n}{suffix}"
            (corpus / name).write_bytes(_magic(suffix) + rnd.randbytes(rnd.randint(0, 5000)))
            expected_skips.add(name)
        if suffix in (".pdf", ".docx", ".html"):
            name = f"truncated{suffix}"
            (corpus / name).write_bytes(seeds[suffix][: len(seeds[suffix]) // 3])
            expected_skips.add(name)
    (corpus / "good.txt").write_text(
        "Inspection summary\n\nThe inspectors found that supervision of social workers had improved since the last visit.\n",
        encoding="utf-8",
    )
    assistant = Assistant(make_settings(tmp_path, corpus), embedder=fake_embedder)
    started = time.perf_counter()
    report = assistant.ingest(progress=False)
    took = time.perf_counter() - started
    assert report.added == ["good.txt"]
    assert set(report.skipped) == expected_skips
    for source, reason in report.skipped.items():
        assert reason, source
    index = assistant.index()
    assert list(index.documents) == ["good.txt"] and index.chunks
    record(
        "fuzz",
        "ingest garbage folder",
        {
            "order": 9,
            "type": "all",
            "strategy": f"ingest of {len(expected_skips)} garbage files + 1 good file",
            "examples": len(expected_skips) + 1,
            "loaded": 1,
            "skipped": len(report.skipped),
            "crashes": 0,
            "slowest_s": round(took, 2),
        },
    )
