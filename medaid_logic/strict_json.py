"""JSON as the case format reads it: UTF-8 only, bounded, strict; every refusal a CaseError
naming where it was hit.

Refused: bytes that are not UTF-8, text beyond the size limit, nesting beyond the depth limit,
duplicate keys, lone surrogates (text no output could encode). Numbers (NaN and Infinity too) are
read as exact decimals (never binary floats); an integer too long for the engine's arithmetic
stays a Decimal so that the field's own check refuses it with the field's name.
"""
from __future__ import annotations

import json
import re
import threading
from decimal import Decimal, InvalidOperation
from typing import Any

from . import limits
from .errors import CaseError

_SURROGATE = re.compile("[\ud800-\udfff]")
_DUPLICATE = threading.local()   # per thread: whether the document being decoded has a duplicate key
_LONG_INT = 18  # digits: any longer cannot be a value the engine accepts


class _Refused(ValueError):
    """A refusal raised inside json's hooks, which know no path."""


class _DuplicateKeys(dict):
    duplicate: str


def decode(raw: bytes, what: str = "the case") -> str:
    """UTF-8 bytes as text; a bad byte is named with its offset."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CaseError("", f"{what} is not UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start}") from None


def loads(text: str | bytes, lim: limits.Limits | None = None) -> Any:
    """One JSON document, strictly (see the module doc)."""
    lim = lim or limits.current()
    if isinstance(text, (bytes, bytearray)):
        if len(text) > lim.max_case_bytes:
            raise _too_big(len(text), lim)
        text = decode(bytes(text))
    elif len(text) > lim.max_case_bytes or len(text.encode("utf-8", "surrogatepass")) > lim.max_case_bytes:
        raise _too_big(len(text.encode("utf-8", "surrogatepass")), lim)
    _DUPLICATE.found = False
    try:
        data = json.loads(text, object_pairs_hook=_pairs, parse_float=_decimal, parse_int=_integer,
                          parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise CaseError("", f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except _Refused as exc:
        raise CaseError("", str(exc)) from None
    except RecursionError:  # the parser's own limit (about 1000 levels)
        raise CaseError(_path_at_depth(text, lim.max_depth), f"nesting deeper than {lim.max_depth} levels") from None
    # the walk that names the field of a refusal, where the text may hold one: a duplicate key, a
    # lone surrogate, or more objects and arrays than the depth allowed (a case's line is seldom
    # any of these, and the walk took two thirds of the reading's time: 0.020 of 0.031 ms)
    if _DUPLICATE.found or _may_hold_surrogate(text) or text.count("{") + text.count("[") > lim.max_depth:
        _check_values(data, "", lim.max_depth, lim.max_depth)
    return data


def _may_hold_surrogate(text: str) -> bool:
    """Whether the text holds a surrogate, or an escape that may be one (\\uD800-\\uDFFF; a
    valid pair's escapes, or an escaped backslash before "ud", answer yes too: the walk decides)."""
    return "\\ud" in text or "\\uD" in text or (not text.isascii() and _SURROGATE.search(text) is not None)


def _too_big(n: int, lim: limits.Limits) -> CaseError:
    return CaseError("", f"the case is {n} bytes, above the limit of {lim.max_case_bytes} (MEDAID_MAX_CASE_BYTES)")


def _pairs(pairs: list) -> dict:
    out = dict(pairs)
    if len(out) == len(pairs):
        return out
    _DUPLICATE.found = True
    out = _DuplicateKeys()   # the keys before the first that repeats, and that key
    for key, value in pairs:
        if key in out:
            out.duplicate = key
            return out
        out[key] = value


def _decimal(s: str) -> Decimal:
    try:
        return Decimal(s)
    except InvalidOperation:  # an exponent beyond what a Decimal holds
        raise _Refused(f"number out of range: {s[:40]}") from None


def _integer(s: str) -> int | Decimal:
    return int(s) if len(s) <= _LONG_INT else Decimal(s)


def _constant(s: str) -> Decimal:
    return Decimal(s)  # NaN, Infinity: not finite, so the field's own check refuses it by name


def _path_at_depth(text: str, max_depth: int) -> str:
    """The path of the container where nesting passed the limit (for the error's field): one
    linear pass over the characters, strings skipped, keys and indices followed."""
    stack: list[list] = []
    i, n = 0, len(text)
    last_string = None
    while i < n:
        ch = text[i]
        if ch == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            try:
                last_string = json.loads(text[i:j + 1])
            except ValueError:
                last_string = text[i + 1:j]
            i = j + 1
            continue
        if ch in "{[":
            if len(stack) >= max_depth:
                break
            stack.append(["{", None] if ch == "{" else ["[", 0])
        elif ch in "}]":
            if stack:
                stack.pop()
        elif ch == ":" and stack and stack[-1][0] == "{":
            stack[-1][1] = last_string
        elif ch == "," and stack and stack[-1][0] == "[":
            stack[-1][1] += 1
        i += 1
    return _join(stack)


def _join(stack) -> str:
    out = ""
    for kind, key in stack:
        if kind == "[":
            out += f"[{key}]"
        elif key is not None:
            out += ("." if out else "") + str(key)
    return out


def _check_values(value: Any, path: str, room: int, limit: int) -> None:
    if isinstance(value, (dict, list)):
        if room <= 0:
            raise CaseError(path, f"nesting deeper than {limit} levels")
        room -= 1
    if isinstance(value, dict):
        if isinstance(value, _DuplicateKeys):
            raise CaseError(_field(path, value.duplicate), "duplicate key (a key appears once in an object)")
        for key, v in value.items():
            if _SURROGATE.search(key):
                raise CaseError(path, f"a key holds a lone surrogate ({ascii(key)[:60]}): not text")
            _check_values(v, _field(path, key), room, limit)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_values(v, f"{path}[{i}]", room, limit)
    elif isinstance(value, str) and _SURROGATE.search(value):
        raise CaseError(path, "a lone surrogate (\\ud800-\\udfff) is not text")


def _field(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
