# Shared by run-tests.sh and run-demo.sh: create the virtualenv and install the
# package with an extra, once per change of setup.cfg.
VENV="${ORCID_PUSH_VENV:-.venv}"

pick_python() {
  for candidate in "${PYTHON:-}" python3.11 python3.12 python3.10 python3; do
    if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 \
      && "$candidate" -c 'import sys; sys.exit(not (3, 9) <= sys.version_info[:2] < (3, 13))'; then
      echo "$candidate"; return 0
    fi
  done
  echo "No Python 3.9 to 3.12 found (InvenioRDM v14 needs one); set PYTHON=" >&2
  return 1
}

ensure_venv() {
  local extra="$1" python stamp wanted
  if [ ! -x "$VENV/bin/python" ]; then
    python="$(pick_python)"
    echo "Creating virtualenv $VENV with $python" >&2
    "$python" -m venv "$VENV"
  fi
  stamp="$VENV/.invenio-orcid-push-$extra"
  wanted="$(cat setup.cfg pyproject.toml | sha256sum | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    echo "Installing invenio-orcid-push[$extra] into $VENV (first run takes a few minutes)" >&2
    "$VENV/bin/python" -m pip install -qq --upgrade pip setuptools wheel >&2
    "$VENV/bin/python" -m pip install -qq -e ".[$extra]" >&2
    echo "$wanted" > "$stamp"
  fi
}

ensure_chromium() {
  # The browser test drives Debian's headless Chromium.
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then return 0; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's chromium and chromium-driver for the browser test" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq chromium chromium-driver >/dev/null || \
      echo "Could not install chromium; the browser test will not run" >&2
  else
    echo "chromium and chromium-driver are missing (apt-get install chromium chromium-driver)" >&2
  fi
}
