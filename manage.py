#!/usr/bin/env python3
import os
import sys

if __name__ == "__main__":
    if sys.version_info < (3, 12):
        sys.exit(f"Laogan needs Python 3.12 or newer; this is {sys.version.split()[0]}. Use .venv/bin/python (make run).")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "laogan.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
