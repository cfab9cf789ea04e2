#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: installs what is missing, builds,
# writes a configuration, starts the embedded PostgreSQL store and the dspamd
# milter (a daemon with its PID file), and prints the main.cf lines that
# attach it to Postfix. State lives in $DSPAMD_STATE (default: /var/lib/dspamd
# as root, ./.state otherwise); the configuration is $DSPAMD_STATE/dspamd.toml.
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
  edits=(-e "s|^state_dir = .*|state_dir = \"$state\"|")
  if [[ $(id -u) -ne 0 ]]; then
    # Without root: socket and PID file in the state directory, no chgrp.
    edits+=(-e "s|^socket = .*|socket = \"unix:$state/run/dspamd.sock\"|"
            -e "s|^pid_file = .*|pid_file = \"$state/run/dspamd.pid\"|"
            -e "s|^socket_group = .*|socket_group = \"\"|")
  elif ! getent group postfix >/dev/null; then
    # Postfix is not installed yet: no postfix group to give the socket to.
    edits+=(-e "s|^socket_group = .*|socket_group = \"\"|"
            -e "s|^socket_mode = .*|socket_mode = 0o666|")
  fi
  sed "${edits[@]}" "$top/conf/dspamd.toml" >"$config"
  echo "wrote $config"
fi
export DSPAMD_CONFIG=$config
dspamctl=$bin/tools/dspamctl
dspamd=$bin/milter/dspamd

"$dspamctl" db start
echo
echo "A first message, classified for user 'filter':"
"$dspamctl" classify --dry-run "$top/test/data/messages/plain_ham.eml" || true
echo

# The milter: started unless the one of this configuration already runs.
"$dspamd" --config "$config" --check-config
socket=$(sed -n 's/^socket = "\(.*\)"$/\1/p' "$config")
pid_file=$(sed -n 's/^pid_file = "\(.*\)"$/\1/p' "$config")
if [[ -n $pid_file && -s $pid_file ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
  echo "dspamd already running (PID $(cat "$pid_file"))"
else
  "$dspamd" --config "$config"  # forks; returns once it listens, or fails with the reason
  echo "dspamd started${pid_file:+ (PID $(cat "$pid_file"), $pid_file)}; it logs to syslog (mail facility)"
fi
echo
echo "Attach it to Postfix: add these lines to /etc/postfix/main.cf, then postfix reload"
echo
echo "smtpd_milters = $socket"
cat <<TXT
# milter_default_action = tempfail   (dspamd unreachable: 4xx, the sender retries; nothing is lost)
# milter_protocol = 6
# milter_command_timeout = 30s       milter_content_timeout = 300s   (Postfix's defaults)
# (conf/postfix-main.cf explains each line)

With DSPAMD_CONFIG=$config:
  $dspamctl train --class spam FILE...      learn spam
  $dspamctl classify FILE...                classify (and learn, per training mode)
  $dspamctl stats                           statistics
  kill -HUP \$(cat ${pid_file:-PIDFILE})        reload dspamd.toml
  kill \$(cat ${pid_file:-PIDFILE})             stop dspamd
  $dspamctl db stop                         stop the embedded store
TXT
