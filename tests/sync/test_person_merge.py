"""One person registered on two laptops, merged at the district (services.person_merge): the
cards and sign-ins follow the kept record, the merge travels down as change records, and no
replayed or late package splits the person again; or the pair is marked as two people."""

from __future__ import annotations

import pytest

from clerk_app.domain import card as lifecycle
from clerk_app.domain import vocab
from clerk_app.domain.errors import UserError
from clerk_app.services import cards, members, person_merge, signin, sync_packages, sync_site
from clerk_app.storage import events_repo
from clerk_app.storage import sync_store as store
from clerk_app.sync.merge import apply_changes
from clerk_app.sync.records import export_records
from tests.conftest import make_id
from tests.merge.conftest import DAY, _on_day  # noqa: F401 - the app works on DAY

SAME = make_id(seq="741")


def _outbox(tmp_path, name):
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    return folder


def _visible(ctx, ids):
    """Of the pair, the records the members list shows, and those a search by name or a name
    fragment (one, two characters: the gram keys) finds."""
    pair = (ids["a"], ids["b"])
    listed = [m for m in members.listed_ids(ctx) if m in pair]
    found = {r.id for name in ("王小明", "王晓明", "晓明", "小明", "王") for r in members.search(ctx, name) if r.id in pair}
    assert set(listed) == found
    return sorted(listed)


def _one_person_on_two_laptops(enrolled, tmp_path):
    """Laptop a registers the person, issues a card, makes an event and signs them in; laptop b,
    before it knows of a's record, registers the same ID number and issues a card, then gets the
    event from the district and signs its record in too. Returns (ids, packages)."""
    a, b, district = enrolled.a, enrolled.b, enrolled.district_ctx
    ma = enrolled.member(a, "王小明", SAME)
    mb = enrolled.member(b, "王晓明", SAME)
    card_a = cards.issue_card(a, ma, DAY, today=DAY)
    card_b = cards.issue_card(b, mb, DAY, today=DAY)
    event = enrolled.event(a)
    first = signin.sign_in_member(a, event.id, ma).attendee.id
    up_a = sync_packages.export_package(a, _outbox(tmp_path, "usb-a1"))
    sync_packages.import_package(district, up_a.path)
    down = sync_packages.export_package(district, _outbox(tmp_path, "down-b1"), to=sync_site.identity(b).site_id)
    sync_packages.import_package(b, down.path)
    later = signin.sign_in_member(b, event.id, mb).attendee.id
    up_b = sync_packages.export_package(b, _outbox(tmp_path, "usb-b1"))
    sync_packages.import_package(district, up_b.path)
    ids = {"a": ma, "b": mb, "card_a": card_a.id, "card_b": card_b.id, "event": event.id,
           "first": first, "later": later}
    return ids, [up_a.path, up_b.path]


def test_merge_moves_cards_and_sign_ins_and_replays_never_split_the_person(enrolled, tmp_path):
    a, b, district = enrolled.a, enrolled.b, enrolled.district_ctx
    ids, packages = _one_person_on_two_laptops(enrolled, tmp_path)
    db = district.db
    assert [p[:2] for p in store.duplicate_pairs(db)] == [tuple(sorted((ids["a"], ids["b"])))]
    assert _visible(district, ids) == sorted((ids["a"], ids["b"]))

    done = person_merge.merge_persons(district, ids["a"], ids["b"])

    assert done.moved["cards"] == 1 and done.moved["attendance"] == 1 and done.moved["member_status_history"] >= 1
    assert _visible(district, ids) == [ids["a"]]  # one person on lists and search
    assert {store.get_row(db, "cards", c)["member_id"] for c in (ids["card_a"], ids["card_b"])} == {ids["a"]}
    # both cards stay active: never silently cancelled, named in the inbox for a person
    assert sorted(done.active_cards) == sorted((ids["card_a"], ids["card_b"]))
    assert store.active_cards(db, ids["a"], lifecycle.ACTIVE) == sorted((ids["card_a"], ids["card_b"]))
    [inbox] = store.conflicts(db, "two_active_cards")
    assert inbox["row_id"] == ids["a"] and sorted(inbox["detail"]["cards"]) == sorted((ids["card_a"], ids["card_b"]))
    # one counted sign-in: the earliest, the other kept as its duplicate
    assert events_repo.attendance_count(db, ids["event"]) == 1
    assert store.get_row(db, "attendance", ids["first"])["duplicate_of"] is None
    assert store.get_row(db, "attendance", ids["later"])["duplicate_of"] == ids["first"]
    assert store.get_row(db, "members", ids["b"])["merged_into"] == ids["a"]
    assert store.duplicate_pairs(db)[0][3] == person_merge.MERGED
    assert sync_packages.status(district).duplicates == 0

    # replay of the very packages: 已导入, nothing moves
    for path in packages:
        assert sync_packages.import_package(district, path).already
    # the next package down carries the merge (as change records) to laptop b
    event2 = enrolled.event(a)
    up_a = sync_packages.export_package(a, _outbox(tmp_path, "usb-a2"))
    sync_packages.import_package(district, up_a.path)
    down = sync_packages.export_package(district, _outbox(tmp_path, "down-b2"), to=sync_site.identity(b).site_id)
    assert sync_packages.import_package(b, down.path).report.applied > 0
    # the merge reached laptop b with the package: there too the person is one
    assert store.get_row(b.db, "members", ids["b"])["merged_into"] == ids["a"]
    assert store.get_row(b.db, "cards", ids["card_b"])["member_id"] == ids["a"]
    assert _visible(b, ids) == [ids["a"]]
    assert store.get_row(b.db, "attendance", ids["later"])["duplicate_of"] == ids["first"]
    assert events_repo.attendance_count(b.db, ids["event"]) == 1

    # a record made against the dropped id (as an older laptop would) still lands on the survivor
    with_b = signin.sign_in_member(b, event2.id, ids["a"]).attendee.id
    old_style = [r for r in export_records(b.db) if r["row_id"] == with_b]
    old_style = [{**r, "data": {**r["data"], "member_id": ids["b"]}} for r in old_style]
    report = apply_changes(db, old_style, wall_ms=enrolled.clock.wall_ms())
    assert report.applied == len(old_style)
    assert store.get_row(db, "attendance", with_b)["member_id"] == ids["a"]
    assert _visible(district, ids) == [ids["a"]]
    assert [d for d in store.duplicate_pairs(db) if not d[3]] == []
    assert events_repo.attendance_count(db, ids["event"]) == 1


