"""Text as people may type it: the one check of control characters, used at every edge.

C0 control characters other than TAB and LF (NUL, ESC, the vertical tab Word pastes, ...) have no
place in a reason, a name or a log row: they break the exports (XML cannot hold them), PostgreSQL
refuses NUL, and ESC sequences drive terminals. A lone surrogate (from JSON's ``"\\ud800"`` or
undecodable bytes on a command line) cannot be stored as UTF-8. Browsers send a textarea's line
breaks as CR LF: those, and a lone CR, become LF.
"""

from __future__ import annotations

import re

_BAD = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


def clean_text(text: str) -> str:
    """``text`` with CR LF and CR as LF; ValueError naming the first bad character."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    m = _BAD.search(text)
    if m is not None:
        ch = m.group(0)
        what = f"U+{ord(ch):04X}"
        raise ValueError(f"có ký tự điều khiển {what} ở vị trí {m.start() + 1}; vui lòng xóa ký tự đó")
    return text
