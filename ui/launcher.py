"""The `newsdesk` command: subcommands go to the Qt-free CLI, everything else opens the GUI.

Qt is imported only when the GUI is really wanted, so headless subcommands work on
machines without a display (and without loading PySide6 at all).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def _wants_gui(argv: Sequence[str]) -> bool:
    from reader.cli import SUBCOMMANDS

    skip_next = False
    for arg in argv:
        if skip_next:
            skip_next = False
            continue
        if arg == "--data-dir":
            skip_next = True
            continue
        if arg in ("-h", "--help", "--version") or arg in SUBCOMMANDS:
            return False
    return True


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not _wants_gui(args):
        from reader.cli import main as cli_main

        return cli_main(args)
    from reader.cli import parse_gui_args

    options = parse_gui_args(args)  # exits 2 with a reason on bad usage
    from ui.app import run_gui, self_test

    if options.self_test:
        return self_test()
    return run_gui(data_dir=options.data_dir, demo=options.demo)


if __name__ == "__main__":
    sys.exit(main())
