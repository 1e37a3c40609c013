"""A bidder's own review (评审反馈): the page and its PDF, for the bid's lead and confirmed team
members. Thin: the rules are in review/feedback.py."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.params import FromPath

from arena import i18n
from arena.errors import NotFound
from arena.files.store import content_disposition
from arena.i18n import gettext as _
from arena.pdf import render_pdf
from arena.review import feedback
from arena.web.deps import ActorDep, DbSession
from arena.web.page_cache import KEPT
from arena.web.templating import render

LOGIN = {"login": True}


def _methods() -> dict[str, str]:
    return {"trimmed_mean": _("去掉最高分和最低分后取平均"), "mean": _("平均"), "median": _("中位数")}


@get("/bids/{bid_id:int}/review", opt={**LOGIN, **KEPT})
async def review_page(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep,
                      bid_id: FromPath[int]) -> Response[str]:
    fb = await feedback.load(db_session, actor, bid_id)
    return render(request, "bids/review.html", {"fb": fb, "methods": _methods()})


@get("/bids/{bid_id:int}/review.pdf", opt=LOGIN)
async def review_pdf(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep,
                     bid_id: FromPath[int]) -> Response[bytes]:
    fb = await feedback.load(db_session, actor, bid_id)
    if not fb.reviewed:
        raise NotFound(_("评审结果公布后才能下载评审反馈"))
    html = request.app.state.jinja.get_template("documents/bid_review.html").render(fb=fb, methods=_methods())
    pdf = await render_pdf(html, english=i18n.current_locale.get() == "en")
    number = fb.bid.number or str(fb.bid.id)
    return Response(pdf, media_type="application/pdf", headers={"content-disposition": content_disposition(
        f"评审反馈-{number}.pdf", f"review-feedback-{number}.pdf", inline=True)})


ROUTES = [review_page, review_pdf]
