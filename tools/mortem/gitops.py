"""The few git operations mortem performs, through gitpython (imported only when needed)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from mortem.errors import MortemError


def commit_on_new_branch(
    root: Path, branch: str, path: Path, write: Callable[[], None], message: str
) -> None:
    """Create `branch` from HEAD, switch to it, `write()` the file and commit only that file."""
    import git

    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise MortemError(f"{root} is not in a git repository; drop --branch or run `git init`") from None
    if branch in repo.heads:
        raise MortemError(f"branch {branch} already exists; pick another title or check it out")
    if not repo.head.is_valid():
        raise MortemError("the repository has no commits yet; make a first commit, then use --branch")
    if repo.index.diff("HEAD"):
        raise MortemError(
            "there are staged changes; commit or unstage them first, so the "
            "postmortem's commit holds only the postmortem"
        )
    previous = repo.active_branch if not repo.head.is_detached else None
    head = repo.create_head(branch)
    head.checkout()
    try:
        write()
    except BaseException:
        if previous is not None:
            previous.checkout()
        repo.delete_head(head, force=True)
        raise
    relative = path.resolve().relative_to(Path(repo.working_tree_dir or root).resolve())
    repo.index.add([relative.as_posix()])
    repo.index.commit(message)
