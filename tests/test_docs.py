"""Keep the CLI and the README honest: every command has help and is documented."""

from __future__ import annotations

import click
from conftest import ROOT, run_cli

from digest.cli import cli


def all_commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out = []
    for name, command in group.commands.items():
        full = f"{prefix}{name}"
        out.append((full, command))
        if isinstance(command, click.Group):
            out.extend(all_commands(command, full + " "))
    return out


def test_every_command_has_help_and_is_in_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = all_commands(cli)
    assert {"brief", "extract", "summarize", "run", "send", "preview", "check-config"} <= {
        name for name, _ in commands}
    for name, command in commands:
        assert command.help and command.help.strip(), f"{name} has no help"
        assert f"digest {name}" in readme, f"`digest {name}` is not in README.md"


def test_readme_starts_with_the_two_commands() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    block = lines[lines.index("```sh") + 1:lines.index("```sh") + 3]
    assert "digest brief" in block[0] and "pytest" in block[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert block[1].split("&& ")[-1] in ci  # CI runs the README's test command


def test_help_runs_in_a_subprocess() -> None:
    out = run_cli("--help").stdout
    assert "brief" in out and "summarize" in out
