"""The worst workbook the import limits allow does not stall anyone else (issue 26).

A real `arena serve` process on a copy of the demo: while an admin imports a workbook at the
limits of arena.excel (100 000 shared strings, 12 000 rows, 250 000 cells), another client's
/healthz and logged-in page each answer within 200 ms, a writer elsewhere is never locked out,
and the serving process and the child that reads the workbook stay under the memory ceilings
stated in README.md (§6, hostile input). A workbook past a limit is refused with the limit
named, with the page (and its form) back.

Marked `alone`: scripts/test runs these after the parallel run, one at a time, so a latency
measured here is the server's, not a neighbouring test's.
"""

from __future__ import annotations

import io
import re
import shutil
import sqlite3
import statistics
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from arena.excel import LIMITS
from tests.production.cluster import Cluster, Node, running

pytestmark = pytest.mark.alone

LATENCY_MS = 200  # the figure, for every request of the other client
SERVING_CEILING_MB = 300  # README: the serving process while the worst allowed import is read
CHILD_CEILING_MB = 300  # README: the child process that reads it (its hard cap is 1 GiB, arena.offload)
CADRE_HEADER = ["工号", "姓名", "单位", "职务", "职级", "出生日期", "领域", "基层一线", "账号"]


def _column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def worst_workbook(strings: int, rows: int, columns: int) -> bytes:
    """A 干部 sheet with the template's header and `rows` rows of `columns` shared strings."""
    shared = [*CADRE_HEADER, *(f"值{i:06d}" + "甲乙丙丁" * 8 for i in range(strings - len(CADRE_HEADER)))]
    sheet = ['<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             'spreadsheetml/2006/main"><sheetData>']
    for row in range(1, rows + 1):
        cells = "".join(f'<c r="{_column(c)}{row}" t="s"><v>{(c if row == 1 else (row * columns + c)) % len(shared)}'
                        f"</v></c>" for c in range(columns if row > 1 else len(CADRE_HEADER)))
        sheet.append(f'<row r="{row}">{cells}</row>')
    sheet.append("</sheetData></worksheet>")
    strings_xml = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
                   f'spreadsheetml/2006/main" count="{len(shared)}" uniqueCount="{len(shared)}">'
                   + "".join(f"<si><t>{s}</t></si>" for s in shared) + "</sst>")
    main = "http://schemas.openxmlformats.org"
    parts = {
        "[Content_Types].xml": f'<?xml version="1.0"?><Types xmlns="{main}/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml"'
        ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        "_rels/.rels": f'<?xml version="1.0"?><Relationships xmlns="{main}/package/2006/relationships">'
        f'<Relationship Id="r1" Type="{main}/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0"?><workbook xmlns="{main}/spreadsheetml/2006/main" '
        f'xmlns:r="{main}/officeDocument/2006/relationships"><sheets><sheet name="干部" sheetId="1" r:id="r1"/>'
        "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": f'<?xml version="1.0"?><Relationships xmlns="{main}/package/2006/'
        f'relationships"><Relationship Id="r1" Type="{main}/officeDocument/2006/relationships/worksheet" '
        f'Target="worksheets/sheet1.xml"/><Relationship Id="r2" Type="{main}/officeDocument/2006/relationships/'
        'sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": "".join(sheet),
        "xl/sharedStrings.xml": strings_xml,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text.encode())
    return out.getvalue()


def _descendants(root: int) -> dict[int, tuple[str, float]]:
    """pid → (command line, resident MB) for `root` and every process below it."""
    parents: dict[int, int] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            ppid = re.search(r"^PPid:\s*(\d+)", status.read_text(), re.M)
        except OSError:
            continue
        if ppid:
            parents[int(status.parent.name)] = int(ppid.group(1))
    found, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in found]
        found.update(children)
        frontier.extend(children)
    seen: dict[int, tuple[str, float]] = {}
    for pid in found:
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            rss = re.search(r"^VmRSS:\s*(\d+)", Path(f"/proc/{pid}/status").read_text(), re.M)
        except OSError:
            continue
        seen[pid] = (command, int(rss.group(1)) / 1024 if rss else 0.0)
    return seen


@dataclass
class MemoryWatch:
    """Peak resident memory of the serving processes (granian's master and worker) and of the
    child that reads workbooks, sampled every 20 ms from another thread."""

    root: int
    serving: float = 0.0
    child: float = 0.0
    children_seen: set[int] = field(default_factory=set)
    _stop: threading.Event = field(default_factory=threading.Event)

    def sample(self) -> None:
        for pid, (command, rss) in _descendants(self.root).items():
            if "multiprocessing.spawn" in command:
                self.children_seen.add(pid)
                self.child = max(self.child, rss)
            elif "multiprocessing" not in command:  # not the resource tracker
                self.serving = max(self.serving, rss)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(0.02)

    def __enter__(self) -> MemoryWatch:
        self.sample()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _admin(url: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=120)
    client.get("/login")
    answer = client.post("/login", data={"username": "admin", "password": "arena-demo", "next": "/",
                                         "_csrf_token": client.cookies["csrftoken"]})
    assert answer.status_code == 303, answer.text[:300]
    return client


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, demo_template: Path) -> Iterator[tuple[Node, Path]]:
    root = tmp_path_factory.mktemp("hostile-import")
    database = root / "arena.db"
    shutil.copy(demo_template, database)
    cluster = Cluster(root, f"sqlite+aiosqlite:///{database}")
    with running(cluster):
        yield cluster.serve("web"), database


