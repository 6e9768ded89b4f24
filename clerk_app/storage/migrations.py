"""Schema as named migration steps (sqlite-utils ``Migrations``), each in a transaction.

Rules: never edit a step that has shipped — add a new one. Before any step runs on an
existing database, the file is copied with ``VACUUM INTO`` to ``backups/``. A database
that has steps this build does not know was written by a newer version and is refused.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any, Iterator

from sqlite_utils import Database, Migrations

from ..clock import SYSTEM
from ..domain.errors import UserError
from .backup import backup_to
from .cipher import Error

migrations = Migrations("clerk_app")


@contextlib.contextmanager
def _rebuilding(db: Database, what: str) -> Iterator[None]:
    """Around a step that rebuilds tables: foreign keys off (dropping an old table would
    otherwise cascade-delete its children), which cannot change inside a transaction, so the
    step runs in its own; the keys are checked before it commits and switched back on after."""
    conn = db.conn
    fk_on = conn.execute("PRAGMA foreign_keys").fetchone()[0]
    conn.execute("PRAGMA foreign_keys=OFF")
    try:
        with db.atomic():
            yield
            bad = conn.execute("PRAGMA foreign_key_check").fetchall()
            if bad:
                raise RuntimeError(f"foreign key check failed after {what}: {bad[:3]}")
    finally:
        if fk_on:
            conn.execute("PRAGMA foreign_keys=ON")


@migrations(name="0001_core")
def _core(db: Database) -> None:
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("""CREATE TABLE clerks (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL)""")
    db.execute("""CREATE TABLE unions (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL,
        parent_id TEXT REFERENCES unions(id), created_at TEXT NOT NULL)""")
    db.execute("CREATE INDEX idx_unions_parent ON unions(parent_id)")
    db.execute("""CREATE TABLE change_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, hlc TEXT NOT NULL, site_id TEXT NOT NULL,
        tbl TEXT NOT NULL, row_id TEXT NOT NULL, op TEXT NOT NULL, data TEXT NOT NULL)""")
    db.execute("CREATE INDEX idx_change_log_row ON change_log(tbl, row_id)")
    db.execute("""CREATE TABLE tombstones (
        tbl TEXT NOT NULL, row_id TEXT NOT NULL, hlc TEXT NOT NULL, site_id TEXT NOT NULL,
        PRIMARY KEY (tbl, row_id))""")
    db.execute("""CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, site_id TEXT NOT NULL,
        clerk_id TEXT NOT NULL, action TEXT NOT NULL, entity TEXT NOT NULL,
        entity_id TEXT NOT NULL, detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)""")
    db.execute("CREATE INDEX idx_audit_entity ON audit_log(entity_id)")


@migrations(name="0002_members")
def _members(db: Database) -> None:
    db.execute("""CREATE TABLE members (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL, gender TEXT NOT NULL, birth_date TEXT NOT NULL,
        ethnicity TEXT NOT NULL DEFAULT '', id_number TEXT NOT NULL, id_kind TEXT NOT NULL,
        phone TEXT NOT NULL DEFAULT '',
        employer TEXT NOT NULL DEFAULT '', platform TEXT NOT NULL DEFAULT '',
        work_area TEXT NOT NULL DEFAULT '', occupation TEXT NOT NULL DEFAULT '',
        household_type TEXT NOT NULL DEFAULT '', education TEXT NOT NULL DEFAULT '',
        political_status TEXT NOT NULL DEFAULT '', native_place TEXT NOT NULL DEFAULT '',
        job_title TEXT NOT NULL DEFAULT '', professional_title TEXT NOT NULL DEFAULT '',
        salary_fen INTEGER, family_info TEXT NOT NULL DEFAULT '', resume TEXT NOT NULL DEFAULT '',
        member_card_no TEXT NOT NULL DEFAULT '', remarks TEXT NOT NULL DEFAULT '',
        union_id TEXT NOT NULL REFERENCES unions(id),
        join_date TEXT NOT NULL, join_channel TEXT NOT NULL, status TEXT NOT NULL,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL)""")
    db.execute("CREATE UNIQUE INDEX idx_members_id_number ON members(id_number)")
    db.execute("CREATE INDEX idx_members_name_birth ON members(name, birth_date)")
    db.execute("CREATE INDEX idx_members_union ON members(union_id)")
    # Local search keys (not synced, rebuilt from the record): pinyin 'p:…', reversed digits 'd:…'.
    db.execute("""CREATE TABLE member_keys (
        key TEXT NOT NULL, member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
        PRIMARY KEY (key, member_id)) WITHOUT ROWID""")
    db.execute("CREATE INDEX idx_member_keys_member ON member_keys(member_id)")
    db.execute("""CREATE TABLE member_status_history (
        id TEXT PRIMARY KEY, member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
        status TEXT NOT NULL, effective_date TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '',
        channel TEXT NOT NULL DEFAULT '', recorded_at TEXT NOT NULL)""")
    db.execute("CREATE INDEX idx_status_history_member ON member_status_history(member_id)")
    db.execute("""CREATE TABLE consents (
        id TEXT PRIMARY KEY, member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
        notice_version TEXT NOT NULL, consented_at TEXT NOT NULL, method TEXT NOT NULL,
        clerk_id TEXT NOT NULL)""")
    db.execute("CREATE INDEX idx_consents_member ON consents(member_id)")


@migrations(name="0003_cards")
def _cards(db: Database) -> None:
    # Service cards. card_no is unique across all laptops by construction (domain.cardno);
    # replaced_by_card_id and event_id are plain columns (no FK) so synced rows may arrive
    # in any order. "One active card per member" is kept by services.cards, not by a
    # unique index, so two laptops' offline issues can still be merged and then resolved.
    db.execute("""CREATE TABLE cards (
        id TEXT PRIMARY KEY, card_no TEXT NOT NULL,
        member_id TEXT NOT NULL REFERENCES members(id),
        status TEXT NOT NULL, issue_date TEXT NOT NULL, issued_at TEXT NOT NULL,
        status_date TEXT, replaced_by_card_id TEXT, event_id TEXT,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL)""")
    db.execute("CREATE UNIQUE INDEX idx_cards_card_no ON cards(card_no)")
    db.execute("CREATE INDEX idx_cards_member ON cards(member_id, status)")
    db.execute("CREATE INDEX idx_cards_status_date ON cards(status, issue_date)")
    db.execute("CREATE INDEX idx_cards_issue_date ON cards(issue_date)")
    db.execute("""CREATE TABLE card_events (
        id TEXT PRIMARY KEY, card_id TEXT NOT NULL REFERENCES cards(id),
        event TEXT NOT NULL, event_date TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '',
        other_card_id TEXT, recorded_at TEXT NOT NULL)""")
    db.execute("CREATE INDEX idx_card_events_card ON card_events(card_id, event_date)")


@migrations(name="0004_events")
def _events(db: Database) -> None:
    # Outreach events and their sign-in desk. sub_venues and services are JSON lists of text.
    db.execute("""CREATE TABLE events (
        id TEXT PRIMARY KEY, type TEXT NOT NULL, title TEXT NOT NULL, event_date TEXT NOT NULL,
        start_time TEXT NOT NULL DEFAULT '', end_time TEXT NOT NULL DEFAULT '',
        venue TEXT NOT NULL, union_id TEXT NOT NULL REFERENCES unions(id),
        sub_venues TEXT NOT NULL DEFAULT '[]', services TEXT NOT NULL DEFAULT '[]',
        notes TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL, updated_at TEXT NOT NULL)""")
    db.execute("CREATE INDEX idx_events_date ON events(event_date, type)")
    # One row per person signed in. member_id is NULL for a walk-in until they join at the desk
    # (then it points to the new member and is_walk_in stays 1). A member counts once per event.
    db.execute("""CREATE TABLE attendance (
        id TEXT PRIMARY KEY, event_id TEXT NOT NULL REFERENCES events(id),
        member_id TEXT REFERENCES members(id), is_walk_in INTEGER NOT NULL DEFAULT 0,
        walk_in_name TEXT NOT NULL DEFAULT '', walk_in_phone TEXT NOT NULL DEFAULT '',
        walk_in_occupation TEXT NOT NULL DEFAULT '', walk_in_employer TEXT NOT NULL DEFAULT '',
        method TEXT NOT NULL, sub_venue TEXT, signed_in_at TEXT NOT NULL, joined_at TEXT)""")
    db.execute("CREATE UNIQUE INDEX idx_attendance_event_member ON attendance(event_id, member_id)")
    db.execute("CREATE INDEX idx_attendance_event_phone ON attendance(event_id, walk_in_phone)")
    db.execute("CREATE INDEX idx_attendance_member ON attendance(member_id)")
    # Tallies as increments (they merge across laptops by summing); undo is a negative row.
    db.execute("""CREATE TABLE event_tallies (
        id TEXT PRIMARY KEY, event_id TEXT NOT NULL REFERENCES events(id),
        kind TEXT NOT NULL, label TEXT NOT NULL, delta INTEGER NOT NULL, recorded_at TEXT NOT NULL)""")
    db.execute("CREATE INDEX idx_event_tallies_event ON event_tallies(event_id, kind, label)")
    db.execute("CREATE INDEX idx_cards_event ON cards(event_id)")


@migrations(name="0005_roster_minimum", transactional=False)
def _roster_minimum(db: Database) -> None:
    """Members from a union's roster may lack parts of the 登记表: ``join_date`` may be
    unknown (NULL: the roster did not say, and the import must not invent one), and
    ``missing_fields`` names what is still to be completed (empty when complete; a partial
    index keeps the members page's 资料待补全 filter fast at 200,000 members). A consent
    row gets its ``basis`` (for a roster: which file, handed over by which union).

    SQLite cannot drop a NOT NULL in place, so the members table is rebuilt (rowids kept:
    the member list pages by rowid). Foreign keys are switched off around the rebuild —
    dropping the old table would otherwise cascade-delete every member's history — which
    cannot happen inside a transaction, hence ``transactional=False`` with its own one.
    Safe to run again if it was interrupted after the rebuild."""
    conn = db.conn
    if "missing_fields" in [r[1] for r in conn.execute("PRAGMA table_info(members)")]:
        return
    with _rebuilding(db, "members"):
        cols = [r[1] for r in conn.execute("PRAGMA table_info(members)")]
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE type='table' AND name='members'").fetchone()[0]
        new_sql = sql.replace("CREATE TABLE members", "CREATE TABLE members_new", 1)
        new_sql = new_sql.replace("join_date TEXT NOT NULL", "join_date TEXT", 1)
        new_sql = new_sql.rstrip().rstrip(")") + ",\n        missing_fields TEXT NOT NULL DEFAULT '')"
        conn.execute(new_sql)
        names = ", ".join(cols)
        conn.execute(f"INSERT INTO members_new (rowid, {names}) SELECT rowid, {names} FROM members")
        conn.execute("DROP TABLE members")
        conn.execute("ALTER TABLE members_new RENAME TO members")
        conn.execute("CREATE UNIQUE INDEX idx_members_id_number ON members(id_number)")
        conn.execute("CREATE INDEX idx_members_name_birth ON members(name, birth_date)")
        conn.execute("CREATE INDEX idx_members_union ON members(union_id)")
        # Holds only the incomplete members, in rowid order (see members_repo.INCOMPLETE).
        conn.execute("CREATE INDEX idx_members_incomplete ON members((missing_fields != ''))"
                     " WHERE missing_fields != ''")
        conn.execute("ALTER TABLE consents ADD COLUMN basis TEXT NOT NULL DEFAULT ''")


@migrations(name="0006_clerk_roles")
def _clerk_roles(db: Database) -> None:
    """Clerks get a role (经办人 / 负责人 / 管理员) and can be switched off (``active`` 0: no
    longer in the keyring, their audit entries keep naming them). The clerk of a laptop set up
    before accounts existed owns it: 管理员."""
    db.execute("ALTER TABLE clerks ADD COLUMN role TEXT NOT NULL DEFAULT '管理员'")
    db.execute("ALTER TABLE clerks ADD COLUMN active INTEGER NOT NULL DEFAULT 1")


@migrations(name="0008_audit_anchor")
def _audit_anchor(db: Database) -> None:
    """The audit chain's hash covers the site id (format v2), and the chain is anchored:
    entry count and latest hash in ``meta``, moved on with every entry (storage.audit). Existing
    entries are checked in the old format and rehashed; a chain already broken stays reported."""
    from .audit import rehash_v1_to_v2

    rehash_v1_to_v2(db)


# Tables whose rows travel between laptops and the district (see clerk_app.sync.policy).
SYNCED_TABLES = ("unions", "members", "member_status_history", "consents", "cards", "card_events",
                 "events", "attendance", "event_tallies")
_REFERENCES = re.compile(r"\s+REFERENCES\s+\w+\s*\(\s*\w+\s*\)(\s+ON\s+DELETE\s+CASCADE)?", re.IGNORECASE)
# Unique rules two offline laptops can break: merge rules now (duplicate_pairs; counted sign-in).
_NOT_UNIQUE = ("idx_members_id_number", "idx_attendance_event_member")


@migrations(name="0009_sync_foundation", transactional=False)
def _sync_foundation(db: Database) -> None:
    """What merging packages from several laptops needs before any package exists.

    * ``change_log`` rows carry their origin (site, epoch, that site's own sequence; a local
      row's origin sequence is its ``seq``), the business transaction they belong to
      (``txn_id``) and ``base``: for each field changed, the version the editor saw.
    * Synced tables lose their foreign keys (so their cascades): a change whose parent has
      not arrived is parked, a delete never takes another laptop's rows with it.
    * The ID-number and the one-sign-in-per-event indexes are no longer unique: the laptop's
      own services still refuse both, the merge records duplicates instead.
    * New tables for what the merge finds: ``parked_changes``, ``sync_conflicts``,
      ``duplicate_pairs``, ``sync_alarms``; ``audit_remote`` for other laptops' audit entries; ``attendance.duplicate_of`` marks sign-ins that
      do not count (another laptop signed the same person in earlier).

    Tables are rebuilt with their rowids, foreign keys off around it (as in 0005)."""
    conn = db.conn
    if "origin_seq" in [r[1] for r in conn.execute("PRAGMA table_info(change_log)")]:
        return
    with _rebuilding(db, "the sync foundation"):
        for tbl in SYNCED_TABLES:
            _rebuild_without_references(conn, tbl)
        conn.execute("ALTER TABLE attendance ADD COLUMN duplicate_of TEXT")
        conn.execute("ALTER TABLE change_log ADD COLUMN origin_epoch INTEGER NOT NULL DEFAULT 0")
        conn.execute("ALTER TABLE change_log ADD COLUMN origin_seq INTEGER NOT NULL DEFAULT 0")
        conn.execute("ALTER TABLE change_log ADD COLUMN txn_id TEXT NOT NULL DEFAULT ''")
        conn.execute("ALTER TABLE change_log ADD COLUMN base TEXT NOT NULL DEFAULT '{}'")
        # Before this step a change's transaction was not recorded: each is its own.
        conn.execute("UPDATE change_log SET origin_seq = seq, txn_id = 'seq-' || seq")
        conn.execute("CREATE UNIQUE INDEX idx_change_log_origin"
                     " ON change_log(site_id, origin_epoch, origin_seq)")
        conn.execute("""CREATE TABLE parked_changes (
            id INTEGER PRIMARY KEY AUTOINCREMENT, origin_site TEXT NOT NULL,
            origin_epoch INTEGER NOT NULL, origin_seq INTEGER NOT NULL, txn_id TEXT NOT NULL,
            tbl TEXT NOT NULL, row_id TEXT NOT NULL, reason TEXT NOT NULL, wait_tbl TEXT NOT NULL DEFAULT '', wait_id TEXT NOT NULL DEFAULT '',
            record TEXT NOT NULL, parked_at TEXT NOT NULL)""")
        conn.execute("CREATE UNIQUE INDEX idx_parked_origin"
                     " ON parked_changes(origin_site, origin_epoch, origin_seq)")
        conn.execute("CREATE INDEX idx_parked_wait ON parked_changes(wait_tbl, wait_id)")
        conn.execute("CREATE INDEX idx_parked_row ON parked_changes(tbl, row_id)")
        conn.execute("""CREATE TABLE sync_conflicts (
            id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, tbl TEXT NOT NULL,
            row_id TEXT NOT NULL, field TEXT NOT NULL DEFAULT '', key TEXT NOT NULL,
            detail TEXT NOT NULL, found_at TEXT NOT NULL, resolved_at TEXT)""")
        conn.execute("CREATE UNIQUE INDEX idx_sync_conflicts_key ON sync_conflicts(kind, tbl, row_id, field, key)")
        conn.execute("""CREATE TABLE duplicate_pairs (
            member_a TEXT NOT NULL, member_b TEXT NOT NULL, rule TEXT NOT NULL,
            found_at TEXT NOT NULL, decision TEXT NOT NULL DEFAULT '', decided_at TEXT,
            PRIMARY KEY (member_a, member_b))""")
        conn.execute("""CREATE TABLE sync_alarms (
            id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, origin_site TEXT NOT NULL,
            origin_epoch INTEGER NOT NULL, origin_seq INTEGER NOT NULL, detail TEXT NOT NULL,
            found_at TEXT NOT NULL)""")
        conn.execute("CREATE UNIQUE INDEX idx_sync_alarms_key"
                     " ON sync_alarms(kind, origin_site, origin_epoch, origin_seq)")
        # Other laptops' audit entries, as they sent them (their chains are checked per laptop).
        conn.execute("""CREATE TABLE audit_remote (
            site_id TEXT NOT NULL, id INTEGER NOT NULL, at TEXT NOT NULL, clerk_id TEXT NOT NULL,
            action TEXT NOT NULL, entity TEXT NOT NULL, entity_id TEXT NOT NULL, detail TEXT NOT NULL,
            prev_hash TEXT NOT NULL, hash TEXT NOT NULL, received_at TEXT NOT NULL,
            PRIMARY KEY (site_id, id))""")
        conn.execute("CREATE INDEX idx_audit_remote_hash ON audit_remote(hash)")



def _rebuild_without_references(conn: Any, tbl: str) -> None:
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE type='table' AND name=?", [tbl]).fetchone()[0]
    indexes = [r[0] for r in conn.execute(
        "SELECT sql FROM sqlite_master WHERE type='index' AND tbl_name=? AND sql IS NOT NULL", [tbl])]
    cols = ", ".join(r[1] for r in conn.execute(f"PRAGMA table_info({tbl})"))
    new_sql = re.sub(rf'^CREATE TABLE\s+"?{tbl}"?', f"CREATE TABLE {tbl}_new", _REFERENCES.sub("", sql), count=1)
    conn.execute(new_sql)
    conn.execute(f"INSERT INTO {tbl}_new (rowid, {cols}) SELECT rowid, {cols} FROM {tbl}")
    conn.execute(f"DROP TABLE {tbl}")
    conn.execute(f"ALTER TABLE {tbl}_new RENAME TO {tbl}")
    for index in indexes:
        if any(name in index for name in _NOT_UNIQUE):
            index = index.replace("CREATE UNIQUE INDEX", "CREATE INDEX", 1)
        conn.execute(index)


@migrations(name="0010_hardship")
def _hardship(db: Database) -> None:
    """Hardship files (困难职工档案) and the assistance ledger. Every table has UUID ids and
    travels in sync. ``worker_no`` (职工编号) is numbered under the laptop's card code like
    cards, so two laptops never give the same one. Money is integer fen. The ledger and the
    lifecycle history are append-only: triggers refuse an UPDATE or DELETE of their rows (a
    correction is a reversal entry plus a new one). Consents get a ``kind`` (``general`` for the
    member's notice; ``hardship_sensitive``; ``guardian`` for a minor's data, ``subject_id``
    naming the household member) — sensitive personal information needs its own consent.
    Like every synced table since 0009, no foreign keys: a row whose file has not arrived yet
    is parked by the merge."""
    db.execute("ALTER TABLE consents ADD COLUMN kind TEXT NOT NULL DEFAULT 'general'")
    db.execute("ALTER TABLE consents ADD COLUMN subject_id TEXT NOT NULL DEFAULT ''")
    db.execute("CREATE INDEX idx_consents_member_kind ON consents(member_id, kind)")
    db.execute("""CREATE TABLE hardship_files (
        id TEXT PRIMARY KEY, member_id TEXT NOT NULL, worker_no TEXT NOT NULL,
        category TEXT NOT NULL, health TEXT NOT NULL DEFAULT '良好', illness TEXT NOT NULL DEFAULT '',
        disability_kind TEXT NOT NULL DEFAULT '', disability_grade TEXT NOT NULL DEFAULT '',
        work_status TEXT NOT NULL DEFAULT '', model_worker TEXT NOT NULL DEFAULT '',
        housing_type TEXT NOT NULL DEFAULT '', housing_area TEXT NOT NULL DEFAULT '',
        other_contact TEXT NOT NULL DEFAULT '', work_since TEXT NOT NULL DEFAULT '',
        industry TEXT NOT NULL DEFAULT '', marital_status TEXT NOT NULL DEFAULT '',
        register_type TEXT NOT NULL DEFAULT '', address TEXT NOT NULL DEFAULT '',
        employer_nature TEXT NOT NULL DEFAULT '', enterprise_status TEXT NOT NULL DEFAULT '',
        single_parent INTEGER NOT NULL DEFAULT 0,
        own_monthly_fen INTEGER NOT NULL DEFAULT 0, other_yearly_fen INTEGER NOT NULL DEFAULT 0,
        household_size INTEGER NOT NULL DEFAULT 1, register_region TEXT NOT NULL DEFAULT '',
        medical_insurance TEXT NOT NULL DEFAULT '', self_help INTEGER NOT NULL DEFAULT 0,
        zero_employment INTEGER NOT NULL DEFAULT 0, primary_cause TEXT NOT NULL DEFAULT '',
        secondary_cause TEXT NOT NULL DEFAULT '', cause_text TEXT NOT NULL DEFAULT '',
        bank TEXT NOT NULL DEFAULT '', bank_branch TEXT NOT NULL DEFAULT '', bank_account TEXT NOT NULL DEFAULT '',
        remarks TEXT NOT NULL DEFAULT '', filer TEXT NOT NULL DEFAULT '', reviewer TEXT NOT NULL DEFAULT '',
        entry_clerk TEXT NOT NULL DEFAULT '',
        opinion_org TEXT NOT NULL DEFAULT '', opinion_org_date TEXT NOT NULL DEFAULT '',
        opinion_union TEXT NOT NULL DEFAULT '', opinion_union_date TEXT NOT NULL DEFAULT '',
        opinion_system TEXT NOT NULL DEFAULT '', opinion_system_date TEXT NOT NULL DEFAULT '',
        publicized INTEGER NOT NULL DEFAULT 0, publicized_date TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL, filed_date TEXT NOT NULL, resurvey_due TEXT NOT NULL,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL)""")
    db.execute("CREATE UNIQUE INDEX idx_hardship_files_no ON hardship_files(worker_no)")
    db.execute("CREATE INDEX idx_hardship_files_member ON hardship_files(member_id)")
    db.execute("CREATE INDEX idx_hardship_files_due ON hardship_files(status, resurvey_due)")
    db.execute("""CREATE TABLE hardship_household (
        id TEXT PRIMARY KEY, file_id TEXT NOT NULL,
        name TEXT NOT NULL, relation TEXT NOT NULL, ethnicity TEXT NOT NULL DEFAULT '',
        id_number TEXT NOT NULL DEFAULT '', birth_date TEXT NOT NULL DEFAULT '', gender TEXT NOT NULL DEFAULT '',
        political_status TEXT NOT NULL DEFAULT '', monthly_income_fen INTEGER NOT NULL DEFAULT 0,
        model_worker TEXT NOT NULL DEFAULT '', health TEXT NOT NULL DEFAULT '良好',
        illness TEXT NOT NULL DEFAULT '', medical_insurance TEXT NOT NULL DEFAULT '',
        marital_status TEXT NOT NULL DEFAULT '', register_type TEXT NOT NULL DEFAULT '',
        phone TEXT NOT NULL DEFAULT '', identity TEXT NOT NULL DEFAULT '', education TEXT NOT NULL DEFAULT '',
        enrol_year TEXT NOT NULL DEFAULT '', school_years TEXT NOT NULL DEFAULT '',
        school_or_employer TEXT NOT NULL DEFAULT '', work_status TEXT NOT NULL DEFAULT '',
        position INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)""")
    db.execute("CREATE INDEX idx_hardship_household_file ON hardship_household(file_id)")
    db.execute("""CREATE TABLE hardship_history (
        id TEXT PRIMARY KEY, file_id TEXT NOT NULL,
        event TEXT NOT NULL, effective_date TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '',
        clerk_id TEXT NOT NULL, recorded_at TEXT NOT NULL)""")
    db.execute("CREATE INDEX idx_hardship_history_file ON hardship_history(file_id, effective_date)")
    db.execute("""CREATE TABLE hardship_rules (
        id TEXT PRIMARY KEY, version INTEGER NOT NULL, rules TEXT NOT NULL, note TEXT NOT NULL DEFAULT '',
        clerk_id TEXT NOT NULL, recorded_at TEXT NOT NULL)""")
    db.execute("""CREATE TABLE hardship_ledger (
        id TEXT PRIMARY KEY, file_id TEXT NOT NULL,
        kind TEXT NOT NULL, amount_fen INTEGER NOT NULL, paid_date TEXT NOT NULL,
        fund TEXT NOT NULL, approver TEXT NOT NULL, recipient_id TEXT NOT NULL DEFAULT '',
        recipient_name TEXT NOT NULL, method TEXT NOT NULL, notes TEXT NOT NULL DEFAULT '',
        rule_version INTEGER NOT NULL, reverses_id TEXT NOT NULL DEFAULT '',
        clerk_id TEXT NOT NULL, recorded_at TEXT NOT NULL)""")
    db.execute("CREATE INDEX idx_hardship_ledger_file ON hardship_ledger(file_id, kind, paid_date)")
    db.execute("CREATE INDEX idx_hardship_ledger_date ON hardship_ledger(paid_date)")
    db.execute("CREATE INDEX idx_hardship_ledger_reverses ON hardship_ledger(reverses_id)")
    db.execute("""CREATE TABLE hardship_overrides (
        id TEXT PRIMARY KEY, entry_id TEXT NOT NULL,
        rule TEXT NOT NULL, detail TEXT NOT NULL, reason TEXT NOT NULL,
        clerk_id TEXT NOT NULL, recorded_at TEXT NOT NULL)""")
    db.execute("CREATE INDEX idx_hardship_overrides_entry ON hardship_overrides(entry_id)")
    db.execute("""CREATE TABLE hardship_visits (
        id TEXT PRIMARY KEY, file_id TEXT NOT NULL,
        visit_date TEXT NOT NULL, visitors TEXT NOT NULL, findings TEXT NOT NULL DEFAULT '',
        given TEXT NOT NULL DEFAULT '', clerk_id TEXT NOT NULL, recorded_at TEXT NOT NULL)""")
    db.execute("CREATE INDEX idx_hardship_visits_file ON hardship_visits(file_id, visit_date)")
    # Evidence (income proof, diagnosis, school enrolment …): the file itself lives in the data
    # folder under its content hash, encrypted (storage.attachments); the row says what it is.
    db.execute("""CREATE TABLE hardship_attachments (
        id TEXT PRIMARY KEY, file_id TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL,
        sha256 TEXT NOT NULL, size INTEGER NOT NULL, clerk_id TEXT NOT NULL, recorded_at TEXT NOT NULL)""")
    db.execute("CREATE INDEX idx_hardship_attachments_file ON hardship_attachments(file_id)")
    for tbl in ("hardship_ledger", "hardship_history", "hardship_overrides"):
        for op in ("UPDATE", "DELETE"):
            db.execute(f"""CREATE TRIGGER trg_{tbl}_no_{op.lower()} BEFORE {op} ON {tbl}
                BEGIN SELECT RAISE(ABORT, '{tbl} is append-only'); END""")


@migrations(name="0011_sync_ledger")
def _sync_ledger(db: Database) -> None:
    """What this computer knows of its sync partners and of every package it sent or imported.

    * ``sync_peers``: the sender registry (site id, name, public keys, revoked after which
      (epoch, seq)), and what each peer has acknowledged of ours (``acked_seq``: our local
      change_log sequence, ``acked_audit``: our audit id). A laptop holds its district; the
      district every enrolled laptop.
    * ``sync_packages``: the ledger, one row per package sent (``direction`` out, ``site`` the
      recipient) or imported (in, ``site`` the sender): (sender, epoch, seq) with the signed
      manifest's digest and the previous package's, counts, what it covered, and when. An
      outgoing row keeps the package's bytes until it is acknowledged (a re-export of the
      same sequence then writes the same package)."""
    db.execute("""CREATE TABLE sync_peers (
        site_id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,
        signing_public BLOB NOT NULL, encryption_public BLOB NOT NULL,
        revoked_epoch INTEGER, revoked_seq INTEGER,
        epoch INTEGER NOT NULL DEFAULT 0, union_id TEXT NOT NULL DEFAULT '', card_code TEXT NOT NULL DEFAULT '',
        acked_seq INTEGER NOT NULL DEFAULT 0, acked_audit INTEGER NOT NULL DEFAULT 0,
        added_at TEXT NOT NULL)""")
    db.execute("""CREATE TABLE sync_packages (
        direction TEXT NOT NULL, site TEXT NOT NULL, sender TEXT NOT NULL, epoch INTEGER NOT NULL,
        seq INTEGER NOT NULL, digest TEXT NOT NULL, prev TEXT NOT NULL DEFAULT '',
        counts TEXT NOT NULL, upto_seq INTEGER NOT NULL DEFAULT 0, upto_audit INTEGER NOT NULL DEFAULT 0,
        data BLOB, file TEXT NOT NULL DEFAULT '', at TEXT NOT NULL,
        PRIMARY KEY (direction, sender, epoch, seq, site))""")
    db.execute("CREATE INDEX idx_sync_packages_digest ON sync_packages(digest)")


@migrations(name="0012_person_merge")
def _person_merge(db: Database) -> None:
    """A person registered on two laptops and merged at the district: the dropped record stays
    (so replayed packages that still name it have a row to land on) with ``merged_into`` naming
    the survivor; lists and search hide it, the merge re-points whatever arrives for it."""
    db.execute("ALTER TABLE members ADD COLUMN merged_into TEXT")
    db.execute("CREATE INDEX idx_members_merged ON members(merged_into) WHERE merged_into IS NOT NULL")


@migrations(name="0013_sync_attachment_files")
def _sync_attachment_files(db: Database) -> None:
    """Which attachment files (by content hash) each sync partner has: sent in our package
    (epoch, seq) and not yet acknowledged (``acked`` 0), waiting for room in a later package
    (seq 0), or held by the partner (``acked`` 1: it acknowledged them, or sent them to us).
    Local bookkeeping, never synced."""
    db.execute("""CREATE TABLE sync_attachment_files (
        peer TEXT NOT NULL, sha256 TEXT NOT NULL, epoch INTEGER NOT NULL DEFAULT 0,
        seq INTEGER NOT NULL DEFAULT 0, acked INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (peer, sha256))""")


@migrations(name="0014_name_grams")
def _name_grams(db: Database) -> None:
    """Name fragments found through the search keys: each member's name characters and pairs
    of neighbouring characters (``c:`` / ``b:`` keys with the member's rowid, see
    :func:`.members_repo.name_grams`), so a fragment is an index range instead of a scan of
    the name index. Merged (hidden) members have no keys, as before."""
    from .members_repo import gram_keys

    conn = db.conn
    cursor = conn.execute("SELECT rowid, id, name FROM members WHERE merged_into IS NULL")
    while True:
        part = cursor.fetchmany(5000)
        if not part:
            break
        conn.executemany("INSERT OR IGNORE INTO member_keys (key, member_id) VALUES (?, ?)",
                         [(k, member_id) for rowid, member_id, name in part for k in gram_keys(name, rowid)])



@migrations(name="0015_report_indexes")
def _report_indexes(db: Database) -> None:
    """What the supervisor reports read, in the order they read it, without touching the wide
    member rows: each member's status lines in history order (member, effective date, recorded
    at; the rowid that breaks ties is every index's last column) carrying the status and channel
    (this also serves every look-up by member, so the old one-column index goes); the lines of a
    period by date; and the member columns the reports break down by, in id order."""
    db.execute("DROP INDEX IF EXISTS idx_status_history_member")
    db.execute("CREATE INDEX idx_status_history_order ON member_status_history"
               "(member_id, effective_date, recorded_at, status, channel)")
    db.execute("CREATE INDEX idx_status_history_date ON member_status_history(effective_date)")
    db.execute("CREATE INDEX idx_members_report ON members"
               "(id, merged_into, gender, birth_date, occupation, platform, join_channel, union_id)")

def _applied_names(db: Database) -> list[str] | None:
    """The names of the steps applied, in order, in one query (None before the first step)."""
    try:
        return [r[0] for r in db.conn.execute(
            f"SELECT name FROM {migrations.migrations_table} WHERE migration_set = ? ORDER BY rowid",
            [migrations.name])]
    except Error:  # no migrations table yet: a new database
        return None


def _unknown_applied(db: Database) -> list[str]:
    known = {m.name for m in migrations._migrations}
    return [m.name for m in migrations.applied(db) if m.name not in known]


def foreign_tables(conn) -> list[str]:
    """Tables of a SQLite file that this app never migrated: another program's database."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", [migrations.migrations_table]).fetchone():
        row = conn.execute(f"SELECT count(*) FROM {migrations.migrations_table} WHERE migration_set = ?",
                           [migrations.name]).fetchone()
        if row[0]:
            return []
    return [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name != ?",
        [migrations.migrations_table])]


def migrate(db: Database, *, db_path: Path | None = None, backup_dir: Path | None = None) -> list[str]:
    """Apply pending steps; return their names. Refuse a database from a newer version."""
    if _applied_names(db) == [m.name for m in migrations._migrations]:
        return []  # the usual start: up to date, told by one query
    newer = _unknown_applied(db)
    if newer:
        raise UserError("db.newer_version", names="、".join(newer))
    pending = [m.name for m in migrations.pending(db)]
    if not pending:
        return []
    if migrations.applied(db) and backup_dir is not None:
        stamp = SYSTEM.now().strftime("%Y%m%d-%H%M%S")
        backup_to(db, Path(backup_dir) / f"before-{pending[0]}-{stamp}.db", with_attachments=False)
    migrations.apply(db)
    return pending
