"""Questions and answers during the bid window (答疑, GLOSSARY `question`).

Any logged-in user may ask while the window is open; the challenge's organizer answers (the
answer is published: it joins the challenge's public page and its announcement PDF, like an
amendment) or closes the question unpublished with a reason (a duplicate, an improper
question). Both close with the window. The asker is never public: public views carry only the
question, the answer and their times; the organizer sees who asked, since they answer; the
audit summary names only the challenge.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from arena import data_versions
from arena.actor import Actor
from arena.audit import service as audit
from arena.audit.labels import OBJECT_LABELS
from arena.auth.models import User
from arena.challenges import policy
from arena.challenges.catalogue_cache import NAME as CATALOGUE
from arena.challenges.models import Challenge, ChallengeQuestion, ChallengeStatus, QuestionStatus
from arena.challenges.phase import window_is_open
from arena.challenges.transitions import QUESTION
from arena.clock import DISPLAY_TZ, Clock
from arena.errors import DomainError, FormErrors, NotFound
from arena.i18n import gettext as _
from arena.i18n import lazy

QUESTION_MAX = 2000
ANSWER_MAX = 4000
REASON_MAX = 500
OPEN_PER_ASKER = 5  # unanswered questions one person may have on one challenge
PAGE_SIZE = 50  # questions on the organizer's page (unanswered first)

ASKED, ANSWERED, CLOSED = (s.value for s in QuestionStatus)

OBJECT_LABELS.setdefault("challenge_question", lazy("答疑问题"))

# A published answer is part of the public record: the cached public pages see it at once.
data_versions.watch(CATALOGUE, (ChallengeQuestion,),
                    relevant={ChallengeQuestion: lambda q: q.status == ANSWERED})


@dataclass(frozen=True)
class PublicAnswer:
    """What the public sees of a question: never who asked."""

    question: str
    asked_at: datetime
    answer: str
    answered_at: datetime


@dataclass(frozen=True)
class Panel:
    """The 答疑 section of a challenge's public page for one reader."""

    answers: list[PublicAnswer]
    mine: list[ChallengeQuestion]  # the reader's own questions, any status
    can_ask: bool  # logged in, and the window is open
    window_open: bool


def status_label(status: str) -> str:
    return QUESTION.label(status)


def _deadline_text(challenge: Challenge) -> str:
    closes = challenge.bid_closes_at
    return closes.astimezone(DISPLAY_TZ).strftime("%Y-%m-%d %H:%M") if closes else _("未定")


def accepting(challenge: Challenge, now: datetime) -> bool:
    """Questions are asked and answered while the bid window is open, and only then."""
    return challenge.status == ChallengeStatus.PUBLISHED.value and window_is_open(challenge, now)


def _check_window(challenge: Challenge, now: datetime, refused: str) -> None:
    if not accepting(challenge, now):
        raise DomainError(refused.format(deadline=_deadline_text(challenge)), "question")


async def published_answers(db: AsyncSession, challenge_id: int) -> list[PublicAnswer]:
    rows = (await db.execute(
        select(ChallengeQuestion.question, ChallengeQuestion.asked_at, ChallengeQuestion.answer,
               ChallengeQuestion.answered_at)
        .where(ChallengeQuestion.challenge_id == challenge_id, ChallengeQuestion.status == ANSWERED)
        .order_by(ChallengeQuestion.answered_at, ChallengeQuestion.id))).all()
    return [PublicAnswer(q, asked, answer or "", answered) for q, asked, answer, answered in rows
            if answered is not None]


async def panel(db: AsyncSession, challenge: Challenge, actor: Actor | None, now: datetime) -> Panel:
    """Two queries: the published answers, and the reader's own questions (when logged in)."""
    answers = await published_answers(db, challenge.id)
    open_now = accepting(challenge, now)
    mine: list[ChallengeQuestion] = []
    if actor is not None and actor.user_id is not None:
        mine = list((await db.scalars(select(ChallengeQuestion).where(
            ChallengeQuestion.challenge_id == challenge.id, ChallengeQuestion.asked_by_id == actor.user_id)
            .order_by(ChallengeQuestion.asked_at.desc(), ChallengeQuestion.id.desc()).limit(PAGE_SIZE))).all())
    return Panel(answers, mine, open_now and actor is not None and actor.user_id is not None, open_now)


