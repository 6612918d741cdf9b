"""A researcher's ORCID works: listed with their record here, imported as drafts.

The mapping back (work -> draft) and the matching are table tests; the REST API
runs against the ORCID simulator with works seeded by other sources.
"""

import uuid

import pytest
from invenio_access.permissions import system_identity
from invenio_accounts.testutils import login_user_via_session
from invenio_rdm_records.proxies import current_rdm_records_service
from test_api_resource import csrf, personal_token

from invenio_orcid_push.import_work import (
    GENERIC_RESOURCE_TYPE,
    WORK_TYPE_TO_RESOURCE_TYPE,
    Candidate,
    DraftData,
    draft_from_work,
    fit_draft,
    match_record,
    normalize_doi,
    normalize_title,
)
from invenio_orcid_push.orcid_model import WORK_TYPES
from invenio_orcid_push.work import RESOURCE_TYPE_TO_WORK_TYPE

from helpers import (
    ensure_relation_types,
    ensure_resource_types,
    record_data,
)

# -- The mapping back and the matching (pure) ----------------------------------------


def test_every_work_type_the_push_sends_maps_back_to_a_type_that_maps_to_it():
    for work_type in set(RESOURCE_TYPE_TO_WORK_TYPE.values()):
        resource_type = WORK_TYPE_TO_RESOURCE_TYPE[work_type]
        assert RESOURCE_TYPE_TO_WORK_TYPE[resource_type] == work_type
    assert set(WORK_TYPE_TO_RESOURCE_TYPE) <= WORK_TYPES


@pytest.mark.parametrize(
    "value, expected",
    [
        ("10.1234/ABC", "10.1234/abc"),
        ("https://doi.org/10.1234/Abc", "10.1234/abc"),
        ("http://dx.doi.org/10.1234/abc", "10.1234/abc"),
        ("doi:10.1234/abc ", "10.1234/abc"),
    ],
)
def test_dois_compare_without_case_or_resolver(value, expected):
    assert normalize_doi(value) == expected


MINE = [
    Candidate("rec-doi", {("doi", "10.1234/concept"), ("doi", "10.1234/v2")}),
    Candidate(
        "rec-title", {("uri", "https://repo/records/x")}, "a study of things", "2021"
    ),
]


def work(title="Other", year="2020", *ids, url=None):
    return {
        "title": title,
        "publication_date": {"year": year, "month": None, "day": None},
        "external_ids": [
            {"type": t, "value": v, "relationship": "self"} for t, v in ids
        ],
        "url": url,
    }


@pytest.mark.parametrize(
    "given, expected",
    [
        (work("x", "2020", ("doi", "https://doi.org/10.1234/V2")), "rec-doi"),
        (work("x", "2020", ("doi", "10.1234/CONCEPT")), "rec-doi"),
        (work("x", "2020", url="https://repo/records/x/"), "rec-title"),
        (work("A Study of Things!", "2021"), "rec-title"),
        (work("A Study of Things!", "2022"), None),
        (work("A Study of Other Things", "2021"), None),
        (work("", "2021"), None),
    ],
)
def test_a_work_matches_by_any_shared_identifier_else_title_and_year(given, expected):
    assert match_record(given, MINE) == expected


def test_titles_compare_without_case_accents_or_punctuation():
    assert (
        normalize_title("  Études: a   STUDY—of things. ") == "etudes a study of things"
    )


FULL_WORK = {
    "put_code": "7",
    "title": "Imported article",
    "subtitle": "With a subtitle",
    "journal_title": "Journal of Tests",
    "short_description": "What it is about.",
    "type": "journal-article",
    "publication_date": {"year": "2019", "month": "5", "day": None},
    "external_ids": [
        {"type": "doi", "value": "https://doi.org/10.9999/IMP", "relationship": "self"},
        {"type": "isbn", "value": "978-3-16-148410-0", "relationship": "self"},
        {"type": "doi", "value": "10.9999/series", "relationship": "part-of"},
        {"type": "wosuid", "value": "WOS:1", "relationship": "self"},
    ],
    "url": "https://journal.example.org/imp",
    "contributors": [
        {
            "orcid": "0000-0002-1825-0097",
            "credit_name": "Carberry, Josiah",
            "sequence": "first",
            "role": "author",
        },
        {"orcid": None, "credit_name": "Ada Lovelace", "role": None},
        {
            "orcid": None,
            "credit_name": "Grace Hopper",
            "role": "http://credit.niso.org/contributor-roles/data-curation/",
        },
        {"orcid": None, "credit_name": "", "role": "author"},
    ],
    "language_code": "fr",
}


