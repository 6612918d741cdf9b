"""ORCID iDs: syntax and ISO 7064 MOD 11-2 check character."""

import pytest

from invenio_orcid_push.identifiers import is_valid_orcid, normalize_orcid


@pytest.mark.parametrize("value", ["0000-0002-1825-0097", "0000-0002-4325-871X"])
def test_valid_ids(value):
    assert is_valid_orcid(value)
    assert normalize_orcid(f"https://orcid.org/{value}") == value
    assert normalize_orcid(f"  http://sandbox.orcid.org/{value}/ ") == value


@pytest.mark.parametrize(
    "value",
    [
        "0000-0002-1825-0098",  # wrong check digit
        "0000-0002-1825-009",  # too short
        "0000000218250097",  # no dashes
        "0000-0002-1825-٠٠97",  # non-ASCII digits
        "https://example.org/0000-0002-1825-0097",
        None,
        42,
    ],
)
def test_invalid_ids(value):
    assert normalize_orcid(value) is None
    assert not is_valid_orcid(value)
