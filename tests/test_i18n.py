"""Translations: the message catalog is current, German is complete, pages speak it.

The catalog is extracted here on every run (this is the CI check): a string
marked for translation in the package or its templates that is missing from
``messages.pot`` or the German catalog, or left untranslated, fails the suite.
The committed ``.mo`` (what invenio-i18n reads) must match the ``.po``.
"""

import gettext
import io
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from invenio_accounts.testutils import login_user_via_session
from invenio_db import db
from invenio_i18n import force_locale

from invenio_orcid_push.models import OrcidWorkLedger
from invenio_orcid_push.reasons import Reason, render_reason

from helpers import record_data

PROJECT = Path(__file__).resolve().parent.parent
TRANSLATIONS = PROJECT / "invenio_orcid_push" / "translations"
GERMAN = TRANSLATIONS / "de" / "LC_MESSAGES" / "messages.po"


@pytest.fixture(scope="module")
def extra_entry_points():
    """The entry point setup.cfg declares, for a venv installed before it existed."""
    return {"invenio_i18n.translations": ["invenio_orcid_push = invenio_orcid_push"]}


@pytest.fixture(scope="module")
def app_config(app_config, entry_points):
    """German is one of the site's languages (the app is built after the entry point)."""
    app_config["I18N_LANGUAGES"] = [("de", "Deutsch")]
    return app_config


def _catalog(path):
    with open(path, "rb") as po:
        return read_po(po)


def _ids(catalog):
    return {
        message.id if isinstance(message.id, str) else tuple(message.id)
        for message in catalog
        if message.id
    }


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The catalog as the sources say it is now (setup.cfg's extraction settings)."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    CommandLineInterface().run(
        [
            "pybabel",
            "--quiet",
            "extract",
            "-F",
            str(PROJECT / "babel.ini"),
            "-k",
            "lazy_gettext",
            "-k",
            "N_",
            "--no-location",
            "-o",
            str(pot),
            str(PROJECT),
        ]
    )
    return _catalog(pot)


def test_the_committed_catalog_holds_every_string_of_the_sources(extracted):
    committed = _ids(_catalog(TRANSLATIONS / "messages.pot"))
    assert _ids(extracted) - committed == set(), "run pybabel extract (see setup.cfg)"
    assert len(_ids(extracted)) > 200


def test_german_translates_every_string_of_the_sources(extracted):
    german = _catalog(GERMAN)
    missing = _ids(extracted) - _ids(german)
    assert missing == set(), "run pybabel update, then translate"
    untranslated = [
        message.id
        for message in german
        if message.id
        and (
            message.fuzzy
            or not all(
                message.string
                if isinstance(message.string, tuple)
                else [message.string]
            )
        )
    ]
    assert untranslated == []
    # Placeholders kept (%(name)s): Babel's own checks.
    problems = [(message.id, errors) for message, errors in german.check()]
    assert problems == []


def test_the_committed_mo_is_the_compiled_po():
    compiled = io.BytesIO()
    write_mo(compiled, _catalog(GERMAN))
    compiled.seek(0)
    fresh = gettext.GNUTranslations(compiled)
    with open(GERMAN.with_suffix(".mo"), "rb") as mo:
        committed = gettext.GNUTranslations(mo)
    assert committed._catalog == fresh._catalog, "run pybabel compile (see setup.cfg)"


def test_a_reason_is_stored_as_code_and_parameters_and_worded_when_shown(app):
    reason = Reason("unavailable", "retry", status=503)
    assert reason == (
        "ORCID is unavailable or over its rate limit (HTTP 503); "
        "the push will be retried."
    )
    assert reason.stored() == {
        "reason": "unavailable",
        "outcome": "retry",
        "status": 503,
    }
    with app.test_request_context(), force_locale("de"):
        assert render_reason(str(reason), reason.stored()) == (
            "ORCID ist nicht erreichbar oder über seinem Anfragelimit (HTTP 503); "
            "das Senden wird erneut versucht."
        )
        # A row written before error_params existed keeps its sentence.
        assert render_reason("Something old.", None) == "Something old."
        # So does one whose key this version does not know.
        assert render_reason("Newer.", {"reason": "from-the-future"}) == "Newer."
        gave_up = reason.then("gave-up-after", attempts=1200)
        assert render_reason(str(gave_up), gave_up.stored()) == (
            "ORCID ist nicht erreichbar oder über seinem Anfragelimit (HTTP 503); "
            "nach 1.200 Versuchen aufgegeben."
        )


def test_the_settings_page_is_shown_in_german(client, make_user):
    login_user_via_session(client, email=make_user().email)
    page = client.get(
        "/account/settings/orcid/", headers={"Accept-Language": "de"}
    ).get_data(as_text=True)
    assert "Ihre ORCID iD verbinden" in page  # the connect button
    assert "Ihre ORCID iD</h3>" in page
    assert "Ihre Einträge auf ORCID" in page
    assert "Sie haben noch keine Einträge veröffentlicht." in page
    assert "Was ist ORCID, und was macht dieses Repositorium" in page
    for english in ("Connect your ORCID iD", "Your records on ORCID", "What is ORCID"):
        assert english not in page


def test_a_linked_researchers_page_and_ledger_reasons_are_shown_in_german(
    client, make_user, link_orcid, publish
):
    user = make_user()
    link_orcid(user)
    failed = publish(user, record_data(title="Failed in German"))
    old = publish(user, record_data(title="Failed long ago"))
    rows = {row.record_id: row for row in OrcidWorkLedger.query.all()}
    rows[failed.id].mark_failed(Reason("unavailable", "retry", status=503), "503")
    rows[old.id].mark_failed("A sentence stored before translations.", "503")
    db.session.commit()

    login_user_via_session(client, email=user.email)
    page = client.get("/account/settings/orcid/?ln=de").get_data(as_text=True)

    assert "Automatische Synchronisierung" in page
    assert "Meine neuen öffentlichen Einträge automatisch an ORCID senden" in page
    assert "Die Berechtigungen dieser Verbindung sind nicht bekannt" in page
    assert "Erneut verbinden</a>" in page
    assert "ORCID trennen" in page
    assert (
        "Fehlgeschlagen: ORCID ist nicht erreichbar oder über seinem Anfragelimit "
        "(HTTP 503); das Senden wird erneut versucht." in page
    )
    assert "Fehlgeschlagen: A sentence stored before translations." in page
    for english in ("Automatic sync", "Disconnect ORCID", "Sync now", "Failed:"):
        assert english not in page
