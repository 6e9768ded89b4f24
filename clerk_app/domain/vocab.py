"""Closed and suggested vocabularies of the member form (values are what the forms print).

Closed lists with rules behind them (status, join channel) are stored as codes; open lists
(occupation, platform ...) are stored as the Chinese text a clerk picked or typed."""

from __future__ import annotations

OCCUPATIONS = (
    "外卖配送员", "快递员", "网约车司机", "出租车司机", "货车司机", "环卫工人",
    "家政服务员", "保安员", "物业服务人员", "建筑工人", "网络主播", "企业职工", "其他",
)

PLATFORMS = (
    "美团", "饿了么", "顺丰", "京东物流", "中通快递", "圆通速递", "韵达快递", "申通快递",
    "极兔速递", "中国邮政", "滴滴出行", "曹操出行", "T3出行", "首汽约车", "货拉拉", "满帮",
    "闪送", "达达快送", "其他",
)

ETHNICITIES = (
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族",
    "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族",
    "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族",
    "土族", "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族",
    "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族",
    "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族",
    "珞巴族", "基诺族", "其他",
)

EDUCATION = ("研究生", "大学本科", "大学专科", "中等专科", "职业高中", "技工学校", "高中", "初中", "小学及以下")

POLITICAL_STATUS = ("中共党员", "中共预备党员", "共青团员", "民主党派成员", "无党派人士", "群众")

HOUSEHOLD_TYPES = ("本市城镇", "本市农村", "外埠城镇", "外埠农村")

UNION_KINDS = ("区总工会", "乡镇街道总工会", "功能区总工会", "基层工会", "联合工会", "行业工会")

JOIN_CHANNELS = {
    "onsite": "现场入会",
    "qr": "扫码入会（北京工会i会员）",
    "transfer_in": "转入",
    "unit": "单位集体入会",
    "other": "其他",
}

ACTIVE, RETAINED, TRANSFERRED_OUT, WITHDRAWN, EXPELLED = (
    "active", "retained", "transferred_out", "withdrawn", "expelled")
STATUSES = {
    ACTIVE: "在会",
    RETAINED: "保留会籍",
    TRANSFERRED_OUT: "转出",
    WITHDRAWN: "退会",
    EXPELLED: "开除会籍",
}
# Which status may follow which. Re-joining (back to ACTIVE) is allowed after transfer-out
# and withdrawal; an expelled member must apply afresh through the union committee, which
# this app records as a new decision only after expulsion is revoked - so not from here.
TRANSITIONS = {
    ACTIVE: {RETAINED, TRANSFERRED_OUT, WITHDRAWN, EXPELLED},
    RETAINED: {ACTIVE, TRANSFERRED_OUT, WITHDRAWN, EXPELLED},
    TRANSFERRED_OUT: {ACTIVE},
    WITHDRAWN: {ACTIVE},
    EXPELLED: set(),
}
IN_UNION = {ACTIVE, RETAINED}

CONSENT_METHODS = {"paper": "纸质签字", "screen": "屏幕确认"}  # what a clerk records at registration
# A roster handed over by the member's union is that union's record of the members; the
# import records it as the basis (with the file and the union), never as a signature.
ROSTER_CONSENT = "roster"
CONSENT_LABELS = {**CONSENT_METHODS, ROSTER_CONSENT: "名单移交"}
NOTICE_VERSION = "2026-11-v1"
