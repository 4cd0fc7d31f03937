"""The briefing note as a PDF on A4 paper, laid out with ReportLab (pure Python, no system libraries).

Uses DejaVu Sans when the system has it (Debian's fonts-dejavu), so quotes in any
European script print; otherwise ReportLab's built-in Helvetica (Latin-1 only).
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from xml.sax.saxutils import escape

from qa.render.note import APP_NAME, INTRO, Claim, Note, one_line, source_line

_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def _fonts() -> tuple[str, str, str]:
    """(regular, bold, italic) font names, registering DejaVu Sans once if it is installed."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    files = {
        "DejaVuSans": "DejaVuSans.ttf",
        "DejaVuSans-Bold": "DejaVuSans-Bold.ttf",
        "DejaVuSans-Oblique": "DejaVuSans-Oblique.ttf",
    }
    if all((_FONT_DIR / f).is_file() for f in files.values()):
        registered = set(pdfmetrics.getRegisteredFontNames())
        for name, file in files.items():
            if name not in registered:
                pdfmetrics.registerFont(TTFont(name, str(_FONT_DIR / file)))
        return "DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique"
    return "Helvetica", "Helvetica-Bold", "Helvetica-Oblique"


def _p(text: str) -> str:
    """Text for a ReportLab Paragraph (which reads a little markup): escaped, control characters dropped."""
    return escape(_CONTROL.sub("", text))


def briefing_pdf(note: Note, author: str | None = None) -> bytes:
    """The note as PDF bytes: A4, the collection's title as the document title, the author when known."""
    from qa.extras import require

    require("reportlab", "app", "The PDF briefing note")
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer

    regular, bold, italic = _fonts()
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", base["BodyText"], fontName=regular, fontSize=10, leading=14)
    title = ParagraphStyle("title", base["Title"], fontName=bold, fontSize=18, leading=22, alignment=0)
    heading = ParagraphStyle("heading", base["Heading2"], fontName=bold, fontSize=13, leading=16, spaceBefore=10)
    quote = ParagraphStyle("quote", body, leftIndent=8 * mm, rightIndent=4 * mm, fontName=italic)
    source = ParagraphStyle("source", body, leftIndent=8 * mm, fontSize=9, textColor="#444444", spaceAfter=6)
    searched = ParagraphStyle("searched", body, fontName=italic, textColor="#444444")

    story = [Paragraph(_p(note.title), title), Paragraph(_p(f"Briefing note. {note.prepared} {INTRO}"), body)]
    if not note.sections:
        story.append(Paragraph("No answers were chosen.", body))
    if note.key_points:
        story.append(Paragraph("Key points", heading))
        points = [
            ListItem(Paragraph(_p(f"“{one_line(c.text)}” ({source_line(c)}; answer {number})"), body), leftIndent=12)
            for number, c in note.key_points
        ]
        story.append(ListFlowable(points, bulletType="bullet", start="•", leftIndent=12))
    for section in note.sections:
        story.append(Paragraph(_p(f"{section.number}. {section.heading}"), heading))
        if section.asked_as:
            story.append(Paragraph(_p(section.asked_as), searched))
        if not section.items:
            story.append(Paragraph(f"<b>{_p(section.notice)}</b>", body))
        for item in section.items:
            if isinstance(item, Claim):
                story.append(Paragraph(_p(f"{item.text} {item.markers}"), body))
            elif item.given_under is not None:
                line = f"[{item.citation.n}] Quoted under answer {item.given_under}: {source_line(item.citation)}."
                story.append(Paragraph(_p(line), source))
            else:
                story.append(Paragraph(_p(one_line(item.citation.text)), quote))
                story.append(Paragraph(_p(f"— [{item.citation.n}] {source_line(item.citation)}"), source))
        if section.items and section.notice:
            story.append(Paragraph(_p(section.notice), body))
        story.append(Spacer(1, 4 * mm))

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=_CONTROL.sub("", note.title),
        author=_CONTROL.sub("", author or APP_NAME),
        creator=APP_NAME,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    document.build(story)
    return buffer.getvalue()
