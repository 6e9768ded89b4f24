"""Member table models: Qt's model checker with real rows, lazy paging, masking."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from PySide6.QtCore import QModelIndex, Qt

from clerk_app.domain.idnumber import mask
from clerk_app.services import members as member_service
from clerk_app.ui.member_models import (COL_AGE, COL_ID, COL_NAME, COL_PHONE, COL_STATUS, ROW_ROLE, SORT_ROLE,
                                        MemberTableModel, StatusHistoryModel, age)


def test_member_model_passes_qt_model_checks_with_real_rows(qtmodeltester, ctx, add_members):
    add_members(30)
    model = MemberTableModel(page_size=10)
    model.browse(lambda before, limit: member_service.page(ctx, before, limit))
    qtmodeltester.check(model)
    model.fetchMore(QModelIndex())
    qtmodeltester.check(model)
    model.set_rows(member_service.search(ctx, "王"))
    assert model.rowCount() > 0
    qtmodeltester.check(model)


def test_lazy_model_fetches_pages_until_the_roster_ends(ctx, add_members):
    ids = add_members(120)
    model = MemberTableModel(page_size=50)
    model.browse(lambda before, limit: member_service.page(ctx, before, limit))
    assert model.rowCount() == 50 and model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 100
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 120 and not model.canFetchMore(QModelIndex())
    shown = [model.data(model.index(r, 0), ROW_ROLE).id for r in range(model.rowCount())]
    assert shown == list(reversed(ids))  # newest first, each member once


def test_numbers_are_masked_and_status_in_chinese(ctx, add_members):
    add_members(1)
    model = MemberTableModel()
    model.browse(lambda before, limit: member_service.page(ctx, before, limit))
    row = model.row_at(0)
    id_text = model.data(model.index(0, COL_ID))
    phone_text = model.data(model.index(0, COL_PHONE))
    assert row.id_number not in id_text and id_text == mask(row.id_number)
    assert "*" in phone_text and row.phone not in phone_text
    assert model.data(model.index(0, COL_ID), SORT_ROLE) == id_text  # no role leaks the full number
    assert model.data(model.index(0, COL_STATUS)) == "在会"
    assert model.data(model.index(0, COL_NAME)) == row.name
    assert model.headerData(COL_ID, Qt.Orientation.Horizontal) == "身份证号码"


def test_status_history_model(qtmodeltester, ctx, add_members):
    (member_id,) = add_members(1)
    member_service.change_status(ctx, member_id, "retained", reason="退休")
    model = StatusHistoryModel()
    model.set_rows(list(member_service.get_member_file(ctx, member_id).history))
    qtmodeltester.check(model)
    assert model.rowCount() == 2
    assert [model.data(model.index(r, 1)) for r in range(2)] == ["在会", "保留会籍"]
    assert model.data(model.index(1, 2)) == "退休"


def test_list_shows_age_not_the_birth_date_the_mask_hides(ctx, add_members, today):
    add_members(3)
    model = MemberTableModel()
    model.browse(lambda before, limit: member_service.page(ctx, before, limit))
    assert model.headerData(COL_AGE, Qt.Orientation.Horizontal) == "年龄"
    for r in range(model.rowCount()):
        row = model.row_at(r)
        birth = dt.date.fromisoformat(row.birth_date)
        expected = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
        assert model.data(model.index(r, COL_AGE)) == str(expected)
        assert model.data(model.index(r, COL_AGE), SORT_ROLE) == expected
        hidden = row.id_number[6:14]  # the digits the mask hides: the birth date
        for col in range(model.columnCount()):
            for role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE, Qt.ItemDataRole.ToolTipRole):
                value = model.data(model.index(r, col), role)
                assert hidden not in str(value or "").replace("-", ""), (col, role)


def test_age_counts_whole_years_and_tolerates_a_missing_birth_date(ctx, add_members):
    add_members(1)
    model = MemberTableModel()
    model.browse(lambda before, limit: member_service.page(ctx, before, limit))
    row = replace(model.row_at(0), birth_date="2000-03-01")
    assert age(row, dt.date(2026, 2, 28)) == 25 and age(row, dt.date(2026, 3, 1)) == 26
    assert age(replace(row, birth_date=""), dt.date(2026, 3, 1)) is None
