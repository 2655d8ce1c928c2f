"""``python -m perfrules`` and the ``perfrules`` command: run the command line.

The command line is imported here, inside the guard, so that Ctrl-C while
Python is still loading perfrules ends the program quietly (exit 130), as it
does once the command runs, never with a traceback.
"""

import sys


def run() -> None:
    """Import and run the command line; exit with its code."""
    try:
        from .cli.main import main
    except KeyboardInterrupt:
        sys.stderr.write("\nperfrules: interrupted\n")
        sys.exit(130)
    sys.exit(main())


if __name__ == "__main__":
    run()
