"""policy-monitor: track government commitments across news coverage."""

__version__ = "0.1.0"
