"""The roster import wizard and the member-list export, driven like a clerk on real files."""

from __future__ import annotations

import threading

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QWizard

from clerk_app import paths
from clerk_app.domain.errors import UserError
from clerk_app.domain.idnumber import mask
from clerk_app.services import members as member_service
from clerk_app.services import roster_import as ri
from clerk_app.storage.audit import recent
from clerk_app.ui.main_window import build_main_window
from clerk_app.ui.members_page import MembersPage
from clerk_app.ui.roster_import_wizard import RosterImportWizard
from clerk_app.ui.roster_preview import BAD, SKIP, WARN
from tests.conftest import make_id, run_on
from tests.roster.conftest import ROSTER_DAY, db_hash, person, write_xlsx

BAD_CHECKSUM = make_id(seq="003")[:-1] + ("0" if make_id(seq="003")[-1] != "0" else "1")
DUP_ID = make_id(seq="005")
_on_day = run_on(ROSTER_DAY)


def messy_rows() -> list[dict]:
    """Rows 3..10 as Excel numbers them (a title row, then the header row): 4 good, a bad
    checksum, an ID stored as a number, two rows with the same ID number, and a good row
    whose 性别 disagrees with its ID number (a warning, still imported)."""
    return [
        person(1),                                          # row 3
        person(2),                                          # row 4
        person(3, 身份证号码=BAD_CHECKSUM),                  # row 5: bad checksum
        person(4, 身份证号码=int(make_id(seq="004"))),       # row 6: Excel number cell
        person(5),                                          # row 7: duplicate of row 8
        person(6, 身份证号码=DUP_ID),                        # row 8: duplicate of row 7
        person(7),                                          # row 9
        person(8, 性别="男"),                                # row 10: ID says 女 -> warning
    ]


HEADERS = ["序号", "姓名", "身份证号码", "手机号码", "性别", "民族", "职业", "平台", "入会日期", "备注"]
GOOD_ROWS = {3: 1, 4: 2, 9: 7, 10: 8}  # Excel row -> person number


@pytest.fixture
def roster_file(tmp_path):
    return write_xlsx(tmp_path / "花名册.xlsx", messy_rows(), HEADERS, title="某某工会会员花名册")


@pytest.fixture
def wizard(qtbot, ctx, workspace):
    wiz = RosterImportWizard(ctx, paths.db_path(workspace.folder))
    qtbot.addWidget(wiz)
    wiz.show()
    yield wiz
    for panel in wiz.panels:
        if panel.task is not None:
            panel.task.cancel()
            panel.task.wait(5)


def _next(wizard) -> None:
    button = wizard.button(QWizard.WizardButton.NextButton)
    assert button.isEnabled()
    button.click()


