"""What the API answers, as msgspec Structs: the OpenAPI document is generated from these.

Moments are ISO 8601 with the offset of Asia/Shanghai (+08:00), days are ISO dates, scores are
decimal strings exactly as frozen in the results snapshot (no float rounding).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Annotated

import msgspec

from arena.challenges.models import ChallengeMode, ChallengeStatus
from arena.challenges.phase import PublicPhase
from arena.records.models import RecordType


class Named(msgspec.Struct):
    id: int
    name: str


class BidWindow(msgspec.Struct):
    opens_at: datetime | None
    closes_at: datetime | None


class ChallengeOut(msgspec.Struct):
    id: int
    number: Annotated[str | None, msgspec.Meta(description="榜单编号 (challenge number)")]
    title: str
    status: Annotated[ChallengeStatus, msgspec.Meta(description="stored lifecycle status")]
    phase: Annotated[PublicPhase, msgspec.Meta(description="status as the public catalogue shows it, by the clock")]
    field: Named | None
    owner_unit: Named | None
    mode: ChallengeMode
    bid_window: BidWindow
    published_at: datetime | None
    url: Annotated[str, msgspec.Meta(description="the challenge's public page")]


class ChallengePage(msgspec.Struct):
    data: list[ChallengeOut]
    next_cursor: Annotated[str | None, msgspec.Meta(description="pass as ?cursor= for the next page; null at the end")]


class ChallengeRef(msgspec.Struct):
    id: int
    number: str | None
    title: str


class PublicityState(enum.StrEnum):
    IN_PUBLICITY = "in_publicity"  # 公示中
    ENDED = "ended"  # 公示期满
    CONCLUDED = "concluded"  # 公示结束 (the award followed)
    WITHDRAWN = "withdrawn"  # 已撤回 (an upheld objection changed the results)


class PublicityOut(msgspec.Struct):
    seq: Annotated[int, msgspec.Meta(description="1 for the first publicity of the challenge, then 2…")]
    state: PublicityState
    published_at: datetime
    first_day: date
    last_day: date
    ends_at: datetime


class RankedBid(msgspec.Struct):
    rank: int
    review_code: Annotated[str, msgspec.Meta(description="评审编号: bids are ranked by code, not by name")]
    aggregate: Annotated[str, msgspec.Meta(description="aggregate score, a decimal string")]
    passes: Annotated[bool, msgspec.Meta(description="at or above the pass score (合格线)")]
    proposed: Annotated[bool, msgspec.Meta(description="among the proposed winners (拟入选)")]
    excluded: Annotated[bool, msgspec.Meta(description="disqualified after an upheld objection")]


class Winner(msgspec.Struct):
    review_code: str
    bid_number: Annotated[str | None, msgspec.Meta(description="揭榜编号")]
    lead: Annotated[str, msgspec.Meta(description="the lead's name (winners only are named)")]
    unit: str
    team: list[str]
    aggregate: str


class ResultOut(msgspec.Struct):
    challenge: ChallengeRef
    results_sha256: Annotated[str, msgspec.Meta(description="SHA-256 of the frozen results snapshot, as published")]
    hash_verified: Annotated[bool, msgspec.Meta(description="the stored snapshot still hashes to results_sha256")]
    published_at: datetime
    publicity: PublicityOut
    ranking: list[RankedBid]
    winners: list[Winner]


class ResultPage(msgspec.Struct):
    data: list[ResultOut]
    next_cursor: str | None


class CadreRef(msgspec.Struct):
    code: Annotated[str, msgspec.Meta(description="staff code (干部编号)")]
    name: str
    unit: str


class RecordOut(msgspec.Struct):
    id: int
    cadre: CadreRef
    record_type: RecordType
    record_type_label: Annotated[str, msgspec.Meta(description="the type's name in the request's language")]
    document_number: Annotated[str | None, msgspec.Meta(description="文号")]
    document_date: date | None
    challenge: ChallengeRef
    project_id: int
    certificate_code: Annotated[str | None, msgspec.Meta(description="verification code of the certificate, if any")]
    decided_at: datetime | None


class RecordPage(msgspec.Struct):
    data: list[RecordOut]
    next_cursor: str | None
