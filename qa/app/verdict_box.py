"""The verdict box under the source viewer: does the opened passage answer the question? Wired in the layout to
:class:`qa.app.verdict_handlers.VerdictHandlers`."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from qa.library.verdicts import LABELS

NOTHING_OPEN = '<p class="verdict-for">Open a source to give your verdict on it.</p>'


@dataclass
class VerdictBox:
    """The box's components, for the layout to wire."""

    current: gr.State  # {"turn", "n"} of the citation open in the viewer, or None
    heading: gr.HTML
    verdict: gr.Radio
    unanswered: gr.Checkbox
    note: gr.Textbox
    save: gr.Button
    status: gr.HTML


def build_verdict_box() -> VerdictBox:
    """Lay out the verdict box inside the current Blocks context."""
    current = gr.State(None)
    with gr.Accordion("Your verdict on this source", open=True, elem_id="verdict-box"):
        heading = gr.HTML(NOTHING_OPEN, elem_id="verdict-for")
        verdict = gr.Radio(
            choices=[(label.capitalize(), key) for key, label in LABELS.items()],
            label="This passage…",
            elem_id="verdict-choice",
        )
        unanswered = gr.Checkbox(label="The documents do not answer this question", elem_id="verdict-unanswered")
        note = gr.Textbox(label="Note (optional)", lines=1, max_lines=4, elem_id="verdict-note")
        save = gr.Button("Save verdict", size="sm", elem_id="verdict-save")
        status = gr.HTML(elem_id="verdict-status")
    return VerdictBox(current, heading, verdict, unanswered, note, save, status)
