"""Write tiny valid PDFs by hand, so tests need no PDF-writing package.

Pages are lists of text lines set in Helvetica from the top of the page down;
an optional running header and footer (``{page}`` becomes the page number)
sit in the top and bottom margins, as in a real report. Characters outside
Latin-1 (a private-use bullet, "◼") are given spare codes and mapped back to
Unicode with a ToUnicode table, which is how real PDFs carry symbol fonts.
"""

from __future__ import annotations

from pathlib import Path

TOP = 700  # the first body line's baseline (points from the bottom of a 792-point page), below the header band
LEADING = 14
HEADER_Y = 760
FOOTER_Y = 30


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


class _Codes:
    """Byte codes for the text: WinAnsi where it can, spare control codes (mapped by ToUnicode) for the rest."""

    def __init__(self) -> None:
        self.extra: dict[str, int] = {}

    def encode(self, text: str) -> str:
        out = []
        for char in text:
            try:
                out.append(char.encode("cp1252").decode("latin-1"))
            except UnicodeEncodeError:
                if char not in self.extra:
                    self.extra[char] = 1 + len(self.extra)  # codes 1..31: no Helvetica glyph, mapped by ToUnicode
                out.append(chr(self.extra[char]))
        return _escape("".join(out))

    def to_unicode(self) -> bytes:
        entries = [f"<{code:02X}> <{ord(char):04X}>" for char, code in self.extra.items()]
        for code in range(32, 256):
            try:
                char = bytes([code]).decode("cp1252")
            except UnicodeDecodeError:
                continue
            entries.append(f"<{code:02X}> <{ord(char):04X}>")
        body = "\n".join(
            f"{len(entries[i : i + 100])} beginbfchar\n" + "\n".join(entries[i : i + 100]) + "\nendbfchar"
            for i in range(0, len(entries), 100)
        )
        return (
            "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Custom def /CMapType 2 def\n"
            "1 begincodespacerange <00> <FF> endcodespacerange\n" + body + "\nendcmap CMapName currentdict /CMap "
            "defineresource pop end end"
        ).encode("latin-1")


def _content(
    lines: list[str], codes: _Codes, header: str | None, footer: str | None, heading: str | None = None
) -> bytes:
    """A page content stream: text lines in Helvetica, or a filled box when there are none."""
    if not lines and header is None and footer is None and heading is None:
        return b"0.5 g 72 600 200 100 re f"
    ops = []
    if heading is not None:
        ops += ["BT", "/F1 20 Tf", f"72 {TOP + 30} Td", f"({codes.encode(heading)}) Tj", "ET"]
    if header is not None:
        ops += ["BT", "/F1 8 Tf", f"72 {HEADER_Y} Td", f"({codes.encode(header)}) Tj", "ET"]
    if lines:
        ops += ["BT", "/F1 11 Tf", f"{LEADING} TL", f"72 {TOP} Td"]
        for i, line in enumerate(lines):
            if i:
                ops.append("T*")
            ops.append(f"({codes.encode(line)}) Tj")
        ops.append("ET")
    if footer is not None:
        ops += ["BT", "/F1 8 Tf", f"72 {FOOTER_Y} Td", f"({codes.encode(footer)}) Tj", "ET"]
    return "\n".join(ops).encode("latin-1")


def make_pdf(
    path: Path,
    pages: list[list[str]],
    title: str | None = None,
    header: str | None = None,
    footer: str | None = None,
    heading: str | None = None,
) -> Path:
    """Write a PDF with one page per item of ``pages``, each a list of text lines; return ``path``.

    ``header`` and ``footer`` are printed on every page, with ``{page}`` replaced by the page number;
    ``heading`` is printed large above the first page's lines.
    """
    codes = _Codes()
    contents = [
        _content(
            lines,
            codes,
            header.format(page=i + 1) if header is not None else None,
            footer.format(page=i + 1) if footer is not None else None,
            heading if i == 0 else None,
        )
        for i, lines in enumerate(pages)
    ]
    objects: list[bytes] = []
    n = len(pages)
    # 1 catalog, 2 pages tree, 3 font, 4 its ToUnicode map, then (page, content) pairs, then optional info.
    kids = " ".join(f"{5 + 2 * i} 0 R" for i in range(n))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode())
    font = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding"
    objects.append((font + (" /ToUnicode 4 0 R >>" if codes.extra else " >>")).encode())
    cmap = codes.to_unicode()
    objects.append(b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream")
    for i, content in enumerate(contents):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {6 + 2 * i} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    info_ref = ""
    if title is not None:
        objects.append(f"<< /Title ({_escape(title)}) >>".encode("latin-1"))
        info_ref = f" /Info {len(objects)} 0 R"

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R{info_ref} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return path


def encrypt_pdf(source: Path, path: Path, method: str, user_password: str = "") -> Path:
    """Save ``source`` encrypted with ``method`` ("AES_128", "AES_256", "RC4_128") using PyMuPDF."""
    import pymupdf

    with pymupdf.open(source) as document:
        document.save(
            path,
            encryption=getattr(pymupdf, f"PDF_ENCRYPT_{method}"),
            owner_pw="owner-secret",
            user_pw=user_password,
            permissions=int(pymupdf.PDF_PERM_PRINT | pymupdf.PDF_PERM_COPY),
        )
    return path
