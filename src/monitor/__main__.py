"""`python -m monitor`: the same as the `monitor` command."""

from monitor.cli import app

app(prog_name="monitor")
