"""A stock DataCite set-up gets the plugin's DOI metadata too.

The instance configured InvenioRDM's own providers and serializer (as its
``invenio.cfg`` would, not our ``datacite_settings()``). Only the client is
ours: RDM's can talk to DataCite's servers only, not to the simulator.
"""

import pytest
from invenio_rdm_records.proxies import current_rdm_records_service
from invenio_rdm_records.services.pids.providers import (
    DataCitePIDProvider as StockDataCitePIDProvider,
)

from invenio_orcid_push.datacite import OrcidAwareDataCite45JSONSerializer
from invenio_orcid_push.ext import api_finalize_app

from helpers import ensure_relation_types, person, record_data, related

JOSIAH = "0000-0002-1825-0097"
GRACE = "0000-0002-4325-871X"


def stock_datacite_settings(datacite):
    """RDM's default PID settings and providers, ``DATACITE_*`` at the simulator."""
    from invenio_rdm_records import config as rdm
    from invenio_rdm_records.resources.serializers import DataCite45JSONSerializer

    from invenio_orcid_push.datacite import DataCiteClient

    client = DataCiteClient("datacite", config_prefix="DATACITE")
    record_doi = StockDataCitePIDProvider("datacite", client=client, label="DOI")
    concept_doi = StockDataCitePIDProvider(
        "datacite",
        client=client,
        serializer=DataCite45JSONSerializer(is_parent=True),
        label="Concept DOI",
    )
    return dict(
        DATACITE_ENABLED=True,
        DATACITE_URL=datacite.url,
        DATACITE_USERNAME=datacite.username,
        DATACITE_PASSWORD=datacite.password,
        DATACITE_PREFIX=datacite.prefix,
        DATACITE_TEST_MODE=False,
        RDM_PERSISTENT_IDENTIFIERS=rdm.RDM_PERSISTENT_IDENTIFIERS,
        RDM_PARENT_PERSISTENT_IDENTIFIERS=rdm.RDM_PARENT_PERSISTENT_IDENTIFIERS,
        RDM_PERSISTENT_IDENTIFIER_PROVIDERS=[
            record_doi if provider.name == "datacite" else provider
            for provider in rdm.RDM_PERSISTENT_IDENTIFIER_PROVIDERS
        ],
        RDM_PARENT_PERSISTENT_IDENTIFIER_PROVIDERS=[concept_doi],
    )


@pytest.fixture(scope="module")
def app_config(app_config, datacite):
    """InvenioRDM's stock DataCite providers and settings."""
    app_config.update(stock_datacite_settings(datacite))
    return app_config


@pytest.fixture(scope="module")
def relation_types(app, database):
    ensure_relation_types()


def orcid_name_ids(metadata):
    return [
        identifier
        for key in ("creators", "contributors")
        for entry in metadata.get(key, [])
        for identifier in entry.get("nameIdentifiers", [])
        if identifier["nameIdentifierScheme"] == "ORCID"
    ]


def relations(metadata):
    return [
        (r["relationType"], r["relatedIdentifier"])
        for r in metadata.get("relatedIdentifiers", [])
    ]


def test_the_stock_providers_stay_the_instances_own(app):
    providers = current_rdm_records_service.config.pids_providers["doi"]
    concept = current_rdm_records_service.config.parent_pids_providers["doi"]
    assert type(providers["datacite"]) is StockDataCitePIDProvider
    assert type(concept["datacite"]) is StockDataCitePIDProvider
    assert providers["crossref"].name == "crossref"


def test_every_orcid_datacite_receives_carries_orcids_scheme_uri(
    make_user, publish, datacite
):
    user = make_user()
    data = record_data(
        creators=[person("Ada", "Lovelace", JOSIAH)],
        contributors=[
            {**person("Grace", "Hopper", GRACE), "role": {"id": "datacurator"}}
        ],
    )

    record = publish(user, data)

    for doi in (
        record["pids"]["doi"]["identifier"],
        record["parent"]["pids"]["doi"]["identifier"],
    ):
        metadata = datacite.metadata(doi)
        expected = [
            {
                "nameIdentifier": orcid,
                "nameIdentifierScheme": "ORCID",
                "schemeUri": "https://orcid.org",
            }
            for orcid in (JOSIAH, GRACE)
        ]
        assert orcid_name_ids(metadata) == expected


def test_the_concept_doi_is_never_a_version_of_what_a_version_is_a_version_of(
    make_user, publish, datacite, relation_types
):
    user = make_user()
    data = record_data(
        related_identifiers=[
            related("10.1234/earlier-edition", "isversionof"),
            related("10.1234/article", "issupplementto"),
        ]
    )

    record = publish(user, data)

    doi = record["pids"]["doi"]["identifier"]
    concept = record["parent"]["pids"]["doi"]["identifier"]
    concept_relations = relations(datacite.metadata(concept))
    assert "IsVersionOf" not in [relation for relation, _ in concept_relations]
    assert ("HasVersion", doi) in concept_relations
    assert ("IsSupplementTo", "10.1234/article") in concept_relations
    # The version keeps what the depositor said, and is a version of the concept.
    assert {
        ("IsVersionOf", "10.1234/earlier-edition"),
        ("IsVersionOf", concept),
        ("IsSupplementTo", "10.1234/article"),
    } <= set(relations(datacite.metadata(doi)))


def test_the_rest_api_app_serializes_with_orcids_scheme_uri_too(app):
    api_app = app.wsgi_app.mounts["/api"]

    api_finalize_app(api_app)  # as invenio_base.api_finalize_app runs it

    for key, is_parent in (
        ("RDM_PERSISTENT_IDENTIFIER_PROVIDERS", False),
        ("RDM_PARENT_PERSISTENT_IDENTIFIER_PROVIDERS", True),
    ):
        (provider,) = [p for p in api_app.config[key] if p.name == "datacite"]
        assert type(provider) is StockDataCitePIDProvider
        assert isinstance(provider.serializer, OrcidAwareDataCite45JSONSerializer)
        assert provider.serializer.is_parent is is_parent


def test_other_serializers_are_left_alone_and_a_second_run_changes_nothing():
    from flask import Flask
    from invenio_rdm_records.resources.serializers import DataCite43JSONSerializer
    from invenio_rdm_records.services.pids.providers import OAIPIDProvider

    from invenio_orcid_push.datacite import use_orcid_aware_serializer

    own = StockDataCitePIDProvider("datacite", serializer=DataCite43JSONSerializer())
    oai = OAIPIDProvider("oai")
    stock = StockDataCitePIDProvider("datacite")
    app = Flask(__name__)
    app.config["RDM_PERSISTENT_IDENTIFIER_PROVIDERS"] = [own, oai]
    app.config["RDM_PARENT_PERSISTENT_IDENTIFIER_PROVIDERS"] = [stock]

    use_orcid_aware_serializer(app)
    (swapped,) = app.config["RDM_PARENT_PERSISTENT_IDENTIFIER_PROVIDERS"]
    use_orcid_aware_serializer(app)

    assert app.config["RDM_PERSISTENT_IDENTIFIER_PROVIDERS"] == [own, oai]
    assert app.config["RDM_PARENT_PERSISTENT_IDENTIFIER_PROVIDERS"] == [swapped]
    assert swapped is not stock and swapped.client is stock.client
    assert type(stock.serializer).__name__ == "DataCite45JSONSerializer"
