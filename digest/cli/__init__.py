"""Command line: parse -> call -> print. The only place that prints or exits.

One module per family of commands, each adding its commands to the group in `app`:
`briefing` (brief, extract, summarize), `topics`, `feeds`, `mail` (run, send, preview, status,
outbox) and `config_check` (check-config). `app` holds the group, what every command shares
(the state and config it works on, output, warnings) and `main`, which turns domain errors into
one line.
"""

from digest.cli import briefing, config_check, feeds, mail, topics  # noqa: F401  (they add their commands)
from digest.cli.app import cli, main, parse_since, utcnow

__all__ = ["cli", "main", "parse_since", "utcnow"]
