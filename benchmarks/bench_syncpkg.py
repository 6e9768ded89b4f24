"""Sync package cost: ``seal_package`` + ``open_package`` (validate, canonical CBOR, zstd,
Ed25519, HPKE; open verifies everything and checks every record) of N changes, beside plain
``json.dumps`` + ``zlib.compress`` and ``zlib.decompress`` + ``json.loads`` of the same changes,
alternately in the same run. No database: the package format alone (the import's merge is
measured with the database side).

    python -m benchmarks.bench_syncpkg [--changes 100000] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import zlib
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"


def changes(n: int) -> list[dict]:
    """Change-log-shaped records: mostly member creates with every field, some edits and sign-ins."""
    out = []
    for i in range(n):
        stamp = f"{1_764_000_000_000 + i * 37:013d}-{i % 5:06d}"
        row = f"{i:08x}-4d2c-4a7e-9c1b-{i * 7919 % 16 ** 12:012x}"
        if i % 10 < 6:
            data = {"name": SURNAMES[i % 20] + GIVEN[i % len(GIVEN)] + GIVEN[(i * 7) % len(GIVEN)],
                    "id_number": f"110115{1960 + i % 45}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}X",
                    "phone": f"1{3 + i % 7}{i * 7 % 10 ** 9:09d}", "gender": "男女"[i % 2],
                    "union_id": f"union-{i % 40:03d}", "join_date": "2024-03-01", "channel": "现场登记",
                    "employer": "大兴区某某物流有限公司", "address": f"北京市大兴区黄村镇{i % 300}号"}
            out.append({"tbl": "members", "row_id": row, "op": "create", "hlc": stamp, "site_id": "laptop-a",
                        "data": data})
        elif i % 10 < 8:
            out.append({"tbl": "members", "row_id": row, "op": "update", "hlc": stamp, "site_id": "laptop-a",
                        "data": {"phone": f"139{i:08d}"}, "base": {"phone": stamp}})
        else:
            out.append({"tbl": "attendance", "row_id": row, "op": "create", "hlc": stamp, "site_id": "laptop-a",
                        "data": {"event_id": f"event-{i % 50}", "member_id": row, "signed_at": "2026-12-03T09:00"}})
    return out


def spread(label: str, times: list[float], n: int) -> None:
    print(f"{label:<46} min {min(times):7.3f} s  median {statistics.median(times):7.3f} s  "
          f"max {max(times):7.3f} s  ({n / statistics.median(times):,.0f} changes/s)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    from clerk_app.sync.container import open_package, seal_package
    from clerk_app.sync.keys import KnownSender, SenderRegistry, SiteKeys

    laptop, district = SiteKeys.generate(), SiteKeys.generate()
    registry = SenderRegistry()
    registry.add(KnownSender("laptop-a", "A", laptop.signing_public, laptop.encryption_public))
    to = KnownSender("district", "D", district.signing_public, district.encryption_public)
    body = changes(args.changes)
    print(f"{args.changes:,} changes, {args.runs} runs each, alternating app and baseline")

    seal_t, open_t, dump_t, load_t = [], [], [], []
    package = blob = b""
    for _ in range(args.runs):
        started = time.perf_counter()
        package = seal_package(keys=laptop, sender="laptop-a", epoch=1, recipient=to, seq=1, changes=body, schema=1)
        seal_t.append(time.perf_counter() - started)
        started = time.perf_counter()
        got = open_package(package, me="district", keys=district, registry=registry)
        open_t.append(time.perf_counter() - started)
        assert len(got.changes) == len(body)

        started = time.perf_counter()
        blob = zlib.compress(json.dumps(body, ensure_ascii=False).encode("utf-8"))
        dump_t.append(time.perf_counter() - started)
        started = time.perf_counter()
        back = json.loads(zlib.decompress(blob))
        load_t.append(time.perf_counter() - started)
        assert len(back) == len(body)

    n = args.changes
    spread("app: seal_package (export)", seal_t, n)
    spread("app: open_package (verify + unpack)", open_t, n)
    spread("raw: json.dumps + zlib.compress", dump_t, n)
    spread("raw: zlib.decompress + json.loads", load_t, n)
    print(f"size: package {len(package):,} bytes, json+zlib {len(blob):,} bytes "
          f"({len(package) / len(blob):.2f}x)")
    app = statistics.median(seal_t) + statistics.median(open_t)
    raw = statistics.median(dump_t) + statistics.median(load_t)
    print(f"ratio pack+unpack: app/raw median = {app / raw:.2f}x (aim: within 3x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
