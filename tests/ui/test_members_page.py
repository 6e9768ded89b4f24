"""The members page: search as you type, detail with masked numbers, reveal, status change."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from clerk_app.services import members as member_service
from clerk_app.ui.members_page import MembersPage
from clerk_app.ui.status_dialog import StatusDialog, allowed_targets
from tests.ui.conftest import type_text


@pytest.fixture
def page(qtbot, ctx, add_members):
    add_members(60)
    widget = MembersPage(ctx, page_size=25)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_opens_with_first_page_and_total_count(page):
    assert page.model.rowCount() == 25
    assert page.count_label.text() == "共 60 名会员"


def test_search_box_filters_as_the_clerk_types(qtbot, ctx, page):
    with qtbot.waitSignal(page.results_shown, timeout=2000):
        type_text(qtbot, page.search_box, "王")
    names = [page.model.row_at(r).name for r in range(page.model.rowCount())]
    assert names and all("王" in n for n in names)
    assert len(names) == len(member_service.search(ctx, "王"))
    assert page.count_label.text() == f"找到 {len(names)} 名会员"
    with qtbot.waitSignal(page.results_shown, timeout=2000):
        page.search_box.clear()
    assert page.model.rowCount() == 25 and page.model.canFetchMore()


def test_a_member_no_longer_listed_leaves_the_detail_panel(qtbot, page):
    page.table.selectRow(0)
    shown = page.model.row_at(0)
    assert page.detail.member_id == shown.id
    with qtbot.waitSignal(page.results_shown, timeout=2000):
        qtbot.keyClicks(page.search_box, "zzzz")
    assert page.model.rowCount() == 0 and page.detail.record is None
    assert not page.edit_button.isEnabled()


def test_search_by_pinyin_initials(qtbot, page):
    with qtbot.waitSignal(page.results_shown, timeout=2000):
        qtbot.keyClicks(page.search_box, "wf")
    names = {page.model.row_at(r).name for r in range(page.model.rowCount())}
    assert "王芳" in names


def test_detail_masks_numbers_and_reveal_is_audited(qtbot, ctx, page):
    page.table.selectRow(0)
    row = page.model.row_at(0)
    shown = page.detail.values["id_number"].text()
    assert row.id_number not in shown and "*" in shown
    assert row.phone not in page.detail.values["phone"].text()
    qtbot.mouseClick(page.detail.reveal_button, Qt.MouseButton.LeftButton)
    assert page.detail.values["id_number"].text() == row.id_number
    assert page.detail.values["phone"].text() == row.phone
    action, entity, entity_id, detail = ctx.db.conn.execute(
        "SELECT action, entity, entity_id, detail FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    assert (action, entity, entity_id) == ("reveal", "member", row.id)
    assert row.id_number not in detail and "id_number" in json.loads(detail)["field"]
    page.table.selectRow(1)  # another member: masked again
    assert "*" in page.detail.values["id_number"].text()


def test_status_change_dialog_records_history(qtbot, ctx, page):
    row = page.model.row_at(0)
    assert [c for c in allowed_targets("active")] == ["retained", "transferred_out", "withdrawn", "expelled"]
    dialog = StatusDialog(ctx, row.id, row.name, row.status)
    qtbot.addWidget(dialog)
    dialog.target.setCurrentIndex(dialog.target.findData("withdrawn"))
    type_text(qtbot, dialog.reason, "本人书面申请")
    with qtbot.waitSignal(dialog.accepted, timeout=2000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    rec = member_service.get_member_file(ctx, row.id)
    assert rec.member.status == "withdrawn" and rec.history[-1].reason == "本人书面申请"
    page.after_save(row.id)
    assert page.detail.title.text().endswith("（退会）")


def test_expelled_member_cannot_change_status(qtbot, ctx, page):
    row = page.model.row_at(0)
    dialog = StatusDialog(ctx, row.id, row.name, "expelled")
    qtbot.addWidget(dialog)
    assert dialog.target.count() == 0 and not dialog.ok_button.isEnabled()
    assert "不能再变更" in dialog.error.text()


def test_closed_dialogs_do_not_stay_alive_under_the_page(qtbot, page, boxes):
    """A parented dialog lives as long as its parent unless deleted: one per registration."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from clerk_app.ui.feedback import ask_choice
    from clerk_app.ui.member_dialog import MemberDialog

    def close_form(left: int = 200) -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, MemberDialog):
            dialog.reject()  # nothing typed: closes without asking
        elif left:
            QTimer.singleShot(10, lambda: close_form(left - 1))

    for _ in range(2):
        QTimer.singleShot(0, close_form)
        page.register_new()
    boxes.answer("否")
    assert ask_choice(page, "问题", "确定吗？", ["是", "否"]) == 1
    qtbot.waitUntil(lambda: not page.findChildren(MemberDialog) and not page.findChildren(QMessageBox))


# --- work on the listed members: 批量发卡, 打印花名册 ---------------------------------------------

