"""The plugin's pages with InvenioRDM's built web assets, in headless Chromium.

Runs only when the asset cache holds a current build (``./run-demo.sh --serve
--build-assets`` makes it, see ``assets.py``; CI does not: a few minutes of
npm). The settings page must sit in the account settings layout with Semantic
UI's styles (checkboxes drawn by the theme), the ORCID ledger in the
administration panel, and the Jobs page list the plugin's job. Screenshots go to
the test artifacts folder (``styled-*.png``); ``python tests/readme_screenshots.py``
copies them over the README's images.
"""

import os
import threading

import assets
import pytest
from flask_security.utils import hash_password
from invenio_access.models import ActionUsers
from invenio_access.permissions import superuser_access, system_identity
from invenio_accounts.proxies import current_datastore
from invenio_db import db
from test_browser import HAVE_CHROMIUM, chromium, click_and_wait, log_in, researcher
from werkzeug.serving import make_server

from helpers import ARTIFACTS, closed_port, redis_available

SCREENSHOTS = {
    "settings": ARTIFACTS / "styled-orcid-settings.png",
    "ledger": ARTIFACTS / "styled-orcid-admin-ledger.png",
    "jobs": ARTIFACTS / "styled-orcid-jobs.png",
}

pytestmark = [
    pytest.mark.skipif(
        not assets.is_built(),
        reason=f"no current build of InvenioRDM's web assets in {assets.cache_dir()} "
        "(./run-demo.sh --serve --build-assets builds it once; CI does not)",
    ),
    pytest.mark.skipif(
        not HAVE_CHROMIUM, reason="needs Debian's chromium and chromium-driver"
    ),
]

__all__ = ("chromium", "researcher")  # fixtures shared with test_browser

PORT = closed_port()
SITE = f"https://127.0.0.1:{PORT}"


@pytest.fixture(scope="module")
def instance_path(instance_path):
    """The app's static folder is the asset cache's (built bundles, manifest)."""
    previous = os.environ.get("INVENIO_STATIC_FOLDER")
    assets.use_static_folder()
    yield instance_path
    if previous is not None:
        os.environ["INVENIO_STATIC_FOLDER"] = previous


@pytest.fixture(scope="module")
def app_config(app_config):
    """InvenioRDM's own manifest loader and CSP, real CSRF tokens, HTTPS on localhost."""
    app_config.update(assets.served_config())
    app_config["WTF_CSRF_ENABLED"] = True
    app_config["APP_ALLOWED_HOSTS"] = ["127.0.0.1", "localhost"]
    app_config["TRUSTED_HOSTS"] = ["127.0.0.1", "localhost"]
    # React pages (the Jobs page) call the REST API at SITE_API_URL.
    app_config["SITE_UI_URL"] = SITE
    app_config["SITE_API_URL"] = f"{SITE}/api"
    return app_config


@pytest.fixture(scope="module")
def served_app(app, database, location, resource_types):
    """The app over HTTPS (self-signed) on the port its SITE_UI_URL names."""
    server = make_server("127.0.0.1", PORT, app, threaded=False, ssl_context="adhoc")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SITE
    server.shutdown()


@pytest.fixture(scope="module")
def administrator(app, database):
    user = current_datastore.create_user(
        email="styled-admin@example.org",
        password=hash_password("correct horse battery"),
        active=True,
        confirmed_at=db.func.now(),
    )
    db.session.add(ActionUsers.allow(superuser_access, user=user))
    db.session.commit()
    return user


def style(driver, element, prop, pseudo=None):
    return driver.execute_script(
        "return getComputedStyle(arguments[0], arguments[1])"
        ".getPropertyValue(arguments[2]);",
        element,
        pseudo,
        prop,
    )


def save(driver, name):
    path = SCREENSHOTS[name]
    path.parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 10_000


