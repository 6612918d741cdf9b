"""The work carries the record's full content, as ORCID shows it."""

from helpers import record_data


def test_titles_language_roles_journal_and_citation_reach_orcid(
    make_user, link_orcid, publish, orcid_simulator
):
    user = make_user()
    orcid = link_orcid(user)
    data = record_data(
        title="Ocean temperatures",
        additional_titles=[
            {"title": "Hourly readings 2020-2024", "type": {"id": "subtitle"}},
            {
                "title": "Températures océaniques",
                "type": {"id": "translated-title"},
                "lang": {"id": "fra"},
            },
        ],
        languages=[{"id": "eng"}],
        creators=[
            {
                "person_or_org": {
                    "type": "personal",
                    "given_name": "Josiah",
                    "family_name": "Carberry",
                }
            },
            {
                "person_or_org": {
                    "type": "personal",
                    "given_name": "Ada",
                    "family_name": "Lovelace",
                },
                "role": {"id": "supervisor"},
            },
        ],
        contributors=[
            {
                "person_or_org": {
                    "type": "personal",
                    "given_name": "Grace",
                    "family_name": "Hopper",
                },
                "role": {"id": "datacurator"},
            },
            {
                "person_or_org": {"type": "organizational", "name": "Help Desk"},
                "role": {"id": "contactperson"},
            },
        ],
    )

    publish(user, data)

    (stored,) = orcid_simulator.state.works_of(orcid)
    work = stored.work
    assert work["subtitle"] == "Hourly readings 2020-2024"
    assert work["translated_title"] == {
        "value": "Températures océaniques",
        "language_code": "fr",
    }
    assert work["language_code"] == "en"
    assert work["journal_title"] == "Test Repository"
    assert work["citation"]["type"] == "bibtex"
    assert work["citation"]["value"].startswith("@")
    assert "Ocean temperatures" in work["citation"]["value"]
    assert [
        (c["credit_name"], c["sequence"], c["role"]) for c in work["contributors"]
    ] == [
        ("Carberry, Josiah", "first", "author"),
        (
            "Lovelace, Ada",
            "additional",
            "http://credit.niso.org/contributor-roles/supervision/",
        ),
        (
            "Hopper, Grace",
            "additional",
            "http://credit.niso.org/contributor-roles/data-curation/",
        ),
        ("Help Desk", "additional", None),
    ]


def test_the_journal_title_is_configurable_and_can_be_left_out(
    app, make_user, link_orcid, publish, orcid_simulator
):
    user = make_user()
    orcid = link_orcid(user)
    app.config["ORCID_PUSH_JOURNAL_TITLE"] = ""
    try:
        publish(user, record_data())
    finally:
        app.config["ORCID_PUSH_JOURNAL_TITLE"] = None
    (stored,) = orcid_simulator.state.works_of(orcid)
    assert stored.work["journal_title"] is None
