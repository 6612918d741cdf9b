#!/usr/bin/env bash
# Benchmarks of the ORCID push against the simulator (on demand, never in CI).
# Extra arguments go to benchmarks/run.py, e.g. ./run-benchmarks.sh --records 1000
set -euo pipefail
cd "$(dirname "$0")"
source ./.ci/venv.sh
ensure_venv demo
exec "$VENV/bin/python" benchmarks/run.py "$@"