def _listed_wang(qtbot, page, ctx) -> list[str]:
    with qtbot.waitSignal(page.results_shown, timeout=2000):
        type_text(qtbot, page.search_box, "王")
    return [r.id for r in member_service.search(ctx, "王", limit=10**6)]


def test_batch_issue_to_the_search_result_then_preview_the_new_cards(qtbot, ctx, page, boxes, outcomes):
    from clerk_app.domain.cardno import grouped
    from clerk_app.services import cards as card_service
    from tests.printing.pdfcheck import qr_texts, render

    card_service.set_card_prefix(ctx, "DX07")
    wang = _listed_wang(qtbot, page, ctx)
    assert len(wang) >= 3
    held = card_service.issue_card(ctx, wang[1])
    boxes.answer(f"发卡（{len(wang)} 人）")
    task = page.issue_cards_to_list()
    assert "全部完成才保存" in boxes.texts[0] and f"搜索“王”找到的 {len(wang)} 名会员" in boxes.texts[0]
    boxes.answer("打印预览", tries=1000)
    qtbot.waitUntil(lambda: page.preview is not None, timeout=15000)
    outcome = outcomes.of(qtbot, task)
    assert outcome.error is None and len(outcome.value.issued) == len(wang) - 1
    assert f"已发卡 {len(wang) - 1} 张" in boxes.texts[1] and "跳过 1 名会员" in boxes.texts[1]
    skipped = outcome.value.skipped
    assert [s.member_id for s in skipped] == [wang[1]] and held.grouped_no in skipped[0].reason
    others = [c for c in card_service.list_cards(ctx, limit=1000).rows if c.id != held.id]
    assert sorted(c.member_id for c in others) == sorted(wang[:1] + wang[2:])  # only the listed members
    preview = page.preview
    assert preview.entity == "cards" and preview.page_count() == (len(wang) - 1 + 9) // 10
    found = sorted(sum((qr_texts(p) for p in render(preview.result.pdf, dpi=150)), []))
    assert found == sorted(c.card_no for c in outcome.value.issued)
    assert grouped(found[0]) in boxes.texts[1] or grouped(found[-1]) in boxes.texts[1]
    preview.close()


def test_batch_issue_cancelled_at_the_progress_dialog_issues_none(qtbot, ctx, page, boxes, outcomes):
    from clerk_app.services import cards as card_service

    card_service.set_card_prefix(ctx, "DX07")
    boxes.answer("发卡（60 人）")
    task = page.issue_cards_to_list()  # no search: everyone
    task.cancel()
    boxes.answer("确定", tries=1000)
    qtbot.waitUntil(lambda: not task.is_running() and boxes.titles[-1:] == ["已取消"], timeout=15000)
    assert type(outcomes.of(qtbot, task).error).__name__ == "Cancelled"
    assert card_service.list_cards(ctx).total == 0 and page.preview is None


def test_print_roster_of_the_search_result_opens_the_masked_preview(qtbot, ctx, page, outcomes):
    from tests.printing.pdfcheck import pdf_text, squeeze

    wang = _listed_wang(qtbot, page, ctx)
    assert page.roster_action in page.batch_button.menu().actions()
    page.roster_action.trigger()  # 批量 ▸ 打印花名册
    task = page.batch_task
    qtbot.waitUntil(lambda: page.preview is not None, timeout=15000)
    assert outcomes.of(qtbot, task).error is None
    preview = page.preview
    assert preview.entity == "members" and preview.audit_extra == {"filtered": True} and not preview.result.revealed
    text = squeeze(pdf_text(preview.result.pdf))
    assert "会员花名册" in text and f"搜索“王”找到的会员共{len(wang)}名" in text
    someone = member_service.get_member(ctx, wang[0])
    assert someone.name in text and someone.id_number not in text and someone.phone not in text
    assert preview.page_count() >= 1
    preview.close()


def test_batch_issue_without_the_card_code_asks_for_it_first(qtbot, ctx, page, boxes):
    from clerk_app.services import cards as card_service

    boxes.answer("取消")
    assert page.issue_cards_to_list() is None
    assert boxes.titles == ["尚未设置发卡代码"] and card_service.list_cards(ctx).total == 0


def test_data_copy_button_writes_the_members_pdf_and_audits_it(qtbot, ctx, page, tmp_path):
    assert not page.detail.data_copy_button.isEnabled()  # nobody chosen yet
    page.table.selectRow(0)
    assert page.detail.data_copy_button.isEnabled()
    member = page.detail.record
    out = tmp_path / "副本.pdf"
    result = page.detail.export_data_copy(str(out))
    assert out.read_bytes() == result.pdf and result.revealed
    assert "已保存" in page.detail.notice.text()
    page.detail.notice.close()
    action, entity_id = ctx.db.conn.execute(
        "SELECT action, entity_id FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    assert (action, entity_id) == ("access_copy", member.member.id)
