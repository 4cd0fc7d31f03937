"""English words the ingest rules read documents by, kept in one place.

The rules themselves work by structure (where a line sits, its shape, its type
size); these lists only name the few words a structure is recognised by: the
salutation that starts a letter's body, the labels of a subject line, the
routine items every set of minutes opens with, the verbs of a page's prompts
to its reader. Another language needs another copy of this module, nothing else.
"""

from __future__ import annotations

# A letter's body starts with a salutation line: "Dear Ms Hammond," / "Dear Local Authority CEO,".
SALUTATIONS = ("dear",)
# Words closing a letter before the signature.
VALEDICTIONS = (
    "yours sincerely",
    "yours faithfully",
    "yours truly",
    "kind regards",
    "best regards",
    "with best wishes",
)
# Labels of a letter's subject line: "Re: Llandeilo roundabout", "Subject: ...".
SUBJECT_LABELS = ("re", "subject", "regarding")

# Words naming a meeting in minutes' heading: "Corporate Parenting Panel", "Meeting of the Cabinet".
MEETING_WORDS = (
    "meeting",
    "minutes",
    "committee",
    "sub-committee",
    "panel",
    "board",
    "cabinet",
    "council",
    "forum",
    "assembly",
    "partnership",
    "commission",
    "executive",
    "scrutiny",
    "governors",
)
# Items minutes open with, which head the first pages of minutes but never name them.
ROUTINE_ITEMS = (
    "apologies",
    "apologies for absence",
    "apologies and substitutes",
    "substitutes",
    "substitute members",
    "declarations of interest",
    "declaration of interests",
    "disclosures of interest",
    "present",
    "in attendance",
    "attendance",
    "welcome and apologies",
    "welcome and introductions",
    "introductions",
    "minutes",
    "minutes of the previous meeting",
    "minutes of the last meeting",
    "matters arising",
    "urgent business",
    "public questions",
    "public participation",
    "chair's announcements",
    "announcements",
    "any other business",
    "exclusion of the press and public",
    "also present",
    "officers present",
    "members present",
)
# Line openings of minutes: who attended, who sent apologies, who chaired.
MINUTES_OPENINGS = ("present", "apologies", "in attendance", "members present", "attendees", "chair:", "chairman:")

# Verbs a page uses to prompt its reader ("Scroll down for video", "Click here to subscribe"): never a title.
PROMPT_VERBS = (
    "scroll",
    "click",
    "tap",
    "swipe",
    "subscribe",
    "share",
    "sign",
    "follow",
    "download",
    "advertisement",
    "skip",
)
# Words of an inspectorate's report: "inspection", "inspectors", "inspected".
INSPECTION_STEM = "inspect"
# Words of reported speech, which news is written in.
REPORTED_SPEECH = ("said", "says", "told", "added", "according to")
