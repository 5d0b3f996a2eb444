"""MkDocs hooks: an adapter from the mortem package to MkDocs, nothing more.

Once per build: read the archive, refuse to publish if `mortem check` finds errors, and
hand every page of `mortem.site.pages()` to MkDocs as an in-memory generated file. Each
postmortem's source file is replaced by its rendered page, so nothing is written into the
archive folder and `mkdocs serve` rebuilds on every edit to a postmortem.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from mortem.config import Config, load_config
from mortem.errors import MortemError
from mortem.site import pages, read_archive

log = logging.getLogger("mkdocs.plugins.mortem")


def _mortem_config(config: MkDocsConfig) -> Config:
    try:
        mortem = load_config(start=Path(config.config_file_path).parent)
    except MortemError as exc:
        raise PluginError(f"mortem: {exc}") from None
    if mortem.archive_dir.resolve() != Path(config.docs_dir).resolve():
        raise PluginError(f"mortem: docs_dir {config.docs_dir} is not the archive folder "
                          f"{mortem.archive_dir}; set docs_dir to the archive in mkdocs.yml")
    return mortem


def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    mortem = _mortem_config(config)
    today = date.today()
    archive = read_archive(mortem, today)
    errors = [f for f in archive.check.findings if f.is_error]
    for finding in archive.check.findings:
        if not finding.is_error:
            log.warning(_describe(finding))
    if errors:
        raise PluginError("mortem check found errors; fix them to publish the archive:\n"
                          + "\n".join(_describe(f) for f in errors))
    for page in pages(archive.docs, mortem, today):
        generated = File.generated(config, page.path, content=page.text)
        for existing in [f for f in files if f.src_uri == page.path
                         or f.dest_uri == generated.dest_uri]:
            files.remove(existing)  # a postmortem's source gives way to its rendered page
        files.append(generated)
    return files


def _describe(finding: Any) -> str:
    return (f"{finding.path}:{finding.line}:{finding.column}: {finding.code} "
            f"{finding.name}: {finding.message}")


def on_serve(server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
    # The archive's settings ([tool.mortem]) live outside docs_dir; rebuild when they change.
    source = _mortem_config(config).source
    if source is not None:
        server.watch(str(source))
    return server
