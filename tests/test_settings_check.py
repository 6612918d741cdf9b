"""Settings that cannot hurt: the app refuses to start with harmful ORCID URLs.

Each case builds the real application (the API app: the web app, the Celery
worker and the ``invenio`` command build theirs through the same extension).
"""

import copy
import re

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from invenio_app.factory import create_api, create_app
from invenio_oauthclient.contrib import orcid as stock_orcid

from invenio_orcid_push.oauth import REMOTE_APP
from invenio_orcid_push.settings_check import OrcidSettingsError

REMOTE = "OAUTHCLIENT_REMOTE_APPS['orcid']['params']"


def _remote_app_with(**urls):
    remote = copy.deepcopy(REMOTE_APP)
    remote["params"].update(urls)
    return {"orcid": remote}


def _build(app_config, **settings):
    config = {**app_config, **settings}
    return create_api(**config)


PRODUCTION = dict(
    ORCID_PUSH_API_URL="https://api.orcid.org/v3.0",
    ORCID_PUSH_OAUTH_URL="https://orcid.org/oauth",
    ORCID_PUSH_ORCID_HOST="orcid.org",
)
SANDBOX = dict(
    ORCID_PUSH_API_URL="https://api.sandbox.orcid.org/v3.0",
    ORCID_PUSH_OAUTH_URL="https://sandbox.orcid.org/oauth",
    ORCID_PUSH_ORCID_HOST="sandbox.orcid.org",
)


@pytest.mark.parametrize(
    "settings",
    [
        PRODUCTION,
        SANDBOX,
        # invenio-oauthclient's own member apps name their URLs
        dict(
            PRODUCTION,
            OAUTHCLIENT_REMOTE_APPS={"orcid": stock_orcid.REMOTE_MEMBER_APP},
        ),
        dict(
            SANDBOX,
            OAUTHCLIENT_REMOTE_APPS={"orcid": stock_orcid.REMOTE_SANDBOX_MEMBER_APP},
        ),
    ],
    ids=["production", "sandbox", "stock-production-app", "stock-sandbox-app"],
)
def test_orcids_production_and_sandbox_settings_start(app_config, settings):
    app = _build(app_config, **settings)
    assert app.config["ORCID_PUSH_API_URL"] == settings["ORCID_PUSH_API_URL"]


def test_the_simulator_on_loopback_starts(app_config):
    app = _build(app_config)
    assert app.config["ORCID_PUSH_API_URL"].startswith("http://127.0.0.1:")


BAD_SETTINGS = [
    ("ORCID_PUSH_API_URL", dict(PRODUCTION, ORCID_PUSH_API_URL="http://api.orcid.org/v3.0"), "https"),
    ("ORCID_PUSH_OAUTH_URL", dict(PRODUCTION, ORCID_PUSH_OAUTH_URL="http://orcid.org/oauth"), "https"),
    ("ORCID_PUSH_API_URL", dict(PRODUCTION, ORCID_PUSH_API_URL="https://api.orcid.example.org/v3.0"), "not an ORCID host"),
    ("ORCID_PUSH_API_URL", dict(PRODUCTION, ORCID_PUSH_API_URL="api.orcid.org/v3.0"), "https"),
    ("ORCID_PUSH_OAUTH_URL", dict(PRODUCTION, ORCID_PUSH_OAUTH_URL="https://sandbox.orcid.org/oauth"), "same ORCID environment"),
    ("ORCID_PUSH_OAUTH_URL", dict(ORCID_PUSH_OAUTH_URL="http://127.0.0.1:1/oauth"), "same ORCID environment"),
    ("ORCID_PUSH_ORCID_HOST", dict(PRODUCTION, ORCID_PUSH_ORCID_HOST="https://orcid.org"), "bare host"),
    ("ORCID_PUSH_ORCID_HOST", dict(PRODUCTION, ORCID_PUSH_ORCID_HOST="sandbox.orcid.org"), "does not match"),
    ("ORCID_PUSH_ORCID_HOST", dict(PRODUCTION, ORCID_PUSH_ORCID_HOST="example.org"), "host of ORCID iD pages"),
    ("OAUTHCLIENT_REMOTE_APPS['orcid']['params']['base_url']", dict(SANDBOX, OAUTHCLIENT_REMOTE_APPS={"orcid": stock_orcid.REMOTE_MEMBER_APP}), "same ORCID environment"),
    (f"{REMOTE}['base_url']", dict(PRODUCTION, OAUTHCLIENT_REMOTE_APPS=_remote_app_with(base_url="http://api.orcid.org/")), "https"),
    (f"{REMOTE}['access_token_url']", dict(PRODUCTION, OAUTHCLIENT_REMOTE_APPS=_remote_app_with(access_token_url="https://sandbox.orcid.org/oauth/token")), "same ORCID environment"),
    (f"{REMOTE}['authorize_url']", dict(PRODUCTION, OAUTHCLIENT_REMOTE_APPS=_remote_app_with(authorize_url="https://orcid.evil.example/oauth/authorize")), "not an ORCID host"),
    ("ORCID_PUSH_ON_USER_DELETION", dict(PRODUCTION, ORCID_PUSH_ON_USER_DELETION="delete"), "must be 'keep' or 'remove'"),
]  # fmt: skip


@pytest.mark.parametrize(
    "setting, settings, problem",
    BAD_SETTINGS,
    ids=[f"{i}-{case[0].split('[')[-1]}" for i, case in enumerate(BAD_SETTINGS)],
)
def test_a_harmful_setting_stops_the_app_naming_it(
    app_config, setting, settings, problem
):
    with pytest.raises(OrcidSettingsError) as refused:
        _build(app_config, **settings)
    message = str(refused.value)
    assert message.startswith(setting + " = ")
    assert problem in message
    assert refused.value.setting == setting


def test_nothing_is_checked_when_the_plugin_is_off(app_config):
    app = _build(
        app_config, ORCID_PUSH_ENABLED=False, ORCID_PUSH_API_URL="http://example.org"
    )
    assert app.config["ORCID_PUSH_ENABLED"] is False


def test_the_invenio_command_refuses_to_start_naming_the_setting(app_config):
    """``invenio`` builds the UI app through the same extension before any command."""
    from invenio_app.cli import cli

    config = {**app_config, **PRODUCTION, "ORCID_PUSH_API_URL": "http://api.orcid.org"}
    info = ScriptInfo(create_app=lambda: create_app(**config))

    result = CliRunner().invoke(cli, ["orcid-push", "status"], obj=info)

    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert re.search(
        r"^Error: ORCID_PUSH_API_URL = 'http://api.orcid.org': .*https",
        result.output,
        re.M,
    ), result.output
