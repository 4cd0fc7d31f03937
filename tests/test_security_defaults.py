"""Security defaults: loopback only, login available, nothing that executes code read from disk, no network at run time."""

from __future__ import annotations

import ast
import ipaddress
import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from bench.reliability_report import record
from qa.index import builds as store
from qa.assistant import Assistant
from qa.settings import Settings

from conftest import CORPUS, REPO, make_settings

QA_SOURCE = REPO / "qa"
# Modules whose loaders can run code from the bytes they read.
CODE_EXECUTING_MODULES = {
    "pickle",
    "cPickle",
    "_pickle",
    "dill",
    "cloudpickle",
    "joblib",
    "shelve",
    "marshal",
    "jsonpickle",
}


def test_app_binds_to_loopback_without_a_share_link_by_default(monkeypatch):
    for name in [n for n in os.environ if n.startswith("QA_APP")]:
        monkeypatch.delenv(name)
    app = Settings().app
    assert app.host == "127.0.0.1"
    assert app.share is False
    assert app.auth is None and app.auth_file is None  # off by default ...
    assert Settings(app={"auth": "alice:secret"}).app.auth == "alice:secret"  # ... and can be switched on
    monkeypatch.setenv("QA_APP__HOST", "0.0.0.0")  # binding elsewhere takes an explicit choice
    assert Settings().app.host == "0.0.0.0"
    record(
        "security",
        "bind",
        {
            "order": 1,
            "check": "default bind address, share link, login",
            "result": "127.0.0.1, share off, login off by default and configurable",
        },
    )


def _unsafe_calls(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name.split(".")[0] in CODE_EXECUTING_MODULES]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in CODE_EXECUTING_MODULES:
            found.append(f"from {node.module} import ...")
        elif isinstance(node, ast.Call):
            name = ast.unparse(node.func)
            if name in ("torch.load", "pd.read_pickle", "pandas.read_pickle", "eval", "exec"):
                found.append(name)
            if name.endswith("yaml.load") and not any(
                k.arg == "Loader" and "Safe" in ast.unparse(k.value) for k in node.keywords
            ):
                found.append(name)
            for keyword in node.keywords:
                if keyword.arg == "allow_pickle" and not (
                    isinstance(keyword.value, ast.Constant) and keyword.value.value is False
                ):
                    found.append(f"{name}(allow_pickle={ast.unparse(keyword.value)})")
    return found


def test_no_code_executing_format_is_read_anywhere_in_the_package():
    files = sorted(QA_SOURCE.rglob("*.py"))
    assert len(files) > 10
    problems = {}
    for path in files:
        found = _unsafe_calls(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        if found:
            problems[path.name] = found
    assert not problems
    # the checker itself catches what it is meant to
    assert _unsafe_calls(ast.parse("import pickle\nnp.load(p, allow_pickle=True)\ntorch.load(f)")) == [
        "import pickle",
        "np.load(allow_pickle=True)",
        "torch.load",
    ]
    record(
        "security",
        "source scan",
        {
            "order": 2,
            "check": f"AST scan of {len(files)} modules in qa/ for pickle, dill, joblib, "
            "marshal, shelve, torch.load, allow_pickle, unsafe yaml.load, eval/exec",
            "result": "none found",
        },
    )


def test_every_index_file_is_json_npy_or_faiss(fake_assistant):
    import faiss

    index_dir = fake_assistant.settings.index_dir
    kinds: dict[str, int] = {}
    for path in sorted(p for p in index_dir.rglob("*") if p.is_file()):
        if path.name in ("CURRENT", ".lock"):
            kind = "pointer/lock"
            assert path.read_text(encoding="utf-8").strip() in ("", store.current_build(index_dir).name)
        elif path.suffix == ".json":
            kind = ".json"
            json.loads(path.read_text(encoding="utf-8"))
        elif path.suffix == ".jsonl":
            kind = ".jsonl"
            for line in path.read_text(encoding="utf-8").splitlines():
                json.loads(line)
        elif path.suffix == ".npy":
            kind = ".npy"
            array = np.load(path, allow_pickle=False)
            assert array.dtype != object
        elif path.suffix == ".faiss":
            kind = ".faiss"
            faiss.read_index(str(path))
        else:
            pytest.fail(f"unexpected file kind in the index: {path.relative_to(index_dir)}")
        kinds[kind] = kinds.get(kind, 0) + 1
    assert {".json", ".jsonl", ".npy", ".faiss"} <= set(kinds)  # .faiss: dense stores in FAISS's own format
    record(
        "security",
        "index files",
        {
            "order": 3,
            "check": "every file of a built index",
            "result": ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) + "; .npy load with allow_pickle=False",
        },
    )


class NetworkUsed(AssertionError):
    pass


def _guard_sockets(monkeypatch) -> list:
    """Make any connection to a non-loopback address fail loudly; return the list of attempts."""
    attempts: list = []
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def check(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0]
            try:
                loopback = ipaddress.ip_address(host).is_loopback
            except ValueError:
                loopback = host == "localhost"
            attempts.append(host)
            if not loopback:
                raise NetworkUsed(f"network connection attempted to {address}")

    def connect(sock, address):
        check(sock, address)
        return real_connect(sock, address)

    def connect_ex(sock, address):
        check(sock, address)
        return real_connect_ex(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(
        socket, "getaddrinfo", lambda host, *a, **k: (_ for _ in ()).throw(NetworkUsed(f"DNS lookup of {host}"))
    )
    return attempts


def test_guard_catches_a_connection():
    with pytest.MonkeyPatch.context() as mp:
        _guard_sockets(mp)
        with pytest.raises(NetworkUsed):
            socket.create_connection(("203.0.113.1", 80), timeout=1)


def test_ingest_and_ask_use_no_network(tmp_path, corpus_copy, fake_embedder, monkeypatch):
    attempts = _guard_sockets(monkeypatch)
    assistant = Assistant(make_settings(tmp_path, corpus_copy), embedder=fake_embedder)
    assistant.ingest(progress=False)
    assistant.ask("What did inspectors say about supervision?")
    assert attempts == []


@pytest.mark.slow
def test_cli_with_the_real_model_runs_with_the_network_cut_off(tmp_path):
    """A fresh process loads the packaged model, ingests and answers while every non-loopback connect raises."""
    shutil.copytree(CORPUS, tmp_path / "corpus")
    script = textwrap.dedent(f"""
        import ipaddress, socket, sys
        def refuse(*args, **kwargs):
            raise OSError("network disabled by test")
        real = socket.socket.connect
        def connect(sock, address):
            if sock.family in (socket.AF_INET, socket.AF_INET6) and not ipaddress.ip_address(address[0]).is_loopback:
                raise OSError(f"network connection attempted to {{address}}")
            return real(sock, address)
        socket.socket.connect = connect
        socket.getaddrinfo = refuse
        from qa.cli import main
        code = main(["ingest", {str(tmp_path / "corpus")!r}, "--index", {str(tmp_path / "index")!r}, "--quiet"])
        code = code or main(["ask", "--json", "What did inspectors say about supervision?", "--index", {str(tmp_path / "index")!r}])
        sys.exit(code)
    """)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_"))}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=600, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.splitlines()[-1])["found"] is True
    assert "network" not in result.stderr.lower()
    record(
        "security",
        "network",
        {
            "order": 4,
            "check": "fresh `qa ingest` + `qa ask` with the real model, all non-loopback "
            "connects and DNS lookups raising",
            "result": "model loads, ingest and answer complete",
        },
    )
