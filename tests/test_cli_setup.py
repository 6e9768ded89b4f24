"""``clerk-app setup``: a fresh data folder set up without the window, then the batch commands
work on it; a folder already set up, or a bad card code, is refused in Chinese and nothing changes."""

from __future__ import annotations

import hashlib

import pytest

from clerk_app.cli import main
from clerk_app.domain.cardno import is_valid_check
from clerk_app.storage.meta import get_meta
from clerk_app.workspace import open_workspace
from tests.conftest import make_id
from clerk_app.clock import TODAY_ENV
from tests.roster.conftest import ROSTER_DAY, person, write_csv

SETUP_ARGS = ["--laptop", "黄村镇总工会1号机", "--union", "大兴区黄村镇总工会", "--clerk", "李经办"]


def _folder_state(folder) -> tuple:
    """Everything that says who this laptop is and what it holds."""
    ws = open_workspace(folder)
    try:
        meta = tuple(ws.db.conn.execute("SELECT key, value FROM meta ORDER BY key").fetchall())
        h = hashlib.sha256()
        for table in ("clerks", "unions", "change_log", "audit_log", "members"):
            for row in ws.db.conn.execute(f"SELECT * FROM {table} ORDER BY 1"):
                h.update(repr((table, row)).encode())
        return meta, h.hexdigest()
    finally:
        ws.close()


def test_a_fresh_folder_set_up_from_the_command_line_takes_batch_commands(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(TODAY_ENV, ROSTER_DAY.isoformat())  # the roster's members joined 2025-03-01
    folder = tmp_path / "fresh"  # does not exist yet: district IT names a new folder
    opts = ["--data-dir", str(folder)]
    assert main(["cards", "list", *opts]) == 2
    assert "尚未完成初始设置" in capsys.readouterr().err

    assert main(["setup", *SETUP_ARGS, "--union-type", "联合工会", "--card-code", "dx07", *opts]) == 0
    out = capsys.readouterr().out
    assert "已完成初始设置：本机“黄村镇总工会1号机”，所属工会“大兴区黄村镇总工会”（联合工会），经办人“李经办”" in out
    assert "本机发卡代码：DX07" in out and str(folder) in out

    ws = open_workspace(folder)
    try:
        ctx = ws.context()
        assert ctx.clerk.name == "李经办" and get_meta(ws.db, "laptop_name") == "黄村镇总工会1号机"
        union = ws.db.conn.execute("SELECT name, kind FROM unions WHERE id = ?", [ctx.home_union_id]).fetchone()
        assert tuple(union) == ("大兴区黄村镇总工会", "联合工会")
    finally:
        ws.close()

    roster = write_csv(tmp_path / "r.csv", [person(1), person(2)])
    assert main(["roster", "import", str(roster), "--yes", *opts]) == 0
    assert main(["cards", "issue", "--member", make_id(seq="001"), "--date", "2025-03-02", *opts]) == 0
    issued = capsys.readouterr().out
    assert "已发卡：卡号 DX07" in issued
    card_no = issued.split("卡号 ")[1].split("  ")[0]
    assert is_valid_check(card_no.replace(" ", ""))
    assert main(["cards", "show", card_no, *opts]) == 0
    assert main(["cards", "list", *opts]) == 0
    assert "共 1 张" in capsys.readouterr().out


def test_setup_without_a_card_code_says_how_to_set_it_later(tmp_path, capsys):
    folder = tmp_path / "fresh"
    assert main(["setup", *SETUP_ARGS, "--data-dir", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "（乡镇街道总工会）" in out and "cards set-prefix" in out
    assert main(["cards", "set-prefix", "DX08", "--data-dir", str(folder)]) == 0


def test_a_folder_already_set_up_is_refused_and_left_as_it_was(tmp_path, capsys):
    folder = tmp_path / "laptop"
    assert main(["setup", *SETUP_ARGS, "--card-code", "DX07", "--data-dir", str(folder)]) == 0
    capsys.readouterr()
    before = _folder_state(folder)
    again = ["setup", "--laptop", "另一台", "--union", "另一个工会", "--clerk", "王经办", "--card-code", "DX09"]
    assert main([*again, "--data-dir", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：本数据目录已完成初始设置（已加密），不能再次设置")  # its name is inside the encrypted database
    assert str(folder) in err and "Traceback" not in err
    assert _folder_state(folder) == before


@pytest.mark.parametrize("code, reason", [("DX", "格式不对"), ("D707", "格式不对"), ("DX07A1", "格式不对"), (" ", "请填写本机的发卡代码")])
def test_a_bad_card_code_is_refused_before_anything_is_set_up(tmp_path, capsys, code, reason):
    folder = tmp_path / "fresh"
    assert main(["setup", *SETUP_ARGS, "--card-code", code, "--data-dir", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：") and reason in err
    # the same words as `cards set-prefix` on a set-up laptop
    assert main(["setup", *SETUP_ARGS, "--data-dir", str(folder)]) == 0
    capsys.readouterr()
    assert main(["cards", "set-prefix", code, "--data-dir", str(folder)]) == 2
    assert capsys.readouterr().err == err


@pytest.mark.parametrize("args, reason", [
    (["--union-type", "居委会"], "工会类型“居委会”不对，只能是：区总工会、乡镇街道总工会"),
    (["--laptop", "  "], "请填写本机名称"),
])
def test_bad_names_are_refused_and_the_folder_stays_fresh(tmp_path, capsys, args, reason):
    folder = tmp_path / "fresh"
    assert main(["setup", *SETUP_ARGS, *args, "--data-dir", str(folder)]) == 2
    assert reason in capsys.readouterr().err
    ws = open_workspace(folder)
    try:
        assert not ws.ready
    finally:
        ws.close()


def test_refusal_is_a_real_process_exit_code_without_a_traceback(tmp_path):
    from tests.test_cli_core import run_cli

    folder = tmp_path / "laptop"
    first = run_cli("setup", *SETUP_ARGS, "--data-dir", str(folder))
    assert first.returncode == 0, first.stderr
    again = run_cli("setup", *SETUP_ARGS, "--data-dir", str(folder))
    assert again.returncode == 2 and again.stdout == ""
    assert again.stderr.startswith("错误：本数据目录已完成初始设置") and "Traceback" not in again.stderr
