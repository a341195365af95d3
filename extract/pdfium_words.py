"""Words with geometry from pypdfium2, in the shape pdfplumber's ``extract_words`` gives.

pdfplumber (pdfminer) interprets every content stream in Python: on this machine about 5-10 pages
a second. PDFium does the same in C, so reading each character's box and font size from it and
grouping characters into words here is an order of magnitude faster, with the same words: the
grouping follows pdfplumber's defaults (characters on one line when their tops are within
``y_tolerance``; a new word at a space, at a gap wider than ``x_tolerance``, or where the font size
changes, as ``extra_attrs=["size"]`` does). tests/test_pdf_engines.py checks that both engines give
the same rows on every corpus PDF.

Speed: the per-character work is done without a Python loop. PDFium writes each character's box
straight into a numpy array (``map`` over a ctypes prototype that takes plain addresses, so no
ctypes structure is built or read per character); the font size is asked only where the box height
changes; line clustering, word breaks and each word's extent are numpy operations. Rounding that
decides equality (font size to 0.01 pt, the sort key) stays in Python's ``round``, which numpy's
``round`` does not always match.
"""
from __future__ import annotations

import ctypes
from itertools import repeat

import numpy as np

X_TOLERANCE = 3.0
Y_TOLERANCE = 3.0
#: PDFium reports font sizes in pixels at 96 dpi; pdfplumber (and the thresholds here) use points
PT_PER_PX = 0.75
#: code points that are word boundaries: Unicode whitespace (all of it is in the BMP) and NUL
_SEPARATORS = np.array([c for c in range(0x10000) if chr(c).isspace()] + [0], dtype=np.uint32)
#: PDFium's marks for a hyphen at a line end (the PDF prints '-')
_HYPHEN_MARKS = np.array([0xFFFE, 0x02], dtype=np.uint32)

_fns: dict = {}


def load_pdfium():
    """PDFium's per-character calls with address arguments (the bindings' prototypes want ctypes
    objects, which would cost a structure per character)."""
    if not _fns:
        import pypdfium2.raw as raw
        c_int, c_void_p, c_double = ctypes.c_int, ctypes.c_void_p, ctypes.c_double
        _fns["box"] = ctypes.cast(raw.FPDFText_GetLooseCharBox, ctypes.CFUNCTYPE(c_int, c_void_p, c_int, c_void_p))
        _fns["origin"] = ctypes.cast(raw.FPDFText_GetCharOrigin,
                                     ctypes.CFUNCTYPE(c_int, c_void_p, c_int, c_void_p, c_void_p))
        _fns["size"] = ctypes.cast(raw.FPDFText_GetFontSize, ctypes.CFUNCTYPE(c_double, c_void_p, c_int))
        _fns["raw"] = raw
    return _fns


def page_words(textpage, page_height: float) -> list[dict]:
    f = load_pdfium()
    raw = f["raw"]
    tp = textpage.raw
    n = raw.FPDFText_CountChars(tp)
    if n <= 0:
        return []
    text = textpage.get_text_range(0, n)
    if len(text) != n:          # characters outside the BMP: fall back to one call per character
        text = "".join(chr(raw.FPDFText_GetUnicode(tp, i)) for i in range(n))
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).copy()
    codes[np.isin(codes, _HYPHEN_MARKS)] = ord("-")
    is_sep = np.isin(codes, _SEPARATORS)
    keep = np.flatnonzero(~is_sep)             # PDFium indexes of printed characters, stream order
    m = len(keep)
    if not m:
        return []
    # how many word boundaries (spaces, line ends) precede each printed character in stream order
    sepa = np.cumsum(is_sep)[keep]
    addr = ctypes.cast(tp, ctypes.c_void_p).value
    # PDFium's loose boxes (FS_RECTF: left, top, right, bottom as float32), written in place
    rects = np.empty((m, 4), dtype=np.float32)
    base = rects.ctypes.data
    keep_l = keep.tolist()
    list(map(f["box"], repeat(addr, m), keep_l, range(base, base + 16 * m, 16)))
    r64 = rects.astype(np.float64)
    x0a, rtop, x1a, rbot = r64[:, 0], r64[:, 1], r64[:, 2], r64[:, 3]
    # the font size, asked where the loose box's height changes (it changes with font and size)
    height = rtop - rbot
    changed = np.empty(m, dtype=bool)
    changed[0] = True
    np.not_equal(height[1:], height[:-1], out=changed[1:])
    at = np.flatnonzero(changed)
    size_of = f["size"]
    vals = np.array([round(size_of(addr, keep_l[j]) * PT_PER_PX, 2) for j in at.tolist()])
    sa = vals[np.cumsum(changed) - 1]
    # the loose box's bottom is the baseline plus the font's descent; pdfminer's character box is
    # the font size tall from there, so top = bottom - size gives pdfplumber's top exactly
    bots = page_height - rbot
    topa = bots - sa
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
    starts = np.concatenate(([0], np.flatnonzero(breaks) + 1))
    ends = np.append(starts[1:], m)
    first = order[starts]
    n_words = len(starts)
    # pdfminer's box starts at the character's origin (a glyph may overhang it): ask PDFium once per word
    origins = np.zeros((n_words, 2), dtype=np.float64)
    ob = origins.ctypes.data
    list(map(f["origin"], repeat(addr, n_words), keep[first].tolist(), range(ob, ob + 16 * n_words, 16),
             range(ob + 8, ob + 8 + 16 * n_words, 16)))
    x0w = origins[:, 0]
    x1w = np.maximum.reduceat(x1a[order], starts)
    x1w = np.where(x1w > x0w, x1w, x0w)
    topw = np.minimum.reduceat(topa[order], starts)
    botw = np.maximum.reduceat(bots[order], starts)
    ordered = codes[keep][order].tobytes().decode("utf-32-le", "surrogatepass")
    words = [{"text": ordered[a:b], "x0": x0, "x1": x1, "top": top, "bottom": bot, "size": size}
             for a, b, x0, x1, top, bot, size in zip(starts.tolist(), ends.tolist(), x0w.tolist(), x1w.tolist(),
                                                     topw.tolist(), botw.tolist(), sa[first].tolist())]
    words.sort(key=lambda w: (round(w["top"], 1), w["x0"]))
    return words


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
