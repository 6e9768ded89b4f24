"""This computer as a sync site: its keys, its enrolment with the district, and (at the district)
the laptops it enrolled.

**Where the keys live.** The site's two private keys (sync.keys) are in ``sync-keys.bin`` in
the data folder, next to the database, encrypted (PKCS#8, ``BestAvailableEncryption``) with a
passphrase derived from the database's data key by HKDF-SHA256 (label
``clerk-app site keys v1``). So the file is useless without the data key, which only a clerk's
password or the recovery code unwraps (keys.json); no second secret to remember, and changing
a clerk's password does not touch it. A restored backup keeps the keys (they are not in it) but
is enrolled again with a new epoch.

**What the database keeps** (migration 0011, storage.sync_ledger): the sender registry
(``sync_peers``: a laptop holds its district; the district holds every laptop it enrolled)
and, in ``meta``, this site's sync identity: ``sync_role`` (district / laptop), ``sync_site_id``
and ``sync_epoch`` — for a laptop, the ones the district's enrolment gave it; for the district,
its own site id and epoch 1 — plus the union and card code the enrolment assigned.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..domain.errors import UserError
from ..domain.text import single_line
from ..storage import sync_ledger as ledger
from ..storage import unions_repo
from ..storage.changes import site_epoch
from ..storage.cipher import key_of
from ..storage.db import database_file, transaction
from ..storage.meta import get_meta, set_meta
from ..sync import enrol as enrolment_files
from ..sync.files import write_atomically
from ..sync.keys import KnownSender, SenderRegistry, SiteKeys, load_site_keys, save_site_keys
from .access import require
from .context import Context, new_id

KEYS_FILENAME = "sync-keys.bin"
_KEYS_LABEL = b"clerk-app site keys v1"
ROLE_KEY, SITE_KEY, EPOCH_KEY = "sync_role", "sync_site_id", "sync_epoch"
UNION_KEY, CODE_KEY, ENROLLED_KEY, DISTRICT_NAME_KEY = ("sync_union_id", "sync_card_code", "sync_enrolled_at",
                                                        "sync_district_name")
# How many times this database had been restored when it was enrolled (storage.changes.site_epoch):
# a restore since then means the enrolment (and its package sequence) belongs to the lost past.
RESTORES_KEY = "sync_enrolled_restores"
DISTRICT, LAPTOP = ledger.DISTRICT, ledger.LAPTOP


@dataclass(frozen=True)
class Identity:
    role: str                # "district" or "laptop"
    site_id: str | None      # the sync site id (None: a laptop not enrolled yet)
    epoch: int
    name: str                # the laptop's (or district's) name

    @property
    def enrolled(self) -> bool:
        return self.site_id is not None

    @property
    def is_district(self) -> bool:
        return self.role == DISTRICT


def identity(ctx: Context) -> Identity:
    role = get_meta(ctx.db, ROLE_KEY, LAPTOP) or LAPTOP
    site = get_meta(ctx.db, SITE_KEY)
    return Identity(role, site, int(get_meta(ctx.db, EPOCH_KEY, "0") or 0), ctx.laptop_name)


# ------------------------------------------------------------------------------------------ keys

def keys_path(ctx: Context) -> Path:
    return database_file(ctx.db).parent / KEYS_FILENAME


def _passphrase(ctx: Context) -> bytes | None:
    data_key = key_of(ctx.db.conn)
    if data_key is None:  # a plaintext database (tests of old files, benchmarks): nothing to wrap with
        return None
    return HKDF(hashes.SHA256(), 32, salt=None, info=_KEYS_LABEL).derive(data_key)


def site_keys(ctx: Context, *, create: bool = False) -> SiteKeys:
    """This site's private keys; made (and saved) the first time when ``create``."""
    path = keys_path(ctx)
    if path.exists():
        return load_site_keys(path, _passphrase(ctx))
    if not create:
        raise UserError("syncsite.no_keys", path=str(path))
    keys = SiteKeys.generate()
    save_site_keys(path, keys, _passphrase(ctx))
    return keys


