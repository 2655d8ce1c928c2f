"""A data file's bytes decoded into text, in a fixed order that never mis-decodes.

A byte-order mark decides first, then strict UTF-8, then strict GB18030; GB18030
that gives unlikely characters (a Big5 or Shift-JIS file) is refused, as are
bytes that are no known text encoding (:class:`~perfrules.DataError`).
"""

from __future__ import annotations

import codecs
import re
from typing import Final

from .._errors import DataError, Problem
from ..formula.text import shown_name
from .cells import _SHOWN

__all__ = [
    "read_text",
    "utf8_bytes",
]

_BOMS: Final = (
    # UTF-32 before UTF-16: the UTF-32 LE mark (FF FE 00 00) begins with the UTF-16 LE one.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def read_text(data: bytes, origin: str) -> str:
    """Decode a data file's bytes, in an order that never mis-decodes.

    The order:

    1. a byte-order mark decides: UTF-8 (what Excel writes as "CSV UTF-8"),
       UTF-32 or UTF-16 (Excel's "Unicode text");
    2. else strict UTF-8;
    3. else strict GB18030, a superset of the GBK and GB2312 files Excel
       writes on Chinese Windows.

    UTF-8 goes first because its structure is strict: Chinese text in
    GB18030 is practically never valid UTF-8 by accident, while nearly any
    UTF-8 text would decode as (wrong) GB18030 characters. Text with NUL
    characters is refused: it is a binary file, or UTF-16 without a mark.

    Args:
        data: the file's bytes.
        origin: the file's name, for messages.

    Returns:
        The text, without a byte-order mark.

    Raises:
        DataError: no encoding of the list reads the bytes.

    >>> read_text("单位,得分\\n".encode("gbk"), "a.csv")
    '单位,得分\\n'
    >>> read_text(codecs.BOM_UTF8 + "单位".encode(), "a.csv")
    '单位'
    """
    text: str | None = None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise DataError(
                    [
                        Problem(
                            origin,
                            f"starts with a {encoding.upper()} byte-order mark, but byte {exc.start} "
                            f"is not {encoding.upper()}",
                        )
                    ],
                    title=f"cannot read {origin}",
                ) from None
            break
    if text is None:
        if data.startswith(b"PK\x03\x04"):
            raise DataError(
                [Problem(origin, "is a zip file (an Excel workbook?); name it .xlsx to read it as one")],
                title=f"cannot read {origin}",
            )
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError:
                raise DataError(
                    [Problem(origin, "cannot read as UTF-8, UTF-16 or GB18030; save it as CSV UTF-8")],
                    title=f"cannot read {origin}",
                ) from None
            _check_gb18030(text, data, origin)
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        raise DataError(
            [
                Problem(
                    origin,
                    "holds NUL characters: a binary file, or UTF-16 without a byte-order mark; "
                    "save it as CSV UTF-8",
                )
            ],
            title=f"cannot read {origin}",
        )
    return text


_PIECE: Final = 1 << 15  # bytes checked at a time by utf8_bytes (each piece's text is let go at once)


def utf8_bytes(data: bytes) -> bytes | None:
    """*data* without the byte-order marks :func:`read_text` drops, where read_text reads it as
    UTF-8 (a UTF-8 mark, or none and strict UTF-8) and without NUL: checked a piece at a time,
    without making the file's text. None for any other file: read_text reads it, or says why not.

    >>> utf8_bytes(codecs.BOM_UTF8 + "单位".encode())
    b'\\xe5\\x8d\\x95\\xe4\\xbd\\x8d'
    >>> utf8_bytes("单位".encode("gbk")) is None
    True
    """
    if data.startswith(codecs.BOM_UTF8):  # no other mark begins as this one does
        data = data[len(codecs.BOM_UTF8) :]
        if data.startswith(codecs.BOM_UTF8):  # read_text drops a second mark too
            data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((b"PK\x03\x04", *(bom for bom, _ in _BOMS))):
        return None
    if b"\x00" in data:
        return None
    if not data.isascii():
        check = codecs.getincrementaldecoder("utf-8")()
        view = memoryview(data)
        try:
            for at in range(0, len(data), _PIECE):
                check.decode(view[at : at + _PIECE])
            check.decode(b"", True)
        except UnicodeDecodeError:
            return None
    return data


_SAMPLE: Final = 65_536  # characters of each part of a file that judge its encoding
_NON_ASCII: Final = re.compile(r"[^\x00-\x7f]")
_PRIVATE_USE: Final = re.compile(r"[\ue000-\uf8ff]")
_OTHER_ENCODINGS: Final = (("Big5", "big5"), ("Shift-JIS", "cp932"))  # (name, Python and iconv codec)


def _common_in_gb2312(ch: str) -> bool:
    """A Chinese character of GB2312 (both levels), or its punctuation and full-width forms."""
    try:
        lead = ch.encode("gb2312")[0]
    except UnicodeEncodeError:
        return False
    return 0xB0 <= lead <= 0xF7 or 0xA1 <= lead <= 0xA3


def _check_gb18030(text: str, data: bytes, origin: str) -> None:
    """Refuse text that decodes as GB18030 but cannot be Chinese text in it.

    Nearly any bytes decode as GB18030: a Big5 (Traditional Chinese) or
    Shift-JIS (Japanese) file comes out as rare characters, kana, Cyrillic
    and private-use code points, and would be scored with garbage names.
    Real GBK text is almost all the common characters of GB2312 (over 99%
    in the built-in schemes' sources), so text whose non-ASCII characters are
    more than a fifth something else, or hold a private-use code point (the
    user-defined areas of GBK), is refused, naming the file and what it
    more likely is. Three samples of the text are judged (start, middle,
    end), so the cost does not grow with the file.
    """
    middle = len(text) // 2
    sample = text
    if len(text) > 3 * _SAMPLE:
        sample = text[:_SAMPLE] + text[middle : middle + _SAMPLE] + text[-_SAMPLE:]
    found = _NON_ASCII.findall(sample)
    if not found:
        return
    known: dict[str, bool] = {}
    uncommon = 0
    for ch in found:
        if ch not in known:
            known[ch] = _common_in_gb2312(ch)
        uncommon += not known[ch]
    if uncommon <= max(2, len(found) // 5) and not _PRIVATE_USE.search(sample):
        return
    likely = [(name, codec) for name, codec in _OTHER_ENCODINGS if _decodes(data, codec)]
    maybe = f"; it looks like {' or '.join(name for name, _ in likely)}" if likely else ""
    convert = f", e.g. iconv -f {likely[0][1].upper()} -t UTF-8" if likely else ""
    line = text.lstrip().split("\n", 1)[0]
    shown = shown_name(line[:_SHOWN]) + ("..." if len(line) > _SHOWN else "")
    raise DataError(
        [
            Problem(
                origin,
                f"is not UTF-8, and read as GB18030 (GBK) it gives unlikely characters "
                f"({shown}){maybe}; save it as CSV UTF-8 (or convert it{convert})",
            )
        ],
        title=f"cannot read {origin}",
    )


def _decodes(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
    except UnicodeDecodeError:
        return False
    return True
