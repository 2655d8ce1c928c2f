"""The command line's language: English by default, Chinese under a Chinese locale.

The CLI's own words (help, usage errors, hints, headings) are looked up in a
gettext catalog, ``perfrules/locale/<lang>/LC_MESSAGES/perfrules.mo``, whose
source is the ``.po`` file beside it. The library never speaks through this
module: its messages (scheme and data problems) stay as the library words them.

Which language: ``PERFRULES_LANG`` when set (``zh…`` → Chinese, anything else
→ English), else the first of ``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``,
``LANG`` that is set (POSIX precedence, ``LANGUAGE`` first as GNU gettext
reads it): a value starting with ``zh`` → Chinese.

Why a compiled ``.mo`` is shipped beside the ``.po`` (rather than reading the
``.po`` at run time): argparse looks its own strings ("usage:", "the following
arguments are required") up through :func:`gettext.gettext`, which reads only
compiled catalogs from a directory bound to the current text domain. Shipping
the ``.mo`` in the package works the same from a wheel and an editable install
with no build hook; ``tools/i18n_catalog.py`` compiles it, and a test checks it
is up to date with the ``.po``.
"""

from __future__ import annotations

import argparse
import contextlib
import gettext
import os
import re
import unicodedata
from collections.abc import Iterator, Mapping

DOMAIN = "perfrules"
LOCALE_DIR = os.path.join(
    os.path.dirname(os.path.dirname(__file__)), "locale"
)  # a str: pathlib is not loaded for --help
LANGUAGES = {"en": None, "zh": "zh_CN"}  # our language → the catalog's folder (None: the msgids)
_LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_active: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def language(environ: Mapping[str, str] | None = None) -> str:
    """The command line's language for an environment: ``"zh"`` or ``"en"``.

    >>> language({"LANG": "zh_CN.UTF-8"})
    'zh'
    >>> language({"LANGUAGE": "en_GB:zh_CN", "LANG": "zh_CN.UTF-8"})
    'en'
    >>> language({"PERFRULES_LANG": "zh", "LANG": "C"})
    'zh'
    >>> language({})
    'en'
    """
    env = os.environ if environ is None else environ
    override = env.get("PERFRULES_LANG", "").strip()
    if override:
        return "zh" if override.lower().startswith("zh") else "en"
    for name in _LOCALE_VARIABLES:
        value = env.get(name, "")
        first = value.split(":")[0].strip()  # LANGUAGE may be a list: the first is preferred
        if first:
            return "zh" if first.lower().startswith("zh") else "en"
    return "en"


def current() -> str:
    """The language the command line speaks now (``"en"`` outside :func:`speaking`)."""
    return _language


def _(message: str) -> str:
    """``message`` in the command line's language."""
    return _active.gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it yet (module-level constants)."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n``, in the command line's language."""
    return _active.ngettext(singular, plural, n)


@contextlib.contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Speak ``lang`` (``"en"`` or ``"zh"``) inside the block, then as before.

    For Chinese, argparse is given the catalog too: gettext's current text
    domain becomes ours (bound to the package's locale folder) and
    ``LANGUAGE`` names the catalog, so that :func:`gettext.gettext` finds it
    whatever the locale variables said (``PERFRULES_LANG`` may have chosen).
    All three are restored when the block ends.
    """
    global _active, _language
    folder = LANGUAGES.get(lang)
    translations = None
    if folder is not None:
        # A catalog missing from a broken install means English, never a crash.
        found = gettext.translation(DOMAIN, LOCALE_DIR, languages=[folder], fallback=True)
        translations = found if isinstance(found, gettext.GNUTranslations) else None
    if folder is None or translations is None:
        previous = (_active, _language)
        _active, _language = gettext.NullTranslations(), "en"
        try:
            yield
        finally:
            _active, _language = previous
        return
    previous = (_active, _language)
    domain = gettext.textdomain()
    bound = gettext.bindtextdomain(DOMAIN)
    variable = os.environ.get("LANGUAGE")
    _active, _language = translations, lang
    gettext.bindtextdomain(DOMAIN, LOCALE_DIR)
    gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = folder
    try:
        yield
    finally:
        _active, _language = previous
        gettext.textdomain(domain)
        gettext.bindtextdomain(DOMAIN, bound)
        if variable is None:
            os.environ.pop("LANGUAGE", None)
        else:
            os.environ["LANGUAGE"] = variable


# A wide character (Chinese) is a place to break a line; a run of anything else but spaces is a word.
_PIECES = re.compile(r"\s+|[^\s]")


def _columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """argparse's help with option texts wrapped by display width.

    argparse wraps by characters, so a Chinese line would be twice the
    terminal's width; here a Chinese character takes two columns and a line
    may break between two of them (English still breaks only at spaces).
    Descriptions and epilogs are printed as written, as with
    :class:`argparse.RawDescriptionHelpFormatter`.
    """

    def _split_lines(self, text: str, width: int) -> list[str]:
        if _columns(text) == len(text):  # no wide characters: argparse's own wrapping
            return super()._split_lines(text, width)
        words: list[str] = []
        for piece in _PIECES.findall(" ".join(text.split())):
            joins = bool(words) and not _wide(piece) and not piece.isspace()
            if joins and not words[-1].isspace() and not _wide(words[-1]):
                words[-1] += piece
            else:
                words.append(piece)
        lines: list[str] = []
        line = ""
        for word in words:
            if word.isspace():
                if line:
                    line += " "
                continue
            if line and _columns(line.rstrip() + word) > width and not _closing(word):
                lines.append(line.rstrip())
                line = ""
            line += word
        if line.strip():
            lines.append(line.rstrip())
        return lines or [""]


def _wide(text: str) -> bool:
    return len(text) == 1 and unicodedata.east_asian_width(text) in "WF"


def _closing(text: str) -> bool:
    """Punctuation that must not begin a line (，。；：、）」』”)."""
    return text in "，。；：、）」』”！？"
