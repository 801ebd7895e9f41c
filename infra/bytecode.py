"""Whether every module under a directory has its current bytecode, as the Python running this
would load it without compiling: an unchecked-hash .pyc in __pycache__, for this interpreter's
version, whose source hash is the source's. Standard library only, so that the packaged build is
checked by the very Python (3.13) it was compiled for:

    python3.13 -m infra.bytecode DIR...      # prints one line per problem, exits 1 if any
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

UNCHECKED_HASH = 1  # the .pyc header's flags: hash-based (bit 0), source not checked (bit 1 clear)


def problems(directory: Path) -> list[str]:
    found = []
    for source in sorted(directory.rglob("*.py")):
        pyc = Path(importlib.util.cache_from_source(str(source)))
        where = source.relative_to(directory)
        if not pyc.is_file():
            found.append(f"{where}: no {sys.implementation.cache_tag} bytecode")
            continue
        header = pyc.read_bytes()[:16]
        if header[:4] != importlib.util.MAGIC_NUMBER or int.from_bytes(header[4:8], "little") != UNCHECKED_HASH:
            found.append(f"{where}: bytecode is not unchecked-hash {sys.implementation.cache_tag}")
        elif header[8:16] != importlib.util.source_hash(source.read_bytes()):
            found.append(f"{where}: stale bytecode")
    return found


def main(directories: list[str]) -> int:
    found = [f"{directory}/{problem}" for directory in directories for problem in problems(Path(directory))]
    for problem in found:
        print(problem)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
