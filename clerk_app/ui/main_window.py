"""The main window: navigation on the left, one page at a time, counts in the status bar."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (QDialog, QHBoxLayout, QInputDialog, QLabel, QListWidget, QMainWindow, QMessageBox,
                               QStackedWidget, QVBoxLayout, QWidget)

from .. import APP_TITLE, __version__, paths
from ..domain.errors import UserError
from ..services import members as member_service
from ..services.clock_check import clock_warning
from ..services.context import Context
from ..workspace import Workspace
from . import backup_actions, crash
from ..services.audit_trail import ChainCheck
from .audit_check import check_in_background
from .pages import PAGES, PageSpec, shown_pages
from .tasks import Task, context_job, run_with_progress, runner
from .screen_fit import fit_to_screen

SETTINGS_FILE = "window.ini"
DEMO_DEFAULT, DEMO_MAX = 300, 200_000


class MainWindow(QMainWindow):
    def __init__(self, workspace: Workspace, ctx: Context, pages: list[PageSpec] | None = None):
        super().__init__()
        self.workspace = workspace
        self.ctx = ctx
        self.task: Task | None = None
        self.runner = runner()
        self.runner.watch(ctx)  # writes made here are announced like a worker's (data_changed)
        self.setWindowTitle(f"{APP_TITLE} — {ctx.laptop_name}")
        self.settings = QSettings(str(workspace.folder / SETTINGS_FILE), QSettings.Format.IniFormat)

        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setStyleSheet("QListWidget#nav::item { padding: 10px 8px; }")
        self.nav.setFixedWidth(self.fontMetrics().horizontalAdvance("国" * 6) + 32)
        self.stack = QStackedWidget()
        self.counter: QWidget | None = None  # the page that counts members anyway (会员)
        specs = list(shown_pages(ctx, pages if pages is not None else PAGES))
        for spec in specs:
            self.stack.addWidget(QWidget())  # a stand-in until the page is first shown
            self.nav.addItem(spec.title)
        # Pages are built when first shown or asked for: the window opens on the first one
        # without importing the others (cards, events, print preview ... load on first use).
        self.pages = LazyPages(specs, self._build_page)
        self.runner.data_changed.connect(self._data_changed)
        self.nav.currentRowChanged.connect(self._show_page)
        self.nav.setCurrentRow(0)

        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(6, 6, 6, 6)
        self.banner = None
        if workspace.read_only:  # damaged: never written further; the way out is a restore
            self.banner = backup_actions.damage_banner(self, lambda: self.open_restore())
            outer.addWidget(self.banner)
        if workspace.health.stray_notice():  # a WAL that did not belong was set aside at start
            outer.addWidget(backup_actions.notice_banner(workspace.health.stray_notice()))
        self.clock_banner = None
        skew = clock_warning(ctx)
        if skew:  # the last record is stamped more than a day after this computer's clock
            self.clock_banner = backup_actions.notice_banner(skew)
            outer.addWidget(self.clock_banner)
        layout = QHBoxLayout()
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        outer.addLayout(layout, 1)
        self.setCentralWidget(central)
        self.pending_restore = None  # a backup chosen in 从备份恢复…: run_gui restores it and reopens
        self.daily_backup = backup_actions.DailyBackup(self)

        self.member_count = QLabel()
        for label in (self.member_count, QLabel(f"本机：{ctx.laptop_name}"), QLabel(f"经办人：{ctx.clerk.name}")):
            label.setContentsMargins(12, 0, 12, 0)
            self.statusBar().addPermanentWidget(label)
        self._build_menus()
        if self.counter is not None and self.counter.total is not None:
            self.show_count(self.counter.total)
        else:
            self.update_status()
        self._restore_geometry()
        self.audit_box = None
        self.audit_check: ChainCheck | None = None  # known once the background check is done
        check_in_background(self, ctx, self.runner, self._audit_checked)
        from .idle_lock import DEFAULT_IDLE_MINUTES, IdleLock

        minutes = self.settings.value("security/idle_minutes", DEFAULT_IDLE_MINUTES)
        try:
            minutes = max(0.0, float(minutes))
        except (TypeError, ValueError):
            minutes = DEFAULT_IDLE_MINUTES
        self.idle_lock = IdleLock(self, workspace, int(minutes * 60_000))

    def _audit_checked(self, check: ChainCheck) -> None:
        self.audit_check = check

    def _build_page(self, index: int, spec: PageSpec) -> QWidget:
        widget = spec.factory(self.ctx, self)
        stand_in = self.stack.widget(index)
        current = self.stack.currentIndex()
        self.stack.insertWidget(index, widget)
        self.stack.removeWidget(stand_in)
        stand_in.deleteLater()
        if current == index:
            self.stack.setCurrentIndex(index)
        if hasattr(widget, "counted"):  # its figure, not a second count of 200,000 rows
            widget.counted.connect(self.show_count)
            self.counter = widget
        return widget

    def _show_page(self, row: int) -> None:
        if 0 <= row < len(self.pages):
            self.pages.at(row)  # built now if this is its first showing
        self.stack.setCurrentIndex(row)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("文件(&F)")
        self.import_action = QAction("导入花名册…", self)
        self.import_action.triggered.connect(self.import_roster)
        file_menu.addAction(self.import_action)
        self.export_action = QAction("导出会员名单…", self)
        self.export_action.triggered.connect(lambda: self.export_members())
        file_menu.addAction(self.export_action)
        file_menu.addSeparator()
        self.blank_form_action = QAction("打印空白登记表…", self)
        self.blank_form_action.triggered.connect(lambda: self.print_blank_form())
        file_menu.addAction(self.blank_form_action)
        file_menu.addSeparator()
        self.backup_action = QAction("立即备份", self)
        self.backup_action.triggered.connect(lambda: backup_actions.backup_now(self))
        self.backup_action.setEnabled(not self.workspace.read_only)
        file_menu.addAction(self.backup_action)
        self.restore_action = QAction("从备份恢复…", self)
        self.restore_action.triggered.connect(lambda: self.open_restore())
        file_menu.addAction(self.restore_action)
        self.check_action = QAction("检查数据库", self)
        self.check_action.triggered.connect(lambda: backup_actions.check_database(self))
        file_menu.addAction(self.check_action)
        file_menu.addSeparator()
        self.demo_action = QAction("生成演示数据…", self)
        self.demo_action.triggered.connect(self.ask_demo_data)
        file_menu.addAction(self.demo_action)
        file_menu.addSeparator()
        self.switch_action = QAction("切换经办人…", self)
        self.switch_action.setShortcut(QKeySequence("Ctrl+L"))
        self.switch_action.triggered.connect(lambda: self.switch_clerk())
        file_menu.addAction(self.switch_action)
        self.lock_action = QAction("锁定", self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+Shift+L"))
        self.lock_action.triggered.connect(lambda: self.idle_lock.lock())
        file_menu.addAction(self.lock_action)
        quit_action = QAction("退出", self)
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        settings_menu = self.menuBar().addMenu("设置(&S)")
        self.settings_action = QAction("本机设置…", self)
        self.settings_action.triggered.connect(lambda: self.open_settings())
        settings_menu.addAction(self.settings_action)
        self.clerks_action = QAction("经办人…", self)
        self.clerks_action.triggered.connect(lambda: self.open_clerks())
        settings_menu.addAction(self.clerks_action)
        self.audit_action = QAction("校验审计记录", self)
        self.audit_action.triggered.connect(self.verify_audit)
        settings_menu.addAction(self.audit_action)
        self.second_folder_action = QAction("第二备份位置…", self)
        self.second_folder_action.triggered.connect(lambda: backup_actions.choose_second_folder(self))
        settings_menu.addAction(self.second_folder_action)
        help_menu = self.menuBar().addMenu("帮助(&H)")
        self.help_action = QAction("本页帮助", self)
        self.help_action.setShortcut(QKeySequence("F1"))
        self.help_action.triggered.connect(self.show_page_help)
        help_menu.addAction(self.help_action)
        about = QAction("关于", self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    # --- status ---------------------------------------------------------------------------
    def update_status(self) -> None:
        self.show_count(member_service.count(self.ctx))

    def show_count(self, total: int) -> None:
        self.member_count.setText(f"会员 {total} 名")

    def _data_changed(self, changes) -> None:
        # Each page reloads what it shows by itself (ui/changes.py); the status bar's count
        # comes from the members page when there is one.
        if changes.members and self.counter is None:
            self.update_status()

    def show_page_help(self):
        """F1: the guide to the page on screen."""
        from .help import TOPICS, show_help

        keys = list(self.pages)
        row = self.nav.currentRow()
        key = keys[row] if 0 <= row < len(keys) else "members"
        return show_help(self, key if key in TOPICS else "members")

    def show_about(self) -> None:
        QMessageBox.about(self, "关于", f"<h3>{APP_TITLE}</h3><p>版本 {__version__}</p>"
                          "<p>离线使用的工会基层工作台：会员登记、服务卡、活动签到。</p>"
                          f"<p>数据目录：{self.workspace.folder}</p>")

    # --- rosters ----------------------------------------------------------------------------
    def import_roster(self):
        """Open the import wizard (window-modal); pages reload when its members are saved."""
        from .roster_import_wizard import RosterImportWizard

        wizard = RosterImportWizard(self.ctx, paths.db_path(self.workspace.folder), self)
        wizard.finished.connect(wizard.deleteLater)
        self.import_wizard = wizard
        wizard.open()
        return wizard

    def export_members(self, query: str = ""):
        """Export the member list (``query``: the members page's search) to .xlsx."""
        from .roster_export import ExportDialog

        dialog = ExportDialog(self.ctx, query, self)
        dialog.finished.connect(dialog.deleteLater)
        self.export_dialog = dialog
        dialog.open()
        return dialog

    # --- backups ------------------------------------------------------------------------------
    def open_restore(self):
        """从备份恢复…: list the backups; a confirmed choice closes the window and run_gui
        restores it (the database cannot be replaced while this window has it open). A 管理员
        only: anyone else is told so and sees no list."""
        from .restore_dialog import RestoreDialog

        if not backup_actions.may_manage_backups(self, "从备份恢复"):
            return None
        dialog = RestoreDialog(self.workspace.folder, self, key=self.workspace.key)
        dialog.finished.connect(lambda result: self._restore_chosen(dialog, result))
        self.restore_dialog = dialog
        dialog.open()
        return dialog

    def _restore_chosen(self, dialog, result) -> None:
        if result == QDialog.DialogCode.Accepted and dialog.chosen is not None:
            self.pending_restore = dialog.chosen
            self.close()
        dialog.deleteLater()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.daily_backup.start()

    def hideEvent(self, event) -> None:
        self.daily_backup.stop()
        super().hideEvent(event)

    # --- settings and blank forms -------------------------------------------------------------
    def open_settings(self):
        """本机设置 (the laptop's card code); window-modal, returns the dialog."""
        from .settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.ctx, self)
        dialog.finished.connect(dialog.deleteLater)
        self.settings_dialog = dialog
        dialog.open()
        return dialog

    def verify_audit(self):
        """设置 → 校验审计记录: every entry and the anchor; the result either way."""
        from ..services import audit_trail
        from .audit_check import show_result

        self.audit_box = show_result(self, audit_trail.verify(self.ctx.db), audit_trail.anchor(self.ctx.db))
        return self.audit_box

    def print_blank_form(self):
        """打印空白登记表: the 入会申请书 and 登记表 to fill in by hand (preview, then print)."""
        from .print_actions import preview_registration_form

        return preview_registration_form(self, self.ctx, None)

    # --- demo data --------------------------------------------------------------------------
    def ask_demo_data(self) -> None:
        count, ok = QInputDialog.getInt(self, "生成演示数据", "生成多少名演示会员（合成数据，非真实个人信息）：",
                                        DEMO_DEFAULT, 1, DEMO_MAX, 100)
        if ok:
            self.generate_demo(count)

    def generate_demo(self, count: int, seed: int | None = None) -> Task:
        """Generate ``count`` synthetic members on a worker thread behind a cancellable dialog."""
        from ..services.demo import generate_members

        seed = random.randrange(1 << 31) if seed is None else seed

        def job(ctx, progress, cancel):
            return generate_members(ctx, count, seed=seed, progress=progress, cancel=cancel)

        self.task = run_with_progress(self, f"正在生成 {count} 名演示会员……",
                                      context_job(self.ctx, job),
                                      on_success=self._demo_done, on_error=self._task_failed)
        return self.task

    def _demo_done(self, result) -> None:
        self.statusBar().showMessage(f"已生成 {len(result.saved)} 名演示会员", 8000)

    def _task_failed(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            QMessageBox.warning(self, "未能完成", exc.message)
        else:
            crash.report_bug(exc, self)

    # --- clerks ----------------------------------------------------------------------------
    def open_clerks(self):
        from .clerks_dialog import ClerksDialog

        dialog = ClerksDialog(self.workspace, self.ctx, self)
        dialog.open()
        return dialog

    def switch_clerk(self, dialog_hook=None) -> "MainWindow | None":
        """Another clerk logs in: the window reopens as them (every page with their context).
        ``dialog_hook`` lets a test drive the dialog before it runs."""
        from .login import LoginDialog

        names = [name for _cid, name in self.workspace.keyring.clerk_names()]
        dialog = LoginDialog(names, self.workspace.switch, title="切换经办人",
                             intro="交给另一位经办人：请选择姓名并输入其密码。", parent=self)
        if dialog_hook is not None:
            dialog_hook(dialog)
        if dialog.exec() != dialog.DialogCode.Accepted:
            return None
        self.next_window = MainWindow(self.workspace, dialog.result_value)
        self.next_window.show()
        self.close()
        return self.next_window

    # --- geometry ---------------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        geometry = self.settings.value("main/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            fit_to_screen(self, 1366, 800)
        state = self.settings.value("main/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.idle_lock.stop()
        self.daily_backup.stop()
        if self.task is not None and self.task.is_running():
            self.task.cancel()
            self.task.wait(10)
        self.runner.release_database()  # the worker's connection closes with the window
        self.settings.setValue("main/geometry", self.saveGeometry())
        self.settings.setValue("main/state", self.saveState())
        self.settings.sync()
        super().closeEvent(event)


class LazyPages(Mapping[str, QWidget]):
    """The window's pages by key, in navigation order; each is built by ``build(index, spec)``
    the first time it is shown or looked up (``"cards" in pages`` and ``list(pages)`` build
    nothing)."""

    def __init__(self, specs: list[PageSpec], build: Callable[[int, PageSpec], QWidget]):
        self._specs = specs
        self._index = {spec.key: i for i, spec in enumerate(specs)}
        self._build = build
        self._built: dict[str, QWidget] = {}

    def at(self, index: int) -> QWidget:
        return self[self._specs[index].key]

    def built(self) -> dict[str, QWidget]:
        """The pages built so far."""
        return dict(self._built)

    def __getitem__(self, key: str) -> QWidget:
        if key not in self._built:
            i = self._index[key]  # KeyError for a page that does not exist
            self._built[key] = self._build(i, self._specs[i])
        return self._built[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._specs)

    def __contains__(self, key: object) -> bool:
        return key in self._index


def build_main_window(workspace: Workspace) -> MainWindow:
    """The window for a set-up workspace (what ``run_gui`` shows; timed by the benchmarks)."""
    return MainWindow(workspace, workspace.context())
