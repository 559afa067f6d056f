"""The manual: ``pipeline-tui help [COMMAND]`` prints a man-style page for the program or for one
command, made from the parser itself (so a new command has one too), and ``--version``."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime

from pipeline_tui import __version__
from pipeline_tui.cli.common import PROG, AddCommand, write_output
from pipeline_tui.errors import UserError

# what an argument is, for the arguments whose own help says nothing (by dest)
ARGUMENT_NOTES = {
    "prospect": "a prospect: its id (42 or #42) or its name, in any case; a name that fits several "
    "is refused with the matches listed",
    "stage": "a stage's name, in any case",
    "name": "the prospect's name",
    "when": "when, in words: tomorrow 10:00, +3d, in 2 weeks, next tue, fri 14:00, 2026-12-01 09:30",
    "activity": "a follow-up's id, as `agenda --json` shows it",
    "file": "a CSV file with a header row (see the README for its columns)",
    "amount": "the quota's target, e.g. 50000 or 50,000; without it, the current quota is shown",
    "json": "print JSON instead of text",
    "output": "write to FILE (a new private file, mode 0600) instead of standard output",
    "kind": "the follow-up's kind: call, email, appointment, demo, trial, info-request, reminder, task",
    "notes": "free text",
    "outcome": "what came of it, in words",
    "value": "the expected budget, e.g. 12000, 12,000.50 or $12,000",
    "prospects": "how many prospects to make",
    "period": "the quota's period, starting on its calendar boundary",
    "contact": "the contact's name",
    "organization": "the organization",
    "title": "the contact's job title",
    "email": "an email address",
    "phone": "a phone number",
    "decision_maker": "whether the contact can buy: yes, no or unknown",
    "urgency": "low, medium or high",
    "source": "where the lead came from, e.g. referral",
}
ENVIRONMENT = (
    ("PIPELINE_TUI_DB", "the database when --db is not given"),
    ("PIPELINE_TUI_NOW", "the pinned clock when --now is not given"),
    ("PIPELINE_TUI_USER", "who you are in a shared database when --user is not given"),
    ("PIPELINE_TUI_CONFIG", "the config file, instead of config.toml in the user config directory"),
    ("PIPELINE_TUI_DEBUG", "set to 1: an internal error shows its traceback"),
)
EXIT_STATUS = (
    ("0", "done"),
    ("2", "refused: bad input, said in one line on standard error; nothing was written"),
    ("1", "an internal error (a bug): said in one line, PIPELINE_TUI_DEBUG=1 shows more"),
    ("130", "interrupted (ctrl+c)"),
)
EXAMPLES = {
    None: [
        "pipeline-tui demo",
        'pipeline-tui add "Acme fleet renewal" --value 12,000',
        "pipeline-tui report",
    ],
    "add": [
        'pipeline-tui add "Acme fleet renewal" --value 12,000 --contact "Jane Doe" --decision-maker yes '
        '--close 2026-12-15 --follow-up "tomorrow 10:00" --kind call'
    ],
    "move": ['pipeline-tui move "acme fleet" Proposal', 'pipeline-tui move 42 Lost --reason "price"'],
    "follow-up": ['pipeline-tui follow-up 42 "next tue 14:00" --kind appointment --notes "at their office"'],
    "done": ['pipeline-tui done 317 --outcome "wants a proposal"'],
    "agenda": ["pipeline-tui agenda --days 3", "pipeline-tui agenda --json"],
    "report": ["pipeline-tui report", "pipeline-tui report --json --pipeline Renewals"],
    "quota": ["pipeline-tui quota 50000 --period quarter", "pipeline-tui quota"],
    "import": ["pipeline-tui import deals.csv --dry-run", "pipeline-tui import deals.csv"],
    "export": ["pipeline-tui export -o pipeline.csv", "pipeline-tui export --format json"],
    "ics": ["pipeline-tui ics -o followups.ics"],
    "backup": ["pipeline-tui backup -o ~/backups/pipeline-$(date +%F).db"],
    "demo": ["pipeline-tui demo", "pipeline-tui demo --prospects 500 --no-open"],
    "archive": ["pipeline-tui archive 42 && pipeline-tui restore 42"],
    "contact": [
        'pipeline-tui contact add 42 "Ann Roe" --role decision-maker --title CFO',
        "pipeline-tui contact list 42 --json",
        "pipeline-tui contact edit 7 --role influencer",
    ],
    "org": ['pipeline-tui org "acme" --json'],
    "stage": [
        "pipeline-tui stage list",
        "pipeline-tui stage add Negotiation --after Proposal --probability 85%",
        "pipeline-tui stage remove Negotiation --to Proposal",
    ],
    "pipeline": ["pipeline-tui pipeline add Renewals --from Sales"],
    "serve": ["pipeline-tui serve", "pipeline-tui serve --host 0.0.0.0 --port 8080"],
    "completion": [
        'eval "$(pipeline-tui completion bash)"      # in ~/.bashrc',
        'eval "$(pipeline-tui completion zsh)"       # in ~/.zshrc, after compinit',
        "pipeline-tui completion fish > ~/.config/fish/completions/pipeline-tui.fish",
    ],
    "help": ["pipeline-tui help move", "pipeline-tui help keys"],
}
GLOBAL_DESTS = ("db", "now", "pipeline", "user", "mine")


def register(command: AddCommand) -> None:
    manual = command("help", "the manual of a command, or of pipeline-tui, man-style", cmd_help)
    manual.add_argument(
        "topic", nargs="?", metavar="COMMAND", help="a command; `keys` lists the binding ids of [keys]"
    )


def cmd_help(args, now: datetime) -> int:
    from pipeline_tui.cli import build_parser

    parser = build_parser()
    commands = subcommands(parser)
    if args.topic is None:
        text = program_page(parser, commands)
    elif args.topic == "keys":
        text = keys_page()
    elif args.topic in commands:
        text = command_page(parser, args.topic, commands[args.topic])
    else:
        raise UserError(f"no command {args.topic!r} (`{PROG} help` lists them)")
    show(text)
    return 0


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


# -- the pages ----------------------------------------------------------------------------------


def _width() -> int:
    import shutil

    return max(40, min(shutil.get_terminal_size((80, 24)).columns, 90))


def _section(title: str, body: list[str]) -> list[str]:
    return [title, *body, ""]


def _paragraph(text: str, indent: int = 7) -> list[str]:
    import textwrap

    return textwrap.wrap(
        text,
        _width() - 1,
        initial_indent=" " * indent,
        subsequent_indent=" " * indent,
        break_on_hyphens=False,
        break_long_words=False,
    )


def _item(term: str, text: str, indent: int = 7) -> list[str]:
    """A tagged paragraph, as man sets it: a short tag on the text's first line."""
    lines = _paragraph(text, indent + 7) or [""]
    if len(term) < 7:
        return [f"{' ' * indent}{term:<7}{lines[0][indent + 7 :]}".rstrip(), *lines[1:]]
    return [" " * indent + term, *lines]


