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
    "print.not_set_up": "本数据目录尚未完成初始设置，请先打开程序完成设置：{path}",
    "print.card_not_active": "卡号 {card_no} 的状态是“{status}”，不能打印（只打印有效的卡）",
    "print.bad_date": "日期格式不对：{text}（应为 2026-11-01 这样的格式）",
    "print.member_unknown": "找不到会员：{text}（请输入会员编号或 18 位身份证号码）",
    # service cards (domain.cardno, services.cards)
    "card.no_empty": "请输入或扫描服务卡卡号",
    "card.no_bad_chars": "“{text}”含有卡号中不会出现的字符（卡号只由数字和大写字母组成，不含 U、Z）",
    "card.no_bad_length": "“{text}”位数不对：服务卡卡号为 11 或 12 位",
    "card.no_bad_shape": "“{text}”不是服务卡卡号的格式（应如 DX07 000123 K）",
    "card.no_bad_check": "卡号“{text}”校验位不对，请逐位核对（常见原因：输错、看错一位或相邻两位颠倒）",
    "card.prefix_empty": "请填写本机的发卡代码（由区总工会分配）",
    "card.prefix_bad": "发卡代码“{text}”格式不对：应为 2 个字母（区代码）加 2～3 个字母或数字（本机编号），"
                       "如 DX07；不使用字母 I、L、O、U、Z",
    "card.prefix_required": "本机尚未设置发卡代码，不能发卡。请向区总工会索取本机的发卡代码，在“设置”中填写后再发卡",
    "card.prefix_used": "发卡代码“{prefix}”已经用于发卡，不能再用。如需更换，请向区总工会索取一个新的发卡代码",
    "card.sequence_exhausted": "发卡代码“{prefix}”下的卡号已用完，请向区总工会索取新的发卡代码",
    "card.not_found": "找不到卡号为 {text} 的服务卡",
    "card.member_not_in_union": "{name}的会籍状态为“{status}”，不能持有服务卡",
    "card.already_active": "{name}已有有效服务卡 {card_no}，每人只能持有一张有效卡（卡损坏请办理补换）",
    "card.has_lost_card": "{name}的服务卡 {card_no} 已挂失，请办理补换（新卡号会与原卡关联），不要另行发卡",
    "card.bad_transition": "服务卡 {card_no} 当前状态为“{status}”，不能{action}",
    "card.date_in_future": "{label}不能晚于今天",
    "card.date_before_issue": "{label}不能早于发卡日期 {date}",
    "card.date_before_join": "{label}不能早于入会日期 {date}",
    "card.reason_too_long": "原因不能超过 {max} 个字",
    "card.bad_status": "卡状态只能是：{choices}",
    "card.bad_date": "日期“{text}”格式不对，应写作 2026-11-01",
    "card.member_has_cards": "该会员已办理过服务卡，卡号和发卡记录须保留，不能删除；如已离会，请办理退会或转出",
    "card.member_ref_unknown": "找不到会员“{text}”（请输入会员编号或 18 位身份证号码）",
    "card.not_set_up": "本数据目录尚未完成初始设置，请先打开程序完成设置：{path}",
    "card.reason_member_left": "会籍变更：{status}",
    "card.lookup_ok": "有效卡：{name}（{card_no}）",
    "card.lookup_unknown": "卡号 {card_no} 不在本机记录中（可能是其他笔记本所发、尚未同步的卡），请查找会员核实",
    "card.lookup_lost": "服务卡 {card_no} 已于 {date} 挂失，请核实持卡人身份",
    "card.lookup_cancelled": "服务卡 {card_no} 已于 {date} 注销，不能再使用",
    "card.lookup_replaced": "服务卡 {card_no} 已于 {date} 补换，不能再使用；新卡号 {new_no}（{new_status}）",
    "card.lookup_replaced_missing": "服务卡 {card_no} 已于 {date} 补换，不能再使用；新卡尚未同步到本机",
    "card.lookup_not_in_union": "服务卡 {card_no} 的持卡人{name}会籍状态为“{status}”，此卡不能使用",
    # storage / environment
    "db.newer_version": "数据库由更新版本的程序（{names}）写入，请升级本程序后再打开",
    "db.locked_by_other": "本数据目录已被另一个正在运行的程序打开：{path}",
    "db.not_a_database": "文件不是本程序的数据库，或已损坏：{path}",
    "db.integrity_failed": "数据库完整性检查未通过，请从备份恢复：{detail}",
    "setup.laptop_name_required": "请填写本机名称",
    "setup.union_name_required": "请填写本机所属工会名称",
    "setup.clerk_name_required": "请填写经办人姓名",
    # roster import / export (Excel and CSV)
    "roster.file_missing": "找不到文件：{path}",
    "roster.file_unreadable": "无法打开文件：{path}（{detail}）",
    "roster.file_too_large": "文件太大（{size} MB），一次最多导入 {max} MB，请拆分后分批导入",
    "roster.too_many_rows": "表格超过 {max} 行，请拆分后分批导入",
    "roster.too_many_columns": "表格有 {cols} 列，超过 {max} 列，请只保留会员信息的列",
    "roster.unsupported_type": "不支持的文件类型“{ext}”，请使用 .xlsx、.xls 或 .csv 文件",
    "roster.corrupt": "文件已损坏，或不是有效的 {kind} 文件，无法读取",
    "roster.encrypted": "文件设置了打开密码，请在 Excel 中取消密码并另存后再导入",
    "roster.zip_bomb": "文件内部结构异常（解压后过大、条目过多或相互重叠），为安全起见不予读取",
    "roster.xml_unsafe": "文件内含不安全的 XML 声明（DOCTYPE/ENTITY），为安全起见不予读取",
    "roster.unknown_encoding": "无法识别 CSV 文件的文字编码（支持 UTF-8 和 GBK/GB18030），"
                               "请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后再导入",
    "roster.sheet_not_found": "工作簿中没有名为“{sheet}”的工作表（现有：{names}）",
    "roster.empty": "表格中没有数据",
    "roster.no_header": "没有找到表头行（表头应包含“姓名”“身份证号码”等列名）",
    "roster.missing_columns": "没有对应到必需的列：{labels}",
    "roster.mapping_invalid": "列对应关系无效：{detail}",
    "roster.bad_default": "默认值“{text}”无效，应写作“列名=值”，例如 民族=汉族",
    "roster.id_is_number": "身份证号被 Excel 存成了数字，后几位已丢失，请把该列设置为文本格式后重新录入",
    "roster.dup_in_file": "身份证号码与第 {other} 行重复",
    "roster.already_registered": "已登记为会员：{name}（{id}，{union}）",
    "roster.possible_dup_in_file": "与第 {other} 行姓名和出生日期相同，请确认是否为同一人",
    "roster.bad_date": "{label}“{value}”不是有效日期（可写作 2024-03-01 或 2024/3/1）",
    "roster.gender_mismatch": "性别一栏为“{given}”，按身份证号码应为“{derived}”，将按身份证号码登记",
    "roster.birth_mismatch": "出生日期一栏为“{given}”，身份证号码中为 {derived}，将按身份证号码登记",
    "roster.confirm_needed": "没有可交互的输入，请加 --yes 确认导入",
    "roster.cancelled": "已取消导入，没有保存任何数据",
    "roster.write_failed": "无法写入文件：{path}（{detail}）",
    "roster.not_set_up": "本数据目录尚未完成首次设置，请先打开程序完成设置",
    "app.data_dir_unusable": "无法创建或写入数据目录：{path}，请检查该目录的权限，或用 --data-dir 指定其他目录",
}


def message(code: str, /, **params) -> str:
    template = MESSAGES.get(code)
    if template is None:
        # An unknown code is our bug, not the clerk's: show the code rather than hide it.
        return f"[{code}] " + ", ".join(f"{k}={v}" for k, v in params.items())
    return template.format(**params)
