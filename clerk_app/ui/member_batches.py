"""Work on the members the members page lists (its search result, or everyone): 批量发卡 and
打印花名册. Both run in the background behind a cancellable progress dialog, on the worker's
own database connection, and end in the print preview."""

from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from ..domain.errors import UserError
from ..services import cards as card_service
from ..services import members as member_service
from ..services.context import Cancelled, Context
from . import crash
from .card_dialogs import ensure_card_prefix
from .feedback import ask_choice, run_modal
from .print_actions import preview_card_sheets, refuse_print
from .print_preview import PrintPreviewDialog, show_preview
from .tasks import Task, context_job, run_with_progress

SKIPPED_SHOWN = 2000  # lines of the skipped list in the message's details (the rest are counted)


def scope_text(query: str, count: int) -> str:
    return f"搜索“{query}”找到的 {count} 名会员" if query else f"全部 {count} 名会员"


def _failed(parent: QWidget | None, what: str) -> Callable[[BaseException], None]:
    def failed(exc: BaseException) -> None:
        if isinstance(exc, Cancelled):  # one class, whether a service or a print job was cancelled
            ask_choice(parent, "已取消", f"已取消{what}，没有保存任何内容。", ["确定"], icon=QMessageBox.Icon.Information)
        elif isinstance(exc, UserError):
            QMessageBox.warning(parent, f"未能{what}", exc.message)
        else:
            crash.report_bug(exc, parent)

    return failed


def issued_text(result: card_service.BatchIssueResult) -> str:
    issued = result.issued
    text = f"已发卡 {len(issued)} 张"
    if issued:
        text += f"（卡号 {issued[0].grouped_no} 至 {issued[-1].grouped_no}）"
    text += "。"
    if result.skipped:
        text += f"\n跳过 {len(result.skipped)} 名会员（原因见“显示详细信息”）。"
    return text


def skipped_details(result: card_service.BatchIssueResult) -> str:
    lines = [f"{s.name or s.member_id}：{s.reason}" for s in result.skipped[:SKIPPED_SHOWN]]
    if len(result.skipped) > SKIPPED_SHOWN:
        lines.append(f"……另有 {len(result.skipped) - SKIPPED_SHOWN} 名")
    return "\n".join(lines)


def issue_cards_for_list(parent: QWidget | None, ctx: Context, query: str, **kwargs) -> Task | None:
    """批量发卡 to the members the members page lists for ``query`` (everyone when empty)."""
    if not ensure_card_prefix(parent, ctx):
        return None
    query = query.strip()
    ids = member_service.listed_ids(ctx, query)
    return issue_cards_to_members(parent, ctx, ids, scope_text(query, len(ids)), prefix_checked=True, **kwargs)


def issue_cards_to_members(parent: QWidget | None, ctx: Context, ids: list[str], scope: str, *,
                           prefix_checked: bool = False,
                           on_issued: Callable[[card_service.BatchIssueResult], None] | None = None,
                           on_task: Callable[[Task], None] | None = None,
                           on_preview: Callable[[PrintPreviewDialog], None] | None = None) -> Task | None:
    """批量发卡 to ``ids`` (e.g. the members a roster import just saved, ``ImportResult.saved``):
    confirm the count, issue in the background (one transaction: a cancel issues none), list
    who was skipped and why, then offer the new cards' sheets in the preview. ``on_task`` is
    given the sheet-layout task when the clerk asks for the sheets."""
    if not prefix_checked and not ensure_card_prefix(parent, ctx):
        return None
    if not ids:
        QMessageBox.information(parent, "批量发卡", "列表中没有会员。")
        return None
    day = ctx.today()
    text = (f"为{scope}各发一张服务卡？\n\n发卡日期：{day.isoformat()}。\n"
            "已有有效服务卡或服务卡挂失未补换的会员、不在会的会员不发卡，完成后列出名单和原因。\n"
            "全部完成才保存；中途取消则一张也不发。")
    if ask_choice(parent, "批量发卡", text, [f"发卡（{len(ids)} 人）", "取消"]) != 0:
        return None

    def job(worker_ctx, progress, cancel):
        return card_service.issue_cards(worker_ctx, ids, day, progress, cancel)

    def done(result: card_service.BatchIssueResult) -> None:
        if on_issued is not None:
            on_issued(result)
        box = QMessageBox(QMessageBox.Icon.Information, "批量发卡完成",
                          issued_text(result) + ("\n\n现在打印新卡吗？" if result.issued else ""),
                          QMessageBox.StandardButton.NoButton, parent)
        if result.skipped:
            box.setDetailedText(skipped_details(result))
        choices = ["打印预览", "以后再说"] if result.issued else ["确定"]
        buttons = [box.addButton(label, QMessageBox.ButtonRole.ActionRole) for label in choices]
        box.setDefaultButton(buttons[0])
        box.setEscapeButton(buttons[-1])
        run_modal(box)
        if result.issued and box.clickedButton() is buttons[0]:
            task = preview_card_sheets(parent, ctx, result.issued, on_preview=on_preview)
            if task is not None and on_task is not None:
                on_task(task)

    return run_with_progress(parent, f"正在为 {len(ids)} 名会员发卡……",
                             context_job(ctx, job), on_success=done,
                             on_error=_failed(parent, "批量发卡"))


def preview_roster(parent: QWidget | None, ctx: Context, query: str, *,
                   on_preview: Callable[[PrintPreviewDialog], None] | None = None) -> Task | None:
    """打印花名册 of the listed members: laid out in the background, then the print preview
    (ID numbers and phones masked; the preview's print or save writes the audit entry)."""
    from ..services.documents import member_roster

    query = query.strip()
    count = len(member_service.listed_ids(ctx, query))
    if not count:
        refuse_print(parent, UserError("print.nothing"))
        return None

    def done(printout) -> None:
        dialog = show_preview(parent, ctx, printout)
        if on_preview is not None:
            on_preview(dialog)

    return run_with_progress(parent, f"正在排版{scope_text(query, count)}的花名册……",
                             context_job(ctx, lambda c, p, cancel: member_roster(c, query, p, cancel)),
                             on_success=done, on_error=_failed(parent, "排版花名册"))
