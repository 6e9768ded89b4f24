"""Attachments: stored under their content hash, encrypted (the content is not in the data
folder's bytes), kept when the original is moved, refused when altered, opened audited."""

from __future__ import annotations

import pytest

from clerk_app.domain.errors import UserError
from clerk_app.services import hardship_attachments as att
from clerk_app.storage import attachments as store


def test_attachment_is_encrypted_hash_named_and_survives_the_original(ctx, filed, data_dir, tmp_path):
    proof = tmp_path / "收入证明.txt"
    secret = "月收入 3000 元 身份证 110105199003071239".encode()
    proof.write_bytes(secret)
    a = att.add_attachment(ctx, filed.worker_no, proof, "收入证明")
    proof.unlink()  # the clerk moves the original away
    stored = store.path_of(data_dir, a.sha256)
    assert stored.exists() and secret not in stored.read_bytes() and b"110105199003071239" not in stored.read_bytes()
    assert att.list_attachments(ctx, filed.worker_no) == [a] and a.name == "收入证明.txt"
    assert att.open_attachment(ctx, a.id) == secret
    audit = ctx.db.conn.execute("SELECT detail FROM audit_log WHERE action = 'reveal'").fetchall()[-1][0]
    assert "attachment" in audit and "3000" not in audit
    again = tmp_path / "copy.txt"
    again.write_bytes(secret)
    assert att.add_attachment(ctx, filed.worker_no, again, "其他").sha256 == a.sha256  # stored once
    body = bytearray(stored.read_bytes())
    body[-1] ^= 1
    stored.write_bytes(bytes(body))
    with pytest.raises(UserError) as err:
        att.open_attachment(ctx, a.id)
    assert err.value.code == "hardship.attachment_damaged"


def test_attachments_are_listed_on_the_printed_form(ctx, filed, tmp_path):
    from clerk_app.services import hardship_documents as docs
    from tests.printing.pdfcheck import pdf_text

    proof = tmp_path / "诊断.pdf"
    proof.write_bytes(b"%PDF-1.4 fake")
    att.add_attachment(ctx, filed.worker_no, proof, "诊断证明")
    assert "诊断证明（诊断.pdf）" in pdf_text(docs.file_form(ctx, filed.worker_no).pdf).replace(" ", "")
