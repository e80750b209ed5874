"""Settings: one typed object, built once from config/monitor.toml and the environment."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from monitor.errors import ConfigError

_CONFIG_RELATIVE = Path("config") / "monitor.toml"
# The keys of a [[sources]] entry: every kind's, the web kinds', and each kind's own (one of
# which it needs: a URL list has its addresses inline or in a file), from the table of source
# kinds (monitor.sources.kinds)
_SOURCE_KEYS = frozenset({"name", "kind", "outlet", "include", "exclude"})
_WEB_KEYS = frozenset(
    {"max_pages", "delay", "timeout", "deadline", "retries", "user_agent", "allow_private"}
)
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
    # the most one page may take, connection, every read and retries included
    deadline: float = 60.0
    retries: int = 3
    user_agent: str | None = None


@dataclass(frozen=True)
class Recipient:
    """A digest subscriber, optionally only for some actors or topic words.

    `address` is an email address, or, for a subscriber reached only by chat or push, a name;
    `notify` holds Apprise URLs (slack://, dingtalk://, wecom://, tgram://, matrix://, json://…)
    that get the digest's summary. A URL may name secrets as ${ENV_VAR}, or, in the flows,
    ${secret:block-name} (a Prefect Secret block).
    """

    address: str
    actors: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    notify: tuple[str, ...] = ()

    @property
    def emailed(self) -> bool:
        """Whether the digest goes to this subscriber by email."""
        return "@" in self.address


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
    # Apprise URLs told of runs that failed or read nothing ([alerts] notify)
    alerts: tuple[str, ...] = ()
    # The commitment pages: written here after every run; published at base_url, which the
    # digest links to ([site])
    site_dir: Path = field(default=Path("var/site"))
    site_base_url: str | None = None


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
    root = _project_root(Path(path)) if path is not None else Path.cwd().resolve()
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
        alerts=_parse_alerts(data.get("alerts", {})),
        site_dir=_resolve(home, data.get("site", {}).get("dir", "site")),
        site_base_url=_site_url(data.get("site", {})),
    )


def _project_root(config: Path) -> Path:
    """What the configuration's relative paths start from: the project holding its config/
    folder (config/monitor.toml), else the folder the file is in (/etc/monitor/digest.toml)."""
    folder = config.resolve().parent
    return folder.parent if folder.name == "config" else folder


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
    unknown = sorted(set(entry) - {"address", "actors", "topics", "notify"})
    if unknown:
        raise ConfigError(f"digest recipient {entry['address']!r}: unknown key {unknown[0]!r}")
    recipient = Recipient(
        entry["address"],
        tuple(entry.get("actors", ())),
        tuple(entry.get("topics", ())),
        _notify_urls(f"digest recipient {entry['address']!r}", entry.get("notify", ())),
    )
    if not recipient.emailed and not recipient.notify:
        raise ConfigError(
            f"digest recipient {recipient.address!r} is no email address and has no notify URLs"
        )
    return recipient


def _site_url(data: Mapping) -> str | None:
    unknown = sorted(set(data) - {"dir", "base_url"})
    if unknown:
        raise ConfigError(f"[site] has unknown keys: {', '.join(unknown)}")
    url = data.get("base_url") or None
    if url is not None and not str(url).startswith(("http://", "https://")):
        raise ConfigError(f"site.base_url is {url!r}; use the http(s) address the site is at")
    return url


def _parse_alerts(data: Mapping) -> tuple[str, ...]:
    unknown = sorted(set(data) - {"notify"})
    if unknown:
        raise ConfigError(f"[alerts] has unknown keys: {', '.join(unknown)}")
    return _notify_urls("alerts.notify", data.get("notify", ()))


def _notify_urls(name: str, value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(
        isinstance(url, str) and "://" in url for url in value
    ):
        raise ConfigError(f"{name}: notify is {value!r}; use a list of Apprise URLs (scheme://…)")
    return tuple(value)


def _parse_smtp(root: Path, data: Mapping, env: Mapping[str, str]) -> SmtpSettings:
    if "password" in data:
        raise ConfigError(
            "the SMTP password does not belong in the configuration file: "
            "set MONITOR_SMTP_PASSWORD (or a Prefect Secret block for the flows)"
        )
    security = _choice("smtp.security", data.get("security", "plain"), _SECURITY)
    username = env.get("MONITOR_SMTP_USERNAME") or data.get("username")
    if security == "plain" and username and data.get("allow_plain_login") is not True:
        raise ConfigError(
            'smtp: a login over security = "plain" sends the password in clear; use'
            " starttls or ssl, or set allow_plain_login = true for a server on this host"
        )
    default_port = {"plain": 25, "starttls": 587, "ssl": 465}[security]
    return SmtpSettings(
        host=env.get("MONITOR_SMTP_HOST") or data.get("host", "localhost"),
        port=int(env.get("MONITOR_SMTP_PORT") or data.get("port", default_port)),
        security=security,
        username=username,
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
    """A [[sources]] entry: its keys checked against its kind, its values against their types.

    Raises:
        ConfigError: one line naming the source and the key at fault.
    """
    if not isinstance(entry, Mapping):
        raise ConfigError(f"a [[sources]] entry is {entry!r}, not a table")
    name = entry.get("name")
    if not isinstance(name, str) or not name:
        raise ConfigError(f"source entry {dict(entry)!r} lacks 'name'")
    from monitor.sources.kinds import KINDS  # here: the sources package reads this module

    kind = entry.get("kind", "folder")
    if kind not in KINDS:
        raise ConfigError(f"source {name!r}: kind {kind!r} is not one of {', '.join(KINDS)}")
    own = KINDS[kind].keys
    allowed = _SOURCE_KEYS | own | (_WEB_KEYS if KINDS[kind].web else set())
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise ConfigError(
            f"source {name!r}: unknown key {unknown[0]!r} for kind {kind!r}"
            f" (allowed: {', '.join(sorted(allowed))})"
        )
    if not own & set(entry):
        wanted = " or ".join(repr(key) for key in sorted(own))
        raise ConfigError(f"source {name!r} of kind {kind!r} lacks {wanted}")
    value = _SourceValues(name, entry)
    default = SourceConfig(name, kind)
    return SourceConfig(
        name=name,
        kind=kind,
        path=_resolve(root, value.text("path")) if "path" in entry else None,
        outlet=value.text("outlet") if "outlet" in entry else None,
        include=value.texts("include"),
        exclude=value.texts("exclude"),
        url=value.url("url") if "url" in entry else None,
        urls=tuple(value.address(url, "urls") for url in value.texts("urls")),
        allow_private=value.flag("allow_private", default.allow_private),
        max_pages=int(value.number("max_pages", default.max_pages, least=1, whole=True)),
        delay=float(value.number("delay", default.delay, least=0)),
        timeout=float(value.number("timeout", default.timeout, least=0.1)),
        deadline=float(value.number("deadline", default.deadline, least=0.1)),
        retries=int(value.number("retries", default.retries, least=0, whole=True)),
        user_agent=value.text("user_agent") if "user_agent" in entry else None,
    )


class _SourceValues:
    """The values of one [[sources]] entry, each checked for its type."""

    def __init__(self, name: str, entry: Mapping) -> None:
        self.name, self.entry = name, entry

    def _wrong(self, key: str, wanted: str) -> ConfigError:
        return ConfigError(f"source {self.name!r}: {key} is {self.entry[key]!r}; use {wanted}")

    def text(self, key: str) -> str:
        value = self.entry[key]
        if not isinstance(value, str) or not value.strip():
            raise self._wrong(key, "a non-empty string")
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.entry.get(key, ())
        if isinstance(value, str):
            value = (value,)
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise self._wrong(key, "a list of strings")
        return tuple(value)

    def url(self, key: str) -> str:
        return self.address(self.text(key), key)

    def address(self, value: str, key: str) -> str:
        if not value.strip().lower().startswith(("http://", "https://")):
            raise ConfigError(f"source {self.name!r}: {key} {value!r} is not an http(s) address")
        return value.strip()

    def flag(self, key: str, default: bool) -> bool:
        value = self.entry.get(key, default)
        if not isinstance(value, bool):
            raise self._wrong(key, "true or false")
        return value

    def number(self, key: str, default: float, least: float, whole: bool = False) -> float:
        value = self.entry.get(key, default)
        number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
        if number is None or (whole and not isinstance(number, int)) or number < least:
            wanted = "a whole number" if whole else "a number"
            raise self._wrong(key, f"{wanted} of at least {least:g}")
        return float(number)
