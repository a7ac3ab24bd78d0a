"""Hostile text through every format helper (notifiers/safe.py) and the one input check
(rules/text.py): the exports open, formulas stay text, SMS and terminal lines stay one line."""

from __future__ import annotations

import io
from datetime import date

import docx
import openpyxl
import pytest

from notifiers import safe
from notifiers.docx_layout import add_run
from notifiers.reception_log_xlsx import LogLine, render_log_xlsx
from rules.text import clean_text

HOSTILE = [
    "a\x0bb",
    "nul\x00here",
    '=HYPERLINK("http://x")',
    "+1",
    "-2",
    "@SUM(A1)",
    "esc\x1b[31mred",
    "x\ud800y",
]


def test_the_reception_log_xlsx_opens_with_hostile_rows_and_no_formula() -> None:
    lines = [LogLine(date(2027, 1, 25), t, t, "1", t, t, 1, False, t, "", t, t) for t in HOSTILE]
    data = render_log_xlsx(office="=Văn phòng", first=date(2027, 1, 1), last=date(2027, 1, 31), lines=lines)
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert all(c.data_type == "s" for c in cells)
    texts = " ".join(c.value for c in cells)
    assert "=HYPERLINK" in texts and "\x00" not in texts and "\x1b" not in texts


def test_docx_takes_hostile_text() -> None:
    d = docx.Document()
    p = d.add_paragraph()
    for t in HOSTILE:
        add_run(p, t)
    d.save(io.BytesIO())
    assert "a\nb" in p.text


@pytest.mark.parametrize("text", HOSTILE)
def test_sms_and_terminal_lines_stay_one_line_and_inert(text: str) -> None:
    for out in (safe.sms_text(text + "\r\nx"), safe.terminal(text + "\nfake line")):
        assert "\n" not in out and "\r" not in out and "\x1b" not in out and "\x00" not in out


def test_csv_cells_never_start_a_formula() -> None:
    assert [safe.csv_cell(t)[0] for t in ("=1+1", "+1", "-1", "@A")] == ["'"] * 4
    assert safe.csv_cell(-3) == -3 and safe.csv_cell("Bình thường") == "Bình thường"


def test_secrets_are_redacted() -> None:
    safe.remember_secret("tok-SECRET-123")
    assert "tok-SECRET-123" not in safe.redact("gateway said: bad token tok-SECRET-123")
    assert "tok-SECRET-123" not in safe.redact("url?t=tok-SECRET-123&x")


def test_input_refuses_controls_and_keeps_line_breaks() -> None:
    assert clean_text("hai\r\ndòng\tvà tab") == "hai\ndòng\tvà tab"
    for t in ("a\x00", "a\x0b", "a\x1b[2J", "a\ud800"):
        with pytest.raises(ValueError, match="ký tự điều khiển"):
            clean_text(t)


def test_the_command_line_refuses_a_control_character_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    from scheduler.cli import main

    assert main(["adhoc", "--unit", "x", "--date", "2027-01-01", "--reason", "a\x1b[2Jb"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "ký tự điều khiển" in err and "\x1b" not in err
