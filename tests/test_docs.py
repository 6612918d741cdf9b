"""The Sphinx documentation builds with warnings as errors, and its configuration
reference names every setting of ``config.py``."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def settings_in_config():
    """The ``ORCID_PUSH_*`` names ``config.py`` assigns at module level."""
    tree = ast.parse((ROOT / "invenio_orcid_push" / "config.py").read_text())
    return [
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name) and target.id.startswith("ORCID_PUSH_")
    ]


def test_the_documentation_builds_without_warnings_and_documents_every_setting(
    tmp_path,
):
    """``sphinx -W``: a broken link, a page outside the toctree, a missing image or a
    badly formatted docstring in ``config.py`` fails the suite."""
    out = tmp_path / "html"
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html"]
        + ["-d", str(tmp_path / "doctrees"), str(DOCS), str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    reference = (out / "configuration.html").read_text()
    settings = settings_in_config()
    assert len(settings) > 30
    undocumented = [
        name
        for name in settings
        if f'id="invenio_orcid_push.config.{name}"' not in reference
    ]
    assert not undocumented, "settings without a docstring in config.py"

    # The researcher's guide shows the settings page's screenshot.
    guide = (out / "researchers.html").read_text()
    assert "_images/orcid-settings.png" in guide
    assert (out / "_images" / "orcid-settings.png").stat().st_size > 1000
