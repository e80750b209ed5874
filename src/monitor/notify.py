"""Chat and push notifications through Apprise: the digest's summary to subscribers who asked
for it, and failed runs to the operators.

One URL per service (slack://, dingtalk://, wecom://, tgram://, matrix://, json://…, as
Apprise documents them). Secrets stay out of the configuration file: a URL names them as
${ENV_VAR}, or ${secret:block-name} for a Prefect Secret block, which the flows resolve.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable

from monitor.errors import MonitorError

_PLACEHOLDER = re.compile(r"\$\{(?P<secret>secret:)?(?P<name>[A-Za-z0-9_.\-]+)\}")
# Chat services cut long messages; the summary says where the rest is
MAX_BODY_CHARS = 3500


class NotifyError(MonitorError):
    """A notification could not be sent; the message says which service and why, without the
    secrets of its URL."""


def expand(url: str, secret: Callable[[str], str] | None = None) -> str:
    """The URL with its ${ENV_VAR} and ${secret:block} placeholders filled in.

    Raises:
        NotifyError: a variable is not set, or a secret is named where none can be read.
    """

    def fill(match: re.Match[str]) -> str:
        name = match.group("name")
        if match.group("secret"):
            if secret is None:
                raise NotifyError(
                    f"{masked(url)} names the Prefect Secret {name!r}, which only the flows read"
                )
            return secret(name)
        if name not in os.environ:
            raise NotifyError(f"{masked(url)} names ${{{name}}}, which is not set")
        return os.environ[name]

    return _PLACEHOLDER.sub(fill, url)


def masked(url: str) -> str:
    """A URL as it may be shown: its scheme and host, no credentials, tokens or paths."""
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    return f"{scheme}://{host}/…" if "/" in rest or "@" in rest else f"{scheme}://{host}"


def notify(
    urls: Iterable[str],
    title: str,
    body: str,
    secret: Callable[[str], str] | None = None,
) -> None:
    """Send a title and a body to every URL.

    Raises:
        NotifyError: a URL is not one Apprise knows, or a service did not take the message.
    """
    import apprise

    failed = []
    for url in urls:
        sender = apprise.Apprise()
        if not sender.add(expand(url, secret)):
            failed.append(f"{masked(url)}: not an Apprise URL")
            continue
        if not sender.notify(title=title, body=_cut(body)):
            failed.append(f"{masked(url)}: the service did not take the message")
    if failed:
        raise NotifyError("; ".join(failed))


def _cut(body: str) -> str:
    if len(body) <= MAX_BODY_CHARS:
        return body
    return body[: MAX_BODY_CHARS - 40].rstrip() + "\n… (the rest is in the digest)"
