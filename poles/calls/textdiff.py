"""Readable differences between two states of a record (a call version, a proposal revision).

Both are stored as JSON snapshots; people read them as short labelled lines ("Title: …",
"Partner X — staff: 120000"), and `diff` says which lines were added, removed or kept, with
difflib, so a page can show them with colours and +/− signs (readable without colours too).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DiffLine:
    """One line of a difference: "added", "removed", "same" or "gap" (unchanged lines skipped)."""

    kind: str
    text: str

    @property
    def sign(self) -> str:
        return {"added": "+", "removed": "−", "same": " ", "gap": "…"}[self.kind]


def flatten(value: Any, prefix: str = "") -> list[str]:
    """Lines "path: value" for a JSON-like value, in a stable order (keys sorted, lists indexed)."""
    if isinstance(value, Mapping):
        lines: list[str] = []
        for key in sorted(value, key=str):
            lines += flatten(value[key], f"{prefix}.{key}" if prefix else str(key))
        return lines or [f"{prefix}: {{}}"]
    if isinstance(value, list | tuple):
        lines = []
        for index, item in enumerate(value, start=1):
            lines += flatten(item, f"{prefix}[{index}]")
        return lines or [f"{prefix}: []"]
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return [f"{prefix}: {text}"]


def diff(old: Iterable[str], new: Iterable[str], context: int = 2) -> list[DiffLine]:
    """The changes from `old` to `new`, keeping `context` unchanged lines around each change."""
    old, new = list(old), list(new)
    out: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        if out:
            out.append(DiffLine("gap", ""))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out += [DiffLine("same", line) for line in old[i1:i2]]
                continue
            out += [DiffLine("removed", line) for line in old[i1:i2]]
            out += [DiffLine("added", line) for line in new[j1:j2]]
    return out
