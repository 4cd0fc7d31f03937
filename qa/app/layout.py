"""The page: chat with cited answers, a sources panel, a source viewer, filters, upload and export.

Builds the Gradio Blocks and wires each event to a handler in
:mod:`qa.app.handlers`. The page's CSS and JavaScript are the files in
``static/``, read once at import.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any

import gradio as gr

from qa.app.examples import read_examples
from qa.app.conversation_handlers import ConversationHandlers
from qa.app.audit_handlers import AuditedEvents, open_audit
from qa.app.export_handlers import ExportHandlers
from qa.app.handlers import Handlers
from qa.app.library_handlers import LibraryHandlers
from qa.app.library_tab import build_library_tab
from qa.app.verdict_box import build_verdict_box
from qa.app.verdict_handlers import VerdictHandlers, open_verdicts
from qa.assistant import Assistant
from qa.render.html import conversation_to_html, sources_to_html, viewer_placeholder


def read_static(name: str) -> str:
    """The text of ``qa/app/static/<name>``, shipped with the package."""
    return files("qa.app").joinpath("static", name).read_text(encoding="utf-8")


CSS = read_static("app.css")
# Run by each HTML panel: citation clicks send a "cite" event; the selected source and passage scroll into view.
PANEL_JS = read_static("app.js")
# The File box's value as [{path, name}] with no file metadata, so Gradio treats it as data, not files.
# (Wrapped in a list: a JS event returns one value per output.)
LIST_UPLOADS_JS = "(files) => [(files || []).map((f) => ({path: f.path, name: f.orig_name}))]"
# Deleting asks first; declining sends no document, which the handler treats as nothing chosen.
CONFIRM_DELETE_JS = (
    "(source, query) => [source && confirm('Delete ' + source + ' from the collection? It will no longer be "
    "searched or cited.') ? source : null, query]"
)
# Deleting a conversation asks first, naming it; declining sends none, and the handler does nothing. With none
# chosen, the page says so instead of asking.
CONFIRM_DELETE_CONVERSATION_JS = (
    "(chosen, memory) => { if (!chosen) { alert('Choose a conversation in the list first.'); return [null, memory]; }"
    " const picked = document.querySelector('#conv-list input:checked');"
    " const name = picked ? (picked.closest('label') || picked).textContent.trim() : 'this conversation';"
    " return [confirm('Delete the conversation \u201c' + name + '\u201d? It cannot be undone.') ? chosen : null,"
    " memory]; }"
)


def build_app(assistant: Assistant, examples: tuple[str, ...] | None = None) -> gr.Blocks:
    """The Blocks app over ``assistant``; serve it with :func:`qa.app.server.launch`.

    Example questions come from ``examples.json`` in the corpus folder unless given.
    """
    if examples is None:
        examples = read_examples(assistant.settings.corpus_dir / assistant.settings.app.examples_name)
    handlers = Handlers(assistant)
    verdict_store, audit = open_verdicts(assistant.settings), open_audit(assistant.settings)
    library = LibraryHandlers(assistant, handlers.indexing, verdict_store)
    events = AuditedEvents(handlers, library, audit)  # the events the audit log records
    verdicts = VerdictHandlers(assistant, verdict_store, audit)
    talks = ConversationHandlers(assistant.settings)
    exporter = ExportHandlers(assistant.settings)
    # offline: no usage reporting; Gradio's copies of uploads (refused ones too) are deleted after an hour
    title = assistant.settings.app.collection_title
    with gr.Blocks(title=title, analytics_enabled=False, delete_cache=(3600, 3600)) as demo:
        turns = gr.State([])
        # The browser's own id and open conversation, kept (encrypted) in its local storage across reloads.
        memory = gr.BrowserState({}, storage_key="qa-conversation", secret=talks.secret())
        # The person's conversations, always in view on a wide screen (a panel to open on a phone).
        with gr.Sidebar(label="Your conversations", width=270, open=False, elem_id="conversations"):
            gr.Markdown("## Your conversations")
            clear_button = gr.Button("New conversation", size="sm", elem_id="clear")
            saved = gr.Radio(
                label="Open an earlier conversation", choices=[], elem_id="conv-list", elem_classes=["conv-list"]
            )
            new_name = gr.Textbox(
                label="New name for the chosen conversation", placeholder="A new name for it", elem_id="conv-name"
            )
            with gr.Row():
                rename_button = gr.Button("Rename", size="sm", elem_id="conv-rename", min_width=60)
                delete_conversation = gr.Button("Delete", size="sm", elem_id="conv-delete", min_width=60)
        gr.Markdown(
            f"# {title}\nAsk in plain English. Answers quote the documents word for word; select a number to check it."
        )
        with gr.Tabs(elem_id="tabs"):
            with gr.Tab("Ask", id="ask-tab", elem_id="ask-tab"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3):
                        conversation = gr.HTML(
                            conversation_to_html([]),
                            js_on_load=PANEL_JS,
                            elem_id="conversation",
                            min_height=240,
                            max_height=640,
                            autoscroll=False,  # static/app.js scrolls to the newest question instead
                        )
                        with gr.Row():
                            question = gr.Textbox(
                                label="Your question",
                                show_label=False,
                                placeholder="Ask a question, or a follow-up such as “and what about in 2020?”",
                                elem_id="question",
                                scale=5,
                                autofocus=True,
                            )
                            ask_button = gr.Button("Ask", variant="primary", elem_id="ask", scale=1, min_width=80)
                        with gr.Row(elem_id="examples"):
                            example_buttons = [gr.Button(text, size="sm", variant="secondary") for text in examples]
                        with gr.Accordion("Filters: documents, types and dates", open=False, elem_id="filters"):
                            sources = gr.Dropdown(
                                label="Only these documents (leave empty for all)",
                                multiselect=True,
                                choices=[],
                                elem_id="sources-filter",
                            )
                            kinds = gr.Dropdown(
                                label="Only these types of document (leave empty for all)",
                                multiselect=True,
                                choices=[],
                                elem_id="kinds-filter",
                            )
                            with gr.Row():
                                since = gr.Textbox(
                                    label="From date", placeholder="YYYY, YYYY-MM or YYYY-MM-DD", elem_id="since"
                                )
                                until = gr.Textbox(
                                    label="To date", placeholder="YYYY, YYYY-MM or YYYY-MM-DD", elem_id="until"
                                )
                        with gr.Accordion("Briefing note: export answers", open=False, elem_id="export-box"):
                            export_choice = gr.CheckboxGroup(
                                label="Answers to include", choices=[], elem_id="export-choice"
                            )
                            export_button = gr.Button(
                                "Export briefing note (.md, .docx and .pdf)", size="sm", elem_id="export"
                            )
                            export_files = gr.File(
                                label="Briefing note", file_count="multiple", visible=False, elem_id="export-files"
                            )
                    with gr.Column(scale=2, elem_id="side"):
                        gr.Markdown("## Sources")
                        sources_panel = gr.HTML(sources_to_html(None, 0), js_on_load=PANEL_JS, elem_id="sources-panel")
                        gr.Markdown("## Source document")
                        viewer = gr.HTML(viewer_placeholder(), js_on_load=PANEL_JS, elem_id="viewer")
                        box = build_verdict_box()
            with gr.Tab("Library", id="library-tab", elem_id="library-tab") as library_tab:
                tab = build_library_tab()

        answer_outputs = [conversation, question, turns, sources_panel, viewer]
        ask_inputs = [question, turns, sources, kinds, since, until]
        private: dict[str, Any] = {"api_visibility": "private"}
        # Each answer is then kept in the person's conversations.
        # Whenever the conversation changes, the export offers its answers. (A `turns.change` event cannot be
        # used: Gradio hashes a State's value to see a change, and answers hold lists.)
        keep = (talks.save, [turns, memory], [memory, saved])
        offer = (exporter.choices, [turns], [export_choice])
        question.submit(events.ask, ask_inputs, answer_outputs, **private).then(*keep, **private).then(
            *offer, **private
        )
        ask_button.click(events.ask, ask_inputs, answer_outputs, **private).then(*keep, **private).then(
            *offer, **private
        )
        for button, text in zip(example_buttons, examples):
            button.click(lambda text=text: text, None, question, queue=False, **private).then(
                events.ask, ask_inputs, answer_outputs, **private
            ).then(*keep, **private).then(*offer, **private)
        conversation.cite(handlers.open_citation, [turns], [sources_panel, viewer], **private)
        sources_panel.cite(handlers.open_citation, [turns], [sources_panel, viewer], **private)
        # The verdict box follows the citation opened, and keeps the verdict given on it.
        chosen = [box.current, box.heading, box.verdict, box.unanswered, box.note, box.status]
        conversation.cite(verdicts.select, [turns], chosen, **private)
        sources_panel.cite(verdicts.select, [turns], chosen, **private)
        box.save.click(
            verdicts.save, [box.current, turns, box.verdict, box.unanswered, box.note], [box.status], **private
        ).then(library.table, [tab.search], [tab.table], **private)
        clear_button.click(
            handlers.clear, None, [conversation, turns, sources_panel, viewer, export_files], **private
        ).then(talks.new, [memory], [memory, saved], **private).then(*offer, **private)
        shown = [memory, turns, conversation, saved, sources_panel, viewer]
        demo.load(talks.restore, [memory], shown, **private).then(*offer, **private)
        saved.input(talks.open, [saved, memory], shown, **private).then(*offer, **private)
        rename_button.click(talks.rename, [saved, new_name, memory], [saved, new_name], **private)
        delete_conversation.click(
            talks.delete, [saved, memory], shown, js=CONFIRM_DELETE_CONVERSATION_JS, **private
        ).then(*offer, **private)
        export_button.click(exporter.export, [turns, export_choice], [export_files], **private)

        # After any change to the collection: the table, the picker, and the Ask tab's filters.
        refreshed = [tab.status, tab.table, tab.picker, sources, kinds, tab.kind]
        ingest_event: dict[str, Any] = {"concurrency_limit": 1, "concurrency_id": "ingest", **private}
        # Gradio vets every file of an event's File input together and refuses the whole event for one odd name
        # (an uploaded "..\\..\\w.md" is kept as "....w.md", a dotfile). So the browser passes the files on as
        # plain entries, and the handler checks each one itself, adding the rest and reporting the odd one.
        # Choosing new files clears the previous upload's messages.
        tab.files.change(None, [tab.files], [tab.uploaded], js=LIST_UPLOADS_JS, **private)
        tab.files.upload(lambda: "", None, [tab.upload_status], queue=False, **private)
        tab.upload_button.click(
            events.upload, [tab.uploaded], [tab.upload_status, tab.files, sources], **ingest_event
        ).then(library.show, [tab.search], refreshed, **private)
        tab.search.change(library.table, [tab.search], [tab.table], queue=False, **private)
        tab.picker.change(library.select, [tab.picker], [tab.title, tab.publisher, tab.date, tab.kind], **private)
        tab.save.click(
            events.save_details,
            [tab.picker, tab.title, tab.publisher, tab.date, tab.kind, tab.search],
            refreshed,
            **ingest_event,
        )
        tab.replace.click(events.replace, [tab.picker, tab.replace_file, tab.search], refreshed, **ingest_event)
        tab.delete.click(events.delete, [tab.picker, tab.search], refreshed, js=CONFIRM_DELETE_JS, **ingest_event)
        library_tab.select(library.show, [tab.search], refreshed, **private)
        demo.load(library.show, [tab.search], refreshed, **private)

        gr.api(events.answer_api, api_name="answer")  # recorded in the audit log, as questions asked on the page are
        gr.api(handlers.documents_api, api_name="documents")
    return demo
