"""Certificates (荣誉证书): issued when an award record takes effect after its 表彰公示
(records.notices), with a verification code anyone can check at /verify/{code}; a revoked
record's certificate verifies as revoked (已撤销), with when and why.

The code is 12 characters from an alphabet without look-alikes (0/O, 1/I/L), 60 random bits:
not guessable, short enough to type from paper. The certificate's content — who, what, for
which challenge, under which document number — is frozen as canonical JSON and hashed; the
verification page recomputes the hash and compares the content with the record as it stands.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import segno
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.audit import service as audit
from arena.canonical import canonical_json
from arena.challenges.models import Challenge
from arena.clock import Clock, day_of
from arena.execution.models import Project
from arena.records.models import Certificate, Record, RecordStatus
from arena.units.models import Cadre, OrgDepartment, Unit

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize(code: str) -> str | None:
    """A code as typed (any case, with dashes or spaces) → the stored form, or None if it
    cannot be one."""
    cleaned = "".join(ch for ch in code.upper() if ch not in "- ")
    if len(cleaned) != CODE_LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned


def display(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def canonical(content: dict[str, Any]) -> str:
    return canonical_json(content)


def content_of(record: Record, cadre: Cadre, unit: Unit, challenge: Challenge, project: Project,
               issuer: str) -> dict[str, Any]:
    """What the certificate certifies; names as they are at approval."""
    assert record.document_date is not None
    return {"record": record.id, "cadre": {"code": cadre.code, "name": cadre.name, "unit": unit.name},
            "record_type": record.record_type, "recipient": record.recipient,
            "challenge": {"id": challenge.id, "number": challenge.number, "title": challenge.title},
            "grade": project.grade, "document_number": record.document_number,
            "document_date": record.document_date.isoformat(), "issuer": issuer}


async def _issuer(db: AsyncSession, record: Record, challenge: Challenge) -> str:
    department = await db.get(OrgDepartment, record.org_department_id) if record.org_department_id else None
    if department is not None:
        return department.name
    owner = await db.get(Unit, challenge.owner_unit_id) if challenge.owner_unit_id else None
    return owner.name if owner else ""


async def issue(db: AsyncSession, clock: Clock, actor: Actor, record: Record, role: str = "org_dept") -> Certificate:
    """The record's certificate, issued in the name of the 组织部门 that decided it (its 文号 is
    theirs); a record from before departments decided names the challenge's organizer unit."""
    cadre = await db.get(Cadre, record.cadre_id)
    challenge = await db.get(Challenge, record.challenge_id)
    project = await db.get(Project, record.project_id)
    assert cadre is not None and challenge is not None and project is not None
    unit = await db.get(Unit, cadre.unit_id)
    assert unit is not None
    text = canonical(content_of(record, cadre, unit, challenge, project, await _issuer(db, record, challenge)))
    code = new_code()
    while await db.scalar(select(Certificate.id).where(Certificate.code == code)):
        code = new_code()  # 2^60 codes: a repeat is all but impossible, but never issue one twice
    certificate = Certificate(record_id=record.id, code=code, issued_at=clock.now(), content=text,
                              content_sha256=hashlib.sha256(text.encode()).hexdigest())
    db.add(certificate)
    await db.flush()
    await audit.record(db, clock, actor, role, "record.certificate", "record", record.id,
                       {"certificate": certificate.id, "sha256": certificate.content_sha256})
    return certificate


@dataclass(frozen=True)
class Verification:
    certificate: Certificate
    content: dict[str, Any]
    recomputed_sha256: str
    record_matches: bool  # the record (effective, or revoked since) says what the certificate says
    revoked_at: datetime | None = None  # the record was revoked (撤销): when and why (public)
    revoked_reason: str | None = None

    @property
    def genuine(self) -> bool:
        """Issued here with this content; a revoked certificate is genuine but no longer valid."""
        return self.recomputed_sha256 == self.certificate.content_sha256 and self.record_matches

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def valid(self) -> bool:
        return self.genuine and not self.revoked

    @property
    def issued_on(self) -> date:
        return day_of(self.certificate.issued_at)


async def verify(db: AsyncSession, raw_code: str) -> Verification | None:
    code = normalize(raw_code)
    if code is None:
        return None
    row = (await db.execute(select(Certificate, Record).join(Record, Record.id == Certificate.record_id)
                            .where(Certificate.code == code))).tuples().first()
    if row is None:
        return None
    certificate, record = row
    content = json.loads(certificate.content)
    revoked = record.status == RecordStatus.REVOKED.value
    matches = (record.status in (RecordStatus.EFFECTIVE.value, RecordStatus.REVOKED.value)
               and record.record_type == content.get("record_type")
               and record.document_number == content.get("document_number")
               and (record.document_date.isoformat() if record.document_date else None) == content.get("document_date"))
    return Verification(certificate, content, hashlib.sha256(certificate.content.encode()).hexdigest(), matches,
                        (record.closed_at or record.updated_at) if revoked else None,
                        record.closed_reason if revoked else None)


def qr_svg(url: str) -> Markup:
    """The verification URL as an inline SVG QR code, for the printed certificate."""
    # segno writes only path data and the colours given here: nothing from the URL is markup
    return Markup(segno.make(url, error="m").svg_inline(scale=3, border=1, dark="#7a1212"))  # noqa: S704
