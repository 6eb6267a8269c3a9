#!/usr/bin/env python
"""Django's command-line utility; the `anjian` console script wraps the same entry."""
import sys

from anjian.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], prog="manage.py"))
