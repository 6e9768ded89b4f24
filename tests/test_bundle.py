"""The one-folder app clerks get: build it with ``build.spec`` from this tree, then run it.

Clerks never run the source: a bundle that lacks a library the window loads (libQt6Network,
which libQt6Pdf needs) passes every other test and crashes on the clerk's laptop; one that lacks a
module imported from a string (reportlab's C accelerators) runs, only slower. Skipped when PyInstaller is not installed (the
README's test command installs ``.[test]`` only: the default run stays fast); CI installs
``.[test,build]`` and runs it (about 1-2 minutes, most of it the build)."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from clerk_app import __version__
from tests.conftest import make_id
from tests.printing.pdfcheck import qr_texts, render

ROOT = Path(__file__).resolve().parent.parent
EXE = ".exe" if sys.platform == "win32" else ""
MAX_BUNDLE_MB = 200  # 219 MB before pruning by dependency closure; about 171 MB after (Linux)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.bundle,
    pytest.mark.timeout(1200),  # the build alone is 25-75 s here; a slow CI machine gets room
    pytest.mark.skipif(importlib.util.find_spec("PyInstaller") is None,
                       reason="PyInstaller not installed (pip install -e '.[build]')"),
]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("pyinstaller")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--distpath", str(work / "dist"),
                           "--workpath", str(work / "build"), str(ROOT / "build.spec")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=1500)
    assert proc.returncode == 0, proc.stderr[-4000:]
    folder = work / "dist" / "clerk-app"
    # Built from this tree's code, not from an installed copy of clerk_app elsewhere
    toc = (work / "build" / "build" / "Analysis-00.toc").read_text(encoding="utf-8")
    sources = set(re.findall(r"'clerk_app\.cli',\s*'([^']+)'", toc))  # one line or pretty-printed
    assert sources == {str(ROOT / "clerk_app" / "cli" / "__init__.py")}, sources
    return folder


@pytest.fixture
def home(tmp_path) -> dict:
    """An environment whose home (hence the default data folder) is a new empty folder."""
    fake = tmp_path / "home"
    fake.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("CLERK_APP_DATA_DIR", "DISPLAY", "WAYLAND_DISPLAY")}
    env.update(HOME=str(fake), USERPROFILE=str(fake), XDG_DATA_HOME=str(fake / "data"),
               QT_QPA_PLATFORM="offscreen", PYTHONIOENCODING="utf-8")
    env.pop("PYTHONPATH", None)
    return env


def run(bundle: Path, exe: str, *args, env: dict, ok: bool = True, timeout: float = 180):
    proc = subprocess.run([str(bundle / (exe + EXE)), *map(str, args)], env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=timeout)
    if ok:
        assert proc.returncode == 0, f"{exe} {args}: rc={proc.returncode}\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    return proc


def test_version(bundle, home):
    assert run(bundle, "clerk-app-cli", "--version", env=home).stdout.strip() == f"clerk-app {__version__}"


def test_check_id_finds_the_region(bundle, home):
    """The region table (stdnum's cn/loc.dat, the one stdnum table the spec keeps) is there."""
    proc = run(bundle, "clerk-app-cli", "check-id", make_id(), env=home)
    assert '"valid": true' in proc.stdout and "北京市朝阳区" in proc.stdout, proc.stdout


def test_window_self_test_passes_offscreen(bundle, home):
    proc = run(bundle, "clerk-app", "--self-test", env=home)
    assert "自检通过" in proc.stdout
    for step in ("页面：会员", "页面：服务卡", "页面：活动签到", "入会登记对话框", "签到台", "服务卡打印预览"):
        assert step in proc.stdout, proc.stdout
    assert not any(Path(home["HOME"]).rglob("*.db")), "the self-test touched the default data folder"


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="needs xvfb-run (apt-get install xvfb xauth)")
def test_window_self_test_passes_on_an_x11_screen(bundle, home):
    """The xcb platform plugin (what a Linux desktop uses) loads, with everything it needs."""
    proc = subprocess.run(["xvfb-run", "-a", str(bundle / "clerk-app"), "--self-test"],
                          env={**home, "QT_QPA_PLATFORM": "xcb"}, capture_output=True, text=True,
                          encoding="utf-8", timeout=180)
    assert proc.returncode == 0 and "自检通过" in proc.stdout, proc.stdout[-2000:] + proc.stderr[-4000:]


