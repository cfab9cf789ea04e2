#!/usr/bin/env bash
# Accuracy regression: the default learner on the first 2,000 messages of the
# public corpus (online, index order, in-memory store: about a second). The
# bounds sit between the default's figures (0.31 (1-ROCA)%, 1.17 % FPR when
# written) and those of the next-best settings (fisher + TEFT: 0.73 / 2.2 %;
# DSPAM's osb + chi-square + TEFT: 1.15 / 6.4 %), so a regression fails.
# The full-corpus figures are the benchmark's (README).
#   accuracy_test.sh DSPAMCTL
set -euo pipefail
dspamctl=$1
corpus=$(cd "${SHARED:-$(dirname "$0")/../../../shared}/corpus/spamassassin" && pwd)
index=$(mktemp /tmp/accuracy-slice.XXXXXX)
trap 'rm -f "$index"' EXIT
head -n 2000 "$corpus/full/index" | sed "s|\.\./data/|$corpus/data/|" >"$index"

result=$("$dspamctl" eval "$index" --store memory --quiet --json --config /dev/null)
echo "$result"
python3 - "$result" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
checks = [
    ("messages == 2000", r["messages"] == 2000),
    ("(1-ROCA)%% %.3f <= 0.45" % r["roca_pct"], r["roca_pct"] <= 0.45),
    ("FPR %.2f %% <= 1.6 %%" % r["fpr_pct"], r["fpr_pct"] <= 1.6),
    ("FNR %.2f %% <= 5 %%" % r["fnr_pct"], r["fnr_pct"] <= 5.0),
]
failed = [name for name, ok in checks if not ok]
for name, ok in checks:
    print(("ok   " if ok else "FAIL ") + name)
print("%d passed, %d failed" % (len(checks) - len(failed), len(failed)))
sys.exit(1 if failed else 0)
PY
