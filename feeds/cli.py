"""The ``feeds`` command: ``check``, ``export``, ``serve``, ``list``.

Exit status: 0 fine, 1 when ``check`` rejected a post, 2 for a usage or config error. A
config error prints one line that names the file and key, never a traceback.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

import click

from . import config as config_mod
from . import export, urls
from .config import ENGINES, Config
from .documents import Documents
from .errors import ConfigError, FeedsError, StorageError
from .jekyll import permalink
from .model import Scope, ScopeKind
from .progress import Progress


def _fail(message: str, status: int = 2) -> NoReturn:
    click.echo(f"feeds: {message}", err=True)
    sys.exit(status)


def _load(ctx: click.Context) -> Config:
    try:
        return config_mod.load(ctx.obj)
    except ConfigError as e:
        _fail(str(e))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    metavar="PATH",
    help="The config file (default: $FEEDS_CONFIG, else ./config.toml).",
)
@click.version_option(package_name="feeds")
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """Feeds for a Jekyll site: RSS, Atom and JSON Feed for the site, each category and each tag."""
    ctx.obj = config_path


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the problems as one JSON object.")
@click.pass_context
def check(ctx: click.Context, as_json: bool) -> None:
    """Read every post and report each problem with its file and line.

    Also says which value is used where config.toml and the site's _config.yml differ.

    Reads through the index, so a second run re-reads only changed files. Exit status 1 when
    any post was rejected.
    """
    config = _load(ctx)
    documents = _documents(config, quiet=True)
    problems = documents.index.problems()
    now = documents.published_at(datetime.now(UTC))
    published = documents.index.count(now)
    errors = sum(p.level == "error" for p in problems)
    notes = [*config.origins, *_empty_categories(config, documents, now)]
    if as_json:
        click.echo(
            json.dumps(
                {
                    "posts": published,
                    "config": notes,
                    "problems": [
                        {"path": p.path, "line": p.line, "level": p.level, "message": p.message}
                        for p in problems
                    ],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for note in notes:
            click.echo(f"{config.path}: note: {note}")
        for problem in problems:
            click.echo(str(problem))
        click.echo(f"{published} posts, {errors} errors, {len(problems) - errors} warnings")
    sys.exit(1 if errors else 0)


def _empty_categories(config: Config, documents: Documents, now: datetime) -> list[str]:
    """A note for each category of ``[feeds] categories`` without a post: jekyll-feed writes
    an empty feed at its path, where feeds has nothing to serve."""
    return [
        f"[feeds] categories names {name!r}, which has no post: {urls.jekyll_feed_path(Scope(ScopeKind.CATEGORY, slug))} "
        "and its other feeds answer 404 until one is published"
        for name in config.feeds.categories
        if documents.index.scope(ScopeKind.CATEGORY, slug := permalink.scope_slug(name), now)
        is None
    ]


@main.command("export")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--full", is_flag=True, help="Rebuild and compare every file, not only changed scopes."
)
@click.option(
    "--ping",
    is_flag=True,
    help="Then tell each [websub] hub which feeds the export changed (exit 1 if one was not told).",
)
@click.pass_context
def export_command(ctx: click.Context, out: Path, full: bool, ping: bool) -> None:
    """Write every feed, the OPML list and the index page under OUT.

    Only files whose bytes change are rewritten; files of scopes that are gone are removed.
    """
    config = _load(ctx)
    if ping and not config.websub.hubs:
        _fail(f"{config.path}: --ping needs [websub] hubs")
    # Saved searches are exported like scopes, so their posts are looked up in the grams, never
    # found by reading texts within a scan's budget.
    documents = _documents(config, search=bool(config.search.saved))
    progress = Progress()
    try:
        stats = export.export(
            documents,
            out,
            documents.published_at(datetime.now(UTC)),
            full=full,
            progress=progress.update,
        )
    except FeedsError as e:
        progress.close()
        _fail(str(e), status=1)
    progress.close()
    click.echo(str(stats))
    if ping:
        from . import websub  # its HTTP client: only for a ping, not for every export

        with _logged():
            failed = websub.publish_now(
                config.websub.hubs, websub.written(documents, stats.changed)
            )
        for line in failed:
            click.echo(f"feeds: websub: {line}", err=True)
        if failed:
            sys.exit(1)


@contextlib.contextmanager
def _logged() -> Iterator[None]:
    """Show the ``feeds`` log on stderr meanwhile, from INFO up: each hub attempt's line."""
    logger = logging.getLogger("feeds")
    handler = _Echo()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


class _Echo(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"feeds: {record.getMessage()}", err=True)


def _documents(
    config: Config, *, only_if_empty: bool = False, quiet: bool = False, search: bool = False
) -> Documents:
    """Open the index for ``config`` and bring it up to date, logging what changed; with
    ``search``, its keyword index too (:meth:`feeds.index.Index.refresh`): only the service
    answers keyword queries, and the export writes saved searches. ``only_if_empty``: leave
    an index that holds posts, all with their words, as it is (the service's workers refresh
    it)."""
    try:
        documents = Documents.from_config(config)
        if only_if_empty and documents.index.generation > 0 and documents.index.searchable:
            return documents
        r = documents.index.refresh(search=search)
    except ConfigError as e:
        _fail(str(e))
    except StorageError as e:
        _fail(str(e), status=1)
    except OSError as e:
        _fail(f"{config.path}: [site] source {config.site.source}: cannot read: {e.strerror or e}")
    if (r.changed or r.removed) and not quiet:
        click.echo(
            f"index: {r.changed} changed, {r.removed} removed in {r.seconds:.2f} s", err=True
        )
    return documents


@main.command("list")
@click.pass_context
def list_command(ctx: click.Context) -> None:
    """List every feed: its kind, name, post count and URL, one per line."""
    config = _load(ctx)
    documents = _documents(config)
    now = documents.published_at(datetime.now(UTC))
    for scope, count in documents.index.scopes(now):
        if documents.options.hidden(scope):
            continue
        for fmt in config.feeds.formats:
            feed_url = f"{config.site.url}/{urls.feed_href(scope, fmt)}"
            click.echo(f"{scope.kind.value}\t{scope.name or '-'}\t{count}\t{feed_url}")


@main.command()
@click.option("--host", help="Address to listen on (default: [server] host).")
@click.option("--port", type=int, help="Port to listen on (default: [server] port).")
@click.option("--workers", type=int, help="Worker processes (default: [server] workers).")
@click.option(
    "--engine", type=click.Choice(ENGINES), help="WSGI server (default: [server] engine)."
)
@click.pass_context
def serve(
    ctx: click.Context, host: str | None, port: int | None, workers: int | None, engine: str | None
) -> None:
    """Serve every feed over HTTP with gunicorn or granian."""
    config = _load(ctx)
    if engine:
        config = replace(config, server=replace(config.server, engine=engine))
    # Fill an empty index (or give the posts an export added their words) before the workers
    # fork, so none of them is killed by gunicorn's timeout while a large site is parsed, nor
    # answers a keyword query without those posts; a filled one is brought up to date by the
    # workers while they serve.
    _documents(config, only_if_empty=True, search=True).index.close()
    from .server import run  # gunicorn is only needed here

    run(
        config,
        host or config.server.host,
        port or config.server.port,
        workers or config.server.workers,
    )
