"""A scheme file's bytes decoded: UTF-8, or UTF-16/32 with a byte-order mark; anything else refused."""

from __future__ import annotations

import codecs
from typing import Final

from .._errors import Problem, SchemeError

__all__ = [
    "decode_scheme_file",
]

_UTF16_BOMS: Final = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_UTF32_BOMS: Final = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)


def _refuse(where: str, message: str) -> SchemeError:
    return SchemeError([Problem("", message)], title=f"invalid scheme file {where}")


def decode_scheme_file(data: bytes, where: str) -> str:
    """The text of a scheme file: UTF-8 (with or without a BOM), or UTF-16/32 with a BOM.

    Anything else is refused, naming the file and the first byte that is not
    UTF-8 — never guessed: a GBK file read as another encoding would give
    indicators garbled names, and a binary file is not a scheme.

    Raises:
        SchemeError: the bytes are not text in one of those encodings.

    >>> decode_scheme_file('name = "方案"'.encode("utf-16"), "a.toml")
    'name = "方案"'
    >>> decode_scheme_file('name = "方案"'.encode("gbk"), "a.toml")
    Traceback (most recent call last):
    perfrules.SchemeError: invalid scheme file a.toml: 1 problem
      - the file is not UTF-8: byte 0xb7 (line 1, column 9) starts no UTF-8 character; \
it reads as GBK/GB18030 — save it as UTF-8 (in Excel or Notepad: "Save as", encoding UTF-8)
    """
    for boms, codec in ((_UTF32_BOMS, "utf-32"), (_UTF16_BOMS, "utf-16")):
        if data.startswith(boms):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                raise _refuse(
                    where, f"the file starts like {codec.upper()} but byte {exc.start} is not"
                ) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        place = f"byte 0x{data[exc.start]:02x} (line {line}, column {column})"
        if b"\x00" in data[:4096]:
            raise _refuse(
                where,
                f"the file is not text: it holds NUL bytes and {place} is not UTF-8 "
                "(a scheme file is UTF-8 text, .toml or .json; UTF-16 needs its byte-order mark)",
            ) from None
        try:
            data.decode("gb18030")
        except UnicodeDecodeError:
            guess = ""
        else:
            guess = "; it reads as GBK/GB18030"
        raise _refuse(
            where,
            f"the file is not UTF-8: {place} starts no UTF-8 character{guess} — save it as UTF-8 "
            '(in Excel or Notepad: "Save as", encoding UTF-8)',
        ) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise _refuse(where, f"the file is not text: it holds a NUL character (line {line})")
    return text
