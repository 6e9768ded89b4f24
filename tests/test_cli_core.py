"""The command line as a clerk or a script runs it: a real ``python -m clerk_app`` process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from clerk_app import APP_NAME, __version__
from clerk_app.cli import build_parser
from tests.conftest import make_id

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "clerk_app", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


def test_check_id_prints_one_json_line_per_number():
    numbers = ["110105199003071239", "1101051990030712", "11010519491231002x", make_id("133100"),
               make_id(birth="19900230"), "110105491231002"]
    out = run_cli("check-id", *numbers)
    assert out.returncode == 1, out.stderr  # at least one is invalid
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [line["input"] for line in lines] == numbers
    good, short, lower_x, xiongan, feb30, legacy = lines

    assert good == {"input": "110105199003071239", "valid": True, "code": "ok", "message": "有效",
                    "number": "110105199003071239", "kind": "resident", "birth_date": "1990-03-07",
                    "gender": "男", "region": "北京市朝阳区", "warnings": []}
    assert (short["valid"], short["code"]) == (False, "id.bad_length")
    assert "16" in short["message"] and short["birth_date"] is None and short["gender"] is None
    assert (lower_x["valid"], lower_x["number"], lower_x["gender"]) == (True, "11010519491231002X", "女")
    assert xiongan["valid"] and xiongan["region"] is None
    assert [w["code"] for w in xiongan["warnings"]] == ["id.region_unknown"]
    assert "133100" in xiongan["warnings"][0]["message"]
    assert (feb30["valid"], feb30["code"]) == (False, "id.bad_date")
    assert legacy["code"] == "id.legacy_15" and "11010519491231002X" in legacy["message"]


def test_check_id_names_new_and_abolished_districts_and_refuses_a_non_province():
    numbers = [make_id("110115", "19900101"), make_id("110228", "19900101"), make_id("990426", "19911201"),
               make_id("133100", "19950505")]
    out = run_cli("check-id", *numbers)
    assert out.returncode == 1, out.stderr
    daxing, miyun, nowhere, xiongan = (json.loads(line) for line in out.stdout.splitlines())
    assert (daxing["valid"], daxing["region"], daxing["warnings"]) == (True, "北京市大兴区", [])
    assert (miyun["valid"], miyun["region"], miyun["warnings"]) == (True, "北京市密云县（已撤销）", [])
    assert (nowhere["valid"], nowhere["code"], nowhere["region"]) == (False, "id.bad_province", None)
    assert "“99”" in nowhere["message"] and "省级行政区" in nowhere["message"]
    assert xiongan["valid"] and [w["code"] for w in xiongan["warnings"]] == ["id.region_unknown"]


def test_check_id_exit_code_zero_when_all_valid():
    out = run_cli("check-id", "110105199003071239", "１１０１０５１９４９１２３１００２Ｘ")
    assert out.returncode == 0, out.stderr
    assert [json.loads(line)["valid"] for line in out.stdout.splitlines()] == [True, True]


def test_check_id_needs_a_number():
    out = run_cli("check-id")
    assert out.returncode == 2
    assert out.stdout == ""


def test_version():
    out = run_cli("--version")
    assert out.returncode == 0
    assert out.stdout.strip() == f"{APP_NAME} {__version__}"


@pytest.mark.parametrize("argv", [
    ["--data-dir", "/some/folder", "check-id", "110105199003071239"],
    ["check-id", "--data-dir", "/some/folder", "110105199003071239"],
    ["check-id", "110105199003071239", "--data-dir", "/some/folder"],
])
def test_data_dir_before_or_after_the_sub_command(argv):
    args = build_parser().parse_args(argv)
    assert args.data_dir == "/some/folder"
    assert args.numbers == ["110105199003071239"]


def test_no_data_dir_means_default():
    args = build_parser().parse_args(["check-id", "110105199003071239"])
    assert getattr(args, "data_dir", None) is None


@pytest.mark.parametrize("before", [True, False])
def test_data_dir_is_used_and_a_user_error_exits_2_in_chinese(tmp_path, before):
    folder = tmp_path / "not-ours"
    folder.mkdir()
    junk = b"this is a spreadsheet, not a database" * 4
    (folder / "clerk.db").write_bytes(junk)
    opts = ["--data-dir", str(folder)]
    argv = [*opts, "demo", "--members", "1"] if before else ["demo", "--members", "1", *opts]
    out = run_cli(*argv)
    assert out.returncode == 2
    assert out.stderr.startswith("错误：") and "不是本程序的数据库" in out.stderr
    assert str(folder) in out.stderr  # the folder given was the one opened
    assert "Traceback" not in out.stderr
    assert (folder / "clerk.db").read_bytes() == junk


def test_output_cut_short_by_the_reader_is_not_an_error(tmp_path):
    """``clerk-app check-id ... | head -1``: the reader closes the pipe; no traceback."""
    import subprocess
    import sys

    numbers = ["110105199003071239"] * 20000
    proc = subprocess.Popen([sys.executable, "-m", "clerk_app", "check-id", *numbers],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=str(__import__("pathlib").Path(__file__).resolve().parent.parent))
    first = proc.stdout.readline()
    proc.stdout.close()  # like `head -1` exiting
    err = proc.stderr.read().decode()
    proc.stderr.close()
    proc.wait(timeout=60)
    assert b'"valid": true' in first
    assert "Traceback" not in err and "BrokenPipe" not in err
    assert proc.returncode == 0


def test_a_data_folder_that_cannot_be_used_is_a_clear_error(tmp_path, capsys):
    """--data-dir naming a file, or a folder whose lock file cannot be made: a Chinese
    message and exit 2 (the window says the same), never a traceback."""
    from clerk_app.cli import main

    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    assert main(["--data-dir", str(a_file), "demo", "--members", "1"]) == 2
    assert capsys.readouterr().err.startswith("错误：无法创建或写入数据目录")

    folder = tmp_path / "folder"
    (folder / "clerk.lock").mkdir(parents=True)  # stands for any reason the lock file cannot open
    assert main(["--data-dir", str(folder), "demo", "--members", "1"]) == 2
    assert capsys.readouterr().err.startswith("错误：无法创建或写入数据目录")
    assert not (folder / "clerk.db").exists()


@pytest.mark.parametrize("text", ["2026-11-01", "2026/11/1", "2026.11.1", "2026年11月1日", " 2026-11-1 "])
def test_batch_commands_read_dates_as_clerks_write_them(text):
    import datetime as dt

    from clerk_app.cli.common import parse_date

    assert parse_date(text) == dt.date(2026, 11, 1)


@pytest.mark.parametrize("text", ["2026-13-01", "2026-02-30", "明天", "2026-11", " "])
def test_a_date_that_is_not_one_is_a_user_error(text):
    from clerk_app.cli.common import parse_date
    from clerk_app.domain.errors import UserError

    with pytest.raises(UserError) as err:
        parse_date(text)
    assert err.value.code == "cli.bad_date"
