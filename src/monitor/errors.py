"""Errors raised by policy-monitor, one subclass per stage.

    MonitorError
    ├── ConfigError        bad or missing configuration
    ├── SourceError        a source could not be listed or read
    ├── StoreError         the database could not be reached or migrated
    └── DigestError        the digest could not be rendered or written

Expected non-results inside a stage (a capture with no article body, an address refused) are
values with a reason, not exceptions; these classes mark failures that end a unit of work.
"""


class MonitorError(Exception):
    """Base class of every error policy-monitor raises on purpose."""


class ConfigError(MonitorError):
    """The configuration file or environment is invalid."""


class SourceError(MonitorError):
    """A source could not be listed or one of its captures could not be read."""


class StoreError(MonitorError):
    """The database could not be reached, created or migrated."""


class DigestError(MonitorError):
    """The digest could not be rendered or written."""


class RunBusy(StoreError):
    """Another run holds the database: a run waits for none and overlaps none."""

    exit_code = 5
