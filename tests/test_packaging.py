"""The built wheel carries the templates and they load from the installed package."""

import os
import subprocess
import sys
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
env = jinja2.Environment(loader=jinja2.FileSystemLoader(folder), autoescape=True)
page = env.get_template("invenio_orcid_push/simulator/authorize.html").render(
    client={"name": "Wheel Repository", "client_id": "APP-0000000000000000"},
    scopes=["/read-limited", "/activities/update"],
    redirect_uri="https://repo.example.org/", state="", orcid="", researchers=[],
)
print(folder)
print(page)
"""


def run(*args, **kwargs):
    result = subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result.stdout


def test_the_wheel_ships_templates_that_render_from_a_clean_virtualenv(tmp_path):
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
        "-w", str(dist), str(ROOT))
    (wheel,) = dist.glob("invenio_orcid_push-*.whl")

    names = set(zipfile.ZipFile(wheel).namelist())
    shipped_templates = {
        "invenio_orcid_push/templates/" + str(path.relative_to(ROOT / "templates"))
        for path in (ROOT / "templates").rglob("*.html")
    }
    assert shipped_templates and shipped_templates <= names
    modules = {
        str(path.relative_to(ROOT))
        for path in (ROOT / "invenio_orcid_push").rglob("*.py")
    }
    assert modules <= names

    env_dir = tmp_path / "clean-venv"
    venv.create(env_dir, with_pip=True)
    python = str(env_dir / "bin" / "python")
    run(python, "-m", "pip", "install", "-q", "--no-deps", str(wheel))
    run(python, "-m", "pip", "install", "-q", "jinja2")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    output = run(python, "-c", RENDER, cwd=tmp_path, env=env)

    folder, page = output.split("\n", 1)
    assert folder.startswith(str(env_dir))
    assert "Wheel Repository" in page
    assert "Add/update your research activities" in page
