"""An online meeting's address (issue 13) is only ever an http/https URL without CR/LF or spaces,
whichever door it comes through: ``tiepdan adhoc --online``/``record --online``, the use cases
behind the desk and the API, a dialogue's ``online_url``, and a unit's ``online`` in the
configuration. Anything else is refused in one line and nothing is stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from desk_support import PINNED, write_config

from rules import ServiceError
from scheduler.cli import main
from scheduler.infra.config import ConfigError, load_config
from scheduler.infra.db import open_database
from scheduler.usecases import move_adhoc, record_outcome, session_reads
from scheduler.usecases import sessions as uc
from scheduler.usecases.planning import plan_year
from scheduler.usecases.sessions import Actor

BAD = [
    "javascript:alert(1)",
    "http://meet.example.vn/a b",
    "https://meet.example.vn/x\r\nX-Injected: 1",
    "https://meet.example.vn/\x1b[2J",
    "ftp://meet.example.vn/x",
    "meet.example.vn/x",
    "https://",
    "https://meet.example.vn:99999/x",
]
GOOD = "https://meet.example.vn/phong-tiep?id=7"


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    config = load_config(write_config(tmp_path))
    engine = open_database(config.database_url)
    plan_year(engine, config, 2026, now=PINNED, today=PINNED.date(), actor="test")
    yield config, engine
    engine.dispose()


def _adhoc(online: str) -> list[str]:
    return ["adhoc", "--unit", "xa-a", "--date", "2026-03-12", "--reason", "Vụ việc bức xúc",
            "--online", online, "--config", "config.toml", "--now", "2026-03-02T09:00"]  # fmt: skip


@pytest.mark.parametrize("online", BAD)
def test_the_command_line_refuses_an_address_that_is_not_a_web_link(site, online, capsys) -> None:
    _config, engine = site
    before = len(session_reads.list_sessions(engine, unit_ids=["xa-a"]))
    try:
        code = main(_adhoc(online))
    except SystemExit as exit_:  # argparse's refusal of the argument's type
        code = exit_.code
    err = capsys.readouterr().err
    assert code not in (0, None)
    assert len(err.strip().splitlines()) == 1 and ("--online" in err or "điều khiển" in err), err
    assert len(session_reads.list_sessions(engine, unit_ids=["xa-a"])) == before


def test_the_command_line_stores_a_web_link(site, capsys) -> None:
    _config, engine = site
    assert main(_adhoc(GOOD)) == 0
    new_id = int(capsys.readouterr().out.strip())
    assert uc.get_session(engine, new_id).online_url == GOOD


@pytest.mark.parametrize("online", BAD[:4])
def test_the_use_cases_refuse_it_from_every_other_door(site, online) -> None:
    config, engine = site
    from datetime import date

    with pytest.raises(ServiceError, match="đường dẫn trực tuyến"):
        move_adhoc.add_adhoc(engine, config, "xa-a", on=date(2026, 3, 12), reason="Vụ việc", actor=Actor("t"),
                     now=PINNED, online=online)  # fmt: skip
    rows = session_reads.list_sessions(engine, unit_ids=["xa-a"])
    past = [r for r in rows if r.date < date(2026, 3, 2)][-1]
    with pytest.raises(ServiceError, match="đường dẫn trực tuyến"):
        record_outcome.record(engine, config, past.id, held=True, actor=Actor("t"), now=PINNED, online=online)
    assert uc.get_session(engine, past.id).status == "planned"


@pytest.mark.parametrize("online", BAD)
def test_the_configuration_refuses_a_units_online_address(tmp_path: Path, online: str) -> None:
    path = write_config(tmp_path)
    text = path.read_text(encoding="utf-8").replace(
        'venue  = "Trụ sở Đảng ủy xã An Khánh"', f'venue  = "x"\nonline = {json.dumps(online)}'
    )  # a JSON string is a TOML basic string: the controls arrive as escapes
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    assert "online" in str(refused.value) and "\n" not in str(refused.value).strip()
