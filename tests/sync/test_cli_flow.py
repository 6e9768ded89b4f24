"""The sync flow from the command line, as district IT and clerks would script it: a district
and two laptops in their own data folders, enrolment by files, roster imports with one person
on both laptops, packages up and down, ``--json`` everywhere; a replay is 已导入, a damaged
package is refused with its reason code and the district's data unchanged."""

from __future__ import annotations

import json
from pathlib import Path

from clerk_app.cli import main
from clerk_app.clock import TODAY_ENV
from clerk_app.sync.state import state_hash
from clerk_app.workspace import open_workspace
from tests.roster.conftest import ROSTER_DAY, person, write_csv


def _json(capsys):
    return json.loads(capsys.readouterr().out)


def _state(folder) -> str:
    ws = open_workspace(folder)
    try:
        return state_hash(ws.db)
    finally:
        ws.close()


def test_two_laptops_and_a_district_by_command_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(TODAY_ENV, ROSTER_DAY.isoformat())
    district, a, b = (["--data-dir", str(tmp_path / n)] for n in ("district", "a", "b"))
    assert main(["setup", "--laptop", "大兴区总工会", "--union", "大兴区总工会", "--clerk", "区管理员",
                 "--union-type", "区总工会", "--district", *district]) == 0
    assert "district 模式" in capsys.readouterr().out
    for opts, name, code in ((a, "黄村1号机", "DX21"), (b, "黄村2号机", "DX22")):
        assert main(["setup", "--laptop", name, "--union", "黄村镇总工会", "--clerk", "李经办", *opts]) == 0
        capsys.readouterr()
        req = tmp_path / f"{name}.req"
        assert main(["site", "request", "--out", str(req), "--json", *opts]) == 0
        fp = _json(capsys)["fingerprint"]
        enrolment = tmp_path / f"{name}.enrol"
        assert main(["site", "enrol", str(req), "--union", "黄村镇总工会", "--card-code", code,
                     "--out", str(enrolment), "--json", *district]) == 0
        assert _json(capsys)["fingerprint"] == fp  # what the clerks compare by phone
        assert main(["site", "accept", str(enrolment), "--json", *opts]) == 0
        assert _json(capsys)["card_code"] == code

    write_csv(tmp_path / "a.csv", [person(1), person(2)])
    write_csv(tmp_path / "b.csv", [person(1), person(3)])
    assert main(["roster", "import", str(tmp_path / "a.csv"), "--yes", *a]) == 0
    assert main(["roster", "import", str(tmp_path / "b.csv"), "--yes", *b]) == 0
    capsys.readouterr()

    usb = tmp_path / "usb"
    usb.mkdir()
    assert main(["sync", "export", "--out", str(usb), *a]) == 0
    file_a = capsys.readouterr().out.strip()
    assert file_a.endswith(".ghsync") and "黄村1号机" in file_a
    assert main(["sync", "export", "--out", str(usb), "--json", *b]) == 0
    file_b = _json(capsys)["file"]

    assert main(["sync", "import", file_a, file_b, "--json", *district]) == 0
    results = _json(capsys)
    assert all(r["ok"] and not r["already"] and r["applied"] > 0 for r in results)
    assert main(["sync", "duplicates", "--json", *district]) == 0
    pairs = _json(capsys)
    assert len(pairs) == 1 and "*" in pairs[0]["id_number"]  # masked

    before = _state(tmp_path / "district")
    assert main(["sync", "import", file_a, *district]) == 0
    assert "已导入" in capsys.readouterr().out
    assert _state(tmp_path / "district") == before

    damaged = tmp_path / "damaged.ghsync"
    data = bytearray(Path(file_b).read_bytes())
    data[-40] ^= 0x10
    damaged.write_bytes(bytes(data))
    assert main(["sync", "import", str(damaged), "--json", *district]) == 1
    assert _json(capsys)[0]["reason"] == "damaged"
    assert _state(tmp_path / "district") == before

    down = tmp_path / "down"
    down.mkdir()
    assert main(["sync", "export", "--out", str(down), "--json", *district]) == 0
    files = {d["recipient"]: d["file"] for d in _json(capsys)}
    assert set(files) == {"黄村1号机", "黄村2号机"}
    assert main(["sync", "import", files["黄村1号机"], "--json", *a]) == 0
    assert _json(capsys)[0]["applied"] > 0
    assert main(["sync", "status", "--json", *a]) == 0
    status = _json(capsys)
    assert status["role"] == "laptop" and status["peers"][0]["last_received"]["seq"] == 1
    assert status["peers"][0]["pending"] == {}  # the district acknowledged everything a sent
    assert main(["site", "revoke", "黄村2号机", "--json", *district]) == 0
    assert _json(capsys)["revoked_after"] == [1, 1]

    # the district decides the pair: one person (the merge travels down with the next package)
    keep, drop = pairs[0]["member_a"], pairs[0]["member_b"]
    assert main(["sync", "merge-person", keep, drop, "--json", *district]) == 0
    merged = _json(capsys)
    assert merged["keep"] == keep and merged["drop"] == drop and merged["moved"]["member_status_history"] >= 1
    assert main(["sync", "duplicates", "--json", *district]) == 0
    assert [p["decision"] for p in _json(capsys)] == ["merged"]
    assert main(["sync", "not-same", keep, drop, *district]) == 2  # already merged: refused
    assert "已并入" in capsys.readouterr().err
    assert main(["sync", "status", "--json", *district]) == 0
    assert _json(capsys)["duplicates"] == 0
