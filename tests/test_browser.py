"""A researcher uses the ORCID settings page in a real browser (headless Chromium).

The app is served over HTTPS (self-signed) on localhost with CSRF protection on; the test
logs in through the login form, sees the linked iD, switches automatic sync
off and on, presses "Sync now" on a record and sees it arrive on ORCID. It
saves a screenshot of the page in the test artifacts folder
(``$ORCID_PUSH_TEST_ARTIFACTS``, default ``build/test-artifacts/``), never in a
tracked file. The README's screenshots come from the styled pages instead
(``tests/test_styled_pages.py``, copied by ``tests/readme_screenshots.py``).
"""

import os
import shutil
import tempfile
import threading
import uuid
from pathlib import Path

import pytest
from flask_security.utils import hash_password
from invenio_accounts.proxies import current_datastore
from invenio_db import db
from werkzeug.serving import make_server

from invenio_orcid_push.models import OrcidPushAccount

from helpers import ARTIFACTS, Depositor, link_orcid_account, record_data

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
SCREENSHOT = ARTIFACTS / "orcid-settings.png"

HAVE_CHROMIUM = Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()
# In CI a missing browser is a failure, not a skip.
pytestmark = pytest.mark.skipif(
    not HAVE_CHROMIUM and not os.environ.get("CI"),
    reason="needs Debian's chromium and chromium-driver (run-tests.sh installs them)",
)


@pytest.fixture(scope="module")
def app_config(app_config):
    """Forms with real CSRF tokens, served over HTTPS on localhost (ORCID and
    invenio-oauthclient only redirect to HTTPS)."""
    app_config["WTF_CSRF_ENABLED"] = True
    app_config["APP_ALLOWED_HOSTS"] = ["127.0.0.1", "localhost"]
    app_config["TRUSTED_HOSTS"] = ["127.0.0.1", "localhost"]
    return app_config


@pytest.fixture(scope="module")
def served_app(app, database, location, resource_types):
    """The InvenioRDM app over HTTPS (self-signed) on a real port, one request at a time."""
    server = make_server("127.0.0.1", 0, app, threaded=False, ssl_context="adhoc")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def chromium():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="orcid-push-chromium-")
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--ignore-certificate-errors",
        "--window-size=1280,1400",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def researcher(
    app, database, location, resource_types, orcid_simulator, orcid_api_client
):
    """A user with a password, a linked ORCID and a record published before linking."""
    email = f"browser-{uuid.uuid4().hex[:8]}@example.org"
    user = current_datastore.create_user(
        email=email,
        password=hash_password("correct horse battery"),
        active=True,
        confirmed_at=db.func.now(),
    )
    db.session.commit()
    app.config["ORCID_PUSH_ENABLED"] = False
    try:
        record = Depositor(user).publish(record_data(title="Coral reef survey 2024"))
    finally:
        app.config["ORCID_PUSH_ENABLED"] = True
    person = orcid_simulator.state.add_researcher(name="Josiah Carberry")
    token = orcid_simulator.state.issue_token(person.orcid, orcid_api_client.client_id)
    link_orcid_account(
        user, person.orcid, person.name, token.access_token, orcid_api_client.client_id
    )
    return {"user": user, "email": email, "orcid": person.orcid, "record": record}


