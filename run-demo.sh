#!/usr/bin/env bash
# The plugin's main job end to end on embedded defaults: InvenioRDM on SQLite,
# osmem-server, the ORCID and DataCite simulators and eager Celery, in a virtualenv
# of its own. The demo is development code (tests/demo.py), not part of the package.
set -euo pipefail
cd "$(dirname "$0")"
source ./.ci/venv.sh
ensure_venv demo
exec "$VENV/bin/python" tests/demo.py "$@"
