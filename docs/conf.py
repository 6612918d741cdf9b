"""Sphinx configuration of the invenio-orcid-push documentation.

Build: ``python -m sphinx -W --keep-going -b html docs build/docs`` (the
``docs`` extra, also in ``tests``, brings Sphinx and MyST). The pages are
Markdown read by MyST; the configuration reference is generated from
``invenio_orcid_push/config.py``, which imports nothing of Invenio, so no
application is needed.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The source checkout first, so the reference is the config.py next to these docs.
sys.path.insert(0, str(ROOT))

from invenio_orcid_push import __version__  # noqa: E402

project = "invenio-orcid-push"
author = "invenio-orcid-push contributors"
copyright = "invenio-orcid-push contributors, MIT licence"
version = release = __version__

extensions = ["myst_parser", "sphinx.ext.autodoc"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]

# Anchors for headings up to ###, so pages can link to sections.
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]

autodoc_member_order = "bysource"
autodoc_default_options = {"members": True}

html_theme = "alabaster"
html_title = f"invenio-orcid-push {release}"
html_static_path = []
add_module_names = False
# The reference's 32 settings stay out of the sidebar (their names do not fit it).
toc_object_entries = False
