"""Compile gettext catalogues (.po to .mo) in pure Python.

Django's ``compilemessages`` needs GNU gettext's ``msgfmt``, which a fresh machine may
lack. The .mo files are build output and not committed; this builds them with polib.
"""

from pathlib import Path

import polib
from django.conf import settings


def compile_catalogues(force=False):
    """Compile every .po under LOCALE_PATHS whose .mo is missing or older. Returns the paths compiled."""
    compiled = []
    for locale_path in map(Path, settings.LOCALE_PATHS):
        for po_path in sorted(locale_path.glob("*/LC_MESSAGES/*.po")):
            mo_path = po_path.with_suffix(".mo")
            if force or not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
                catalogue = polib.pofile(str(po_path))
                # Like msgfmt without --use-fuzzy: fuzzy entries are not used.
                for entry in catalogue.fuzzy_entries():
                    catalogue.remove(entry)
                catalogue.save_as_mofile(str(mo_path))
                compiled.append(mo_path)
    return compiled
