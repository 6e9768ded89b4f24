"""Where the database file's bytes go, per member, and what compacting the change log would save.

On a plaintext copy of the N-member data folder (``db decrypt``'s copy; SQLCipher adds only
its per-page reserve), SQLite's ``dbstat`` gives each table's and index's size. Printed:
bytes per member, each object's share (the change log and its indexes together), and two
measurements made on scratch copies, each followed by ``VACUUM``:

* the name-fragment keys (``c:`` / ``b:`` rows of ``member_keys``, migration 0014) removed:
  what they cost;
* change-log payloads compacted: every record's ``data`` reduced to its field names (values
  null), as could be done for records the district has acknowledged (``sync_peers.acked_seq``)
  once their values are no longer needed to resend; see the note printed at the end. The app
  does not do this (yet): the copy shows what it would save.

    python -m benchmarks.bench_filesize [--members 200000]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._data import PlainTwin, common_args, ensure_data  # noqa: E402
from clerk_app.storage.db import DB_FILENAME  # noqa: E402

CHANGE_LOG = ("change_log", "idx_change_log_row", "idx_change_log_origin")


def sizes(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"))
    finally:
        conn.close()


def _vacuumed(path: Path, sql: list[str], compact_payloads: bool = False) -> int:
    scratch = path.with_name("scratch.db")
    shutil.copy2(path, scratch)
    conn = sqlite3.connect(scratch)
    try:
        for statement in sql:
            conn.execute(statement)
        if compact_payloads:
            rows = conn.execute("SELECT seq, data FROM change_log").fetchall()
            conn.executemany("UPDATE change_log SET data = ? WHERE seq = ?",
                             [(json.dumps(dict.fromkeys(json.loads(d)), sort_keys=True), s) for s, d in rows])
        conn.commit()
        conn.execute("VACUUM")
    finally:
        conn.close()
    size = scratch.stat().st_size
    scratch.unlink()
    return size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common_args(parser)
    args = parser.parse_args(argv)
    folder = ensure_data(args.members, args.seed, args.cache_dir)
    twin = PlainTwin(folder)
    work = Path(tempfile.mkdtemp(prefix="bench-size-"))
    try:
        members = twin.db.conn.execute("SELECT count(*) FROM members").fetchone()[0]
        twin.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        plain = work / DB_FILENAME
        shutil.copy2(twin.tmp / DB_FILENAME, plain)
    finally:
        twin.close()
    encrypted = (folder / DB_FILENAME).stat().st_size
    per_object = sizes(plain)
    total = sum(per_object.values())
    log = sum(per_object.get(n, 0) for n in CHANGE_LOG)
    print(f"\nfile size on {members:,} members: encrypted {encrypted / 2**20:,.1f} MiB"
          f" = {encrypted / members / 1024:,.2f} KiB per member (plaintext pages {total / 2**20:,.1f} MiB)")
    print(f"  {'table or index':<34}{'MiB':>10}{'share':>8}{'bytes/member':>14}")
    for name, size in sorted(per_object.items(), key=lambda kv: -kv[1])[:14]:
        print(f"  {name:<34}{size / 2**20:>10.1f}{size / total:>8.0%}{size / members:>14,.0f}")
    print(f"  {'change log with its indexes':<34}{log / 2**20:>10.1f}{log / total:>8.0%}{log / members:>14,.0f}")

    vacuumed = _vacuumed(plain, [])
    no_grams = _vacuumed(plain, ["DELETE FROM member_keys WHERE key GLOB 'c:*' OR key GLOB 'b:*'"])
    compact = _vacuumed(plain, [], compact_payloads=True)
    print(f"\nmeasured on vacuumed scratch copies ({vacuumed / 2**20:,.1f} MiB as it is):")
    grams = vacuumed - no_grams
    print(f"  name-fragment keys (c:/b:, migration 0014): {grams / 2**20:,.1f} MiB = {grams / members:,.0f} bytes"
          f" per member ({grams / vacuumed:.0%} of the file)")
    saved = vacuumed - compact
    print(f"  change-log payloads reduced to field names: saves {saved / 2**20:,.1f} MiB = {saved / members:,.0f}"
          f" bytes per member ({saved / vacuumed:.0%} of the file)")
    print("ratio filesize: compacted/as-is = " f"{compact / vacuumed:.2f}x")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
