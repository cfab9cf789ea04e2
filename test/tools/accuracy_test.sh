#!/usr/bin/env bash
# Accuracy regression: the default learner on the first 2,000 messages of the
# public corpus (online, index order, in-memory store: about two seconds). The
# bounds sit between the default's figures (fisher-logistic + TONE: 0.273
# (1-ROCA)%, FPR 2.73 %, FNR 1.62 % when written) and those of the next-best
# settings (fisher alone: 0.329 / 1.17 % / 3.25 %; logistic alone: 0.322 /
# 3.26 % / 1.79 %; fisher-logistic + TEFT: 0.599; DSPAM's osb + chi-square +
# TEFT: 1.15 / 6.4 %), so a regression fails. The FPR bound is looser than
# fisher's was (1.6 %): at its threshold the new default trades false
# positives for far fewer false negatives, and ranks better (README).
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
    ("(1-ROCA)%% %.3f <= 0.30" % r["roca_pct"], r["roca_pct"] <= 0.30),
    ("FPR %.2f %% <= 3.0 %%" % r["fpr_pct"], r["fpr_pct"] <= 3.0),
    ("FNR %.2f %% <= 2.5 %%" % r["fnr_pct"], r["fnr_pct"] <= 2.5),
]
failed = [name for name, ok in checks if not ok]
for name, ok in checks:
    print(("ok   " if ok else "FAIL ") + name)
print("%d passed, %d failed" % (len(checks) - len(failed), len(failed)))
sys.exit(1 if failed else 0)
PY
