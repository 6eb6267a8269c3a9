"""The `anjian` console script: Django's manage.py with Anjian's settings.

`anjian demo`, `anjian serve`, `anjian import`, `anjian export` and
`anjian worker` are management commands of the apps; everything else is
Django's own (`anjian migrate`, `anjian shell`, ...).
"""

import os
import sys


def main(argv: list[str] | None = None, prog: str = "anjian") -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anjian.settings")
    from django.core.management import execute_from_command_line

    args = [prog, *(sys.argv[1:] if argv is None else argv)]
    try:
        execute_from_command_line(args)
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
