"""Richer identifiers: alternate ids, related ids and funding go to ORCID, so it
groups our work with every other copy; an id another of our works holds is left
out with a note, never a failed push."""

import pytest
from invenio_accounts.testutils import login_user_via_session
from lxml import etree

from invenio_orcid_push import orcid_model as om
from invenio_orcid_push.models import OrcidWorkLedger, SyncStatus
from invenio_orcid_push.notes import ledger_note
from invenio_orcid_push.work import (
    RELATION_TO_RELATIONSHIP,
    SCHEME_TO_ID_TYPE,
    WorkOptions,
    work_from_record,
)

from helpers import record_data


def a_record(resource_type="dataset", **metadata):
    """A record as the record service shows it (landing page as its ``self`` id)."""
    return {
        "id": "abcde-12345",
        "parent": {"id": "fghij-67890"},
        "links": {"self_html": "https://repo.example.org/records/abcde-12345"},
        "pids": {},
        "metadata": {
            "title": "Ocean temperatures 2020",
            "resource_type": {"id": resource_type},
            **metadata,
        },
    }


def ids_of(record):
    work = work_from_record(record, WorkOptions(with_citation=False))
    return work, [(e.type, e.value, e.relationship, e.url) for e in work.external_ids]


def assert_valid(schema, work):
    assert schema.validate(etree.fromstring(work.to_xml())), schema.error_log


LANDING = (
    "uri",
    "https://repo.example.org/records/abcde-12345",
    "self",
    "https://repo.example.org/records/abcde-12345",
)


# -- the converter ----------------------------------------------------------------


@pytest.mark.parametrize(
    "scheme, value, expected",
    [
        ("arxiv", "arXiv:2101.00001", ("arxiv", "https://arxiv.org/abs/2101.00001")),
        (
            "ads",
            "2020ApJ...900..100D",
            ("bibcode", "https://ui.adsabs.harvard.edu/abs/2020ApJ...900..100D"),
        ),
        ("handle", "11234/1-3105", ("handle", "https://hdl.handle.net/11234/1-3105")),
        ("isbn", "978-3-16-148410-0", ("isbn", None)),
        ("pmid", "32184511", ("pmid", "https://pubmed.ncbi.nlm.nih.gov/32184511")),
        (
            "pmcid",
            "PMC7102549",
            ("pmc", "https://europepmc.org/article/pmc/PMC7102549"),
        ),
        (
            "urn",
            "urn:nbn:de:101-2020",
            ("urn", "https://nbn-resolving.org/urn:nbn:de:101-2020"),
        ),
        ("urn", "urn:isbn:9783161484100", ("urn", None)),
        (
            "ark",
            "ark:/13030/tf5p30086k",
            ("ark", "https://n2t.net/ark:/13030/tf5p30086k"),
        ),
        (
            "doi",
            "10.48550/arXiv.2101.00001",
            ("doi", "https://doi.org/10.48550/arXiv.2101.00001"),
        ),
        ("url", "https://example.org/a b", ("uri", "https://example.org/a%20b")),
        ("purl", "http://purl.org/x", ("uri", "http://purl.org/x")),
        ("w3id", "https://w3id.org/x", ("uri", "https://w3id.org/x")),
        (
            "rrid",
            "RRID:AB_2314866",
            ("rrid", "https://identifiers.org/rrid/RRID:AB_2314866"),
        ),
    ],
)
def test_alternate_identifiers_become_self_ids_of_orcids_types(
    work_schema, scheme, value, expected
):
    record = a_record(identifiers=[{"scheme": scheme, "identifier": value}])
    work, ids = ids_of(record)
    id_type, url = expected
    assert ids == [LANDING, (id_type, value, "self", url)]
    assert_valid(work_schema, work)


@pytest.mark.parametrize(
    "scheme",
    ["ean13", "upc", "istc", "lsid", "isni", "grid", "wikidata", "other", "sra"],
)
def test_schemes_orcid_has_no_type_for_are_left_out(scheme):
    _, ids = ids_of(a_record(identifiers=[{"scheme": scheme, "identifier": "12345"}]))
    assert ids == [LANDING]


