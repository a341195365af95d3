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
    # one tuple per printed character, in PDFium's (content stream) order: its index in PDFium, the
    # character, left, right, bottom (from the top of the page), font size, and how many word
    # boundaries (spaces, line ends) precede it in stream order
    chars: list[tuple] = []
    append = chars.append
    n_sep = 0
    last_height, size = None, 0.0
    for i, c in enumerate(text):
        if c in "\ufffe\x02":         # PDFium's mark for a hyphen at a line end: the PDF prints '-'
            c = "-"
        elif c.isspace() or c == "\x00":
            n_sep += 1                   # a word boundary (real or generated space, line end)
            continue
        box(tp, i, ref)
        height = rect.top - rect.bottom
        if height != last_height:        # the loose box's height changes with the font and its size
            size = round(size_of(tp, i) * PT_PER_PX, 2)
            last_height = height
        # the loose box's bottom is the baseline plus the font's descent; pdfminer's character box is
        # the font size tall from there, so top = bottom - size gives pdfplumber's top exactly
        append((i, c, rect.left, rect.right, page_height - rect.bottom, size, n_sep))
    if not chars:
        return []
    import numpy as np
    idx, txt, x0s, x1s, bots, sizes, seps = map(list, zip(*chars))
    m = len(txt)
    x0a, x1a = np.array(x0s), np.array(x1s)
    sa, sepa = np.array(sizes), np.array(seps)
    topa = np.array(bots) - sa
    tops = topa.tolist()
    # lines: cluster characters by top, as pdfplumber does (sorted values, tolerance from the previous)
    by_top = np.argsort(topa, kind="stable")
    line_of = np.empty(m, dtype=np.int64)
    line_of[by_top] = np.concatenate(([0], np.cumsum(np.diff(topa[by_top]) > Y_TOLERANCE)))
    # within a line: by x, ties in stream order
    order = np.lexsort((np.arange(m), x0a, line_of))
    k, p = order[1:], order[:-1]
    gap = x0a[k] - x1a[p]
    # a new word at a new line, a gap wider than x_tolerance, a change of size, or a space between
    # the two characters in stream order (unless they overlap)
    breaks = ((line_of[k] != line_of[p]) | (gap > X_TOLERANCE) | (sa[k] != sa[p])
              | ((k > p) & (sepa[k] != sepa[p]) & (gap > -0.5)))
    cuts = np.flatnonzero(breaks) + 1
    ordl = order.tolist()
    words: list[dict] = []
    start = 0
    for end in cuts.tolist() + [m]:
        words.append(_word(ordl[start:end], idx, txt, x1s, tops, bots, sizes, tp, origin, rox, roy, ox))
        start = end
    words.sort(key=lambda w: (round(w["top"], 1), w["x0"]))
    return words


def _word(ks, idx, txt, x1s, tops, bots, sizes, tp, origin, rox, roy, ox) -> dict:
    # pdfminer's box starts at the character's origin (a glyph may overhang it): ask PDFium once per word
    origin(tp, idx[ks[0]], rox, roy)
    x0 = ox.value
    if len(ks) == 1:
        k = ks[0]
        return {"text": txt[k], "x0": x0, "x1": x1s[k] if x1s[k] > x0 else x0, "top": tops[k], "bottom": bots[k],
                "size": sizes[k]}
    x1 = max(map(x1s.__getitem__, ks))
    return {"text": "".join(map(txt.__getitem__, ks)), "x0": x0, "x1": x1 if x1 > x0 else x0,
            "top": min(map(tops.__getitem__, ks)), "bottom": max(map(bots.__getitem__, ks)), "size": sizes[ks[0]]}


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
