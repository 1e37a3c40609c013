"""PDFs and workbooks in child processes (arena.offload.Children): never the server's own memory
(issue 24: WeasyPrint kept 825 MB in each serving process after 100 PDFs), and children
replaced after a number of tasks so that theirs stays bounded too."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from arena import offload
from arena.pdf import PDF_CHILDREN, render_pdf


def _ended(pid: int, within: float = 15.0) -> bool:
    """Whether process `pid` is gone (or a zombie nobody waits for) within `within` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state == "Z":
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def children():
    """Children made for a test, stopped after it (and out of offload's list again)."""
    made: list[offload.Children] = []

    def make(workers: int = 1, replace_after: int | None = None) -> offload.Children:
        made.append(offload.Children(workers, replace_after=replace_after))
        return made[-1]

    yield make
    for one in made:
        one.stop(cancel=True)
        offload._all_children.remove(one)


async def test_a_pdf_is_rendered_in_a_child_process_not_in_the_server(caplog):
    with caplog.at_level(logging.INFO, logger="arena.offload"):
        pdf = await render_pdf("<h1>榜单公告</h1><p>正文</p>", english=True)
        tasks = [record.task for record in caplog.records if hasattr(record, "task")]
    child = await offload.run_in_process(offload.PDFS, os.getpid, children=PDF_CHILDREN)

    assert pdf.startswith(b"%PDF-")
    assert tasks == ["html_to_pdf"]
    assert child != os.getpid()
    assert PDF_CHILDREN is not offload.WORKBOOK_CHILD  # a long workbook never holds up a PDF
    assert PDF_CHILDREN in offload._all_children  # stopped with the others at shutdown


async def test_children_are_replaced_after_their_tasks_and_the_retired_ones_exit(children):
    pool = children(workers=1, replace_after=2)
    limiter = offload.CapacityLimiter(1)

    pids = [await offload.run_in_process(limiter, os.getpid, children=pool) for _ in range(5)]

    first, second, third = dict.fromkeys(pids)
    assert pids == [first, first, second, second, third]
    assert os.getpid() not in pids
    assert _ended(first) and _ended(second)


async def test_tasks_under_way_when_their_children_are_replaced_still_answer(children):
    pool = children(workers=2, replace_after=3)
    limiter = offload.CapacityLimiter(2)

    pids = await asyncio.gather(*(offload.run_in_process(limiter, os.getpid, children=pool) for _ in range(7)))

    assert len(pids) == 7 and os.getpid() not in pids
    assert len(set(pids)) >= 3  # tasks 1–3, 4–6 and 7 each went to new children


async def test_shutdown_stops_every_kind_of_children(children):
    limiter, kinds = offload.CapacityLimiter(1), (offload.WORKBOOK_CHILD, children(), children(workers=2))
    before = [await offload.run_in_process(limiter, os.getpid, children=kind) for kind in kinds]

    offload.shutdown()

    assert all(_ended(pid) for pid in before)
    after = [await offload.run_in_process(limiter, os.getpid, children=kind) for kind in kinds]
    assert set(after).isdisjoint(before)
    offload.shutdown()


SERVER = """
import asyncio, os, time
from arena import offload

async def main():
    print(await offload.run_in_process(offload.CapacityLimiter(1), os.getpid), flush=True)
    time.sleep(60)

if __name__ == "__main__":
    asyncio.run(main())
"""


def test_a_child_ends_when_its_serving_process_is_killed(tmp_path):
    script = tmp_path / "server.py"
    script.write_text(SERVER)
    server = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    with server:
        assert server.stdout is not None
        child = int(server.stdout.readline())
        assert not _ended(child, within=1.0)
        server.send_signal(signal.SIGKILL)  # no shutdown: nothing tells the child
    try:
        assert _ended(child)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGKILL)  # never left behind, even when the assertion fails
