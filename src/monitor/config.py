"""Settings: one typed object, built once from config/monitor.toml and the environment."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from monitor.errors import ConfigError

_CONFIG_RELATIVE = Path("config") / "monitor.toml"
_SOURCE_KINDS = ("folder", "file", "warc", "urls", "feed", "sitemap")
_SECURITY = ("plain", "starttls", "ssl")
_QUIET_DAY = ("send", "skip")
# A digest shows at most this many changes in full ([digest] max_items). A backlog (a first run
# over a year of coverage makes hundreds of thousands of changes: 570 MB of HTML at 100k
# captures) would otherwise make an email no mail server accepts and no analyst reads; the rest
# are counted by event, and `monitor changes --digest ID` lists them all.
DIGEST_MAX_ITEMS = 200


@dataclass(frozen=True)
class SourceConfig:
    """One configured source of captures."""

    name: str
    kind: str
    path: Path | None = None
    outlet: str | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    # web sources: the feed or sitemap address, or the pages of a URL list
    url: str | None = None
    urls: tuple[str, ...] = ()
    # fetch addresses in private and loopback ranges (an intranet mirror, a test server)
    allow_private: bool = False
    # at most this many pages a run (a feed or sitemap may list thousands)
    max_pages: int = 500
    # politeness and patience towards the source's sites
    delay: float = 1.0
    timeout: float = 20.0
    retries: int = 3
    user_agent: str | None = None


@dataclass(frozen=True)
class Recipient:
    """A digest subscriber, optionally only for some actors or topic words."""

    address: str
    actors: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class SmtpSettings:
    """How digests are sent. The password comes only from the environment, never from a file."""

    host: str = "localhost"
    port: int = 25
    security: str = "plain"  # plain | starttls | ssl
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str = "policy-monitor@localhost"
    timeout: float = 30.0
    # a CA bundle for a server with a private certificate; None trusts the system's CAs
    ca_file: Path | None = None
    # the name of a Prefect Secret block holding the password, read by the digest flow
    password_block: str | None = None


@dataclass(frozen=True)
class Schedule:
    """When the deployments run: cron expressions in a timezone."""

    ingest: str = "0 * * * *"  # hourly, on the hour
    digest: str = "0 8 * * *"  # every morning at 08:00
    timezone: str = "Asia/Shanghai"


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know, resolved to absolute paths."""

    root: Path
    home: Path
    database_url: str
    sources: tuple[SourceConfig, ...] = ()
    digest_dir: Path = field(default=Path("var/digest"))
    timezone: str = "Asia/Shanghai"
    # Redis URL of the LSH index shared by several workers; None keeps it in each process.
    redis_url: str | None = None
    # processes extracting pages at once; None: one per usable core
    extract_workers: int | None = None
    recipients: tuple[Recipient, ...] = ()
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    # a day without changes still sends a digest ("send"), so that silence never means broken
    quiet_day: str = "send"
    # changes a digest shows in full; the rest it counts by event (monitor.digest.render)
    digest_max_items: int = DIGEST_MAX_ITEMS
    schedule: Schedule = field(default_factory=Schedule)


def find_config(env: Mapping[str, str] = os.environ, cwd: Path | None = None) -> Path | None:
    """The configuration file: $MONITOR_CONFIG, else ./config/monitor.toml if present."""
    if env.get("MONITOR_CONFIG"):
        path = Path(env["MONITOR_CONFIG"]).expanduser()
        if not path.is_file():
            raise ConfigError(f"MONITOR_CONFIG points at {path}, which is not a file")
        return path.resolve()
    candidate = (cwd or Path.cwd()) / _CONFIG_RELATIVE
    return candidate.resolve() if candidate.is_file() else None


