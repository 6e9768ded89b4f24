"""Sync through the app beside its floor: a laptop's ``sync export`` of N change records and a
district's ``sync import`` of that package (services.sync_packages: the ledger, the sealed
package — CBOR, zstd, Ed25519, HPKE — written atomically; then verified, every record checked,
merged in one transaction with the before/after backups), beside serialising the same records
with plain ``json`` to a file, reading them back and inserting the same rows with
``executemany`` (one statement per table, one transaction) into a fresh database of the same
schema. App and floor alternate in the same run; each round works on fresh copies of the
enrolled laptop and district (copying is not timed).

The laptop's records are made by the demo generator (members with their status history,
consents and search keys) through the app's own path, so the package carries what a real
one does.

    python -m benchmarks.bench_syncpkg [--changes 100000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._data import open_data  # noqa: E402


def spread(label: str, times: list[float], n: int) -> str:
    med = statistics.median(times)
    return (f"{label:<40} min {min(times):8.3f} s  median {med:8.3f} s  max {max(times):8.3f} s"
            f"  ({n / med:,.0f} changes/s)")


def build(root: Path, target: int, log=print) -> tuple[Path, Path, int]:
    """An enrolled laptop holding about ``target`` change records the district has not seen,
    and its district. Returns (laptop folder, district folder, records)."""
    from clerk_app.services import sync_packages, sync_site
    from clerk_app.services.demo import generate_members
    from clerk_app.storage import sync_ledger
    from clerk_app.workspace import ensure_context, open_workspace

    laptop_dir, district_dir = root / "laptop", root / "district"
    opened = []
    try:
        for folder in (laptop_dir, district_dir):
            ws = open_workspace(folder)
            opened.append(ws)
        laptop, district = (ensure_context(ws) for ws in opened)
        sync_site.become_district(district)
        request, _fp = sync_site.request_file(laptop, root / "laptop.request")
        sync_site.enrol_laptop(district, request.read_bytes(), union_name="黄村镇总工会", card_code="DX31",
                               out=root / "laptop.enrolment")
        sync_site.accept_enrolment(laptop, (root / "laptop.enrolment").read_bytes())
        down = root / "down"
        down.mkdir()
        first = sync_packages.export_package(district, down, to=sync_site.identity(laptop).site_id)
        sync_packages.import_package(laptop, first.path)
        peer = sync_ledger.peers(laptop.db)[0]
        made = 0
        while True:
            records = sync_ledger.max_change_seq(laptop.db) - peer.acked_seq
            if records >= target:
                break
            per_member = max(1.0, records / made) if made else 4.0
            batch = max(1, min(20_000, int((target - records) / per_member) + 1))
            generate_members(laptop, batch, seed=2026 + made)
            made += batch
            log(f"  laptop: {made:,} members, {sync_ledger.max_change_seq(laptop.db) - peer.acked_seq:,} records")
        return laptop_dir, district_dir, records
    finally:
        for ws in opened:
            ws.close()


def _copy(folder: Path, target: Path) -> Path:
    shutil.copytree(folder, target, ignore=shutil.ignore_patterns("backups", "*.lock"))
    return target


def app_round(laptop_dir: Path, district_dir: Path, work: Path) -> tuple[float, float, int]:
    """(export seconds, import seconds, package bytes) on fresh copies."""
    from clerk_app.services import sync_packages

    laptop_ws, district_ws = open_data(_copy(laptop_dir, work / "laptop")), None
    try:
        district_ws = open_data(_copy(district_dir, work / "district"))
        laptop, district = laptop_ws.context(), district_ws.context()
        usb = work / "usb"
        usb.mkdir()
        started = time.perf_counter()
        sent = sync_packages.export_package(laptop, usb)
        exported = time.perf_counter() - started
        started = time.perf_counter()
        got = sync_packages.import_package(district, sent.path)
        imported = time.perf_counter() - started
        total = sum(sent.counts.values())
        if got.already or got.report.applied + got.report.already != total or got.report.applied < total * 0.99:
            raise RuntimeError(f"import applied {got.report.applied} of {total}")
        return exported, imported, sent.path.stat().st_size
    finally:
        laptop_ws.close()
        if district_ws is not None:
            district_ws.close()


def floor_records(laptop_dir: Path) -> tuple[list[dict], Path]:
    """The records the package carries (as the app exports them) and a fresh plaintext database
    of the app's schema to insert them into (a template, copied per round)."""
    from clerk_app.storage import sync_ledger
    from clerk_app.storage.db import open_db
    from clerk_app.sync.records import export_records

    ws = open_data(laptop_dir)
    try:
        acked = sync_ledger.peers(ws.db)[0].acked_seq
        records = export_records(ws.db, acked)
    finally:
        ws.close()
    template = Path(tempfile.mkdtemp(prefix="bench-floor-")) / "floor.db"
    open_db(template, key=None).close()
    return records, template


