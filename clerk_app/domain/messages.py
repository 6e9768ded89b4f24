"""Error and warning codes and the Chinese sentence each one shows a clerk.

Code travels with parameters; the text is made only when it is shown, so the CLI, the
window and a later district server all say the same thing.
"""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    # ID numbers
    "id.empty": "请填写身份证号码",
    "id.bad_chars": "身份证号码只能由数字和末位的 X 组成",
    "id.bad_length": "身份证号码应为 18 位，现在是 {length} 位",
    "id.x_position": "X 只能出现在身份证号码的最后一位",
    "id.bad_checksum": "身份证号码校验位不对，请逐位核对（常见原因：输错或看错一位数字）",
    "id.bad_date": "身份证号码中的出生日期 {date} 不存在",
    "id.future_date": "身份证号码中的出生日期 {date} 晚于今天",
    "id.too_old": "身份证号码中的出生日期 {date} 早于 1900 年，请核对",
    "id.legacy_15": "这是 15 位一代身份证号码，已于 2013 年停止使用，请登记 18 位号码"
                    "（按国家标准换算应为 {converted}，请与证件核对）",
    "id.region_unknown": "地区代码 {code} 不在行政区划表中（可能是新设区县），请核对",
    "id.permit_note": "{kind}号码，仅按校验位核验",
    # phones
    "phone.empty": "请填写手机号码",
    "phone.invalid": "手机或电话号码格式不对：{value}",
    # members
    "member.name_required": "请填写姓名",
    "member.name_too_long": "姓名不能超过 {max} 个字",
    "member.name_bad_chars": "姓名含有不能识别的字符：{chars}",
    "member.required": "请填写{label}",
    "member.too_long": "{label}不能超过 {max} 个字",
    "member.bad_choice": "{label}只能从列表中选择",
    "member.bad_date": "{label}不是有效日期",
    "member.join_before_birth": "入会日期不能早于出生日期",
    "member.join_in_future": "入会日期不能晚于今天",
    "member.too_young": "按身份证号码推算年龄为 {age} 周岁，未满 16 周岁不能入会",
    "member.duplicate_id": "身份证号码已登记：{name}（{union}）",
    "member.possible_duplicate": "已有同名且出生日期相同的会员：{names}，请确认是否为同一人",
    "member.not_found": "找不到该会员，可能已被删除",
    "member.bad_transition": "当前会籍状态“{current}”不能变更为“{target}”",
    "member.consent_required": "请先确认会员已同意个人信息处理告知书",
    "member.union_required": "请选择所属工会",
    "member.salary_invalid": "工资应为不小于 0 的金额，最多两位小数",
    # unions
    "union.name_required": "请填写工会名称",
    "union.parent_missing": "上级工会不存在",
    # printing
    "print.font_missing": "打印字体文件缺失或已损坏：{path}，请重新安装本程序",
    "print.missing_glyph": "{label}“{text}”中的“{chars}”（{codes}）打印字体里没有，打印出来会是空白，请核对",
    "print.nothing": "没有可打印的内容",
    # storage / environment
    "db.newer_version": "数据库由更新版本的程序（{names}）写入，请升级本程序后再打开",
    "db.locked_by_other": "本数据目录已被另一个正在运行的程序打开：{path}",
    "db.not_a_database": "文件不是本程序的数据库，或已损坏：{path}",
    "db.integrity_failed": "数据库完整性检查未通过，请从备份恢复：{detail}",
    "setup.laptop_name_required": "请填写本机名称",
    "setup.union_name_required": "请填写本机所属工会名称",
    "setup.clerk_name_required": "请填写经办人姓名",
    "app.data_dir_unusable": "无法创建或写入数据目录：{path}，请检查该目录的权限，或用 --data-dir 指定其他目录",
}


def message(code: str, /, **params) -> str:
    template = MESSAGES.get(code)
    if template is None:
        # An unknown code is our bug, not the clerk's: show the code rather than hide it.
        return f"[{code}] " + ", ".join(f"{k}={v}" for k, v in params.items())
    return template.format(**params)
