"""The built wheel carries production code only, and its templates load when installed.

The ORCID and DataCite simulators, the demo and the test helpers live under
``tests/``: an instance installing the plugin gets none of them; the source
distribution has them, so its tests run.
"""

import os
import shutil
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

RENDER = r"""
import sys
import jinja2
from invenio_orcid_push.templating import templates_folder

folder = templates_folder()
assert folder.startswith(sys.prefix), folder
env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(folder), extensions=["jinja2.ext.i18n"]
)
env.install_null_translations(newstyle=True)
env.globals["_"] = env.globals["gettext"]
template = env.get_template("invenio_notifications/orcid-push.link-problem.jinja")
page = template.render(
    notification={"context": {
        "sitename": "Wheel Repository", "problem": "ORCID said no.",
        "link_status": "revoked", "orcid_url": "https://orcid.org/0000-0001-6858-7088",
        "settings_url": "https://repo.example.org/account/settings/orcid/",
        "orcid_about_url": "https://repo.example.org/account/settings/orcid/about",
    }},
    recipient={"data": {"email": "josiah@example.org",
                        "profile": {"full_name": "Josiah Carberry"}}},
)
assert "Reconnect ORCID" in page and "Wheel Repository" in page, page

# The German catalog the wheel ships (invenio-i18n reads the same .mo).
import gettext
from importlib.resources import files

german = gettext.translation(
    "messages", str(files("invenio_orcid_push") / "translations"), ["de"]
)
env.install_gettext_translations(german, newstyle=True)
env.globals["_"] = env.globals["gettext"]
german_page = env.get_template(
    "invenio_notifications/orcid-push.link-problem.jinja"
).render(
    notification={"context": {
        "sitename": "Wheel Repository", "problem": "ORCID said no.",
        "link_status": "revoked", "orcid_url": "https://orcid.org/0000-0001-6858-7088",
        "settings_url": "https://repo.example.org/account/settings/orcid/",
        "orcid_about_url": "https://repo.example.org/account/settings/orcid/about",
    }},
    recipient={"data": {"email": "josiah@example.org",
                        "profile": {"full_name": "Josiah Carberry"}}},
)
assert "ORCID erneut verbinden" in german_page, german_page
print(folder)
print(page)
"""


def run(*args, **kwargs):
    result = subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result.stdout


def clean_source_copy(target):
    """The project without build output: pip builds in the source folder, and an old
    ``build/lib`` would put files removed since (say, a moved module) into the wheel."""
    build_output = shutil.ignore_patterns(
        ".git",
        ".venv",
        ".demo",
        "build",
        "dist",
        "*.egg-info",
        "__pycache__",
        ".hypothesis",
        ".pytest_cache",
    )
    shutil.copytree(ROOT, target, ignore=build_output)
    return target


def assert_production_code_only(names):
    """The wheel has every module, template and migration, and nothing from tests/."""
    shipped_templates = {
        "invenio_orcid_push/templates/" + str(path.relative_to(ROOT / "templates"))
        for path in (ROOT / "templates").rglob("*")
        if path.suffix in (".html", ".txt", ".jinja")
    }
    assert shipped_templates and shipped_templates <= names
    modules = {
        str(path.relative_to(ROOT))
        for path in (ROOT / "invenio_orcid_push").rglob("*.py")
    }
    assert any(name.startswith("invenio_orcid_push/alembic/") for name in names)
    assert {
        "invenio_orcid_push/translations/messages.pot",
        "invenio_orcid_push/translations/de/LC_MESSAGES/messages.po",
        "invenio_orcid_push/translations/de/LC_MESSAGES/messages.mo",
    } <= names
    assert modules <= names
    # Development code stays out: simulators (and ORCID's consent page), demo, tests.
    for name in names:
        assert "simulator" not in name and "demo" not in name, name
        assert not name.startswith(("tests/", "simulators/", "helpers", "benchmarks/"))
        assert "authorize.html" not in name, name


def test_the_wheel_ships_production_code_only_and_its_templates_render(tmp_path):
    """Built from the sources, installed in a clean virtualenv."""
    dist = tmp_path / "dist"
    run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-w",
        str(dist),
        str(clean_source_copy(tmp_path / "source")),
    )
    (wheel,) = dist.glob("invenio_orcid_push-*.whl")

    names = set(zipfile.ZipFile(wheel).namelist())
    assert_production_code_only(names)
    (entry_points,) = [name for name in names if name.endswith("/entry_points.txt")]
    declared = zipfile.ZipFile(wheel).read(entry_points).decode()
    # invenio-i18n loads the package's translations/ through this entry point.
    assert "[invenio_i18n.translations]\ninvenio_orcid_push = invenio_orcid_push" in (
        declared
    )

    env_dir = tmp_path / "clean-venv"
    venv.create(env_dir, with_pip=True)
    python = str(env_dir / "bin" / "python")
    run(python, "-m", "pip", "install", "-q", "--no-deps", str(wheel))
    run(python, "-m", "pip", "install", "-q", "jinja2")
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")
    }
    output = run(python, "-c", RENDER, cwd=tmp_path, env=env)

    folder, page = output.split("\n", 1)
    assert folder.startswith(str(env_dir))
    assert "Dear Josiah Carberry" in page
    assert "Wheel Repository could not add your research" in page


SDIST = r"""
import sys
from setuptools import build_meta

print(build_meta.build_sdist(sys.argv[1]))
"""


def test_the_source_distribution_carries_the_tests_simulators_and_docs(tmp_path):
    """Whoever builds from the sdist can run the tests, simulators included, and
    build the documentation."""
    source = clean_source_copy(tmp_path / "source")
    output = run(sys.executable, "-c", SDIST, str(tmp_path), cwd=source)
    name = output.strip().splitlines()[-1]

    with tarfile.open(tmp_path / name) as sdist:
        members = sdist.getnames()
    names = {member.split("/", 1)[1] for member in members if "/" in member}
    assert {
        "LICENSE",
        "tests/conftest.py",
        "tests/helpers.py",
        "tests/demo.py",
        "tests/simulators/app.py",
        "tests/simulators/templates/authorize.html",
        "tests/test_docs.py",
        "docs/conf.py",
        "docs/index.md",
        "docs/images/orcid-settings.png",
        "babel.ini",
        "invenio_orcid_push/translations/de/LC_MESSAGES/messages.po",
    } <= names