def _invocation(action: argparse.Action) -> str:
    if not action.option_strings:
        return action.metavar or action.dest.upper()
    if action.nargs == 0:
        return ", ".join(action.option_strings)
    if action.metavar:
        shown = action.metavar
    elif action.choices:
        shown = "{" + ",".join(map(str, action.choices)) + "}"
    else:
        shown = action.dest.upper()
    return ", ".join(f"{option} {shown}" for option in action.option_strings)


def _help_of(action: argparse.Action, prog: str) -> str:
    text = action.help if action.help not in (None, argparse.SUPPRESS) else ""
    if text:
        try:
            text = text % {**vars(action), "prog": prog}
        except (KeyError, TypeError, ValueError):
            pass
    return text or ARGUMENT_NOTES.get(action.dest, "")


def _own_actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [
        a
        for a in parser._actions
        if not isinstance(a, argparse._HelpAction | argparse._SubParsersAction)
        and a.dest not in GLOBAL_DESTS
        and a.help is not argparse.SUPPRESS
    ]


def _synopsis(prog: str, actions: list[argparse.Action]) -> list[str]:
    parts = [prog]
    for action in sorted(actions, key=lambda a: not a.option_strings):  # options first
        shown = _invocation(action).split(", ")[-1] if action.option_strings else _invocation(action)
        optional = action.option_strings or action.nargs in ("?", "*")
        parts.append(f"[{shown}]" if optional else shown)
    lines = [" " * 7 + parts[0]]
    for part in parts[1:]:  # broken between the parts only, as man does
        if len(lines[-1]) + 1 + len(part) > _width() - 1:
            lines.append(" " * 11 + part)
        else:
            lines[-1] += " " + part
    return lines


def _items(actions: list[argparse.Action], prog: str, indent: int = 7) -> list[str]:
    lines: list[str] = []
    for action in actions:
        lines += _item(_invocation(action), _help_of(action, prog), indent)
    return lines


def _actions_section(actions: dict[str, argparse.ArgumentParser]) -> list[str]:
    """A command that takes an action (``stage add``): each one, what it does and takes."""
    lines: list[str] = []
    for action_name, sub in actions.items():
        lines += [f"       {action_name}", *_paragraph(sub.description or "", 11)]
        lines += _items(_own_actions(sub), sub.prog, 11)
        lines.append("")
    return lines[:-1]


