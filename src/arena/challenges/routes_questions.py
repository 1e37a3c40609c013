"""答疑: asking on a challenge's public page, and the organizer's page to answer. Thin: the
rules are in questions.py."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.auth.models import Role
from arena.challenges import queries, questions
from arena.clock import Clock
from arena.web.deps import ActorDep, ClockDep, DbSession
from arena.web.helpers import read_form, redirect
from arena.web.refusals import attempt
from arena.web.templating import render

LOGIN = {"login": True}
ORGANIZER = {"roles": {Role.ORGANIZER}}


@post("/challenges/{challenge_id:int}/questions", opt=LOGIN)
async def ask(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
              challenge_id: FromPath[int]) -> Response[str]:
    """Ask; on a refusal the form comes back filled in on a page of its own."""
    challenge = await queries.get_visible_challenge(db_session, challenge_id, actor)
    form = await read_form(request)
    text = str(form.raw("question") or "")
    async with attempt(db_session, field="question") as refused:
        await questions.ask(db_session, clock, actor, challenge, text)
    if refused:
        challenge = await queries.get_visible_challenge(db_session, challenge_id, actor)
        return render(request, "challenges/public/ask.html", {
            "challenge": challenge, "values": {"question": text}, "errors": refused.errors,
            "max_length": questions.QUESTION_MAX}, status_code=400)
    return redirect(request, f"/challenges/{challenge_id}?asked=1#sec-questions")


async def _page(request: Request[Any, Any, Any], db_session: AsyncSession, clock: Clock, actor: Actor,
                challenge_id: int, errors: dict[int, dict[str, str]] | None = None,
                values: dict[int, dict[str, str]] | None = None, status_code: int = 200) -> Response[str]:
    challenge = await queries.organizer_challenge(db_session, actor, challenge_id)
    rows = await questions.organizer_questions(db_session, challenge)
    return render(request, "challenges/organizer/questions.html", {
        "challenge": challenge, "rows": rows, "window_open": questions.accepting(challenge, clock.now()),
        "errors": errors or {}, "values": values or {}, "status_label": questions.status_label,
        "done": request.query_params.get("done"), "answer_max": questions.ANSWER_MAX,
        "reason_max": questions.REASON_MAX,
    }, status_code=status_code)


@get("/organizer/challenges/{challenge_id:int}/questions", opt=ORGANIZER)
async def organizer_page(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                         challenge_id: FromPath[int]) -> Response[str]:
    return await _page(request, db_session, clock, actor, challenge_id)


@post("/organizer/challenges/{challenge_id:int}/questions/{question_id:int}", opt=ORGANIZER)
async def handle(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                 challenge_id: FromPath[int], question_id: FromPath[int]) -> Response[str]:
    """One form per question: answer (published at once), or 不公开 with a reason."""
    challenge = await queries.organizer_challenge(db_session, actor, challenge_id)
    form = await read_form(request)
    action = str(form.raw("action") or "answer")
    answer, reason = str(form.raw("answer") or ""), str(form.raw("reason") or "")
    async with attempt(db_session, field="answer") as refused:
        if action == "close":
            await questions.close(db_session, clock, actor, challenge, question_id, reason)
        else:
            await questions.answer(db_session, clock, actor, challenge, question_id, answer)
    if refused:
        return await _page(request, db_session, clock, actor, challenge_id, {question_id: refused.errors},
                           {question_id: {"answer": answer, "reason": reason}}, status_code=400)
    done = "closed" if action == "close" else "answered"
    return redirect(request, f"/organizer/challenges/{challenge_id}/questions?done={done}")


ROUTES = [ask, organizer_page, handle]
