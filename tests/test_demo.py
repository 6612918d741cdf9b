"""The README's demo commands: the plugin's main job end to end, and ``--serve``
driven in a real browser (headless Chromium) as a person tries it."""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from helpers import ARTIFACTS

ROOT = Path(__file__).resolve().parent.parent


def test_run_demo_publishes_two_records_and_prints_the_works_on_orcid(tmp_path):
    env = dict(os.environ, ORCID_PUSH_VENV=sys.prefix, TMPDIR=str(tmp_path))
    env.pop("SQLALCHEMY_DATABASE_URI", None)  # the demo runs on its embedded defaults
    result = subprocess.run(
        [str(ROOT / "run-demo.sh")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    output = result.stdout
    assert "now holds 2 work(s)" in output
    assert "type: data-set, put-code: " in output
    assert "type: software, put-code: " in output
    assert re.search(r"external ids: doi:10\.5555/demo\.oceantools \(self\)", output)
    # The dataset got a DataCite DOI carrying the depositor's iD from his link.
    assert re.search(
        r"DataCite registered 10\.12345/\S+ \(findable\); creators: "
        r"Carberry, Josiah \['\d{4}-\d{4}-\d{4}-\d{3}[\dX]'\]",
        output,
    )
    assert re.search(
        r"external ids: doi:10\.12345/\S+ \(self\), doi:10\.12345/\S+ "
        r"\(version-of\)",
        output,
    )
    assert "ORCID POST" in output
    # Ada, a linked co-creator, approves the dataset that lists her.
    assert re.search(
        r"ada@example\.org: 'Ocean temperature measurements 2020-2024' lists her as "
        r"creator and waits for her approval; her ORCID record holds 0 work\(s\)",
        output,
    )
    assert re.search(r"\(Ada Lovelace\) now holds 1 work\(s\)", output)
    # Its instance folder (database, files) is gone.
    assert list(tmp_path.iterdir()) == []


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
HAVE_CHROMIUM = Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServedDemo:
    """``tests/demo.py --serve`` in a process of its own, its output collected."""

    def __init__(self, tmpdir):
        self.port = free_port()
        self.site = f"https://127.0.0.1:{self.port}"
        env = dict(os.environ, TMPDIR=str(tmpdir))
        env.pop("SQLALCHEMY_DATABASE_URI", None)
        # The demo itself allows http to the simulator (pytest-invenio's apps
        # set this in the test process).
        env.pop("OAUTHLIB_INSECURE_TRANSPORT", None)
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "demo.py"), "--serve"]
            + ["--port", str(self.port)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self):
        return "".join(self.lines)

    def wait_until_serving(self, timeout=120):
        deadline = time.monotonic() + timeout
        while "Ctrl-C stops." not in self.output:
            assert self.process.poll() is None, self.output[-3000:]
            assert time.monotonic() < deadline, self.output[-3000:]
            time.sleep(0.2)

    def stop(self):
        """Ctrl-C, as a person stops it."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            self.reader.join(timeout=5)


@pytest.fixture
def chromium(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
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
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(flag)
    options.accept_insecure_certs = True
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def wait_for_page(driver, submit):
    """Press ``submit`` (it loads a new page) and wait until the new page is there."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    driver.execute_script("window.__demoOldPage = true;")
    submit.click()

    def new_page(d):
        try:
            return d.execute_script(
                "return window.__demoOldPage === undefined"
                " && document.readyState === 'complete';"
            )
        except WebDriverException:
            return False  # between documents

    WebDriverWait(driver, 30).until(new_page)


def log_in(driver, site, email, password):
    from selenium.webdriver.common.by import By

    driver.delete_all_cookies()
    driver.get(f"{site}/login/")
    driver.find_element(By.NAME, "email").send_keys(email)
    driver.find_element(By.NAME, "password").send_keys(password)
    wait_for_page(
        driver,
        driver.find_element(
            By.CSS_SELECTOR, "form[name=login_user_form] button[type=submit]"
        ),
    )


# As InvenioRDM's scripts send API changes (axios: the csrftoken cookie in X-CSRFToken).
FETCH_JSON = """
const [url, method, body, done] = arguments;
const csrf = (document.cookie.match(/(?:^|; )csrftoken=([^;]*)/) || [])[1];
fetch(url, {
  method: method,
  credentials: "same-origin",
  headers: {"Content-Type": "application/json", "Accept": "application/json",
            "X-CSRFToken": csrf || ""},
  body: body,
}).then(async (r) => done({status: r.status, body: await r.text()}),
        (e) => done({status: 0, body: String(e)}));
"""


