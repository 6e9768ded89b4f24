"""Matrix row 38: exceptions with personal data in their input leave no ID number, phone or
name on stderr or in the log files, from the command line or through the crash log writer."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from clerk_app.crashlog import LOG_DIR, LOG_FILE, append_log, redact, redacted_traceback
from tests.conftest import make_id

ROOT = Path(__file__).resolve().parent.parent
ID_NUMBER = make_id("110105", "19900307", "123")
NAME, PHONE = "王小明", "13812345678"

# A command whose code has a bug that puts a member's values into the exception (its message,
# the exception it was raised from, and a local variable), as a KeyError on a dict keyed by
# ID number or an f-string in a ValueError would.
_BUGGY = f"""
import sys
import clerk_app.domain.idnumber as idn
from clerk_app.cli import main

def broken_check(raw, today):
    member = {{"name": "{NAME}", "phone": "{PHONE}", "id_number": raw}}
    try:
        return {{}}[raw]
    except KeyError as exc:
        raise ValueError(f"cannot check {{member}}") from exc

idn.check_id = broken_check
sys.exit(main(sys.argv[1:]))
"""


def _all_logs(folder: Path) -> str:
    return "".join(p.read_text(encoding="utf-8", errors="replace") for p in folder.rglob("*.log"))


def test_cli_bug_prints_a_chinese_sentence_and_logs_no_personal_value(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", _BUGGY, "check-id", ID_NUMBER, "--data-dir", str(tmp_path)],
                          capture_output=True, text=True, env=env, timeout=60, cwd=ROOT)
    assert proc.returncode == 70
    assert "程序内部错误" in proc.stderr
    log = tmp_path / LOG_DIR / LOG_FILE
    assert str(log) in proc.stderr
    written = _all_logs(tmp_path)
    assert "broken_check" in written and "builtins.ValueError" in written and "builtins.KeyError" in written
    for value in (ID_NUMBER, ID_NUMBER[:17], NAME, PHONE):
        assert value not in proc.stderr and value not in proc.stdout
        assert value not in written
    assert "Traceback" not in proc.stderr


def test_cli_bug_with_an_unwritable_data_folder_still_says_so_without_values(tmp_path):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", _BUGGY, "check-id", ID_NUMBER, "--data-dir", str(blocked)],
                          capture_output=True, text=True, env=env, timeout=60, cwd=ROOT)
    assert proc.returncode == 70 and "程序内部错误" in proc.stderr
    assert ID_NUMBER not in proc.stderr and PHONE not in proc.stderr and NAME not in proc.stderr


@pytest.mark.parametrize("text", [ID_NUMBER, ID_NUMBER[:17] + "X", "110105900307123", PHONE, "+86 138-1234-5678",
                                  "138 1234 5678", f"id={ID_NUMBER};", f"手机{PHONE}。"])
def test_redaction_filter_blanks_ids_and_phones(text):
    out = redact(f"before {text} after")
    assert not any(ch.isdigit() for ch in out.replace("before", "").replace("after", "")), out


def test_redaction_leaves_line_numbers_and_error_codes(tmp_path):
    text = 'File "/x/members.py", line 123, in save\nsqlite3.OperationalError: [SQLITE_BUSY] 2026-12-03 10:11:12'
    assert redact(text) == text


def test_any_text_written_to_the_log_is_redacted(tmp_path):
    path = append_log(tmp_path / "x.log", f"{NAME} {ID_NUMBER} {PHONE}")
    written = path.read_text(encoding="utf-8")
    assert ID_NUMBER not in written and PHONE not in written


def test_a_chained_cause_is_listed_without_its_message():
    try:
        try:
            raise KeyError(ID_NUMBER)
        except KeyError as exc:
            raise RuntimeError(f"{NAME} {PHONE}") from exc
    except RuntimeError as exc:
        text = redacted_traceback(type(exc), exc.__traceback__, exc)
    assert "builtins.KeyError" in text and "builtins.RuntimeError" in text
    assert ID_NUMBER not in text and NAME not in text and PHONE not in text
