"""Enrolling a laptop with the district, offline, by two files.

1. On the laptop: :func:`make_request` — the laptop's name and its two public keys, signed
   with its own signing key (so the request cannot carry someone else's key by mistake).
   The clerk carries the file to the district and reads the fingerprint out over the phone.
2. At the district: :func:`enrol` — checks the request, and answers with an enrolment file
   signed by the district: the laptop's site id and epoch, its union in the district's union
   tree, the card code the district assigns, the laptop's keys, and the district's own keys.
   It also returns the :class:`~.keys.KnownSender` to add to the district's registry.
3. On the laptop: :func:`accept` — checks the district's signature and that the file is for
   *these* keys, and returns an :class:`Enrolment`; the laptop's registry then holds the
   district only, so a package signed by anyone else (another laptop included) is refused.

The district's public key arrives in the enrolment file itself; what makes it trustworthy is
the fingerprint the clerk compares by phone (:attr:`Enrolment.district_fingerprint`).
A laptop restored from a backup is enrolled again with a new epoch, so its sequence numbers
start afresh without ever being confused with the old ones.

Both files are canonical CBOR: ``{"kind", "format", "payload", "signature"}`` with the
payload a canonical CBOR map of its own, signed as it stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import cbor2
from cryptography.hazmat.primitives.asymmetric import ed25519

from .. import __version__
from ..domain.cardno import check_prefix
from ..domain.errors import UserError
from .errors import EnrolmentRefused
from .keys import KEY_BYTES, KnownSender, SiteKeys, fingerprint

REQUEST_KIND = "clerk-app/enrol-request"
ENROLMENT_KIND = "clerk-app/enrolment"
FORMAT = 1
MAX_NAME = 40
MAX_FILE = 64 * 1024
_SIGN_LABEL = {REQUEST_KIND: b"clerk-app enrol request v1\x00", ENROLMENT_KIND: b"clerk-app enrolment v1\x00"}


@dataclass(frozen=True)
class Request:
    laptop_name: str
    signing_public: bytes
    encryption_public: bytes
    app_version: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.signing_public, self.encryption_public)


@dataclass(frozen=True)
class Enrolment:
    site_id: str
    epoch: int
    laptop_name: str
    union_id: str
    union_name: str
    card_code: str
    issued: date
    signing_public: bytes          # the laptop's own keys, as the district registered them
    encryption_public: bytes
    district: KnownSender

    @property
    def district_fingerprint(self) -> str:
        return self.district.fingerprint

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.signing_public, self.encryption_public)


def _wrap(kind: str, payload: dict, keys: SiteKeys) -> bytes:
    raw = cbor2.dumps(payload, canonical=True)
    return cbor2.dumps({"kind": kind, "format": FORMAT, "payload": raw,
                        "signature": keys.sign(_SIGN_LABEL[kind] + raw)}, canonical=True)


def _unwrap(data: bytes, kind: str, refuse: str) -> tuple[dict, bytes, bytes]:
    """(payload, payload bytes, signature) of a file of ``kind``; the signature is not checked."""
    try:
        if len(data) > MAX_FILE:
            raise ValueError
        doc = cbor2.loads(data, max_depth=2, allow_indefinite=False, allow_duplicate_keys=False)
        if not (isinstance(doc, dict) and doc.get("kind") == kind and doc.get("format") == FORMAT
                and isinstance(doc.get("payload"), bytes) and isinstance(doc.get("signature"), bytes)):
            raise ValueError
        payload = cbor2.loads(doc["payload"], max_depth=3, allow_indefinite=False, allow_duplicate_keys=False)
        if not isinstance(payload, dict):
            raise ValueError
    except Exception:
        raise EnrolmentRefused(refuse) from None
    return payload, doc["payload"], doc["signature"]


def _verify(signing_public: bytes, signature: bytes, kind: str, raw: bytes) -> None:
    try:
        ed25519.Ed25519PublicKey.from_public_bytes(signing_public).verify(signature, _SIGN_LABEL[kind] + raw)
    except Exception:
        raise EnrolmentRefused("bad_signature") from None


def _key(value) -> bytes:
    if not (isinstance(value, bytes) and len(value) == KEY_BYTES):
        raise ValueError
    return value


def _name(value) -> str:
    name = value.strip() if isinstance(value, str) else ""
    if not 0 < len(name) <= MAX_NAME or not name.isprintable():
        raise EnrolmentRefused("bad_name", max=MAX_NAME)
    return name


# ------------------------------------------------------------------------------------- laptop

def make_request(keys: SiteKeys, laptop_name: str) -> bytes:
    """The request file's bytes for this laptop (write them with ``files.write_atomically``)."""
    return _wrap(REQUEST_KIND, {"laptop_name": _name(laptop_name), "signing_public": keys.signing_public,
                                "encryption_public": keys.encryption_public, "app_version": __version__}, keys)


