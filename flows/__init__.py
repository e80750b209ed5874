"""Prefect flows: thin wrappers that run the pipeline core as batched tasks."""

import os

# The temporary (ephemeral) Prefect server otherwise sends usage telemetry, and its heartbeat
# contends for its own SQLite file during short runs, logging "database is locked".
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
