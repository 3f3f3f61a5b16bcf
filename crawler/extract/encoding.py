"""Bytes to text the way a browser would, plus repair of mislabelled charsets.

`decode_html(body, declared)` never raises. Order: a BOM wins; then the declared charset
(HTTP header, else `<meta charset>` / `http-equiv` in the first 4 KB), checked against
the bytes; then UTF-8; then windows-1252. Latin-1 and ASCII labels mean windows-1252,
as in every browser (WHATWG Encoding): pages labelled iso-8859-1 carry „curly quotes“
and € in the 0x80-0x9F range.

Mislabels seen on old press-release pages and handled here:
- label utf-8, bytes cp1252 (invalid UTF-8)           -> windows-1252
- label latin-1/cp1252, bytes valid multi-byte UTF-8  -> UTF-8 (cp1252 text almost
  never forms valid UTF-8 sequences by chance, so valid ones mean UTF-8)
"""

from __future__ import annotations

import codecs
import functools
import re

_WINDOWS_1252 = "cp1252"
_SINGLE_BYTE_WESTERN = frozenset({"latin_1", "iso8859_1", "ascii", "cp1252", "iso8859_15"})
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_:.+\-]+)""", re.I
)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# a non-ASCII UTF-8 sequence: what cp1252 text practically never contains
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_HIGH_BYTES = bytes(range(0x80, 0x100))


def _whatwg_1252(err: UnicodeError) -> tuple[str, int]:
    # the five bytes cp1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) map to the C1
    # control of the same number, as browsers do
    if not isinstance(err, UnicodeDecodeError):
        raise err
    return chr(err.object[err.start]), err.start + 1


codecs.register_error("crawler-whatwg-1252", _whatwg_1252)


@functools.lru_cache(maxsize=64)  # a crawl sees a handful of labels, asked once per page
def _codec(label: str | None) -> str | None:
    """Python codec name for a charset label, windows-1252 for Latin-1/ASCII; None if unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in ("x-user-defined", "unicode-1-1-utf-8", "utf8"):
        label = "utf-8"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    name = name.replace("-", "_")
    if name in ("latin_1", "iso8859_1", "ascii"):
        return _WINDOWS_1252
    return {"utf_8": "utf-8", "cp1252": _WINDOWS_1252}.get(name, name)


def sniff_meta_charset(body: bytes) -> str | None:
    """The charset named by a `<meta>` in the first 4 KB, as a codec name."""
    m = _META_CHARSET.search(body[:4096])
    return _codec(m.group(1).decode("ascii", "replace")) if m else None


def _cp1252(body: bytes) -> str:
    return body.decode(_WINDOWS_1252, "crawler-whatwg-1252")


def _utf8_or_none(body: bytes) -> str | None:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _mostly_utf8(body: bytes) -> bool:
    """Invalid UTF-8, but many valid multi-byte sequences and few broken bytes: a UTF-8
    page with a few damaged bytes (decode it as UTF-8 with replacement)."""
    sequences = _UTF8_MULTIBYTE.findall(body)
    good = len(sequences)
    high = len(body) - len(body.translate(None, _HIGH_BYTES))  # bytes >= 0x80, counted in C
    broken = high - sum(map(len, sequences))
    return good >= 8 and broken * 20 < good


def decode_html(body: bytes, declared: str | None) -> str:
    """The page as text; `declared` is the charset from the Content-Type header (or None)."""
    if isinstance(body, str):  # already text: nothing to decode
        return body
    body = bytes(body)
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(name, "replace")
    codec = _codec(declared) or sniff_meta_charset(body)
    if codec is None or codec == "utf-8":
        text = _utf8_or_none(body)
        if text is not None:
            return text
        if _mostly_utf8(body):
            return body.decode("utf-8", "replace")
        return _cp1252(body)  # labelled (or assumed) UTF-8, but the bytes are windows-1252
    if codec in _SINGLE_BYTE_WESTERN:
        # valid UTF-8 that is not ASCII holds a multi-byte sequence: asking the decoder is
        # the same test as searching for one (_UTF8_MULTIBYTE), and a search that finds
        # none walks every byte of the page in `re` (half a millisecond)
        if not body.isascii():
            text = _utf8_or_none(body)
            if text is not None:
                return text  # labelled Latin-1/cp1252, but valid multi-byte UTF-8
        if codec == _WINDOWS_1252:
            return _cp1252(body)
        return body.decode(codec, "replace")
    try:
        return body.decode(codec)
    except UnicodeDecodeError:
        text = _utf8_or_none(body)
        return text if text is not None else _cp1252(body)
