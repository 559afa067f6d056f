"""Where a database lives, as a message may show it: never with a password.

A server URL can carry a password in several places (``user:password@``, ``?password=``,
``?sslpassword=``), percent-encoded or not, and a password pasted as typed may hold ``/``,
``@``, ``?`` or ``&``, which no URL parser splits the way the user meant (a ``/`` ends the
host part early, and the parser's error then quotes a piece of the password). So the secrets
are gathered from every reading of the text that could hold one, and masked in any message
before it is shown, whatever built the message: our code, peewee or the driver.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, unquote_plus

MASK = "***"
# a secret this short is masked only where it stands alone (between punctuation), so that a
# one-letter password does not mask that letter in every word of the message
SHORT = 6

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# libpq's secret parameters; the value runs to the end (it may hold a raw "&"), its pieces too
_SECRET_PARAMETER = re.compile(r"(?i)(?:ssl)?password=(.*)")


def secrets_of(location: str) -> set[str]:
    """Every text in ``location`` that may be a password, in each form a message could show it
    (as typed, percent-decoded, percent-encoded)."""
    found: set[str] = set()
    for text in {location, unquote(location)}:
        found |= _userinfo_passwords(text) | _parameter_passwords(text)
    forms = set()
    for secret in found:
        for form in (secret, unquote(secret), unquote_plus(secret), quote(secret, safe=""), quote(secret)):
            forms |= {form, form.encode("unicode_escape").decode("ascii")}  # as repr() shows it
    forms.discard("")
    return forms


def _userinfo_passwords(location: str) -> set[str]:
    """``scheme://user:password@host``: up to the first ``@`` and up to the last one, since
    either may end the password (``@`` is allowed in it only percent-encoded, but is typed)."""
    if not _SCHEME.match(location):
        return set()
    rest = location.partition(":")[2].lstrip("/")
    found = set()
    for at in (rest.find("@"), rest.rfind("@")):
        if at > 0:
            _, colon, password = rest[:at].partition(":")
            if colon and password:
                # and its pieces: a parser that split it at one of these shows them apart
                found |= {password, *re.split(r"[/?#@]", password)}
    return found


def _parameter_passwords(location: str) -> set[str]:
    found = set()
    for match in _SECRET_PARAMETER.finditer(location):
        value = match.group(1)
        found.add(value)
        found.update(re.split(r"[&;#\s]", value))
    return found


def redact(text: str, *locations: str | None) -> str:
    """``text`` with every password found in ``locations`` masked."""
    secrets: set[str] = set()
    for location in locations:
        if location:
            secrets |= secrets_of(location)
    for secret in sorted(secrets, key=len, reverse=True):  # a password before its pieces
        if len(secret) >= SHORT:
            text = text.replace(secret, MASK)
        else:
            alone = rf"(?<![^\W_]){re.escape(secret)}(?![^\W_])"
            text = re.sub(alone, MASK, text)
    return text


def first_line(exc: BaseException, location: str) -> str:
    """An error's first line, for a one-line message, its passwords masked (a driver or a
    parser may quote the URL)."""
    return redact((str(exc).strip().splitlines() or [type(exc).__name__])[0], location)


def shown(location: str) -> str:
    """The location for a message: a file as it is, a URL with its passwords masked."""
    return redact(location, location)
