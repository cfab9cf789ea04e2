#!/usr/bin/env bash
# Installs the Debian 12 packages dspamd needs to build, run and test.
# Idempotent: packages already present are left alone. Needs root.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libpqxx-dev libpq-dev libtomlplusplus-dev doctest-dev libmilter-dev libgmime-3.0-dev
  libabsl-dev
  postgresql-15
)
if [[ "${1:-}" == "--test" ]]; then
  # The test suite also drives a real Postfix, miltertest and the fuzzer.
  packages+=(postfix miltertest clang libclang-rt-14-dev python3)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing packages: ${missing[*]}; run as root (sudo)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# "No configuration": the package installs Postfix's programs without a system
# instance; the tests run their own private one.
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
