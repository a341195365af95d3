"""Words with geometry from pypdfium2, in the shape pdfplumber's ``extract_words`` gives.

pdfplumber (pdfminer) interprets every content stream in Python: on this machine about 5 pages a
second. PDFium does the same in C, so reading each character's box and font size from it and
grouping characters into words here is an order of magnitude faster, with the same words: the
grouping follows pdfplumber's defaults (characters on one line when their tops are within
``y_tolerance``; a new word at a space, at a gap wider than ``x_tolerance``, or where the font size
changes, as ``extra_attrs=["size"]`` does). tests/test_pdf_engines.py checks that both engines give
the same rows on every corpus PDF.
"""
from __future__ import annotations

import ctypes

X_TOLERANCE = 3.0
Y_TOLERANCE = 3.0
#: PDFium reports font sizes in pixels at 96 dpi; pdfplumber (and the thresholds here) use points
PT_PER_PX = 0.75


def page_words(textpage, page_height: float) -> list[dict]:
    import pypdfium2.raw as raw

    tp = textpage.raw
    n = raw.FPDFText_CountChars(tp)
    if n <= 0:
        return []
    text = textpage.get_text_range(0, n)
    if len(text) != n:          # characters outside the BMP: fall back to one call per character
        text = "".join(chr(raw.FPDFText_GetUnicode(tp, i)) for i in range(n))
    rect = raw.FS_RECTF()
    ref = ctypes.byref(rect)
    box = raw.FPDFText_GetLooseCharBox
    size_of = raw.FPDFText_GetFontSize
    origin = raw.FPDFText_GetCharOrigin
    ox, oy = ctypes.c_double(), ctypes.c_double()
    rox, roy = ctypes.byref(ox), ctypes.byref(oy)
    chars: list = []
    append = chars.append
    last_height, size = None, 0.0
    for i, c in enumerate(text):
        if c in "\ufffe\x02":         # PDFium's mark for a hyphen at a line end: the PDF prints '-'
            c = "-"
        elif c.isspace() or c == "\x00":
            append(None)                 # a word boundary (real or generated space, line end)
            continue
        box(tp, i, ref)
        origin(tp, i, rox, roy)          # pdfminer's box starts at the origin; a glyph may overhang it
        height = rect.top - rect.bottom
        if height != last_height:        # the loose box's height changes with the font and its size
            size = round(size_of(tp, i) * PT_PER_PX, 2)
            last_height = height
        bottom = page_height - rect.bottom      # the loose box's bottom: baseline + the font's descent
        # pdfminer's character box is the font size tall from there: the same top as pdfplumber
        x0 = ox.value
        append((c, x0, rect.right if rect.right > x0 else x0, bottom - size, bottom, size))
    # lines: cluster characters by top, as pdfplumber does (sorted values, tolerance from the previous)
    idx = sorted((k for k, ch in enumerate(chars) if ch is not None), key=lambda k: chars[k][3])
    lines: list[list[int]] = []
    last_top = None
    for k in idx:
        top = chars[k][3]
        if last_top is None or top - last_top > Y_TOLERANCE:
            lines.append([])
        lines[-1].append(k)
        last_top = top
    words: list[dict] = []
    for line in lines:
        line.sort(key=lambda k: (chars[k][1], k))
        cur: list[tuple] = []
        prev_k = None
        for k in line:
            ch = chars[k]
            if cur:
                p = cur[-1]
                broken = (ch[1] - p[2] > X_TOLERANCE or ch[5] != p[5]
                          or (prev_k is not None and k > prev_k and any(chars[j] is None for j in range(prev_k + 1, k))
                              and ch[1] - p[2] > -0.5))
                if broken:
                    words.append(_word(cur))
                    cur = []
            cur.append(ch)
            prev_k = k
        if cur:
            words.append(_word(cur))
    words.sort(key=lambda w: (round(w["top"], 1), w["x0"]))
    return words


def _word(chars: list[tuple]) -> dict:
    return {"text": "".join(c[0] for c in chars), "x0": min(c[1] for c in chars), "x1": max(c[2] for c in chars),
            "top": min(c[3] for c in chars), "bottom": max(c[4] for c in chars), "size": chars[0][5]}


def read_pages(path) -> list[list[dict]]:
    """Every page's words; raises pypdfium2's PdfiumError for files PDFium cannot open."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        out = []
        for i in range(len(pdf)):
            page = pdf[i]
            try:
                tp = page.get_textpage()
                try:
                    out.append(page_words(tp, page.get_height()))
                finally:
                    tp.close()
            finally:
                page.close()
        return out
    finally:
        pdf.close()
