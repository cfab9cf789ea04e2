#!/usr/bin/env bash
# The whole test suite: installs what is missing (Debian 12), builds, runs the
# fuzzers briefly, then every unit, integration and end-to-end test with CTest.
# The tests start and stop their own PostgreSQL cluster and Postfix instance.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/contrib/install-deps.sh" --test

# A short fuzzing run of the MIME parser and tokenizer (clang + libFuzzer).
fuzz_build=${FUZZ_BUILD_DIR:-$top/build-fuzz}
CC=clang CXX=clang++ cmake -S "$top" -B "$fuzz_build" -DDSPAMD_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$fuzz_build" -j"$(nproc)" --target mime_fuzz
(cd "$fuzz_build" && ctest -L fuzz --output-on-failure)

BUILD_DIR=${BUILD_DIR:-$top/build} "$top/contrib/build.sh"
cd "${BUILD_DIR:-$top/build}"
# The end-to-end tests (label e2e) run a private Postfix and dspamd's embedded
# PostgreSQL: they need root (smtp-sink -u nobody, postfix start, the dspamd
# system user) and the corpus in ../shared. Once milter/ exists, a missing
# dspamd binary is a failure, not a skipped test.
exclude=()
if [[ $(id -u) -ne 0 ]]; then
  echo "test.sh: WARNING: not root, the end-to-end tests (label e2e) are NOT run" >&2
  exclude=(-LE e2e)
fi
if [[ -f "$top/milter/CMakeLists.txt" ]]; then
  export DSPAMD_E2E_REQUIRED=1
fi
ctest --output-on-failure --timeout 1500 "${exclude[@]}" "$@"
