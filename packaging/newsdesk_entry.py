"""Entry script of the frozen app: the same `newsdesk` command as the installed console script."""

import multiprocessing
import sys

if __name__ == "__main__":
    # Must run before anything else: a worker process started by the frozen app re-enters this
    # script, and freeze_support() turns it into the worker instead of a second app.
    multiprocessing.freeze_support()

    from ui.launcher import main

    sys.exit(main())