def test_demo_cards_and_pdfs(bundle, home, tmp_path):
    data = tmp_path / "data"
    cli = lambda *a, **kw: run(bundle, "clerk-app-cli", "--data-dir", data, *a, env=home, **kw)  # noqa: E731
    assert "已生成 50 名演示会员" in cli("demo", "--members", "50").stdout  # password: CLERK_APP_PASSWORD
    with pytest.raises(sqlite3.DatabaseError):  # the bundle's SQLCipher wrote an encrypted file
        sqlite3.connect(data / "clerk.db").execute("SELECT * FROM sqlite_master").fetchall()
    cli("db", "decrypt", "--out", tmp_path / "plain.db")  # and can export it (管理员: the demo clerk)
    db = sqlite3.connect(tmp_path / "plain.db")
    member = db.execute("SELECT id FROM members ORDER BY id LIMIT 1").fetchone()[0]
    db.close()
    cli("cards", "set-prefix", "DX07")
    issued = cli("cards", "issue", "--member", member).stdout
    card_no = issued.split("卡号 ", 1)[1].split("  状态", 1)[0]  # grouped, as the clerk reads it
    for args, pages in ((("card", card_no), 1), (("cards", "--all"), 1), (("registration-form", "--member", member), None)):
        out = tmp_path / f"{args[0]}.pdf"
        cli("print", *args, "--out", out)
        reader = PdfReader(out)
        assert len(reader.pages) == pages if pages else len(reader.pages) >= 1
    # the bundle's qrcode drew a code a scanner reads back as the card number
    assert qr_texts(render((tmp_path / "card.pdf").read_bytes(), dpi=300)[0]) == [card_no.replace(" ", "")]


def test_reportlab_has_its_c_accelerators(bundle):
    """reportlab imports rl-accel from a string: without the spec's hidden import every printout
    silently runs the pure-Python fallbacks."""
    assert list(bundle.rglob("_rl_accel*")), "rl-accel's _rl_accel module is not in the bundle"


def test_roster_import_dry_run(bundle, home, tmp_path):
    data = tmp_path / "data"
    run(bundle, "clerk-app-cli", "--data-dir", data, "demo", "--members", "1", env=home)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号码", "手机号码", "民族", "职业", "入会日期"])
    sheet.append(["王明华", make_id(seq="901"), "13812340901", "汉族", "快递员", "2025-03-01"])
    sheet.append(["李强", make_id(birth="19900230"), "13812340902", "汉族", "快递员", "2025-03-01"])
    book.save(tmp_path / "roster.xlsx")
    proc = run(bundle, "clerk-app-cli", "--data-dir", data, "roster", "import", tmp_path / "roster.xlsx", "--dry-run",
               env=home, ok=False)
    assert proc.returncode == 1, proc.stderr  # one row cannot be imported
    assert "可以导入 1 行，不能导入 1 行" in proc.stdout, proc.stdout
    assert "第 3 行：身份证号码中的出生日期 19900230 不存在" in proc.stdout


@pytest.mark.skipif(not sys.platform.startswith("linux") or shutil.which("ldd") is None, reason="ELF bundles only")
def test_every_qt_library_a_bundled_qt_binary_needs_is_bundled(bundle):
    internal = bundle / "_internal"
    qt_lib = internal / "PySide6" / "Qt" / "lib"
    bundled = {p.name for p in qt_lib.iterdir()}
    plugins = internal / "PySide6" / "Qt" / "plugins"
    for must in ("platforms/libqxcb.so", "platforms/libqoffscreen.so", "printsupport/libcupsprintersupport.so",
                 "platforminputcontexts/libibusplatforminputcontextplugin.so",
                 "platforminputcontexts/libcomposeplatforminputcontextplugin.so"):
        assert (plugins / must).is_file(), must
    missing = {}
    for binary in [*internal.joinpath("PySide6").glob("*.so*"), *qt_lib.glob("*.so*"), *plugins.rglob("*.so")]:
        out = subprocess.run(["ldd", str(binary)], capture_output=True, text=True).stdout
        lost = [name for name in re.findall(r"^\s*(libQt6\S+)", out, re.M) if name not in bundled]
        if lost:
            missing[binary.name] = lost
    assert not missing
    assert not [p for p in internal.rglob("*") if p.is_symlink() and not p.exists()], "dangling symlinks"


def test_bundle_size(bundle):
    size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file() and not p.is_symlink())
    assert size < MAX_BUNDLE_MB * 1e6, f"bundle grew to {size / 1e6:.0f} MB"
