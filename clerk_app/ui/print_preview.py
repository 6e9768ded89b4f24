"""打印预览: the very PDF that will be printed or saved, shown with QtPdf.

One layout engine for screen, file and paper: reportlab makes the PDF (``clerk_app.printing``),
this dialog shows those bytes, 另存为PDF writes those bytes, and 打印 draws each page of those
bytes (rendered by QtPdf at the printer's resolution) onto the printer. Nothing is laid out twice.

Before anything is printed the dialog shows the document's warnings (a name with a character
the font lacks would print blank) in a yellow banner. Documents with masked numbers can offer
显示完整号码: after the clerk confirms, the service records the reveal and makes the document
again with the full numbers. Every print and every saved file writes the audit entry first
(``services.printouts``); opening the preview does not. When the entry cannot be written,
nothing is shown, saved or printed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QPointF, QRectF, QSize, QSizeF, \
    QStandardPaths, Qt, Signal
from PySide6.QtGui import QColor, QImage, QKeySequence, QPageLayout, QPageSize, QPainter, QPixmap, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QFileDialog, QHBoxLayout, QLabel, QMessageBox,
                               QProgressDialog, QPushButton, QScrollArea, QVBoxLayout, QWidget)

from ..domain.errors import UserError
from ..domain.messages import message
from ..services.context import Context
from ..services.printouts import (PRINTER, Printout, masked_printout, record_print, reveal_printout,
                                  save_printout)
from .feedback import ask_choice
from .screen_fit import fit_to_screen

if TYPE_CHECKING:  # reportlab loads with printing; the window imports it only when printing
    from ..printing.result import PrintResult

try:  # PySide6-Addons / PySide6-Pdf ship the widget; without it pages are shown as images
    from PySide6.QtPdfWidgets import QPdfView
except ImportError:  # pragma: no cover - depends on the installed wheels
    QPdfView = None

MAX_PRINT_DPI = 300  # pages are rasterised for the printer at most this fine (A4: 35 MB a page)
FIT_WIDTH, FIT_PAGE = "fit_width", "fit_page"
ZOOMS = ((FIT_WIDTH, "适合页宽"), (FIT_PAGE, "整页"), (0.5, "50%"), (0.75, "75%"), (1.0, "100%"),
         (1.5, "150%"), (2.0, "200%"), (3.0, "300%"))
BANNER_STYLE = ("QLabel { background: #fff4c2; color: #5c4400; border: 1px solid #e0c050;"
                " border-radius: 4px; padding: 8px; }")
REVEAL_QUESTION = ("打印件上将显示完整的身份证号码和手机号码。\n"
                   "显示、打印和保存都会记入审计日志（记录经办人和时间）。确定要显示完整号码吗？")

_last = {"folder": ""}  # where the clerk last saved a PDF in this session


def render_page(document: QPdfDocument, page: int, dpi: float) -> QImage:
    """Page ``page`` at ``dpi`` on white paper (QtPdf leaves the background transparent)."""
    points = document.pagePointSize(page)
    size = QSize(max(1, round(points.width() * dpi / 72)), max(1, round(points.height() * dpi / 72)))
    image = QImage(size, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.drawImage(0, 0, document.render(page, size))
    painter.end()
    return image


class PageImages(QScrollArea):
    """The pages as images in a column, for when QtPdfWidgets is not installed."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.document: QPdfDocument | None = None
        self.zoom: float | str = FIT_WIDTH
        self.labels: list[QLabel] = []

    def set_document(self, document: QPdfDocument) -> None:
        self.document = document
        self.rerender()

    def set_zoom(self, zoom: float | str) -> None:
        self.zoom = zoom
        self.rerender()

    def _dpi(self) -> float:
        doc = self.document
        screen_dpi = self.logicalDpiX() or 96
        if doc is None or doc.pageCount() == 0 or not isinstance(self.zoom, str):
            return screen_dpi * (self.zoom if not isinstance(self.zoom, str) else 1.0)
        first = doc.pagePointSize(0)
        room = self.viewport().size()
        by_width = (room.width() - 24) / first.width() * 72
        if self.zoom == FIT_WIDTH:
            return max(20.0, by_width)
        return max(20.0, min(by_width, (room.height() - 24) / first.height() * 72))

    def rerender(self) -> None:
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.labels = []
        if self.document is not None:
            dpi = self._dpi()
            for page in range(self.document.pageCount()):
                label = QLabel()
                label.setPixmap(QPixmap.fromImage(render_page(self.document, page, dpi)))
                column.addWidget(label)
                self.labels.append(label)
        self.setWidget(holder)


def apply_zoom(view, zoom) -> None:
    """A zoom choice (FIT_WIDTH, FIT_PAGE or a factor) applied to a QPdfView or the page images."""
    if isinstance(view, PageImages):
        view.set_zoom(zoom)
    elif zoom == FIT_WIDTH:
        view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
    elif zoom == FIT_PAGE:
        view.setZoomMode(QPdfView.ZoomMode.FitInView)
    else:
        view.setZoomMode(QPdfView.ZoomMode.Custom)
        view.setZoomFactor(float(zoom))


