"""The `daily_digest` flow: send each subscriber what is new to them, publish the digest."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from prefect import Task, flow, get_run_logger, task
from prefect.artifacts import create_link_artifact, create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State, TaskRun

from flows.ingest import _database, run_name
from flows.secrets import read_secret
from monitor.config import Settings, load_settings
from monitor.digest.files import write_digest
from monitor.digest.outbox import preview_digest, send_digests
from monitor.errors import ConfigError, DigestError


def _with_password(settings: Settings) -> Settings:
    """Settings with the SMTP password from the Prefect Secret block, if one is named."""
    if settings.smtp.password or not settings.smtp.password_block:
        return settings
    password = read_secret(settings.smtp.password_block)
    return dataclasses.replace(settings, smtp=dataclasses.replace(settings.smtp, password=password))


def _worth_retrying(task: Task[Any, Any], task_run: TaskRun, state: State[Any]) -> bool:
    """A send that failed may go through a minute later; a configuration error will not."""
    try:
        state.result()
    except ConfigError:
        return False
    except Exception:
        return True
    return False


# A retry sends only what is still pending: recipients already served are skipped.
@task(
    name="send-digests",
    retries=2,
    retry_delay_seconds=60,
    retry_condition_fn=_worth_retrying,
    cache_policy=NO_CACHE,
)
def send(config: str | None, day: date) -> list[dict]:
    """Send the digests of `day`; fail (and so retry) while any recipient's send fails."""
    settings = _with_password(load_settings(Path(config) if config else None))
    deliveries = send_digests(_database(settings.database_url), settings, day, read_secret)
    failed = [d for d in deliveries if d.status == "failed"]
    if failed:
        raise DigestError("; ".join(f"{d.recipient}: {d.reason}" for d in failed))
    return [dataclasses.asdict(d) for d in deliveries]


def _digest_run_name() -> str:
    from prefect.runtime import flow_run

    day = flow_run.parameters.get("day")
    return f"digest-{day}" if day else run_name("digest", "%Y-%m-%d")


@flow(name="daily_digest", flow_run_name=_digest_run_name, log_prints=True)
def daily_digest(config: str | None = None, day: date | None = None) -> list[dict]:
    """Send the daily digest and publish it as the `daily-digest` artifact.

    With no recipient configured, the digest is written to files under the digest folder
    and the run says so: nothing is lost, and nothing fails every morning.
    """
    settings = load_settings(Path(config) if config else None)
    day = day or datetime.now(ZoneInfo(settings.timezone)).date()
    preview = preview_digest(
        _database(settings.database_url), day, settings.digest_max_items, settings.site_base_url
    )
    deliveries: list[dict] = []
    if settings.recipients:
        deliveries = send(config, day)
    else:
        written = write_digest(
            preview, settings.digest_dir, settings.smtp.sender, "digest@localhost"
        )
        get_run_logger().warning(
            "no digest recipients are configured ([digest] recipients): the digest was written"
            " to %s and sent to nobody",
            ", ".join(str(path) for path in written),
        )
        html = next((path for path in written if path.suffix == ".html"), None)
        if html is not None:
            create_link_artifact(
                key="daily-digest-file",
                link=html.resolve().as_uri(),
                link_text=preview.subject,
                description=f"The digest of {day.isoformat()}, as written",
            )
    if settings.site_base_url:
        create_link_artifact(
            key="commitment-pages",
            link=f"{settings.site_base_url.rstrip('/')}/index.html",
            link_text="Every commitment, its history and sources",
            description="The pages the digest links to",
        )
    rows = "\n".join(f"| {d['recipient']} | {d['status']} | {d['changes']} |" for d in deliveries)
    create_markdown_artifact(
        key="daily-digest",
        markdown=(
            f"# {preview.subject}\n\n| recipient | status | changes |\n|---|---|---:|\n{rows}\n\n"
            f"```\n{preview.text}\n```\n"
        ),
        description=f"Digest of {day.isoformat()}",
    )
    for delivery in deliveries:
        print(f"{delivery['recipient']}: {delivery['status']}, {delivery['changes']} changes")
    return deliveries
