"""Hardship records as types (built by ``storage.hardship_repo``): the file, its household, its
lifecycle history, ledger entries, rule versions and visits. Values as stored (ISO dates,
integer fen, full numbers); sensitive values are left out of ``repr`` and have masked views."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

from . import assistance
from .hardship import EVENTS, STATUSES, PerHead, mask_account, per_head_income
from .idnumber import mask
from .money import to_yuan


@dataclass(frozen=True, slots=True)
class HouseholdMember:
    id: str
    file_id: str
    name: str
    relation: str
    ethnicity: str
    id_number: str = field(repr=False)
    birth_date: str = field(repr=False)
    gender: str
    political_status: str
    monthly_income_fen: int = field(repr=False)
    model_worker: str
    health: str = field(repr=False)
    illness: str = field(repr=False)
    medical_insurance: str
    marital_status: str
    register_type: str
    phone: str = field(repr=False)
    identity: str
    education: str
    enrol_year: str
    school_years: str
    school_or_employer: str
    work_status: str
    position: int

    @property
    def id_number_masked(self) -> str:
        return mask(self.id_number)


@dataclass(frozen=True, slots=True)
class HardshipFile:
    """One 困难职工档案 with the member's own fields it shows."""

    id: str
    member_id: str
    worker_no: str
    category: str
    health: str = field(repr=False)
    illness: str = field(repr=False)
    disability_kind: str = field(repr=False)
    disability_grade: str = field(repr=False)
    work_status: str
    model_worker: str
    housing_type: str
    housing_area: str
    other_contact: str = field(repr=False)
    work_since: str
    industry: str
    marital_status: str
    register_type: str
    address: str = field(repr=False)
    employer_nature: str
    enterprise_status: str
    single_parent: int
    own_monthly_fen: int = field(repr=False)
    other_yearly_fen: int = field(repr=False)
    household_size: int
    register_region: str
    medical_insurance: str
    self_help: int
    zero_employment: int
    primary_cause: str
    secondary_cause: str
    cause_text: str
    bank: str = field(repr=False)
    bank_branch: str = field(repr=False)
    bank_account: str = field(repr=False)
    remarks: str
    filer: str
    reviewer: str
    entry_clerk: str
    opinion_org: str
    opinion_org_date: str
    opinion_union: str
    opinion_union_date: str
    opinion_system: str
    opinion_system_date: str
    publicized: int
    publicized_date: str
    status: str
    filed_date: str
    resurvey_due: str
    created_at: str
    updated_at: str
    # the member's record
    name: str
    gender: str
    ethnicity: str
    political_status: str
    birth_date: str = field(repr=False)
    id_number: str = field(repr=False)
    phone: str = field(repr=False)
    employer: str
    union_name: str

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    @property
    def per_head(self) -> PerHead:
        return per_head_income(self.own_monthly_fen, self.other_yearly_fen, self.household_size)

    @property
    def bank_account_masked(self) -> str:
        return mask_account(self.bank_account)

    @property
    def id_number_masked(self) -> str:
        return mask(self.id_number)


@dataclass(frozen=True, slots=True)
class FileRow:
    """One line of the hardship list."""

    id: str
    worker_no: str
    name: str
    category: str
    status: str
    filed_date: str
    resurvey_due: str
    member_id: str

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    id: str
    file_id: str
    event: str
    effective_date: str
    reason: str
    clerk_id: str
    recorded_at: str

    @property
    def label(self) -> str:
        return EVENTS.get(self.event, self.event)


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    id: str
    file_id: str
    kind: str
    amount_fen: int
    paid_date: str
    fund: str
    approver: str
    recipient_id: str
    recipient_name: str
    method: str
    notes: str
    rule_version: int
    reverses_id: str
    clerk_id: str
    recorded_at: str
    reversed_by: str  # the reversal entry's id, '' when this entry stands
    override_reasons: str  # 负责人 override reasons kept with the entry, '；'-joined
    worker_name: str
    worker_no: str

    @property
    def amount(self):
        return to_yuan(self.amount_fen)

    @property
    def is_reversal(self) -> bool:
        return bool(self.reverses_id)

    @property
    def stands(self) -> bool:
        """Counts for the rules: neither a reversal nor reversed."""
        return not self.reverses_id and not self.reversed_by

    def as_payment(self) -> assistance.Payment:
        return assistance.Payment(self.kind, self.amount_fen, _dt.date.fromisoformat(self.paid_date), self.recipient_id)


@dataclass(frozen=True, slots=True)
class Override:
    id: str
    entry_id: str
    rule: str
    detail: str
    reason: str
    clerk_id: str
    recorded_at: str


@dataclass(frozen=True, slots=True)
class RuleVersion:
    id: str
    version: int
    rules: assistance.Rules
    note: str
    clerk_id: str
    recorded_at: str


@dataclass(frozen=True, slots=True)
class Visit:
    id: str
    file_id: str
    visit_date: str
    visitors: str
    findings: str
    given: str
    clerk_id: str
    recorded_at: str


ATTACHMENT_KINDS = ("收入证明", "户口簿", "诊断证明", "医疗票据", "入学证明", "缴费票据", "其他")


@dataclass(frozen=True, slots=True)
class Attachment:
    id: str
    file_id: str
    kind: str
    name: str
    sha256: str
    size: int
    clerk_id: str
    recorded_at: str