def test_the_settings_page_has_the_themes_look(served_app, chromium, researcher):
    from selenium.webdriver.common.by import By

    log_in(chromium, served_app, researcher["email"])
    chromium.get(f"{served_app}/account/settings/orcid/")
    # The theme's stylesheet is loaded and applied.
    assert chromium.find_elements(
        By.CSS_SELECTOR, "link[rel=stylesheet][href*='/static/dist/']"
    )
    # The account settings layout: its menu, with ORCID chosen and its iD icon.
    menu = chromium.find_element(By.CSS_SELECTOR, ".ui.vertical.menu")
    entry = menu.find_element(By.CSS_SELECTOR, "a.item.active")
    assert entry.text.strip() == "ORCID"
    icon = entry.find_element(By.CSS_SELECTOR, "i.icon svg")
    assert icon.size["width"] > 8
    content = chromium.find_element(By.ID, "orcid-link")
    assert menu.location["x"] + menu.size["width"] <= content.location["x"]

    # Semantic UI draws the checkbox: the input is hidden, the label's box shown.
    box = chromium.find_element(By.CSS_SELECTOR, "#orcid-preferences .ui.checkbox")
    assert style(chromium, box.find_element(By.ID, "auto_sync"), "opacity") == "0"
    label = box.find_element(By.TAG_NAME, "label")
    assert style(chromium, label, "width", "::before") == "17px"
    assert style(chromium, label, "content", "::after") != "none"  # the check mark
    assert chromium.find_element(By.ID, "auto_sync").is_selected()

    # Still usable: automatic sync off and on again through the styled box.
    label.click()
    click_and_wait(chromium, chromium.find_element(By.ID, "orcid-save-preferences"))
    assert not chromium.find_element(By.ID, "auto_sync").is_selected()
    chromium.find_element(By.CSS_SELECTOR, "label[for=auto_sync]").click()
    click_and_wait(chromium, chromium.find_element(By.ID, "orcid-save-preferences"))
    assert chromium.find_element(By.ID, "auto_sync").is_selected()

    # The record reaches ORCID, so the list and the ledger have something to show.
    row = chromium.find_element(
        By.CSS_SELECTOR, f"tr[data-record='{researcher['record'].id}']"
    )
    click_and_wait(chromium, row.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    row = chromium.find_element(
        By.CSS_SELECTOR, f"tr[data-record='{researcher['record'].id}']"
    )
    assert row.get_attribute("data-state") == "synced"
    save(chromium, "settings")


def test_the_ledger_and_the_jobs_sit_in_the_administration_panel(
    served_app, chromium, researcher, administrator
):
    from invenio_jobs.proxies import current_jobs_service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    log_in(chromium, served_app, administrator.email)
    chromium.get(f"{served_app}/administration/orcid-push")
    # The administration panel's layout: its side menu lists the ORCID view.
    sidebar = chromium.find_element(By.ID, "admin-side-menu")
    assert "ORCID sync" in sidebar.text
    main = chromium.find_element(By.ID, "admin-main-content")
    assert sidebar.location["x"] + sidebar.size["width"] <= main.location["x"] + 1
    ledger = chromium.find_element(By.ID, "orcid-ledger")
    assert style(chromium, ledger, "border-collapse") == "separate"  # .ui.table
    assert researcher["orcid"] in ledger.text
    save(chromium, "ledger")

    if not redis_available():
        pytest.skip("the Jobs page needs the UI and the REST API to share sessions")
    current_jobs_service.create(
        system_identity,
        {
            "title": "ORCID nightly reconcile",
            "task": "orcid_push_nightly_reconcile",
            "description": "Reads ORCID back, retries failed and waiting pushes",
        },
    )
    chromium.get(f"{served_app}/administration/jobs")
    WebDriverWait(chromium, 30).until(
        lambda d: "ORCID nightly reconcile" in d.find_element(By.TAG_NAME, "body").text
        or "Oops" in d.find_element(By.TAG_NAME, "body").text
    )
    assert "Oops" not in chromium.find_element(By.TAG_NAME, "body").text
    save(chromium, "jobs")