async def ask(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge, text: str) -> ChallengeQuestion:
    """Any logged-in user, while the window is open; at most OPEN_PER_ASKER waiting at a time."""
    if actor.user_id is None:
        raise NotFound(_("请先登录"))
    now = clock.now()
    _check_window(challenge, now, _("揭榜已截止（截止时间 {deadline}），不能再提问"))
    text = text.strip()
    if not text:
        raise FormErrors({"question": _("请填写问题")})
    if len(text) > QUESTION_MAX:
        raise FormErrors({"question": _("问题不能超过 {n} 个字").format(n=QUESTION_MAX)})
    waiting = int(await db.scalar(select(func.count()).select_from(ChallengeQuestion).where(
        ChallengeQuestion.challenge_id == challenge.id, ChallengeQuestion.asked_by_id == actor.user_id,
        ChallengeQuestion.status == ASKED)) or 0)
    if waiting >= OPEN_PER_ASKER:
        raise FormErrors({"question": _("你在本榜已有 {n} 个问题等待答复，请待答复后再提问").format(n=waiting)})
    question = ChallengeQuestion(challenge_id=challenge.id, asked_by_id=actor.user_id, question=text,
                                 asked_at=now, status=ASKED)
    db.add(question)
    await db.flush()
    # The summary names the challenge only: the asker is the event's actor, seen by inspectors.
    await audit.record(db, clock, actor, "user", "question.ask", "challenge_question", question.id,
                       {"challenge": challenge.id})
    return question


async def organizer_questions(db: AsyncSession, challenge: Challenge) -> list[tuple[ChallengeQuestion, str]]:
    """The challenge's questions with the asker's name, waiting ones first (one query)."""
    waiting_first = case((ChallengeQuestion.status == ASKED, 0), else_=1)
    rows = (await db.execute(
        select(ChallengeQuestion, User.display_name).join(User, User.id == ChallengeQuestion.asked_by_id)
        .where(ChallengeQuestion.challenge_id == challenge.id)
        .order_by(waiting_first, ChallengeQuestion.asked_at, ChallengeQuestion.id).limit(PAGE_SIZE))).all()
    return [(q, name or "") for q, name in rows]


async def _own_question(db: AsyncSession, actor: Actor, challenge: Challenge, question_id: int) -> ChallengeQuestion:
    if not policy.may_manage(actor, challenge.organizer_id):
        raise NotFound(_("该榜单不存在，或不由你发布。"))
    question = await db.scalar(select(ChallengeQuestion).where(
        ChallengeQuestion.id == question_id, ChallengeQuestion.challenge_id == challenge.id))
    if question is None:
        raise NotFound(_("该问题不存在"))
    if question.status != ASKED:
        raise DomainError(_("该问题已处理（{status}）").format(status=status_label(question.status)), "answer")
    return question


async def answer(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge, question_id: int,
                 text: str) -> None:
    """The organizer's answer, published at once; refused after the deadline."""
    question = await _own_question(db, actor, challenge, question_id)
    now = clock.now()
    _check_window(challenge, now, _("揭榜已截止（截止时间 {deadline}），答疑已结束，不能再答复"))
    text = text.strip()
    if not text:
        raise FormErrors({"answer": _("请填写答复")})
    if len(text) > ANSWER_MAX:
        raise FormErrors({"answer": _("答复不能超过 {n} 个字").format(n=ANSWER_MAX)})
    question.answer, question.answered_at, question.answered_by_id = text, now, actor.user_id
    await QUESTION.move(db, clock, actor, "organizer", question, "answer", {"challenge": challenge.id})


async def close(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge, question_id: int,
                reason: str) -> None:
    """Not published (a duplicate or improper question), with the reason the asker sees."""
    question = await _own_question(db, actor, challenge, question_id)
    reason = reason.strip()
    if not reason:
        raise FormErrors({"reason": _("请填写不公开的理由")})
    if len(reason) > REASON_MAX:
        raise FormErrors({"reason": _("理由不能超过 {n} 个字").format(n=REASON_MAX)})
    question.close_reason = reason
    question.answered_at, question.answered_by_id = clock.now(), actor.user_id
    await QUESTION.move(db, clock, actor, "organizer", question, "close", {"challenge": challenge.id, "reason": reason})
