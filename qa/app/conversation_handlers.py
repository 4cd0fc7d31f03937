"""Lasting conversations in the app: thin handlers over :class:`qa.library.conversations.ConversationStore`.

The browser remembers (in an encrypted ``gr.BrowserState``) its own id and the
conversation it has open, so a reload reopens it. Conversations belong to the
login name when login is on, else to that browser's id.
"""

from __future__ import annotations

import logging
import secrets

import gradio as gr

from qa.app.handlers import show_turns
from qa.app.common import readable
from qa.errors import QAError
from qa.library.conversations import ConversationStore, Turn, conversations_folder
from qa.render.html import sources_to_html, viewer_placeholder
from qa.settings import Settings

log = logging.getLogger(__name__)


class ConversationHandlers:
    """Save, restore, list, open, rename and delete conversations for the person at the browser."""

    def __init__(self, settings: Settings) -> None:
        self.unavailable: str | None = None  # why conversations cannot be kept at all, for the page
        try:
            self.store: ConversationStore | None = ConversationStore(conversations_folder(settings))
        except QAError as exc:  # the app still answers; conversations just do not last
            log.warning("%s", exc)
            self.store = None
            self.unavailable = (  # the server's paths stay in its log
                "Conversations cannot be kept: the conversations folder cannot be used (the server log says why). "
                "Answers still work, but they are not kept."
            )

    def _tell(self, memory: dict) -> None:
        """Say in the page, once per browser, that conversations are not kept or that a damaged database was set aside."""
        if self.unavailable:
            gr.Warning(self.unavailable)
        elif (
            self.store is not None
            and self.store.moved_aside is not None
            and memory.get("told") != self.store.moved_aside.name
        ):
            memory["told"] = self.store.moved_aside.name
            gr.Warning(
                "The conversations database could not be read and was set aside "
                f"(as {self.store.moved_aside.name}); earlier conversations are not listed, new ones are kept."
            )

    def secret(self) -> str | None:
        return self.store.secret() if self.store else None

    # The browser's memory: {"client": its id, "conversation": the open conversation or None}

    @staticmethod
    def _memory(memory) -> dict:
        memory = dict(memory) if isinstance(memory, dict) else {}
        if not isinstance(memory.get("client"), str) or not memory["client"]:
            memory["client"] = secrets.token_urlsafe(16)
        if not isinstance(memory.get("conversation"), str):
            memory["conversation"] = None
        return memory

    @staticmethod
    def _user(memory: dict, request: gr.Request | None) -> str:
        name = getattr(request, "username", None) if request is not None else None
        return f"login:{name}" if name else f"browser:{memory['client']}"

    def _choices(self, user: str, value: str | None = None):
        if self.store is None:
            return gr.update(choices=[], value=None)
        try:
            summaries = self.store.list(user)
        except QAError as exc:
            gr.Warning(readable(exc, "reading your conversations"))
            return gr.update(choices=[], value=None)
        ids = {s.id for s in summaries}
        return gr.update(choices=[(s.label, s.id) for s in summaries], value=value if value in ids else None)

    # Events

    def restore(self, memory, request: gr.Request):
        """Page (re)loaded: reopen the conversation the browser had open, and list the others."""
        memory = self._memory(memory)
        user = self._user(memory, request)
        turns: list[Turn] = []
        if self.store is not None and memory["conversation"]:
            try:
                turns = self.store.load(user, memory["conversation"]) or []
            except QAError as exc:
                gr.Warning(readable(exc, "reading your conversations"))
            if not turns:
                memory["conversation"] = None
        choices = self._choices(user, memory["conversation"])
        self._tell(memory)
        return (
            memory,
            turns,
            show_turns(turns),
            choices,
            _sources_for(turns),
            viewer_placeholder(),
        )

    def save(self, turns: list[Turn], memory, request: gr.Request):
        """After an answer: store the turns not stored yet (a new conversation at its first question)."""
        memory = self._memory(memory)
        if self.store is None or not turns:
            return memory, gr.update()
        user = self._user(memory, request)
        try:
            memory["conversation"] = self.store.sync(user, memory["conversation"], turns)
        except Exception:  # noqa: BLE001 - the answer is shown; only its keeping failed
            log.exception("Could not store the conversation")
            gr.Warning("This answer could not be saved to your conversations; it is still shown here.")
            return memory, gr.update()
        return memory, self._choices(user, memory["conversation"])

    def new(self, memory):
        """'New conversation': the next question starts one."""
        memory = self._memory(memory)
        memory["conversation"] = None
        return memory, gr.update(value=None)

    def open(self, chosen: str | None, memory, request: gr.Request):
        """Reopen an earlier conversation."""
        memory = self._memory(memory)
        user = self._user(memory, request)
        try:
            turns = self.store.load(user, chosen) if self.store is not None and chosen else None
        except QAError as exc:
            log.warning("%s", exc)
            turns = None
        if turns is None:
            gr.Warning("That conversation is not available any more.")
            return self._list_refreshed(memory, user)
        memory["conversation"] = chosen
        return memory, turns, show_turns(turns), gr.update(), _sources_for(turns), viewer_placeholder()

    def _list_refreshed(self, memory, user: str):
        """The page as it is, with the conversation list brought up to date (the chosen one changed under it)."""
        return memory, gr.update(), gr.update(), self._choices(user, memory["conversation"]), gr.update(), gr.update()

    def rename(self, chosen: str | None, title: str, memory, request: gr.Request):
        """Rename the chosen conversation."""
        memory = self._memory(memory)
        user = self._user(memory, request)
        if self.store is None or not chosen or not _done(lambda: self.store.rename(user, chosen, title or "")):
            gr.Warning("Choose a conversation and type its new name first.")
            return gr.update(), gr.update()
        return self._choices(user, chosen), ""

    def delete(self, chosen: str | None, memory, request: gr.Request):
        """Delete the chosen conversation; if it is the open one, the page starts afresh.

        None chosen is what the page sends when the person declines the confirmation (or chose none): nothing
        happens.
        """
        memory = self._memory(memory)
        user = self._user(memory, request)
        if self.store is None or not chosen:
            return memory, gr.update(), gr.update(), gr.update(), gr.update(), gr.update()
        if not _done(lambda: self.store.delete(user, chosen)):
            gr.Warning("That conversation is not available any more.")
            return self._list_refreshed(memory, user)
        if chosen != memory["conversation"]:
            return self._list_refreshed(memory, user)
        memory["conversation"] = None
        return memory, [], show_turns([]), self._choices(user), sources_to_html(None, 0), viewer_placeholder()


def _done(change) -> bool:
    """Whether a change to the conversations was made; a failure of the database is logged and counts as not made."""
    try:
        return bool(change())
    except QAError as exc:
        log.warning("%s", exc)
        return False


def _sources_for(turns: list[Turn]) -> str:
    """The sources panel for the newest answer of a reopened conversation."""
    if not turns:
        return sources_to_html(None, 0)
    return sources_to_html(turns[-1].answer, len(turns) - 1)