def _common_sections(parser: argparse.ArgumentParser, topic: str | None) -> list[str]:
    globals_ = [a for a in parser._actions if a.dest in GLOBAL_DESTS]
    lines = _section("GLOBAL OPTIONS", ["       Before or after the command.", *_items(globals_, PROG)])
    lines += _section("ENVIRONMENT", [line for name, text in ENVIRONMENT for line in _item(name, text)])
    lines += _section("EXIT STATUS", [line for code, text in EXIT_STATUS for line in _item(code, text)])
    if topic in EXAMPLES:
        lines += _section("EXAMPLES", [" " * 7 + example for example in EXAMPLES[topic]])
    see = f"{PROG} help COMMAND, {PROG} COMMAND --help, the README" if topic else "the README"
    lines += _section("SEE ALSO", _paragraph(see))
    return lines


def _header(title: str) -> list[str]:
    right = f"{PROG} {__version__}"
    return [f"{title}{right:>{max(len(right) + 1, _width() - len(title) - 1)}}", ""]


def command_page(parser: argparse.ArgumentParser, name: str, sub: argparse.ArgumentParser) -> str:
    own = _own_actions(sub)
    positionals = [a for a in own if not a.option_strings]
    options = [a for a in own if a.option_strings]
    lines = _header(f"{PROG.upper()}-{name.upper()}(1)")
    lines += _section("NAME", _paragraph(f"{PROG} {name} - {sub.description or ''}"))
    actions = subcommands(sub)  # its own actions: contact add, stage rename...
    synopsis = [
        line
        for action, action_parser in actions.items()
        for line in _synopsis(f"{PROG} {name} {action}", own + _own_actions(action_parser))
    ]
    lines += _section("SYNOPSIS", synopsis or _synopsis(f"{PROG} {name}", own))
    if actions:
        lines += _section("ACTIONS", _actions_section(actions))
    if positionals:
        lines += _section("ARGUMENTS", _items(positionals, sub.prog))
    if options:
        lines += _section("OPTIONS", _items(options, sub.prog))
    lines += _common_sections(parser, name)
    return "\n".join(lines).rstrip() + "\n"


def program_page(parser: argparse.ArgumentParser, commands: dict[str, argparse.ArgumentParser]) -> str:
    lines = _header(f"{PROG.upper()}(1)")
    lines += _section("NAME", _paragraph(f"{PROG} - {parser.description}"))
    globals_ = [a for a in parser._actions if a.dest in GLOBAL_DESTS]
    lines += _section("SYNOPSIS", _synopsis(PROG, globals_) + [f"       {PROG} COMMAND [ARGUMENTS]"])
    lines += _section(
        "DESCRIPTION",
        _paragraph(
            "Without a command, opens the app: the board (1), the agenda (2) and the report (3); "
            "? lists every key. Each command below has its own page: "
            f"{PROG} help COMMAND."
        ),
    )
    lines += _section(
        "COMMANDS", [line for name, sub in commands.items() for line in _item(name, sub.description or "")]
    )
    lines += _section(
        "FILES",
        _item(
            "config.toml",
            "thresholds, score weights, probabilities, theme and keys, in the user config directory",
        )
        + _item("pipeline.db", "the database, in the user data directory"),
    )
    lines += _common_sections(parser, None)
    return "\n".join(lines).rstrip() + "\n"


def keys_page() -> str:
    """Every binding id, its default keys and the user's ([keys] in config.toml)."""
    from pipeline_tui.config import config_path, load_settings
    from pipeline_tui.keymap import DEFAULT_KEYS, shown

    mine = load_settings().keys

    def keys(text: str) -> str:
        return ",".join(shown(key) for key in text.split(","))

    lines = _header(f"{PROG.upper()}-KEYS(7)")
    lines += _section(
        "DESCRIPTION",
        _paragraph(
            f"Any key of the app can be rebound in [keys] of {config_path()}, by binding id "
            '(board.won = "W") or by the action\'s name alone for every place that has it '
            '(follow_up = "F"); several keys go comma separated ("W,ctrl+w"). A key taken twice '
            "in one place, or an unknown id, is refused. In the app, ? and the footer show your keys."
        ),
    )
    width = max(map(len, DEFAULT_KEYS)) + 2
    rows = [f"       {'id':<{width}}{'default':<24}yours"]
    for binding_id, default in DEFAULT_KEYS.items():
        yours = keys(mine[binding_id]) if binding_id in mine else ""
        rows.append(f"       {binding_id:<{width}}{keys(default):<24}{yours}".rstrip())
    lines += _section("KEYS", rows)
    return "\n".join(lines).rstrip() + "\n"


def show(text: str) -> None:
    """Through the pager, as man does, when a person reads it."""
    if sys.stdout.isatty() and os.environ.get("TERM") != "dumb":
        import pydoc

        pydoc.pager(text)
    else:
        write_output(None, text)