def test_a_full_work_becomes_draft_data():
    draft = draft_from_work(FULL_WORK)
    metadata = draft.data["metadata"]

    assert metadata["title"] == "Imported article"
    assert metadata["additional_titles"] == [
        {"title": "With a subtitle", "type": {"id": "subtitle"}}
    ]
    assert metadata["resource_type"] == {"id": "publication-article"}
    assert metadata["publication_date"] == "2019-05"
    assert metadata["description"] == "What it is about."
    assert metadata["languages"] == [{"id": "fra"}]
    assert metadata["creators"] == [
        {
            "person_or_org": {
                "type": "personal",
                "family_name": "Carberry",
                "given_name": "Josiah",
                "identifiers": [
                    {"scheme": "orcid", "identifier": "0000-0002-1825-0097"}
                ],
            }
        },
        {
            "person_or_org": {
                "type": "personal",
                "family_name": "Lovelace",
                "given_name": "Ada",
            }
        },
    ]
    assert metadata["contributors"] == [
        {
            "person_or_org": {
                "type": "personal",
                "family_name": "Hopper",
                "given_name": "Grace",
            },
            "role": {"id": "datacurator"},
        }
    ]
    assert draft.data["pids"] == {
        "doi": {"identifier": "10.9999/imp", "provider": "external"}
    }
    assert metadata["identifiers"] == [
        {"scheme": "isbn", "identifier": "978-3-16-148410-0"}
    ]
    assert metadata["related_identifiers"] == [
        {
            "scheme": "doi",
            "identifier": "10.9999/series",
            "relation_type": {"id": "ispartof"},
        },
        {
            "scheme": "url",
            "identifier": "https://journal.example.org/imp",
            "relation_type": {"id": "isidenticalto"},
        },
    ]
    assert draft.data["custom_fields"] == {
        "journal:journal": {"title": "Journal of Tests"}
    }
    assert draft.notes == [("ids-left-out", {"ids": "wosuid: WOS:1"})]


@pytest.mark.parametrize(
    "work_type, journal, expected_type, notes, publisher",
    [
        ("book", "Press", "publication-book", [], "Press"),
        (
            "trademark",
            None,
            GENERIC_RESOURCE_TYPE,
            [("untyped", {"type": "trademark"})],
            None,
        ),
        (None, None, GENERIC_RESOURCE_TYPE, [("untyped", {"type": "-"})], None),
    ],
)
def test_types_without_a_mapping_become_the_generic_one_with_a_note(
    work_type, journal, expected_type, notes, publisher
):
    draft = draft_from_work(
        {"title": "T", "type": work_type, "journal_title": journal, "external_ids": []}
    )
    assert draft.data["metadata"]["resource_type"] == {"id": expected_type}
    assert draft.notes == notes
    assert draft.data["metadata"].get("publisher") == publisher


def test_the_draft_keeps_only_what_the_instance_has():
    have = {("resourcetypes", "publication"), ("contributorsroles", "other")}
    draft = fit_draft(
        draft_from_work(FULL_WORK), lambda kind, id_: (kind, id_) in have, ()
    )
    metadata = draft.data["metadata"]

    assert metadata["resource_type"] == {"id": "publication"}
    assert metadata["contributors"][0]["role"] == {"id": "other"}
    for left_out in ("languages", "additional_titles", "related_identifiers"):
        assert left_out not in metadata
    assert metadata["publisher"] == "Journal of Tests"
    assert draft.data["custom_fields"] == {}
    assert ("type-not-here", {"type": "publication-article"}) in draft.notes


def test_without_even_the_generic_type_the_form_asks_for_one():
    draft = fit_draft(DraftData(draft_from_work(FULL_WORK).data), lambda *a: False)
    assert "resource_type" not in draft.data["metadata"]


# -- The REST API against the simulator ----------------------------------------------


@pytest.fixture(scope="module")
def vocabularies(resource_types):
    ensure_resource_types(
        {
            "publication": ("Publication", "publication"),
            "publication-book": ("Book", "publication"),
        }
    )
    ensure_relation_types({"isidenticalto": "IsIdenticalTo", "ispartof": "IsPartOf"})


