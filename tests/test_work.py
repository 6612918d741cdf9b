"""Turning records into ORCID works: every payload is valid against ORCID's XSD."""

import pytest
from lxml import etree

from invenio_orcid_push import orcid_model
from invenio_orcid_push.work import (
    ELLIPSIS,
    RESOURCE_TYPE_TO_WORK_TYPE,
    WorkConversionError,
    publication_date_parts,
    work_from_record,
)


def a_record(**metadata):
    """A record as the record service shows it."""
    record = {
        "id": "abcde-12345",
        "parent": {"id": "fghij-67890"},
        "links": {"self_html": "https://repo.example.org/records/abcde-12345"},
        "pids": {},
        "metadata": {
            "title": "Ocean temperatures 2020",
            "resource_type": {"id": "dataset"},
            "publication_date": "2020-06-01",
            "creators": [
                {
                    "person_or_org": {
                        "type": "personal",
                        "name": "Doe, Jane",
                        "given_name": "Jane",
                        "family_name": "Doe",
                    }
                }
            ],
        },
    }
    record["metadata"].update(metadata)
    return record


def convert(record):
    """The work of a record, without the citation (it needs the Flask app)."""
    from invenio_orcid_push.work import WorkOptions

    return work_from_record(record, WorkOptions(with_citation=False))


def assert_valid(schema, work):
    document = etree.fromstring(work.to_xml())
    assert schema.validate(document), schema.error_log


def test_the_resource_type_table_covers_inveniordms_default_vocabulary():
    from importlib.resources import files

    import yaml

    path = (
        files("invenio_rdm_records") / "fixtures/data/vocabularies/resource_types.yaml"
    )
    default_ids = {entry["id"] for entry in yaml.safe_load(path.read_text())}
    assert default_ids - set(RESOURCE_TYPE_TO_WORK_TYPE) == set()
    assert set(RESOURCE_TYPE_TO_WORK_TYPE.values()) <= orcid_model.WORK_TYPES


@pytest.mark.parametrize("type_id", sorted(RESOURCE_TYPE_TO_WORK_TYPE))
def test_every_mapped_resource_type_gives_a_valid_work(work_schema, type_id):
    work = convert(a_record(resource_type={"id": type_id}))
    assert work.type == RESOURCE_TYPE_TO_WORK_TYPE[type_id]
    assert_valid(work_schema, work)


def test_a_record_without_title_is_refused_with_a_reason():
    with pytest.raises(WorkConversionError, match="no title"):
        convert(a_record(title="   "))


def test_an_unknown_resource_type_is_refused_with_a_reason():
    with pytest.raises(
        WorkConversionError, match="'dataset-custom' has no ORCID work type"
    ):
        convert(a_record(resource_type={"id": "dataset-custom"}))


def test_a_record_without_any_identifier_is_refused():
    record = a_record()
    record["links"] = {}
    with pytest.raises(WorkConversionError, match="neither a DOI nor a landing page"):
        convert(record)


def test_long_title_and_description_are_cut_to_orcids_limits(work_schema):
    work = work_from_record(
        a_record(title="T" * 1200, description="<p>" + "word " * 2000 + "</p>")
    )
    assert len(work.title) == 1000 and work.title.endswith(ELLIPSIS)
    assert len(work.short_description) <= 5000
    assert work.short_description.endswith(ELLIPSIS)
    assert "<p>" not in work.short_description
    assert_valid(work_schema, work)


def test_an_overlong_credit_name_is_cut(work_schema):
    creators = [{"person_or_org": {"type": "organizational", "name": "N" * 300}}]
    work = convert(a_record(creators=creators))
    assert len(work.contributors[0].credit_name) == 150
    assert_valid(work_schema, work)


def test_an_invalid_orcid_in_the_metadata_is_left_out_but_the_name_kept(work_schema):
    creators = [
        {
            "person_or_org": {
                "type": "personal",
                "name": "Doe, Jane",
                "identifiers": [
                    {"scheme": "orcid", "identifier": "0000-0002-1825-0098"}
                ],
            }
        }
    ]
    work = convert(a_record(creators=creators))
    assert work.contributors[0].orcid is None
    assert work.contributors[0].credit_name == "Doe, Jane"
    assert_valid(work_schema, work)


@pytest.mark.parametrize(
    "edtf, parts",
    [
        ("2020", ("2020", None, None)),
        ("2020-06", ("2020", "06", None)),
        ("2020-06-01", ("2020", "06", "01")),
        ("2019-01/2020-12", ("2019", "01", None)),
        ("1850-01-01", None),
        ("2020-13", ("2020", None, None)),
        ("", None),
    ],
)
def test_publication_dates_partial_ranges_and_out_of_range(edtf, parts):
    assert publication_date_parts(edtf) == parts


