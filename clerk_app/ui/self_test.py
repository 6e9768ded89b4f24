"""``clerk-app --self-test``: does this installation open? For the bundle test, CI and support.

Starts the window offscreen (no display needed) on synthetic members in a new temporary data
folder (never the clerk's own, which is not even looked at), opens every page, a registration
dialog, the sign-in desk and the print preview of a service card, prints that card to a PDF file
through Qt's print path, then exits: 0 and one line per step, or 1 and the step that failed
with its traceback (the data is synthetic, so the full message is shown). A step that hangs
(a modal box nobody answers) ends the process with code 3 after ``TIMEOUT_S``.

This is where the libraries and plugins the app loads late are loaded: QtPdf and QtPdfWidgets
(with libQt6Network), the print support plugin, the bundled font and Qt's Chinese strings."""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import replace
from pathlib import Path
from typing import Callable

TIMEOUT_S = 120
FONT_FAMILY = "Noto Sans SC Clerk"


class SelfTestFailed(Exception):
    pass


def _check(ok: bool, what: str) -> None:
    if not ok:
        raise SelfTestFailed(what)


def _watchdog(seconds: float, state: dict) -> threading.Timer:
    def expire() -> None:
        sys.stderr.write(f"自检超时（{seconds:.0f} 秒）：卡在“{state['step']}”\n")
        sys.stderr.flush()
        os._exit(3)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    return timer


def run_self_test(timeout: float = TIMEOUT_S) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    state = {"step": "启动"}
    timer = _watchdog(timeout, state)
    errors: list[BaseException] = []
    previous_hook = sys.excepthook
    sys.excepthook = lambda _t, exc, _tb: errors.append(exc)  # an exception in a Qt slot
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="clerk-app-self-test-") as tmp:
            _steps(Path(tmp), state, errors)
    except BaseException as exc:  # noqa: BLE001 - report any failure, then exit non-zero
        sys.stdout.flush()
        sys.stderr.write(f"自检失败：{state['step']}：{type(exc).__name__}: {exc}\n")
        traceback.print_exception(exc, file=sys.stderr)
        return 1
    finally:
        timer.cancel()
        sys.excepthook = previous_hook
    print(f"自检通过（{time.perf_counter() - started:.1f} 秒）")
    return 0


def _steps(tmp: Path, state: dict, errors: list[BaseException]) -> None:
    def step(name: str, action: Callable[[], object]) -> object:
        state["step"] = name
        result = action()
        QApplication.processEvents()
        if errors:
            raise errors[0]
        print(f"  ✓ {name}", flush=True)
        return result

    state["step"] = "导入界面模块"
    from PySide6.QtGui import QFontInfo
    from PySide6.QtPrintSupport import QPrinter
    from PySide6.QtWidgets import QApplication, QDialogButtonBox

    from ..services import cards, events
    from ..services.demo import generate_members
    from ..services.setup import SetupInput
    from ..workspace import open_workspace
    from .app import build_main_window, prepare_application
    from .member_dialog import MemberDialog
    from .print_actions import preview_card
    from .print_preview import QPdfView
    from .signin_desk import open_desk

    app = step("启动 Qt（平台：%s）" % os.environ.get("QT_QPA_PLATFORM"), prepare_application)

    def chinese_and_font() -> None:
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        _check(box.button(QDialogButtonBox.StandardButton.Ok).text() == "确定", "Qt 的中文翻译没有载入")
        _check(QFontInfo(app.font()).family() == FONT_FAMILY, f"内置字体没有载入（{QFontInfo(app.font()).family()}）")

    step("中文界面和内置字体", chinese_and_font)

    ws = step("临时数据目录", lambda: open_workspace(tmp / "data"))
    try:
        ctx = ws.set_up(SetupInput(laptop_name="自检笔记本", union_name="自检镇总工会", clerk_name="自检经办人",
                                   password="self-test-only"))
        member_ids = step("生成演示会员", lambda: generate_members(ctx, 12, seed=7).saved)

        def issue() -> cards.Card:
            cards.set_card_prefix(ctx, "DX07")
            return cards.issue_card(ctx, member_ids[0])

        card = step("发服务卡", issue)
        form = replace(events.new_event_input(ctx), title="自检活动", venue="自检广场")
        event = step("新建活动", lambda: events.create_event(ctx, form))

        window = step("主窗口", lambda: build_main_window(ws))
        window.show()
        for row in range(window.nav.count()):
            step(f"页面：{window.nav.item(row).text()}", lambda r=row: window.nav.setCurrentRow(r))

        def registration() -> None:
            dialog = MemberDialog(ctx, parent=window)
            dialog.show()
            QApplication.processEvents()
            dialog.reject()
            dialog.deleteLater()

        step("入会登记对话框", registration)

        def desk() -> None:
            widget = open_desk(ctx, event.id, window)
            QApplication.processEvents()
            widget.close()

        step("签到台", desk)

        def preview() -> None:
            dialog = preview_card(window, ctx, card)
            _check(dialog is not None, "打印预览没有打开")
            QApplication.processEvents()
            _check(QPdfView is not None, "QtPdfWidgets 没有载入")
            _check(dialog.page_count() == 1, f"服务卡应为 1 页，实为 {dialog.page_count()} 页")
            printer = dialog.make_printer()  # loads the print support plugin
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            out = tmp / "card.pdf"
            printer.setOutputFileName(str(out))
            _check(dialog.print_to(printer) == 1, "服务卡没有打印出来")
            _check(out.is_file() and out.read_bytes().startswith(b"%PDF"), "打印出的 PDF 文件不对")
            dialog.close()

        step("服务卡打印预览并打印到 PDF", preview)
        step("同步包加密、签名与校验", _sync_package_round_trip)
        step("关闭主窗口", window.close)
    finally:
        ws.close()


def _sync_package_round_trip() -> None:
    """HPKE (cryptography's Rust part), Ed25519, cbor2's C extension and zstandard, frozen:
    a tiny package sealed for one key pair and opened with it, and a flipped byte refused."""
    from ..sync.container import open_package, seal_package
    from ..sync.errors import PackageRefused
    from ..sync.keys import KnownSender, SenderRegistry, SiteKeys

    laptop, district = SiteKeys.generate(), SiteKeys.generate()
    registry = SenderRegistry()
    registry.add(KnownSender("self-test-laptop", "自检笔记本", laptop.signing_public, laptop.encryption_public))
    to = KnownSender("self-test-district", "自检区", district.signing_public, district.encryption_public)
    changes = [{"tbl": "members", "hlc": "0000000000001-000000", "data": {"name": "自检"}}]
    data = seal_package(keys=laptop, sender="self-test-laptop", epoch=1, recipient=to, seq=1, changes=changes,
                        schema=1)
    got = open_package(data, me="self-test-district", keys=district, registry=registry)
    _check(got.changes == changes, "同步包解开后内容不一致")
    try:
        open_package(data[:-1] + bytes([data[-1] ^ 1]), me="self-test-district", keys=district, registry=registry)
    except PackageRefused as exc:
        _check(exc.reason == "damaged", f"损坏的同步包被判为 {exc.reason}")
    else:
        raise SelfTestFailed("损坏的同步包没有被拒绝")