def floor_round(records: list[dict], template: Path, work: Path) -> tuple[float, int]:
    """json.dumps to a file, read back, json.loads, then executemany per table and per kind of
    statement (the rows, and the change log) in one transaction. (seconds, json bytes)."""
    target = work / "floor.db"
    shutil.copy(template, target)
    started = time.perf_counter()
    path = work / "records.json"
    path.write_bytes(json.dumps(records, ensure_ascii=False).encode("utf-8"))
    back = json.loads(path.read_bytes())
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("BEGIN IMMEDIATE")
    creates: dict[tuple[str, tuple[str, ...]], list] = {}
    updates: dict[tuple[str, tuple[str, ...]], list] = {}
    for r in back:
        cols = tuple(sorted(r["data"]))
        if r["op"] == "create":
            creates.setdefault((r["tbl"], cols), []).append([r["row_id"], *(r["data"][c] for c in cols)])
        elif r["op"] == "update" and cols:
            updates.setdefault((r["tbl"], cols), []).append([*(r["data"][c] for c in cols), r["row_id"]])
    for (tbl, cols), rows in creates.items():
        conn.executemany(f'INSERT OR REPLACE INTO "{tbl}" (id, {", ".join(cols)}) VALUES '
                         f'({", ".join("?" * (len(cols) + 1))})', rows)
    for (tbl, cols), rows in updates.items():
        conn.executemany(f'UPDATE "{tbl}" SET {", ".join(f"{c} = ?" for c in cols)} WHERE id = ?', rows)
    conn.executemany("INSERT INTO change_log (hlc, site_id, tbl, row_id, op, data, origin_epoch, origin_seq, txn_id,"
                     " base) VALUES (?,?,?,?,?,?,?,?,?,?)",
                     [[r["hlc"], r["origin"], r["tbl"], r["row_id"], r["op"], json.dumps(r["data"], ensure_ascii=False),
                       r["epoch"], r["seq"], r["txn"], json.dumps(r["base"])] for r in back])
    conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - started, path.stat().st_size


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=100_000, help="change records in the package (about)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of app and floor")
    parser.add_argument("--members", type=int, default=None, help=argparse.SUPPRESS)  # the smoke runner's
    parser.add_argument("--cache-dir", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    root = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    try:
        print(f"building an enrolled laptop with about {args.changes:,} change records and its district …")
        started = time.perf_counter()
        laptop_dir, district_dir, n = build(root / "pristine", args.changes)
        print(f"  built in {time.perf_counter() - started:,.1f} s: {n:,} change records to send")
        records, template = floor_records(laptop_dir)
        export_t, import_t, app_t, floor_t = [], [], [], []
        package_bytes = json_bytes = 0
        for i in range(args.rounds):
            work = root / f"round-{i}"
            (work / "app").mkdir(parents=True)
            (work / "floor").mkdir()
            exported, imported, package_bytes = app_round(laptop_dir, district_dir, work / "app")
            export_t.append(exported)
            import_t.append(imported)
            app_t.append(exported + imported)
            seconds, json_bytes = floor_round(records, template, work / "floor")
            floor_t.append(seconds)
            shutil.rmtree(work, ignore_errors=True)
        print(f"{n:,} change records; package {package_bytes:,} bytes, plain json {json_bytes:,} bytes; "
              f"{args.rounds} rounds, app and floor alternating")
        print(spread("app: sync export (laptop)", export_t, n))
        print(spread("app: sync import (district)", import_t, n))
        print(spread("app: export + import", app_t, n))
        print(spread("floor: json + executemany", floor_t, n))
        ratios = sorted(a / f for a, f in zip(app_t, floor_t))
        print(f"ratio app/floor: min {ratios[0]:.2f}x  median {statistics.median(ratios):.2f}x  "
              f"max {ratios[-1]:.2f}x (aim: within 3x)")
        shutil.rmtree(template.parent, ignore_errors=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
