"""Property: laptops working offline with the real services and exchanging their change
records in any order, any subset, any number of times, all end in one state.

Three laptops (each its own SQLite file, site id and card code) register people (some the
same person on two laptops), edit, change status, issue and report cards lost, hold events
and sign people in, delete, and now and then pass everything they hold to another laptop.
Then two districts merge all of it in different random orders and chunks, one of them with
every chunk replayed; each laptop finally receives everything too. All hashes must agree,
no change may be left parked or alarmed, and every stored status must agree with history.
"""

from __future__ import annotations

import itertools
import random

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from clerk_app.domain import vocab
from clerk_app.domain.errors import UserError
from clerk_app.services import cards, members, signin
from clerk_app.storage import sync_store as store
from clerk_app.sync.merge import apply_changes
from clerk_app.sync.records import export_records
from clerk_app.sync.state import state_hash, status_disagreements
from clerk_app.sync.policy import MERGED_TABLES
from tests.conftest import make_id
from tests.merge.conftest import DAY, Laptops, _on_day  # noqa: F401 - the app works on DAY

SHARED = [t for t in MERGED_TABLES if t != "clerks"]  # clerks do not travel as change records yet
PEOPLE = [make_id(seq=f"{n:03d}") for n in range(301, 306)]
OPS = ("register", "register", "edit", "edit", "edit", "status", "card", "lost", "event", "sign_in", "delete",
       "sync", "sync")
_runs = itertools.count()

op = st.tuples(st.sampled_from(OPS), st.integers(0, 2), st.integers(0, 3), st.integers(0, 50))


def _pick(items, n):
    return items[n % len(items)] if items else None


def _ids(db, tbl):
    # in the order this laptop got them (ids are random UUIDs: their order would make a replayed
    # example behave differently)
    return [r[0] for r in db.conn.execute(f"SELECT id FROM {tbl} ORDER BY rowid")]


def _do(sites, laptops, action, who, x, y):
    ctx = laptops[who]
    db = ctx.db
    try:
        if action == "register":
            number = PEOPLE[x % len(PEOPLE)]
            sites.member(ctx, "张三" if x % 2 else "李四", id_number=number)
        elif action == "edit" and _ids(db, "members"):
            mid = _pick(_ids(db, "members"), x)
            inp = members.get_member(ctx, mid).to_input()
            inp.phone = f"1390000{y:04d}"
            if y % 2:
                inp.employer = f"单位{y % 3}"
            members.update_member(ctx, mid, inp, confirm_possible_duplicate=True, today=DAY)
        elif action == "status" and _ids(db, "members"):
            target = [vocab.RETAINED, vocab.ACTIVE, vocab.WITHDRAWN][y % 3]
            members.change_status(ctx, _pick(_ids(db, "members"), x), target, today=DAY)
        elif action == "card" and _ids(db, "members"):
            cards.issue_card(ctx, _pick(_ids(db, "members"), x), DAY, today=DAY)
        elif action == "lost" and _ids(db, "cards"):
            cards.report_lost(ctx, _pick(_ids(db, "cards"), x), date=DAY, today=DAY)
        elif action == "event":
            sites.event(ctx)
        elif action == "sign_in" and _ids(db, "events") and _ids(db, "members"):
            signin.sign_in_member(ctx, _pick(_ids(db, "events"), y), _pick(_ids(db, "members"), x))
        elif action == "delete" and _ids(db, "members"):
            members.delete_member(ctx, _pick(_ids(db, "members"), x))
        elif action == "sync":
            other = laptops[(who + 1 + y % 2) % len(laptops)]
            sites.send(ctx.db, other.db)
    except (UserError, members.DuplicateIdNumber, members.PossibleDuplicate):
        pass  # refused by the laptop's own rules: nothing written


def _chunks(records, cuts):
    points = sorted({c % (len(records) + 1) for c in cuts})
    bounds = [0, *points, len(records)]
    return [records[a:b] for a, b in zip(bounds, bounds[1:]) if b > a]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(ops=st.lists(op, min_size=6, max_size=24), cuts=st.lists(st.integers(0, 400), max_size=6),
       seed=st.integers(0, 2**32))
def test_laptops_exchanging_changes_in_any_order_converge(tmp_path_factory, _template_db, app_clock, ops, cuts,
                                                          seed):
    order = random.Random(seed)
    sites = Laptops(tmp_path_factory.mktemp(f"run{next(_runs)}"), _template_db, app_clock)
    try:
        laptops = [sites.laptop(name) for name in ("a", "b", "c")]
        # a shared start (one person on every laptop) so that the random work overlaps
        _do(sites, laptops, "register", 0, 0, 0)
        sites.send(laptops[0].db, laptops[1].db)
        sites.send(laptops[0].db, laptops[2].db)
        for action, who, x, y in ops:
            _do(sites, laptops, action, who, x, y)
        batches = [chunk for ctx in laptops for chunk in _chunks(export_records(ctx.db), cuts)]
        hashes = []
        for n, replay in enumerate((False, True)):
            district = sites.district(f"d{n}")
            shuffled = batches[:]
            order.shuffle(shuffled)
            for batch in shuffled + (shuffled if replay else []):
                apply_changes(district, batch, wall_ms=app_clock.wall_ms())
            assert store.parked_counts(district).get("waiting", 0) == 0
            assert store.alarms(district) == []
            assert status_disagreements(district) == []
            assert district.conn.execute(  # one counted sign-in per person per event
                "SELECT count(*) FROM (SELECT event_id, member_id FROM attendance WHERE member_id IS NOT NULL"
                " AND duplicate_of IS NULL GROUP BY event_id, member_id HAVING count(*) > 1) t").fetchone()[0] == 0
            hashes.append(state_hash(district, SHARED))
            event(f"inbox entries: {min(len(store.conflicts(district)), 3)}")
        for ctx in laptops:  # and every laptop, given everything, ends where the districts are
            for other in laptops:
                if other is not ctx:
                    sites.send(other.db, ctx.db)
            assert status_disagreements(ctx.db) == []
            hashes.append(state_hash(ctx.db, SHARED))
        assert len(set(hashes)) == 1, hashes
    finally:
        sites.close()
