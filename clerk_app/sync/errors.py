"""Why a package, enrolment or key file was refused: a stable reason code and a Chinese message.

The reason code is the part after ``sync.`` / ``enrol.`` / ``keys.`` of the message key in
:mod:`clerk_app.domain.messages`; scripts and tests compare codes, people read the message.
"""

from __future__ import annotations

from ..domain.errors import UserError

# Reason codes of PackageRefused, in the order the checks run.
TOO_LARGE = "too_large"
NOT_A_PACKAGE = "not_a_package"
NEWER_FORMAT = "newer_format"
OLD_FORMAT = "old_format"
UNKNOWN_SUITE = "unknown_suite"
DAMAGED = "damaged"
NOT_FOR_US = "not_for_us"
UNKNOWN_SENDER = "unknown_sender"
REVOKED = "revoked"
NEWER_SCHEMA = "newer_schema"
BODY_MISMATCH = "body_mismatch"
BOMB = "bomb"
BAD_RECORD = "bad_record"
ATTACHMENT_MISMATCH = "attachment_mismatch"   # the files section: bytes that are not their hash
# Checked against the receiver's ledger (services.sync_packages), after the package itself passed.
EQUIVOCATION = "equivocation"
FORK = "fork"

REASONS = (TOO_LARGE, NOT_A_PACKAGE, NEWER_FORMAT, OLD_FORMAT, UNKNOWN_SUITE, DAMAGED, NOT_FOR_US,
           UNKNOWN_SENDER, REVOKED, NEWER_SCHEMA, BODY_MISMATCH, BOMB, BAD_RECORD, ATTACHMENT_MISMATCH,
           EQUIVOCATION, FORK)


class PackageRefused(UserError):
    """A sync package that must not be imported; nothing of it was used."""

    def __init__(self, reason: str, /, **params):
        self.reason = reason
        super().__init__(f"sync.{reason}", **params)


class EnrolmentRefused(UserError):
    """A request or enrolment file that is not what it claims to be."""

    def __init__(self, reason: str, /, **params):
        self.reason = reason
        super().__init__(f"enrol.{reason}", **params)


class KeyFileRefused(UserError):
    """The site's key file cannot be opened (damaged, or the wrong passphrase)."""

    def __init__(self, reason: str, /, **params):
        self.reason = reason
        super().__init__(f"keys.{reason}", **params)
