"""Pinyin search keys for names, computed once when a name is saved.

pypinyin has no surname mode (单 -> dan, not shan), so every reading of the first
character is kept, and a few heteronym combinations of the whole name are added; a
clerk who types "stf" and one who types "dtf" both find 单田芳.  Characters pypinyin
does not know (rare Ext-B characters) are kept as they are.
"""

from __future__ import annotations

import functools
import itertools

_MAX_COMBINATIONS = 8

# pypinyin loads its phrase dictionary on import (0.6 s, a third of the window's start-up);
# only saving a name needs it, so it is imported on first use.


def _readings(name: str) -> list[list[str]]:
    from pypinyin import Style, pinyin

    return pinyin(name, style=Style.NORMAL, heteronym=True, errors=lambda ch: list(ch))


@functools.lru_cache(maxsize=65536)  # common names repeat; a roster import asks again and again
def name_keys(name: str) -> frozenset[str]:
    """All keys (full pinyin and initials, lower-case, no spaces) a search may start with."""
    name = "".join(name.split()).replace("·", "").replace("•", "")
    if not name:
        return frozenset()
    from pypinyin import lazy_pinyin

    default = [s.lower() for s in lazy_pinyin(name, errors=lambda ch: list(ch))]
    per_char = [[r.lower() for r in rs if r] for rs in _readings(name)]
    if len(per_char) != len(default):  # pypinyin grouped differently: fall back to defaults
        per_char = [[d] for d in default]
    combos = [default]
    for surname in per_char[0]:
        combos.append([surname] + default[1:])
    combos.extend(list(c) for c in itertools.islice(itertools.product(*per_char), _MAX_COMBINATIONS))
    keys: set[str] = set()
    for combo in combos:
        keys.add("".join(combo))
        keys.add("".join(part[0] for part in combo if part))
    return frozenset(k for k in keys if k)
