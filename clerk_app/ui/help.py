"""帮助 (F1): a short guide to the page the clerk is on, in Chinese, with its keyboard shortcuts.

One window, not modal (the clerk can keep it beside the desk while a queue waits) and never
in the way of a scanner: it takes no keyboard focus from the window it was opened over."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from .screen_fit import fit_to_screen

_KEYS = "<table cellspacing='4'>{}</table>"


def _keys(*pairs: tuple[str, str]) -> str:
    return _KEYS.format("".join(f"<tr><td><b>{k}</b></td><td>{v}</td></tr>" for k, v in pairs))


TOPICS: dict[str, tuple[str, str]] = {
    "members": ("会员", (
        "<p>这里登记和查找会员。在搜索框里输入<b>姓名</b>的一部分、<b>拼音</b>（全拼或首字母，如 wxm）"
        "或身份证号、手机号的<b>后几位</b>，列表随输入即时筛选。</p>"
        "<p><b>新登记</b>：身份证号输入完 18 位即核验，出生日期和性别自动得出；同一身份证号已登记时会立即提示，"
        "并可打开该会员。选中会员后，右侧显示详细信息、会籍历史和服务卡；身份证号、手机号默认遮蔽，"
        "点“显示完整号码”才显示，并记入操作日志。</p>"
        "<p><b>会籍变更</b>（保留会籍、转出、退会、开除、重新入会）按日期记入会籍历史，"
        "变更日期不能早于上一次变更。</p>"
        + _keys(("Ctrl+N", "新登记会员"), ("Ctrl+F", "到搜索框"), ("Ctrl+E", "编辑选中的会员"),
                ("Enter", "在登记表任一栏按回车即保存"), ("Esc", "关闭对话框（不保存）"), ("F1", "本帮助")))),
    "cards": ("服务卡", (
        "<p>工会会员互助服务卡的台账：按状态（有效、挂失、注销、已补换）和发卡日期筛选，"
        "按卡号或持卡人查找（用扫码枪扫卡也可以直接选中该卡）。</p>"
        "<p>选中一张卡后可<b>挂失</b>、<b>补办</b>、<b>注销</b>、<b>打印此卡</b>；<b>批量打印</b>可按发卡日期"
        "打印一批卡（每张 A4 十张卡）。卡号由本机的发卡代码、序号和校验位组成，各笔记本之间不会重号；"
        "发卡代码由区总工会分配，在“设置 → 本机设置”中填写。</p>"
        + _keys(("Ctrl+F", "到搜索框"), ("Ctrl+P", "打印选中的卡"), ("F1", "本帮助")))),
    "events": ("活动签到", (
        "<p>这里新建活动（职工沟通会、招聘会、送清凉、法律咨询……）、打开<b>签到台</b>、打印签到表"
        "（空白或已签到名单）和活动报告，并可把纸质签到表录入回来。</p>"
        "<p>签到台在单独的窗口中打开，可以放在另一块屏幕上。</p>"
        + _keys(("Ctrl+N", "新建活动"), ("Ctrl+F", "到搜索框"), ("F1", "本帮助")))),
    "hardship": ("困难职工", (
        "<p>困难职工档案和帮扶台账。<b>建档</b>：先查找会员（还不是会员的先登记入会），填写困难职工档案表；"
        "家庭月人均收入由收入和家庭人口自动计算。健康、残疾、收入、银行账户须取得本人的单独同意，"
        "未满 18 周岁的家庭成员须取得监护人同意，否则不能保存。</p>"
        "<p><b>台账</b>：填写类型、金额、日期、资金来源和审批人后按回车发放；是否符合帮扶规则即时显示，"
        "不符合时须负责人填写特批理由。发错了用<b>冲销</b>（原记录保留）再重新发放。</p>"
        "<p>每份档案每年复查一次，勾选“只看逾期未复查”列出到期的档案。</p>"
        + _keys(("Ctrl+N", "建档"), ("Ctrl+F", "到搜索框"), ("Ctrl+E", "编辑档案"), ("Ctrl+P", "到发放金额"),
                ("F1", "本帮助")))),
    "desk": ("签到台", (
        "<p><b>扫码签到</b>：光标在“扫码”框里时，用扫码枪扫会员服务卡上的二维码即可签到，"
        "结果以大字显示：绿色为已签到，黄色为重复签到（不重复计数），红色为未签到"
        "（挂失、注销、未知的卡等），并提示“查找此人”。</p>"
        "<p><b>查找</b>：按姓名、拼音或证件号、手机号后几位查找；找到多人时不会预先选中任何人，"
        "请用方向键选定后按回车。<b>非会员</b>：登记姓名和手机号即可签到，可当场“现场入会”并发卡。</p>"
        "<p>点错了人可在右侧名单中选中后<b>撤销签到</b>。</p>"
        + _keys(("扫码枪", "任何时候扫码都进入扫码框"), ("F2", "查找会员"), ("F3", "非会员登记"),
                ("F4", "咨询、发放资料、服务计数"), ("Esc", "回到扫码框"), ("F1", "本帮助")))),
    "reports": ("统计报表", (
        "<p>选择<b>报表</b>（会员报表、工作情况报表）和<b>期间</b>：月度、季度、年度或自定义起止日期；"
        "“本月”“上月”一键选定（默认上月，会员报表于次月 25 日前报送）。区总工会还可选<b>乡镇</b>："
        "全部乡镇时每个乡镇从新的一页开始。</p>"
        "<p>按<b>生成</b>后在后台统计，右侧显示的就是将要打印的纸张。每项数字旁有上期（环比）和去年同期（同比）；"
        "报表只有人数和金额，没有任何人的姓名或号码。页脚注明本工会、经办人、打印日期和数据截至时间，"
        "末页留有负责人签字和盖章处。</p>"
        "<p><b>保存PDF</b>、<b>导出Excel</b>（每张表一个工作表）选择文件位置保存；保存记入操作日志。</p>"
        + _keys(("Enter", "生成报表"), ("Ctrl+P", "打印"), ("Tab", "在各选项之间移动"), ("F1", "本帮助")))),
    "sync": ("同步", (
        "<p>本机的登记、会员、发卡和签到记录通过<b>同步包</b>交给区总工会，区总工会汇总后再把"
        "本工会的数据发回来。同步包是加密的，只有收件的电脑能打开，也只接受已登记电脑发出的包。</p>"
        "<p><b>登记</b>（只需一次）：点“生成登记申请”，把文件交给区总工会；区总工会签发登记文件后，"
        "点“接受登记文件”。请电话与区总工会<b>核对双方的指纹</b>（六组数字），一致才说明文件没有被调换。</p>"
        "<p><b>导出</b>：选一个文件夹或 U 盘，本机尚未被区总工会确认收到的记录都会写进一个同步包。"
        "<b>导入</b>：选区总工会发来的同步包。同一个包导入两次只会提示“已导入”，什么也不改；"
        "缺了某个包会提示缺少第几号。</p>"
        + _keys(("F1", "本帮助")))),
}


class HelpWindow(QDialog):
    def __init__(self, topic: str, parent: QWidget | None = None):
        super().__init__(parent)
        title, body = TOPICS[topic]
        self.topic = topic
        self.setWindowTitle(f"帮助 · {title}")
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.text = QTextBrowser()
        self.text.setHtml(f"<h3>{title}</h3>{body}")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        fit_to_screen(self, 560, 520)


def show_help(parent: QWidget, topic: str) -> HelpWindow:
    """Open (or bring back) the guide to ``topic`` over ``parent``."""
    for child in parent.findChildren(HelpWindow):
        if child.topic == topic and child.isVisible():
            child.raise_()
            return child
    window = HelpWindow(topic, parent)
    window.show()
    return window