def test_a_late_package_from_the_dropped_laptop_follows_the_survivor(enrolled, tmp_path):
    b, district = enrolled.b, enrolled.district_ctx
    ids, _packages = _one_person_on_two_laptops(enrolled, tmp_path)
    # laptop b goes on working with its own record before it hears of the merge
    members.update_member(b, ids["b"], members.get_member(b, ids["b"]).to_input().__class__(
        **{**members.get_member(b, ids["b"]).to_input().__dict__, "phone": "13900002222"}))
    cards.report_lost(b, ids["card_b"], "丢失", DAY, today=DAY)
    new_card = cards.reissue_card(b, ids["card_b"], "补卡", DAY, today=DAY).new  # a new card for b's record
    members.change_status(b, ids["b"], vocab.RETAINED, effective=DAY, today=DAY)  # a history line for it
    person_merge.merge_persons(district, ids["a"], ids["b"])
    late = sync_packages.export_package(b, _outbox(tmp_path, "usb-b2"))
    assert sync_packages.import_package(district, late.path).report.applied > 0
    db = district.db
    assert store.get_row(db, "members", ids["b"])["merged_into"] == ids["a"]
    assert _visible(district, ids) == [ids["a"]]
    assert store.get_row(db, "cards", new_card.id)["member_id"] == ids["a"]
    assert store.get_row(db, "members", ids["a"])["status"] == vocab.RETAINED  # from the merged history
    assert store.ids_where(db, "cards", "member_id", ids["b"]) == []
    assert store.ids_where(db, "attendance", "member_id", ids["b"]) == []
    assert store.ids_where(db, "member_status_history", "member_id", ids["b"]) == []
    assert [d for d in store.duplicate_pairs(db) if not d[3]] == []


def test_not_the_same_person_is_no_longer_pending(enrolled, tmp_path):
    district = enrolled.district_ctx
    ids, _ = _one_person_on_two_laptops(enrolled, tmp_path)
    assert sync_packages.status(district).duplicates == 1
    person_merge.not_same_person(district, ids["b"], ids["a"])
    assert [d[3] for d in store.duplicate_pairs(district.db)] == [person_merge.DISTINCT]
    assert sync_packages.status(district).duplicates == 0
    assert _visible(district, ids) == sorted((ids["a"], ids["b"]))  # both stay, each their own person
    with pytest.raises(UserError) as err:
        person_merge.merge_persons(district, ids["a"], ids["a"])
    assert err.value.code == "person.same_record"


def test_only_the_district_merges(enrolled, tmp_path):
    a = enrolled.a
    one = enrolled.member(a, "张三")
    two = enrolled.member(a, "李四")
    with pytest.raises(UserError) as err:
        person_merge.merge_persons(a, one, two)
    assert err.value.code == "person.district_only"
    assert store.get_row(a.db, "members", two)["merged_into"] is None


def test_two_hardship_files_of_one_person_are_flagged_after_the_merge(enrolled, tmp_path):
    from clerk_app.domain import hardship as hs
    from clerk_app.services import hardship, sync_district
    from tests.hardship.conftest import child_id

    a, b, district = enrolled.a, enrolled.b, enrolled.district_ctx
    same = make_id(seq="357")
    ma, mb = enrolled.member(a, "赵困难", same), enrolled.member(b, "赵困难", same)
    for ctx, member in ((a, ma), (b, mb)):
        form = hs.FileInput(category="低保户", own_monthly_income="1000", sensitive_consent="书面",
                            household=[hs.HouseholdInput(name="赵小", relation="子女", id_number=child_id(DAY),
                                                         guardian_consent=True)])
        hardship.file_member(ctx, member, form)
        sent = sync_packages.export_package(ctx, _outbox(tmp_path, f"hs-{ctx.laptop_name}"))
        sync_packages.import_package(district, sent.path)
    done = person_merge.merge_persons(district, ma, mb)
    assert len(done.hardship_files) == 2
    [flag] = store.conflicts(district.db, "two_hardship_files")
    assert flag["row_id"] == ma and sorted(flag["detail"]["files"]) == sorted(done.hardship_files)
    [row] = [r for r in sync_district.inbox(district) if r.kind == "two_hardship_files"]
    assert "两份在档的困难职工档案" in row.what and "赵困难" in row.what
