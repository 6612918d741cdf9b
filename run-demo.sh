#!/usr/bin/env bash
# The plugin's main job end to end on embedded defaults: InvenioRDM on SQLite,
# osmem-server, the ORCID simulator and eager Celery, in a virtualenv of its own.
set -euo pipefail
cd "$(dirname "$0")"
source ./.ci/venv.sh
ensure_venv demo
exec "$VENV/bin/python" -m invenio_orcid_push.demo "$@"
