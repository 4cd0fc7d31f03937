"""Write small real .docx files for tests: a heading, paragraphs and a two-by-two table."""

from __future__ import annotations

import io


def docx_bytes(body: str, closing: str | None = None) -> bytes:
    """A .docx titled 'Board minutes': heading, ``body`` paragraph, an Item/Decision table, then ``closing``."""
    import docx

    document = docx.Document()
    document.core_properties.title = "Board minutes"
    document.add_heading("Minutes of the board", level=1)
    document.add_paragraph(body)
    table = document.add_table(rows=2, cols=2)
    for r, row in enumerate([["Item", "Decision"], ["Budget", "Approved"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    if closing:
        document.add_paragraph(closing)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