def _open_file(qtbot, wizard, monkeypatch, path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    qtbot.mouseClick(wizard.file_page.browse, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not wizard.file_page.panel.is_busy(), timeout=5000)


def _to_preview(qtbot, wizard, monkeypatch, path) -> None:
    _open_file(qtbot, wizard, monkeypatch, path)
    _next(wizard)
    assert wizard.currentPage() is wizard.mapping_page
    _next(wizard)
    assert wizard.currentPage() is wizard.preview_page
    qtbot.waitUntil(lambda: wizard.preview_page.preview is not None, timeout=5000)


def _problems(page) -> dict[int, tuple[str, str, str]]:
    model = page.model
    return {p.row: (p.kind, p.id_masked, p.reason) for p in (model.problem(r) for r in range(model.rowCount()))}


def test_wizard_previews_every_problem_then_imports_exactly_the_good_rows(qtbot, wizard, ctx, monkeypatch,
                                                                          roster_file, tmp_path, qtmodeltester):
    _open_file(qtbot, wizard, monkeypatch, roster_file)
    assert "表头在第 2 行，共 8 行数据" in wizard.file_page.info.text()
    _next(wizard)
    page = wizard.mapping_page
    assert [page.field_of_column(i) for i in range(4)] == ["", "name", "id_number", "phone"]
    assert "必填项 姓名、身份证号码 都已对应" in page.required_label.text()
    sample = page.table.item(2, 3).text()
    assert mask(make_id(seq="001")) in sample and make_id(seq="001") not in sample  # masked on screen
    _next(wizard)
    preview_page = wizard.preview_page
    qtbot.waitUntil(lambda: preview_page.preview is not None, timeout=5000)
    qtmodeltester.check(preview_page.model)

    problems = _problems(preview_page)
    assert set(problems) == {5, 6, 7, 8, 10}
    assert problems[5][0] == BAD and "校验位不对" in problems[5][2] and problems[5][1] == mask(BAD_CHECKSUM)
    assert problems[6][0] == BAD and "存成了数字" in problems[6][2]
    assert problems[7][0] == BAD and "与第 8 行重复" in problems[7][2]
    assert problems[8][0] == BAD and "与第 7 行重复" in problems[8][2]
    assert problems[10][0] == WARN and "性别" in problems[10][2]
    assert "可以导入 4 行" in preview_page.summary.text() and "不能导入 4 行" in preview_page.summary.text()
    preview_page.only_bad.setChecked(True)
    assert sorted(_problems(preview_page)) == [5, 6, 7, 8]
    assert member_service.count(ctx) == 0  # nothing saved by the preview

    errors = tmp_path / "errors.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(errors.with_suffix("")), ""))
    qtbot.mouseClick(preview_page.save_errors, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.last_error_file is not None, timeout=5000)
    assert str(errors) in preview_page.note.text()
    ws = openpyxl.load_workbook(errors).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][-1] == "错误原因" and rows[0][1] == "姓名"
    assert [r[1] for r in rows[1:]] == [person(n)["姓名"] for n in (3, 4, 5, 6)]
    assert "校验位不对" in rows[1][-1]

    _next(wizard)
    assert wizard.currentPage() is wizard.confirm_page
    commit = wizard.button(QWizard.WizardButton.CommitButton)
    assert commit.text() == "导入 4 名会员" and "大兴区黄村镇总工会" in wizard.confirm_page.text.text()
    with qtbot.waitSignal(wizard.imported, timeout=5000) as blocker:
        commit.click()
    assert blocker.args == [4]
    qtbot.waitUntil(lambda: wizard.button(QWizard.WizardButton.FinishButton).isEnabled(), timeout=5000)
    assert "已导入 4 名会员" in wizard.result_page.text.text()
    stored = dict(ctx.db.conn.execute("SELECT id_number, name FROM members").fetchall())
    assert stored == {make_id(seq=f"{n:03d}"): person(n)["姓名"] for n in GOOD_ROWS.values()}
    again = ri.suggest_mapping(ctx.db, wizard.table.headers)
    assert again.remembered  # the confirmed mapping is remembered for the next file


def test_cancel_during_commit_saves_nothing_and_retry_imports(qtbot, wizard, ctx, monkeypatch, roster_file):
    _to_preview(qtbot, wizard, monkeypatch, roster_file)
    _next(wizard)
    before = db_hash(ctx.db)
    gate, entered = threading.Event(), threading.Event()
    real = ri.register_many

    def gated(*args, **kwargs):  # the real registration, held until the clerk has pressed 取消
        entered.set()
        assert gate.wait(5)
        return real(*args, **kwargs)

    monkeypatch.setattr(ri, "register_many", gated)
    wizard.button(QWizard.WizardButton.CommitButton).click()
    result_page = wizard.result_page
    assert entered.wait(5)
    assert not wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    qtbot.mouseClick(result_page.panel.cancel_button, Qt.MouseButton.LeftButton)
    gate.set()
    qtbot.waitUntil(lambda: not result_page.panel.is_busy(), timeout=5000)
    assert result_page.cancelled and UserError("roster.cancelled").message in result_page.text.text()
    assert db_hash(ctx.db) == before and member_service.count(ctx) == 0
    assert not ri.suggest_mapping(ctx.db, wizard.table.headers).remembered

    monkeypatch.setattr(ri, "register_many", real)
    with qtbot.waitSignal(wizard.imported, timeout=5000):
        qtbot.mouseClick(result_page.retry, Qt.MouseButton.LeftButton)
    assert member_service.count(ctx) == 4


