"""The archive held out of the cyclic garbage collector's sight while MkDocs builds the site.

Once the hook has read the archive and made its pages (`on_files`), those objects live until
the build ends: the postmortems, the analysis the check and the pages share, the pages'
Markdown. Every later collection of the oldest generation would walk them all again, each
forked worker's collections would copy the memory pages they sit on (a collection writes to
every object it visits), and the collection Python makes as it exits walks them once more:
0.37-0.42 s of a 1,000-postmortem build, after MkDocs has finished. `gc.freeze()` moves them
to the permanent generation, which no collection visits. Reference counting still frees what
is no longer used; only cycles among the frozen objects would outlive the build.

A `mkdocs build` (or `gh-deploy`) process ends with its build, so they stay frozen to its
exit. Anything else (`mkdocs serve`, which rebuilds in the same process, or a build run
from Python) gets them back into the oldest generation once the build is over, so a cycle
among them can still be collected.
"""

from __future__ import annotations

import gc

from mortem.site import Started, ends_with_build


def hold() -> None:
    """After the archive is read and its pages made: out of every collection's sight."""
    gc.freeze()


def release(started: Started) -> None:
    """After a build, or a failed one, of the command `started` (as the hook's `on_startup`
    heard it: the command and whether --dirty; None when the build was not started by
    MkDocs's command line): back into reach, unless the process ends with this build."""
    if not ends_with_build(started):
        gc.unfreeze()
