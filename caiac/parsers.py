"""Request bodies: JSON (every endpoint) and multipart (only where a file is uploaded).

The JSON parser refuses what the database or the serializers cannot take, once, here: nesting
deeper than ``MAX_DEPTH`` (1000 levels would otherwise end in a RecursionError, a 500), NUL
characters (PostgreSQL text cannot hold them) and lone surrogates (not encodable as UTF-8).
"""

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("The JSON is nested too deeply.")) from None
        _check(data)
        return data


def _check(data) -> None:
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            if depth > MAX_DEPTH:
                raise ParseError(_("The JSON is nested too deeply."))
            for key, item in value.items():
                _check_text(key)
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            if depth > MAX_DEPTH:
                raise ParseError(_("The JSON is nested too deeply."))
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str):
            _check_text(value)


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise ParseError(_("The JSON contains a NUL character."))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ParseError(_("The JSON contains an invalid character.")) from None


class MultiPartParser(parsers.MultiPartParser):
    """For endpoints that take a file (e.g. a milestone's evidence)."""
