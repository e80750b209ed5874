"""The `monitor` command: a thin front end over the pipeline core."""

from __future__ import annotations

import csv
import functools
import io
import json
import os
from collections.abc import Callable
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer

from monitor.config import Settings, load_settings
from monitor.digest.files import write_digest
from monitor.digest.outbox import preview_digest, resend_digests, send_digests
from monitor.errors import MonitorError
from monitor.outcomes import ChangeKind
from monitor.store import Database, existing_database, open_database, queries
from monitor.terminal import RunProgress

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help=__doc__,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"policy-monitor {version('policy-monitor')}")
        raise typer.Exit()


@app.callback()
def _main(
    show_version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Track government commitments across news coverage: new, changed, and where each was
    reported."""


ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help="Configuration file (default: ./config/monitor.toml)."),
]


class Format(StrEnum):
    """Output formats of the listing commands."""

    table = "table"
    json = "json"
    csv = "csv"


FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
SinceOption = Annotated[
    datetime | None,
    typer.Option("--since", formats=["%Y-%m-%d"], help="Only rows of this day or later."),
]
LimitOption = Annotated[
    int | None, typer.Option("--limit", min=1, help="At most this many rows, the most recent.")
]
# The date a listing's row is of, by the first of these keys it has
_DATE_KEYS = ("published_at", "date", "last_published_at", "created_at", "detected_at")


def _window(
    rows: list[dict[str, Any]], since: datetime | None, limit: int | None
) -> list[dict[str, Any]]:
    """The rows of `since` or later, and of those the `limit` most recent, in their order."""

    def day(row: dict[str, Any]) -> str:
        return next((str(row[k] or "") for k in _DATE_KEYS if k in row), "")

    if since is not None:
        rows = [row for row in rows if day(row)[:10] >= since.date().isoformat()]
    if limit is not None and len(rows) > limit:
        kept = {id(row) for row in sorted(rows, key=day, reverse=True)[:limit]}
        rows = [row for row in rows if id(row) in kept]
    return rows


def command(*args: Any, **kwargs: Any) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register a command whose MonitorError becomes one clear line and exit status 1 (5
    when another run holds the database)."""

    def register(function: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(function)
        def wrapper(*a: Any, **kw: Any) -> None:
            try:
                function(*a, **kw)
            except MonitorError as exc:
                typer.echo(f"monitor: {exc}", err=True)
                raise typer.Exit(getattr(exc, "exit_code", 1)) from None

        return app.command(*args, **kwargs)(wrapper)

    return register


def _settings(config: Path | None) -> Settings:
    return load_settings(config)


def _database(settings: Settings) -> Database:
    return open_database(settings.database_url)


def _prefect_configured() -> bool:
    return bool(os.environ.get("PREFECT_API_URL"))


@command()
def run(config: ConfigOption = None) -> None:
    """One pass over the configured sources as the Prefect `ingest` flow, then write the digest."""
    settings = _settings(config)
    from flows.ingest import run_ingest

    with RunProgress() as shown:
        counts = run_ingest(config=str(config) if config else None)
        _finish(settings, counts, shown)


class GivenKind(StrEnum):
    """What the web addresses given to `monitor ingest` are."""

    auto = "auto"
    page = "page"
    feed = "feed"
    sitemap = "sitemap"
    urls = "urls"


@command("ingest")
def ingest_command(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="Files or folders of captures (.txt, .html, .warc), or web addresses: a page,"
            " a feed or a sitemap.",
            metavar="PATH_OR_URL...",
        ),
    ],
    config: ConfigOption = None,
    source: Annotated[str, typer.Option(help="Source name recorded on the captures.")] = "cli",
    outlet: Annotated[
        str | None, typer.Option(help="Outlet, when the pages do not say it.")
    ] = None,
    kind: Annotated[
        GivenKind,
        typer.Option(
            help="What the addresses are; auto fetches each and looks. With urls, a file"
            " argument lists addresses, one a line."
        ),
    ] = GivenKind.auto,
    allow_private: Annotated[
        bool,
        typer.Option(help="Fetch addresses in private and loopback ranges (a test server)."),
    ] = False,
) -> None:
    """One pass over the given inputs (a Prefect flow run when a server is configured).

    Exit status: 0 when every input was read, 3 when some failed (`monitor failures` says
    why), 4 when nothing could be read.
    """
    settings = _settings(config)
    given = "address" if kind is GivenKind.auto else kind.value
    database: Database | None = None
    with RunProgress() as shown:
        if _prefect_configured():
            from flows.ingest import run_ingest

            counts = run_ingest(
                config=str(config) if config else None,
                paths=inputs,
                source=source,
                outlet=outlet,
                kind=given,
                allow_private=allow_private,
            )
        else:
            # Imported here: the pipeline's libraries take seconds to load, which the read-only
            # commands need not pay.
            from monitor.pipeline import run_pipeline
            from monitor.sources import collect, given_sources
            from monitor.sources.stage import known_validators

            database = _database(settings)
            sources = given_sources(inputs, source, outlet, given, allow_private)
            items = collect(sources, known_validators(database))
            counts = run_pipeline(
                database,
                items,
                "cli",
                settings.redis_url,
                settings.extract_workers,
                progress=shown.line,
                advance=shown.advance,
            )
        _finish(settings, counts, shown, write=False, database=database)


