"""ORCID iD syntax and check digit (ISO 7064 MOD 11-2)."""

import re

ORCID_ID_RE = re.compile(r"\A[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]\Z")
_ORCID_URL_PREFIX_RE = re.compile(r"^(https?://)?([a-z.]*orcid\.org/)", re.IGNORECASE)


def orcid_check_character(base_digits):
    """Return the check character for the first 15 digits of an ORCID iD."""
    total = 0
    for digit in base_digits:
        total = (total + int(digit)) * 2
    remainder = (12 - total % 11) % 11
    return "X" if remainder == 10 else str(remainder)


def normalize_orcid(value):
    """Return the bare ``dddd-dddd-dddd-dddX`` iD, or ``None`` if ``value`` is not one.

    Accepts the bare iD and its ``https://orcid.org/`` URL form; the check
    character is verified.
    """
    if not isinstance(value, str):
        return None
    candidate = _ORCID_URL_PREFIX_RE.sub("", value.strip()).strip("/").upper()
    if not ORCID_ID_RE.match(candidate):
        return None
    digits = candidate.replace("-", "")
    if orcid_check_character(digits[:15]) != digits[15]:
        return None
    return candidate


def is_valid_orcid(value):
    """Whether ``value`` is a bare ORCID iD with a correct check character."""
    return isinstance(value, str) and normalize_orcid(value) == value


def listed_orcid(identifiers):
    """The value of the first ``orcid`` entry of a person's identifiers, or ``None``.

    Creators and contributors list their identifiers as ``{"scheme",
    "identifier"}`` entries; the first ``orcid`` one is the person's iD (it
    is returned as written: callers decide whether to normalize it).
    """
    for identifier in identifiers if isinstance(identifiers, list) else []:
        if isinstance(identifier, dict) and identifier.get("scheme") == "orcid":
            return identifier.get("identifier")
    return None