def test_closing_the_wizard_during_commit_cancels_first(qtbot, wizard, ctx, monkeypatch, roster_file):
    _to_preview(qtbot, wizard, monkeypatch, roster_file)
    _next(wizard)
    before = db_hash(ctx.db)
    gate = threading.Event()
    real = ri.register_many

    def gated(*args, **kwargs):
        assert gate.wait(5)
        return real(*args, **kwargs)

    monkeypatch.setattr(ri, "register_many", gated)
    wizard.button(QWizard.WizardButton.CommitButton).click()
    assert wizard.result_page.panel.is_busy()
    wizard.close()  # the window's close box while saving
    assert wizard.isVisible()  # still open: the job is being cancelled, not abandoned mid-write
    gate.set()
    qtbot.waitUntil(lambda: not wizard.isVisible(), timeout=5000)
    assert wizard.result() == QWizard.DialogCode.Rejected and wizard.result_page.cancelled
    assert db_hash(ctx.db) == before


def test_unusable_file_says_why_in_chinese(qtbot, wizard, monkeypatch, tmp_path):
    broken = tmp_path / "坏.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is not really a workbook")
    _open_file(qtbot, wizard, monkeypatch, broken)
    assert UserError("roster.corrupt", kind="Excel").message in wizard.file_page.info.text()
    assert "Traceback" not in wizard.file_page.info.text()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def test_unmapped_required_column_blocks_until_chosen(qtbot, wizard, monkeypatch, tmp_path):
    headers = ["人员", "身份证号码", "手机号码", "民族"]
    rows = [{"人员": "张三丰", "身份证号码": make_id(seq="011"), "手机号码": "13800000011", "民族": ""}]
    _open_file(qtbot, wizard, monkeypatch, write_xlsx(tmp_path / "r.xlsx", rows, headers))
    _next(wizard)
    page = wizard.mapping_page
    assert "姓名" in page.required_label.text() and "还没有对应" in page.required_label.text()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    page.set_field(0, "name")
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    page.set_field(2, "name")  # a field comes from one column: the first column is freed
    assert page.field_of_column(0) == "" and page.field_of_column(2) == "name"
    page.set_field(0, "name")
    page.set_field(2, "phone")
    page.ethnicity.setCurrentIndex(page.ethnicity.findData("汉族"))
    page.occupation.setCurrentIndex(page.occupation.findData("快递员"))  # 职业 is required; the file has none
    _next(wizard)
    qtbot.waitUntil(lambda: wizard.preview_page.preview is not None, timeout=5000)
    (good,) = wizard.preview_page.preview.good
    assert (good.member.name, good.member.ethnicity, good.member.occupation) == ("张三丰", "汉族", "快递员")


# --- export -------------------------------------------------------------------------------------
@pytest.fixture
def page(qtbot, ctx, add_members):
    add_members(45)
    members = MembersPage(ctx)
    qtbot.addWidget(members)
    members.show()
    return members


def _export(qtbot, dialog, boxes, monkeypatch, out) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    boxes.answer("确定", tries=1000)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=5000)