@pytest.fixture
def researcher(make_user, link_orcid, publish, vocabularies):
    """A linked user with a record on ORCID (pushed by us) and one with a DOI."""
    user = make_user()
    orcid = link_orcid(user)
    pushed = publish(user, record_data(title="Measured by the API"))
    with_doi = record_data(title="Has a DOI", publication_date="2023")
    doi = f"10.5555/Here-{uuid.uuid4().hex[:8]}"
    with_doi["pids"] = {"doi": {"identifier": doi, "provider": "external"}}
    doi_record = publish(user, with_doi)
    return user, orcid, pushed, doi_record


def seed(simulator, orcid, name="Crossref", **fields):
    """A work put on the ORCID record by another source; returns its put-code."""
    client = simulator.state.register_client(name=name)
    token = simulator.state.issue_token(orcid, client.client_id)
    work = {
        "put_code": None,
        "visibility": None,
        "title": "Untitled",
        "subtitle": None,
        "translated_title": None,
        "journal_title": None,
        "short_description": None,
        "citation": None,
        "type": "journal-article",
        "publication_date": {"year": "2020", "month": None, "day": None},
        "external_ids": [ext("other-id", uuid.uuid4().hex)],
        "url": None,
        "contributors": [],
        "language_code": None,
        "country": None,
        **fields,
    }
    return str(simulator.state.create_work(token, orcid, work))


def ext(id_type, value, relationship="self"):
    return {"type": id_type, "value": value, "url": None, "relationship": relationship}


@pytest.fixture
def seeded(researcher, orcid_simulator):
    user, orcid, pushed, doi_record = researcher
    doi = doi_record["pids"]["doi"]["identifier"]
    imported_doi = f"10.9999/IMP-{uuid.uuid4().hex[:8]}"
    put_codes = {
        "doi": seed(
            orcid_simulator,
            orcid,
            title="Renamed by Crossref",
            external_ids=[ext("doi", f"https://doi.org/{doi.upper()}")],
        ),
        "title": seed(
            orcid_simulator,
            orcid,
            name="Scopus",
            title="MEASURED by the API.",
            publication_date={"year": "2024", "month": "01", "day": None},
            external_ids=[ext("eid", "2-s2.0-1")],
        ),
        "none": seed(
            orcid_simulator,
            orcid,
            title="Imported article",
            subtitle="With a subtitle",
            journal_title="Journal of Tests",
            short_description="What it is about.",
            publication_date={"year": "2019", "month": "05", "day": "02"},
            external_ids=[
                ext("doi", imported_doi),
                ext("isbn", "978-3-16-148410-0"),
                ext("wosuid", "WOS:1"),
            ],
            url="https://journal.example.org/imp",
            contributors=[
                {
                    "orcid": orcid,
                    "credit_name": "Carberry, Josiah",
                    "sequence": "first",
                    "role": "author",
                },
                {
                    "orcid": None,
                    "credit_name": "Grace Hopper",
                    "sequence": "additional",
                    "role": "http://credit.niso.org/contributor-roles/data-curation/",
                },
            ],
            language_code="fr",
        ),
    }
    return user, orcid, pushed, doi_record, put_codes, imported_doi


def works_by_put_code(client, headers=None):
    answer = client.get("/api/user/orcid/works", headers=headers or {})
    assert answer.status_code == 200, answer.json
    return {hit["put_code"]: hit for hit in answer.json["hits"]["hits"]}


def test_the_list_shows_each_work_and_its_record_here(client, seeded, orcid_api_client):
    user, orcid, pushed, doi_record, put_codes, _ = seeded
    login_user_via_session(client, user=user)
    doi = doi_record["pids"]["doi"]["identifier"]

    works = works_by_put_code(client)

    assert len(works) == 5
    by_doi = works[put_codes["doi"]]
    assert by_doi["record"] == doi_record["id"]
    assert by_doi["title"] == "Renamed by Crossref"
    assert by_doi["type"] == "journal-article"
    assert by_doi["publication_date"] == {"year": "2020", "month": None, "day": None}
    assert by_doi["external_ids"] == [
        {
            "type": "doi",
            "value": f"https://doi.org/{doi.upper()}",
            "relationship": "self",
        }
    ]
    assert by_doi["source"] == {"name": "Crossref", "this_repository": False}
    assert by_doi["links"]["record_html"].endswith(f"/records/{doi_record['id']}")
    assert works[put_codes["title"]]["record"] == pushed["id"]
    assert works[put_codes["none"]]["record"] is None
    ours = [hit for hit in works.values() if hit["source"]["this_repository"]]
    assert sorted(hit["record"] for hit in ours) == sorted(
        [pushed["id"], doi_record["id"]]
    )


