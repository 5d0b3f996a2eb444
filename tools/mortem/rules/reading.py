"""Rules for files that cannot be read as a postmortem; the loader reports them."""

from __future__ import annotations

from mortem.rules.base import reading_rule

readable_file = reading_rule(
    "PM001",
    "readable-file",
    """
    ## What it does
    Checks that the file is a regular, readable UTF-8 text file under the size limit, with
    no NUL bytes and no byte-order mark.

    ## Why is this bad?
    The archive is read by people, by mortem and by the site build. A file saved as UTF-16
    or with stray binary content shows up as garbage on the site and in review diffs.

    ## Example
    A file saved by an editor as "UTF-16 LE", or a 40 MB log pasted into the Timeline.

    ## Use instead
    Save the file as UTF-8 without BOM and link large logs instead of pasting them.
""",
)

front_matter_present = reading_rule(
    "PM002",
    "front-matter-present",
    """
    ## What it does
    Checks that the file starts with YAML front matter between two `---` lines.

    ## Why is this bad?
    The front matter holds everything mortem tracks: times, impact, root causes and the
    action items. Without it the postmortem is prose that nobody can follow up on.

    ## Example
    ```markdown
    # Checkout outage
    ## Summary
    ```

    ## Use instead
    ```markdown
    ---
    title: Checkout failed after a deploy ran ahead of its migration
    date: 2026-03-04
    ...
    ---
    ## Summary
    ```
""",
)

valid_yaml = reading_rule(
    "PM003",
    "valid-yaml",
    """
    ## What it does
    Checks that the front matter is plain YAML: no syntax errors, no duplicate fields, no
    tags such as `!!python/object`, field names that are text, and nesting and alias
    expansion within limits.

    ## Why is this bad?
    A duplicate field silently overrides the first one, so an action item's owner can
    vanish. Tags and alias bombs are how a hostile file hangs or exploits a YAML reader;
    mortem reads YAML safely and reports them instead.

    ## Example
    ```yaml
    owner: Sam Okafor
    owner: Mei Chen
    ```

    ## Use instead
    ```yaml
    owner: Mei Chen
    ```
""",
)

RULES = (readable_file, front_matter_present, valid_yaml)