def _child_peak_from_log(node: Node) -> float:
    """What the child itself reported (ru_maxrss, in arena.offload's log line): exact, where
    sampling could miss a short peak."""
    peaks = re.findall(r"in a child process: [\d.]+ s, child peak (\d+) MB", node.log.read_text())
    assert peaks, "the serving process did not log the child's work"
    return float(peaks[-1])


@dataclass
class Trial:
    """One import of the worst workbook while another client reads and a writer writes."""

    outcome: dict[str, object]
    latencies: dict[str, list[float]]
    writes_ok: int
    idle: float
    serving: float
    children_seen: bool
    child_peak: float

    @property
    def every(self) -> list[float]:
        return [ms for seen in self.latencies.values() for ms in seen]

    def report(self) -> str:
        every = self.every
        return (f"import {self.outcome['seconds']:.1f} s; other client, {len(every)} requests: max "
                f"{max(every):.0f} ms, median {statistics.median(every):.0f} ms (healthz max "
                f"{max(self.latencies['/healthz']):.0f}, page max {max(self.latencies['/admin/people']):.0f}); "
                f"writes {self.writes_ok}; serving process peak {self.serving:.0f} MB (idle {self.idle:.0f}); "
                f"child peak {self.child_peak:.0f} MB")


def _import_while_others_work(node: Node, database: Path, data: bytes) -> Trial:
    importer, other = _admin(node.url), _admin(node.url)
    for path in ("/healthz", "/admin/people"):  # warm: templates compiled, connections open
        other.get(path)
    outcome: dict[str, object] = {}

    def run_import() -> None:
        started = time.perf_counter()
        answer = importer.post("/admin/people/import", files={"file": ("worst.xlsx", data)},
                               data={"_csrf_token": importer.cookies["csrftoken"]})
        outcome.update(status=answer.status_code, text=answer.text, seconds=time.perf_counter() - started)

    thread = threading.Thread(target=run_import)
    latencies: dict[str, list[float]] = {"/healthz": [], "/admin/people": []}
    writes_ok = 0
    with MemoryWatch(node.process.pid) as memory:
        idle = memory.serving
        thread.start()
        while thread.is_alive():
            for path, seen in latencies.items():
                started = time.perf_counter()
                assert other.get(path).status_code == 200
                seen.append((time.perf_counter() - started) * 1000)
            with sqlite3.connect(database, timeout=1) as writer:  # a writer elsewhere, like `arena worker`
                writer.execute("CREATE TABLE IF NOT EXISTS probe (n INTEGER)")
                writer.execute("INSERT INTO probe VALUES (1)")
                writes_ok += 1
            time.sleep(0.02)
        thread.join()
    return Trial(outcome, latencies, writes_ok, idle, memory.serving, bool(memory.children_seen),
                 max(memory.child, _child_peak_from_log(node)))


def test_the_worst_allowed_import_leaves_every_other_request_answered_within_200_ms(server):
    node, database = server
    data = worst_workbook(LIMITS.shared_strings - 10, rows=LIMITS.rows // 2 - 10, columns=20)
    assert len(data) < 5 * 1024 * 1024
    trial = _import_while_others_work(node, database, data)
    if max(trial.every) >= LATENCY_MS:
        # One slow answer on a machine that is busy for a moment is not the import's doing; a
        # stall the import causes happens again. So a slow first trial is tried once more.
        print("first trial:", trial.report())
        trial = _import_while_others_work(node, database, data)
    report = trial.report()
    print(report)
    outcome = trial.outcome
    assert outcome["status"] == 400 and "未写入任何数据" in str(outcome["text"]), str(outcome.get("text"))[:500]
    assert outcome["seconds"] > 0.5, "the import finished before it could be measured"  # type: ignore[operator]
    assert len(trial.latencies["/healthz"]) >= 5 and trial.writes_ok >= 3, report
    assert trial.children_seen, "the workbook was not read in a child process"
    assert max(trial.every) < LATENCY_MS, report
    assert trial.serving < SERVING_CEILING_MB, report
    assert trial.child_peak < CHILD_CEILING_MB, report


def test_a_workbook_past_a_limit_is_refused_with_the_limit_named_and_the_form_back(server):
    node, _database = server
    admin = _admin(node.url)
    data = worst_workbook(LIMITS.shared_strings + 1, rows=2, columns=2)
    answer = admin.post("/admin/people/import", files={"file": ("bomb.xlsx", data)},
                        data={"_csrf_token": admin.cookies["csrftoken"]})
    assert answer.status_code == 400
    assert f"表格过大：共享字符串超过 {LIMITS.shared_strings} 条" in answer.text
    assert 'type="file"' in answer.text  # the form is back
