"""The repository stands alone (a council clones it with nothing beside it), and its command
line explains itself."""
import re
import subprocess

import pytest

from dagster_project.cli import main

from .conftest import REPO

# Paths of the machines the project was built on, and the specification folder beside the
# repository there: a council's clone has neither.
FOREIGN_PATH = re.compile(r"\.\./shared\b|/work/(shared|main)\b")


def test_nothing_refers_to_files_outside_the_repository():
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    this_file = "tests/test_repository.py"
    offenders = []
    for name in tracked:
        path = REPO / name
        if name == this_file or not path.is_file():
            continue
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        offenders += [f"{name}:{n}" for n, line in enumerate(text.splitlines(), 1) if FOREIGN_PATH.search(line)]
    assert offenders == []


@pytest.mark.parametrize("command", ["run", "demo", "generate", "explain", "simulate"])
def test_each_subcommand_has_help_with_an_example_and_the_exit_codes(command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert re.search(r"^examples?:$", out, re.M) and f"allocations {command}" in out
    assert "exit codes:" in out and "  2  a bad argument" in out


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert re.fullmatch(r"allocations \d+\.\d+\.\d+\n", capsys.readouterr().out)
