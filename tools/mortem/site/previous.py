"""The last build's site, deleted on a second core while MkDocs starts the next.

Before it reads a file, MkDocs empties the site folder (all but its hidden entries) on the
one core it builds on: in a rebuild of 1,000 postmortems, 0.3 s of a start that has
nothing else to run beside it. At `pre_build` (just before), each entry MkDocs would delete
is moved, one rename each, into a hidden folder inside the site folder, which MkDocs leaves
alone; a forked child deletes that folder while the build goes on, and the build waits for
it at its end, so nothing of it is published. What MkDocs would leave, it is left: hidden
entries and symbolic links (MkDocs deletes a link to a file but keeps a link to a folder,
so both are left to it), and an entry that cannot be moved is deleted by MkDocs as before.

Only in `mkdocs build` and `gh-deploy` without --dirty (a --dirty build keeps the site;
`serve` builds into a folder of its own), and only when a child can be forked.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from dataclasses import dataclass

from mortem.parallel import Forked, in_fork, processes
from mortem.site import Started, whole_build

PREFIX = ".mortem-previous-"  # hidden: MkDocs neither deletes nor copies it
log = logging.getLogger("mkdocs.plugins.mortem")


@dataclass
class Clearing:
    """The last site, moved aside and being deleted by a forked child."""

    folder: str
    child: Forked | None

    def finish(self) -> None:
        """At the build's end, or a failed build's: wait for the child, and delete here what
        it did not (it died, or was never forked). What cannot be deleted is said."""
        if self.child is not None:
            self.child.result()
            self.child = None
        if os.path.lexists(self.folder):
            shutil.rmtree(self.folder, ignore_errors=True)
            if os.path.lexists(self.folder):
                log.warning(f"mortem: could not delete the last build's {self.folder}; delete it by hand")


def clear_ahead(site_dir: str, started: Started) -> Clearing | None:
    """At `pre_build`, for a build `started` by MkDocs's command line (command, --dirty):
    move what MkDocs is about to delete from `site_dir` aside and start deleting it on a
    second core. None when there is nothing to gain or it may not be done (see the module)."""
    if not whole_build(started) or processes() < 2:
        return None
    entries = _deletable(site_dir)
    if not entries:
        return None
    import tempfile

    try:
        folder = tempfile.mkdtemp(prefix=PREFIX, dir=site_dir)
    except OSError:
        return None  # MkDocs empties the folder itself, and says why it cannot
    for entry in entries:
        with contextlib.suppress(OSError):  # a mount point, say: MkDocs deletes it as before
            os.rename(os.path.join(site_dir, entry), os.path.join(folder, entry))
    child = in_fork(lambda: _delete(folder))
    if child is None:  # no second core after all: deleted now, as MkDocs would have
        _delete(folder)
        return None
    return Clearing(folder, child)


def _deletable(site_dir: str) -> list[str]:
    """The entries MkDocs would delete (not hidden, not a link), and the folders an earlier
    build that was stopped before its end left for deleting."""
    try:
        names = os.listdir(site_dir)
    except OSError:
        return []
    ours = [name for name in names if not name.startswith(".") or name.startswith(PREFIX)]
    return [name for name in ours if not os.path.islink(os.path.join(site_dir, name))]


def _delete(folder: str) -> bytes:
    """In the child: delete the folder, as MkDocs deletes a folder (errors ignored)."""
    shutil.rmtree(folder, ignore_errors=True)
    return b""
