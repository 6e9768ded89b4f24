"""``clerk-app roster import FILE`` and ``clerk-app roster export --out FILE.xlsx``.

Import prints the row report (counts, then every row that cannot be imported and why);
without ``--dry-run`` it saves the good rows after a confirmation (``--yes`` skips it, and
is required when there is no terminal to ask on)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..domain.errors import UserError
from .common import ready_context
from .progress import progress_line

EXIT_OK, EXIT_SOME_REJECTED = 0, 1
JOIN_DATE_LINES = {"column": "入会日期：取自表中的列（空白的为未知）", "stated": "入会日期：统一为 {date}",
                   "unknown": "入会日期：未知"}


def register(sub, common) -> None:
    p = sub.add_parser("roster", parents=[common], help="Excel/CSV 花名册导入与导出")
    rsub = p.add_subparsers(dest="roster_command", metavar="ACTION", required=True)

    imp = rsub.add_parser("import", parents=[common], help="导入花名册（.xlsx / .xls / .xlsb / .ods / .csv）")
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--mapping", metavar="JSON_OR_FILE",
                     help='列对应关系（JSON 或 JSON 文件），如 {"证件号": "身份证号码", "序号": null}')
    imp.add_argument("--sheet", metavar="NAME", help="工作表名称（默认第一张）")
    imp.add_argument("--union", metavar="ID", help="导入到的工会（默认本机所属工会）")
    imp.add_argument("--channel", default="other", help="表中没有入会方式时使用的入会方式（默认 other）")
    imp.add_argument("--default", action="append", default=[], metavar="列名=值",
                     help="空白单元格的默认值，如 民族=汉族（可重复）")
    imp.add_argument("--join-date", metavar="YYYY-MM-DD|unknown|column",
                     help="入会日期：统一为某一天（YYYY-MM-DD）、unknown（未知），或 column（取自表中的列）；"
                          "默认：表中有入会日期列就取自该列（空白的为未知），没有就是未知")
    imp.add_argument("--allow-possible-duplicates", action="store_true",
                     help="姓名和出生日期与他人相同的行也导入（已核实不是同一人）")
    imp.add_argument("--dry-run", action="store_true", help="只检查并列出问题，不保存")
    imp.add_argument("--errors", metavar="OUT.xlsx", help="把不能导入的行另存为 Excel，改正后可再次导入")
    imp.add_argument("--yes", action="store_true", help="不再询问，直接导入")
    imp.set_defaults(func=run_import)

    exp = rsub.add_parser("export", parents=[common], help="导出会员名单为 .xlsx")
    exp.add_argument("--out", required=True, metavar="FILE.xlsx")
    exp.add_argument("--filter", default="", metavar="QUERY", help="与会员页搜索框相同：姓名、拼音或号码尾数")
    exp.add_argument("--status", metavar="S", help="会籍状态（active 或 在会 等）")
    exp.add_argument("--union", metavar="ID", help="只导出此工会的会员")
    exp.add_argument("--full", action="store_true", help="导出完整身份证号和手机号（记入审计日志）")
    exp.set_defaults(func=run_export)


def _load_json(text: str) -> object:
    path = Path(text)
    try:
        if not text.lstrip().startswith("{") and path.is_file():
            text = path.read_text(encoding="utf-8-sig")
        return json.loads(text)
    except (OSError, ValueError) as exc:
        raise UserError("roster.mapping_invalid", detail=str(exc)) from None


def apply_mapping_overrides(mapping, headers: list[str], overrides: object):
    """``{"表头": "字段或中文列名" | null}`` applied over the proposed mapping."""
    from ..domain.roster_columns import FIELD_LABELS, field_for_header, normalise_header

    if not isinstance(overrides, dict):
        raise UserError("roster.mapping_invalid", detail="应为 JSON 对象")
    keys = [normalise_header(h) for h in headers]
    for header, target in overrides.items():
        key = normalise_header(header)
        if key not in keys:
            raise UserError("roster.mapping_invalid", detail=f"表中没有“{header}”列")
        index = keys.index(key)
        if target in (None, ""):
            mapping = mapping.__class__({f: i for f, i in mapping.columns.items() if i != index})
            continue
        fname = target if target in FIELD_LABELS else field_for_header(target)
        if not fname or fname not in FIELD_LABELS:
            raise UserError("roster.mapping_invalid", detail=f"不认识的字段“{target}”")
        mapping = mapping.with_column(fname, index)
    return mapping


def _defaults(items: list[str]) -> dict[str, str]:
    from ..domain.roster_columns import FIELD_LABELS, field_for_header

    out = {}
    for item in items:
        label, sep, value = item.partition("=")
        fname = label.strip() if label.strip() in FIELD_LABELS else field_for_header(label)
        if not sep or not fname or fname not in FIELD_LABELS:
            raise UserError("roster.bad_default", text=item)
        out[fname] = value.strip()
    return out


def _join_date_option(text: str | None) -> tuple[str, object]:
    """``--join-date`` as (mode, stated date)."""
    import datetime as _dt

    from ..services import roster_import as ri

    if not text:
        return "", None
    word = text.strip().lower()
    if word in ("unknown", "未知"):
        return ri.JOIN_UNKNOWN, None
    if word in ("column", "列"):
        return ri.JOIN_FROM_COLUMN, None
    try:
        return ri.JOIN_STATED, _dt.date.fromisoformat(word)
    except ValueError:
        raise UserError("roster.join_date_option", text=text) from None


def _print_report(table, mapping, preview, out=None) -> None:
    from openpyxl.utils import get_column_letter

    from ..domain.roster_columns import FIELD_LABELS

    out = out or sys.stdout
    where = f"工作表“{table.sheet}”，" if table.sheet else (f"编码 {table.encoding}，" if table.encoding else "")
    print(f"文件：{where}表头在第 {table.header_row} 行，数据 {preview.total} 行", file=out)
    parts = [f"{FIELD_LABELS[f]} ← {table.headers[i] or '?'}（{get_column_letter(i + 1)} 列）"
             for f, i in sorted(mapping.columns.items(), key=lambda kv: kv[1])]
    print("列对应：" + "；".join(parts), file=out)
    mode = preview.options.join_mode_for(mapping)
    stated = preview.options.join_date.isoformat() if preview.options.join_date else ""
    print(JOIN_DATE_LINES[mode].format(date=stated) + "；同意依据：" + preview.basis, file=out)
    print(f"可以导入 {len(preview.good)} 行，不能导入 {len(preview.bad)} 行", file=out)
    for bad in preview.bad:
        print(f"  第 {bad.row} 行：{bad.reason}", file=out)
    if preview.skipped:
        print(f"跳过 {len(preview.skipped)} 行（不是会员）：", file=out)
        for skipped in preview.skipped:
            print(f"  第 {skipped.row} 行：{skipped.reason}", file=out)
    incomplete = preview.incomplete
    if incomplete:
        counts: dict[str, int] = {}
        for good in incomplete:
            for label in good.missing:
                counts[label] = counts.get(label, 0) + 1
        detail = "、".join(f"{label} {n} 人" for label, n in counts.items())
        print(f"资料待补全（仍可导入，以后在会员页补全）{len(incomplete)} 行：缺 {detail}", file=out)
    warned = [g for g in preview.good if g.warnings]
    if warned:
        print(f"提示（仍可导入）{len(warned)} 行：", file=out)
        for good in warned:
            print(f"  第 {good.row} 行：" + "；".join(w.message for w in good.warnings), file=out)


def run_import(args) -> int:
    from ..services import roster_import as ri

    with ready_context(args) as ctx:
        table = ri.read_roster(args.file, args.sheet)
        mapping = ri.suggest_mapping(ctx.db, table.headers).mapping
        if args.mapping:
            mapping = apply_mapping_overrides(mapping, table.headers, _load_json(args.mapping))
        join_mode, join_day = _join_date_option(args.join_date)
        options = ri.ImportOptions(union_id=args.union or "", join_channel=args.channel,
                                   defaults=_defaults(args.default),
                                   allow_possible_duplicates=args.allow_possible_duplicates,
                                   join_date_mode=join_mode, join_date=join_day)
        with progress_line("检查花名册", "行") as progress:
            preview = ri.build_preview(ctx, table, mapping, options, progress=progress)
        _print_report(table, mapping, preview)
        if args.dry_run:
            if args.errors:
                n = ri.write_error_file(ctx, args.errors, preview)
                print(f"不能导入的 {n} 行已另存为：{args.errors}")
            return EXIT_OK if not preview.bad else EXIT_SOME_REJECTED
        if not preview.good:
            print("没有可以导入的行，未保存任何数据。")
            return EXIT_SOME_REJECTED
        if not args.yes:
            if not sys.stdin or not sys.stdin.isatty():
                raise UserError("roster.confirm_needed")
            answer = input(f"导入 {len(preview.good)} 名会员？[y/N] ").strip().lower()
            if answer not in ("y", "yes", "是"):
                print("未导入。")
                return EXIT_SOME_REJECTED
        try:
            with progress_line("正在导入", "人") as progress:
                result = ri.commit_import(ctx, preview, progress=progress)
        except ri.Cancelled:
            raise UserError("roster.cancelled") from None
        print(f"已导入 {len(result.saved)} 名会员；未导入 {len(result.bad)} 行。")
        for warning in result.backup_warnings:
            print(f"注意：{warning}", file=sys.stderr)
        if args.errors and result.bad:
            n = ri.write_error_file(ctx, args.errors, preview, result)
            print(f"未导入的 {n} 行已另存为：{args.errors}")
        return EXIT_OK if not result.bad else EXIT_SOME_REJECTED


def run_export(args) -> int:
    from ..domain import vocab
    from ..services.roster_export import export_members

    status = args.status
    if status:
        by_label = {label: code for code, label in vocab.STATUSES.items()}
        status = by_label.get(status, status)
        if status not in vocab.STATUSES:
            raise UserError("member.bad_choice", label="会籍状态")
    with ready_context(args) as ctx:
        result = export_members(ctx, args.out, query=args.filter, status=status,
                                union_id=args.union, full=args.full)
    kind = "完整身份证号和手机号" if result.full else "身份证号和手机号已遮蔽"
    print(f"已导出 {result.count} 名会员到 {result.path}（{kind}）")
    return 0
