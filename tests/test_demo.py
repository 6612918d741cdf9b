"""The README's demo command runs the plugin's main job end to end."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_run_demo_publishes_two_records_and_prints_the_works_on_orcid():
    env = dict(os.environ, ORCID_PUSH_VENV=sys.prefix)
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