def fetch_json(driver, url, method="GET", data=None):
    """A request from the page, as its JavaScript would send it (CSRF header)."""
    body = None if data is None else json.dumps(data)
    answer = driver.execute_async_script(FETCH_JSON, url, method, body)
    return answer["status"], answer["body"]


@pytest.mark.skipif(
    not HAVE_CHROMIUM and not os.environ.get("CI"),
    reason="needs Debian's chromium and chromium-driver (run-tests.sh installs them)",
)
def test_the_served_demo_connects_orcid_and_answers_the_api_in_the_browser(
    tmp_path, chromium
):
    from selenium.webdriver.common.by import By

    tmpdir = tmp_path / "demo-tmp"
    tmpdir.mkdir()
    demo = ServedDemo(tmpdir)
    try:
        demo.wait_until_serving()
        site = demo.site
        orcid = re.search(
            r"Depositor josiah@example\.org linked to ORCID iD (\S+)", demo.output
        ).group(1)
        assert f"{site}/administration" in demo.output

        # The depositor logs in and disconnects his ORCID link ...
        log_in(chromium, site, "josiah@example.org", "orcid-demo")
        chromium.get(f"{site}/account/settings/orcid/")
        assert chromium.find_element(By.ID, "orcid-id").text.endswith(orcid)
        wait_for_page(
            chromium,
            chromium.find_element(
                By.CSS_SELECTOR, "#orcid-disconnect button[type=submit]"
            ),
        )
        chromium.get(f"{site}/account/settings/orcid/")
        assert not chromium.find_elements(By.ID, "orcid-id")

        # ... and connects it again through ORCID's (the simulator's) consent page.
        connect = chromium.find_element(
            By.CSS_SELECTOR, "a[href*='/oauth/login/orcid']"
        )
        wait_for_page(chromium, connect)
        # ORCID's URLs are the simulator's, plain http on this machine.
        assert re.match(
            r"http://127\.0\.0\.1:\d+/oauth/authorize\?", chromium.current_url
        ), chromium.page_source[:2000]
        field = chromium.find_element(By.ID, "orcid")
        field.clear()
        field.send_keys(orcid)
        wait_for_page(
            chromium, chromium.find_element(By.CSS_SELECTOR, "button[value=authorize]")
        )
        assert chromium.current_url.startswith(site), chromium.page_source[:2000]
        chromium.get(f"{site}/account/settings/orcid/")
        assert chromium.find_element(By.ID, "orcid-id").text.endswith(orcid)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        chromium.save_screenshot(str(ARTIFACTS / "demo-orcid-settings.png"))

        # The REST API knows the same logged-in user (one session store) ...
        status, body = fetch_json(chromium, f"{site}/api/user/orcid")
        assert status == 200, body
        link = json.loads(body)
        assert (link["linked"], link["orcid"]) == (True, orcid), body
        assert link["preferences"]["auto_sync"] is True, body
        # ... and takes a change with the CSRF token, as the page's scripts send it.
        status, body = fetch_json(
            chromium, f"{site}/api/user/orcid", "PUT", {"auto_sync": False}
        )
        assert status == 200, body
        status, body = fetch_json(chromium, f"{site}/api/user/orcid")
        assert json.loads(body)["preferences"]["auto_sync"] is False, body
        chromium.get(f"{site}/account/settings/orcid/")
        assert not chromium.find_element(By.ID, "auto_sync").is_selected()

        # The administrator printed at start sees the ORCID sync ledger.
        admin = re.search(r"administrator\s+(\S+) / (\S+)", demo.output)
        log_in(chromium, site, *admin.groups())
        chromium.get(f"{site}/administration/orcid-push")
        rows = chromium.find_elements(By.CSS_SELECTOR, "#orcid-ledger tbody tr")
        assert len(rows) == 3  # Josiah's two works, Ada's approved one
        assert "synced" in {row.get_attribute("data-status") for row in rows}
        assert fetch_json(chromium, f"{site}/administration")[0] == 200
    finally:
        returncode = demo.stop()
    assert returncode == 0, demo.output[-3000:]
    assert list(tmpdir.iterdir()) == [], demo.output[-3000:]
