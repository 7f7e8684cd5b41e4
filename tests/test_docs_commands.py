"""Every `gcrm ...` command the README and the customers, key-accounts, revenue and tariff
guides show exists, with the options shown (and listed choices among the allowed ones).

A new user copies these lines; a renamed command or option must not leave them behind. The
check reads the click command tree (what `gcrm <cmd> --help` prints), so it runs nothing.
Commands are taken from fenced code blocks (a trailing ``\\`` continues a line, ``;`` or
``&&`` separate commands, ``#`` starts a comment) and from inline code in the text; optional
parts in ``[...]`` are checked like the rest; ``a|b`` lists alternatives; ``...`` stands for
any subcommand of the group before it.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from gcrm.cli import cli

ROOT = Path(__file__).resolve().parent.parent
DOCS = ("README.md", "docs/customers.md", "docs/accounts.md", "docs/revenue.md",
        "docs/tariff.md")
GCRM = re.compile(r"(?:^|[\s/;$])gcrm\s+(.*)")


def shown_commands(text: str) -> list[tuple[int, str]]:
    """(line number, the words after ``gcrm``) of every command shown in ``text``."""
    out: list[tuple[int, str]] = []
    lines, in_code, i = text.splitlines(), False, 0
    while i < len(lines):
        line, start = lines[i], i + 1
        if line.strip().startswith("```"):
            in_code = not in_code
        elif in_code:
            while line.rstrip().endswith("\\") and i + 1 < len(lines):
                i += 1
                line = line.rstrip()[:-1] + " " + lines[i].strip()
            if (m := GCRM.search(line.split(" #")[0])) and not line.lstrip().startswith("#"):
                for part in re.split(r"\s;\s|&&", m.group(1)):
                    out.append((start, " ".join(re.sub(r"^gcrm\s+", "", part).split())))
        else:
            for m in re.finditer(r"`[^`]*?\bgcrm ([^`]*)`", line):
                out.append((start, m.group(1)))
        i += 1
    return out


def _options(cmd: click.Command) -> dict[str, click.Parameter]:
    return {o: p for p in cmd.params for o in (*getattr(p, "opts", ()),
                                                *getattr(p, "secondary_opts", ()))}


def problems(words: str) -> list[str]:
    """What is wrong with ``gcrm <words>``: unknown commands, options or choices."""
    tokens = shlex.split(re.sub(r"[\[\]]", " ", words))
    node: click.Command = cli
    while tokens and isinstance(node, click.Group) and not tokens[0].startswith("-"):
        if tokens[0] == "...":  # any subcommand
            subs = [node.get_command(None, n) for n in node.list_commands(None)]
            known = {o: p for s in subs for o, p in _options(s).items()}
            break
        names = tokens[0].split("|")
        if not all(node.get_command(None, n) for n in names):
            return [f"no command {tokens[0]!r} in {node.name}"]
        node, tokens = node.get_command(None, names[0]), tokens[1:]
    else:
        known = _options(node)
    known.setdefault("--help", None)
    bad: list[str] = []
    value_of = None  # the option whose value the next word is
    for tok, nxt in zip(tokens, [*tokens[1:], ""], strict=False):
        if value_of is not None or not re.match(r"--?[a-z]", tok):
            value_of = None
            continue
        flag, eq, inline = tok.partition("=")
        if flag not in known:
            bad.append(f"unknown option {flag}")
            continue
        param = known[flag]
        takes_value = param is not None and not getattr(param, "is_flag", False)
        value_of = param if takes_value and not eq else None
        if takes_value and isinstance(param.type, click.Choice):
            bad += [f"{flag} {v}: not one of {list(param.type.choices)}"
                    for v in (inline or nxt).split("|")
                    if v and not v.startswith("-") and v not in param.type.choices]
    return bad


def test_the_checker_finds_what_is_wrong() -> None:
    assert problems("customers risk --by arrears --limit 20") == []
    assert problems("customers risk --by debt") == [
        "--by debt: not one of ['arrears', 'churn']"]
    assert problems("customers riskiest") == ["no command 'riskiest' in customers"]
    assert problems("alerts --month 2026-10 --since 2026-01") == ["unknown option --since"]
    assert problems("tariff ... --format csv") == []
    assert shown_commands("```bash\ngcrm a --x 1 \\\n  --y 2 ; gcrm b  # gcrm c\n```\n"
                          "text `gcrm d --z` text") == [(2, "a --x 1 --y 2"), (2, "b"),
                                                        (5, "d --z")]


@pytest.mark.parametrize("doc", DOCS)
def test_every_command_shown_exists_with_its_options(doc: str) -> None:
    shown = shown_commands((ROOT / doc).read_text(encoding="utf-8"))
    assert len(shown) >= 3, f"{doc}: no commands found (did the format change?)"
    wrong = [f"{doc}:{line}: gcrm {words} -> {'; '.join(p)}"
             for line, words in shown if (p := problems(words))]
    assert not wrong, "\n".join(wrong)
