"""Card register and event attendance to real .xlsx files, read back with openpyxl."""

from __future__ import annotations

from openpyxl import load_workbook

from clerk_app.services import cards, signin
from clerk_app.services.list_export import export_attendance, export_cards
from clerk_app.storage.audit import recent


def _sheet(path):
    ws = load_workbook(path).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    formats = {ws.cell(row=1, column=i + 1).value: ws.cell(row=2, column=i + 1).number_format
               for i in range(ws.max_column)}
    return rows, formats


def test_card_register_export_is_masked_text_and_follows_the_filter(laptop, card_for, tmp_path):
    kept = card_for("王小明")
    lost = card_for("李娜")
    cards.report_lost(laptop, lost.card_no, "丢失")
    out = tmp_path / "cards.xlsx"

    result = export_cards(laptop, out, status="active")

    rows, formats = _sheet(out)
    assert result.count == 1 and len(rows) == 2
    header, row = rows
    assert row[header.index("卡号")] == kept.grouped_no
    assert row[header.index("持卡人")] == "王小明"
    assert "*" in row[header.index("身份证号码")]
    assert formats["卡号"] == "@" and formats["身份证号码"] == "@"
    entry = recent(laptop.db, 1)[0]
    assert (entry.action, entry.entity, entry.detail["count"], entry.detail["filtered"]) == ("export", "cards", 1, True)


def test_attendance_export_masks_phones_unless_full_and_audits_both(laptop, event, card_for, tmp_path):
    card = card_for("王小明", phone="13912345678")
    signin.sign_in_scan(laptop, event.id, card.card_no)
    signin.sign_in_walk_in(laptop, event.id, "赵六", "13700001111", "快递员", confirm_not_member=True)

    masked = export_attendance(laptop, tmp_path / "a.xlsx", event.id)
    full = export_attendance(laptop, tmp_path / "b.xlsx", event.id, full=True)

    rows, formats = _sheet(masked.path)
    header = rows[0]
    assert [r[header.index("姓名")] for r in rows[1:]] == ["王小明", "赵六"]
    assert [r[header.index("手机号码")] for r in rows[1:]] == ["139****5678", "137****1111"]
    assert formats["手机号码"] == "@"
    full_rows, _ = _sheet(full.path)
    assert [r[header.index("手机号码")] for r in full_rows[1:]] == ["13912345678", "13700001111"]
    audits = [(e.entity, e.detail["full"]) for e in recent(laptop.db, 2)]
    assert audits == [("attendance", True), ("attendance", False)]
    assert "13912345678" not in str([e.detail for e in recent(laptop.db, 5)])
