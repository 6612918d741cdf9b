"""Hostile records: every record becomes a valid work ORCID accepts, or a readable refusal.

Fuzzing found records that crashed the converter (control characters, lone
surrogates) and works ORCID refuses (bodies over 1 MB from thousands of
creators, DOIs put into URLs without percent-encoding). The property test
throws such records at the converter; the examples push them through the
whole stack to the ORCID simulator, which refuses what ORCID refuses.
"""

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from invenio_orcid_push import orcid_model as om
from invenio_orcid_push.models import OrcidWorkLedger, SyncStatus
from invenio_orcid_push.notes import ledger_note
from invenio_orcid_push.work import (
    RESOURCE_TYPE_TO_WORK_TYPE,
    WorkConversionError,
    WorkOptions,
    work_from_record,
    xml_text,
)

from helpers import person, record_data
from simulators.state import is_uri

ODD_DOI = "10.1642/0004-8038(2004)121[0593:TPOPAS]2.0.CO;2"
VALID_ORCIDS = ["0000-0002-1825-0097", "0000-0002-4325-871X", "0000-0001-5109-3700"]

# -- what hostile records are made of ---------------------------------------------

hostile_bits = st.sampled_from(
    [
        "\x00",
        "\x01",
        "\x0b",
        "\x0c",
        "\x1f",
        "\x7f",
        "\x85",
        "\x9f",
        "\ud800",
        "\udfff",
        "\ufffe",
        "\uffff",
        "\u2028",
        "\U0001f600",
        "&amp;",
        "&#0;",
        "&nbsp;",
        "<b>",
        "</p>",
        "<script>alert(1)</script>",
        "<!-- c -->",
        "]]>",
        "<?xml version='1.0'?>",
        "%",
        "%zz",
        "%41",
        "#",
        "[",
        "]",
        " ",
        "\t\n",
        "é",
        "ß",
        "中文",
    ]
)
any_char = st.characters(codec=None, exclude_categories=())  # surrogates included
hostile_text = st.lists(
    st.one_of(hostile_bits, st.text(any_char, max_size=20)), max_size=12
).map("".join)
long_text = st.one_of(
    hostile_text, hostile_text.map(lambda t: (t or "x") * 600)
)  # beyond ORCID's 1000 and 5000 character limits


def vocabulary(ids):
    """``{"id": ...}`` of a known id, an odd one, or a wrong shape."""
    return st.one_of(
        st.fixed_dictionaries({"id": st.sampled_from(ids)}),
        st.fixed_dictionaries({"id": hostile_text}),
        st.just({}),
        st.just({"id": None}),
        st.just({"id": ["list"]}),
    )


identifier_text = st.one_of(
    st.just(ODD_DOI),
    st.builds(lambda s: f"10.5555/{s}", hostile_text),
    st.text(string.printable + "[]#%é ", max_size=40),
    hostile_text,
)
orcid_entry = st.one_of(
    st.sampled_from(VALID_ORCIDS),
    st.sampled_from(VALID_ORCIDS).map(lambda o: f"https://orcid.org/{o}"),
    hostile_text,
)
name_identifier = st.fixed_dictionaries(
    {
        "scheme": st.sampled_from(["orcid", "gnd", "isni", "ror", "\x00"]),
        "identifier": orcid_entry,
    }
)
one_person = st.fixed_dictionaries(
    {
        "person_or_org": st.fixed_dictionaries(
            {"type": st.sampled_from(["personal", "organizational"])},
            optional={
                "name": hostile_text,
                "given_name": hostile_text,
                "family_name": hostile_text,
                "identifiers": st.lists(name_identifier, max_size=2),
            },
        )
    },
    optional={"role": vocabulary(["supervisor", "datacurator", "editor", "other"])},
)


def crowd(size, orcid_every):
    """``size`` people, one in ``orcid_every`` with a valid ORCID iD."""
    return [
        person(
            f"Given{i}\x0b",
            f"Family {i} " + "n" * (i % 150),
            VALID_ORCIDS[i % 3] if i % orcid_every == 0 else None,
        )
        for i in range(size)
    ]


