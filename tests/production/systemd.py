"""What systemd does with deploy/'s files, for a machine without systemd (the tests').

`environment_file` follows systemd.exec(5) EnvironmentFile= as the sample relies on it: one
assignment a line; lines starting with # or ; are comments; a value in single or double quotes
has them removed; nothing else is interpreted (no $ expansion, and a # after a value is part of
the value — which is why deploy/arena.env keeps its comments on their own lines). `unit` reads
an INI-style unit file into {section: {key: [values]}}.
"""

from __future__ import annotations

import re
from pathlib import Path

ASSIGNMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$")


def environment_file(text: str) -> dict[str, str]:
    environment: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        match = ASSIGNMENT.match(line)
        if match is None:
            raise ValueError(f"line {number} is not NAME=value: {raw!r}")
        name, value = match.group(1), match.group(2).strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        environment[name] = value
    return environment


def unit(path: Path) -> dict[str, dict[str, list[str]]]:
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        if current is None:
            raise ValueError(f"{path}: {raw!r} outside a section")
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections
