"""Service-card lifecycle (工会会员互助服务卡): statuses, events and which may follow which.

::

    issue ─► ACTIVE ──report lost──► LOST ──reissue──► REPLACED ─► (points to the new card)
               │  └──────reissue (damaged card)──────► REPLACED
               └──cancel──► CANCELLED ◄──cancel── LOST

Only ACTIVE is alive. LOST, CANCELLED and REPLACED are dead for ever: no transition leads
back to ACTIVE (a member who re-joins gets a new card with a new number).
"""

from __future__ import annotations

ACTIVE, LOST, CANCELLED, REPLACED = "active", "lost", "cancelled", "replaced"
STATUSES = {
    ACTIVE: "有效",
    LOST: "已挂失",
    CANCELLED: "已注销",
    REPLACED: "已补换",
}

# Events recorded in card_events (one per lifecycle step, with its date and reason).
EV_ISSUE, EV_LOST, EV_CANCEL, EV_REISSUE = "issue", "lost", "cancel", "reissue"
EVENTS = {
    EV_ISSUE: "发卡",
    EV_LOST: "挂失",
    EV_CANCEL: "注销",
    EV_REISSUE: "补换",
}

# Which event each status allows, and the status it leads to. ACTIVE is never a target.
TRANSITIONS: dict[str, dict[str, str]] = {
    ACTIVE: {EV_LOST: LOST, EV_CANCEL: CANCELLED, EV_REISSUE: REPLACED},
    LOST: {EV_CANCEL: CANCELLED, EV_REISSUE: REPLACED},
    CANCELLED: {},
    REPLACED: {},
}

# Statuses of a card that still needs closing when its holder leaves the union.
OPEN = (ACTIVE, LOST)

REASON_MAX = 200


def allowed(status: str, event: str) -> bool:
    return event in TRANSITIONS.get(status, {})


def next_status(status: str, event: str) -> str:
    return TRANSITIONS[status][event]
