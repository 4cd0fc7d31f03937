"""The Library tab's handlers: thin wrappers over :mod:`qa.library.documents`.

Each change (details, replace, delete) refreshes what depends on the collection:
the library table, the document picker and the Ask tab's document and type filters.
"""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from qa.app.common import readable
from qa.assistant import Assistant
from qa.errors import QAError
from qa.library import documents as library
from qa.library.pending import Indexing
from qa.library.verdicts import VerdictStore
from qa.render.html import library_to_html, status_to_html
from qa.render.text import format_date


class LibraryHandlers:
    """Events of the Library tab, bound to one assistant."""

    def __init__(self, assistant: Assistant, indexing: Indexing, verdicts: VerdictStore | None = None) -> None:
        self.assistant = assistant
        self.indexing = indexing
        self.verdicts = verdicts  # reviewers' verdicts, counted per document in the table

    # What the page shows of the collection

    def table(self, query: str = "") -> str:
        """The library table, filtered by ``query``."""
        try:
            counts = self.verdicts.counts() if self.verdicts is not None else None
            return library_to_html(library.list_documents(self.assistant, query or ""), query or "", counts)
        except QAError as exc:
            return status_to_html(readable(exc, "listing the library"), error=True)

    def choices(self) -> list[tuple[str, str]]:
        """'Title (date)' labels for the indexed sources, oldest first."""
        try:
            documents = self.assistant.index().documents.values()
        except QAError:
            return []
        ordered = sorted(documents, key=lambda d: (d.date is None, d.date or "", d.source))
        return [(f"{d.title or d.source} ({format_date(d.date)})", d.source) for d in ordered]

    def kinds(self) -> list[str]:
        try:
            return library.document_kinds(self.assistant.index().documents.values())
        except QAError:
            return list(library.COMMON_KINDS)

    def refreshed(self, query: str = "", status: str | None = None, keep: str | None = None):
        """(status, table, picker, sources filter, types filter, type field) after a change."""
        choices = self.choices()
        sources = [s for _, s in choices]
        return (
            status if status is not None else gr.update(),
            self.table(query),
            gr.update(choices=choices, value=keep if keep in sources else None),
            gr.update(choices=choices),
            gr.update(choices=self.kinds()),
            gr.update(choices=self.kinds()),
        )

    # Events

    def show(self, query: str):
        """Tab opened or the page loaded: the current table and choices."""
        return self.refreshed(query)

    def select(self, source: str | None):
        """A document picked: its catalog details in the edit fields (blank where the file's own are used)."""
        if not source:
            return "", "", "", None
        try:
            document = self.assistant.index().documents.get(source)
            entry = library.catalog_entry(self.assistant, source)
        except QAError as exc:
            gr.Warning(readable(exc, "reading the document's details"))
            return "", "", "", None
        if document is None:
            return "", "", "", None
        return (
            entry.title or document.title or "",
            entry.publisher or document.publisher or "",
            entry.date or document.date or "",
            entry.kind or document.kind,
        )

    def save_details(self, source, title, publisher, date, kind, query, progress=gr.Progress()):  # noqa: B008
        """Write the edited details to the catalog and re-index."""
        if not source:
            return self.refreshed(query, status_to_html("Choose a document first.", error=True))
        try:
            library.edit_details(
                self.assistant, source, title or "", publisher or "", date or "", kind or "", _progress(progress)
            )
        except Exception as exc:  # noqa: BLE001
            return self.refreshed(query, status_to_html(readable(exc, "saving the details"), error=True), source)
        return self.refreshed(query, status_to_html(f"Saved the details of {source} to the catalog."), source)

    def replace(self, source, file_path, query, progress=gr.Progress()):  # noqa: B008
        """Index an uploaded file in place of the chosen document."""
        if not source or not file_path:
            return self.refreshed(
                query, status_to_html("Choose a document and a file to replace it with.", error=True), source
            )
        name = Path(file_path).name
        try:
            with self.indexing.running([source]):
                library.replace_document(self.assistant, source, Path(file_path), name, _progress(progress))
        except Exception as exc:  # noqa: BLE001
            message = readable(exc, "replacing the document") + " The previous version is still in the collection."
            return self.refreshed(query, status_to_html(message, error=True), source)
        return self.refreshed(query, status_to_html(f"Replaced {source} with {name}; the index is up to date."), source)

    def delete(self, source, query, progress=gr.Progress()):  # noqa: B008
        """Remove the chosen document from the collection (the page asks for confirmation first)."""
        if not source:
            return self.refreshed(query, status_to_html("Choose a document first.", error=True))
        try:
            library.delete_document(self.assistant, source, _progress(progress))
        except Exception as exc:  # noqa: BLE001
            return self.refreshed(query, status_to_html(readable(exc, "deleting the document"), error=True), source)
        return self.refreshed(query, status_to_html(f"Deleted {source}; it is no longer searched or cited."))


def _progress(progress):
    return lambda fraction, message: progress(fraction, desc=message)
