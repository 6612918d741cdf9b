"""DataCite DOIs that are registered only when DataCite says so.

InvenioRDM's stock DataCite client cannot be pointed at another server, and
its provider marks a DOI registered locally before DataCite has answered, so
a failed registration looks like a success. These subclasses fix both: the
client honours ``DATACITE_URL`` (``<config prefix>_URL``), and the provider
records the DOI as registered only after DataCite accepted it; otherwise the
DOI stays reserved, the failure is logged, and ORCID pushes wait for it.
"""

import copy

import idutils
from datacite import DataCiteRESTClient
from datacite.errors import DataCiteError
from flask import current_app
from invenio_rdm_records.resources.serializers import DataCite45JSONSerializer
from invenio_rdm_records.services.pids import providers
from invenio_rdm_records.services.pids.providers.datacite import (
    DataCiteClient as StockDataCiteClient,
)
from invenio_rdm_records.services.pids.providers.datacite import (
    DataCitePIDProvider as StockDataCitePIDProvider,
)
from invenio_rdm_records.utils import ChainObject

ORCID_SCHEME_URI = "https://orcid.org"


class OrcidAwareDataCite45JSONSerializer(DataCite45JSONSerializer):
    """DataCite 4.5 JSON whose ORCID name identifiers carry ``schemeUri``.

    InvenioRDM's serializer writes ``nameIdentifierScheme: ORCID`` without the
    scheme URI that DataCite and its harvesters use to resolve the iD. For the
    concept DOI (``is_parent``) it also copies the record's related
    identifiers, so an ``IsVersionOf`` the depositor entered for the version
    would make the concept a version of something: that one is dropped.
    """

    @property
    def is_parent(self):
        """Whether this serializes the concept (parent) DOI's metadata."""
        return self.object_schema.is_parent

    def dump_obj(self, obj):
        """Dump the record, then complete the ORCID name identifiers."""
        data = super().dump_obj(obj)
        for key in ("creators", "contributors"):
            for person in data.get(key) or []:
                _complete_orcid_scheme(person.get("nameIdentifiers") or [])
        if self.is_parent:
            _drop_version_of(data)
        return data


def _complete_orcid_scheme(name_identifiers):
    """Give every ORCID name identifier ORCID's spelling and scheme URI."""
    for identifier in name_identifiers:
        if identifier.get("nameIdentifierScheme", "").upper() == "ORCID":
            identifier["nameIdentifierScheme"] = "ORCID"
            identifier.setdefault("schemeUri", ORCID_SCHEME_URI)


def _drop_version_of(data):
    """Remove ``IsVersionOf`` relations: a concept DOI is no version of anything."""
    kept = [
        related
        for related in data.get("relatedIdentifiers") or []
        if related.get("relationType", "").lower() != "isversionof"
    ]
    if kept:
        data["relatedIdentifiers"] = kept
    else:
        data.pop("relatedIdentifiers", None)


class DataCiteClient(StockDataCiteClient):
    """DataCite client whose API base URL is configurable (``DATACITE_URL``)."""

    @property
    def api(self):
        """DataCite REST API client, on ``DATACITE_URL`` when set."""
        if self._api is None:
            url = self.cfg("url")
            if not url:
                return super().api
            self.check_credentials()
            self._api = DataCiteRESTClient(
                self.cfg("username"),
                self.cfg("password"),
                self.cfg("prefix"),
                test_mode=False,
                url=url,
                timeout=self.cfg("timeout", 30),
            )
        return self._api


class DataCitePIDProvider(StockDataCitePIDProvider):
    """DataCite provider that registers a DOI locally only after DataCite did,
    sending ORCID iDs with their scheme URI."""

    def __init__(self, id_, client=None, serializer=None, **kwargs):
        """Default to the ORCID-aware serializer."""
        super().__init__(
            id_,
            client=client,
            serializer=serializer or OrcidAwareDataCite45JSONSerializer(),
            **kwargs,
        )

    def register(self, pid, record, **kwargs):
        """Register the DOI at DataCite, then mark it registered here."""
        child = record._child if isinstance(record, ChainObject) else record
        if child["access"]["record"] == "restricted":
            return False
        try:
            doc = self.serializer.dump_obj(record)
            self.client.api.public_doi(
                metadata=doc, url=kwargs["url"], doi=pid.pid_value
            )
        except DataCiteError as exc:
            current_app.logger.warning(
                "DataCite did not register DOI %s; it stays reserved.", pid.pid_value
            )
            self._log_errors(exc)
            return False
        if not pid.is_registered():
            return pid.register()
        return True


