"""The `daily_digest` flow: send each subscriber what is new to them, publish the digest."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from flows.ingest import _database
from monitor.config import Settings, load_settings
from monitor.digest.outbox import preview_digest, send_digests
from monitor.errors import DigestError


def _with_password(settings: Settings) -> Settings:
    """Settings with the SMTP password from the Prefect Secret block, if one is named."""
    if settings.smtp.password or not settings.smtp.password_block:
        return settings
    from prefect.blocks.system import Secret

    secret = Secret.load(settings.smtp.password_block)  # called outside an event loop: the block
    assert isinstance(secret, Secret)
    password = secret.get()
    return dataclasses.replace(settings, smtp=dataclasses.replace(settings.smtp, password=password))


# A retry sends only what is still pending: recipients already served are skipped.
@task(name="send-digests", retries=2, retry_delay_seconds=60, cache_policy=NO_CACHE)
def send(config: str | None, day: date) -> list[dict]:
    """Send the digests of `day`; fail (and so retry) while any recipient's send fails."""
    settings = _with_password(load_settings(Path(config) if config else None))
    deliveries = send_digests(_database(settings.database_url), settings, day)
    failed = [d for d in deliveries if d.status == "failed"]
    if failed:
        raise DigestError("; ".join(f"{d.recipient}: {d.reason}" for d in failed))
    return [dataclasses.asdict(d) for d in deliveries]


@flow(name="daily_digest", flow_run_name="digest-{day}", log_prints=True)
def daily_digest(config: str | None = None, day: date | None = None) -> list[dict]:
    """Send the daily digest and publish it as the `daily-digest` artifact."""
    settings = load_settings(Path(config) if config else None)
    day = day or datetime.now(ZoneInfo(settings.timezone)).date()
    preview = preview_digest(_database(settings.database_url), day, settings.digest_max_items)
    deliveries = send(config, day)
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
