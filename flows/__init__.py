"""Prefect flows: thin wrappers that run the pipeline core as batched tasks."""

import os

# The temporary (ephemeral) Prefect server otherwise sends usage telemetry, and its heartbeat
# contends for its own SQLite file during short runs, logging "database is locked".
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# A temporary server's first start creates its database; on a busy 2-core machine that has
# taken longer than Prefect's 20 s default, failing the run before it began.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
