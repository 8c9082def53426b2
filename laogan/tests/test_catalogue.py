"""The zh_Hans catalogue must hold every message of the code, each translated: an English msgid in the Chinese
UI is a bug. Regenerate with `make catalogue`, translate the new entries, commit."""

import os
import re
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test import SimpleTestCase, override_settings

PACKAGE = Path(settings.BASE_DIR) / "laogan"
CATALOGUE = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def parse_po(text):
    """Return {(msgctxt, msgid): (msgstrs, fuzzy)} of a .po file, skipping the header and obsolete entries."""
    entries = {}
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        fields, current = {}, None
        for line in lines:
            m = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if m:
                current = m.group(1)
                fields[current] = m.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if fields.get("msgid"):
            strs = [v for k, v in fields.items() if k.startswith("msgstr")]
            entries[(fields.get("msgctxt"), fields["msgid"])] = (strs, fuzzy)
    return entries


class CatalogueTest(SimpleTestCase):
    def test_catalogue_is_up_to_date_and_fully_translated(self):
        committed = parse_po(CATALOGUE.read_text())
        fresh = self.extract()
        missing = sorted(set(fresh) - set(committed))
        obsolete = sorted(set(committed) - set(fresh))
        untranslated = sorted(k for k, (strs, fuzzy) in committed.items() if fuzzy or not all(strs))
        self.assertEqual(missing, [], "messages missing from the catalogue: run `make catalogue` and translate them")
        self.assertEqual(obsolete, [], "messages in the catalogue that the code no longer uses: run `make catalogue`")
        self.assertEqual(untranslated, [], "untranslated or fuzzy messages in the zh_Hans catalogue")

    def extract(self):
        tmp = Path(self._tmpdir())
        shutil.copytree(PACKAGE, tmp / "laogan", ignore=shutil.ignore_patterns("locale", "__pycache__", "*.pyc"))
        (tmp / "locale").mkdir()
        cwd = os.getcwd()
        try:
            os.chdir(tmp / "laogan")
            with override_settings(LOCALE_PATHS=[tmp / "locale"]):
                call_command("makemessages", locale=["zh_Hans"], no_location=True, verbosity=0)
        finally:
            os.chdir(cwd)
        return parse_po((tmp / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po").read_text())

    def _tmpdir(self):
        import tempfile

        path = tempfile.mkdtemp(prefix="laogan-catalogue-")
        self.addCleanup(shutil.rmtree, path, True)
        return path
