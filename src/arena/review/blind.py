"""What a blind review blacks out of the bidder's own words (DESIGN §3: no name, unit or team).

The bidder and their team are known to Arena by more than their names: the staff number, the
login, the display name and the e-mail address of their accounts. Any of them in a plan, a
milestone or a commitment names the bid as surely as the name does, so all are masked. (Arena
keeps no telephone numbers: when it does, they belong in `identity_words` too.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.auth.models import User
from arena.units.models import Cadre

REDACTED = "■■"
CONTACTS = re.compile(
    r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"  # e-mail addresses
    r"|(?<!\d)(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)"  # mainland mobile numbers
    r"|(?<!\d)0\d{2,3}[- ]?\d{7,8}(?!\d)"  # landlines with their area code
)


async def identity_words(db: AsyncSession, people: Iterable[Cadre]) -> list[str]:
    """Every value that identifies these cadres: names, units, staff numbers, and their accounts'
    login, display name and e-mail address. Units must be loaded on the cadres."""
    people = list(people)
    words = [p.name for p in people] + [p.unit.name for p in people] + [p.code for p in people]
    user_ids = [p.user_id for p in people if p.user_id is not None]
    if user_ids:
        rows = await db.execute(select(User.username, User.display_name, User.email).where(User.id.in_(user_ids)))
        for username, display_name, email in rows.tuples():
            words += [username, display_name, email or ""]
    return [w.strip() for w in words if w and w.strip()]


def redact(text: str, words: list[str]) -> str:
    """Every phone number and e-mail address, then each word, becomes ■■, longest first (an
    e-mail before the login inside it). Latin words
    match in any case and only as whole words, so a short login does not black out the middle of
    an English word; Chinese ones match anywhere."""
    text = CONTACTS.sub(REDACTED, text)
    for word in sorted(set(words), key=len, reverse=True):
        if word.isascii():
            pattern = rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])"
            text = re.sub(pattern, REDACTED, text, flags=re.IGNORECASE)
        else:
            text = text.replace(word, REDACTED)
    return text