def registry(ctx: Context) -> SenderRegistry:
    """Who this site accepts packages from: its peers, with their revocations."""
    reg = SenderRegistry()
    for p in ledger.peers(ctx.db):
        reg.add(_known(p))
    return reg


def _known(p: ledger.Peer) -> KnownSender:
    return KnownSender(p.site_id, p.name, p.signing_public, p.encryption_public, p.revoked_after)


def known_peer(ctx: Context, site_id: str) -> KnownSender:
    p = ledger.peer(ctx.db, site_id)
    if p is None:
        raise UserError("syncsite.unknown_site", site=site_id)
    return _known(p)


# -------------------------------------------------------------------------------------- district

def become_district(ctx: Context) -> Identity:
    """Make this (freshly set-up) installation the district's: its own site id, epoch 1, keys."""
    require(ctx, "manage_keys")
    current = identity(ctx)
    if current.enrolled and not current.is_district:
        raise UserError("syncsite.already_laptop")
    site_keys(ctx, create=True)
    with transaction(ctx.db):
        set_meta(ctx.db, ROLE_KEY, DISTRICT)
        set_meta(ctx.db, SITE_KEY, ctx.site_id)
        set_meta(ctx.db, EPOCH_KEY, "1")
        ctx.changes.note("meta")
        ctx.audit("create", "sync_district", ctx.site_id)
    return identity(ctx)


@dataclass(frozen=True)
class Enrolled:
    site_id: str
    epoch: int
    laptop_name: str
    union_id: str
    union_name: str
    card_code: str
    fingerprint: str          # the laptop's, to compare by phone
    district_fingerprint: str


def enrol_laptop(ctx: Context, request: bytes, *, union_name: str, card_code: str,
                 out: Path | str) -> Enrolled:
    """At the district: answer a laptop's request file with an enrolment file written to ``out``.
    The union is found by name in the district's union tree, or added under the district's own
    union. A laptop enrolled before (same signing key) keeps its site id with the next epoch."""
    require(ctx, "manage_keys")
    me = identity(ctx)
    if not me.is_district:
        raise UserError("syncsite.not_district")
    keys = site_keys(ctx)
    req = enrolment_files.read_request(request)
    union_name = single_line(union_name)
    if not union_name:
        raise UserError("union.name_required")
    with transaction(ctx.db):
        union_id = next((u.id for u in unions_repo.all_unions(ctx.db) if u.name == union_name), None)
        if union_id is None:
            union_id = new_id(ctx.clock)
            ctx.changes.insert("unions", {"id": union_id, "name": union_name, "kind": "乡镇街道总工会",
                                          "parent_id": ctx.home_union_id or None, "created_at": ctx.now_stamp()})
        again = next((p for p in ledger.peers(ctx.db, LAPTOP) if p.signing_public == req.signing_public), None)
        site_id, epoch = (again.site_id, again.epoch + 1) if again else (new_id(ctx.clock), 1)
        data, sender = enrolment_files.enrol(
            request, district_keys=keys, district_site_id=me.site_id, district_name=me.name or "区总工会",
            site_id=site_id, epoch=epoch, union_id=union_id, union_name=union_name, card_code=card_code,
            issued=ctx.today())
        ledger.save_peer(ctx.db, site_id=site_id, name=sender.name, role=LAPTOP,
                         signing_public=sender.signing_public, encryption_public=sender.encryption_public,
                         epoch=epoch, union_id=union_id, card_code=card_code.strip().upper(), at=ctx.now_stamp())
        ctx.changes.note("sync_peers")
        ctx.audit("create", "sync_enrolment", site_id, laptop=sender.name, epoch=epoch, union_id=union_id)
        write_atomically(out, data)
    return Enrolled(site_id, epoch, sender.name, union_id, union_name, card_code.strip().upper(),
                    sender.fingerprint, keys.fingerprint)


