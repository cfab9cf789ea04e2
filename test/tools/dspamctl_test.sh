#!/usr/bin/env bash
# End-to-end test of dspamctl against a real PostgreSQL: the embedded store in
# a private state directory, trained and queried through the command line.
#   dspamctl_test.sh DSPAMCTL SOURCE_DIR
set -uo pipefail
dspamctl=$1
src=$2
corpus=${SHARED:-$src/../shared}/corpus/spamassassin
work=$(mktemp -d /tmp/dspamctl-test.XXXXXX)
chmod 755 "$work"
config=$work/dspamd.toml
sed "s|^state_dir = .*|state_dir = \"$work/state\"|" "$src/conf/dspamd.toml" >"$config"
export DSPAMD_CONFIG=$config
failures=0
checks=0

cleanup() {
  "$dspamctl" db stop >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

check() {  # check NAME EXPECTED_STATUS COMMAND...
  local name=$1 expected=$2
  shift 2
  "$@" >"$work/out" 2>"$work/err"
  local status=$?
  checks=$((checks + 1))
  if [[ $status -ne $expected ]]; then
    echo "FAIL $name: exit $status, expected $expected"
    sed 's/^/  | /' "$work/out" "$work/err" | head -20
    failures=$((failures + 1))
    return 1
  fi
  echo "ok   $name"
}

expect_output() {  # expect_output NAME PATTERN
  checks=$((checks + 1))
  if grep -Eq -- "$2" "$work/out"; then
    echo "ok   $1"
  else
    echo "FAIL $1: output lacks /$2/"
    sed 's/^/  | /' "$work/out" | head -20
    failures=$((failures + 1))
  fi
}

expect_error() {  # expect_error NAME PATTERN: the last command's standard error
  checks=$((checks + 1))
  if grep -Eq -- "$2" "$work/err"; then
    echo "ok   $1"
  else
    echo "FAIL $1: standard error lacks /$2/"
    sed 's/^/  | /' "$work/err" | head -20
    failures=$((failures + 1))
  fi
}

messages() {  # messages spam|ham COUNT: the first COUNT messages of a class
  grep "^$1 " "$corpus/full/index" | head -n "$2" | sed "s|^$1 \.\./|$corpus/|"
}

check "db start creates the embedded store" 0 "$dspamctl" db start
expect_output "db start prints the DSN" "host=$work/state/run"
check "db migrate is idempotent" 0 "$dspamctl" db migrate
expect_output "nothing left to migrate" "0 applied"

mapfile -t spam < <(messages spam 60)
mapfile -t ham < <(messages ham 60)
check "train spam" 0 "$dspamctl" train --class spam "${spam[@]:0:50}"
expect_output "train reports the count" "learned 50 messages as spam for filter"
check "train innocent" 0 "$dspamctl" train --class innocent "${ham[@]:0:50}"

check "classify held-out spam" 0 "$dspamctl" classify "${spam[55]}"
expect_output "spam is judged spam" "^X-DSPAM-Result: Spam$"
expect_output "probability in DSPAM's format" "^X-DSPAM-Probability: [01]\.[0-9]{4}$"
signature=$(sed -n 's/^X-DSPAM-Signature: //p' "$work/out")
check "classify held-out ham" 0 "$dspamctl" classify --factors "${ham[55]}"
expect_output "ham is judged innocent" "^X-DSPAM-Result: Innocent$"
expect_output "factors are listed" "^X-DSPAM-Factors: [0-9]+,"

check "retrain by signature" 0 "$dspamctl" retrain --class innocent --signature "$signature"
expect_output "retrain reports the correction" "retrained as innocent"
check "retrain again is a no-op" 0 "$dspamctl" retrain --class innocent --signature "$signature"
expect_output "second retrain changes nothing" "already innocent"
check "retrain back restores" 0 "$dspamctl" retrain --class spam --signature "$signature"
check "unknown signature" 65 "$dspamctl" retrain --class spam --signature 0123456789abcdef
check "unlearn by signature" 0 "$dspamctl" retrain --unlearn --signature "$signature"
expect_output "unlearn reports it" "signature [0-9a-f]+: unlearned"
check "unlearn twice is refused" 65 "$dspamctl" retrain --unlearn --signature "$signature"
check "a withdrawn signature cannot be retrained" 65 "$dspamctl" retrain --class innocent --signature "$signature"
check "unlearn takes no class" 64 "$dspamctl" retrain --unlearn --class spam --signature "$signature"
check "train one more" 0 "$dspamctl" train --class spam "${spam[56]}"
check "train --unlearn takes it back" 0 "$dspamctl" train --unlearn --class spam "${spam[56]}"
expect_output "train --unlearn reports it" "unlearned 1 message as spam for filter"

check "stats for the user" 0 "$dspamctl" stats filter
expect_output "stats show corpus feeding" "^filter +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9.]+% +[0-9]+ +[0-9]+ +50 +50"
check "stats for an unknown user" 65 "$dspamctl" stats nobody-here

check "history of the user" 0 "$dspamctl" history --user filter --limit 5
expect_output "history has its header line" "^time +result +action"
check "history rejects a bad limit" 64 "$dspamctl" history --limit 0

check "tokens from stdin" 0 "$dspamctl" tokens <"${ham[0]}"
expect_output "tokens are hash and text" "^[0-9a-f]{16} Subject\*"

check "usage error" 64 "$dspamctl" classify --no-such-option
check "missing file" 66 "$dspamctl" classify "$work/does-not-exist"
printf 'state_dir = "%s"\n[classifier]\nalgoritm = "naive"\n' "$work/state" >"$work/typo.toml"
check "config typo" 78 "$dspamctl" classify --config "$work/typo.toml" "${ham[0]}"
check "check-config accepts the sample" 0 "$dspamctl" --check-config
expect_output "check-config names the file" "dspamd.toml: configuration OK"
check "check-config finds the typo" 78 "$dspamctl" check-config --config "$work/typo.toml"
checks=$((checks + 1))
if grep -q "typo.toml:3:1" "$work/err"; then echo "ok   typo names file:line:column"; else
  echo "FAIL typo message: $(cat "$work/err")"; failures=$((failures + 1)); fi

# eval --compare on the first 200 messages: one row per combination, the
# settings columns first, TUM among them; bad axes are usage errors.
head -n 200 "$corpus/full/index" | sed "s|\.\./data/|$corpus/data/|" >"$work/slice200"
check "eval --compare runs a matrix" 0 "$dspamctl" eval "$work/slice200" --store memory --quiet \
  --jobs 2 --compare tokenizer=chain,osb mode=teft,tum algorithm=graham
expect_output "compare prints one header" \
  "^tokenizer +algorithm +mode +\(1-ROCA\)% +FPR % +FNR % +accuracy % +learned +rows +rows/learned +msgs/s$"
checks=$((checks + 1))
if [[ $(wc -l <"$work/out") -eq 5 ]]; then echo "ok   compare prints 4 rows"; else
  echo "FAIL compare rows: $(cat "$work/out")"; failures=$((failures + 1)); fi
number="[0-9]+(\.[0-9]+)?"
for row in "chain +graham +teft" "chain +graham +tum" "osb +graham +teft" "osb +graham +tum"; do
  expect_output "compare row $row" "^$row( +$number){4} +200 +[0-9]+ +[0-9]+ +[0-9]+$"
done
cp "$work/out" "$work/compare-memory"
check "eval --compare --json" 0 "$dspamctl" eval "$work/slice200" --store memory --quiet --json \
  --compare mode=tum,toe "scoring.fisher_x=0.4,0.5"
checks=$((checks + 1))
if python3 - "$work/out" <<'PY'; then echo "ok   compare JSON has a run per combination"; else
import json, sys
runs = json.load(open(sys.argv[1]))
assert [(r["mode"], r["scoring.fisher_x"]) for r in runs] == [
    ("tum", "0.4"), ("tum", "0.5"), ("toe", "0.4"), ("toe", "0.5")], runs
for r in runs:
    assert r["messages"] == 200 and r["learned"] > 0 and r["token_rows"] > 0, r
    assert abs(r["rows_per_learned"] - r["token_rows"] / r["learned"]) < 0.01, r
PY
  echo "FAIL compare JSON: $(head -c 600 "$work/out")"; failures=$((failures + 1)); fi
check "eval --compare on PostgreSQL" 0 "$dspamctl" eval "$work/slice200" --quiet --jobs 2 \
  --compare tokenizer=chain,osb mode=teft algorithm=graham
checks=$((checks + 1))
if diff <(grep teft "$work/compare-memory" | awk '{print $1, $4, $5, $6, $7, $8, $9}') \
        <(awk 'NR > 1 {print $1, $4, $5, $6, $7, $8, $9}' "$work/out") >/dev/null; then
  echo "ok   PostgreSQL and memory give the same figures and rows"; else
  echo "FAIL PostgreSQL figures differ: $(cat "$work/out")"; failures=$((failures + 1)); fi
check "compare: unknown axis" 64 "$dspamctl" eval "$work/slice200" --store memory --compare colour=red
expect_error "unknown axis names the key" "--compare: classifier.colour: unknown key \(expected one of tokenizer, "
check "compare: unknown value" 64 "$dspamctl" eval "$work/slice200" --store memory \
  --compare tokenizer=chain,trigram
expect_error "unknown value names the expected ones" \
  'unknown value "trigram" \(expected one of word, chain, osb, sbph\)'
check "compare: malformed axis" 64 "$dspamctl" eval "$work/slice200" --store memory --compare tum
check "compare: bad --jobs" 64 "$dspamctl" eval "$work/slice200" --store memory --jobs 0 --compare
check "eval: --algorithm checked like the file" 64 "$dspamctl" eval "$work/slice200" --algorithm fischer

check "db stop" 0 "$dspamctl" db stop
mkdir -p "$work/nowhere"
printf '[database]\ndsn = "host=%s dbname=dspamd connect_timeout=2"\n' "$work/nowhere" >"$work/down.toml"
check "database down gives EX_UNAVAILABLE" 69 "$dspamctl" classify --config "$work/down.toml" "${ham[0]}"
echo "$((checks - failures)) passed, $failures failed"
exit $((failures > 0))
