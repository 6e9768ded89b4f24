"""Starting the window: Qt in Chinese with the bundled font, the workspace, first run, crashes."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from .. import APP_NAME, APP_TITLE, __version__, paths
from ..domain.errors import NeedsRestore, UserError
from ..domain.messages import message
from ..storage.cipher import DatabaseError
from ..workspace import folder_state, open_workspace, restore_into, unlock_data
from . import crash, gc_policy, tasks
from .first_run import FirstRunDialog
from .login import LoginDialog, show_recovery_code
from .main_window import MainWindow, build_main_window

BASE_POINT_SIZE = 12.0  # a clerk reads this for hours at a folding table: generous, not tiny
CHINESE = QLocale(QLocale.Language.Chinese, QLocale.Country.China)

__all__ = ["run_gui", "build_main_window", "MainWindow", "prepare_application"]


class QtGaps(QTranslator):
    """The few strings of Qt's own dialogs that Qt's Chinese translation leaves in English
    (the file dialog's "Look in:" and "Files of type:", the print dialog's "Page Set:").
    Installed after Qt's translation, so it is asked first; anything else falls through."""

    STRINGS = {
        ("QFileDialog", "&Look in:"): "查找范围(&L)：",
        ("QFileDialog", "Look in:"): "查找范围：",
        ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
        ("QFileDialog", "Files of type:"): "文件类型：",
        ("QPrintSettingsOutput", "Page &Set:"): "打印页面(&S)：",
    }

    def translate(self, context, source, disambiguation=None, n=-1):  # noqa: D401 - Qt's signature
        return self.STRINGS.get((context, source))  # None is Qt's null string: "not mine, ask the next"

    def isEmpty(self) -> bool:
        return False


def install_translations(app: QApplication) -> list[QTranslator]:
    """Qt's own Chinese strings (确定/取消 on standard buttons, context menus, dialogs).

    Our resources/translations is tried first (a frozen build may ship a pruned copy), then
    Qt's translations folder. Returns the installed translators (keep them alive)."""
    QLocale.setDefault(CHINESE)
    installed = []
    for folder in (paths.resource("translations"), Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))):
        translator = QTranslator(app)
        if folder.is_dir() and translator.load(CHINESE, "qtbase", "_", str(folder)):
            app.installTranslator(translator)
            installed.append(translator)
            break
    gaps = QtGaps(app)
    app.installTranslator(gaps)
    installed.append(gaps)
    return installed


def install_font(app: QApplication, point_size: float = BASE_POINT_SIZE) -> str | None:
    """Make the bundled CJK font the application font; fall back to the system's if it is missing
    or unreadable. Returns the family used from the bundle, or None."""
    family = None
    font_file = paths.font_path()
    if font_file.is_file():
        font_id = QFontDatabase.addApplicationFont(str(font_file))
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        family = families[0] if families else None
    font = QFont(family) if family else QFont(app.font())
    font.setPointSizeF(point_size)
    app.setFont(font)
    return family


def prepare_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication, named, in Chinese, with the bundled font (idempotent)."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else [sys.argv[0]])
    if not app.property("clerk_prepared"):
        app.setApplicationName(APP_NAME)
        app.setApplicationVersion(__version__)
        app.setOrganizationName("GonghuiClerk")
        install_translations(app)  # parented to the app, so they stay alive
        install_font(app)
        gc_policy.install(app)  # the cycle collector runs on this thread only, on a timer
        tasks.runner()  # the one worker thread, for the application's lifetime
        app.setProperty("clerk_prepared", True)
    return app


def _refuse(message: str) -> int:
    QMessageBox.critical(None, APP_TITLE, message)
    return 1


def login_and_open(folder: Path, allow_empty: bool = False):
    """The workspace, after the clerk logged in (None: they cancelled). A new folder needs no
    login (the first-run dialog sets the first password); an old plaintext one asks for one.
    A missing or unreadable database raises :class:`NeedsRestore` carrying the clerk id and
    data key the typed password unwraps from keys.json (``unlocked``: the key opens the
    backups, the clerk id says who would restore one)."""
    state = folder_state(folder)
    if state.kind == "new":
        return open_workspace(folder, login=None, allow_empty=allow_empty)

    def attempt(login):
        try:
            return open_workspace(folder, login=login, allow_empty=allow_empty)
        except NeedsRestore as exc:
            exc.unlocked = unlock_data(folder, login)  # the backups' key; a wrong password is said here
            return exc

    if state.kind == "plaintext":
        dialog = LoginDialog(state.clerk_names, attempt,
                             title="设置密码", new_password=True,
                             intro="本机的数据将从此加密保存。请为经办人设置密码，以后每次打开都要输入。")
    else:
        dialog = LoginDialog(state.clerk_names, attempt)
    result = dialog.result_value if dialog.exec() == QDialog.DialogCode.Accepted else None
    if isinstance(result, NeedsRestore):
        raise result
    return result


