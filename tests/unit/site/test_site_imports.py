"""`mortem check` runs on every commit: its start-up imports only what checking needs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
PROBE = """
import sys
from mortem.cli.main import main
code = main(["check", "--config", sys.argv[2], sys.argv[1]])
modules = sorted(sys.modules)
# The site's heavy modules. mortem.analysis.actions is allowed: it is the light, model-only
# follow-through data that the owner-load rule shares with the site.
site = [m for m in modules if m.split(".")[0] in ("mkdocs", "markdown", "material")
        or m.startswith(("mortem.site", "mortem.render.charts", "mortem.render.site_pages",
                         "mortem.analysis.metrics"))]
# Other commands' modules, and shutil (which argparse imports to size its help), cost the
# pre-commit hook milliseconds on every commit and do nothing for it. mortem.cli.arguments
# is the arguments every command shares (--config): a few lines, nothing imported.
shared = ("mortem.cli.main", "mortem.cli.check", "mortem.cli.arguments")
other = [m for m in modules if m == "shutil" or (m.startswith("mortem.cli.") and m not in shared)]
print(code, site, other)
"""


def test_mortem_check_imports_nothing_of_the_site_or_other_commands() -> None:
    fixtures = REPO / "tests" / "fixtures" / "rules"
    sample = next((fixtures / "good").glob("*.md"))
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(sample), str(fixtures / "mortem.toml")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip().splitlines()[-1] == "0 [] []"
