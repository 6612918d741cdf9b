"""Which work of ours is adopted instead of creating one, as a table.

``choose`` and ``family_ids`` read nothing but their arguments (no app, no
database, no HTTP): each row is the whole story of one decision.
"""

import pytest

from invenio_orcid_push.adoption import Adoption, choose, family_ids, id_key
from invenio_orcid_push.family import RecordFamily

OURS, THEIRS = "APP-OURS", "APP-THEIRS"
SITE = "https://repo.example.org/records"


def record(record_id, doi=None, concept=None):
    """A record as the service dumps it (only what adoption reads)."""
    return {
        "id": record_id,
        "pids": {"doi": {"identifier": doi}} if doi else {},
        "parent": {
            "id": "fam-1",
            "pids": {"doi": {"identifier": concept}} if concept else {},
        },
        "links": {"self_html": f"{SITE}/{record_id}"},
    }


V1, V2 = ("v1", "10.5555/v1"), ("v2", "10.5555/v2")
FAMILY = RecordFamily(
    key="fam-1", record=record("v2", "10.5555/v2", "10.5555/c"), versions=(V2, V1)
)
PER_VERSION_V1 = RecordFamily(
    key="v1", record=record("v1", "10.5555/v1", "10.5555/c"), versions=(V1,)
)
PER_VERSION_V2 = RecordFamily(
    key="v2", record=record("v2", "10.5555/v2", "10.5555/c"), versions=(V2,)
)


def work(put_code, *ids, source=OURS):
    """A work summary as ``client.list_works`` gives it: ids are (type, value, rel)."""
    return {
        "put_code": str(put_code),
        "source_client_id": source,
        "external_ids": [{"type": t, "value": v, "relationship": r} for t, v, r in ids],
    }


FAMILY_WORK = work(1, ("doi", "10.5555/c", "self"), ("doi", "10.5555/v2", "version-of"))
OWN_V1 = work(2, ("doi", "10.5555/v1", "self"))
OWN_V2 = work(3, ("doi", "10.5555/V2", "self"))
THEIRS_V2 = work(4, ("doi", "10.5555/v2", "self"), source=THEIRS)
LANDING_V1 = work(5, ("uri", f"{SITE}/v1/", "self"))
DOI_LINK_V1 = work(6, ("uri", "https://doi.org/10.5555/v1", "self"))
UNRELATED = work(7, ("doi", "10.5555/other", "self"))

# (family, summaries, protected put-codes) -> adoption
TABLE = [
    # Nothing of ours cites the family: create.
    (FAMILY, [], (), None),
    (FAMILY, [UNRELATED], (), None),
    # Another source's work is never touched, whatever it cites.
    (FAMILY, [THEIRS_V2], (), None),
    (PER_VERSION_V2, [THEIRS_V2, UNRELATED], (), None),
    # Family mode: any DOI of the family, any relationship, or a landing page.
    (FAMILY, [FAMILY_WORK], (), Adoption("1")),
    (FAMILY, [OWN_V1], (), Adoption("2")),
    (FAMILY, [LANDING_V1], (), Adoption("5")),
    (FAMILY, [DOI_LINK_V1], (), Adoption("6")),
    # Per-version works of the family: the latest version's is kept, the rest deleted.
    (FAMILY, [OWN_V1, OWN_V2, THEIRS_V2], (), Adoption("3", ("2",))),
    (FAMILY, [OWN_V1, LANDING_V1], (), Adoption("2", ("5",))),
    # Per-version mode: a version claims its own DOI only (the family work cites
    # the latest version's), never a sibling's work nor the concept DOI alone.
    (PER_VERSION_V2, [FAMILY_WORK, OWN_V1], (), Adoption("1")),
    (PER_VERSION_V1, [FAMILY_WORK], (), None),
    (PER_VERSION_V1, [OWN_V2, LANDING_V1], (), Adoption("5")),
    # A work another family's ledger row holds is never adopted nor deleted.
    (FAMILY, [OWN_V1, OWN_V2], ("3",), Adoption("2")),
    (PER_VERSION_V2, [FAMILY_WORK], ("1",), None),
]


@pytest.mark.parametrize("family, summaries, protected, expected", TABLE)
def test_adoption_table(family, summaries, protected, expected):
    assert choose(summaries, OURS, family_ids(family), frozenset(protected)) == expected


def test_without_our_client_id_nothing_is_adopted():
    assert choose([FAMILY_WORK], None, family_ids(FAMILY)) is None


def test_a_summary_without_put_code_is_skipped():
    broken = {**OWN_V2, "put_code": None}
    assert choose([broken], OURS, family_ids(FAMILY)) is None


def test_family_ids_prefer_the_shown_version_then_the_concept_then_older_versions():
    assert family_ids(FAMILY) == [
        ("doi", "10.5555/v2"),
        ("url", f"{SITE}/v2"),
        ("doi", "10.5555/c"),
        ("doi", "10.5555/v1"),
        ("url", f"{SITE}/v1"),
    ]
    assert family_ids(PER_VERSION_V1) == [("doi", "10.5555/v1"), ("url", f"{SITE}/v1")]


@pytest.mark.parametrize(
    "id_type, value, key",
    [
        ("doi", " 10.5555/ABC ", ("doi", "10.5555/abc")),
        ("uri", "https://doi.org/10.5555/abc", ("doi", "10.5555/abc")),
        ("doi", "doi:10.5555/abc", ("doi", "10.5555/abc")),
        (
            "uri",
            "https://Repo.example.org/records/x/",
            ("url", "https://repo.example.org/records/x"),
        ),
        ("other-id", "12345", None),
        ("doi", None, None),
        ("doi", 42, None),
    ],
)
def test_identifiers_compare_as_their_readers_would(id_type, value, key):
    assert id_key(id_type, value) == key