def test_export_from_members_page_writes_the_filtered_list_masked(qtbot, page, ctx, boxes, monkeypatch, tmp_path):
    page.search_box.setText("王")
    page.run_search()
    expected = member_service.search(ctx, "王", limit=10**9)
    assert 0 < len(expected) < member_service.count(ctx)
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    dialog = page.export_dialog
    assert f"“王”找到的全部会员（共 {len(expected)} 名）" in dialog.scope.text() and not dialog.full.isChecked()
    out = tmp_path / "王.xlsx"
    _export(qtbot, dialog, boxes, monkeypatch, out)
    assert f"已导出 {len(expected)} 名会员" in boxes.texts[-1] and str(out) in boxes.texts[-1]
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    head = rows[0]
    name_col, id_col, phone_col = head.index("姓名"), head.index("身份证号码"), head.index("手机号码")
    assert sorted(r[name_col] for r in rows[1:]) == sorted(m.name for m in expected)
    assert sorted(r[id_col] for r in rows[1:]) == sorted(mask(m.id_number) for m in expected)
    assert all("****" in r[phone_col] for r in rows[1:])
    entry = [e for e in recent(ctx.db, 20) if e.action == "export"][0]
    assert entry.detail["full"] is False and entry.detail["count"] == len(expected)


def test_full_numbers_only_after_confirming_the_warning(qtbot, ctx, workspace, add_members, boxes,
                                                        monkeypatch, tmp_path):
    add_members(5)
    window = build_main_window(workspace)
    qtbot.addWidget(window)
    window.show()
    assert [a.text() for a in window.menuBar().actions()[0].menu().actions()][:2] == ["导入花名册…", "导出会员名单…"]
    window.export_action.trigger()
    dialog = window.export_dialog
    assert "全部会员（共 5 名）" in dialog.scope.text()
    boxes.answer("取消")
    dialog.full.setChecked(True)
    assert not dialog.full.isChecked() and "审计日志" in boxes.texts[-1]
    boxes.answer("导出完整号码")
    dialog.full.setChecked(True)
    assert dialog.full.isChecked() and "审计日志" in dialog.hint.text()
    out = tmp_path / "全部.xlsx"
    _export(qtbot, dialog, boxes, monkeypatch, out)
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    ids = {r[rows[0].index("身份证号码")] for r in rows[1:]}
    assert ids == {r[0] for r in ctx.db.conn.execute("SELECT id_number FROM members")}
    assert [e for e in recent(ctx.db, 20) if e.action == "export"][0].detail["full"] is True


def test_import_from_the_menu_refreshes_the_members_page(qtbot, ctx, workspace, monkeypatch, roster_file):
    window = build_main_window(workspace)
    qtbot.addWidget(window)
    window.show()
    window.import_action.trigger()
    wizard = window.import_wizard
    assert wizard.isVisible() and wizard.isModal()
    _to_preview(qtbot, wizard, monkeypatch, roster_file)
    _next(wizard)
    wizard.button(QWizard.WizardButton.CommitButton).click()
    qtbot.waitUntil(lambda: window.member_count.text() == "会员 4 名", timeout=5000)
    assert window.pages["members"].model.rowCount() == 4


def test_short_roster_imports_incomplete_members_with_the_join_date_the_clerk_states(qtbot, wizard, ctx,
                                                                                      monkeypatch, tmp_path):
    """A roster with only 姓名 and 身份证号码 (and a 合计 line): every member imports, marked
    资料待补全; the join date is the one the clerk states, never a made-up today."""
    headers = ["序号", "姓名", "身份证号码"]
    rows = [person(1), person(2), {"序号": "合计", "姓名": "2人"}]
    path = write_xlsx(tmp_path / "短名单.xlsx", rows, headers)
    _open_file(qtbot, wizard, monkeypatch, path)
    _next(wizard)
    page = wizard.mapping_page
    assert page.join_mode.currentData() == ri.JOIN_UNKNOWN and not page.join_day.isEnabled()  # no column
    page.set_join_mode(ri.JOIN_STATED)
    assert page.join_day.isEnabled()
    page.join_day.setDate(page.join_day.date().addYears(-1).addDays(-page.join_day.date().dayOfYear() + 1))
    stated = page.join_day.date().toPython()
    _next(wizard)
    preview_page = wizard.preview_page
    qtbot.waitUntil(lambda: preview_page.preview is not None, timeout=5000)
    summary = preview_page.summary.text()
    assert "可以导入 2 行" in summary and "不能导入 0 行" in summary and "1 行合计行已跳过" in summary
    assert "其中 2 行资料待补全（缺 手机号码 2 人、民族 2 人、职业 2 人）" in summary
    problems = _problems(preview_page)
    assert problems[4][0] == SKIP and "合计行，已跳过" in problems[4][2]
    _next(wizard)
    confirm = wizard.confirm_page.text.text()
    assert f"入会日期：统一为 {stated.isoformat()}" in confirm and "移交的会员名单（短名单.xlsx）（名单移交）" in confirm
    with qtbot.waitSignal(wizard.imported, timeout=5000):
        wizard.button(QWizard.WizardButton.CommitButton).click()
    assert set(r[0] for r in ctx.db.conn.execute("SELECT join_date FROM members")) == {stated.isoformat()}
    assert member_service.count(ctx, incomplete=True) == 2