# Exit statuses of a run that went through (1 is an error that stopped it, 2 a usage error)
EXIT_SOME_FAILED = 3
EXIT_NOTHING_READ = 4


def _finish(
    settings: Settings,
    counts: dict[str, int],
    shown: RunProgress,
    write: bool = True,
    database: Database | None = None,
) -> None:
    """Print the run's summary, write the commitment pages (and the digest preview) from the
    run's database (opened here if the run was a flow's); exit 3 when some inputs failed, 4
    when nothing could be read."""
    from monitor.pipeline import summary_line
    from monitor.run import counted
    from monitor.site import write_site

    database = database or _database(settings)
    typer.echo(f"run {counts.get('run_id')}: {summary_line(counts)}")
    pages = write_site(database, settings.site_dir, shown.advance)
    shown.line(f"site: {pages} pages in {settings.site_dir}")
    shown.stop()
    if write:
        for path in _write_preview(settings, database, settings.digest_dir, _today(settings)):
            typer.echo(f"digest: {path}")
    read = counts.get("captures", 0) + counts.get("unchanged", 0)
    failed = counts.get("failures", 0)
    if failed and not read:
        typer.echo(f"monitor: nothing could be read ({counted(failed, 'failures')})", err=True)
        raise typer.Exit(EXIT_NOTHING_READ)
    if failed:
        typer.echo(
            f"monitor: {counted(failed, 'inputs')} failed; `monitor failures` says why", err=True
        )
        raise typer.Exit(EXIT_SOME_FAILED)


def _write_preview(settings: Settings, database: Database, out: Path, day: date) -> list[Path]:
    rendered = preview_digest(database, day, settings.digest_max_items, settings.site_base_url)
    to = settings.recipients[0].address if settings.recipients else "digest@localhost"
    return write_digest(rendered, out, settings.smtp.sender, to)


@command()
def reprocess(config: ConfigOption = None) -> None:
    """Re-extract every stored raw capture (after an extractor improved); later stages follow."""
    settings = _settings(config)
    database: Database | None = None
    with RunProgress() as shown:
        if _prefect_configured():
            from flows.ingest import reprocess as reprocess_flow

            counts = reprocess_flow(config=str(config) if config else None)
        else:
            from monitor.pipeline import reprocess_pipeline

            database = _database(settings)
            counts = reprocess_pipeline(
                database,
                "cli",
                settings.redis_url,
                settings.extract_workers,
                progress=shown.line,
                advance=shown.advance,
            )
        typer.echo(
            f"reprocessed: {counts.get('reextracted', 0)} re-extracted, "
            f"{counts.get('unchanged', 0)} unchanged, {counts.get('retracted', 0)} retracted"
        )
        _finish(settings, counts, shown, write=False, database=database)


@command()
def prune(
    config: ConfigOption = None,
    older_than: Annotated[
        int, typer.Option("--older-than", min=0, help="Days a capture is kept whole.")
    ] = 90,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would go; drop nothing.")
    ] = False,
) -> None:
    """Drop the raw bytes of old captures that nothing cites: those that gave no article, and
    re-captures whose article text an earlier capture of the address holds."""
    from monitor.run import counted
    from monitor.store.retention import prune_captures

    settings = _settings(config)
    db = existing_database(settings.database_url)
    try:
        with db.exclusive_run():
            pruned = prune_captures(db, timedelta(days=older_than), dry_run)
    finally:
        db.engine.dispose()
    verb = "would drop" if dry_run else "dropped"
    typer.echo(
        f"{verb} the raw bytes of {counted(pruned.rejected + pruned.recaptured, 'captures')}"
        f" stored over {counted(older_than, 'days')} ago ({pruned.rejected} without an"
        f" article, {pruned.recaptured} re-captured with the same text):"
        f" {pruned.bytes:,} bytes as received"
    )


