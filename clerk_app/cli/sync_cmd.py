"""``clerk-app site …`` (enrolment with the district) and ``clerk-app sync …`` (packages), all with
``--json`` for scripts:

* laptop: ``site request --out F``, ``site accept F``, ``sync export --out DIR``, ``sync import FILE…``
* district: ``site enrol F --union NAME --card-code CODE --out F``, ``site revoke SITE``,
  ``sync export --out DIR`` (one package per laptop), ``sync import FILE…``
* both: ``site status``, ``sync status``, ``sync conflicts``, ``sync duplicates``
* district: ``sync merge-person KEEP DROP``, ``sync not-same A B``, ``sync resolve ID --keep mine|theirs|VALUE``

A refused package prints its reason (Chinese) and code and the command goes on with the next
file; the exit code is 0 when every file was imported (or was already), 1 when one was refused."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .common import json_flag, ready_context


def register(sub, common) -> None:
    site = sub.add_parser("site", parents=[common], help="同步登记：申请、签发、接受、停用")
    cmds = site.add_subparsers(dest="site_command", metavar="ACTION", required=True)
    c = cmds.add_parser("request", parents=[common], help="（笔记本）生成登记申请文件，交区总工会")
    c.add_argument("--out", required=True, metavar="FILE")
    json_flag(c)
    c.set_defaults(func=_request)
    c = cmds.add_parser("enrol", parents=[common], help="（区总工会）为笔记本的申请签发登记文件")
    c.add_argument("request", metavar="FILE")
    c.add_argument("--union", required=True, metavar="NAME", help="笔记本所属工会（区总工会工会树中的名称）")
    c.add_argument("--card-code", required=True, metavar="CODE", help="分配给这台笔记本的发卡代码")
    c.add_argument("--out", required=True, metavar="FILE")
    json_flag(c)
    c.set_defaults(func=_enrol)
    c = cmds.add_parser("accept", parents=[common], help="（笔记本）接受区总工会签发的登记文件")
    c.add_argument("enrolment", metavar="FILE")
    json_flag(c)
    c.set_defaults(func=_accept)
    c = cmds.add_parser("revoke", parents=[common], help="（区总工会）停用丢失的笔记本")
    c.add_argument("site", metavar="SITE", help="笔记本的站点号或名称")
    json_flag(c)
    c.set_defaults(func=_revoke)
    c = cmds.add_parser("status", parents=[common], help="本机的登记状态和指纹")
    json_flag(c)
    c.set_defaults(func=_site_status)

    sync = sub.add_parser("sync", parents=[common], help="同步包：导出、导入、状态、冲突、重复人员")
    cmds = sync.add_subparsers(dest="sync_command", metavar="ACTION", required=True)
    c = cmds.add_parser("export", parents=[common], help="导出同步包到文件夹（U 盘）")
    c.add_argument("--out", required=True, metavar="DIR")
    json_flag(c)
    c.set_defaults(func=_export)
    c = cmds.add_parser("import", parents=[common], help="导入同步包")
    c.add_argument("files", nargs="+", metavar="FILE")
    json_flag(c)
    c.set_defaults(func=_import)
    for name, func, text in (("status", _status, "同步状态：上次同步、待发送、缺少的包"),
                             ("conflicts", _conflicts, "冲突收件箱"),
                             ("duplicates", _duplicates, "可能重复登记的人员")):
        c = cmds.add_parser(name, parents=[common], help=text)
        json_flag(c)
        c.set_defaults(func=func)
    c = cmds.add_parser("resolve", parents=[common], help="（区总工会）处理冲突收件箱中的一条：保留哪一个值")
    c.add_argument("conflict", type=int, metavar="CONFLICT_ID", help="sync conflicts 列出的编号")
    c.add_argument("--keep", required=True, metavar="mine|theirs|VALUE",
                   help="mine：保留现值（违规类：标记为已处理）；theirs：改用另一台电脑的值；或直接写出更正后的值")
    json_flag(c)
    c.set_defaults(func=_resolve)
    c = cmds.add_parser("merge-person", parents=[common], help="（区总工会）把重复登记的人员合并到保留的记录")
    c.add_argument("keep", metavar="KEEP", help="保留的记录（会员编号）")
    c.add_argument("drop", metavar="DROP", help="并入 KEEP 的记录")
    json_flag(c)
    c.set_defaults(func=_merge_person)
    c = cmds.add_parser("not-same", parents=[common], help="（区总工会）确认两条记录不是同一人")
    c.add_argument("a", metavar="A")
    c.add_argument("b", metavar="B")
    json_flag(c)
    c.set_defaults(func=_not_same)


def _out(args, doc, lines) -> int:
    if args.json:
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, sort_keys=True, default=str) + "\n")
    else:
        for line in lines:
            print(line)
    return 0


# ------------------------------------------------------------------------------------------ site

def _request(args) -> int:
    from ..services import sync_site

    with ready_context(args) as ctx:
        path, fp = sync_site.request_file(ctx, args.out)
    return _out(args, {"file": str(path), "fingerprint": fp},
                [f"已生成登记申请：{path}", f"本机指纹：{fp}（请电话告知区总工会核对）"])


def _enrol(args) -> int:
    from ..services import sync_site

    with ready_context(args) as ctx:
        got = sync_site.enrol_laptop(ctx, Path(args.request).read_bytes(), union_name=args.union,
                                     card_code=args.card_code, out=args.out)
    doc = {"file": str(Path(args.out)), "site_id": got.site_id, "epoch": got.epoch, "laptop": got.laptop_name,
           "union_id": got.union_id, "union": got.union_name, "card_code": got.card_code,
           "fingerprint": got.fingerprint, "district_fingerprint": got.district_fingerprint}
    return _out(args, doc, [
        f"已为“{got.laptop_name}”签发登记文件：{args.out}",
        f"所属工会：{got.union_name}；发卡代码：{got.card_code}；站点号：{got.site_id}（第 {got.epoch} 批）",
        f"笔记本指纹：{got.fingerprint}（应与笔记本上显示的一致）",
        f"本机（区总工会）指纹：{got.district_fingerprint}"])


def _accept(args) -> int:
    from ..services import sync_site

    with ready_context(args) as ctx:
        got = sync_site.accept_enrolment(ctx, Path(args.enrolment).read_bytes())
    doc = {"site_id": got.site_id, "epoch": got.epoch, "union_id": got.union_id, "union": got.union_name,
           "card_code": got.card_code, "district": got.district.name, "fingerprint": got.fingerprint,
           "district_fingerprint": got.district_fingerprint}
    return _out(args, doc, [
        f"已接受登记：站点号 {got.site_id}（第 {got.epoch} 批），所属工会 {got.union_name}，发卡代码 {got.card_code}",
        f"区总工会：{got.district.name}，指纹 {got.district_fingerprint}（请电话核对）",
        f"本机指纹：{got.fingerprint}"])


def _revoke(args) -> int:
    from ..services import sync_site

    with ready_context(args) as ctx:
        p = sync_site.revoke(ctx, args.site)
    epoch, seq = p.revoked_after
    return _out(args, {"site_id": p.site_id, "name": p.name, "revoked_after": [epoch, seq]},
                [f"已停用“{p.name}”：只接受它第 {seq} 号及以前的同步包"])


def _site_status(args) -> int:
    from ..services import sync_site

    with ready_context(args) as ctx:
        st = sync_site.enrolment_status(ctx)
    doc = {"role": st.role, "site_id": st.site_id, "epoch": st.epoch, "fingerprint": st.fingerprint,
           "district": st.district, "district_fingerprint": st.district_fingerprint, "union_id": st.union_id,
           "card_code": st.card_code, "enrolled_at": st.enrolled_at}
    role = "区总工会" if st.role == "district" else "笔记本"
    lines = [f"本机角色：{role}", f"站点号：{st.site_id or '（尚未登记）'}（第 {st.epoch} 批）",
             f"本机指纹：{st.fingerprint or '（尚未生成密钥）'}"]
    if st.district:
        lines.append(f"区总工会：{st.district}，指纹 {st.district_fingerprint}")
    return _out(args, doc, lines)


# ------------------------------------------------------------------------------------------ sync

def _export(args) -> int:
    from ..services import sync_packages

    with ready_context(args) as ctx:
        done = sync_packages.export_all(ctx, args.out)
    doc = [{"file": str(e.path), "recipient": e.recipient, "seq": e.seq, "counts": e.counts, "audit": e.audit,
            "again": e.again} for e in done]
    lines = [str(e.path) for e in done]
    return _out(args, doc if len(doc) != 1 else doc[0], lines)


def _import(args) -> int:
    from ..services import sync_packages
    from ..sync.errors import PackageRefused

    results, failed = [], False
    with ready_context(args) as ctx:
        for file in args.files:
            try:
                got = sync_packages.import_package(ctx, file)
            except PackageRefused as exc:
                failed = True
                results.append({"file": file, "ok": False, "reason": exc.reason, "message": exc.message})
                if not args.json:
                    print(f"{file}：未导入（{exc.reason}）：{exc.message}", file=sys.stderr)
                continue
            r = got.report
            results.append({"file": file, "ok": True, "already": got.already, "sender": got.sender, "seq": got.seq,
                            "missing": got.missing, "applied": r.applied, "known": r.already, "parked": r.parked,
                            "held_back": r.held_back, "alarms": r.alarms + got.audit_alarms,
                            "message": got.message})
            if not args.json:
                print(f"{file}：{got.message}")
    if args.json:
        sys.stdout.write(json.dumps(results, ensure_ascii=False, sort_keys=True) + "\n")
    return 1 if failed else 0


def _status(args) -> int:
    from ..services import sync_packages

    with ready_context(args) as ctx:
        st = sync_packages.status(ctx)
    peers = []
    lines = [f"本机：{st.me.name}（{'区总工会' if st.me.is_district else '笔记本'}），"
             f"站点号 {st.me.site_id or '（尚未登记）'}"]
    for p in st.peers:
        sent, got = p.last_sent, p.last_received
        peers.append({"site_id": p.site_id, "name": p.name, "role": p.role, "revoked": p.revoked,
                      "last_sent": {"seq": sent.seq, "at": sent.at, "file": sent.file} if sent else None,
                      "last_received": {"seq": got.seq, "at": got.at} if got else None,
                      "missing": p.missing, "pending": p.pending})
        lines.append(f"{p.name}{'（已停用）' if p.revoked else ''}：上次发出 "
                     f"{f'第 {sent.seq} 号（{sent.at}）' if sent else '无'}，上次收到 "
                     f"{f'第 {got.seq} 号（{got.at}）' if got else '无'}，待发送 {sum(p.pending.values())} 条"
                     + (f"，缺少第 {'、'.join(map(str, p.missing))} 号包" if p.missing else ""))
    lines.append(f"冲突 {st.conflicts} 条，可能重复的人员 {st.duplicates} 对，警报 {st.alarms} 条，"
                 f"暂缓 {sum(st.parked.values())} 条")
    if st.clock_warning:
        lines.append(f"注意：本机最后一条记录的时间比系统时钟晚 {st.clock_ahead_ms // 3_600_000} 小时，请检查电脑时钟")
    doc = {"role": st.me.role, "site_id": st.me.site_id, "epoch": st.me.epoch, "peers": peers,
           "conflicts": st.conflicts, "duplicates": st.duplicates, "alarms": st.alarms, "parked": st.parked,
           "clock_ahead_ms": st.clock_ahead_ms}
    return _out(args, doc, lines)


def _conflicts(args) -> int:
    from ..services import sync_district

    with ready_context(args) as ctx:
        rows = sync_district.inbox(ctx)
    doc = [{"id": r.id, "kind": r.kind, "what": r.what, "hint": r.hint, "found_at": r.found_at,
            "current": vars(r.current) if r.current else None, "other": vars(r.other) if r.other else None}
           for r in rows]
    lines = []
    for r in rows:
        line = f"{r.id if r.id >= 0 else '-'}\t{r.what}"
        if r.current and r.other:
            line += (f"\t现值：{r.current.value}（{r.current.laptop} {r.current.stamp}）"
                     f"\t另一值：{r.other.value}（{r.other.laptop} {r.other.stamp}）")
        lines.append(f"{line}\t{r.hint}")
    return _out(args, doc, lines or ["没有待处理的冲突"])


def _resolve(args) -> int:
    from ..services import sync_district

    with ready_context(args) as ctx:
        done = sync_district.resolve_conflict(ctx, args.conflict, args.keep)
    text = (f"已处理第 {done.conflict_id} 条：{done.field} 保留“{done.value}”，将随同步包发回各笔记本"
            if done.recorded else f"已将第 {done.conflict_id} 条标记为已处理")
    doc = {"id": done.conflict_id, "kind": done.kind, "tbl": done.tbl, "row_id": done.row_id, "field": done.field,
           "value": done.value, "recorded": done.recorded}
    return _out(args, doc, [text])


def _duplicates(args) -> int:
    from ..domain.idnumber import mask
    from ..storage import members_repo, sync_store

    with ready_context(args) as ctx:
        pairs = []
        for a, b, rule, decision in sync_store.duplicate_pairs(ctx.db):
            ma, mb = members_repo.get(ctx.db, a), members_repo.get(ctx.db, b)
            pairs.append({"member_a": a, "member_b": b, "rule": rule, "decision": decision,
                          "name_a": ma.name if ma else "", "name_b": mb.name if mb else "",
                          "id_number": mask(ma.id_number) if ma else ""})
    lines = [f"{pair['name_a']} / {pair['name_b']}\t{pair['id_number']}\t{pair['member_a']}\t{pair['member_b']}"
             f"\t{pair['decision'] or '待判断'}" for pair in pairs] or ["没有可能重复的人员"]
    return _out(args, pairs, lines)


def _merge_person(args) -> int:
    from ..services import person_merge

    with ready_context(args) as ctx:
        done = person_merge.merge_persons(ctx, args.keep, args.drop)
    lines = [f"已将 {done.drop_id} 并入 {done.keep_id}："
             + ("，".join(f"{tbl} {n} 条" for tbl, n in sorted(done.moved.items())) or "没有需要转移的记录")]
    if len(done.active_cards) > 1:
        lines.append(f"注意：合并后有 {len(done.active_cards)} 张有效卡，已列入冲突收件箱，请决定保留哪一张")
    doc = {"keep": done.keep_id, "drop": done.drop_id, "moved": done.moved,
           "active_cards": list(done.active_cards)}
    return _out(args, doc, lines)


def _not_same(args) -> int:
    from ..services import person_merge

    with ready_context(args) as ctx:
        person_merge.not_same_person(ctx, args.a, args.b)
    return _out(args, {"a": args.a, "b": args.b, "decision": person_merge.DISTINCT},
                [f"已确认 {args.a} 和 {args.b} 不是同一人"])