def test_the_scheme_table_covers_inveniordms_schemes_and_names_only_orcid_types():
    from invenio_rdm_records.config import RDM_RECORDS_IDENTIFIERS_SCHEMES

    left_out = {"crossreffunderid", "cstr", "ean13", "grid", "igsn", "isni", "istc"}
    left_out |= {"lsid", "upc", "wikidata", "other"}
    assert set(RDM_RECORDS_IDENTIFIERS_SCHEMES) - left_out <= set(SCHEME_TO_ID_TYPE)
    assert set(SCHEME_TO_ID_TYPE.values()) <= om.EXTERNAL_ID_TYPES
    assert set(RELATION_TO_RELATIONSHIP.values()) <= om.RELATIONSHIPS - {"self"}


@pytest.mark.parametrize(
    "resource_type, scheme, relationship",
    [
        ("publication-book", "isbn", "self"),
        ("publication-section", "isbn", "part-of"),
        ("publication-conferencepaper", "isbn", "part-of"),
        ("publication-article", "issn", "part-of"),
        ("publication-journal", "issn", "self"),
        ("publication-article", "eissn", "part-of"),
    ],
)
def test_a_books_isbn_and_a_journals_issn_are_part_of_for_their_parts(
    work_schema, resource_type, scheme, relationship
):
    value = "978-3-16-148410-0" if scheme == "isbn" else "2049-3630"
    record = a_record(
        resource_type, identifiers=[{"scheme": scheme, "identifier": value}]
    )
    work, ids = ids_of(record)
    assert ids[1][2] == relationship
    assert_valid(work_schema, work)


def related(identifier, relation, scheme="doi"):
    return {
        "identifier": identifier,
        "scheme": scheme,
        "relation_type": {"id": relation},
    }


def test_related_identifiers_map_to_part_of_and_version_of_never_self(work_schema):
    record = a_record(
        related_identifiers=[
            related("10.5555/book", "ispartof"),
            related("2049-3630", "ispublishedin", "issn"),
            related("10.5555/article", "isversionof"),
            related("arXiv:2101.00002", "hasversion", "arxiv"),
            related("10.5555/copy", "isidenticalto"),
            related("10.5555/cited", "cites"),
            related("10.5555/older", "isnewversionof"),
            related("10.5555/supplement", "issupplementto"),
            related("10.5555/whole", "haspart"),
        ]
    )
    work, ids = ids_of(record)
    assert [(t, v, r) for t, v, r, _ in ids[1:]] == [
        ("doi", "10.5555/book", "part-of"),
        ("issn", "2049-3630", "part-of"),
        ("doi", "10.5555/article", "version-of"),
        ("arxiv", "arXiv:2101.00002", "version-of"),
        ("doi", "10.5555/copy", "version-of"),
    ]
    assert_valid(work_schema, work)


def test_funding_awards_become_funded_by_grant_numbers(work_schema):
    record = a_record(
        funding=[
            {
                "funder": {"id": "00k4n6c32", "name": "European Commission"},
                "award": {
                    "id": "00k4n6c32::101000001",
                    "number": "101000001",
                    "title": {"en": "A project"},
                    "identifiers": [
                        {
                            "scheme": "url",
                            "identifier": "https://cordis.europa.eu/projects/101000001",
                        }
                    ],
                },
            },
            {"funder": {"name": "A foundation"}, "award": {"number": " FX-12 "}},
            {"funder": {"name": "No award"}},
            {
                "funder": {"name": "Award DOI"},
                "award": {
                    "number": "77",
                    "identifiers": [{"scheme": "doi", "identifier": "10.3030/77"}],
                },
            },
        ]
    )
    work, ids = ids_of(record)
    assert ids[1:] == [
        (
            "grant_number",
            "101000001",
            "funded-by",
            "https://cordis.europa.eu/projects/101000001",
        ),
        ("grant_number", "FX-12", "funded-by", None),
        ("grant_number", "77", "funded-by", "https://doi.org/10.3030/77"),
    ]
    assert_valid(work_schema, work)


def test_an_identifier_is_sent_once_and_the_primary_id_first():
    record = a_record(
        identifiers=[
            {
                "scheme": "url",
                "identifier": "https://repo.example.org/records/abcde-12345",
            },
            {"scheme": "isbn", "identifier": "978-3-16-148410-0"},
            {"scheme": "isbn", "identifier": "9783161484100"},
        ],
        related_identifiers=[related("978-3-16-148410-0", "ispartof", "isbn")],
    )
    _, ids = ids_of(record)
    assert ids == [LANDING, ("isbn", "978-3-16-148410-0", "self", None)]


