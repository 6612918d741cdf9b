"""URLs that are valid URIs (RFC 3986), built from identifiers as records hold them.

ORCID refuses a work whose ``external-id-url`` or ``url`` is not a URI, and
identifiers carry characters a URI may not: a DOI such as
``10.1642/0004-8038(2004)121[0593:TPOPAS]2.0.CO;2`` has brackets, others
spaces, ``%``, a ``#`` or non-ASCII letters. The identifier itself
(``external-id-value``) is sent as written; only its URL is encoded.
Nothing here knows about XML, HTTP or the database.
"""

import re
from functools import partial
from urllib.parse import quote as _quote

_UNRESERVED = "A-Za-z0-9\\-._~"
_SUB_DELIMS = "!$&'()*+,;="
_PCHAR_SAFE = _SUB_DELIMS + ":@"
"""Besides letters, digits and ``-._~``: what a path segment may hold (``pchar``)."""

quote = partial(_quote, errors="ignore")
"""Percent-encoding (UTF-8) that drops what UTF-8 cannot carry (lone surrogates)."""

_SCHEME_RE = re.compile(r"\A[A-Za-z][A-Za-z0-9+.\-]*\Z")
_PCT = "%[0-9A-Fa-f]{2}"
_PCHAR = f"(?:[{_UNRESERVED}{re.escape(_PCHAR_SAFE)}]|{_PCT})"
_REG_NAME = f"(?:[{_UNRESERVED}{re.escape(_SUB_DELIMS)}]|{_PCT})*"
_IP_LITERAL = (
    r"\[[0-9A-Fa-f:.]+\]|\[v[0-9A-Fa-f]+\.[" + _UNRESERVED + _SUB_DELIMS + ":]+\]"
)
_USERINFO = f"(?:[{_UNRESERVED}{re.escape(_SUB_DELIMS)}:]|{_PCT})*"
_AUTHORITY = f"(?:{_USERINFO}@)?(?:{_IP_LITERAL}|{_REG_NAME})(?::[0-9]*)?"
URI_RE = re.compile(
    r"\A[A-Za-z][A-Za-z0-9+.\-]*:"
    f"(?://{_AUTHORITY}(?:/{_PCHAR}*)*|/?(?:{_PCHAR}+(?:/{_PCHAR}*)*)?)"
    f"(?:\\?(?:{_PCHAR}|[/?])*)?"
    f"(?:#(?:{_PCHAR}|[/?])*)?\\Z"
)
"""An absolute URI as RFC 3986 (section 3, ``URI``) spells it."""

_STRAY_PERCENT_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")

RESOLVERS = {
    "ark": "https://n2t.net/",
    "arxiv": "https://arxiv.org/abs/",
    "bibcode": "https://ui.adsabs.harvard.edu/abs/",
    "doi": "https://doi.org/",
    "hal": "https://hal.science/",
    "handle": "https://hdl.handle.net/",
    "issn": "https://portal.issn.org/resource/ISSN/",
    "pmc": "https://europepmc.org/article/pmc/",
    "pmid": "https://pubmed.ncbi.nlm.nih.gov/",
    "rrid": "https://identifiers.org/rrid/",
    "swh": "https://archive.softwareheritage.org/",
    "urn": "https://nbn-resolving.org/",
}
"""ORCID identifier type -> the resolver its value is appended to. Types not
listed (``isbn``, ``grant_number``, ...) have no one resolver: no URL."""

_RESOLVED_ONLY_IF = {"urn": re.compile(r"\Aurn:nbn:", re.IGNORECASE)}
"""Types whose resolver knows only some values: nbn-resolving.org resolves
URN:NBNs, not every URN namespace."""

_NOT_IN_URL = {"arxiv": re.compile(r"\Aarxiv:", re.IGNORECASE)}
"""Prefixes the value may carry but the resolver's URL must not repeat
(``arXiv:2101.00001`` is ``https://arxiv.org/abs/2101.00001``)."""


def is_uri(text):
    """Whether ``text`` is an absolute URI by RFC 3986 (nothing left to encode)."""
    return isinstance(text, str) and bool(URI_RE.match(text))


def encode_value(value):
    """``value`` as one URI path piece: every character a path may not hold is
    percent-encoded (UTF-8), including every ``%``: an identifier's ``%`` is
    itself, never an escape."""
    return quote(value, safe="/" + _PCHAR_SAFE)


def resolver_url(id_type, value):
    """The URL of an identifier at its resolver (``https://doi.org/<DOI>``...).

    Identifiers that are URLs themselves (``uri``) are made valid URIs;
    ``None`` for types without a resolver, values their resolver does not
    know (a URN that is not a URN:NBN) or a value that cannot be one.
    """
    prefix = RESOLVERS.get(id_type)
    if prefix is None:
        return as_uri(value) if id_type == "uri" else None
    value = value.strip()
    only_if = _RESOLVED_ONLY_IF.get(id_type)
    if only_if is not None and not only_if.match(value):
        return None
    not_in_url = _NOT_IN_URL.get(id_type)
    value = not_in_url.sub("", value) if not_in_url else value
    return prefix + encode_value(value) if value else None


def as_uri(url):
    """``url`` (as typed) made an absolute RFC 3986 URI, or ``None``.

    What a URI may not hold is percent-encoded: spaces, non-ASCII, brackets
    outside a host, a second ``#``, a ``%`` not followed by two hex digits;
    escapes that are already there are kept. Without a scheme (``https:``)
    it cannot be one.
    """
    url = (url or "").strip() if isinstance(url, str) else ""
    scheme, colon, rest = url.partition(":")
    if not colon or not _SCHEME_RE.match(scheme):
        return None
    rest = _STRAY_PERCENT_RE.sub("%25", rest)
    rest, hash_, fragment = rest.partition("#")
    encoded = f"{scheme}:{_encode_hierarchy(rest)}"
    if hash_:
        encoded += "#" + quote(fragment, safe="/?%" + _PCHAR_SAFE)
    return encoded if is_uri(encoded) else None


def _encode_hierarchy(rest):
    """``//authority/path?query`` with what each part may not hold encoded."""
    authority = ""
    if rest.startswith("//"):
        authority, rest = re.match(r"//([^/?]*)(.*)", rest, re.DOTALL).groups()
        authority = "//" + _encode_authority(authority)
    path, question, query = rest.partition("?")
    path = quote(path, safe="/%" + _PCHAR_SAFE)
    query = quote(query, safe="/?%" + _PCHAR_SAFE)
    return authority + path + (question + query if question else "")


def _encode_authority(authority):
    """A host (and port) as given; brackets only around an IP literal."""
    if re.fullmatch(_AUTHORITY, authority):
        return authority
    return quote(authority, safe="%:@" + _SUB_DELIMS)
