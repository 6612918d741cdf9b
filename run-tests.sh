#!/usr/bin/env bash
# Run the test suite. Sets up everything it needs on a fresh machine:
#  - a virtualenv (.venv, or $ORCID_PUSH_VENV) with the package and its test extra;
#  - Debian's chromium and chromium-driver for the browser test (as root, via apt-get);
#  - the tests themselves start osmem-server (search) and the ORCID simulator,
#    and pytest-invenio creates the database and its schema.
# The database is SQLite unless SQLALCHEMY_DATABASE_URI is set (CI uses PostgreSQL).
# Formatting is checked first (black and isort, pinned in the tests extra): drift
# fails the run. ORCID_PUSH_SKIP_FORMAT_CHECK=1 skips it while iterating.
# Extra arguments go to pytest, e.g. ./run-tests.sh -k simulator -x
set -euo pipefail
cd "$(dirname "$0")"
source ./.ci/venv.sh
ensure_venv tests
ensure_chromium
if [ -z "${ORCID_PUSH_SKIP_FORMAT_CHECK:-}" ]; then
  "$VENV/bin/python" -m black --check --quiet invenio_orcid_push tests benchmarks \
    || { echo "Formatting drift: run black invenio_orcid_push tests benchmarks" >&2; exit 1; }
  "$VENV/bin/python" -m isort --check-only --quiet invenio_orcid_push tests benchmarks \
    || { echo "Import order drift: run isort invenio_orcid_push tests benchmarks" >&2; exit 1; }
fi
exec "$VENV/bin/python" -m pytest "$@"
