"""The Library tab's components: the document list with its search, upload, and a chosen document's
details, replacement and deletion. Wired to :class:`qa.app.library_handlers.LibraryHandlers` in the layout."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from qa.library.documents import COMMON_KINDS


@dataclass
class LibraryTab:
    """The tab's components, for the layout to wire."""

    search: gr.Textbox
    table: gr.HTML
    files: gr.File
    uploaded: gr.JSON
    upload_button: gr.Button
    upload_status: gr.HTML
    picker: gr.Dropdown
    title: gr.Textbox
    publisher: gr.Textbox
    date: gr.Textbox
    kind: gr.Dropdown
    save: gr.Button
    replace_file: gr.File
    replace: gr.Button
    delete: gr.Button
    status: gr.HTML


def build_library_tab() -> LibraryTab:
    """Lay out the Library tab inside the current Blocks context."""
    gr.Markdown(
        "Every indexed document. Choose one to correct its details, replace it with a new version or delete it."
    )
    search = gr.Textbox(
        label="Search the list", placeholder="Words of a title, file, publisher or type", elem_id="library-search"
    )
    table = gr.HTML(elem_id="library-table")
    with gr.Accordion("Add documents", open=False, elem_id="upload"):
        files = gr.File(
            label="Text, Markdown, HTML, PDF or Word (.docx) files",
            file_count="multiple",
            type="filepath",
            elem_id="upload-files",
        )
        # The chosen files as plain {path, name} entries, copied in the browser (see the layout).
        uploaded = gr.JSON(visible="hidden", elem_id="uploaded")  # in the DOM, so its value is kept
        upload_button = gr.Button("Add to the collection", elem_id="upload-button")
        upload_status = gr.HTML(elem_id="upload-status")
    with gr.Group(elem_id="library-edit"):
        picker = gr.Dropdown(label="Document", choices=[], elem_id="library-doc")
        with gr.Row():
            title = gr.Textbox(label="Title", elem_id="library-title", scale=3)
            publisher = gr.Textbox(label="Publisher", elem_id="library-publisher", scale=2)
        with gr.Row():
            date = gr.Textbox(label="Date", placeholder="YYYY, YYYY-MM or YYYY-MM-DD", elem_id="library-date")
            kind = gr.Dropdown(
                label="Type", choices=list(COMMON_KINDS), allow_custom_value=True, elem_id="library-kind"
            )
        save = gr.Button("Save details to the catalog", elem_id="library-save")
    with gr.Row():
        replace_file = gr.File(label="Replace with a new version", type="filepath", elem_id="library-replace-file")
        with gr.Column():
            replace = gr.Button("Replace the document", elem_id="library-replace")
            delete = gr.Button("Delete the document", variant="stop", elem_id="library-delete")
    status = gr.HTML(elem_id="library-status")
    return LibraryTab(
        search,
        table,
        files,
        uploaded,
        upload_button,
        upload_status,
        picker,
        title,
        publisher,
        date,
        kind,
        save,
        replace_file,
        replace,
        delete,
        status,
    )