def read_request(data: bytes) -> Request:
    """A request file, checked: shape, and signed by the key it carries."""
    payload, raw, signature = _unwrap(data, REQUEST_KIND, "not_a_request")
    try:
        if set(payload) != {"laptop_name", "signing_public", "encryption_public", "app_version"}:
            raise ValueError
        request = Request(payload["laptop_name"], _key(payload["signing_public"]),
                          _key(payload["encryption_public"]), str(payload["app_version"])[:40])
    except (ValueError, TypeError):
        raise EnrolmentRefused("not_a_request") from None
    _verify(request.signing_public, signature, REQUEST_KIND, raw)
    _name(request.laptop_name)
    return request


def accept(data: bytes, keys: SiteKeys) -> Enrolment:
    """The enrolment the district signed for this laptop (``keys``); refused if it is damaged,
    not signed by the district key it names, or made for other keys."""
    payload, raw, signature = _unwrap(data, ENROLMENT_KIND, "not_an_enrolment")
    enrolment = _enrolment_from(payload)
    _verify(enrolment.district.signing_public, signature, ENROLMENT_KIND, raw)
    if (enrolment.signing_public, enrolment.encryption_public) != (keys.signing_public, keys.encryption_public):
        raise EnrolmentRefused("not_ours")
    return enrolment


def _enrolment_from(payload: dict) -> Enrolment:
    keys = {"site_id", "epoch", "laptop_name", "union_id", "union_name", "card_code", "issued",
            "signing_public", "encryption_public", "district"}
    try:
        if set(payload) != keys or not isinstance(payload["district"], dict):
            raise ValueError
        d = payload["district"]
        if set(d) != {"site_id", "name", "signing_public", "encryption_public"}:
            raise ValueError
        texts = [payload[k] for k in ("site_id", "laptop_name", "union_id", "union_name", "card_code")]
        if not all(isinstance(t, str) and 0 < len(t) <= 200 for t in texts + [d["site_id"], d["name"]]):
            raise ValueError
        epoch = payload["epoch"]
        if not (isinstance(epoch, int) and not isinstance(epoch, bool) and 0 < epoch < 2 ** 31):
            raise ValueError
        district = KnownSender(d["site_id"], d["name"], _key(d["signing_public"]), _key(d["encryption_public"]))
        return Enrolment(payload["site_id"], epoch, payload["laptop_name"], payload["union_id"],
                         payload["union_name"], payload["card_code"], date.fromisoformat(payload["issued"]),
                         _key(payload["signing_public"]), _key(payload["encryption_public"]), district)
    except (ValueError, TypeError, KeyError):
        raise EnrolmentRefused("not_an_enrolment") from None


# ------------------------------------------------------------------------------------ district

def enrol(request_data: bytes, *, district_keys: SiteKeys, district_site_id: str, district_name: str,
          site_id: str, epoch: int, union_id: str, union_name: str, card_code: str,
          issued: date) -> tuple[bytes, KnownSender]:
    """The district's answer to a request: the enrolment file's bytes, and the laptop as a
    :class:`KnownSender` for the district's registry. ``site_id`` is new for every enrolment
    (the caller makes the UUID); ``epoch`` starts at 1 and rises when a restored laptop is
    enrolled again. ``card_code`` must have the card-prefix shape (:mod:`~clerk_app.domain.cardno`)."""
    request = read_request(request_data)
    code, problem = check_prefix(card_code)
    if problem:
        raise UserError(problem, text=card_code)
    if not (isinstance(epoch, int) and not isinstance(epoch, bool) and 0 < epoch < 2 ** 31):
        raise EnrolmentRefused("bad_epoch")
    payload = {
        "site_id": site_id, "epoch": epoch, "laptop_name": request.laptop_name,
        "union_id": union_id, "union_name": union_name, "card_code": code, "issued": issued.isoformat(),
        "signing_public": request.signing_public, "encryption_public": request.encryption_public,
        "district": {"site_id": district_site_id, "name": _name(district_name),
                     "signing_public": district_keys.signing_public,
                     "encryption_public": district_keys.encryption_public},
    }
    _enrolment_from(payload)  # never write a file the laptop would refuse
    sender = KnownSender(site_id, request.laptop_name, request.signing_public, request.encryption_public)
    return _wrap(ENROLMENT_KIND, payload, district_keys), sender
