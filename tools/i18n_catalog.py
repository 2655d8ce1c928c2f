"""The command line's message catalogs: read the .po, compile the .mo, list what the CLI marks.

    python tools/i18n_catalog.py          # compile every .po to its .mo; add missing msgids to the .po

perfrules ships the compiled ``.mo`` beside each ``.po`` (see ``perfrules/cli/i18n.py``
for why); tests/test_i18n.py checks that the shipped ``.mo`` is what
:func:`compile_mo` makes of the ``.po`` and that every string the CLI marks
with ``_()``, ``N_()`` or ``ngettext()`` is translated. argparse's own
strings are in the catalog too (its msgids, listed in ``ARGPARSE``).
"""

from __future__ import annotations

import ast
import re
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "perfrules"
MARKED_IN = sorted((PACKAGE / "cli").glob("*.py"))
CATALOGS = sorted((PACKAGE / "locale").glob("*/LC_MESSAGES/perfrules.po"))

# argparse's strings that a user of the perfrules command can meet.
ARGPARSE: list[str | tuple[str, str]] = [
    "usage: ",
    "positional arguments",
    "options",
    "show this help message and exit",
    "show program's version number and exit",
    "the following arguments are required: %s",
    "one of the arguments %s is required",
    "unrecognized arguments: %s",
    "ambiguous option: %(option)s could match %(matches)s",
    "invalid choice: %(value)r (choose from %(choices)s)",
    "argument %(argument_name)s: %(message)s",
    "invalid %(type)s value: %(value)r",
    "expected one argument",
    "expected at most one argument",
    "expected at least one argument",
    ("expected %s argument", "expected %s arguments"),
    "not allowed with argument %s",
    "ignored explicit argument %r",
    "unexpected option string: %s",
]

Key = str | tuple[str, str]


def marked(path: Path) -> list[Key]:
    """The strings a module marks for translation: literal first arguments of _(), N_() and ngettext()."""
    found: list[Key] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        name = node.func.id
        if name in ("_", "N_") and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.JoinedStr | ast.BinOp):
                # An f-string or a sum has no fixed msgid: format after translating instead.
                raise ValueError(f"{path.name}:{node.lineno}: {name}() of an f-string or an expression")
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.append(arg.value)  # other arguments (names) were marked with N_() where they are set
        elif name == "ngettext" and len(node.args) >= 2:
            one, many = node.args[:2]
            if not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in (one, many)):
                raise ValueError(f"{path.name}:{node.lineno}: ngettext() of something other than literals")
            found.append((one.value, many.value))  # type: ignore[union-attr]
    return list(dict.fromkeys(found))


_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}


def _unquote(text: str) -> str:
    match = _STRING.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not a quoted .po string: {text!r}")
    return re.sub(r"\\(.)", lambda m: _ESCAPES[m.group(1)], match.group(1))


def read_po(text: str) -> dict[Key, str | list[str]]:
    """A .po file's entries: msgid (or (msgid, msgid_plural)) → msgstr (or the list of msgstr[n]).

    Enough of the format for our catalogs: comments, multi-line strings,
    plural forms; no msgctxt, no obsolete entries.
    """
    entries: dict[Key, str | list[str]] = {}
    fields: dict[str, str] = {}
    current: str | None = None

    def flush() -> None:
        if "msgid" not in fields:
            return
        if "msgid_plural" in fields:
            forms = [fields[k] for k in sorted(k for k in fields if k.startswith("msgstr["))]
            entries[(fields["msgid"], fields["msgid_plural"])] = forms
        else:
            entries[fields["msgid"]] = fields.get("msgstr", "")

    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            if not line and fields:
                flush()
                fields, current = {}, None
            continue
        if line.startswith('"'):
            if current is None:
                raise ValueError(f"line {number}: a string continues nothing")
            fields[current] += _unquote(line)
            continue
        keyword, _, rest = line.partition(" ")
        if keyword == "msgid" and "msgid" in fields:
            flush()
            fields = {}
        if keyword not in ("msgid", "msgid_plural", "msgstr") and not re.fullmatch(r"msgstr\[\d+\]", keyword):
            raise ValueError(f"line {number}: unknown keyword {keyword!r}")
        current = keyword
        fields[keyword] = _unquote(rest)
    flush()
    return entries


def compile_mo(entries: dict[Key, str | list[str]]) -> bytes:
    """The GNU .mo file of the entries, untranslated ones left out; sorted, so a .po gives the same bytes."""
    pairs: dict[bytes, bytes] = {}
    for key, value in entries.items():
        if isinstance(key, tuple):
            assert isinstance(value, list)
            if not all(value):
                continue
            pairs["\0".join(key).encode()] = "\0".join(value).encode()
        elif value:
            assert isinstance(value, str)
            pairs[key.encode()] = value.encode()
    keys = sorted(pairs)
    count = len(keys)
    originals_at = 7 * 4
    translations_at = originals_at + count * 8
    data_at = translations_at + count * 8
    tables: list[int] = []
    blob = b""
    for source in (keys, [pairs[k] for k in keys]):
        for text in source:
            tables += [len(text), data_at + len(blob)]
            blob += text + b"\0"
    header = struct.pack("<7I", 0x950412DE, 0, count, originals_at, translations_at, 0, 0)
    return header + struct.pack(f"<{4 * count}I", *tables) + blob


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def main() -> int:
    wanted: list[Key] = [*ARGPARSE]
    for path in MARKED_IN:
        wanted += marked(path)
    for po in CATALOGS:
        text = po.read_text(encoding="utf-8")
        entries = read_po(text)
        missing = [k for k in dict.fromkeys(wanted) if k not in entries]
        if missing:
            added = []
            for key in missing:
                if isinstance(key, tuple):
                    added.append(f'msgid {_quote(key[0])}\nmsgid_plural {_quote(key[1])}\nmsgstr[0] ""\n')
                else:
                    added.append(f'msgid {_quote(key)}\nmsgstr ""\n')
            text = text.rstrip("\n") + "\n\n" + "\n".join(added)
            po.write_text(text, encoding="utf-8")
            entries = read_po(text)
            print(f"{po.relative_to(ROOT)}: {len(missing)} msgid(s) added, to translate", file=sys.stderr)
        po.with_suffix(".mo").write_bytes(compile_mo(entries))
        untranslated = [k for k, v in entries.items() if k and not (all(v) if isinstance(v, list) else v)]
        obsolete = [k for k in entries if k and k not in wanted]
        print(
            f"{po.relative_to(ROOT)}: {len(entries)} entries, {len(untranslated)} untranslated, "
            f"{len(obsolete)} no longer used (delete them: {obsolete})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
