"""``clerk-app members data-copy`` and ``members erase``: a real process on a real data folder;
nothing it prints carries a personal value."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from clerk_app.domain.member import MemberInput
from clerk_app.services import members as ms
from clerk_app.storage.audit import check_chain
from clerk_app.workspace import open_workspace
from tests.conftest import SETUP, make_id
from tests.printing.pdfcheck import pdf_text

ROOT = Path(__file__).resolve().parent.parent
NAME, PHONE, ID_NUMBER = "褚怀瑾", "13911117777", make_id("110108", "19880412", "777")


def _cli(*args):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "clerk_app", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


def test_data_copy_then_erase(data_dir, tmp_path):
    ws = open_workspace(data_dir)
    ctx = ws.set_up(SETUP)
    ms.register_member(ctx, MemberInput(name=NAME, id_number=ID_NUMBER, phone=PHONE, union_id=ctx.home_union_id,
                                        occupation="快递员", join_date=ctx.today() - dt.timedelta(days=20)))
    ws.close()

    out = tmp_path / "copy.pdf"
    copy = _cli("members", "data-copy", ID_NUMBER, "--out", str(out), "--data-dir", str(data_dir))
    assert copy.returncode == 0, copy.stderr
    assert ID_NUMBER in pdf_text(out.read_bytes()) and ID_NUMBER not in copy.stdout + copy.stderr

    asked = _cli("members", "erase", ID_NUMBER, "--data-dir", str(data_dir))
    assert asked.returncode == 1 and "--yes" in asked.stdout
    done = _cli("members", "erase", ID_NUMBER, "--yes", "--data-dir", str(data_dir))
    assert done.returncode == 0, done.stderr
    assert "已删除" in done.stdout and "备份" in done.stdout
    for text in (done.stdout, done.stderr):
        assert ID_NUMBER not in text and NAME not in text and PHONE not in text
    raw = b"".join(p.read_bytes() for p in data_dir.glob("clerk.db*"))
    assert ID_NUMBER.encode() not in raw and NAME.encode() not in raw and PHONE.encode() not in raw
    again = _cli("members", "erase", ID_NUMBER, "--yes", "--data-dir", str(data_dir))
    assert again.returncode == 2 and "找不到会员" in again.stderr and ID_NUMBER not in again.stderr

    ws = open_workspace(data_dir)
    try:
        assert check_chain(ws.db).ok
        actions = [r[0] for r in ws.db.conn.execute("SELECT action FROM audit_log ORDER BY id")][-2:]
        assert actions == ["access_copy", "erase"]
    finally:
        ws.close()
