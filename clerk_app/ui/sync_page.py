"""同步 page: this computer's enrolment with the district (and its fingerprint), the last package
sent and received, what is waiting to be sent, and buttons to export a package to a folder (a
USB stick) and import the district's packages. Export and import run on the task runner with
a progress dialog; after an import every page reloads (the merge writes past the context's
list of touched tables, so the page announces all kinds of change itself)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QFileDialog, QFormLayout, QFrame, QScrollArea, QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout,
                               QWidget)

from ..domain.errors import UserError
from ..services import sync_packages, sync_site
from ..services.changes import Changes
from ..services.context import Context
from .changes import follow
from .tasks import context_job, run_with_progress, runner

PACKAGE_FILTER = "同步包 (*.ghsync)"
ENROL_FILTER = "登记文件 (*.enrol *.enrolment);;所有文件 (*)"


class SyncPage(QWidget):
    SHOWS = Changes(members=True, cards=True, events=True, attendance=True, unions=True)  # pending counts

    def __init__(self, ctx: Context):
        super().__init__()
        self.ctx = ctx
        self.last_task = None
        # In a scroll area: the page never makes the window taller than a 768-line screen.
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        content = QWidget()
        scroll.setWidget(content)
        outer.addWidget(scroll)
        layout = QVBoxLayout(content)
        title = QLabel("同步：与区总工会交换数据")
        title.setStyleSheet("font-size: 16px; font-weight: bold;")
        layout.addWidget(title)

        self.enrol_box = QGroupBox("登记状态")
        form = QFormLayout(self.enrol_box)
        self.role_label, self.site_label, self.fp_label = QLabel(), QLabel(), QLabel()
        self.district_label, self.district_fp_label, self.code_label = QLabel(), QLabel(), QLabel()
        for label in (self.site_label, self.fp_label, self.district_fp_label):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("本机角色：", self.role_label)
        form.addRow("站点号：", self.site_label)
        form.addRow("本机指纹：", self.fp_label)
        form.addRow("区总工会：", self.district_label)
        form.addRow("区总工会指纹：", self.district_fp_label)
        form.addRow("发卡代码：", self.code_label)
        buttons = QHBoxLayout()
        self.request_button = QPushButton("生成登记申请…")
        self.request_button.clicked.connect(self.choose_request_file)
        self.accept_button = QPushButton("接受登记文件…")
        self.accept_button.clicked.connect(self.choose_enrolment)
        buttons.addWidget(self.request_button)
        buttons.addWidget(self.accept_button)
        buttons.addStretch(1)
        form.addRow(buttons)
        layout.addWidget(self.enrol_box)

        self.sync_box = QGroupBox("同步包")
        sync_form = QFormLayout(self.sync_box)
        self.sent_label, self.received_label, self.pending_label = QLabel(), QLabel(), QLabel()
        self.missing_label, self.inbox_label = QLabel(), QLabel()
        for label in (self.sent_label, self.received_label, self.pending_label, self.missing_label, self.inbox_label):
            label.setWordWrap(True)
        sync_form.addRow("上次导出：", self.sent_label)
        sync_form.addRow("上次导入：", self.received_label)
        sync_form.addRow("待发送：", self.pending_label)
        sync_form.addRow("缺少的包：", self.missing_label)
        sync_form.addRow("待处理：", self.inbox_label)
        row = QHBoxLayout()
        self.export_button = QPushButton("导出同步包到文件夹（U 盘）…")
        self.export_button.clicked.connect(self.choose_export_folder)
        self.import_button = QPushButton("导入同步包…")
        self.import_button.clicked.connect(self.choose_packages)
        row.addWidget(self.export_button)
        row.addWidget(self.import_button)
        row.addStretch(1)
        sync_form.addRow(row)
        layout.addWidget(self.sync_box)

        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setObjectName("syncResult")
        layout.addWidget(self.result)
        layout.addStretch(1)
        follow(self, ctx, self.SHOWS)
        self.reload()

    # --- showing --------------------------------------------------------------------------
    def reload(self) -> None:
        st = sync_site.enrolment_status(self.ctx)
        district = st.role == sync_site.DISTRICT
        self.role_label.setText("区总工会" if district else "笔记本")
        self.site_label.setText(f"{st.site_id}（第 {st.epoch} 批）" if st.site_id else "尚未登记")
        self.fp_label.setText(st.fingerprint or "尚未生成（生成登记申请时生成）")
        self.district_label.setText(st.district or ("本机" if district else "尚未登记"))
        self.district_fp_label.setText(st.district_fingerprint or "—")
        self.code_label.setText(st.card_code or "—")
        self.request_button.setVisible(not district)
        self.accept_button.setVisible(not district)
        # Enrolled: a new request only after a restore from a backup (the enrolment must be renewed).
        again = not district and sync_site.restored_since_enrolment(self.ctx)
        self.accept_button.setEnabled(not st.district or again)
        self.request_button.setEnabled(not st.district or again)
        status = sync_packages.status(self.ctx)
        enrolled = bool(st.site_id)
        self.export_button.setEnabled(enrolled and bool(status.peers))
        self.import_button.setEnabled(enrolled)
        sent = [f"{p.name}：第 {p.last_sent.seq} 号，{p.last_sent.at[:16].replace('T', ' ')}"
                for p in status.peers if p.last_sent]
        got = [f"{p.name}：第 {p.last_received.seq} 号，{p.last_received.at[:16].replace('T', ' ')}"
               for p in status.peers if p.last_received]
        self.sent_label.setText("；".join(sent) or "还没有导出过")
        self.received_label.setText("；".join(got) or "还没有导入过")
        pending = [f"{p.name} {sum(p.pending.values())} 条记录" for p in status.peers]
        self.pending_label.setText("；".join(pending) or "—")
        missing = [f"{p.name} 第 {'、'.join(map(str, p.missing))} 号" for p in status.peers if p.missing]
        self.missing_label.setText("；".join(missing) or "无")
        inbox = f"冲突 {status.conflicts} 条，可能重复的人员 {status.duplicates} 对，警报 {status.alarms} 条"
        if status.clock_warning:
            inbox += "；注意：本机时钟可能不对，请检查电脑日期时间"
        self.inbox_label.setText(inbox)

    def _say(self, text: str, error: bool = False) -> None:
        self.result.setStyleSheet("color: #b00020;" if error else "color: #1b5e20;")
        self.result.setText(text)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            self._say(exc.message, error=True)
            self.reload()
            return
        if isinstance(exc, OSError):  # the USB stick went away, a folder without write access
            self._say(f"无法读写文件：{exc.filename or ''}（{exc.strerror or exc}），请检查 U 盘或文件夹后重试",
                      error=True)
            self.reload()
            return
        raise exc

    # --- enrolment ------------------------------------------------------------------------
    def choose_request_file(self) -> None:
        name = f"{self.ctx.laptop_name or '笔记本'}-登记申请.req"
        path, _ = QFileDialog.getSaveFileName(self, "保存登记申请", str(Path.home() / name), "登记申请 (*.req)")
        if path:
            self.write_request(Path(path))

    def write_request(self, path: Path) -> None:
        try:
            written, fp = sync_site.request_file(self.ctx, path)
        except UserError as exc:
            self._say(exc.message, error=True)
            return
        self._say(f"已生成登记申请：{written}\n请把它交给区总工会，并电话核对本机指纹：{fp}")
        self.reload()

    def choose_enrolment(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择区总工会签发的登记文件", str(Path.home()), ENROL_FILTER)
        if path:
            self.accept_file(Path(path))

    def accept_file(self, path: Path) -> None:
        try:
            got = sync_site.accept_enrolment(self.ctx, path.read_bytes())
        except (UserError, OSError) as exc:
            self._say(getattr(exc, "message", str(exc)), error=True)
            return
        self._say(f"已接受登记：所属工会 {got.union_name}，发卡代码 {got.card_code}。"
                  f"请电话核对区总工会指纹：{got.district_fingerprint}")
        self.reload()

    # --- packages -------------------------------------------------------------------------
    def choose_export_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择导出到的文件夹（U 盘）", str(Path.home()))
        if folder:
            self.export_to(Path(folder))

    def export_to(self, folder: Path):
        def job(ctx, progress, _cancel):
            return sync_packages.export_all(ctx, folder, progress=progress)

        def done(exported) -> None:
            files = "\n".join(str(e.path) for e in exported)
            self._say(f"已导出 {len(exported)} 个同步包：\n{files}")
            self.reload()

        self.last_task = run_with_progress(self, "正在导出同步包……", context_job(self.ctx, job),
                                           on_success=done, on_error=self._failed)
        return self.last_task

    def choose_packages(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "选择同步包", str(Path.home()), PACKAGE_FILTER)
        if paths:
            self.import_files([Path(p) for p in paths])

    def import_files(self, paths: list[Path]):
        def job(ctx, progress, _cancel):
            return sync_packages.import_all(ctx, paths, progress=progress)

        def done(imported) -> None:
            self._say("\n".join(i.message for i in imported))
            runner().announce(sync_packages.changes_after_import())
            self.reload()

        def failed(exc: BaseException) -> None:
            # Packages before the refused one are in (each is whole); show what is now there.
            runner().announce(sync_packages.changes_after_import())
            self._failed(exc)

        self.last_task = run_with_progress(self, "正在导入同步包……", context_job(self.ctx, job),
                                           on_success=done, on_error=failed)
        return self.last_task
