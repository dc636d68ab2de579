#!/usr/bin/env bash
# Kill `hubctl apply` at random moments N times (default 50), re-run it each time, and print the
# tally: how many trials killed the apply mid-way and how many converged afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
trials="${1:-50}"
HUBCTL_CRASH_TRIALS="$trials" cargo test --locked -p hubctl --test it crash -- --nocapture 2>&1 | grep -E "crash trials:|test result|panicked"
