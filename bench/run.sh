#!/usr/bin/env bash
# The benchmarks: MIME parser comparison, pure-core throughput and
# classify+learn against PostgreSQL. Prints figures; asserts nothing.
#   bench/run.sh [INDEX]     (default: the shared SpamAssassin corpus)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
index=${1:-${SHARED:-$top/../shared}/corpus/spamassassin/full/index}
build=${BUILD_DIR:-$top/build}
BUILD_DIR=$build "$top/contrib/build.sh"
echo "== pure core =="
"$build/bench/core_bench" "$index"
if [[ -x "$build/bench/mime_compare" ]]; then
  echo "== MIME parser vs GMime =="
  "$build/bench/mime_compare" "$(dirname "$index")/../data"
fi
echo "== classify+learn with PostgreSQL =="
"$build/bench/store_bench" "$index" "${BENCH_MESSAGES:-2000}"