def test_many_or_overlong_identifiers_are_capped(work_schema):
    record = a_record(
        identifiers=[
            {"scheme": "handle", "identifier": f"11234/{i}"} for i in range(500)
        ]
        + [{"scheme": "handle", "identifier": "11234/" + "x" * 5000}],
        funding=[{"award": {"number": "\x0b\x85 7\x00"}}],
    )
    work, ids = ids_of(record)
    assert len(ids) == 1 + 50
    assert all(len(value) <= 1000 for _, value, _, _ in ids)
    assert_valid(work_schema, work)


# -- through the whole stack ------------------------------------------------------


def with_identifiers(title, *identifiers, resource_type="publication-article"):
    data = record_data(title=title, resource_type=resource_type)
    data["metadata"]["identifiers"] = [
        {"scheme": scheme, "identifier": value} for scheme, value in identifiers
    ]
    return data


def test_a_shared_alternate_id_is_left_out_of_the_later_work_with_a_note(
    make_user, link_orcid, publish, orcid_simulator, client
):
    user = make_user()
    orcid = link_orcid(user)
    first = publish(
        user,
        with_identifiers(
            "The preprint", ("arxiv", "arXiv:2101.00001"), ("pmid", "32184511")
        ),
    )
    second = publish(
        user,
        with_identifiers(
            "Its dataset, citing the same arXiv id",
            ("arxiv", "2101.00001"),
            ("handle", "11234/1-3105"),
        ),
    )

    works = {w.work["title"]: w for w in orcid_simulator.state.works_of(orcid)}
    assert set(works) == {"The preprint", "Its dataset, citing the same arXiv id"}
    first_ids = [
        (e["type"], e["value"]) for e in works["The preprint"].work["external_ids"]
    ]
    assert ("arxiv", "arXiv:2101.00001") in first_ids
    second_ids = [
        (e["type"], e["value"], e["relationship"])
        for e in works["Its dataset, citing the same arXiv id"].work["external_ids"]
    ]
    assert second_ids == [
        ("uri", second["links"]["self_html"], "self"),
        ("handle", "11234/1-3105", "self"),
    ]

    entry = OrcidWorkLedger.get(orcid, second["parent"]["id"])
    assert entry.status == SyncStatus.SYNCED
    assert entry.ids_left_out == ["arxiv:arXiv:2101.00001"]
    note = (
        "The work on ORCID leaves out arXiv arXiv:2101.00001: another work from "
        "this repository on that ORCID record already has it as its own "
        "identifier, and ORCID accepts it on one work only."
    )
    assert ledger_note(entry) == note
    assert ledger_note(OrcidWorkLedger.get(orcid, first["parent"]["id"])) is None

    login_user_via_session(client, user=user)
    response = client.get(f"/api/records/{second.id}/orcid")
    (hit,) = response.json["hits"]["hits"]
    assert (hit["status"], hit["note"]) == ("synced", note)


def test_an_edit_that_adds_a_shared_id_updates_the_work_without_it(
    make_user, link_orcid, depositor_of, orcid_simulator
):
    user = make_user()
    orcid = link_orcid(user)
    depositor = depositor_of(user)
    depositor.publish(with_identifiers("A book", ("isbn", "978-3-16-148410-0")))
    other = depositor.publish(with_identifiers("Another book"))

    depositor.edit(
        other.id,
        lambda data: data["metadata"].update(
            identifiers=[{"scheme": "isbn", "identifier": "9783161484100"}]
        ),
    )

    works = {w.work["title"]: w.work for w in orcid_simulator.state.works_of(orcid)}
    assert [e["type"] for e in works["Another book"]["external_ids"]] == ["uri"]
    assert [e["type"] for e in works["A book"]["external_ids"]] == ["uri", "isbn"]
    entry = OrcidWorkLedger.get(orcid, other["parent"]["id"])
    assert entry.status == SyncStatus.SYNCED
    assert [i.split(":", 1)[0] for i in entry.ids_left_out] == ["isbn"]