@command()
def serve(config: ConfigOption = None) -> None:
    """Serve the hourly ingest and the daily digest on their schedules against a Prefect server."""
    if not _prefect_configured():
        raise MonitorError(
            "monitor serve needs a Prefect server: start one with `monitor server` and set "
            "PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    settings = _settings(config)  # a configuration error shows here, before Prefect starts
    if not settings.recipients:
        typer.echo(
            "monitor: warning: no digest recipients are configured ([digest] recipients in"
            f" the configuration): each morning's digest is written to {settings.digest_dir}"
            " and sent to nobody",
            err=True,
        )
    from flows.serve import serve_deployments

    try:
        serve_deployments(str(config) if config else None)
    except KeyboardInterrupt:  # Ctrl-C: the schedules stay, the runs resume on restart
        typer.echo("monitor serve stopped; the schedules stay active", err=True)


@command()
def deploy(
    config: ConfigOption = None,
    write: Annotated[
        bool, typer.Option("--write", help="Write deploy/prefect.yaml instead of printing it.")
    ] = False,
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Exit 1 when deploy/prefect.yaml differs from the configuration."
        ),
    ] = False,
) -> None:
    """The work pool's deployments (deploy/prefect.yaml), made from the configuration's
    schedules and sources."""
    settings = _settings(config)
    from flows.serve import prefect_yaml

    text = prefect_yaml(str(config) if config else None)
    target = settings.root / "deploy" / "prefect.yaml"
    if check:
        current = target.read_text(encoding="utf-8") if target.is_file() else ""
        if current != text:
            raise MonitorError(
                f"{target} does not match the configuration: run `monitor deploy --write`"
            )
        typer.echo(f"{target} matches the configuration")
    elif write:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {target}")
    else:
        typer.echo(text, nl=False)


@command()
def site(
    config: ConfigOption = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder to write to (default: [site] dir).")
    ] = None,
) -> None:
    """Write the commitment pages: an index, a page per commitment and per event."""
    from monitor.site import write_site

    settings = _settings(config)
    target = out or settings.site_dir
    db = existing_database(settings.database_url)
    try:
        with RunProgress() as shown:
            pages = write_site(db, target, shown.advance)
    finally:
        db.engine.dispose()
    typer.echo(f"{pages} pages in {target}")


@command()
def server(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port of the UI and API.")] = 4200,
    public_url: Annotated[
        str | None,
        typer.Option(
            help="Address analysts open the UI at (http://monitor.example.org:4200), which the"
            " UI calls the API at; default: this host's name when listening on all addresses."
        ),
    ] = None,
) -> None:
    """Start a local Prefect server (UI and API) in the foreground: `prefect server start`.

    The UI calls the API of this server, at this port, whatever PREFECT_API_URL says in the
    shell (it may name another server); PREFECT_UI_API_URL, if set, is taken as it is.
    """
    import socket
    import subprocess
    import sys

    everywhere = host in ("0.0.0.0", "::", "")
    local = f"http://{'127.0.0.1' if everywhere else host}:{port}"
    public = (public_url or (f"http://{socket.getfqdn()}:{port}" if everywhere else local)).rstrip(
        "/"
    )
    env = dict(os.environ)
    env["PREFECT_API_URL"] = f"{local}/api"
    env.setdefault("PREFECT_UI_API_URL", f"{public}/api")
    ui = env["PREFECT_UI_API_URL"].removesuffix("/api")
    typer.echo(f"Prefect UI: {ui}  (export PREFECT_API_URL={local}/api)")
    command = [
        sys.executable,
        "-m",
        "prefect",
        "server",
        "start",
        "--host",
        host,
        "--port",
        str(port),
    ]
    raise typer.Exit(subprocess.call(command, env=env))


