"""Every citation of FaceID's documents in the code resolves inside the repository: the code cites
`000`..`003` and `notes §N`, and docs/faceid.md has a section for each."""

from __future__ import annotations

import re
from pathlib import Path

from infra.local.template import ROOT

DOCUMENT = re.compile(r"(?<![\w.$])(?<!\d,)(00\d)(?![\w.%]|,\d)")
NOTES = re.compile(r"notes §(\d+)")
SECTION = re.compile(r"^## (00\d|notes §\d+)\s*$", re.MULTILINE)


def cited(text: str) -> set[str]:
    return set(DOCUMENT.findall(text)) | {f"notes §{n}" for n in NOTES.findall(text)}


def sources() -> list[Path]:
    folders = ("shared", "functions", "infra", "tests", "examples")
    return [path for folder in folders for path in (ROOT / folder).rglob("*.py") if "__pycache__" not in path.parts]


def test_every_citation_in_the_code_has_its_section_in_docs_faceid() -> None:
    # Given docs/faceid.md's sections and the citations in every Python file of the repo
    sections = set(SECTION.findall((ROOT / "docs" / "faceid.md").read_text()))
    citations = {(path.relative_to(ROOT), source) for path in sources() for source in cited(path.read_text())}
    # Then each citation resolves, and the code cites the four documents and the notes
    assert {(path, source) for path, source in citations if source not in sections} == set()
    assert {"000", "001", "002", "003", "notes §2", "notes §4"} <= {source for _, source in citations}


def test_no_citation_points_outside_the_repository() -> None:
    outside = re.compile(r"faceid-docs|faceid-notes|\b00\d_[0-9a-f]{16}\.txt")
    assert [path for path in sources() if outside.search(path.read_text()) and path.name != "test_docs.py"] == []


def test_the_citation_pattern_reads_what_it_should() -> None:
    assert cited("see 000 and 001, notes §4 (and 002)") == {"000", "001", "002", "notes §4"}
    assert cited("per 1,000 verifications, 0.001 s, $000, 1000, x003y") == set()