def test_a_personal_access_token_lists_the_works_too(client, seeded):
    works = works_by_put_code(client, personal_token(seeded[0]))
    assert len(works) == 5


def test_an_import_creates_a_draft_of_the_user_from_the_full_work(
    client, seeded, orcid_simulator
):
    user, orcid, _, _, put_codes, imported_doi = seeded
    login_user_via_session(client, user=user)
    writes = len(orcid_simulator.state.request_log)

    answer = client.post(
        f"/api/user/orcid/works/{put_codes['none']}/import", headers=csrf(client)
    )

    assert answer.status_code == 201, answer.json
    draft_id = answer.json["id"]
    assert answer.json["links"]["self_html"].endswith(f"/uploads/{draft_id}")
    assert answer.json["notes"] == [
        "Identifiers this repository cannot store were left out: wosuid: WOS:1."
    ]
    draft = current_rdm_records_service.read_draft(system_identity, draft_id).to_dict()
    metadata = draft["metadata"]
    assert draft["is_published"] is False
    assert draft["parent"]["access"]["owned_by"] == {"user": str(user.id)}
    assert metadata["title"] == "Imported article"
    assert metadata["additional_titles"][0]["title"] == "With a subtitle"
    assert metadata["resource_type"]["id"] == "publication-article"
    assert metadata["publication_date"] == "2019-05-02"
    assert metadata["description"].startswith("What it is about.")
    assert "wosuid: WOS:1" in str(metadata)  # the note, with the draft
    assert metadata["languages"][0]["id"] == "fra"
    carberry = metadata["creators"][0]["person_or_org"]
    assert (carberry["family_name"], carberry["given_name"]) == ("Carberry", "Josiah")
    assert carberry["identifiers"] == [{"scheme": "orcid", "identifier": orcid}]
    assert metadata["contributors"][0]["person_or_org"]["family_name"] == "Hopper"
    assert metadata["contributors"][0]["role"]["id"] == "datacurator"
    assert draft["pids"]["doi"] == {
        "identifier": imported_doi.lower(),
        "provider": "external",
    }
    assert metadata["identifiers"] == [
        {"scheme": "isbn", "identifier": "978-3-16-148410-0"}
    ]
    assert metadata["related_identifiers"][0]["identifier"] == (
        "https://journal.example.org/imp"
    )
    assert "Journal of Tests" in (
        metadata.get("publisher"),
        draft.get("custom_fields", {}).get("journal:journal", {}).get("title"),
    )
    calls = orcid_simulator.state.request_log[writes:]
    assert [call["method"] for call in calls] == ["GET"]

    works = works_by_put_code(client)
    assert works[put_codes["none"]]["record"] == draft_id
    assert works[put_codes["none"]]["links"]["record_html"].endswith(
        f"/uploads/{draft_id}"
    )

    again = client.post(
        f"/api/user/orcid/works/{put_codes['none']}/import", headers=csrf(client)
    )
    assert again.status_code == 409
    assert draft_id in again.json["message"]


def test_a_work_already_here_is_not_imported(client, seeded):
    user, _, _, doi_record, put_codes, _ = seeded
    login_user_via_session(client, user=user)

    answer = client.post(
        f"/api/user/orcid/works/{put_codes['doi']}/import", headers=csrf(client)
    )

    assert answer.status_code == 409
    assert doi_record["id"] in answer.json["message"]


def test_a_work_without_a_resource_type_here_becomes_a_generic_draft_with_a_note(
    client, researcher, orcid_simulator
):
    user, orcid, _, _ = researcher
    put_code = seed(orcid_simulator, orcid, title="A trademark", type="trademark")
    login_user_via_session(client, user=user)

    answer = client.post(
        f"/api/user/orcid/works/{put_code}/import", headers=csrf(client)
    )

    assert answer.status_code == 201, answer.json
    draft = current_rdm_records_service.read_draft(system_identity, answer.json["id"])
    assert draft.data["metadata"]["resource_type"]["id"] == "publication"
    notes = str(draft.data["metadata"].get("additional_descriptions")) + str(
        draft.data["metadata"].get("description")
    )
    assert "trademark" in notes


