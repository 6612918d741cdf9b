#!/usr/bin/env bash
# Run the test suite. Sets up everything it needs on a fresh machine:
#  - a virtualenv (.venv, or $ORCID_PUSH_VENV) with the package and its test extra;
#  - Debian's chromium and chromium-driver for the browser test (as root, via apt-get);
#  - the tests themselves start osmem-server (search) and the ORCID simulator,
#    and pytest-invenio creates the database and its schema.
# The database is SQLite unless SQLALCHEMY_DATABASE_URI is set (CI uses PostgreSQL).
# Extra arguments go to pytest, e.g. ./run-tests.sh -k simulator -x
set -euo pipefail
cd "$(dirname "$0")"
source ./.ci/venv.sh
ensure_venv tests
ensure_chromium
exec "$VENV/bin/python" -m pytest "$@"