def datacite_settings(url, username, password, prefix):
    """InvenioRDM settings minting DataCite DOIs (records, concept DOIs) at ``url``.

    The stock settings use the stock client and provider, which cannot be
    pointed at another server and mark a DOI registered before DataCite
    answered. These use this module's client and provider instead; the rest
    (external DOIs still accepted outside the prefix, OAI ids) is
    InvenioRDM's default. In ``invenio.cfg``::

        from invenio_orcid_push.datacite import datacite_settings

        globals().update(datacite_settings(
            "https://api.datacite.org", "MY.REPOSITORY", "...", "10.12345"))

    (DataCite's test system is ``https://api.test.datacite.org``.)
    """
    return dict(
        DATACITE_ENABLED=True,
        DATACITE_URL=url,
        DATACITE_USERNAME=username,
        DATACITE_PASSWORD=password,
        DATACITE_PREFIX=prefix,
        DATACITE_TEST_MODE=False,
        RDM_PERSISTENT_IDENTIFIER_PROVIDERS=_record_pid_providers(),
        RDM_PARENT_PERSISTENT_IDENTIFIER_PROVIDERS=[
            DataCitePIDProvider(
                "datacite",
                client=_configured_client(),
                serializer=OrcidAwareDataCite45JSONSerializer(is_parent=True),
                label="Concept DOI",
            ),
        ],
        RDM_PERSISTENT_IDENTIFIERS={
            "doi": {
                "providers": ["datacite", "external"],
                "required": True,
                "label": "DOI",
                "validator": idutils.is_doi,
                "normalizer": idutils.normalize_doi,
                "is_enabled": providers.DataCitePIDProvider.is_enabled,
            },
            "oai": {
                "providers": ["oai"],
                "required": True,
                "label": "OAI",
                "is_enabled": providers.OAIPIDProvider.is_enabled,
            },
        },
        RDM_PARENT_PERSISTENT_IDENTIFIERS={
            "doi": {
                "providers": ["datacite"],
                "required": True,
                "condition": _has_datacite_doi,
                "label": "Concept DOI",
                "validator": idutils.is_doi,
                "normalizer": idutils.normalize_doi,
                "is_enabled": providers.DataCitePIDProvider.is_enabled,
            },
        },
    )


def _configured_client():
    """This module's client, reading the ``DATACITE_*`` settings."""
    return DataCiteClient("datacite", config_prefix="DATACITE")


def _record_pid_providers():
    """DataCite DOIs, external DOIs outside our prefix, and OAI ids for records."""
    return [
        DataCitePIDProvider("datacite", client=_configured_client(), label="DOI"),
        providers.ExternalPIDProvider(
            "external",
            "doi",
            validators=[providers.BlockedPrefixes(config_names=["DATACITE_PREFIX"])],
            label="DOI",
        ),
        providers.OAIPIDProvider("oai", label="OAI ID"),
    ]


def _has_datacite_doi(record):
    """A concept DOI only for records whose DOI DataCite mints (as InvenioRDM does)."""
    return record.pids.get("doi", {}).get("provider") == "datacite"


DATACITE_PROVIDER_SETTINGS = (
    "RDM_PERSISTENT_IDENTIFIER_PROVIDERS",
    "RDM_PARENT_PERSISTENT_IDENTIFIER_PROVIDERS",
)
"""The settings listing the PID providers of records and of concepts (parents)."""


def use_orcid_aware_serializer(app):
    """Let the instance's stock DataCite providers send ORCID-aware metadata.

    An instance that configured InvenioRDM's own ``DataCitePIDProvider``
    (rather than :func:`datacite_settings`) would send ORCID iDs without
    ``schemeUri`` and give its concept DOIs the depositor's ``IsVersionOf``.
    Each such provider that uses RDM's ``DataCite45JSONSerializer`` is
    replaced in the app's settings by a copy with
    :class:`OrcidAwareDataCite45JSONSerializer` (same ``is_parent``); class,
    client, label and every other provider stay the instance's own.

    Why here, and why copies:

    - The RDM record service reads both provider lists from ``app.config``
      on every use (``FromConfigPIDsProviders``), so the settings are the one
      place where a change reaches the record service, the PID tasks and the
      CLI alike; no RDM class is patched or subclassed.
    - It runs when the app is finalized (``invenio_base.finalize_app`` for the
      UI app, which the Celery worker uses too, and
      ``invenio_base.api_finalize_app`` for the REST API), not in ``init_app``:
      invenio-rdm-records sets its default providers in its own ``init_app``,
      which may come after ours.
    - The provider objects are module-level values (RDM's ``config`` module,
      the instance's ``invenio.cfg``) shared by every app of the process;
      copies leave them untouched.

    A provider configured with another serializer (a custom one, DataCite
    4.3) is left alone, and running this twice changes nothing.
    """
    for key in DATACITE_PROVIDER_SETTINGS:
        configured = app.config.get(key) or []
        swapped = [_with_orcid_aware_serializer(p) for p in configured]
        if any(new is not old for new, old in zip(swapped, configured)):
            app.config[key] = swapped


def _with_orcid_aware_serializer(provider):
    """A copy of a stock-serialized DataCite provider with ours, else the provider."""
    serializer = getattr(provider, "serializer", None)
    if not isinstance(provider, StockDataCitePIDProvider) or (
        type(serializer) is not DataCite45JSONSerializer
    ):
        return provider
    orcid_aware = copy.copy(provider)
    orcid_aware.serializer = OrcidAwareDataCite45JSONSerializer(
        is_parent=serializer.object_schema.is_parent
    )
    return orcid_aware