@pytest.mark.parametrize("put_code", ["987654321", "not-a-number", "1" * 40])
def test_an_unknown_put_code_is_404(client, researcher, put_code):
    login_user_via_session(client, user=researcher[0])
    answer = client.post(
        f"/api/user/orcid/works/{put_code}/import", headers=csrf(client)
    )
    assert answer.status_code == 404
    assert answer.json["message"]


def test_a_work_orcid_will_not_return_is_404_with_a_message(
    client, researcher, orcid_simulator
):
    user, orcid, _, _ = researcher
    deleted = seed(orcid_simulator, orcid, title="Gone")
    orcid_simulator.state.delete_by_researcher(orcid, int(deleted))
    private = seed(orcid_simulator, orcid, title="Private")
    login_user_via_session(client, user=user)

    answer = client.post(
        f"/api/user/orcid/works/{deleted}/import", headers=csrf(client)
    )
    assert answer.status_code == 404
    assert "private or deleted" in answer.json["message"]

    orcid_simulator.state.inject_fault(403, error_code="9013", times=1)
    answer = client.post(
        f"/api/user/orcid/works/{private}/import", headers=csrf(client)
    )
    assert answer.status_code == 404
    assert "private or deleted" in answer.json["message"]


def test_orcid_unavailable_is_503_never_500(client, researcher, orcid_simulator):
    login_user_via_session(client, user=researcher[0])
    orcid_simulator.state.inject_fault(503, times=1)
    answer = client.get("/api/user/orcid/works")
    assert answer.status_code == 503
    assert answer.json["message"]


def test_without_an_orcid_link_the_answer_says_so(client, make_user):
    user = make_user()
    login_user_via_session(client, user=user)
    assert client.get("/api/user/orcid/works").status_code == 404
    answer = client.post("/api/user/orcid/works/1/import", headers=csrf(client))
    assert answer.status_code == 404
    assert "not connected to an ORCID record" in answer.json["message"]


def test_anonymous_callers_are_told_to_log_in(client):
    assert client.get("/api/user/orcid/works").status_code == 401
    assert client.post("/api/user/orcid/works/1/import").status_code in (400, 401)


@pytest.mark.parametrize("who", ["someone", "admin"])
def test_nobody_reads_or_imports_another_users_orcid_works(
    client, researcher, make_user, admin, who
):
    login_user_via_session(client, user=admin if who == "admin" else make_user())
    other = researcher[0].id
    answer = client.get(f"/api/user/orcid/works?user_id={other}")
    assert answer.status_code == 403
    answer = client.post(
        f"/api/user/orcid/works/1/import?user_id={other}", headers=csrf(client)
    )
    assert answer.status_code == 403


# -- The settings page ---------------------------------------------------------------


def test_the_settings_page_lists_the_works_with_in_this_repository_or_import(
    app, client, seeded
):
    user, _, _, doi_record, put_codes, _ = seeded
    login_user_via_session(client, user=user)

    quiet = client.get("/account/settings/orcid/").get_data(as_text=True)
    assert "Show the works on my ORCID record" in quiet
    assert 'id="orcid-works"' not in quiet

    page = client.get("/account/settings/orcid/?works=1").get_data(as_text=True)
    assert 'id="orcid-works"' in page
    assert f'href="https://repo.example.org/records/{doi_record["id"]}"' in page
    assert "In this repository" in page
    import_path = f"/account/settings/orcid/works/{put_codes['none']}/import"
    assert f'action="{import_path}"' in page

    app.config["WTF_CSRF_ENABLED"] = True
    try:
        refused = client.post(import_path, data={})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert refused.status_code == 400

    done = client.post(import_path, data={})
    assert done.status_code == 302
    draft_id = done.headers["Location"].rsplit("/", 1)[-1]
    assert done.headers["Location"].endswith(f"/uploads/{draft_id}")
    current_rdm_records_service.read_draft(system_identity, draft_id)

    again = client.post(import_path, data={}, follow_redirects=True)
    assert draft_id in again.get_data(as_text=True)


def test_a_work_whose_draft_was_discarded_can_be_imported_again(client, seeded):
    user, _, _, _, put_codes, _ = seeded
    login_user_via_session(client, user=user)
    path = f"/api/user/orcid/works/{put_codes['none']}/import"
    first = client.post(path, headers=csrf(client)).json["id"]

    current_rdm_records_service.delete_draft(system_identity, first)

    works = works_by_put_code(client)
    assert works[put_codes["none"]]["record"] is None
    again = client.post(path, headers=csrf(client))
    assert again.status_code == 201
    assert again.json["id"] != first
