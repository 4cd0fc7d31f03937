"""The app and the LangChain retriever are extras: without their packages, a one-line install hint, no traceback.

Each case runs in a fresh interpreter in which the optional package cannot be
imported (``sys.modules[name] = None`` makes every import of it fail), as on a
machine where only ``pip install cited-qa`` was run.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import REPO


def run_without(package: str, code: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a new Python in which ``package`` cannot be imported."""
    script = f"import sys; sys.modules[{package!r}] = None\n{code}"
    return subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)


def test_serve_without_gradio_prints_the_install_command_and_fails(tmp_path):
    result = run_without(
        "gradio",
        f"from qa.cli import main\nsys.exit(main(['serve', '--port', '1', '--index', {str(tmp_path / 'index')!r}]))",
    )
    assert result.returncode != 0
    assert result.stderr.strip() == (
        "error: The web app needs the 'gradio' package, which is not installed. "
        "Install it with: pip install 'cited-qa[app]'"
    ), result.stderr
    assert "Traceback" not in result.stderr and "Serving on" not in result.stdout


def test_library_and_cli_work_without_gradio_or_langchain():
    result = run_without(
        "gradio",
        "sys.modules['langchain_core'] = None\n"
        "import qa, qa.cli, qa.render.html, qa.render.briefing\n"
        "assert 'gradio' not in [m for m in sys.modules if sys.modules[m] is not None]\n"
        "print('ok')",
    )
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


def test_langchain_retriever_without_langchain_names_the_extra():
    result = run_without(
        "langchain_core",
        "from qa.errors import MissingExtra\n"
        "try:\n"
        "    import qa.integrations.langchain\n"
        "except MissingExtra as exc:\n"
        "    print(exc)\n",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("Install it with: pip install 'cited-qa[langchain]'"), result.stdout


@pytest.mark.parametrize("extra,package", [("app", "gradio"), ("langchain", "langchain-core")])
def test_pyproject_declares_the_extras_and_dev_installs_them(extra, package):
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not any(d.startswith(package) for d in project["dependencies"]), f"{package} must be an extra"
    assert any(d.startswith(package) for d in project["optional-dependencies"][extra])
    assert any(extra in d for d in project["optional-dependencies"]["dev"] if d.startswith("cited-qa["))
