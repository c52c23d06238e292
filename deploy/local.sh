#!/usr/bin/env bash
# Sets up (packages, build) and starts a whole cluster in one process:
# `cairn local`, master and UI on http://127.0.0.1:5050. Extra arguments go
# to `cairn local`, e.g. deploy/local.sh --agents 3 --allocation-interval 500ms
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/setup.sh
exec build/actors/cairn local --agents 2 "$@"