def load_settings(config_path: Path | None = None, env: Mapping[str, str] = os.environ) -> Settings:
    """Build Settings from a TOML file (optional) and the environment.

    Raises:
        ConfigError: the file cannot be parsed or holds an invalid entry.
    """
    path = config_path or find_config(env)
    data: dict = {}
    if path is not None:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read configuration {path}: {exc}") from exc
    root = Path(path).resolve().parent.parent if path is not None else Path.cwd().resolve()
    home = _resolve(root, env.get("MONITOR_HOME") or data.get("paths", {}).get("home", "var"))
    database_url = (
        env.get("MONITOR_DATABASE_URL")
        or data.get("database", {}).get("url")
        or f"sqlite:///{home / 'monitor.db'}"
    )
    digest = data.get("digest", {})
    return Settings(
        root=root,
        home=home,
        database_url=database_url,
        sources=tuple(_parse_source(root, entry) for entry in data.get("sources", [])),
        digest_dir=_resolve(home, digest.get("dir", "digest")),
        timezone=digest.get("timezone", "Asia/Shanghai"),
        redis_url=env.get("MONITOR_REDIS_URL") or data.get("dedup", {}).get("redis_url") or None,
        extract_workers=_workers(
            env.get("MONITOR_EXTRACT_WORKERS") or data.get("extract", {}).get("workers")
        ),
        recipients=tuple(_parse_recipient(entry) for entry in digest.get("recipients", [])),
        smtp=_parse_smtp(root, data.get("smtp", {}), env),
        quiet_day=_choice("digest.quiet_day", digest.get("quiet_day", "send"), _QUIET_DAY),
        digest_max_items=_max_items(digest.get("max_items", DIGEST_MAX_ITEMS)),
        schedule=_parse_schedule(data.get("schedule", {})),
    )


def _workers(value: str | int | None) -> int | None:
    if value in (None, ""):
        return None
    try:
        workers = int(value)
    except ValueError:
        workers = 0
    if workers < 1:
        raise ConfigError(
            f"extract workers is {value!r}; use a whole number of processes, 1 or more"
        )
    return workers


def _max_items(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ConfigError(
            f"digest.max_items is {value!r}; use a whole number of changes, 1 or more"
        )
    return value


def _parse_schedule(data: Mapping) -> Schedule:
    unknown = set(data) - {"ingest", "digest", "timezone"}
    if unknown:
        raise ConfigError(f"[schedule] has unknown keys: {', '.join(sorted(unknown))}")
    return Schedule(**data)


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ConfigError(f"{name} is {value!r}; use one of {', '.join(allowed)}")
    return value


def _parse_recipient(entry: Mapping | str) -> Recipient:
    if isinstance(entry, str):
        return Recipient(entry)
    if "address" not in entry:
        raise ConfigError(f"digest recipient {dict(entry)!r} lacks 'address'")
    return Recipient(
        entry["address"], tuple(entry.get("actors", ())), tuple(entry.get("topics", ()))
    )


def _parse_smtp(root: Path, data: Mapping, env: Mapping[str, str]) -> SmtpSettings:
    if "password" in data:
        raise ConfigError(
            "the SMTP password does not belong in the configuration file: "
            "set MONITOR_SMTP_PASSWORD (or a Prefect Secret block for the flows)"
        )
    security = _choice("smtp.security", data.get("security", "plain"), _SECURITY)
    default_port = {"plain": 25, "starttls": 587, "ssl": 465}[security]
    return SmtpSettings(
        host=env.get("MONITOR_SMTP_HOST") or data.get("host", "localhost"),
        port=int(env.get("MONITOR_SMTP_PORT") or data.get("port", default_port)),
        security=security,
        username=env.get("MONITOR_SMTP_USERNAME") or data.get("username"),
        password=env.get("MONITOR_SMTP_PASSWORD") or None,
        sender=data.get("sender", "policy-monitor@localhost"),
        timeout=float(data.get("timeout", 30)),
        ca_file=_resolve(root, data["ca_file"]) if data.get("ca_file") else None,
        password_block=data.get("password_block"),
    )


def _resolve(base: Path, value: str | Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else (base / path).resolve()


def _parse_source(root: Path, entry: Mapping) -> SourceConfig:
    try:
        name, kind, path = entry["name"], entry.get("kind", "folder"), entry["path"]
    except KeyError as exc:
        raise ConfigError(f"source entry {dict(entry)!r} lacks {exc.args[0]!r}") from exc
    if kind not in _SOURCE_KINDS:
        raise ConfigError(
            f"source {name!r}: kind {kind!r} is not one of {', '.join(_SOURCE_KINDS)}"
        )
    return SourceConfig(
        name=name,
        kind=kind,
        path=_resolve(root, path),
        outlet=entry.get("outlet"),
        include=tuple(entry.get("include", ())),
        exclude=tuple(entry.get("exclude", ())),
    )
