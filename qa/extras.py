"""Optional dependencies: the web app (``cited-qa[app]``) and the LangChain retriever (``cited-qa[langchain]``).

They are imported only when the feature is used, and a missing one is a
one-line :class:`~qa.errors.MissingExtra` naming the command that installs it.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from qa.errors import MissingExtra


def require(module: str, extra: str, feature: str) -> ModuleType:
    """Import ``module`` for ``feature``, or raise MissingExtra with the pip command for ``extra``."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtra(
            f"{feature} needs the '{module}' package, which is not installed. "
            f"Install it with: pip install 'cited-qa[{extra}]'"
        ) from None
