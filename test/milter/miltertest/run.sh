#!/usr/bin/env bash
# Protocol edge cases of dspamd, driven by miltertest (Debian package
# miltertest) against a private dspamd on the embedded PostgreSQL store:
# abort mid-message, several messages per connection, empty body, huge
# header, no recipients, outgoing mail and retraining requests.
#   run.sh DSPAMD SOURCE_DIR MILTERTEST
set -uo pipefail
dspamd=$1
src=$2
miltertest=$3
here=$src/test/milter/miltertest
work=$(mktemp -d /tmp/dspamd-mt.XXXXXX)
chmod 755 "$work"  # the dspamd system user must reach its state and socket
config=$work/dspamd.toml
sed -e "s|^state_dir = .*|state_dir = \"$work/state\"|" \
    -e "s|^socket = .*|socket = \"unix:$work/run/dspamd.sock\"|" \
    -e "s|^pid_file = .*|pid_file = \"$work/run/dspamd.pid\"|" \
    -e "s|^max_header_bytes = 262144|max_header_bytes = 16384|" \
    "$src/conf/dspamd.toml" >"$config"
grep -q '^max_header_bytes = 16384' "$config" || { echo "cannot set max_header_bytes"; exit 1; }
failures=0

cleanup() {
  if [[ -n ${pid:-} ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    wait "$pid"
  fi
  # dspamd started the embedded cluster; stop it as its owner.
  local pg_ctl
  pg_ctl=$(ls /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sort -V | tail -1)
  if [[ -d $work/state/pgdata && -n $pg_ctl ]]; then
    if [[ $(id -u) -eq 0 ]]; then
      runuser -u dspamd -- "$pg_ctl" -D "$work/state/pgdata" -m fast stop >/dev/null 2>&1
    else
      "$pg_ctl" -D "$work/state/pgdata" -m fast stop >/dev/null 2>&1
    fi
  fi
  rm -rf "$work"
}
trap cleanup EXIT

"$dspamd" --config "$config" --check-config || exit 1
"$dspamd" --config "$config" --foreground 2>"$work/dspamd.log" &
pid=$!
for _ in $(seq 1 120); do
  [[ -S $work/run/dspamd.sock ]] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.5
done
if [[ ! -S $work/run/dspamd.sock ]]; then
  echo "dspamd did not start:"
  cat "$work/dspamd.log"
  exit 1
fi

for script in abort_mid_message several_messages empty_body huge_header no_recipients \
              outgoing_and_retrain; do
  if "$miltertest" -D "socket=unix:$work/run/dspamd.sock" -D "dir=$here" \
       -s "$here/$script.lua" >"$work/$script.out" 2>&1; then
    echo "ok   $script"
  else
    echo "FAIL $script"
    sed 's/^/  | /' "$work/$script.out"
    failures=$((failures + 1))
  fi
done

# SIGHUP reloads without dropping the listener; the next connection works.
kill -HUP "$pid"
sleep 2
if kill -0 "$pid" 2>/dev/null && "$miltertest" -D "socket=unix:$work/run/dspamd.sock" \
     -D "dir=$here" -s "$here/empty_body.lua" >"$work/reload.out" 2>&1 &&
   grep -q "configuration reloaded" "$work/dspamd.log"; then
  echo "ok   reload on SIGHUP"
else
  echo "FAIL reload on SIGHUP"
  sed 's/^/  | /' "$work/reload.out"
  failures=$((failures + 1))
fi

# One log line per message with queue id, users, result, probability, action, ms.
if grep -Eq '^QMANY2: users=bob@example.com result=(Spam|Innocent) probability=[01]\.[0-9]{4} action=[a-z]+ ms=[0-9]+$' "$work/dspamd.log"; then
  echo "ok   log line per message"
else
  echo "FAIL log line per message"
  failures=$((failures + 1))
fi

kill -TERM "$pid"
wait "$pid"
status=$?
pid=
if [[ $status -eq 0 && ! -e $work/run/dspamd.pid ]]; then
  echo "ok   SIGTERM stops dspamd and removes its PID file"
else
  echo "FAIL SIGTERM: exit $status"
  failures=$((failures + 1))
fi
if [[ $failures -gt 0 ]]; then
  sed 's/^/  log | /' "$work/dspamd.log" | tail -40
fi
exit $((failures > 0))
