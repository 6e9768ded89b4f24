"""The floor of a roster import: the same rows the app writes, written as cheaply as the
same libraries allow, and the check that the two databases hold the same rows.

For every member of the file the app writes a ``members`` row, its search keys, an 入会
line in ``member_status_history``, a ``consents`` row (名单移交 with the file and union as
basis), one change record per row (HLC stamps in that order, one transaction id, ``seq`` =
``origin_seq``) and an audit entry (``create member``, chained); then one ``import`` audit
entry, the remembered column mapping, the clock and the audit anchor in ``meta``.

The floor does exactly that, with no more than it takes: python-calamine reads the file,
``validate_member`` checks each row (the same domain rules and libraries: stdnum-style ID
check, phonenumbers, pypinyin keys), duplicates are looked up in one query per kind, and the
rows go in with one ``executemany`` per table per chunk, the clock and the audit chain
carried in memory and written back once. It runs on its own freshly set-up data folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

CHUNK = 500
# the header of the synthetic roster -> the form field it fills
COLUMNS = {"姓名": "name", "身份证号码": "id_number", "手机号码": "phone", "民族": "ethnicity", "职业": "occupation",
           "平台": "platform", "工作单位": "employer", "工作区域/站点": "work_area", "学历": "education",
           "政治面貌": "political_status", "入会日期": "join_date", "备注": "remarks"}


def floor_import(ctx, path: Path) -> int:
    """Import ``path`` into ``ctx``'s (fresh) database the floor's way; returns members saved."""
    from python_calamine import CalamineWorkbook

    from clerk_app.domain import vocab
    from clerk_app.domain.member import MemberInput, validate_member
    from clerk_app.domain.messages import message
    from clerk_app.domain.roster_cells import cell_date, cell_text
    from clerk_app.domain.roster_columns import header_signature, propose_mapping
    from clerk_app.storage.audit import ANCHOR_KEY, digest_v2
    from clerk_app.storage.changes import HLC_KEY
    from clerk_app.storage.db import transaction
    from clerk_app.storage.hlc import HybridClock
    from clerk_app.storage.members_repo import gram_keys, search_keys

    wb = CalamineWorkbook.from_path(str(path))
    data = wb.get_sheet_by_index(0).to_python()
    wb.close()
    header = [str(h) for h in data[0]]
    where = {COLUMNS[h]: i for i, h in enumerate(header) if h in COLUMNS}
    today, union_id, clerk_id, site = ctx.today(), ctx.home_union_id, ctx.clerk.id, ctx.site_id
    conn = ctx.db.conn
    union_name = conn.execute("SELECT name FROM unions WHERE id = ?", [union_id]).fetchone()[0]
    basis = message("roster.consent_basis", union=union_name, file=path.name)

    values_list = []
    for cells in data[1:]:
        fields = {}
        for fname, i in where.items():
            cell = cells[i] if i < len(cells) else None
            if fname == "join_date":
                fields[fname] = cell_date(cell)[0]
            else:
                fields[fname] = cell_text(cell).strip()
        clean, issues = validate_member(MemberInput(union_id=union_id, join_channel="other",
                                                    consent_method=vocab.ROSTER_CONSENT, **fields), today, roster=True)
        if issues:
            raise RuntimeError(f"the synthetic roster has a bad row: {issues}")
        values_list.append(clean.values)

    saved = 0
    with transaction(ctx.db):
        ids = json.dumps([v["id_number"] for v in values_list])
        if conn.execute("SELECT count(*) FROM members WHERE id_number IN (SELECT value FROM json_each(?))",
                        [ids]).fetchone()[0]:
            raise RuntimeError("already registered")
        pairs = json.dumps([[v["name"], v["birth_date"]] for v in values_list])
        if conn.execute("SELECT count(*) FROM json_each(?) j JOIN members m ON m.name = j.value ->> 0"
                        " AND m.birth_date = j.value ->> 1", [pairs]).fetchone()[0]:
            raise RuntimeError("possible duplicates")
        if len({v["id_number"] for v in values_list}) != len(values_list):
            raise RuntimeError("duplicates in the file")

        saved_clock = conn.execute("SELECT value FROM meta WHERE key = ?", [HLC_KEY]).fetchone()
        clock = HybridClock(saved_clock[0] if saved_clock else None, ctx.clock.wall_ms)
        seq = max(conn.execute("SELECT coalesce(max(seq), 0) FROM change_log").fetchone()[0],
                  (conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'change_log'").fetchone() or [0])[0])
        txn = conn.execute("SELECT lower(hex(randomblob(16)))").fetchone()[0]
        anchor = conn.execute("SELECT value FROM meta WHERE key = ?", [ANCHOR_KEY]).fetchone()
        count_text, _, prev = (anchor[0] if anchor else "0 ").partition(" ")
        audit_count = int(count_text)
        epoch = 0
        from clerk_app.services.context import new_id

        def changes(tbl, row):
            nonlocal seq
            seq += 1
            return (seq, clock.now(), site, tbl, row["id"], "create",
                    json.dumps({k: v for k, v in row.items() if k != "id"}, ensure_ascii=False, sort_keys=True),
                    epoch, seq, txn, "{}")

        def audit(at, action, entity, entity_id, detail):
            nonlocal prev, audit_count
            detail_json = json.dumps(detail, ensure_ascii=False, sort_keys=True)
            digest = digest_v2(prev, site, at, clerk_id, action, entity, entity_id, detail_json)
            row = (at, site, clerk_id, action, entity, entity_id, detail_json, prev, digest)
            prev, audit_count = digest, audit_count + 1
            return row

        member_cols = None
        for start in range(0, len(values_list), CHUNK):
            now = ctx.clock.stamp()
            members, keys, history, consents, log, entries = [], [], [], [], [], []
            for values in values_list[start:start + CHUNK]:
                member_id = new_id()
                member = {"id": member_id, **values, "status": vocab.ACTIVE, "created_at": now, "updated_at": now,
                          "merged_into": None}
                hist = {"id": new_id(), "member_id": member_id, "status": vocab.ACTIVE,
                        "effective_date": values["join_date"] or "", "reason": "入会",
                        "channel": values["join_channel"], "recorded_at": now}
                consent = {"id": new_id(), "member_id": member_id, "notice_version": vocab.NOTICE_VERSION,
                           "consented_at": now, "method": vocab.ROSTER_CONSENT, "clerk_id": clerk_id,
                           "basis": basis, "kind": "general", "subject_id": ""}
                member_cols = member_cols or list(member)
                members.append(tuple(member.values()))
                keys.extend((k, member_id) for k in search_keys(values["name"], values["id_number"], values["phone"]))
                history.append(tuple(hist.values()))
                consents.append(tuple(consent.values()))
                log += [changes("members", member), changes("member_status_history", hist),
                        changes("consents", consent)]
                entries.append(audit(now, "create", "member", member_id, {"channel": values["join_channel"]}))
            last = conn.execute("SELECT coalesce(max(rowid), 0) FROM members").fetchone()[0]
            conn.executemany(f"INSERT INTO members ({', '.join(member_cols)}) VALUES"
                             f" ({', '.join('?' * len(member_cols))})", members)
            # the name-fragment keys carry each member's rowid (migration 0014_name_grams)
            keys.extend((k, member_id) for member_id, rowid, name in conn.execute(
                "SELECT id, rowid, name FROM members WHERE rowid > ?", [last]) for k in gram_keys(name, rowid))
            conn.executemany("INSERT INTO member_status_history (id, member_id, status, effective_date, reason,"
                             " channel, recorded_at) VALUES (?,?,?,?,?,?,?)", history)
            conn.executemany("INSERT INTO consents (id, member_id, notice_version, consented_at, method, clerk_id,"
                             " basis, kind, subject_id) VALUES (?,?,?,?,?,?,?,?,?)", consents)
            conn.executemany("INSERT OR IGNORE INTO member_keys (key, member_id) VALUES (?, ?)", keys)
            conn.executemany("INSERT INTO change_log (seq, hlc, site_id, tbl, row_id, op, data, origin_epoch,"
                             " origin_seq, txn_id, base) VALUES (?,?,?,?,?,?,?,?,?,?,?)", log)
            conn.executemany("INSERT INTO audit_log (at, site_id, clerk_id, action, entity, entity_id, detail,"
                             " prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?)", entries)
            saved += len(members)
        mapping = propose_mapping(header)
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                     ["roster_mapping:" + header_signature(header), json.dumps(mapping.to_json(), sort_keys=True)])
        incomplete = sum(1 for v in values_list if v["missing_fields"])
        entry = audit(ctx.clock.stamp(), "import", "members", "",
                      {"rows": len(values_list), "saved": saved, "rejected": 0, "source": "xlsx", "skipped": 0,
                       "incomplete": incomplete})
        conn.execute("INSERT INTO audit_log (at, site_id, clerk_id, action, entity, entity_id, detail,"
                     " prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?)", entry)
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [HLC_KEY, clock.last])
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [ANCHOR_KEY, f"{audit_count} {prev}"])
    return saved


# ---------------------------------------------------------------- the two databases compared

@dataclass
class Marks:
    """Where a database stood before the import: what came after is the import's."""

    seq: int
    audit_id: int
    members: int