people = st.one_of(
    st.lists(one_person, max_size=6),
    st.builds(crowd, st.integers(200, 3000), st.integers(1, 500)),
    st.just([None, "x", 3]),
)
pids = st.one_of(
    st.just({}),
    st.fixed_dictionaries(
        {"doi": st.fixed_dictionaries({"identifier": identifier_text})}
    ),
    st.just({"doi": {"identifier": None}}),
)
landing = st.one_of(
    st.just("https://repo.example.org/records/abcde-12345"),
    st.builds(lambda t: f"https://repo.example.org/records/{t}", hostile_text),
    hostile_text,
)
schemes = st.one_of(
    st.sampled_from(
        ["arxiv", "ads", "doi", "handle", "isbn", "issn", "pmid", "pmcid", "urn"]
        + ["ark", "url", "purl", "w3id", "ean13", "lsid", "other", "ARXIV", ""]
    ),
    hostile_text,
    st.none(),
)
scheme_identifier = st.fixed_dictionaries(
    {"scheme": schemes, "identifier": st.one_of(identifier_text, st.none(), st.just(5))}
)
related_identifier = st.fixed_dictionaries(
    {
        "scheme": schemes,
        "identifier": identifier_text,
        "relation_type": vocabulary(["ispartof", "isversionof", "cites", "haspart"]),
    }
)
awards = st.fixed_dictionaries(
    {},
    optional={
        "award": st.fixed_dictionaries(
            {},
            optional={
                "number": st.one_of(identifier_text, long_text, st.none()),
                "identifiers": st.lists(scheme_identifier, max_size=2),
            },
        ),
        "funder": st.just({"name": "A funder"}),
    },
)
dates = st.one_of(
    st.from_regex(r"\A\d{4}(-\d{2}(-\d{2})?)?(/\d{4}(-\d{2})?)?\Z"),
    st.sampled_from(["1899", "2101-01-01", "2020-13-01", "2020-02-30", "0000", ""]),
    hostile_text,
    st.none(),
)
hostile_records = st.fixed_dictionaries(
    {
        "id": st.just("abcde-12345"),
        "links": st.fixed_dictionaries({"self_html": landing}),
        "pids": pids,
        "parent": st.fixed_dictionaries({"id": st.just("fghij-67890"), "pids": pids}),
        "metadata": st.fixed_dictionaries(
            {
                "title": st.one_of(long_text, st.none(), st.just(7)),
                "resource_type": vocabulary(sorted(RESOURCE_TYPE_TO_WORK_TYPE)),
                "publication_date": dates,
                "description": st.one_of(
                    long_text, long_text.map(lambda t: f"<p>{t}</p><ul><li>{t}")
                ),
                "creators": people,
                "contributors": people,
                "additional_titles": st.lists(
                    st.fixed_dictionaries(
                        {
                            "title": long_text,
                            "type": vocabulary(["subtitle", "translated-title"]),
                            "lang": vocabulary(["fra", "heb", "zho", "tlh"]),
                        }
                    ),
                    max_size=3,
                ),
                "languages": st.lists(
                    vocabulary(["eng", "ind", "yid", "tlh"]), max_size=2
                ),
                "identifiers": st.one_of(
                    st.lists(scheme_identifier, max_size=4),
                    st.just(
                        [{"scheme": "handle", "identifier": "1/" + "x" * 999}] * 80
                    ),
                ),
                "related_identifiers": st.lists(related_identifier, max_size=4),
                "funding": st.one_of(st.lists(awards, max_size=3), st.just("x")),
            }
        ),
    }
)


def assert_orcid_takes(work, schema):
    """What ORCID checks: the XSD, URLs that are URIs, the body size."""
    body = work.to_xml(put_code=123456789)
    assert len(body) <= om.WORK_BODY_MAX
    document = etree.fromstring(body)
    assert schema.validate(document), schema.error_log
    urls = [ext.url for ext in work.external_ids if ext.url] + [work.url or ""]
    assert all(is_uri(url) for url in urls if url), urls


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(record=hostile_records, cap=st.sampled_from([100, 0, 5, None]))
def test_any_hostile_record_gives_a_work_orcid_takes_or_a_readable_refusal(
    work_schema, record, cap
):
    options = WorkOptions(with_citation=False, max_contributors=cap)
    try:
        work = work_from_record(record, options)
    except WorkConversionError as refusal:
        assert str(refusal).endswith(".")
        return
    assert_orcid_takes(work, work_schema)
    for ext in work.external_ids:
        if ext.type == "doi":  # the value stays as written (XML allowing)
            written = {
                xml_text(p.get("doi", {}).get("identifier"))
                for p in (record["pids"], record["parent"]["pids"])
            }
            assert ext.value in written
    primary = work.external_ids[0]
    assert primary.relationship == "self" and primary.type in ("doi", "uri")
    keys = [
        (e.type, om.normalized_id_value(e.type, e.value)) for e in work.external_ids
    ]
    assert len(keys) == len(set(keys))  # each identifier once
    for ext in work.external_ids[1:]:
        assert ext.value == ext.value.strip() and ext.value
        assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in ext.value)
    if cap is not None:
        assert len(work.contributors) <= cap
    assert (
        len(work.contributors) + work.contributors_left_out == work.contributors_total
    )