def test_members_page_filters_incomplete_members_and_the_panel_names_what_is_missing(qtbot, ctx, tmp_path,
                                                                                      add_members):
    add_members(3)  # complete, registered through the form
    table = ri.read_roster(write_xlsx(tmp_path / "r.xlsx", [person(1), person(2)], ["姓名", "身份证号码", "民族"]))
    preview = ri.build_preview(ctx, table, ri.suggest_mapping(ctx.db, table.headers).mapping)
    saved = ri.commit_import(ctx, preview).saved
    members = MembersPage(ctx)
    qtbot.addWidget(members)
    assert members.model.rowCount() == 5
    members.incomplete_filter.setChecked(True)
    assert [members.model.row_at(r).id for r in range(members.model.rowCount())] == saved[::-1]
    assert members.count_label.text() == "资料待补全 2 名（共 5 名会员）"
    members.select_member(saved[0])
    detail = members.detail
    assert not detail.incomplete.isHidden()
    assert detail.incomplete.text() == "资料待补全：缺手机号码、入会日期、职业（点“编辑”补全）"
    assert detail.values["join_date"].text() == "未知"
    assert "名单移交：" in detail.consent.text()
    members.search_box.setText(person(2)["姓名"])
    members.run_search()
    assert [members.model.row_at(r).id for r in range(members.model.rowCount())] == [saved[1]]
    members.incomplete_filter.setChecked(False)
    members.search_box.clear()
    members.run_search()
    assert members.model.rowCount() == 5


def test_cards_for_the_members_just_imported(qtbot, wizard, ctx, monkeypatch, roster_file, boxes, member_input):
    from clerk_app.services import cards as card_service

    card_service.set_card_prefix(ctx, "DX07")
    already = member_service.register_member(  # a member from before, not in this roster
        ctx, member_input(name="早已入会", id_number=make_id(seq="777"), phone="13700007777")).member_id
    _to_preview(qtbot, wizard, monkeypatch, roster_file)
    _next(wizard)
    result_page = wizard.result_page
    assert not result_page.issue_cards.isVisible()
    with qtbot.waitSignal(wizard.imported, timeout=5000):
        wizard.button(QWizard.WizardButton.CommitButton).click()
    assert result_page.issue_cards.isVisible()
    saved = list(result_page.result.saved)
    boxes.answer(f"发卡（{len(saved)} 人）")
    assert result_page.issue_cards_to_imported() is not None
    assert f"本次导入的 {len(saved)} 名会员" in boxes.texts[0]
    boxes.answer("以后再说", tries=1000)
    qtbot.waitUntil(lambda: boxes.titles[-1:] == ["批量发卡完成"], timeout=15000)
    assert f"已发卡 {len(saved)} 张" in boxes.texts[-1]
    holders = sorted(c.member_id for c in card_service.list_cards(ctx, limit=100).rows)
    assert holders == sorted(saved) and already not in holders