def click_and_wait(driver, element):
    """Click something that loads a new page, and wait until it has."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    # Mark the current document, then wait for a complete document without
    # the mark. (Selenium's staleness_of can fail with "Node with given id does
    # not belong to the document" when it polls mid-navigation.)
    driver.execute_script("window.__orcidPushOldPage = true;")
    element.click()

    def new_page_loaded(d):
        try:
            return d.execute_script(
                "return window.__orcidPushOldPage === undefined"
                " && document.readyState === 'complete';"
            )
        except WebDriverException:
            return False  # the browser is between documents

    WebDriverWait(driver, 30).until(new_page_loaded)


def log_in(driver, site, email):
    from selenium.webdriver.common.by import By

    driver.delete_all_cookies()
    driver.get(f"{site}/login/")
    driver.find_element(By.NAME, "email").send_keys(email)
    driver.find_element(By.NAME, "password").send_keys("correct horse battery")
    click_and_wait(
        driver,
        driver.find_element(
            By.CSS_SELECTOR, "form[name=login_user_form] button[type=submit]"
        ),
    )


def test_a_researcher_manages_orcid_sync_in_the_browser(
    served_app, chromium, researcher, orcid_simulator
):
    from selenium.webdriver.common.by import By

    log_in(chromium, served_app, researcher["email"])

    chromium.get(f"{served_app}/account/settings/orcid/")
    link = chromium.find_element(By.ID, "orcid-id")
    assert link.text == f"https://orcid.org/{researcher['orcid']}"

    # Automatic sync off, then on again.
    chromium.find_element(By.ID, "auto_sync").click()
    click_and_wait(chromium, chromium.find_element(By.ID, "orcid-save-preferences"))
    assert not chromium.find_element(By.ID, "auto_sync").is_selected()
    db.session.expire_all()
    assert OrcidPushAccount.get(researcher["user"].id).auto_sync is False
    chromium.find_element(By.ID, "auto_sync").click()
    click_and_wait(chromium, chromium.find_element(By.ID, "orcid-save-preferences"))
    assert chromium.find_element(By.ID, "auto_sync").is_selected()

    # The record was published before linking: not sent until asked.
    row = chromium.find_element(
        By.CSS_SELECTOR, f"tr[data-record='{researcher['record'].id}']"
    )
    assert row.get_attribute("data-state") == "not-sent"
    click_and_wait(chromium, row.find_element(By.CSS_SELECTOR, "button[type=submit]"))

    row = chromium.find_element(
        By.CSS_SELECTOR, f"tr[data-record='{researcher['record'].id}']"
    )
    assert row.get_attribute("data-state") == "synced"
    assert row.find_element(By.CSS_SELECTOR, ".orcid-status").text.startswith(
        "On ORCID since"
    )
    (work,) = orcid_simulator.state.works_of(researcher["orcid"])
    assert work.work["title"] == "Coral reef survey 2024"

    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    chromium.save_screenshot(str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 10_000


def test_a_researcher_connects_orcid_through_orcids_consent_page(
    served_app, chromium, orcid_simulator
):
    from selenium.webdriver.common.by import By

    email = f"connect-{uuid.uuid4().hex[:8]}@example.org"
    user = current_datastore.create_user(
        email=email,
        password=hash_password("correct horse battery"),
        active=True,
        confirmed_at=db.func.now(),
    )
    db.session.commit()
    person = orcid_simulator.state.add_researcher(name="Connie Nect")

    log_in(chromium, served_app, email)
    chromium.get(f"{served_app}/account/settings/orcid/")
    connect = chromium.find_element(By.ID, "orcid-connect")
    assert connect.text == "Connect your ORCID iD"
    assert connect.find_element(By.TAG_NAME, "img").get_attribute("alt") == (
        "ORCID iD icon"
    )
    chromium.save_screenshot(str(ARTIFACTS / "orcid-connect.png"))
    click_and_wait(chromium, connect)

    # ORCID's consent page (the simulator's), asking for update permission.
    assert chromium.current_url.startswith(orcid_simulator.oauth_url + "/authorize")
    assert "Add/update your research activities" in chromium.page_source
    field = chromium.find_element(By.ID, "orcid")
    field.clear()
    field.send_keys(person.orcid)
    click_and_wait(
        chromium, chromium.find_element(By.CSS_SELECTOR, "button[value=authorize]")
    )

    # Back on the settings page, told so, linked, with the permissions ORCID granted.
    assert f"Your ORCID iD https://orcid.org/{person.orcid} is connected" in (
        chromium.page_source
    )
    chromium.get(f"{served_app}/account/settings/orcid/")
    assert (
        chromium.find_element(By.ID, "orcid-id").text
        == f"https://orcid.org/{person.orcid}"
    )
    permissions = chromium.find_element(By.ID, "orcid-permissions").text
    assert "add and update works on your ORCID record" in permissions
    db.session.expire_all()
    assert OrcidPushAccount.get(user.id).can_update_orcid is True
