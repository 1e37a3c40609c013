"""A client that hangs up is no fault of the server: one INFO line, never a traceback (issue 26)."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from arena.app import create_app
from arena.observe import logs


class _Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []
        self.addFilter(logs.RequestIdFilter())

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _upload_cut_short(path: str, request_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The ASGI scope and messages of a 1 MB multipart upload whose sender hangs up after 1 KB."""
    headers = [(b"host", b"testserver.local"), (b"content-type", b"multipart/form-data; boundary=zz"),
               (b"content-length", b"1000000"), (b"x-request-id", request_id.encode())]
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "", "headers": headers,
             "client": ("127.0.0.1", 50000), "server": ("testserver.local", 80), "state": {}}
    first = b'--zz\r\nContent-Disposition: form-data; name="file"; filename="people.xlsx"\r\n\r\n' + b"x" * 1024
    return scope, [{"type": "http.request", "body": first, "more_body": True}, {"type": "http.disconnect"}]


async def test_a_client_that_hangs_up_mid_upload_is_logged_as_one_info_line_with_path_and_request_id(
        settings, clock):
    app = create_app(dataclasses.replace(settings, access_log=True), clock=clock)
    kept = _Kept()
    watched = [logging.getLogger(name) for name in ("arena", "litestar")]
    for logger in watched:
        logger.addHandler(kept)
    scope, messages = _upload_cut_short("/login", "gone-client-0001")
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    try:
        await app(scope, receive, send)  # type: ignore[arg-type]
    finally:
        for logger in watched:
            logger.removeHandler(kept)
        await app.state.engine.dispose()
    lines = [f"{r.levelname} {r.name} [{r.request_id}] {r.getMessage()}" for r in kept.records]  # type: ignore[attr-defined]
    assert len(lines) == 1, "\n".join(lines)
    record = kept.records[0]
    assert record.levelno == logging.INFO and record.exc_info is None
    assert "/login" in lines[0] and "went away" in lines[0]
    assert record.request_id == "gone-client-0001"  # type: ignore[attr-defined]
    assert [m["status"] for m in sent if m["type"] == "http.response.start"] == [499]


def test_litestars_traceback_is_kept_for_a_real_fault():
    kept, logger = _Kept(), logging.getLogger("litestar.h26")
    logger.addHandler(kept)
    try:
        try:
            raise ValueError("a bug")
        except ValueError:
            logs.log_uncaught(logger, {"type": "http", "path": "/x", logs.CLIENT_GONE: True}, [])  # type: ignore[typeddict-unknown-key]
    finally:
        logger.removeHandler(kept)
    assert len(kept.records) == 1 and kept.records[0].exc_info is not None


def test_a_refusal_given_its_status_when_raised_is_not_logged_as_a_fault():
    """The API's refusals are HTTPExceptions whose 4xx status is set when raised (a bad cursor):
    no "Uncaught exception" traceback for them; a 5xx one keeps its traceback."""
    from arena.api.errors import ApiError, bad_request

    kept, logger = _Kept(), logging.getLogger("litestar.h27")
    logger.addHandler(kept)
    try:
        for raised in (bad_request("分页游标 cursor 无效"), ApiError(429, "rate_limited", "慢一点"),
                       ApiError(503, "unavailable", "暂停服务")):
            try:
                raise raised
            except ApiError:
                logs.log_uncaught(logger, {"type": "http", "path": "/api/v1/challenges"}, [])
    finally:
        logger.removeHandler(kept)
    assert [r.exc_info[1].status_code for r in kept.records] == [503]  # type: ignore[index]
