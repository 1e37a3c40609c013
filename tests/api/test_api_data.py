"""What the API answers: published challenges only, announced results naming only the winners,
approved records only; cursor pages that walk every row once; a fixed number of queries."""

from __future__ import annotations

import base64
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from arena.api.models import Scope
from arena.auth.models import User
from arena.auth.service import actor_for
from arena.challenges.models import Challenge, ChallengeStatus
from arena.execution.models import Project
from arena.publicity import service as publicity_service
from arena.publicity.models import Publicity
from arena.records.models import RecordStatus, RecordType
from arena.units.models import Cadre
from tests.api.factories import add_record, bearer, issue_token
from tests.challenges.public_factories import NOW, make_challenge, make_organizer
from tests.conftest import make_client
from tests.execution.factories import awarded, closed_review, publicized
from tests.factories import make_field, make_unit, make_user
from tests.review.factories import LEADS, MEMBER, UNITS


async def get_json(app, path: str, token: str, **params):
    async with make_client(app) as api:
        response = await api.get(path, headers=bearer(token), params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def walk(app, path: str, token: str, limit: int) -> list[list[int]]:
    """Every page's ids, following next_cursor to the end."""
    pages, cursor = [], None
    async with make_client(app) as api:
        while True:
            params = {"limit": limit} | ({"cursor": cursor} if cursor else {})
            body = (await api.get(path, headers=bearer(token), params=params)).json()
            pages.append([row["id"] if "id" in row else row["challenge"]["id"] for row in body["data"]])
            cursor = body["next_cursor"]
            if cursor is None:
                return pages


# --- challenges ----------------------------------------------------------------------------------

async def test_challenges_are_those_the_catalogue_shows_never_drafts(app, db, clock):
    org = await make_organizer(db, "org")
    fld, unit = await make_field(db, "乡村发展"), await make_unit(db, "江州市农业农村局")
    open_one = await make_challenge(db, org, field=fld, owner_unit=unit)
    closed = await make_challenge(db, org, opens_at=NOW - timedelta(days=9), closes_at=NOW - timedelta(days=1))
    cancelled = await make_challenge(db, org, status=ChallengeStatus.CANCELLED)
    drafts = [await make_challenge(db, org, status=ChallengeStatus.DRAFT, title=f"草稿榜单{n}") for n in range(2)]
    await db.commit()
    token = await issue_token(db, clock, Scope.CHALLENGES)
    body = await get_json(app, "/api/v1/challenges", token)
    assert [c["id"] for c in body["data"]] == [open_one.id, closed.id, cancelled.id]
    assert body["next_cursor"] is None and "草稿榜单" not in json.dumps(body, ensure_ascii=False)
    first = body["data"][0]
    assert first == {
        "id": open_one.id, "number": open_one.number, "title": open_one.title, "status": "published",
        "phase": "open", "field": {"id": fld.id, "name": "乡村发展"},
        "owner_unit": {"id": unit.id, "name": "江州市农业农村局"}, "mode": "single",
        "bid_window": {"opens_at": "2026-11-21T10:00:00+08:00", "closes_at": "2026-12-04T10:00:00+08:00"},
        "published_at": first["published_at"], "url": f"http://127.0.0.1:8000/challenges/{open_one.id}"}
    assert first["published_at"].endswith("+08:00")
    assert [c["phase"] for c in body["data"][1:]] == ["closed", "cancelled"]
    # the same rule as the public pages: what the API lists, anyone may open, and nothing else
    async with make_client(app) as visitor:
        for challenge in (open_one, closed, cancelled, *drafts):
            public = (await visitor.get(f"/challenges/{challenge.id}")).status_code
            api = (await visitor.get(f"/api/v1/challenges/{challenge.id}", headers=bearer(token))).status_code
            assert (public, api) == ((404, 404) if challenge in drafts else (200, 200))
    one = await get_json(app, f"/api/v1/challenges/{open_one.id}", token)
    assert one == first


async def test_pagination_walks_every_row_exactly_once_and_new_rows_come_last(app, db, clock):
    org = await make_organizer(db, "org")
    published = []
    for n in range(7):
        published.append((await make_challenge(db, org)).id)
        if n % 3 == 0:
            await make_challenge(db, org, status=ChallengeStatus.DRAFT)
    await db.commit()
    token = await issue_token(db, clock, Scope.CHALLENGES)
    pages = await walk(app, "/api/v1/challenges", token, limit=3)
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [i for p in pages for i in p] == published
    # a row added between two pages does not shift the next one: it comes at the end
    async with make_client(app) as api:
        first = (await api.get("/api/v1/challenges", headers=bearer(token), params={"limit": 3})).json()
        late = (await make_challenge(db, org)).id
        await db.commit()
        second = (await api.get("/api/v1/challenges", headers=bearer(token),
                                params={"limit": 3, "cursor": first["next_cursor"]})).json()
    assert [c["id"] for c in second["data"]] == published[3:6]
    assert [i for p in await walk(app, "/api/v1/challenges", token, limit=200) for i in p] == [*published, late]


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


BAD_PAGING = [
    {"limit": "0"}, {"limit": "201"}, {"limit": "-1"}, {"limit": "abc"}, {"limit": "1.5"}, {"limit": ""},
    {"cursor": "not base64!"}, {"cursor": _b64("v1:abc")}, {"cursor": _b64("v1:0")}, {"cursor": _b64("v2:5")},
    {"cursor": _b64("v1:99999999999999999999")}, {"cursor": _b64("v1:5") + "=="}, {"cursor": "x" * 65},
    {"cursor": _b64("\x00\xff")}, {"cursor": "%00"}, {"cursor": "djE6N"},
]


@pytest.mark.parametrize("path", ["/api/v1/challenges", "/api/v1/results", "/api/v1/records"])
async def test_a_bad_limit_or_a_tampered_cursor_is_a_400_json_error(app, db, clock, path):
    token = await issue_token(db, clock)
    wrong = []
    async with make_client(app) as api:
        for params in BAD_PAGING:
            response = await api.get(path, headers=bearer(token), params=params)
            if response.status_code != 400 or response.json()["error"]["code"] != "bad_request":
                wrong.append(f"{params}: {response.status_code} {response.text[:200]}")
    assert not wrong, "\n".join(wrong)


# --- results -------------------------------------------------------------------------------------

async def test_results_show_the_ranking_by_code_and_name_only_the_winners(app, db, clock):
    story = await publicized(db, clock)
    outsider = await make_user(db, "objector", name="异议人路人甲")
    await db.commit()
    challenge = await db.get(Challenge, story.challenge_id)
    await publicity_service.file_objection(db, clock, actor_for(outsider), challenge, "异议理由：评分不公的具体事实", [])
    await db.commit()
    publicity = await db.scalar(select(Publicity))
    token = await issue_token(db, clock, Scope.RESULTS)
    body = await get_json(app, "/api/v1/results", token)
    assert len(body["data"]) == 1 and body["next_cursor"] is None
    result = body["data"][0]
    assert result == await get_json(app, f"/api/v1/results/{story.challenge_id}", token)
    assert result["challenge"] == {"id": challenge.id, "number": challenge.number, "title": challenge.title}
    assert result["results_sha256"] == publicity.results_sha256 and result["hash_verified"] is True
    assert result["publicity"]["state"] == "in_publicity" and result["publicity"]["seq"] == 1
    assert [w["lead"] for w in result["winners"]] == [LEADS[0]]
    assert result["winners"][0]["unit"] == UNITS[0] and result["winners"][0]["team"] == [MEMBER]
    ranking = result["ranking"]
    assert [r["rank"] for r in ranking] == [1, 2, 3]
    assert [(r["proposed"], r["passes"]) for r in ranking] == [(True, True), (False, True), (False, False)]
    assert ranking[0]["review_code"] == result["winners"][0]["review_code"]
    # blind to everyone else: the page and the API name the same people, and no one more
    text = json.dumps(body, ensure_ascii=False)
    async with make_client(app) as visitor:
        page = (await visitor.get(f"/results/{story.challenge_id}")).text
    for secret in [*LEADS[1:3], *UNITS[1:3], "专家1", "专家2", "专家3", "异议人路人甲", "异议理由", "评分不公"]:
        assert secret not in text, secret
    for name in [*LEADS, MEMBER, *UNITS]:
        assert (name in text) == (name in page), name


async def test_results_appear_only_once_publicized(app, db, clock):
    story = await closed_review(db, clock)
    token = await issue_token(db, clock, Scope.RESULTS)
    assert (await get_json(app, "/api/v1/results", token))["data"] == []
    async with make_client(app) as api:
        response = await api.get(f"/api/v1/results/{story.challenge_id}", headers=bearer(token))
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


async def test_results_follow_the_latest_publicity(app, db, clock):
    await publicized(db, clock)
    first = await db.scalar(select(Publicity))
    later = await _copy_publicity(db, first, first.challenge_id, seq=2, status="withdrawn")
    token = await issue_token(db, clock, Scope.RESULTS)
    body = await get_json(app, "/api/v1/results", token)
    assert [r["publicity"]["seq"] for r in body["data"]] == [later.seq]
    assert body["data"][0]["publicity"]["state"] == "withdrawn"


async def _copy_publicity(db, source: Publicity, challenge_id: int, *, seq: int = 1,
                          status: str = "published") -> Publicity:
    copy = Publicity(challenge_id=challenge_id, seq=seq, result_id=source.result_id,
                     results_sha256=source.results_sha256, winners=source.winners, excluded="[]", status=status,
                     working_days=source.working_days, first_day=source.first_day, last_day=source.last_day,
                     published_at=source.published_at, ends_at=source.ends_at, published_by_id=source.published_by_id)
    db.add(copy)
    await db.commit()
    return copy


# --- records -------------------------------------------------------------------------------------

async def test_records_are_the_approved_ones_only_with_their_filters(app, db, clock):
    story = await awarded(db, clock)
    project = await db.get(Project, story.project_ids[0])
    lead = await db.get(Cadre, project.lead_id)
    member = await db.scalar(select(Cadre).where(Cadre.name == MEMBER))
    ids = {"cadre_id": lead.id, "challenge_id": project.challenge_id, "project_id": project.id}
    promotion = await add_record(db, clock, **ids, certificate=None)
    award = await add_record(db, clock, **ids, record_type=RecordType.AWARD_INNOVATION,
                             document_date=date(2025, 6, 1), certificate="CERT00000001")
    await add_record(db, clock, **ids, status=RecordStatus.PROPOSED)
    await add_record(db, clock, **ids, status=RecordStatus.REJECTED)
    warning = await add_record(db, clock, **(ids | {"cadre_id": member.id}), record_type=RecordType.ADMONISHMENT)
    await db.commit()
    token = await issue_token(db, clock, Scope.RECORDS)
    body = await get_json(app, "/api/v1/records", token)
    assert [r["id"] for r in body["data"]] == [promotion.id, award.id, warning.id]
    challenge = await db.get(Challenge, project.challenge_id)
    second = body["data"][1]
    assert second == {
        "id": award.id, "cadre": {"code": lead.code, "name": LEADS[0], "unit": UNITS[0]},
        "record_type": "award_innovation", "record_type_label": "改革创新奖",
        "document_number": award.document_number, "document_date": "2025-06-01",
        "challenge": {"id": challenge.id, "number": challenge.number, "title": challenge.title},
        "project_id": project.id, "certificate_code": "CERT00000001", "decided_at": second["decided_at"]}
    assert second["decided_at"].endswith("+08:00") and body["data"][0]["certificate_code"] is None
    filtered = {
        "cadre_code": ({"cadre_code": member.code}, [warning.id]),
        "record_type": ({"record_type": "award_innovation"}, [award.id]),
        "year": ({"year": 2026}, [promotion.id, warning.id]),
        "all three": ({"year": 2025, "record_type": "award_innovation", "cadre_code": lead.code}, [award.id]),
        "nobody": ({"cadre_code": "NO-SUCH"}, []),
    }
    for name, (params, expected) in filtered.items():
        got = [r["id"] for r in (await get_json(app, "/api/v1/records", token, **params))["data"]]
        assert got == expected, name
    async with make_client(app) as api:
        for params in ({"record_type": "promotion"}, {"year": "abc"}, {"year": "99999"}, {"cadre_code": "x" * 33}):
            response = await api.get("/api/v1/records", headers=bearer(token), params=params)
            assert response.status_code == 400 and response.json()["error"]["code"] == "bad_request", params


# --- query counts --------------------------------------------------------------------------------

async def test_each_list_runs_the_same_few_queries_whatever_the_page_size(app, db, clock, query_counter):
    story = await awarded(db, clock)
    source = await db.scalar(select(Publicity))
    organizer = await db.get(User, (await db.get(Challenge, story.challenge_id)).organizer_id)
    for _n in range(4):  # more announced results, sharing the frozen snapshot
        other = await make_challenge(db, organizer, status=ChallengeStatus.PUBLICITY)
        await _copy_publicity(db, source, other.id)
    project = await db.get(Project, story.project_ids[0])
    for n in range(6):
        await add_record(db, clock, cadre_id=project.lead_id, challenge_id=project.challenge_id,
                         project_id=project.id, certificate=f"CERT{n:08d}" if n % 2 else None)
    await db.commit()
    token = await issue_token(db, clock)
    async with make_client(app) as api:
        await api.get("/api/v1/challenges", headers=bearer(token))  # the once-a-minute last-use write
        for path in ("/api/v1/challenges", "/api/v1/results", "/api/v1/records"):
            counts = {}
            for limit in (1, 200):
                with query_counter() as counter:
                    response = await api.get(path, headers=bearer(token), params={"limit": limit})
                assert response.status_code == 200
                counts[limit] = (counter.count, len(response.json()["data"]))
            assert counts[200][1] >= 5, (path, counts)
            assert counts[1][0] == counts[200][0] == 2, (path, counts)  # the token, then the page