def marks(db) -> Marks:
    c = db.conn
    return Marks(c.execute("SELECT coalesce(max(seq), 0) FROM change_log").fetchone()[0],
                 c.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchone()[0],
                 c.execute("SELECT count(*) FROM members").fetchone()[0])


_RANDOM = {"id", "member_id", "union_id", "created_at", "updated_at", "recorded_at", "consented_at", "clerk_id"}


def _member_rows(db) -> list[tuple]:
    cols = [r[1] for r in db.conn.execute("PRAGMA table_info(members)") if r[1] not in _RANDOM]
    return db.conn.execute(f"SELECT {', '.join(cols)} FROM members ORDER BY rowid").fetchall()


def _by_id_number(db, table: str, cols: str, order: str = "t.rowid") -> list[tuple]:
    return db.conn.execute(f"SELECT m.id_number, {cols} FROM {table} t JOIN members m ON m.id = t.member_id"
                           f" ORDER BY {order}").fetchall()


def _log(db, mark: Marks) -> list[tuple]:
    rows = db.conn.execute("SELECT seq, hlc, tbl, op, data, origin_seq, txn_id, base, site_id FROM change_log"
                           " WHERE seq > ? ORDER BY seq", [mark.seq]).fetchall()
    stamps = [r[1] for r in rows]
    if stamps != sorted(stamps) or len(set(stamps)) != len(stamps):
        raise AssertionError("change stamps are not strictly increasing in sequence order")
    if any(r[0] != r[5] for r in rows) or len({r[6] for r in rows}) > 1:
        raise AssertionError("origin_seq != seq, or the import is more than one transaction")
    site = db.conn.execute("SELECT value FROM meta WHERE key = 'site_id'").fetchone()[0]
    if any(r[8] != site for r in rows):
        raise AssertionError("a change record of another site")
    saved = db.conn.execute("SELECT value FROM meta WHERE key = 'hlc_last'").fetchone()[0]
    if rows and saved != stamps[-1]:
        raise AssertionError(f"meta hlc_last {saved} is not the last stamp {stamps[-1]}")
    out = []
    for r in rows:
        data = {k: v for k, v in json.loads(r[4]).items() if k not in _RANDOM}
        out.append((r[2], r[3], json.dumps(data, sort_keys=True, ensure_ascii=False), r[7]))
    return out


