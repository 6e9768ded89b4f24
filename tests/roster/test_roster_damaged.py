"""Matrix row 5 (damaged files): 200 seeded byte-level mutations of real .xlsx, .ods and .csv
rosters. The import either reads what is left or refuses the file with its own typed error
(文件已损坏 and friends); no parser exception (zlib.error, KeyError, XML errors ...) comes out,
and a refused file changes nothing in the database."""

from __future__ import annotations

import datetime as dt
import random
import zipfile

import pytest

from clerk_app.domain.messages import MESSAGES
from clerk_app.domain.roster_columns import ImportRejected
from clerk_app.services import roster_import as ri

from .conftest import db_hash, person, write_csv, write_ods, write_xlsx

TODAY = dt.date(2026, 11, 20)
SEED = 20261203
MUTATIONS = 200


def _mutate(rng: random.Random, data: bytes) -> bytes:
    """One kind of damage a USB stick, an e-mail gateway or a half-finished copy does."""
    buf = bytearray(data)
    kind = rng.randrange(5)
    if kind == 0:  # a few flipped bytes
        for _ in range(rng.randint(1, 8)):
            buf[rng.randrange(len(buf))] = rng.randrange(256)
    elif kind == 1:  # a run overwritten with noise
        start = rng.randrange(len(buf))
        for i in range(start, min(len(buf), start + rng.randint(2, 64))):
            buf[i] = rng.randrange(256)
    elif kind == 2:  # cut short
        del buf[rng.randrange(1, len(buf)):]
    elif kind == 3:  # a run lost from the middle
        start = rng.randrange(len(buf))
        del buf[start:start + rng.randint(1, 512)]
    else:  # a run of zeros (a bad sector)
        start = rng.randrange(len(buf))
        buf[start:start + 512] = bytes(min(512, len(buf) - start))
    return bytes(buf)


@pytest.fixture(scope="module")
def originals(tmp_path_factory):
    folder = tmp_path_factory.mktemp("originals")
    rows = [person(n) for n in range(1, 30)]
    return {ext: write(folder / f"名单{ext}", rows).read_bytes()
            for ext, write in ((".xlsx", write_xlsx), (".ods", write_ods), (".csv", write_csv))}


def test_damaged_files_give_only_the_imports_own_refusal(ctx, tmp_path, originals):
    rng = random.Random(SEED)
    before = db_hash(ctx.db)
    refused: dict[str, int] = {}
    escaped = []
    for n in range(MUTATIONS):
        ext = (".xlsx", ".ods", ".csv")[n % 3]
        path = tmp_path / f"m{n}{ext}"
        path.write_bytes(_mutate(rng, originals[ext]))
        try:
            table = ri.read_roster(path)
            mapping = ri.suggest_mapping(ctx.db, table.headers).mapping
            ri.build_preview(ctx, table, mapping, today=TODAY)  # reading what is left is fine too
        except ImportRejected as exc:
            assert exc.code in MESSAGES
            refused[exc.code] = refused.get(exc.code, 0) + 1
        except Exception as exc:  # noqa: BLE001 - the point of the test is to list them
            escaped.append(f"{path.name}: {type(exc).__name__}: {exc}"[:200])
    assert escaped == []
    assert refused.get("roster.corrupt", 0) > 20  # the damage was real: most zip files are refused
    assert db_hash(ctx.db) == before  # a preview writes nothing


def test_damaged_deflate_stream_is_refused_as_corrupt(tmp_path, originals):
    """The case the matrix names: a flipped byte inside the compressed sheet (zlib.error)."""
    data = bytearray(originals[".xlsx"])
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(data)
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    with open(path, "rb") as fh:
        fh.seek(info.header_offset + 26)
        name_len, extra_len = int.from_bytes(fh.read(2), "little"), int.from_bytes(fh.read(2), "little")
    start = info.header_offset + 30 + name_len + extra_len
    for i in range(start + 2, start + 12):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    with pytest.raises(ImportRejected) as err:
        ri.read_roster(path)
    assert err.value.code == "roster.corrupt"
    assert "文件已损坏" in str(err.value)


def test_zip_bomb_is_refused(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * (300 * 1024 * 1024) + b"/>")
    with pytest.raises(ImportRejected) as err:
        ri.read_roster(path)
    assert err.value.code == "roster.zip_bomb"


def test_xml_entity_bomb_is_refused(tmp_path):
    lol = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i else "")) * 10}">' for i in range(1, 10))
           + ']><worksheet><sheetData><row><c t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>')
    path = tmp_path / "lol.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", lol)
    with pytest.raises(ImportRejected) as err:
        ri.read_roster(path)
    assert err.value.code == "roster.xml_unsafe"
