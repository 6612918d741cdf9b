"""The extension plugs into InvenioRDM without replacing anything."""

from invenio_rdm_records.proxies import current_rdm_records_service
from invenio_rdm_records.services.components import DefaultRecordsComponents

from invenio_orcid_push import config
from invenio_orcid_push.components import OrcidPushComponent


def test_our_component_is_appended_to_rdms_defaults(app):
    components = app.config["RDM_RECORDS_SERVICE_COMPONENTS"]
    assert components[: len(DefaultRecordsComponents)] == list(DefaultRecordsComponents)
    assert components[-1] is OrcidPushComponent
    assert components.count(OrcidPushComponent) == 1
    service_components = [type(c) for c in current_rdm_records_service.components]
    assert OrcidPushComponent in service_components


def test_an_instances_own_component_list_is_kept(app):
    from invenio_orcid_push.ext import InvenioOrcidPush

    class InstanceComponent:
        pass

    saved = app.config["RDM_RECORDS_SERVICE_COMPONENTS"]
    app.config["RDM_RECORDS_SERVICE_COMPONENTS"] = [InstanceComponent]
    try:
        InvenioOrcidPush.register_service_component(app)
        assert app.config["RDM_RECORDS_SERVICE_COMPONENTS"] == [
            InstanceComponent,
            OrcidPushComponent,
        ]
    finally:
        app.config["RDM_RECORDS_SERVICE_COMPONENTS"] = saved


def test_every_setting_has_a_documented_default(app):
    import ast
    import inspect

    source = inspect.getsource(config)
    documented = set()
    body = ast.parse(source).body
    for node, following in zip(body, body[1:]):
        if isinstance(node, ast.Assign) and isinstance(following, ast.Expr):
            documented.add(node.targets[0].id)
    settings = {name for name in dir(config) if name.startswith("ORCID_PUSH_")}
    assert settings == documented
    for name in (
        "ORCID_PUSH_ENABLED",
        "ORCID_PUSH_API_URL",
        "ORCID_PUSH_OAUTH_URL",
        "ORCID_PUSH_REMOTE_APP",
    ):
        assert name in app.config
    assert config.ORCID_PUSH_API_URL == "https://api.orcid.org/v3.0"
    assert config.ORCID_PUSH_OAUTH_URL == "https://orcid.org/oauth"
    assert config.ORCID_PUSH_REMOTE_APP == "orcid"


def test_the_extension_is_registered_for_the_ui_and_the_api_app(app):
    from importlib.metadata import entry_points

    assert "invenio-orcid-push" in app.extensions
    groups = {ep.group for ep in entry_points(name="invenio_orcid_push")}
    assert {
        "invenio_base.apps",
        "invenio_base.api_apps",
        "invenio_db.models",
        "invenio_db.alembic",
        "invenio_celery.tasks",
    } <= groups


def test_both_apps_are_finalized_by_the_plugin():
    """Declared in setup.cfg (installed entry points follow at the next install)."""
    import configparser
    from pathlib import Path

    from invenio_orcid_push import ext

    setup = configparser.ConfigParser()
    setup.read(Path(__file__).resolve().parent.parent / "setup.cfg")
    entry_points = setup["options.entry_points"]
    for group, function in (
        ("invenio_base.finalize_app", ext.finalize_app),
        ("invenio_base.api_finalize_app", ext.api_finalize_app),
    ):
        declared = entry_points[group].strip()
        assert declared == f"invenio_orcid_push = {ext.__name__}:{function.__name__}"


def test_every_status_value_fits_its_column():
    from invenio_orcid_push.models import (
        LinkStatus,
        OrcidPushAccount,
        OrcidWorkLedger,
        SyncStatus,
    )

    for model, column, enum in (
        (OrcidWorkLedger, "status", SyncStatus),
        (OrcidPushAccount, "link_status", LinkStatus),
    ):
        length = model.__table__.c[column].type.impl.length
        assert max(len(member.value) for member in enum) <= length
