"""What a command gives back, the same way for every command: a line for a person (made safe for
the terminal: stored text cannot drive it), or with ``--format json`` the JSON of what it acted
on; a warning for the clerk on standard error, never in the JSON or the line; and a document
(``--out F.docx|F.pdf``) written whole or not at all."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from notifiers.safe import terminal
from rules import TiepdanError

# What a use case's JSON shape gives (``dialogue_dict``, ``direction_dict``, ``session_dict``...).
JsonData = Mapping[str, object] | Sequence[object]


def warn(warning: str | None) -> None:
    """``cảnh báo: ...`` on standard error, when there is one."""
    if warning:
        print(terminal(f"cảnh báo: {warning}"), file=sys.stderr)


def line(text: str) -> None:
    """One line for a person on standard output."""
    print(terminal(text))


def print_json(data: JsonData, *, indent: int | None = 2) -> None:
    """The JSON of ``--format json`` (``indent=None``: one line, as ``tiepdan sessions``)."""
    json.dump(data, sys.stdout, ensure_ascii=False, indent=indent)
    print()


def result(
    args: argparse.Namespace,
    data: JsonData,
    text: str | Sequence[str],
    warning: str | None = None,
    *,
    indent: int | None = 2,
) -> int:
    """What a command that acted on one thing (or showed it) prints: ``data`` as JSON under
    ``--format json``, else ``text`` (a line, or lines); ``warning`` on standard error either
    way. The exit code."""
    warn(warning)
    if args.format == "json":
        print_json(data, indent=indent)
    else:
        for each in [text] if isinstance(text, str) else text:
            line(each)
    return 0


DOCUMENT_SUFFIXES = (".docx", ".pdf")


def out_path(text: str) -> Path:
    """``--out``: a .docx or .pdf in a folder that exists (one line otherwise)."""
    out = Path(text)
    if out.suffix.lower() not in DOCUMENT_SUFFIXES:
        raise TiepdanError(f"--out {text}: tệp phải có đuôi .docx hoặc .pdf")
    if not out.parent.exists():
        raise TiepdanError(f"--out {text}: không có thư mục {out.parent}")
    return out


def write_document(out: Path, docx: bytes, *, name: str | None = None) -> None:
    """Write ``docx`` to ``out``, as PDF when its suffix says so (LibreOffice; ``name`` is the
    file LibreOffice converts, by default the out file's own)."""
    from notifiers.pdf import docx_to_pdf  # only when a document is written: keeps start-up light

    pdf = out.suffix.lower() == ".pdf"
    data = docx_to_pdf(docx, name=name or out.stem or "thong-bao") if pdf else docx
    # Whole or nothing: a half-written notice must never be mistaken for the real one.
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise TiepdanError(f"--out {out}: không ghi được tệp ({exc.strerror})") from None
