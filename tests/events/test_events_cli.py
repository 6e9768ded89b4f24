"""``clerk-app events ...`` in a subprocess, as a clerk would run it: create, list, show,
report and sheet PDFs (with audit entries), errors in Chinese with exit code 2."""

from __future__ import annotations

import subprocess
import sys

import pytest

from clerk_app.services import events, signin
from clerk_app.storage.audit import recent
from clerk_app.workspace import open_workspace
from tests.conftest import SETUP
from tests.printing.pdfcheck import page_count, pdf_text, squeeze

pytestmark = pytest.mark.slow


def _cli(data_dir, *args):
    return subprocess.run([sys.executable, "-m", "clerk_app", "--data-dir", str(data_dir), "events", *args],
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


@pytest.fixture
def folder(data_dir):
    ws = open_workspace(data_dir)
    ws.set_up(SETUP)
    ws.close()
    return data_dir


def test_cli_create_list_show_report_and_sheets(folder, tmp_path):
    made = _cli(folder, "create", "--type", "职工沟通会", "--title", "黄村镇职工沟通会", "--date", "2026-11-21",
                "--start", "9:30", "--end", "11:30", "--venue", "黄村镇文化广场", "--sub-venue", "京东物流站点",
                "--service", "入会咨询", "--service", "理发")
    assert made.returncode == 0, made.stderr
    assert "已新建活动：2026-11-21 09:30—11:30" in made.stdout and "分会场 京东物流站点" in made.stdout
    _cli(folder, "create", "--type", "招聘会", "--title", "春风行动招聘会", "--date", "2026-03-05", "--venue", "区职工服务中心")

    ws = open_workspace(folder)
    try:
        ctx = ws.context()
        event = events.find_event(ctx, "沟通会")
        signin.sign_in_walk_in(ctx, event.id, "孙强", "13912340001", "外卖配送员", "美团")
        events.add_tally(ctx, event.id, "material", "入会宣传页", 1146)
    finally:
        ws.close()

    listed = _cli(folder, "list")
    assert listed.returncode == 0 and listed.stdout.index("黄村镇职工沟通会") < listed.stdout.index("春风行动招聘会")
    assert "共 2 场活动" in listed.stdout
    since = _cli(folder, "list", "--since", "2026-11-01")
    assert "春风行动招聘会" not in since.stdout and "共 1 场活动" in since.stdout

    shown = _cli(folder, "show", "沟通会")
    assert shown.returncode == 0 and "本次活动共签到 1 人（会员 0 人、非会员 1 人）" in shown.stdout
    assert "发放宣传资料 1,146 份" in shown.stdout

    report = tmp_path / "out" / "report.pdf"
    done = _cli(folder, "report", "沟通会", "--out", str(report))
    assert done.returncode == 0, done.stderr
    assert "已生成" in done.stdout and page_count(report.read_bytes()) == 1
    assert "签到总人数" in squeeze(pdf_text(report.read_bytes()))

    sheet, blank = tmp_path / "sheet.pdf", tmp_path / "blank.pdf"
    assert _cli(folder, "sheet", event.id, "--out", str(sheet)).returncode == 0
    text = squeeze(pdf_text(sheet.read_bytes()))
    assert "孙强" in text and "139****0001" in text and "13912340001" not in text
    assert _cli(folder, "sheet", "沟通会", "--blank", "--rows", "30", "--out", str(blank)).returncode == 0
    assert "30" in pdf_text(blank.read_bytes()).split() and "孙强" not in pdf_text(blank.read_bytes())

    ws = open_workspace(folder)
    try:
        prints = [e for e in recent(ws.db, 10) if e.action == "print"]
    finally:
        ws.close()
    assert [(p.entity, p.entity_id, p.detail["document"]) for p in prints] == [
        ("event", event.id, "signin_sheet_blank"), ("event", event.id, "signin_sheet"), ("event", event.id, "event_report")]
    assert all(p.detail["reveal"] is False for p in prints)


def test_cli_errors_are_chinese_and_exit_2(folder, tmp_path):
    bad = _cli(folder, "create", "--type", "联欢会", "--title", "x", "--date", "2026-11-21", "--venue", "y")
    assert bad.returncode == 2 and "活动类型只能是" in bad.stderr
    bad = _cli(folder, "create", "--type", "义诊", "--title", "x", "--date", "2026-13-01", "--venue", "y")
    assert bad.returncode == 2 and "日期“2026-13-01”格式不对" in bad.stderr
    bad = _cli(folder, "create", "--type", "义诊", "--title", "x", "--date", "2026-11-01", "--venue", "y", "--union", "无此工会")
    assert bad.returncode == 2 and "找不到工会“无此工会”" in bad.stderr
    missing = _cli(folder, "report", "不存在的活动", "--out", str(tmp_path / "x.pdf"))
    assert missing.returncode == 2 and "找不到活动“不存在的活动”" in missing.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_cli_refuses_a_folder_not_set_up(data_dir):
    result = _cli(data_dir, "list")
    assert result.returncode == 2 and "尚未完成初始设置" in result.stderr
