"""Regenerate the README's screenshots from the styled pages: ``python tests/readme_screenshots.py``.

Needs InvenioRDM's web assets built once (``./run-demo.sh --serve --build-assets``)
and Debian's chromium. Runs ``tests/test_styled_pages.py`` (the settings page, the
ORCID ledger in the administration panel, the Jobs page, in headless Chromium
with the real assets) and copies its screenshots over ``docs/images/``.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import assets

from helpers import ARTIFACTS

ROOT = Path(__file__).resolve().parent.parent
IMAGES = {
    "styled-orcid-settings.png": "orcid-settings.png",
    "styled-orcid-admin-ledger.png": "orcid-admin-ledger.png",
    "styled-orcid-jobs.png": "orcid-jobs.png",
}


def main():
    if not assets.is_built():
        print(assets.UNSTYLED_NOTICE + "; then run this again.", file=sys.stderr)
        return 2
    for name in IMAGES:
        (ARTIFACTS / name).unlink(missing_ok=True)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "tests")]))
    status = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "tests/test_styled_pages.py"],
        cwd=ROOT,
        env=env,
    ).returncode
    copied = 0
    for name, target in IMAGES.items():
        if (ARTIFACTS / name).is_file():
            shutil.copy(ARTIFACTS / name, ROOT / "docs" / "images" / target)
            print(f"docs/images/{target} <- {ARTIFACTS / name}")
            copied += 1
    return 0 if status == 0 and copied == len(IMAGES) else 1


if __name__ == "__main__":
    sys.exit(main())
