"""Settings: one typed object, built once from config/monitor.toml and the environment."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from monitor.errors import ConfigError

_CONFIG_RELATIVE = Path("config") / "monitor.toml"
_SOURCE_KINDS = ("folder", "file")


@dataclass(frozen=True)
class SourceConfig:
    """One configured source of captures."""

    name: str
    kind: str
    path: Path
    outlet: str | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


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
