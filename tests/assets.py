"""InvenioRDM's real web assets (theme, administration panel, Jobs page), built once.

Development code for the demo (``./run-demo.sh --serve --build-assets``) and the
styled browser test. Pages of an InvenioRDM instance ask the webpack manifest
for their CSS and JavaScript; the tests and a quick demo answer with nothing
(``helpers.stand_in_manifest_loader``), so pages render unstyled. This module
builds the real ones, as ``invenio collect -v`` and ``invenio webpack create /
install / build`` do for an instance, into a cache under the virtualenv
(``$VENV/var/orcid-push-assets``, or ``$ORCID_PUSH_ASSETS``):

- ``static/``: the collected static files and ``dist/`` (the built bundles and
  ``manifest.json``); it is the app's static folder when the assets are used;
- ``assets/``: the webpack project (``node_modules`` is removed after a build:
  ``package-lock.json`` stays, so a rebuild installs the same versions);
- ``stamp``: what the build was made from (the installed packages that bring
  static files or bundles, Node's version, this module's recipe); a build is
  reused while the stamp matches;
- ``figures.json``: how long each step took, peak memory, size on disk.

Invenio imports stay inside the functions (``demo.py --help`` needs none).
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

RECIPE = "rspack-2"
"""Bump when the build below changes in a way the stamp cannot see."""

NPM_OVERRIDES = {"@webrecorder/wabac": "2.27.1"}
"""The newest @webrecorder/wabac asks for a warcio version the npm registry lacks."""

WEBPACK_PROJECT = "invenio_assets.webpack:rspack_project"
"""rspack: the same bundles as webpack in under a minute (InvenioRDM v14's choice)."""

UNSTYLED_NOTICE = (
    "Pages are unstyled: run ./run-demo.sh --serve --build-assets once "
    "(about 4 minutes: npm install, rspack build) to build InvenioRDM's web assets"
)

# Files an instance supplies (invenio-cli copies them from cookiecutter-invenio-rdm):
# Semantic UI's theme selection, the site's LESS globals and the folder of
# custom-field templates the deposit form imports. Without them the build fails.
ELEMENTS = (
    "button container divider flag header icon image input label list loader "
    "placeholder rail reveal segment step breadcrumb form grid menu message table "
    "accordion checkbox dimmer dropdown embed modal nag popup progress rating "
    "search shape sidebar sticky tab transition ad card comment feed item statistic"
).split()


def theme_config():
    """Semantic UI's ``theme.config``: InvenioRDM's look.

    Semantic UI's default theme for every element, with invenio-theme's and
    invenio-app-rdm's variables and overrides on top (``themes/rdm/theme.less``
    layers them), then the instance's (``less/site``, empty here).
    """
    lines = ["@site: 'default';", "@reset: 'default';"]
    lines += [f"@{name}: 'default';" for name in ELEMENTS]
    lines += [
        "@themesFolder: '~semantic-ui-less/themes';",
        "@siteFolder: '../../less/site';",
        '@import (multiple) "themes/rdm/theme.less";',
        '@fontPath: "../../../themes/@{theme}/assets/fonts";',
    ]
    return "\n".join(lines) + "\n"


INSTANCE_FILES = {
    "less/theme.config": theme_config,
    "less/site/globals/site.variables": lambda: "",
    "less/site/globals/site.overrides": lambda: "",
    "templates/custom_fields/.keep": lambda: "",
}


def cache_dir():
    """Where the built assets are kept: ``$VENV/var/orcid-push-assets``."""
    return Path(
        os.environ.get("ORCID_PUSH_ASSETS")
        or Path(sys.prefix) / "var" / "orcid-push-assets"
    )


def node_version():
    try:
        return subprocess.run(
            ["node", "--version"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def asset_distributions():
    """``name==version`` of the installed packages the built assets come from.

    Those that bring webpack bundles, blueprints (static files) or extensions,
    and the build tools. The plugin itself brings no static file or bundle.
    """
    from importlib.metadata import distributions

    groups = {
        "invenio_assets.webpack",
        "invenio_base.apps",
        "invenio_base.blueprints",
    }
    tools = {"invenio-assets", "flask-webpackext", "pywebpack", "flask-collect-invenio"}
    found = set()
    for dist in distributions():
        name = (dist.metadata["Name"] or "").lower().replace("_", "-")
        if name == "invenio-orcid-push":
            continue
        if name in tools or any(ep.group in groups for ep in dist.entry_points):
            found.add(f"{name}=={dist.version}")
    return sorted(found)


def stamp():
    """What a build is made from: equal stamps, same assets."""
    recipe = {
        "recipe": RECIPE,
        "node": node_version(),
        "project": WEBPACK_PROJECT,
        "overrides": NPM_OVERRIDES,
        "instance_files": {path: make() for path, make in INSTANCE_FILES.items()},
        "distributions": asset_distributions(),
    }
    return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()


def is_built(folder=None):
    """Whether the cache holds a build made from what is installed now."""
    folder = Path(folder or cache_dir())
    stamp_file = folder / "stamp"
    return (
        (folder / "static" / "dist" / "manifest.json").is_file()
        and stamp_file.is_file()
        and stamp_file.read_text().strip() == stamp()
    )


def build_config(folder=None):
    """Settings of an app that builds (and serves) the cache's assets.

    The app's static folder must be the cache's too: set it with
    :func:`use_static_folder` before creating the app.
    """
    folder = Path(folder or cache_dir())
    return dict(
        WEBPACKEXT_PROJECT=WEBPACK_PROJECT,
        WEBPACKEXT_PROJECT_BUILDDIR=str(folder / "assets"),
        COLLECT_STATIC_ROOT=str(folder / "static"),
        COLLECT_STORAGE="flask_collect.storage.link",
    )


def served_config(folder=None):
    """Settings of an app whose pages use the built assets.

    InvenioRDM's own manifest loader, and a Content-Security-Policy that lets
    the theme's fonts, images and inline styles through (as
    cookiecutter-invenio-rdm's instances do; invenio-app's default blocks them).
    """
    from invenio_app.config import APP_DEFAULT_SECURE_HEADERS
    from invenio_assets.webpack import UniqueJinjaManifestLoader

    headers = dict(APP_DEFAULT_SECURE_HEADERS)
    headers["content_security_policy"] = {
        "default-src": ["'self'", "data:", "'unsafe-inline'", "blob:"],
        "object-src": ["'none'"],
    }
    return dict(
        build_config(folder),
        WEBPACKEXT_MANIFEST_LOADER=UniqueJinjaManifestLoader,
        APP_DEFAULT_SECURE_HEADERS=headers,
    )


def use_static_folder(folder=None):
    """Make apps created from now on serve the cache's static folder."""
    folder = Path(folder or cache_dir())
    os.environ["INVENIO_STATIC_FOLDER"] = str(folder / "static")


class PeakMemory:
    """Peak resident memory of this process and all its descendants, sampled."""

    def __init__(self, interval=0.5):
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _tree_rss(root):
        parents, rss = {}, {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                parents[int(entry)] = int(fields[1])
                rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
            except (OSError, IndexError, ValueError):
                continue
        total = 0
        for pid in rss:
            seen, current = set(), pid
            while current and current not in seen:
                if current == root:
                    total += rss[pid]
                    break
                seen.add(current)
                current = parents.get(current)
        return total

    def _run(self):
        root = os.getpid()
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, self._tree_rss(root))

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def disk_usage(path):
    """Bytes under ``path`` (symlinks not followed)."""
    total = 0
    for root, dirs, files in os.walk(path):
        for name in files + dirs:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


def say(line):
    print(line, flush=True)


def build_assets(app, folder=None, out=say, keep_node_modules=False):
    """Build the web assets with ``app`` (made with :func:`build_config`).

    ``invenio collect -v``, ``invenio webpack create``, the instance's files and
    the npm override, ``invenio webpack install`` (``npm ci`` with the lockfile
    of an earlier build), ``invenio webpack build``. Returns the figures.
    """
    from flask_webpackext.proxies import current_webpack
    from invenio_assets.proxies import current_assets

    folder = Path(folder or cache_dir())
    assets = folder / "assets"
    lockfile = folder / "package-lock.json"
    (folder / "stamp").unlink(missing_ok=True)
    figures = {"started": time.strftime("%Y-%m-%d %H:%M:%S"), "node": node_version()}

    def step(name, action):
        out(f"  {name} ...")
        began = time.monotonic()
        action()
        figures[f"{name}_seconds"] = round(time.monotonic() - began, 1)
        out(f"  {name}: {figures[f'{name}_seconds']} s")

    def collect():
        shutil.rmtree(folder / "static", ignore_errors=True)
        current_assets.collect.collect(verbose=False)

    def create():
        shutil.rmtree(assets, ignore_errors=True)
        current_webpack.project.create()
        for relative, make in INSTANCE_FILES.items():
            path = assets / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(make())
        package = json.loads((assets / "package.json").read_text())
        package["overrides"] = dict(NPM_OVERRIDES)
        (assets / "package.json").write_text(json.dumps(package, indent=2))

    def install():
        if lockfile.is_file():
            shutil.copy(lockfile, assets / "package-lock.json")
            if _npm(["ci", "--no-audit", "--no-fund"], assets) == 0:
                return
            out("  (the saved lockfile no longer fits: npm install)")
        if _npm(["install", "--no-audit", "--no-fund"], assets) != 0:
            raise RuntimeError("npm install failed")
        shutil.copy(assets / "package-lock.json", lockfile)

    def build():
        if _npm(["run", "build"], assets) != 0:
            raise RuntimeError("npm run build failed")

    with app.app_context(), PeakMemory() as memory:
        folder.mkdir(parents=True, exist_ok=True)
        began = time.monotonic()
        step("collect", collect)
        step("create", create)
        step("install", install)
        step("build", build)
        figures["total_seconds"] = round(time.monotonic() - began, 1)
    figures["peak_memory_mb"] = round(memory.peak / 2**20)
    figures["disk_mb_while_building"] = round(disk_usage(folder) / 2**20)
    if not keep_node_modules:
        shutil.rmtree(assets / "node_modules", ignore_errors=True)
    figures["disk_mb_kept"] = round(disk_usage(folder) / 2**20)
    (folder / "figures.json").write_text(json.dumps(figures, indent=2) + "\n")
    (folder / "stamp").write_text(stamp() + "\n")
    return figures


def _npm(args, cwd):
    """Run npm in ``cwd``, its output going to ours; its exit status."""
    return subprocess.run(["npm", *args], cwd=cwd).returncode


def demo_settings(build):
    """The demo's settings for styled pages, when it has (or builds) the assets.

    With a current build in the cache, or ``build`` (the demo then builds it
    with :func:`ensure_built`), pages use the real assets; otherwise the
    settings stay as they are and pages are unstyled.
    """
    if build or is_built():
        use_static_folder()
        return served_config()
    return {}


def ensure_built(app, out=say):
    """Build the assets with ``app`` unless the cache holds a current build."""
    folder = cache_dir()
    if is_built(folder):
        out(f"Web assets: reusing the build in {folder} (its stamp matches)")
        return None
    out(
        f"Building InvenioRDM's web assets in {folder} "
        "(npm install about 3 minutes, rspack build about 30 s) ..."
    )
    figures = build_assets(app, folder, out)
    out(
        f"Web assets built in {figures['total_seconds']:.0f} s, peak memory "
        f"{figures['peak_memory_mb']} MB, {figures['disk_mb_kept']} MB kept"
    )
    return figures


def describe(app):
    """One line saying whether the app's pages are styled."""
    from invenio_assets.webpack import UniqueJinjaManifestLoader

    if app.config.get("WEBPACKEXT_MANIFEST_LOADER") is UniqueJinjaManifestLoader:
        return f"Pages use InvenioRDM's web assets built in {cache_dir()}."
    return UNSTYLED_NOTICE + "."