@command()
def events(
    config: ConfigOption = None,
    format: FormatOption = Format.table,
    since: SinceOption = None,
    limit: LimitOption = None,
) -> None:
    """List events with the articles that report them."""
    rows = _window(_read(config, queries.list_events), since, limit)
    flat = [r | {"articles": len(r["articles"]), "outlets": _outlets(r["articles"])} for r in rows]
    _emit(
        rows if format is Format.json else flat,
        format,
        ["id", "date", "title", "articles", "outlets"],
    )


@command()
def measures(
    config: ConfigOption = None,
    format: FormatOption = Format.table,
    since: SinceOption = None,
    limit: LimitOption = None,
) -> None:
    """List extracted measures with their fields."""
    rows = _window(_read(config, queries.list_measures), since, limit)
    _emit(rows, format, ["id", "event_id", "outlet", "marker", "kind", "actor", "action", "text"])


@command()
def changes(
    config: ConfigOption = None,
    format: FormatOption = Format.table,
    digest: Annotated[
        int | None, typer.Option("--digest", help="Only the changes this digest carried.")
    ] = None,
    pending: Annotated[
        bool, typer.Option("--pending", help="Only the changes no digest has delivered yet.")
    ] = False,
    since: SinceOption = None,
    limit: LimitOption = None,
) -> None:
    """List NEW and CHANGED commitments with before, after and sources."""

    def read(session: Any) -> list[dict[str, Any]]:
        from monitor.store.models import Digest

        if digest is not None and session.get(Digest, digest) is None:
            raise MonitorError(f"no digest {digest} was sent from this database")
        return queries.list_changes(session, undelivered_only=pending, digest_id=digest)

    rows = _window(_read(config, read), since, limit)
    if format is Format.table:  # what a reader needs first: kind, date, what changed
        rows = [
            row | {"date": (row["published_at"] or "")[:10], "change": _what_changed(row)}
            for row in rows
        ]
    _emit(rows, format, ["id", "kind", "date", "change", "actor", "text"])


def _what_changed(change: dict[str, Any]) -> str:
    """A CHANGED row's before → after, field by field; nothing for a NEW one."""
    if change["kind"] != ChangeKind.CHANGED or not change["before"]:
        return ""
    return "; ".join(
        f"{_value(change['before'].get(field))} → {_value(value)}"
        for field, value in change["after"].items()
    )


@command()
def commitments(
    config: ConfigOption = None,
    format: FormatOption = Format.table,
    since: SinceOption = None,
    limit: LimitOption = None,
) -> None:
    """List commitments in their latest version, with how often and where they were reported."""
    rows = _window(_read(config, queries.list_commitments), since, limit)
    _emit(rows, format, ["id", "event_id", "actor", "versions", "reports", "outlets", "text"])


@command()
def commitment(
    commitment_id: Annotated[int, typer.Argument(help="The commitment's id.")],
    config: ConfigOption = None,
    format: FormatOption = Format.table,
) -> None:
    """Show one commitment's whole history with its sources (csv: a row a version)."""

    def read(session: Any) -> list[dict[str, Any]]:
        history = queries.commitment_history(session, commitment_id)
        if history is None:
            raise MonitorError(f"no commitment {commitment_id}")
        return [history]

    (found,) = _read(config, read)
    if format is Format.json:
        typer.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    if format is Format.csv:
        rows = [
            {
                "published_at": v["source"]["published_at"],
                "outcome": v["outcome"],
                "outlet": v["source"]["outlet"],
                "title": v["source"]["title"],
                "figures": "; ".join(q["raw"] for q in v["quantities"]),
                "text": v.get("text", ""),
            }
            for v in found["history"]
        ]
        _emit(rows, format, ["published_at", "outcome", "outlet", "title", "figures", "text"])
        return
    typer.echo(f"commitment {found['id']} ({found['actor'] or 'actor unknown'})")
    typer.echo(found["text"])
    for version in found["history"]:
        source = version["source"]
        figures = "; ".join(q["raw"] for q in version["quantities"])
        typer.echo(
            f"- {(source['published_at'] or 'date unknown')[:16]} {version['outcome']:<10} "
            f"{source['outlet'] or '?'} 《{source['title']}》 {figures}"
        )
    for change in found["changes"]:
        if change["kind"] == ChangeKind.CHANGED:
            for field, old in change["before"].items():
                new = change["after"][field]
                typer.echo(f"  {field}: {_value(old)} -> {_value(new)}")


def _value(value: Any) -> str:
    return str(value.get("raw", value)) if isinstance(value, dict) else str(value)


