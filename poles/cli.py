"""The `poles` command: Django's management entry point under the project's name."""

import os
import sys


def command_line_language(environ=os.environ) -> str | None:
    """The language of the user's shell (LANGUAGE, LC_ALL, LC_MESSAGES or LANG), if French or English."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        code = value.split(":")[0].split(".")[0].split("_")[0].lower()
        if code in ("fr", "en"):
            return code
    return None


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "poles.settings")
    import django
    from django.core.management import execute_from_command_line
    from django.utils import translation

    django.setup()
    language = command_line_language()
    if language:
        translation.activate(language)
    execute_from_command_line(["poles", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
