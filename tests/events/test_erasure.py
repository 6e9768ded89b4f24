"""Matrix row 35 and PIPL art. 47: erasing a person leaves no residue. A member who walked in,
joined at the desk, got a card and had a status change is erased; afterwards the raw bytes of
the database file and its WAL hold neither the ID number, the name nor the phone (nor the
reversed digits the search keys keep), the change log keeps tombstones only, and the event's
figures and everyone else are untouched."""

from __future__ import annotations

import dataclasses
import json

import pytest

from clerk_app.domain import vocab
from clerk_app.domain.errors import UserError
from clerk_app.services import erasure, events, signin
from clerk_app.services import members as ms
from clerk_app.storage.audit import check_chain
from clerk_app.storage.db import database_file
from clerk_app.storage.members_repo import by_id_number
from tests.conftest import make_id

from .conftest import DAY

NAME, PHONE, ID_NUMBER = "褚怀瑾", "13911117777", make_id("110108", "19880412", "777")
EMPLOYER = "褚氏修车铺"


@pytest.fixture
def ctx(tmp_path):
    """A plaintext database: only in one can a test see erased values gone from the bytes (the
    encrypted database hides them as well: tests/test_encryption.py). Erasure itself works the
    same under SQLCipher: secure_delete zeroes pages before they are encrypted."""
    from clerk_app.services.setup import set_up
    from clerk_app.storage.db import DB_FILENAME, open_db
    from tests.conftest import SETUP

    folder = tmp_path / "plain"
    folder.mkdir()
    db = open_db(folder / DB_FILENAME, key=None)
    yield set_up(db, SETUP)
    db.close()


def _residue(db) -> list[str]:
    """Which of the person's values are still somewhere in the files' bytes."""
    path = database_file(db)
    blobs = b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())
    needles = {"ID": ID_NUMBER.encode(), "ID reversed": ID_NUMBER[::-1].encode(), "name": NAME.encode(),
               "phone": PHONE.encode(), "phone reversed": PHONE[::-1].encode(), "employer": EMPLOYER.encode()}
    return [label for label, needle in needles.items() if needle in blobs]


@pytest.fixture
def person(laptop, event, add_member):
    add_member("王小明")  # someone else, who must stay
    walk = signin.sign_in_walk_in(laptop, event.id, NAME, PHONE, "快递员", EMPLOYER).attendee
    inp = signin.walk_in_member_input(laptop, walk.id)
    inp.id_number = ID_NUMBER
    joined = signin.join_walk_in(laptop, walk.id, inp, issue_card=True, today=DAY)
    assert joined.card is not None
    ms.change_status(laptop, joined.member_id, vocab.RETAINED, effective=DAY, reason=f"{NAME}本人申请")
    laptop.db.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")  # some of it in the file, some in the WAL
    assert _residue(laptop.db)  # the needles are really there before
    return joined.member_id


def test_erasure_leaves_no_personal_value_in_the_files(laptop, event, person):
    before = events.event_summary(laptop, event.id)
    count_before = laptop.db.conn.execute("SELECT count(*) FROM attendance WHERE event_id = ?", [event.id]).fetchone()
    result = erasure.erase_member(laptop, person)
    assert result.wal_truncated and result.sign_ins_anonymised == 1 and result.rows_deleted >= 5
    assert _residue(laptop.db) == []
    # The event still counts the sign-in; the other member is untouched; the audit chain holds.
    assert laptop.db.conn.execute("SELECT count(*) FROM attendance WHERE event_id = ?", [event.id]).fetchone() \
        == count_before
    after = events.event_summary(laptop, event.id)
    assert after.joined == before.joined == 1  # the join stays counted, anonymously
    # The card is gone with the person (its number is never issued again: numbering is per laptop).
    assert (after.cards_issued, before.cards_issued) == (0, 1)
    assert dataclasses.replace(after, cards_issued=0, cards_to_joined=0) == \
        dataclasses.replace(before, cards_issued=0, cards_to_joined=0)
    assert [m.name for m in ms.search(laptop, "王小明")] == ["王小明"]
    assert by_id_number(laptop.db, ID_NUMBER) is None
    assert check_chain(laptop.db).ok
    entry = laptop.db.conn.execute("SELECT detail FROM audit_log WHERE action = 'erase'").fetchone()
    assert json.loads(entry[0]) == {"reason": "request", "rows": result.rows_deleted, "sign_ins": 1}


def test_change_log_keeps_tombstones_without_values(laptop, person):
    erasure.erase_member(laptop, person)
    rows = laptop.db.conn.execute("SELECT tbl, op, data, row_id FROM change_log").fetchall()
    text = "\n".join(r[2] for r in rows)
    assert ID_NUMBER not in text and NAME not in text and PHONE not in text
    member_rows = [r for r in rows if r[0] == "members" and r[1] != "delete" and r[3] == person]
    assert member_rows and all(json.loads(r[2]) == {"_erased": True} for r in member_rows)
    assert laptop.db.conn.execute("SELECT 1 FROM tombstones WHERE tbl = 'members' AND row_id = ?",
                                  [person]).fetchone()


def test_plain_delete_of_a_mistaken_record_also_clears_the_change_log(ctx, member_input):
    """Today's delete (a record typed by mistake) left the ID number in change_log."""
    mid = ms.register_member(ctx, member_input(name=NAME, id_number=ID_NUMBER, phone=PHONE)).member_id
    ms.delete_member(ctx, mid)
    text = "\n".join(r[0] for r in ctx.db.conn.execute("SELECT data FROM change_log"))
    assert ID_NUMBER not in text and NAME not in text and PHONE not in text


def test_erasing_someone_unknown_is_a_clear_error(laptop):
    with pytest.raises(UserError) as err:
        erasure.erase_member(laptop, "00000000-0000-4000-8000-000000000000")
    assert err.value.code == "member.not_found"


def test_an_open_reader_delays_only_the_truncation(laptop, person):
    from clerk_app.storage.cipher import connect, key_of

    # the same SQLite library as the app: two copies in one process do not see each other's locks
    reader = connect(database_file(laptop.db), key_of(laptop.db.conn))
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM members").fetchone()  # holds a snapshot
        result = erasure.erase_member(laptop, person)
        assert result.wal_truncated is False  # said, not pretended
    finally:
        reader.close()
    laptop.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert _residue(laptop.db) == []

