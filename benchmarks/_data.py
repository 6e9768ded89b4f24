"""The benchmark data folder: N synthetic members made by the demo generator, built once and
cached under ``bench-data/`` (git-ignored) keyed by N, seed and the schema's migration steps.

Building goes through the app's own path (open_workspace -> set up -> generate_members), so
the database holds everything a real one would: change log, audit chain, search keys. It is
encrypted like a clerk's (the demo clerk's password, :data:`clerk_app.workspace.DEMO_PASSWORD`);
``--plaintext`` benchmarks run on a decrypted twin (:class:`PlainTwin`) to show encryption's cost."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # so ``python benchmarks/bench_x.py`` works as well as ``-m``
    sys.path.insert(0, str(REPO))

from clerk_app.storage.db import DB_FILENAME  # noqa: E402
from clerk_app.storage.keyring import KEYRING_FILENAME  # noqa: E402
from clerk_app.storage.migrations import migrations  # noqa: E402

DEFAULT_MEMBERS = 200_000
DEFAULT_SEED = 2026
DEFAULT_ROOT = REPO / "bench-data"
DATA_VERSION = 3  # bump when the generator changes in a way that matters to the benchmarks
_MARKER = "complete.json"
_BUILDING = "building.pid"


def _alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def open_data(folder: Path, **kwargs):
    """A built (or copied) data folder, opened as its demo clerk."""
    from clerk_app.workspace import DEMO_PASSWORD, Login, open_workspace

    return open_workspace(folder, login=Login(None, DEMO_PASSWORD), **kwargs)


class PlainTwin:
    """The same data as a plaintext SQLite file (``db decrypt``'s copy) in a temporary folder,
    opened with the app's settings but no key: the baseline for encryption's cost. Has the
    ``context()`` / ``db`` / ``close()`` a workspace has."""

    def __init__(self, folder: Path):
        import tempfile

        from clerk_app.storage.db import open_db
        from clerk_app.storage.encrypt import decrypt_copy

        self.tmp = Path(tempfile.mkdtemp(prefix="bench-plain-"))
        ws = open_data(folder)
        try:
            decrypt_copy(ws.db.conn, self.tmp / DB_FILENAME)
            self.clerk_id, self.clock = ws.clerk_id, ws.clock
        finally:
            ws.close()
        self.db = open_db(self.tmp / DB_FILENAME, key=None, backup_dir=self.tmp / "backups")

    def context(self):
        from clerk_app.services.setup import load_context

        return load_context(self.db, self.clock, self.clerk_id)

    def close(self) -> None:
        self.db.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def open_variant(folder: Path, plaintext: bool):
    """The encrypted folder (what clerks run) or its plaintext twin."""
    return PlainTwin(folder) if plaintext else open_data(folder)


def plaintext_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--plaintext", action="store_true",
                        help="run on an unencrypted copy of the same data (the baseline for encryption's cost)")


def common_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--members", type=int, default=DEFAULT_MEMBERS, metavar="N",
                        help=f"members in the benchmark database (default {DEFAULT_MEMBERS:,})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="demo generator seed")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_ROOT, metavar="DIR",
                        help="where built data folders are kept (default: bench-data/ in the repo)")


def _schema_tag() -> str:
    names = "\n".join(m.name for m in migrations._migrations)
    return hashlib.sha1(names.encode()).hexdigest()[:8]


def folder_for(members: int, seed: int, root: Path = DEFAULT_ROOT) -> Path:
    return Path(root) / f"members-{members}-seed-{seed}-v{DATA_VERSION}-schema-{_schema_tag()}"


def ensure_data(members: int, seed: int = DEFAULT_SEED, root: Path = DEFAULT_ROOT,
                log=print) -> Path:
    """The data folder for (members, seed), building it first if it is not complete yet.
    Returns the folder; its ``complete.json`` holds how long the build took."""
    folder = folder_for(members, seed, root)
    if (folder / _MARKER).exists():
        return folder
    # Only this exact folder, left by an interrupted build, is removed: folders of other data
    # versions or schemas may belong to another checkout sharing the cache (and may be under
    # construction right now), so they are left alone.
    building = folder / _BUILDING
    if building.exists() and _alive(building.read_text().strip()):
        raise RuntimeError(f"{folder} is being built by process {building.read_text().strip()}: wait for it")
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    building.write_text(str(os.getpid()))
    log(f"building benchmark data: {members:,} members, seed {seed} -> {folder}")

    from clerk_app.services.demo import generate_members
    from clerk_app.workspace import ensure_context, open_workspace

    started, cpu, written = time.perf_counter(), time.process_time(), _written_bytes()
    ws = open_workspace(folder)
    try:
        ctx = ensure_context(ws)
        last = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.perf_counter()
            if now - last[0] > 5 or done == total:
                last[0] = now
                rate = done / max(now - started, 1e-9)
                log(f"  {done:,}/{total:,} members ({rate:,.0f}/s)")

        result = generate_members(ctx, members, seed=seed, progress=progress)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        written = _written_bytes() - written
        if result.rejected or len(result.saved) != members:
            raise RuntimeError(f"demo generator: {len(result.saved)} saved, {len(result.rejected)} rejected")
    finally:
        ws.close()
    info = {"members": members, "seed": seed, "seconds": round(elapsed, 2),
            "members_per_second": round(members / elapsed, 1),
            "cpu_seconds": round(cpu, 2), "members_per_cpu_second": round(members / cpu, 1),
            "disk_write_bytes": written, "disk_write_per_member": round(written / members),
            "peak_rss_mib": round(_peak_rss_mib()),
            "db_bytes": (folder / DB_FILENAME).stat().st_size}
    (folder / _MARKER).write_text(json.dumps(info, indent=2))
    building.unlink(missing_ok=True)
    log(f"  built in {elapsed:,.1f} s ({members / elapsed:,.0f} members/s; {members / cpu:,.0f} per CPU second;"
        f" {written / members / 1024:,.1f} KiB written to disk per member; peak memory {_peak_rss_mib():,.0f} MiB)")
    return folder


def _written_bytes() -> int:
    """Bytes this process caused to be written to disk so far (Linux /proc; 0 elsewhere)."""
    try:
        for line in Path("/proc/self/io").read_text().splitlines():
            if line.startswith("write_bytes:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _peak_rss_mib() -> float:
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_info(folder: Path) -> dict:
    return json.loads((folder / _MARKER).read_text())


def copy_data(folder: Path, target: Path) -> Path:
    """A private copy of a built data folder (for benchmarks that write)."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(folder / DB_FILENAME, target / DB_FILENAME)
    shutil.copy2(folder / KEYRING_FILENAME, target / KEYRING_FILENAME)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build (or find) the cached benchmark data folder.")
    common_args(parser)
    args = parser.parse_args(argv)
    folder = ensure_data(args.members, args.seed, args.cache_dir)
    info = build_info(folder)
    print(f"data folder: {folder}")
    print(f"generation: {info['members']:,} members in {info['seconds']:,.1f} s "
          f"= {info['members_per_second']:,.0f} members/s; database {info['db_bytes'] / 2**20:,.0f} MiB")
    if "disk_write_per_member" in info:
        print(f"  {info['members_per_cpu_second']:,.0f} members per CPU second; "
              f"{info['disk_write_per_member'] / 1024:,.1f} KiB written per member; peak {info['peak_rss_mib']} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
