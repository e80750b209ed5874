"""Secrets the flows read from Prefect Secret blocks."""

from __future__ import annotations


def read_secret(name: str) -> str:
    """The value of a Prefect Secret block (called outside an event loop: the block itself)."""
    from prefect.blocks.system import Secret

    secret = Secret.load(name)
    assert isinstance(secret, Secret)
    return str(secret.get())
