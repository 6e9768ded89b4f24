"""困难职工档案表: the form's fields and vocabularies, their validation, the computed household
income per head, minors among the household, and the file's lifecycle.

家庭月人均收入 is never typed: (本人月平均收入 × 12 + 家庭其他年收入) ÷ 12 ÷ 家庭人口, exact in
integer fen, rounded half-up to the fen, with the sum written out (:func:`per_head_income`)."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field, fields

from .errors import Issue, UserError, ValidationFailed
from .idnumber import age_on, check_id
from .money import div_half_up, fmt_yuan, parse_yuan
from .text import multi_line, single_line

# ---------------------------------------------------------------- vocabularies (the form's lists)

CATEGORIES = ("低保户", "低保边缘户", "意外致困户", "深度困难", "相对困难", "意外致困")
HEALTH = ("良好", "癌症", "心血管病", "脑血管病", "尿毒症", "精神病", "肝病", "血液病", "糖尿病",
          "肿瘤病", "腰颈椎病", "高血压病", "肺病", "一般疾病", "残疾")
DISABILITY_KINDS = ("", "视力", "听力", "言语", "智力", "肢体", "精神", "多重")
DISABILITY_GRADES = ("", "一级", "二级", "三级", "四级")
WORK_STATUS = ("", "在岗", "下岗", "失业", "退休", "灵活就业", "内退", "其他")
MODEL_WORKER = ("", "非劳模", "全国劳模", "省部级劳模", "市级劳模", "区级劳模")
HOUSING = ("", "自有住房", "租赁住房", "公租房", "廉租房", "借住", "其他")
MARITAL = ("", "未婚", "已婚", "离异", "丧偶")
REGISTER_TYPES = ("", "城镇", "农村")
INSURANCE = ("", "城镇职工医保", "城乡居民医保", "新农合", "商业保险", "无")
CAUSES = ("", "重大疾病", "自然灾害", "突发事件", "失业", "残疾", "子女上学", "单亲", "低收入", "其他")
EMPLOYER_NATURE = ("", "国有企业", "集体企业", "民营企业", "外资企业", "机关事业单位", "社会组织", "新就业形态平台", "其他")
ENTERPRISE_STATUS = ("", "正常", "困难", "停产半停产", "破产", "关闭")

# ---------------------------------------------------------------- lifecycle

FILED, APPROVED, ASSISTING, RESOLVED, WITHDRAWN = "filed", "approved", "assisting", "resolved", "withdrawn"
RESURVEY = "resurvey"  # a history event that keeps the status and moves the re-survey date
STATUSES = {FILED: "建档", APPROVED: "审核通过", ASSISTING: "帮扶中", RESOLVED: "解困脱困", WITHDRAWN: "撤档"}
EVENTS = {**STATUSES, RESURVEY: "年度复查"}
OPEN = (FILED, APPROVED, ASSISTING)  # files that are re-surveyed every year
TRANSITIONS = {
    FILED: (APPROVED, WITHDRAWN),
    APPROVED: (ASSISTING, WITHDRAWN),
    ASSISTING: (RESOLVED, WITHDRAWN),
    RESOLVED: (),
    WITHDRAWN: (),
}
REASON_REQUIRED = (WITHDRAWN,)
REASON_MAX = 200
MINOR_AGE = 18


def resurvey_due(day: _dt.date) -> _dt.date:
    """A year after ``day`` (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def transition_issue(current: str, target: str, reason: str) -> tuple[str, dict] | None:
    """Why ``current`` → ``target`` is refused (message code, params), or None when allowed."""
    if target not in STATUSES:
        return "hardship.bad_status", {"status": target}
    if target not in TRANSITIONS.get(current, ()):
        allowed = "、".join(STATUSES[t] for t in TRANSITIONS.get(current, ())) or "无"
        return "hardship.bad_transition", {"current": STATUSES.get(current, current),
                                           "target": STATUSES[target], "allowed": allowed}
    if target in REASON_REQUIRED and not reason.strip():
        return "hardship.reason_required", {"target": STATUSES[target]}
    return None


# ---------------------------------------------------------------- income per head

@dataclass(frozen=True)
class PerHead:
    fen: int  # 家庭月人均收入, rounded half-up to the fen
    yearly_total_fen: int  # 家庭年度总收入
    how: str  # the sum written out

    @property
    def text(self) -> str:
        return fmt_yuan(self.fen)


def per_head_income(own_monthly_fen: int, other_yearly_fen: int, household_size: int) -> PerHead:
    if household_size < 1:
        raise ValueError("household size must be at least 1")
    total = own_monthly_fen * 12 + other_yearly_fen
    fen = div_half_up(total, 12 * household_size)
    how = (f"（本人月平均收入 {fmt_yuan(own_monthly_fen)} 元 × 12 + 家庭其他年收入 {fmt_yuan(other_yearly_fen)} 元）"
           f" ÷ 12 ÷ 家庭人口 {household_size} 人 = {fmt_yuan(fen)} 元（四舍五入到分）")
    return PerHead(fen, total, how)


# ---------------------------------------------------------------- the form

TEXT_MAX = 200
LONG_MAX = 1000


@dataclass
class HouseholdInput:
    """One row of 家庭成员. ``guardian_consent``: the guardian's consent to record a minor's data
    (required when the ID number shows the person is under 18)."""

    name: str = ""
    relation: str = ""
    ethnicity: str = ""
    id_number: str = ""
    gender: str = ""
    political_status: str = ""
    monthly_income: str = "0"
    model_worker: str = ""
    health: str = "良好"
    illness: str = ""
    medical_insurance: str = ""
    marital_status: str = ""
    register_type: str = ""
    phone: str = ""
    identity: str = ""
    education: str = ""
    enrol_year: str = ""
    school_years: str = ""
    school_or_employer: str = ""
    work_status: str = ""
    guardian_consent: bool = False
    id: str = ""  # the stored row's id when editing


@dataclass
class FileInput:
    """Every field of the 困难职工档案表 that is not the member's own record (name, ID number,
    gender, ethnicity, phone, employer come from the member). Money as text or Decimal yuan."""

    category: str = ""
    health: str = "良好"
    illness: str = ""
    disability_kind: str = ""
    disability_grade: str = ""
    work_status: str = ""
    model_worker: str = ""
    housing_type: str = ""
    housing_area: str = ""
    other_contact: str = ""
    work_since: str = ""
    industry: str = ""
    marital_status: str = ""
    register_type: str = ""
    address: str = ""
    employer_nature: str = ""
    enterprise_status: str = ""
    single_parent: bool = False
    own_monthly_income: str = "0"
    other_yearly_income: str = "0"
    household_size: int = 1
    register_region: str = ""
    medical_insurance: str = ""
    self_help: bool = False
    zero_employment: bool = False
    primary_cause: str = ""
    secondary_cause: str = ""
    cause_text: str = ""
    bank: str = ""
    bank_branch: str = ""
    bank_account: str = ""
    remarks: str = ""
    filer: str = ""
    reviewer: str = ""
    entry_clerk: str = ""
    opinion_org: str = ""
    opinion_org_date: str = ""
    opinion_union: str = ""
    opinion_union_date: str = ""
    opinion_system: str = ""
    opinion_system_date: str = ""
    publicized: bool = False
    publicized_date: str = ""
    household: list[HouseholdInput] = field(default_factory=list)
    sensitive_consent: str = ""  # how the worker consented to sensitive data now (书面 / 当面口头 …), if now


LABELS = {
    "category": "困难类别", "health": "健康状况", "illness": "疾病类别", "disability_kind": "残疾类别",
    "disability_grade": "残疾等级", "work_status": "工作状态", "model_worker": "劳模类型",
    "housing_type": "住房类型", "housing_area": "建筑面积", "other_contact": "其他联系方式",
    "work_since": "工作时间", "industry": "所属行业", "marital_status": "婚姻状况", "register_type": "户口类型",
    "address": "家庭住址", "employer_nature": "单位性质", "enterprise_status": "企业状况",
    "single_parent": "是否单亲", "own_monthly_income": "本人月平均收入", "other_yearly_income": "家庭其他年收入",
    "household_size": "家庭人口", "register_region": "户口所在地行政区划", "medical_insurance": "医保状况",
    "self_help": "是否有一定自救能力", "zero_employment": "是否为零就业家庭", "primary_cause": "主要致困原因",
    "secondary_cause": "次要致困原因", "cause_text": "其他（文字描述）", "bank": "开户银行",
    "bank_branch": "支行名称", "bank_account": "银行卡号", "remarks": "备注", "filer": "建档人",
    "reviewer": "审核人", "entry_clerk": "录入人", "opinion_org": "基层党组织或行政意见",
    "opinion_org_date": "基层党组织或行政意见日期", "opinion_union": "基层工会或办事处意见",
    "opinion_union_date": "基层工会或办事处意见日期", "opinion_system": "系统工会意见",
    "opinion_system_date": "系统工会意见日期", "publicized": "公示", "publicized_date": "公示日期",
}
CHOICES = {
    "category": CATEGORIES, "health": HEALTH, "disability_kind": DISABILITY_KINDS,
    "disability_grade": DISABILITY_GRADES, "work_status": WORK_STATUS, "model_worker": MODEL_WORKER,
    "housing_type": HOUSING, "marital_status": MARITAL, "register_type": REGISTER_TYPES,
    "medical_insurance": INSURANCE, "primary_cause": CAUSES, "secondary_cause": CAUSES,
    "employer_nature": EMPLOYER_NATURE, "enterprise_status": ENTERPRISE_STATUS,
}
HOUSEHOLD_CHOICES = {"health": HEALTH, "model_worker": MODEL_WORKER, "medical_insurance": INSURANCE,
                     "marital_status": MARITAL, "register_type": REGISTER_TYPES, "work_status": WORK_STATUS,
                     "gender": ("", "男", "女")}
DATES = ("opinion_org_date", "opinion_union_date", "opinion_system_date", "publicized_date")
LONG = ("cause_text", "remarks", "opinion_org", "opinion_union", "opinion_system", "address")
FLAGS = ("single_parent", "self_help", "zero_employment", "publicized")
# Sensitive personal information (PIPL art. 28): health, disability, income, bank account.
SENSITIVE_FIELDS = ("health", "illness", "disability_kind", "disability_grade", "own_monthly_fen",
                    "other_yearly_fen", "bank", "bank_branch", "bank_account")


@dataclass(frozen=True)
class CleanHousehold:
    values: dict
    minor: bool
    age: int | None


@dataclass(frozen=True)
class CleanFile:
    values: dict  # the hardship_files columns
    household: tuple[CleanHousehold, ...]
    per_head: PerHead

    @property
    def sensitive(self) -> bool:
        v = self.values
        return bool(v["health"] != "良好" or v["illness"] or v["disability_kind"] or v["own_monthly_fen"]
                    or v["other_yearly_fen"] or v["bank_account"]
                    or any(h.values["monthly_income_fen"] or h.values["health"] != "良好" or h.values["illness"]
                           for h in self.household))


def _date(text: str, label: str, today: _dt.date, issues: list[Issue], name: str) -> str:
    text = single_line(text or "", "NFKC")
    if not text:
        return ""
    try:
        day = _dt.date.fromisoformat(text)
    except ValueError:
        issues.append(Issue(name, "member.bad_date", {"label": label}))
        return text
    if day > today:
        issues.append(Issue(name, "hardship.date_future", {"label": label}))
    return day.isoformat()


def _money(text, label: str, name: str, issues: list[Issue]) -> int:
    try:
        return parse_yuan(text if text not in (None, "") else "0", label, allow_zero=True)
    except UserError as exc:
        issues.append(Issue(name, exc.code, exc.params))
        return 0


def validate_household(row: HouseholdInput, today: _dt.date, index: int, issues: list[Issue]) -> CleanHousehold:
    where = f"household[{index}]"
    values: dict = {}
    for f in fields(HouseholdInput):
        if f.name in ("guardian_consent", "id", "monthly_income"):
            continue
        raw = getattr(row, f.name)
        values[f.name] = single_line(str(raw or ""), "NFKC")
        if len(values[f.name]) > TEXT_MAX:
            issues.append(Issue(where, "member.too_long", {"label": "家庭成员" + f.name, "max": TEXT_MAX}))
    if not values["name"]:
        issues.append(Issue(where, "hardship.household_name", {"row": index + 1}))
    if not values["relation"]:
        issues.append(Issue(where, "hardship.household_relation", {"row": index + 1, "name": values["name"]}))
    for name, choices in HOUSEHOLD_CHOICES.items():
        if values[name] not in choices:
            issues.append(Issue(where, "hardship.household_choice", {"row": index + 1, "value": values[name]}))
    values["monthly_income_fen"] = _money(row.monthly_income, f"第 {index + 1} 位家庭成员的月收入", where, issues)
    values["birth_date"] = ""
    age = None
    if values["id_number"]:
        check = check_id(values["id_number"], today)
        if not check.valid:
            issues.append(Issue(where, "hardship.household_id", {"row": index + 1, "name": values["name"],
                                                                "reason": check.message}))
        else:
            values["id_number"] = check.number
            values["birth_date"] = check.birth_date.isoformat()
            age = age_on(check.birth_date, today)
            if not values["gender"]:
                values["gender"] = check.gender
    minor = age is not None and age < MINOR_AGE
    return CleanHousehold(values, minor, age)


def validate_file(inp: FileInput, today: _dt.date) -> CleanFile:
    """Every field checked; all problems at once (:class:`ValidationFailed`)."""
    issues: list[Issue] = []
    values: dict = {}
    for name, label in LABELS.items():
        if name in ("own_monthly_income", "other_yearly_income", "household_size") or name in FLAGS or name in DATES:
            continue
        text = single_line(str(getattr(inp, name) or ""), "NFKC") if name not in LONG else \
            multi_line(getattr(inp, name)).strip()
        limit = LONG_MAX if name in LONG else TEXT_MAX
        if len(text) > limit:
            issues.append(Issue(name, "member.too_long", {"label": label, "max": limit}))
        if name in CHOICES and text not in CHOICES[name]:
            issues.append(Issue(name, "member.bad_choice", {"label": label}))
        values[name] = text
    if not values["category"]:
        issues.append(Issue("category", "member.required", {"label": "困难类别"}))
    if values["health"] == "残疾" and not values["disability_kind"]:
        issues.append(Issue("disability_kind", "hardship.disability_kind_required", {}))
    if values["disability_kind"] and not values["disability_grade"]:
        issues.append(Issue("disability_grade", "hardship.disability_grade_required", {}))
    if values["housing_area"]:
        try:
            area = parse_yuan(values["housing_area"], "建筑面积", allow_zero=True)
            values["housing_area"] = f"{area / 100:.2f}".rstrip("0").rstrip(".")
        except UserError:
            issues.append(Issue("housing_area", "hardship.bad_area", {}))
    account = values["bank_account"].replace(" ", "")
    if account and not (account.isdigit() and 12 <= len(account) <= 30):
        issues.append(Issue("bank_account", "hardship.bad_account", {}))
    values["bank_account"] = account
    for name in FLAGS:
        values[name] = 1 if getattr(inp, name) else 0
    for name in DATES:
        values[name] = _date(getattr(inp, name), LABELS[name], today, issues, name)
    values["own_monthly_fen"] = _money(inp.own_monthly_income, "本人月平均收入", "own_monthly_income", issues)
    values["other_yearly_fen"] = _money(inp.other_yearly_income, "家庭其他年收入", "other_yearly_income", issues)
    try:
        size = int(inp.household_size)
    except (TypeError, ValueError):
        size = 0
    if not 1 <= size <= 30:
        issues.append(Issue("household_size", "hardship.bad_household_size", {}))
        size = max(size, 1)
    values["household_size"] = size
    household = tuple(validate_household(h, today, i, issues) for i, h in enumerate(inp.household))
    if issues:
        raise ValidationFailed(issues)
    return CleanFile(values, household, per_head_income(values["own_monthly_fen"], values["other_yearly_fen"], size))


def mask_account(account: str) -> str:
    """Bank card: the last 4 digits only (``**** 1234``)."""
    account = (account or "").replace(" ", "")
    if not account:
        return ""
    return "**** " + account[-4:] if len(account) > 4 else "****"