def _audit(db, mark: Marks) -> list[tuple]:
    from clerk_app.storage.audit import check_chain

    check = check_chain(db)
    if not check.ok:
        raise AssertionError(f"audit chain: {check.message}")
    return db.conn.execute("SELECT action, entity, detail FROM audit_log WHERE id > ? ORDER BY id",
                           [mark.audit_id]).fetchall()


def same_rows(app_db, app_mark: Marks, floor_db, floor_mark: Marks) -> dict[str, int]:
    """Raise AssertionError unless both databases gained the same rows (ids, clerk ids and
    time stamps aside; change records in the same order with increasing stamps; a valid audit
    chain each, checked by the app's own ``check_chain``). Returns rows compared per table."""
    compared = {}
    for name, fetch in (
        ("members", _member_rows),
        ("member_keys", lambda db: _by_id_number(db, "member_keys", "t.key", "1, 2")),
        ("member_status_history", lambda db: _by_id_number(db, "member_status_history",
                                                          "t.status, t.effective_date, t.reason, t.channel")),
        ("consents", lambda db: _by_id_number(db, "consents", "t.notice_version, t.method, t.basis, t.kind,"
                                                              " t.subject_id")),
        ("change_log", lambda db: _log(db, app_mark if db is app_db else floor_mark)),
        ("audit_log", lambda db: _audit(db, app_mark if db is app_db else floor_mark)),
        ("meta", lambda db: db.conn.execute("SELECT key, value FROM meta WHERE key LIKE 'roster_mapping:%'"
                                            ).fetchall()),
    ):
        a, f = fetch(app_db), fetch(floor_db)
        if a != f:
            diff = next((i for i, (x, y) in enumerate(zip(a, f)) if x != y), min(len(a), len(f)))
            raise AssertionError(f"{name}: app {len(a)} rows, floor {len(f)} rows; first difference at {diff}:"
                                 f" app {a[diff] if diff < len(a) else None!r}"
                                 f" floor {f[diff] if diff < len(f) else None!r}")
        compared[name] = len(a)
    return compared
