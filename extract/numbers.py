"""Numbers as reports print them: "22", "2,116", "16.2", "Forty", "twenty-one"."""
from __future__ import annotations

import re

#: number words as printed in reports, with their values
WORDS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
         "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
         "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
         "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100}


def to_number(text: str) -> float | None:
    """Given a number as printed ("22", "2,116", "16.2", "Forty", "twenty-one"), return it."""
    t = text.lower().replace(",", "").strip()
    try:
        v = float(t)
        return int(v) if v.is_integer() else v
    except ValueError:
        pass
    parts = re.split(r"[-\s]+", t)
    if all(p in WORDS for p in parts):
        total = 0
        for p in parts:
            total = total * 100 if p == "hundred" else total + WORDS[p]
        return total
    return None
