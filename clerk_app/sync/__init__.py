"""Sync packages and enrolment: the files that carry a laptop's work to the district and back.

* :mod:`.container` — the package file: cleartext header, HPKE encryption to the recipient,
  inside a signed manifest and the zstd-compressed CBOR body; verified before it is parsed.
* :mod:`.keys` — a site's signing and encryption keys, fingerprints, the registry of known senders.
* :mod:`.enrol` — request file → signed enrolment file → accepted on the laptop.
* :mod:`.shape` — what a change inside a package may look like (types, lengths, whitelists).
* :mod:`.errors` — :class:`PackageRefused` and its stable reason codes.
* :mod:`.policy` — ``SYNC_POLICY``: how each synced table merges.
* :mod:`.merge` — change records out of a database (``export_records``) and merged into one
  (``apply_changes``): idempotent, order-independent, conflicts and duplicates to the inbox.

No Qt and no SQL here (the merge's SQL is in ``storage.sync_store``): the body goes in and comes
out as plain Python data.
"""