@command()
def failures(
    config: ConfigOption = None,
    format: FormatOption = Format.table,
    since: SinceOption = None,
    limit: LimitOption = None,
) -> None:
    """List bad input recorded against captures and sources, with reasons."""
    rows = _window(_read(config, queries.list_failures), since, limit)
    _emit(rows, format, ["id", "run_id", "stage", "source", "origin", "reason"])


@command()
def digest(
    out: Annotated[
        Path | None, typer.Option("--out", help="Write .html, .txt and .eml here; send nothing.")
    ] = None,
    resend: Annotated[
        datetime | None,
        typer.Option("--resend", formats=["%Y-%m-%d"], help="Send that day's digests again."),
    ] = None,
    day: Annotated[
        datetime | None, typer.Option("--date", formats=["%Y-%m-%d"], help="Digest date.")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Send each recipient the changes not yet delivered to them (or write them with --out)."""
    settings = _settings(config)
    when = day.date() if day else _today(settings)
    if out is not None:
        for path in _write_preview(settings, _database(settings), out, when):
            typer.echo(str(path))
        return
    db = _database(settings)
    deliveries = (
        resend_digests(db, settings, resend.date()) if resend else send_digests(db, settings, when)
    )
    for delivery in deliveries:
        note = f": {delivery.reason}" if delivery.reason else ""
        typer.echo(f"{delivery.recipient}: {delivery.status}, {delivery.changes} changes{note}")
    if any(d.status == "failed" for d in deliveries):
        raise typer.Exit(1)


def _today(settings: Settings) -> date:
    return datetime.now(ZoneInfo(settings.timezone)).date()


def _read(config: Path | None, query: Callable[..., list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """What a read-only command asks of the database: one that exists, never made here."""
    db = existing_database(_settings(config).database_url)
    try:
        with db.sessions() as session:
            return query(session)
    finally:
        db.engine.dispose()


def _outlets(articles: list[dict[str, Any]]) -> str:
    return "、".join(dict.fromkeys(a["outlet"] or "?" for a in articles))


def _emit(rows: list[dict[str, Any]], format: Format, columns: list[str]) -> None:
    if format is Format.json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    flat = [{key: _cell(row.get(key)) for key in row} for row in rows]
    if format is Format.csv:
        buffer = io.StringIO()
        fieldnames = list(flat[0]) if flat else columns
        writer = csv.DictWriter(buffer, fieldnames=fieldnames, lineterminator="\n")
        writer.writeheader()
        writer.writerows(flat)
        typer.echo(buffer.getvalue(), nl=False)
        return
    _table(flat, columns)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list) and value and isinstance(value[0], dict) and "outlet" in value[0]:
        return "; ".join(f"{v.get('outlet') or '?'} 《{v.get('title')}》" for v in value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "、".join(value)  # outlets, topic words: a list to read, not JSON
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


# Columns a table never squeezes (a kind, a date, a figure's before → after); the others give
# way, text first, on a narrow terminal
_KEPT_COLUMNS = {"id", "kind", "date", "change", "outcome", "published_at", "versions"}
_OTHER_CELLS = 14
_MIN_TEXT_CELLS = 12


def _table(rows: list[dict[str, str]], columns: list[str]) -> None:
    from rich.cells import cell_len
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console()

    def widest(column: str) -> int:
        return max([cell_len(column), *(cell_len(row.get(column, "")) for row in rows)])

    # the kept columns as wide as they need, the others at most _OTHER_CELLS, the text (or
    # the title) the rest
    widths = {
        column: widest(column) if column in _KEPT_COLUMNS else min(widest(column), _OTHER_CELLS)
        for column in columns
    }
    flexible = next((c for c in ("text", "title") if c in widths), None)
    if flexible is not None:
        widths[flexible] = widest(flexible)
        others = sum(w for c, w in widths.items() if c != flexible)
        room = console.width - others - 3 * len(columns) - 1
        widths[flexible] = max(_MIN_TEXT_CELLS, min(widths[flexible], room))
    table = Table(show_lines=False)
    for column in columns:
        table.add_column(column, width=widths[column], no_wrap=True, overflow="ellipsis")
    for row in rows:
        # captured text is shown as it is, never read as markup ([/b] in a title)
        table.add_row(*(Text(row.get(c, "")) for c in columns))
    console.print(table)
    typer.echo(f"{len(rows)} row" if len(rows) == 1 else f"{len(rows)} rows")