def test_partial_dates_give_valid_works(work_schema):
    for edtf in ("2020", "2020-06", "2019-01/2020-12", "1850"):
        assert_valid(work_schema, convert(a_record(publication_date=edtf)))


def test_equal_content_gives_equal_payload_hash():
    assert convert(a_record()).payload_hash() == convert(a_record()).payload_hash()
    assert (
        convert(a_record()).payload_hash()
        != convert(a_record(title="Another title")).payload_hash()
    )


def test_the_put_code_is_carried_for_updates(work_schema):
    document = etree.fromstring(convert(a_record()).to_xml(put_code=1234))
    assert document.get("put-code") == "1234"
    assert work_schema.validate(document), work_schema.error_log


# -- randomized records ----------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from invenio_orcid_push.work import WorkOptions  # noqa: E402

any_text = st.text(max_size=1500)
orcid_like = st.one_of(
    st.sampled_from(
        [
            "0000-0002-1825-0097",
            "0000-0002-4325-871X",
            "https://orcid.org/0000-0002-1825-0097",
        ]
    ),
    st.from_regex(r"\A\d{4}-\d{4}-\d{4}-\d{3}[\dX]\Z"),
    any_text,
)
people = st.lists(
    st.fixed_dictionaries(
        {
            "person_or_org": st.fixed_dictionaries(
                {
                    "type": st.sampled_from(["personal", "organizational"]),
                    "name": st.text(max_size=300),
                    "identifiers": st.lists(
                        st.fixed_dictionaries(
                            {
                                "scheme": st.sampled_from(["orcid", "gnd"]),
                                "identifier": orcid_like,
                            }
                        ),
                        max_size=2,
                    ),
                }
            )
        },
        optional={
            "role": st.fixed_dictionaries(
                {
                    "id": st.sampled_from(
                        ["supervisor", "datacurator", "other", "editor", "x"]
                    )
                }
            )
        },
    ),
    max_size=8,
)
random_records = st.fixed_dictionaries(
    {
        "id": st.just("abcde-12345"),
        "links": st.just({"self_html": "https://repo.example.org/records/abcde-12345"}),
        "pids": st.one_of(
            st.just({}),
            st.builds(
                lambda suffix: {"doi": {"identifier": f"10.5555/{suffix}"}},
                st.from_regex(r"\A[a-z0-9.]{1,20}\Z"),
            ),
        ),
        "parent": st.one_of(
            st.just({}), st.just({"pids": {"doi": {"identifier": "10.5555/c"}}})
        ),
        "metadata": st.fixed_dictionaries(
            {
                "title": any_text,
                "resource_type": st.fixed_dictionaries(
                    {"id": st.sampled_from(sorted(RESOURCE_TYPE_TO_WORK_TYPE))}
                ),
                "publication_date": st.one_of(
                    st.from_regex(r"\A\d{4}(-\d{2}(-\d{2})?)?(/\d{4}(-\d{2})?)?\Z"),
                    any_text,
                ),
                "description": st.one_of(
                    any_text, any_text.map(lambda t: f"<p>{t}</p><b>x</b>")
                ),
                "creators": people,
                "contributors": people,
                "additional_titles": st.lists(
                    st.fixed_dictionaries(
                        {
                            "title": any_text,
                            "type": st.fixed_dictionaries(
                                {
                                    "id": st.sampled_from(
                                        [
                                            "subtitle",
                                            "translated-title",
                                            "alternative-title",
                                        ]
                                    )
                                }
                            ),
                            "lang": st.fixed_dictionaries(
                                {
                                    "id": st.sampled_from(
                                        ["fra", "eng", "heb", "zho", "haw", "xx"]
                                    )
                                }
                            ),
                        }
                    ),
                    max_size=3,
                ),
                "languages": st.lists(
                    st.fixed_dictionaries(
                        {"id": st.sampled_from(["eng", "ind", "yid", "tlh"])}
                    ),
                    max_size=2,
                ),
            }
        ),
    }
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record=random_records, journal=st.one_of(st.none(), any_text))
def test_any_record_gives_a_schema_valid_work_or_a_readable_reason(
    work_schema, record, journal
):
    options = WorkOptions(journal_title=journal, with_citation=False)
    try:
        work = work_from_record(record, options)
    except WorkConversionError as exc:
        assert str(exc).endswith(".")
        return
    assert_valid(work_schema, work)
    assert 1 <= len(work.title) <= 1000
    assert any(e.relationship == "self" for e in work.external_ids)
