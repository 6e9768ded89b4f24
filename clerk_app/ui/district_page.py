"""区级汇总 page (district mode only): the laptops with their last package, gaps and revocation;
the conflict inbox, where a person keeps one value or the other (the decision travels back
down as a change record); duplicate persons side by side with 合并 / 不是同一人; and the sync
log of packages imported, sent and refused.

Everything is read by :func:`services.sync_district.district_view` on the task runner and
every decision runs there too; the page reloads when sync, member, card or sign-in data
changes (ui.changes.follow). Deciding needs a 负责人 or 管理员 (services.access): for a 经办人
the buttons are off and say why."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QFormLayout, QGroupBox, QHBoxLayout, QInputDialog, QLabel, QMessageBox,
                               QPushButton, QSplitter, QTabWidget, QVBoxLayout, QWidget)

from ..domain.errors import UserError
from ..services import access, person_merge, sync_district
from ..services.changes import Changes
from ..services.context import Context
from ..services.sync_packages import iso_day
from .changes import follow
from .rows_model import RowsModel, row_table
from .tasks import context_job, runner

ERROR_STYLE, OK_STYLE = "color: #b00020;", "color: #1b5e20;"


def _short(stamp: str) -> str:
    return stamp[:16].replace("T", " ") if stamp else ""


class LaptopsModel(RowsModel):
    headers = ("笔记本", "所属工会", "发卡代码", "上次收到的包", "缺少的包", "待发给它", "状态")
    COL_NAME, COL_UNION, COL_CODE, COL_LAST, COL_MISSING, COL_PENDING, COL_STATE = range(7)

    def _display(self, row: sync_district.LaptopRow, col: int) -> str:
        if col == self.COL_NAME:
            return row.name
        if col == self.COL_UNION:
            return row.union
        if col == self.COL_CODE:
            return row.card_code
        if col == self.COL_LAST:
            return f"第 {row.last_seq} 号（{_short(row.last_at)}）" if row.last_seq else "还没有收到"
        if col == self.COL_MISSING:
            return f"第 {'、'.join(map(str, row.missing))} 号" if row.missing else "无"
        if col == self.COL_PENDING:
            return f"{row.pending} 条"
        return "已停用" if row.revoked else "使用中"

    def _extra(self, row, col, role):
        if role == Qt.ItemDataRole.ForegroundRole and (
                (col == self.COL_MISSING and row.missing) or (col == self.COL_STATE and row.revoked)):
            return QColor("#b00020")
        return None


class InboxModel(RowsModel):
    headers = ("记录与项目", "现值", "另一值", "发现时间")
    COL_WHAT, COL_CURRENT, COL_OTHER, COL_FOUND = range(4)

    def _display(self, row: sync_district.InboxRow, col: int) -> str:
        if col == self.COL_WHAT:
            return row.what
        side = row.current if col == self.COL_CURRENT else row.other if col == self.COL_OTHER else None
        if col in (self.COL_CURRENT, self.COL_OTHER):
            return f"{side.value}（{side.laptop}）" if side else "—"
        return _short(row.found_at)


class DuplicatesModel(RowsModel):
    headers = ("身份证号码", "保留的记录", "并入的记录", "登记的电脑", "服务卡")
    COL_ID, COL_KEEP, COL_DROP, COL_LAPTOPS, COL_CARDS = range(5)

    def _display(self, row: sync_district.DuplicateRow, col: int) -> str:
        if col == self.COL_ID:
            return row.masked_id
        if col == self.COL_KEEP:
            return row.names[0]
        if col == self.COL_DROP:
            return row.names[1]
        if col == self.COL_LAPTOPS:
            return " / ".join(row.laptops)
        return " / ".join(row.cards)


class LogModel(RowsModel):
    headers = ("时间", "动作", "笔记本", "包号", "说明")
    COL_AT, COL_WHAT, COL_LAPTOP, COL_SEQ, COL_DETAIL = range(5)

    def _display(self, row: sync_district.LogRow, col: int) -> str:
        if col == self.COL_AT:
            return _short(row.at)
        if col == self.COL_WHAT:
            return row.direction
        if col == self.COL_LAPTOP:
            return row.laptop
        if col == self.COL_SEQ:
            return f"第 {row.seq} 号" if row.seq else "—"
        return row.detail

    def _extra(self, row, col, role):
        if role == Qt.ItemDataRole.ForegroundRole and row.refused:
            return QColor("#b00020")
        return None


def _side_box(title: str) -> tuple[QGroupBox, dict[str, QLabel]]:
    box = QGroupBox(title)
    form = QFormLayout(box)
    labels = {}
    for key, text in (("value", "值："), ("laptop", "电脑："), ("stamp", "修改时间：")):
        labels[key] = QLabel()
        labels[key].setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(text, labels[key])
    return box, labels


class DistrictPage(QWidget):
    SHOWS = Changes(sync=True, members=True, cards=True, attendance=True, unions=True)

    def __init__(self, ctx: Context):
        super().__init__()
        self.ctx = ctx
        self.view: sync_district.DistrictView | None = None
        self.last_task = None
        self.may_decide = access.allowed(ctx, "resolve_conflicts")
        self.may_merge = access.allowed(ctx, "merge_persons")
        layout = QVBoxLayout(self)
        title = QLabel("区级汇总：各笔记本的同步、冲突与重复人员")
        title.setStyleSheet("font-size: 16px; font-weight: bold;")
        layout.addWidget(title)
        self.summary = QLabel("正在读取……")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setObjectName("districtResult")
        layout.addWidget(self.result)

        self.laptops = LaptopsModel(self)
        self.laptops_view = row_table(self.laptops, {0: (7, 0), 1: (8, 0), 2: (4, 2), 3: (4, 18), 4: (6, 0),
                                                     5: (3, 4)})
        self.tabs.addTab(self.laptops_view, "笔记本")
        self.tabs.addTab(self._inbox_tab(), "冲突收件箱")
        self.tabs.addTab(self._duplicates_tab(), "重复人员")
        self.log = LogModel(self)
        self.log_view = row_table(self.log, {0: (0, 16), 1: (2, 0), 2: (7, 0), 3: (3, 2)})
        self.tabs.addTab(self.log_view, "同步日志")
        follow(self, ctx, self.SHOWS)
        self.reload()

    # --- building ---------------------------------------------------------------------------
    def _inbox_tab(self) -> QWidget:
        split = QSplitter(Qt.Orientation.Vertical)
        self.inbox = InboxModel(self)
        self.inbox_view = row_table(self.inbox, {0: (18, 0), 1: (12, 0), 2: (12, 0)})
        self.inbox_view.selectionModel().currentRowChanged.connect(lambda *_: self.show_conflict())
        split.addWidget(self.inbox_view)
        detail = QWidget()
        d = QVBoxLayout(detail)
        d.setContentsMargins(0, 0, 0, 0)
        self.conflict_title = QLabel("请在上面的列表中选择一条")
        self.conflict_title.setWordWrap(True)
        d.addWidget(self.conflict_title)
        sides = QHBoxLayout()
        self.current_box, self.current_labels = _side_box("现值（全区目前生效）")
        self.other_box, self.other_labels = _side_box("另一值")
        sides.addWidget(self.current_box)
        sides.addWidget(self.other_box)
        d.addLayout(sides)
        self.conflict_hint = QLabel()
        self.conflict_hint.setWordWrap(True)
        d.addWidget(self.conflict_hint)
        self.keep_mine_button = QPushButton("保留现值")
        self.keep_mine_button.clicked.connect(lambda: self.resolve(sync_district.MINE))
        self.keep_theirs_button = QPushButton("改用另一值")
        self.keep_theirs_button.clicked.connect(lambda: self.resolve(sync_district.THEIRS))
        self.new_value_button = QPushButton("填写更正后的值…")
        self.new_value_button.clicked.connect(self.ask_value)
        self.handled_button = QPushButton("标记为已处理")
        self.handled_button.clicked.connect(lambda: self.resolve(sync_district.MINE))
        _decision_row(d, (self.keep_mine_button, self.keep_theirs_button, self.new_value_button,
                          self.handled_button), allowed=self.may_decide)
        return _list_over_detail(split, detail)

    def _duplicates_tab(self) -> QWidget:
        split = QSplitter(Qt.Orientation.Vertical)
        self.duplicates = DuplicatesModel(self)
        self.duplicates_view = row_table(self.duplicates, {0: (0, 20), 1: (5, 0), 2: (5, 0), 3: (14, 0)})
        self.duplicates_view.selectionModel().currentRowChanged.connect(lambda *_: self.show_pair())
        split.addWidget(self.duplicates_view)
        detail = QWidget()
        d = QVBoxLayout(detail)
        d.setContentsMargins(0, 0, 0, 0)
        sides = QHBoxLayout()
        self.keep_box, self.keep_labels = self._person_box("保留的记录（先登记的）")
        self.drop_box, self.drop_labels = self._person_box("并入的记录")
        sides.addWidget(self.keep_box)
        sides.addWidget(self.drop_box)
        d.addLayout(sides)
        self.merge_button = QPushButton("合并为同一人")
        self.merge_button.clicked.connect(self.merge_pair)
        self.distinct_button = QPushButton("不是同一人")
        self.distinct_button.clicked.connect(self.mark_distinct)
        _decision_row(d, (self.merge_button, self.distinct_button), allowed=self.may_merge)
        return _list_over_detail(split, detail)

    @staticmethod
    def _person_box(title: str) -> tuple[QGroupBox, dict[str, QLabel]]:
        box = QGroupBox(title)
        form = QFormLayout(box)
        labels = {}
        for key, text in (("name", "姓名："), ("id", "身份证号码："), ("laptop", "登记的电脑："), ("cards", "服务卡："),
                          ("registered", "登记日期：")):
            labels[key] = QLabel()
            form.addRow(text, labels[key])
        return box, labels

    # --- showing --------------------------------------------------------------------------
    def reload(self):
        """Read the view on the task runner; the lists are filled when it arrives."""
        self.last_task = runner().submit(context_job(self.ctx, lambda ctx, _p, _c: sync_district.district_view(ctx)),
                                         on_success=self.show_view, on_error=self._failed, owner=self)
        return self.last_task

    def show_view(self, view: sync_district.DistrictView) -> None:
        self.view = view
        keep_conflict = self._selected(self.inbox_view, self.inbox)
        keep_pair = self._selected(self.duplicates_view, self.duplicates)
        self.laptops.set_rows(view.laptops)
        self.inbox.set_rows(view.inbox)
        self.duplicates.set_rows(view.duplicates)
        self.log.set_rows(view.log)
        gaps = sum(1 for r in view.laptops if r.missing)
        text = (f"笔记本 {len(view.laptops)} 台（缺包 {gaps} 台）· 待处理冲突 {len(view.inbox)} 条 · "
                f"可能重复的人员 {len(view.duplicates)} 对 · 警报 {view.alarms} 条")
        if view.duplicate_sign_ins:
            text += f" · 重复签到 {view.duplicate_sign_ins} 次（已只计最早一次，无需处理）"
        self.summary.setText(text)
        self.summary.setStyleSheet(ERROR_STYLE if view.alarms else "")
        self.tabs.setTabText(1, f"冲突收件箱（{len(view.inbox)}）")
        self.tabs.setTabText(2, f"重复人员（{len(view.duplicates)}）")
        self._reselect(self.inbox_view, self.inbox, keep_conflict)
        self._reselect(self.duplicates_view, self.duplicates, keep_pair)
        self.show_conflict()
        self.show_pair()

    @staticmethod
    def _selected(view, model):
        index = view.selectionModel().currentIndex()
        row = model.row_at(index.row()) if index.isValid() else None
        return row.id if row is not None else None

    @staticmethod
    def _reselect(view, model, row_id) -> None:
        row = model.row_of(row_id) if row_id is not None else -1
        if row < 0 and model.rowCount() > 0:
            row = 0
        if row >= 0:
            view.selectRow(row)

    def current_conflict(self) -> sync_district.InboxRow | None:
        index = self.inbox_view.selectionModel().currentIndex()
        return self.inbox.row_at(index.row()) if index.isValid() else None

    def current_pair(self) -> sync_district.DuplicateRow | None:
        index = self.duplicates_view.selectionModel().currentIndex()
        return self.duplicates.row_at(index.row()) if index.isValid() else None

    def show_conflict(self) -> None:
        row = self.current_conflict()
        field = row is not None and row.current is not None
        self.current_box.setVisible(field)
        self.other_box.setVisible(field)
        self.conflict_title.setText(row.what if row else "没有待处理的冲突" if not self.inbox.rowCount()
                                    else "请在上面的列表中选择一条")
        self.conflict_hint.setText(row.hint if row else "")
        if field:
            for labels, side in ((self.current_labels, row.current), (self.other_labels, row.other)):
                labels["value"].setText(side.value)
                labels["laptop"].setText(side.laptop)
                labels["stamp"].setText(side.stamp)
        decidable = row is not None and row.id >= 0 and self.may_decide
        self.keep_mine_button.setVisible(field)
        self.keep_theirs_button.setVisible(field)
        self.new_value_button.setVisible(field)
        self.handled_button.setVisible(not field)
        self.keep_mine_button.setEnabled(decidable)
        self.keep_theirs_button.setEnabled(decidable and row.can_take_other)
        self.new_value_button.setEnabled(decidable and row.can_take_other)
        self.handled_button.setEnabled(decidable)

    def show_pair(self) -> None:
        row = self.current_pair()
        for i, labels in enumerate((self.keep_labels, self.drop_labels)):
            labels["name"].setText(row.names[i] if row else "")
            labels["id"].setText(row.masked_id if row else "")
            labels["laptop"].setText(row.laptops[i] if row else "")
            labels["cards"].setText(row.cards[i] if row else "")
            labels["registered"].setText(iso_day(row.registered[i]) if row else "")
        self.merge_button.setEnabled(row is not None and self.may_merge)
        self.distinct_button.setEnabled(row is not None and self.may_merge)

    def _say(self, text: str, error: bool = False) -> None:
        self.result.setStyleSheet(ERROR_STYLE if error else OK_STYLE)
        self.result.setText(text)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            self._say(exc.message, error=True)
            return
        raise exc

    # --- deciding -------------------------------------------------------------------------
    def _run(self, job, done):
        self.last_task = runner().submit(context_job(self.ctx, job), on_success=done, on_error=self._failed,
                                         owner=self)
        return self.last_task

    def resolve(self, keep: str):
        row = self.current_conflict()
        if row is None or row.id < 0:
            return None
        conflict_id = row.id

        def done(got: sync_district.Resolved) -> None:
            self._say(f"已处理：{row.what} 保留“{got.value}”，将随同步包发回各笔记本" if got.recorded
                      else f"已标记为已处理：{row.what}")

        return self._run(lambda ctx, _p, _c: sync_district.resolve_conflict(ctx, conflict_id, keep), done)

    def ask_value(self):
        row = self.current_conflict()
        if row is None:
            return None
        text, ok = QInputDialog.getText(self, "填写更正后的值", f"{row.what}\n更正后的值：")
        if ok and text.strip():
            return self.resolve(text.strip())
        return None

    def merge_pair(self, confirm: bool = True):
        row = self.current_pair()
        if row is None:
            return None
        if confirm and QMessageBox.question(
                self, "合并为同一人",
                f"把“{row.names[1]}”（{row.laptops[1]}）并入“{row.names[0]}”（{row.laptops[0]}）？\n"
                "服务卡、签到、会籍历史都转到保留的记录，合并会随同步包发回各笔记本。") \
                != QMessageBox.StandardButton.Yes:
            return None

        def done(got: person_merge.MergeResult) -> None:
            text = f"已合并：{row.names[1]} 并入 {row.names[0]}"
            if len(got.active_cards) > 1:
                text += f"；现有 {len(got.active_cards)} 张有效卡，已列入冲突收件箱，请决定保留哪一张"
            self._say(text)

        keep, drop = row.keep_id, row.drop_id
        return self._run(lambda ctx, _p, _c: person_merge.merge_persons(ctx, keep, drop), done)

    def mark_distinct(self):
        row = self.current_pair()
        if row is None:
            return None
        a, b = row.keep_id, row.drop_id
        return self._run(lambda ctx, _p, _c: person_merge.not_same_person(ctx, a, b),
                         lambda _none: self._say(f"已确认不是同一人：{row.names[0]} / {row.names[1]}"))


def _decision_row(layout: QVBoxLayout, buttons: tuple[QPushButton, ...], *, allowed: bool) -> None:
    """A row of decision buttons under a detail; a clerk without the role sees why on hover."""
    row = QHBoxLayout()
    for b in buttons:
        row.addWidget(b)
        if not allowed:
            b.setToolTip("需要负责人或管理员处理")
    row.addStretch(1)
    layout.addLayout(row)


def _list_over_detail(split: QSplitter, detail: QWidget) -> QWidget:
    """A tab: the list (already in ``split``) over its detail, the list taller."""
    split.addWidget(detail)
    split.setStretchFactor(0, 3)
    split.setStretchFactor(1, 2)
    tab = QWidget()
    QVBoxLayout(tab).addWidget(split)
    return tab
