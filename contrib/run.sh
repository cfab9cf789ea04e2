#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: installs what is missing, builds,
# writes a configuration, starts the embedded PostgreSQL store and shows the
# filter working. State lives in $DSPAMD_STATE (default: /var/lib/dspamd as
# root, ./.state otherwise); the configuration is $DSPAMD_STATE/dspamd.toml.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/contrib/install-deps.sh"
BUILD_DIR=${BUILD_DIR:-$top/build} "$top/contrib/build.sh"
bin=${BUILD_DIR:-$top/build}

if [[ $(id -u) -eq 0 ]]; then
  state=${DSPAMD_STATE:-/var/lib/dspamd}
else
  state=${DSPAMD_STATE:-$top/.state}
fi
mkdir -p "$state"
config=$state/dspamd.toml
if [[ ! -f $config ]]; then
  sed "s|^state_dir = .*|state_dir = \"$state\"|" "$top/conf/dspamd.toml" >"$config"
  echo "wrote $config"
fi
export DSPAMD_CONFIG=$config
dspamctl=$bin/tools/dspamctl

"$dspamctl" db start
echo
echo "A first message, classified for user 'filter':"
"$dspamctl" classify --dry-run "$top/test/data/messages/plain_ham.eml" || true
echo
cat <<TXT
dspamd is ready. With DSPAMD_CONFIG=$config:
  $dspamctl train --class spam FILE...      learn spam
  $dspamctl classify FILE...                classify (and learn, per training mode)
  $dspamctl stats                           statistics
  $dspamctl db stop                         stop the embedded store
TXT