def revoke(ctx: Context, site: str) -> ledger.Peer:
    """At the district: a lost laptop (by site id or name). Its packages up to the last one
    imported still count; any later one is refused."""
    require(ctx, "manage_keys")
    found = [p for p in ledger.peers(ctx.db, LAPTOP) if site in (p.site_id, p.name)]
    if len(found) != 1:
        raise UserError("syncsite.unknown_site", site=site)
    p = found[0]
    seqs = ledger.imported_seqs(ctx.db, p.site_id, p.epoch)
    with transaction(ctx.db):
        ledger.revoke_peer(ctx.db, p.site_id, p.epoch, max(seqs, default=0))
        ctx.changes.note("sync_peers")
        ctx.audit("update", "sync_revoke", p.site_id, laptop=p.name, after=max(seqs, default=0))
    return ledger.peer(ctx.db, p.site_id)


# ---------------------------------------------------------------------------------------- laptop

def restored_since_enrolment(ctx: Context) -> bool:
    """Whether this laptop was restored from a backup after it was enrolled: its packages would
    repeat sequence numbers the district already holds, so it must be enrolled again (a new
    epoch) before it exports."""
    held = get_meta(ctx.db, RESTORES_KEY)
    return held is not None and held.isdigit() and site_epoch(ctx.db) > int(held)


def request_file(ctx: Context, out: Path | str) -> tuple[Path, str]:
    """On the laptop: the request file for the district (keys made the first time), and this
    laptop's fingerprint to read out by phone."""
    require(ctx, "manage_keys")
    if identity(ctx).is_district:
        raise UserError("syncsite.is_district")
    keys = site_keys(ctx, create=True)
    path = write_atomically(out, enrolment_files.make_request(keys, ctx.laptop_name or "笔记本"))
    with transaction(ctx.db):
        ctx.audit("create", "sync_request", ctx.site_id, fingerprint=keys.fingerprint)
    return path, keys.fingerprint


def accept_enrolment(ctx: Context, data: bytes) -> enrolment_files.Enrolment:
    """On the laptop: take the district's enrolment file — site id, epoch, union, card code and
    the district as the one sender this laptop accepts packages from."""
    from .cards import set_card_prefix

    require(ctx, "manage_keys")
    if identity(ctx).is_district:
        raise UserError("syncsite.is_district")
    got = enrolment_files.accept(data, site_keys(ctx))
    with transaction(ctx.db):
        for old in ledger.peers(ctx.db, DISTRICT):
            if old.site_id != got.district.site_id:
                raise UserError("syncsite.other_district", name=old.name)
        ledger.save_peer(ctx.db, site_id=got.district.site_id, name=got.district.name, role=DISTRICT,
                         signing_public=got.district.signing_public,
                         encryption_public=got.district.encryption_public, epoch=1, at=ctx.now_stamp())
        set_meta(ctx.db, ROLE_KEY, LAPTOP)
        set_meta(ctx.db, SITE_KEY, got.site_id)
        set_meta(ctx.db, EPOCH_KEY, str(got.epoch))
        set_meta(ctx.db, UNION_KEY, got.union_id)
        set_meta(ctx.db, CODE_KEY, got.card_code)
        set_meta(ctx.db, DISTRICT_NAME_KEY, got.district.name)
        set_meta(ctx.db, ENROLLED_KEY, ctx.now_stamp())
        set_meta(ctx.db, RESTORES_KEY, str(site_epoch(ctx.db)))
        set_card_prefix(ctx, got.card_code)
        ctx.changes.note("meta")
        ctx.audit("update", "sync_enrolment", got.site_id, epoch=got.epoch, union=got.union_name,
                  district_fingerprint=got.district_fingerprint)
    return got


@dataclass(frozen=True)
class EnrolmentStatus:
    role: str
    site_id: str | None
    epoch: int
    fingerprint: str | None          # this computer's (None before its keys exist)
    district: str | None
    district_fingerprint: str | None
    union_id: str | None
    card_code: str | None
    enrolled_at: str | None


def enrolment_status(ctx: Context) -> EnrolmentStatus:
    me = identity(ctx)
    fp = site_keys(ctx).fingerprint if keys_path(ctx).exists() else None
    district = next(iter(ledger.peers(ctx.db, DISTRICT)), None)
    return EnrolmentStatus(me.role, me.site_id, me.epoch, fp, district.name if district else None,
                           _known(district).fingerprint if district else None, get_meta(ctx.db, UNION_KEY),
                           get_meta(ctx.db, CODE_KEY), get_meta(ctx.db, ENROLLED_KEY))
