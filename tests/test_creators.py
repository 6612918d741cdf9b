"""The linked iD lands on the researcher's own entry, and never on a guess.

Unit tests of :func:`add_linked_orcid` with the link and the name ORCID gave
for it stubbed (the publish flow is covered in test_doi_first.py).
"""

from types import SimpleNamespace

import pytest

from invenio_orcid_push import creators
from invenio_orcid_push.creators import add_linked_orcid

ORCID = "0000-0002-1825-0097"
OTHER = "0000-0002-4325-871X"


@pytest.fixture
def linked(monkeypatch):
    """Link user 1 to ``ORCID`` under the name ORCID gave (``None``: no link)."""

    def link(full_name="Josiah Carberry", orcid=ORCID):
        account = SimpleNamespace(extra_data={"full_name": full_name})
        monkeypatch.setattr(
            creators,
            "orcid_link_of",
            lambda user_id: SimpleNamespace(orcid=orcid) if orcid else None,
        )
        monkeypatch.setattr(creators, "orcid_client_id", lambda: "client")
        monkeypatch.setattr(
            creators,
            "RemoteAccount",
            SimpleNamespace(get=lambda user_id, client_id: account),
        )

    return link


def person(name=None, kind="personal", orcid=None, **names):
    entry = {"person_or_org": {"type": kind, **names}}
    if name:
        entry["person_or_org"]["name"] = name
    if orcid:
        entry["person_or_org"]["identifiers"] = [
            {"scheme": "orcid", "identifier": orcid}
        ]
    return entry


def orcids(entries):
    return [creators.entry_orcid(entry) for entry in entries]


def test_the_one_entry_with_the_name_gets_the_id(linked):
    linked()
    metadata = {
        "creators": [person("Doe, Jane"), person("Carberry, Josiah")],
        "contributors": [person(given_name="Jösiah", family_name="CARBERRY")],
    }

    assert add_linked_orcid(metadata, 1) == ["creators.1", "contributors.0"]
    assert orcids(metadata["creators"]) == [None, ORCID]
    assert orcids(metadata["contributors"]) == [ORCID]


@pytest.mark.parametrize(
    "entries",
    [
        [person("Josiah Carberry"), person("Carberry, Josiah")],  # namesakes
        [person("Josiah Carberry", kind="organizational")],
        [person("Josiah Carberry", orcid=OTHER)],
        [person("Josiah Carberry Jr")],
    ],
    ids=["namesakes", "organization", "has-another-id", "other-name"],
)
def test_no_single_unidentified_person_with_the_name_gets_nothing(linked, entries):
    linked()
    metadata = {"creators": entries}

    assert add_linked_orcid(metadata, 1) == []
    assert metadata == {"creators": entries}
    assert ORCID not in orcids(entries)


def test_an_id_already_on_the_record_is_not_added_again(linked):
    linked()
    metadata = {
        "creators": [person("Josiah Carberry")],
        "contributors": [person("Someone", orcid=f"https://orcid.org/{ORCID}")],
    }

    assert add_linked_orcid(metadata, 1) == []
    assert orcids(metadata["creators"]) == [None]


@pytest.mark.parametrize("full_name, orcid", [("Josiah Carberry", None), ("", ORCID)])
def test_without_a_link_or_its_name_nothing_changes(linked, full_name, orcid):
    linked(full_name=full_name, orcid=orcid)
    metadata = {"creators": [person("Josiah Carberry")]}

    assert add_linked_orcid(metadata, 1) == []
    assert orcids(metadata["creators"]) == [None]
