"""Everything that stands the system up besides template.yaml: local stack, sandbox, tools.

Every entry point here (`python -m infra....`) runs the shared code as Lambda does, from the layer,
so the layer's folder goes on the path first.
"""

import sys
from pathlib import Path

_LAYER = str(Path(__file__).resolve().parents[1] / "shared")
if _LAYER not in sys.path:
    sys.path.insert(0, _LAYER)