def load_pdf(owner, document: QPdfDocument, pdf: bytes, old: QBuffer | None, view) -> QBuffer:
    """Show ``pdf`` in ``document`` (and in ``view`` when it is the page-image fallback). The
    returned buffer, owned by ``owner``, must be kept: QPdfDocument reads from the device. The
    ``old`` buffer is released."""
    buffer = QBuffer(owner)
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.close()
    document.load(buffer)
    if old is not None:
        old.deleteLater()
    if isinstance(view, PageImages):
        view.set_document(document)
    return buffer


class PrintPreviewDialog(QDialog):
    """Preview of a :class:`~clerk_app.services.printouts.Printout` with 打印…, 另存为PDF…, 关闭;
    显示完整号码 when the printout has a full-number version."""

    printed = Signal(int)  # pages sent to the printer
    saved = Signal(str)  # the file written

    def __init__(self, ctx: Context, printout: Printout, *, parent: QWidget | None = None,
                 use_pdf_view: bool = True):
        super().__init__(parent)
        self.ctx = ctx
        self.printout = printout
        self.file_name = printout.file_name
        self.setWindowTitle(printout.title)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)

        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.setTextFormat(Qt.TextFormat.PlainText)

        self.document = QPdfDocument(self)
        self._buffer: QBuffer | None = None
        if use_pdf_view and QPdfView is not None:
            self.view: QWidget = QPdfView(self)
            self.view.setPageMode(QPdfView.PageMode.MultiPage)
            self.view.setDocument(self.document)
        else:
            self.view = PageImages(self)

        self.pages_label = QLabel()
        self.zoom_box = QComboBox()
        for value, label in ZOOMS:
            self.zoom_box.addItem(label, value)
        self.zoom_box.setCurrentIndex(0)
        self.zoom_box.currentIndexChanged.connect(self._apply_zoom)
        self.reveal_box = QCheckBox("显示完整号码")
        self.reveal_box.setToolTip("在打印件上显示完整的身份证号码和手机号码（须确认，打印或保存时记入审计日志）")
        self.reveal_box.setVisible(printout.can_reveal)
        self.reveal_box.toggled.connect(self._reveal_toggled)
        self.status = QLabel()
        self.status.setStyleSheet("color: #2e7d32;")

        self.print_button = QPushButton("打印…")
        self.print_button.setDefault(True)
        self.save_button = QPushButton("另存为PDF…")
        self.close_button = QPushButton("关闭")
        self.print_button.clicked.connect(self.print_document)
        self.save_button.clicked.connect(self.save_pdf)
        self.close_button.clicked.connect(self.reject)

        tools = QHBoxLayout()
        tools.addWidget(self.pages_label)
        tools.addSpacing(16)
        tools.addWidget(QLabel("缩放："))
        tools.addWidget(self.zoom_box)
        tools.addSpacing(16)
        tools.addWidget(self.reveal_box)
        tools.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(tools)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)

        QShortcut(QKeySequence.StandardKey.Print, self, self.print_document)
        QShortcut(QKeySequence.StandardKey.ZoomIn, self, lambda: self._step_zoom(1))
        QShortcut(QKeySequence.StandardKey.ZoomOut, self, lambda: self._step_zoom(-1))
        self._load(printout)
        self._fit_to_screen()

    # what the audit entry names (read by tests and callers)
    @property
    def result(self) -> PrintResult:
        return self.printout.result

    @property
    def entity(self) -> str:
        return self.printout.entity

    @property
    def entity_id(self) -> str:
        return self.printout.entity_id

    @property
    def audit_extra(self) -> dict:
        return dict(self.printout.audit_extra)

    # --- document -------------------------------------------------------------------------
    def _load(self, printout: Printout) -> None:
        self.printout = printout
        result = printout.result
        self._buffer = load_pdf(self, self.document, result.pdf, self._buffer, self.view)
        count = self.page_count()
        self.pages_label.setText(f"共 {count} 页" + ("（含完整号码）" if result.revealed else ""))
        texts = [w.message for w in result.warnings]
        self.banner.setText("打印前请注意：\n" + "\n".join(f"• {t}" for t in texts) if texts else "")
        self.banner.setVisible(bool(texts))
        usable = self.document.status() == QPdfDocument.Status.Ready and count > 0
        self.print_button.setEnabled(usable)
        self.save_button.setEnabled(usable)
        self._apply_zoom()

    def page_count(self) -> int:
        return self.document.pageCount()

    def _fit_to_screen(self) -> None:
        fit_to_screen(self, 1000, 1000)

    def _apply_zoom(self, *_args) -> None:
        apply_zoom(self.view, self.zoom_box.currentData())

    def _step_zoom(self, step: int) -> None:
        first_fixed = 2  # after 适合页宽 and 整页
        index = max(first_fixed, min(self.zoom_box.count() - 1, self.zoom_box.currentIndex() + step))
        if self.zoom_box.currentIndex() < first_fixed:
            index = self.zoom_box.findData(1.0)
        self.zoom_box.setCurrentIndex(index)

    # --- 显示完整号码 ------------------------------------------------------------------------
    def _reveal_toggled(self, checked: bool) -> None:
        if not self.printout.can_reveal:
            return
        if not checked:
            self._load(masked_printout(self.printout))
            return
        answer = ask_choice(self, "显示完整号码", REVEAL_QUESTION, ["显示完整号码", "取消"],
                            icon=QMessageBox.Icon.Warning)
        try:
            if answer != 0:
                return
            self._load(reveal_printout(self.ctx, self.printout))  # audited before it is made
        except UserError as exc:
            QMessageBox.warning(self, "不能显示完整号码", exc.message)
        finally:
            if not self.printout.revealed:
                self.reveal_box.blockSignals(True)
                self.reveal_box.setChecked(False)
                self.reveal_box.blockSignals(False)

    # --- out ------------------------------------------------------------------------------

    def _default_path(self) -> str:
        folder = _last["folder"] or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
        return str(Path(folder) / self.file_name)

    def save_pdf(self) -> Path | None:
        """另存为PDF…: the very bytes on screen, to the file the clerk picks."""
        chosen, _filter = QFileDialog.getSaveFileName(self, "另存为PDF", self._default_path(), "PDF 文件 (*.pdf)")
        if not chosen:
            return None
        path = Path(chosen)
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        try:
            save_printout(self.ctx, self.printout, path)  # the audit entry, then the file
        except UserError as exc:
            QMessageBox.warning(self, "未能保存", exc.message)
            return None
        _last["folder"] = str(path.parent)
        self.status.setText(f"已保存：{path}")
        self.saved.emit(str(path))
        return path

    def make_printer(self) -> QPrinter:
        """A printer set to the document's first page size, margins off (the PDF has its own)."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.windowTitle())
        printer.setFullPage(True)
        printer.setFromTo(1, max(1, self.page_count()))
        if self.page_count():
            points = self.document.pagePointSize(0)
            landscape = points.width() > points.height()
            portrait = QSizeF(min(points.width(), points.height()), max(points.width(), points.height()))
            size = QPageSize(portrait, QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch)
            printer.setPageLayout(QPageLayout(size, QPageLayout.Orientation.Landscape if landscape
                                              else QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
        return printer

    def print_document(self) -> int:
        """打印…: the system print dialog, then every chosen page onto the printer."""
        if not self.print_button.isEnabled():
            return 0
        printer = self.make_printer()
        dialog = QPrintDialog(printer, self)
        dialog.setOption(QPrintDialog.PrintDialogOption.PrintPageRange, True)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return 0
        return self.print_to(printer)

    def print_to(self, printer: QPrinter) -> int:
        """Draw the chosen pages at their real size (smaller pages centred on the paper).
        Returns the number of pages printed; writes the audit entry when any was."""
        count = self.page_count()
        first = max(1, printer.fromPage() or 1)
        last = min(count, printer.toPage() or count)
        pages = list(range(first - 1, last))
        if not pages:
            return 0
        try:
            record_print(self.ctx, self.printout, PRINTER, len(pages))  # before any page goes out
        except UserError as exc:
            QMessageBox.warning(self, "未能打印", exc.message)
            return 0
        progress = None
        if len(pages) > 3:
            progress = QProgressDialog("正在发送到打印机……", "取消", 0, len(pages), self)
            progress.setWindowModality(Qt.WindowModality.WindowModal)
            progress.setMinimumDuration(0)
        painter = QPainter()
        if not painter.begin(printer):
            QMessageBox.warning(self, "未能打印", message("print.printer_failed"))
            return 0
        done = 0
        try:
            dpi = min(printer.resolution(), MAX_PRINT_DPI)
            for n, page in enumerate(pages):
                if progress is not None:
                    progress.setValue(n)
                    if progress.wasCanceled():
                        printer.abort()
                        break
                if n:
                    printer.newPage()
                self._draw_page(painter, printer, page, dpi)
                done += 1
        finally:
            painter.end()
            if progress is not None:
                progress.close()
        if done:
            self.status.setText(f"已发送到打印机：{done} 页")
            self.printed.emit(done)
        return done

    def _draw_page(self, painter: QPainter, printer: QPrinter, page: int, dpi: float) -> None:
        paper = QRectF(printer.paperRect(QPrinter.Unit.DevicePixel))
        points = self.document.pagePointSize(page)
        res = printer.resolution()
        w, h = points.width() * res / 72, points.height() * res / 72
        scale = min(1.0, paper.width() / w, paper.height() / h)  # never enlarge: a card stays 85.6 mm
        w, h = w * scale, h * scale
        top_left = QPointF(max(0.0, (paper.width() - w) / 2), max(0.0, (paper.height() - h) / 2))
        painter.drawImage(QRectF(top_left, QSizeF(w, h)), render_page(self.document, page, dpi))


def show_preview(parent: QWidget | None, ctx: Context, printout: Printout) -> PrintPreviewDialog:
    """Open the preview window-modal without blocking; returns the dialog (deleted on close)."""
    dialog = PrintPreviewDialog(ctx, printout, parent=parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    dialog.open()
    return dialog