# -- examples through the whole stack -----------------------------------------------


def test_a_doi_with_brackets_is_sent_as_written_with_a_percent_encoded_url(
    make_user, link_orcid, publish, orcid_simulator
):
    user = make_user()
    orcid = link_orcid(user)

    data = record_data()
    data["pids"] = external_doi(ODD_DOI)

    publish(user, data)

    (stored,) = orcid_simulator.state.works_of(orcid)
    (ext,) = stored.work["external_ids"]
    assert ext["value"] == ODD_DOI
    assert ext["url"] == (
        "https://doi.org/10.1642/0004-8038(2004)121%5B0593:TPOPAS%5D2.0.CO;2"
    )


def external_doi(doi):
    return {"doi": {"identifier": doi, "provider": "external"}}


def test_control_characters_and_surrogates_never_reach_orcid(
    make_user, link_orcid, publish, orcid_simulator
):
    user = make_user()
    orcid = link_orcid(user)
    data = record_data(
        title="Ocean\x0b temperatures\x01 \x85",
        description="<p>Readings\x00 of \ud800the sea\x1f.</p>",
        creators=[person("Jo\x0csiah", "Carb\x7ferry")],
    )

    publish(user, data)

    (stored,) = orcid_simulator.state.works_of(orcid)
    work = stored.work
    assert work["title"] == "Ocean temperatures"
    # The record's storage already turns the lone surrogate into U+FFFD.
    assert work["short_description"].replace("\ufffd", "") == "Readings of the sea."
    assert work["contributors"][0]["credit_name"] == "Carberry, Josiah"
    citation = work["citation"]["value"]
    assert not any(ord(c) < 0x20 and c not in "\t\n\r" for c in citation)


def test_control_characters_in_identifiers_and_names_are_removed_not_a_crash(
    work_schema,
):
    # The record service cleans what people type; identifiers and records
    # imported or migrated around it can still hold anything.
    record = {
        "id": "abcde-12345",
        "links": {"self_html": "https://repo.example.org/records/ab\x01c\ud800"},
        "pids": {"doi": {"identifier": "10.1234/ab\x0bc\udfff"}},
        "parent": {"id": "fghij-67890"},
        "metadata": {
            "title": "Ocean\x0b temperatures\x85\ud800",
            "resource_type": {"id": "dataset"},
            "creators": [person("Jo\x00siah", "Carb\x7ferry")],
        },
    }

    work = work_from_record(record, WorkOptions(with_citation=False))

    assert_orcid_takes(work, work_schema)
    assert work.title == "Ocean temperatures"
    assert work.contributors[0].credit_name == "Carberry, Josiah"
    (doi,) = work.external_ids
    assert (doi.value, doi.url) == ("10.1234/abc", "https://doi.org/10.1234/abc")
    assert work.url == "https://repo.example.org/records/abc"


def test_five_thousand_creators_orcid_shows_the_cap_and_the_ledger_says_so(
    make_user, link_orcid, publish, orcid_simulator
):
    user = make_user()
    orcid = link_orcid(user)
    creators = crowd(5000, orcid_every=1000)

    record = publish(user, record_data(creators=creators))

    (stored,) = orcid_simulator.state.works_of(orcid)
    shown = stored.work["contributors"]
    assert len(shown) == 100
    with_orcid = [c for c in shown if c["orcid"]]
    assert len(with_orcid) == 5  # every creator with an iD is kept ...
    assert shown[0]["credit_name"] == "Family 0, Given0"  # ... then the first ones
    assert shown[0]["sequence"] == "first"
    entry = OrcidWorkLedger.get(orcid, record["parent"]["id"])
    assert entry.status == SyncStatus.SYNCED
    assert (entry.contributors_shown, entry.contributors_total) == (100, 5000)
    assert ledger_note(entry) == (
        "ORCID shows 100 of 5,000 contributors (those with an ORCID iD first)."
    )
