"""The digest: what is new and what changed, grouped by event, as HTML and plain text."""

from monitor.digest.render import RenderedDigest, render_digest

__all__ = ["RenderedDigest", "render_digest"]
