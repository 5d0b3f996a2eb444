from __future__ import annotations

import sys
from pathlib import Path

# recurrence_eval is a helper module beside the tests, also used to re-tune by hand.
sys.path.insert(0, str(Path(__file__).parent))
