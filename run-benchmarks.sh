#!/usr/bin/env bash
# Benchmarks of the ORCID push against the simulator (on demand, never in CI).
# Uses PostgreSQL (database orcid_push_bench, dropped and created again) when it is
# reachable on 127.0.0.1:5432, else SQLite; Redis on 127.0.0.1:6379 for the shared
# rate limit. Extra arguments go to benchmarks/run.py, e.g.
#   ./run-benchmarks.sh --records 1000
set -euo pipefail
cd "$(dirname "$0")"
source ./.ci/venv.sh
ensure_venv benchmarks
if [ -z "${SQLALCHEMY_DATABASE_URI:-}" ] && pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  export SQLALCHEMY_DATABASE_URI="postgresql+psycopg2://postgres@127.0.0.1:5432/orcid_push_bench"
fi
exec "$VENV/bin/python" benchmarks/run.py "$@"