def restore_with_message(folder: Path, backup, parent=None, *, unlocked=None, login=None) -> bool:
    """Restore ``backup`` (the workspace is closed; ``unlocked`` — the clerk id and data key —
    or ``login`` opens the backups; only a 管理员 may restore) and say what happened."""
    try:
        result = restore_into(folder, backup, unlocked=unlocked, login=login)
    except UserError as exc:
        QMessageBox.warning(parent, "未能恢复", exc.message)
        return False
    facts = result.facts
    QMessageBox.information(parent, "已从备份恢复", message(
        "backup.restored", name=backup.name, taken=backup.taken_text, members=facts.members, cards=facts.cards,
        events=facts.events, kept=str(result.kept) if result.kept else "（无）"))
    return True


def _unlock_for_restore(folder: Path) -> tuple[str | None, bytes] | None:
    """No clerk and the data key for the backups of a folder that needed no login (not set up):
    the key kept in keys.json until set-up (None: the backups will say they are unreadable)."""
    try:
        return unlock_data(folder, None)
    except UserError:
        return None


def ask_restore(folder: Path, exc: NeedsRestore, key: bytes | None):
    """The database is missing, empty or unreadable: offer the backups (opened with ``key``; or
    starting again when it is gone). Returns the chosen backup, ``"new"``, or None to quit."""
    from .restore_dialog import RestoreDialog

    dialog = RestoreDialog(folder, None, intro=exc.message, start_over=exc.code == "db.missing", key=key)
    result = dialog.exec()
    if result == RestoreDialog.START_OVER:
        return "new"
    return dialog.chosen if result == QDialog.DialogCode.Accepted else None


def run_gui(data_dir: str | Path | None = None) -> int:
    """Open the data folder and show the window. Returns the process exit code.

    Loops when the window asked for a restore (``MainWindow.pending_restore``): the window and
    the workspace are closed, the backup restored under the lock, and the folder opened again."""
    app = prepare_application()
    try:
        folder = paths.data_dir(data_dir)
    except OSError:
        return _refuse(UserError("app.data_dir_unusable", path=str(data_dir or "")).message)
    crash.install(folder)
    allow_empty = False
    while True:
        try:
            workspace = login_and_open(folder, allow_empty)
            if workspace is None:
                return 0
        except NeedsRestore as exc:  # not a new laptop: offer the backups
            unlocked = getattr(exc, "unlocked", None) or _unlock_for_restore(folder)
            choice = ask_restore(folder, exc, unlocked[1] if unlocked else None)
            if choice is None:
                return 1
            if choice == "new":
                allow_empty = True
            else:
                restore_with_message(folder, choice, unlocked=unlocked)
            continue
        except UserError as exc:  # another instance holds the lock, a newer database, not a database
            return _refuse(exc.message)
        except Exception as exc:  # noqa: BLE001 - a bug or a broken environment: log + crash dialog
            crash.report_bug(exc)
            return 1
        pending = None
        try:
            if workspace.recovery_code:  # an old plaintext database was just encrypted
                show_recovery_code(None, workspace.recovery_code)
            if not workspace.ready:
                first = FirstRunDialog(workspace)
                if first.exec() != QDialog.DialogCode.Accepted:
                    return 0
                show_recovery_code(None, workspace.recovery_code or "")
            key = workspace.key  # after set-up, which re-keys a new laptop's database
            unlocked = (workspace.clerk_id, key)
            try:
                window = build_main_window(workspace)
            except DatabaseError:
                if not workspace.read_only:
                    raise
                # Too damaged even to show its lists: the restore is the only way on.
                workspace.close()
                choice = ask_restore(folder, NeedsRestore("db.unreadable", folder, path=str(paths.db_path(folder))),
                                     key)
                if choice is None or choice == "new":
                    return 1
                restore_with_message(folder, choice, unlocked=unlocked)
                continue
            window.show()
            code = app.exec()
            pending = window.pending_restore
            unlocked = (window.ctx.clerk.id, key)  # who chose it (also after 切换经办人)
        except Exception as exc:  # noqa: BLE001 - a bug: log + crash dialog, never a bare traceback
            crash.report_bug(exc)
            return 1
        finally:
            workspace.close()
        if pending is None:
            return code
        restore_with_message(folder, pending, unlocked=unlocked)
