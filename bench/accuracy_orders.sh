#!/usr/bin/env bash
# Accuracy over many orders of the public corpus: the index order alone
# decides single messages, so a change to the learner is judged here too.
#
#   bench/accuracy_orders.sh [BUILD_DIR] [-- EVAL_ARGS...]
#
# Runs `dspamctl eval --store memory` (with --config /dev/null unless
# EVAL_ARGS give a --config) on 15 orders, two at a time:
#   index       the corpus's own order (delivery time)
#   shuffle1-7  the index shuffled, fixed seeds
#   reversed, rotated1, rotated2, blocks1-4
#               orders that keep what arrives together in real mail
#               together: the index backwards, started at its second and
#               third thirds, and cut into blocks of 250 messages in
#               shuffled block order
# and prints, per order, (1-ROCA)%, false positives and negatives at the
# default threshold and the false negatives left at the threshold that
# leaves 10 false positives (the joint accuracy target allows 10 and 56 on
# the index), then the sums over each set of 7.
#
# INDEX=FILE orders another index of the corpus instead of its own, e.g. a
# spam-heavy stream (every fourth ham kept: 1,037 ham, 1,896 spam):
#   awk '$1 == "ham" && ++h % 4 { next } 1' ../shared/corpus/spamassassin/full/index \
#       | sed "s|\.\./data/|$PWD/../shared/corpus/spamassassin/data/|" > /tmp/spam-heavy
#   INDEX=/tmp/spam-heavy bench/accuracy_orders.sh build
set -euo pipefail

build=${1:-build}
shift || true
[ "${1:-}" = "--" ] && shift
eval_args=("$@")
case " ${eval_args[*]:-} " in
    *" --config "*) ;;
    *) eval_args+=(--config /dev/null) ;;
esac

root=$(cd "$(dirname "$0")/.." && pwd)
corpus=${SHARED:-$root/../shared}/corpus/spamassassin/full
dspamctl=$root/$build/tools/dspamctl
[ -x "$dspamctl" ] || { echo "no $dspamctl: build first" >&2; exit 1; }
command -v openssl > /dev/null || { echo "needs openssl for the seeded shuffles" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Absolute paths, so that every order can live in $work.
index=${INDEX:-$corpus/index}
[ -f "$index" ] || { echo "no index at $index" >&2; exit 1; }
sed "s|\.\./data/|$corpus/../data/|" "$index" > "$work/index"
# A fixed stream of bytes per seed makes shuf's order the same everywhere
# (the way GNU coreutils' manual suggests: AES in counter mode over zeros).
random_source() {
    openssl enc -aes-256-ctr -pass pass:"dspamd order $1" -nosalt -pbkdf2 < /dev/zero 2> /dev/null | head -c 4194304
}
for seed in 1 2 3 4 5 6 7; do
    shuf --random-source=<(random_source "$seed") "$work/index" > "$work/shuffle$seed"
done
tac "$work/index" > "$work/reversed"
lines=$(wc -l < "$work/index")
for part in 1 2; do
    start=$(( lines * part / 3 ))
    { tail -n +"$(( start + 1 ))" "$work/index"; head -n "$start" "$work/index"; } > "$work/rotated$part"
done
split -l 250 -d -a 3 "$work/index" "$work/block."
for seed in 1 2 3 4; do
    ls "$work"/block.* | shuf --random-source=<(random_source "blocks $seed") | xargs cat > "$work/blocks$seed"
done

orders=(index shuffle1 shuffle2 shuffle3 shuffle4 shuffle5 shuffle6 shuffle7
        reversed rotated1 rotated2 blocks1 blocks2 blocks3 blocks4)
running=0
for order in "${orders[@]}"; do
    "$dspamctl" eval "$work/$order" --store memory --json --scores "$work/$order.scores" \
        "${eval_args[@]}" > "$work/$order.json" 2> "$work/$order.log" &
    running=$(( running + 1 ))
    if (( running == 2 )); then wait -n; running=$(( running - 1 )); fi
done
wait

printf '%-10s %10s %4s %4s %10s\n' order "(1-ROCA)%" FP FN "FN@10FP"
for order in "${orders[@]}"; do
    [ -s "$work/$order.json" ] || { echo "$order failed:" >&2; cat "$work/$order.log" >&2; exit 1; }
    roca=$(grep -o '"roca_pct": [0-9.]*' "$work/$order.json" | cut -d' ' -f2)
    fp=$(grep -o '"false_positives": [0-9]*' "$work/$order.json" | cut -d' ' -f2)
    fn=$(grep -o '"false_negatives": [0-9]*' "$work/$order.json" | cut -d' ' -f2)
    # The 11th highest ham score: above it lie 10 false positives.
    cut_off=$(awk '$2 == "ham" { print $4 }' "$work/$order.scores" | sort -gr | sed -n 11p)
    at10=$(awk -v t="$cut_off" '$2 == "spam" && $4 <= t { n++ } END { print n + 0 }' "$work/$order.scores")
    printf '%-10s %10.4f %4d %4d %10d\n' "$order" "$roca" "$fp" "$fn" "$at10"
done | tee "$work/table"
awk '$1 ~ /^shuffle/ { s += $5; sr += $2 }
     $1 ~ /^(reversed|rotated|blocks)/ { b += $5; br += $2 }
     END { printf "FN@10FP summed: 7 shuffled %d, 7 kept together %d; mean (1-ROCA)%%: %.4f, %.4f\n",
                  s, b, sr / 7, br / 7 }' "$work/table"
