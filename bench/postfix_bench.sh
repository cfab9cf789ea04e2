#!/usr/bin/env bash
# Throughput of a private Postfix with no milter, with bench/null_milter and
# with dspamd (when built), measured in ONE run so the figures compare: msgs/s
# and server CPU time per message (Postfix's processes + the milter + dspamd's
# embedded PostgreSQL, from a cpuacct cgroup), for smtp-source's synthetic
# ~5 KB messages and for held-out SpamAssassin corpus messages; then dspamd's
# p50/p99 end-of-message latency from its per-message log lines. Prints
# figures, asserts nothing. Needs root (Postfix, smtp-sink -u, cgroups).
#
#   bench/postfix_bench.sh [BUILD_DIR]      (default: build)
#   env: MESSAGES=5000 SESSIONS=20 SIZE=5120 CORPUS_MESSAGES=800 TRAIN=500
#        WARMUP=100 ROUNDS=3 CONFIGS="postfix null dspamd"
#        PG_STATEMENTS=1: load pg_stat_statements into dspamd's embedded
#        PostgreSQL and print the statements that took its time
#        DSPAMD_SETTINGS="cache: flush_interval_ms = 5000; ...": TOML lines
#        for dspamd's config, each after its table's name
#
# Configurations: postfix (no milter), null (bench/null_milter: every step,
# a reply to each, the baseline of the "vs null" ratio), nullq (null_milter
# -q: the protocol negotiated as dspamd negotiates it, no replies to header
# and body steps; add it to CONFIGS to see that ratio too) and dspamd.
#
# Throughput on this kind of machine moves by tens of percent from one run
# to the next, so every configuration runs ROUNDS times, interleaved (each
# round: every configuration, synthetic then corpus; each round's corpus
# messages are new ones), and the summary gives medians: of msgs/s, of CPU,
# and of the ratio to the null milter within each round.
#
# The instance, milters and senders come from test/e2e/postfix.py and
# daemons.py; everything started is stopped on exit, also on failure or ^C.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
export BENCH_TOP=$top BENCH_BUILD=$build
export PYTHONPATH=$top/test/e2e${PYTHONPATH:+:$PYTHONPATH}
export PYTHONDONTWRITEBYTECODE=1

if [[ $(id -u) -ne 0 ]]; then
  echo "postfix_bench: run as root (private Postfix, smtp-sink -u nobody, cgroups)" >&2
  exit 1
fi
if [[ ! -x $build/bench/null_milter ]]; then
  echo "postfix_bench: $build/bench/null_milter missing: make -C $build null_milter" >&2
  exit 1
fi

# The Python driver owns every process it starts (try/finally); the trap
# only removes what a killed driver may have left: its cgroups.
cleanup() {
  local d
  for d in /sys/fs/cgroup/cpuacct/dspamd-bench-$$-*; do
    [[ -d $d ]] || continue
    # Processes still inside go back to the root group before rmdir.
    while read -r pid; do
      echo "$pid" >/sys/fs/cgroup/cpuacct/cgroup.procs 2>/dev/null || true
    done <"$d/cgroup.procs"
    rmdir "$d" 2>/dev/null || true
  done
}
trap cleanup EXIT
export BENCH_CGROUP_PREFIX=/sys/fs/cgroup/cpuacct/dspamd-bench-$$

python3 - <<'PY'
"""Driver: one Postfix instance per (workload, configuration)."""
import glob, os, re, shutil, statistics, subprocess, sys, tempfile, time

import daemons
import postfix as pf

top, build = os.environ["BENCH_TOP"], os.environ["BENCH_BUILD"]
messages = int(os.environ.get("MESSAGES", "5000"))
sessions = int(os.environ.get("SESSIONS", "20"))
size = int(os.environ.get("SIZE", "5120"))
corpus_messages = int(os.environ.get("CORPUS_MESSAGES", "800"))
train = int(os.environ.get("TRAIN", "500"))
warmup = int(os.environ.get("WARMUP", "100"))
rounds = int(os.environ.get("ROUNDS", "3"))
configs = os.environ.get("CONFIGS", "postfix null dspamd").split()
pg_statements = os.environ.get("PG_STATEMENTS", "") not in ("", "0")
cg_prefix = os.environ["BENCH_CGROUP_PREFIX"]
shared = os.environ.get("SHARED", os.path.join(top, "..", "shared"))
corpus_dir = os.path.join(shared, "corpus", "spamassassin")
dspamd_bin = os.path.join(build, "milter", "dspamd")
dspamctl_bin = os.path.join(build, "tools", "dspamctl")
ticks = os.sysconf("SC_CLK_TCK")
RCPT = "bob@example.com"


class CpuMeter:
    """Server CPU: a cpuacct cgroup holding Postfix's master (its children
    inherit it), the milter and dspamd's PostgreSQL. Without cgroups, the
    machine's busy time from /proc/stat (clients and other load included)."""

    def __init__(self, name):
        self.path = f"{cg_prefix}-{name}"
        try:
            os.mkdir(self.path)
        except OSError:
            self.path = None

    @property
    def kind(self):
        return "cgroup" if self.path else "machine"

    def add(self, pids):
        if self.path:
            for pid in pids:
                try:
                    with open(os.path.join(self.path, "cgroup.procs"), "w") as f:
                        f.write(str(pid))
                except OSError:
                    pass  # exited meanwhile

    def read(self) -> float:
        if self.path:
            with open(os.path.join(self.path, "cpuacct.usage")) as f:
                return int(f.read()) / 1e9
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
        return (sum(fields) - fields[3] - fields[4]) / ticks  # minus idle, iowait

    def close(self):
        if self.path:
            with open(os.path.join(self.path, "cgroup.procs")) as f:
                for pid in f.read().split():
                    try:
                        with open("/sys/fs/cgroup/cpuacct/cgroup.procs", "w") as r:
                            r.write(pid)
                    except OSError:
                        pass
            try:
                os.rmdir(self.path)
            except OSError:
                pass


def pids_matching(text):
    """Processes whose command line mentions `text` (a private directory),
    and their children: PostgreSQL's backends, already forked for dspamd's
    pool, show only "postgres: dspamd dspamd [local] idle"."""
    out, parents = [], {}
    for stat in glob.glob("/proc/[0-9]*/stat"):
        pid = int(stat.split("/")[2])
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if text.encode() in f.read():
                    out.append(pid)
            with open(stat) as f:
                parents[pid] = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            pass
    return out + [pid for pid, ppid in parents.items() if ppid in out and pid not in out]


def corpus_files(klass):
    with open(os.path.join(corpus_dir, "full", "index")) as f:
        return [os.path.join(corpus_dir, l.split()[1].replace("../", "", 1))
                for l in f if l.startswith(klass + " ")]


def smtp_source(port, count, extra):
    cmd = [pf.find_program("smtp-source"), "-s", str(sessions), "-m", str(count),
           "-f", "sender@outside.example", "-t", RCPT, *extra, f"127.0.0.1:{port}"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)


def send_synthetic(port, count):
    smtp_source(port, count, ["-l", str(size)])


def send_files(port, files):
    """One smtp-source per corpus file (-F sends that file as the message),
    SESSIONS of them at a time: distinct messages, one connection each. A
    transaction that failed (smtp-source exits non-zero, e.g. a connection
    refused under load) is sent again, up to 3 times, and counted, so that
    the run waits for what was really accepted."""
    def start(path):
        return subprocess.Popen(
            [pf.find_program("smtp-source"), "-s", "1", "-m", "1", "-f", "sender@outside.example",
             "-t", RCPT, "-F", path, f"127.0.0.1:{port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)

    pending = [(path, 0) for path in files]
    running = []  # (process, path, attempt)
    resent = 0
    while pending or running:
        while pending and len(running) < sessions:
            path, attempt = pending.pop(0)
            running.append((start(path), path, attempt))
        still = []
        for proc, path, attempt in running:
            if proc.poll() is None:
                still.append((proc, path, attempt))
            elif proc.returncode != 0:
                error = proc.stderr.read().strip()
                if attempt >= 3:
                    raise RuntimeError(f"smtp-source failed 4 times on {path}: {error}")
                resent += 1
                print(f"  resending {os.path.basename(path)}: {error}", file=sys.stderr)
                pending.append((path, attempt + 1))
        running = still
        if running:
            time.sleep(0.001)
    return resent


def run_one(workload, config, milter_socket, milter_pids_fn, db_pids_fn, payload, count):
    """Returns (msgs/s, server CPU ms per message, cpu kind, elapsed, delivered,
    {part: CPU ms per message} for postfix, milter and db)."""
    meters = {part: CpuMeter(f"{workload}-{config}-{part}") for part in ("postfix", "milter", "db")}
    p = pf.PostfixInstance(milter=milter_socket)
    try:
        p.start()
        meters["postfix"].add(pf.processes_in_group(p.master_pgid))
        meters["milter"].add(milter_pids_fn())
        meters["db"].add(db_pids_fn())
        if warmup:
            payload(p.port, warmup, warm=True)
            p.wait_delivered(warmup, timeout=600, complete=False)
            p.sink.clear()
        meters["postfix"].add(pf.processes_in_group(p.master_pgid))
        cpu0 = {part: m.read() for part, m in meters.items()}
        t0 = time.monotonic()
        payload(p.port, count, warm=False)
        p.wait_delivered(count, timeout=1800, complete=False)
        elapsed = time.monotonic() - t0
        parts = {part: (m.read() - cpu0[part]) / count * 1000 for part, m in meters.items()}
        delivered = len(p.sink.files())
        kind = meters["postfix"].kind
        # Without cgroups each meter reads the whole machine: count it once.
        cpu = sum(parts.values()) if kind == "cgroup" else parts["postfix"]
        return count / elapsed, cpu, kind, elapsed, delivered, parts
    finally:
        p.stop()
        for m in meters.values():
            m.close()


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q * (len(values) - 1))))]


# Latency per message from dspamd's log: the colleague's line carries the
# milliseconds as "ms=12.3", "12.3 ms" or "12.3ms"; DSPAMD_MS_REGEX overrides.
ms_regex = re.compile(os.environ.get("DSPAMD_MS_REGEX",
                                     r"(?:\bms=(\d+(?:\.\d+)?)|\b(\d+(?:\.\d+)?) ?ms\b)"))


def latencies(log_text, since):
    out = []
    for line in log_text[since:].splitlines():
        m = ms_regex.findall(line)
        if m:
            a, b = m[-1]
            out.append(float(a or b))
    return out


work = tempfile.mkdtemp(prefix="dspamd-bench.")
os.chmod(work, 0o755)
null = None
nullq = None
dsp = None
results = []
cache_lines = []
statements = []
table_stats = wal_stats = [[]]
try:
    spam, ham = corpus_files("spam"), corpus_files("ham")
    # Held-out corpus messages (after the training part), spam and ham
    # alternating, without the mbox From line.
    held = [f for pair in zip(spam[train:], ham[train:]) for f in pair]
    prepared = []
    os.makedirs(os.path.join(work, "corpus"))
    for i, f in enumerate(held):
        dst = os.path.join(work, "corpus", f"{i:05d}")
        with open(dst, "wb") as out:
            out.write(pf.message_bytes(f).replace(b"\r\n", b"\n"))
        prepared.append(dst)

    def synthetic(port, count, warm):
        send_synthetic(port, count)

    # Round r sends its own slice: warm-up, then the measured messages.
    slice_size = min(warmup + corpus_messages, len(prepared) // rounds)
    corpus_round = 0

    def corpus(port, count, warm):
        start = corpus_round * slice_size
        send_files(port, prepared[start:start + warmup] if warm
                   else prepared[start + warmup:start + warmup + count])

    milters = {"postfix": (None, lambda: [], lambda: [])}
    if "null" in configs:
        null = daemons.null_milter(os.path.join(build, "bench", "null_milter"), work,
                                   test_actions=False, log_eom=False)
        null.start()
        milters["null"] = (f"unix:{null.socket_path}", lambda: [null.proc.pid], lambda: [])
    if "nullq" in configs:
        nullq = daemons.null_milter(os.path.join(build, "bench", "null_milter"), work,
                                    test_actions=False, log_eom=False, quiet=True)
        nullq.start()
        milters["nullq"] = (f"unix:{nullq.socket_path}", lambda: [nullq.proc.pid], lambda: [])
    if "dspamd" in configs and os.access(dspamd_bin, os.X_OK):
        # smtp-source connects from 127.0.0.1, which dspamd would trust and
        # skip: no trusted networks here.
        settings = {"milter": ['pid_file = ""', "trusted_networks = []"]}
        for item in os.environ.get("DSPAMD_SETTINGS", "").split(";"):
            if item.strip():
                table, line = item.split(":", 1)
                settings.setdefault(table.strip(), []).append(line.strip())
        dsp = daemons.DspamdInstance(dspamd_bin, dspamctl_bin, top,
                                     base=os.path.join(work, "dspamd"), settings=settings)
        dsp.start_db()
        if pg_statements:
            with open(os.path.join(dsp.state_dir, "pgdata", "postgresql.conf"), "a") as f:
                f.write("shared_preload_libraries = 'pg_stat_statements'\n")
            dsp.stop_db()
            dsp.start_db()
            dsp.sql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        t = time.monotonic()
        dsp.dspamctl("train", "--class", "spam", "--user", RCPT, *spam[:train])
        dsp.dspamctl("train", "--class", "innocent", "--user", RCPT, *ham[:train])
        print(f"dspamd trained on {train}+{train} corpus messages"
              f" in {time.monotonic() - t:.0f} s", flush=True)
        if pg_statements:
            dsp.sql("SELECT pg_stat_statements_reset(), pg_stat_reset(),"
                    " pg_stat_reset_shared('wal')")
        dsp.start()
        milters["dspamd"] = (dsp.socket, lambda: [dsp.daemon.proc.pid],
                             lambda: pids_matching(dsp.state_dir))
    elif "dspamd" in configs:
        print(f"dspamd: {dspamd_bin} not built, skipped", flush=True)

    corpus_count = min(corpus_messages, slice_size - warmup)
    if corpus_count < corpus_messages:
        print(f"corpus: {corpus_count} messages per round ({len(prepared)} held out,"
              f" {rounds} rounds)", flush=True)
    for corpus_round in range(rounds):
        print(f"round {corpus_round + 1} of {rounds}", flush=True)
        for workload, payload, count in (("synthetic", synthetic, messages),
                                         ("corpus", corpus, corpus_count)):
            for config in configs:
                if config not in milters:
                    continue
                socket, pids, db_pids = milters[config]
                log_mark = len(dsp.log()) if config == "dspamd" else 0
                rate, cpu_ms, kind, elapsed, delivered, parts = run_one(
                    workload, config, socket, pids, db_pids, payload, count)
                lat = latencies(dsp.log(), log_mark) if config == "dspamd" else []
                results.append((corpus_round, workload, config, rate, cpu_ms, kind, lat, parts))
                split = (f" = postfix {parts['postfix']:.2f} + milter {parts['milter']:.2f}"
                         f" + db {parts['db']:.2f}" if kind == "cgroup" else "")
                print(f"  {workload:9} {config:8} {delivered}/{count} msgs in {elapsed:6.1f} s"
                      f"  {rate:7.1f} msgs/s  {cpu_ms:6.2f} ms CPU/msg ({kind}){split}",
                      flush=True)
finally:
    if null:
        null.stop()
    if nullq:
        nullq.stop()
    if dsp and pg_statements:
        statements = dsp.sql(
            "SELECT round(total_exec_time)::bigint, calls, rows,"
            " round((total_exec_time / greatest(rows, 1) * 1000)::numeric, 1),"
            " left(regexp_replace(query, '\\s+', ' ', 'g'), 90)"
            " FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 12")
        table_stats = dsp.sql(
            "SELECT n_tup_ins, n_tup_upd, n_tup_hot_upd, n_dead_tup, autovacuum_count"
            " FROM pg_stat_user_tables WHERE relname = 'tokens'")
        wal_stats = dsp.sql("SELECT wal_records, wal_fpi, pg_size_pretty(wal_bytes) FROM pg_stat_wal")
    if dsp:
        dsp.stop()
        # The cache's counters, logged at exit: reads and writes PostgreSQL saw.
        cache_lines = [l.split("cache: ", 1)[1] for l in dsp.log().splitlines() if "cache: " in l]
    shutil.rmtree(work, ignore_errors=True)

print()
for line in cache_lines:
    print("dspamd " + line)
if pg_statements:
    print(f"{'ms':>8} {'calls':>7} {'rows':>9} {'us/row':>7}  statement (dspamd's PostgreSQL, whole run)")
    for ms, calls, rows, per_row, query in statements:
        print(f"{ms:>8} {calls:>7} {rows:>9} {per_row:>7}  {query}")
    print("tokens: inserted, updated, HOT-updated, dead, autovacuums: " + " ".join(table_stats[0]))
    print("WAL: records, full-page images, bytes: " + " ".join(wal_stats[0]))
print(f"sessions={sessions} messages={messages} size={size} corpus_messages={corpus_count}"
      f" warmup={warmup} rounds={rounds} nproc={os.cpu_count()}"
      f" load={open('/proc/loadavg').read().split()[0]}")
# Medians over the rounds. "vs null": within each round, msgs/s relative to
# Postfix + null milter in the same workload (the throughput target for dspamd:
# >= 0.8), then the median of those ratios, and their range.
print(f"{'workload':9} {'config':8} {'msgs/s':>8} {'CPU ms/msg':>10} {'vs null':>8}"
      f" {'(range)':>13} {'p50 ms':>7} {'p99 ms':>7}")
for workload in ("synthetic", "corpus"):
    for config in configs:
        mine = [r for r in results if r[1] == workload and r[2] == config]
        if not mine:
            continue
        ratios = []
        for rnd, _, _, rate, *_ in mine:
            base = next((r for r in results if r[:3] == (rnd, workload, "null")), None)
            if base:
                ratios.append(rate / base[3])
        ratio = f"{statistics.median(ratios):.2f}x" if ratios else "-"
        spread = f"{min(ratios):.2f}-{max(ratios):.2f}" if ratios else ""
        quiet_ratios = [rate / base[3] for rnd, _, _, rate, *_ in mine
                        for base in results if base[:3] == (rnd, workload, "nullq")]
        lat = [ms for r in mine for ms in r[6]]
        p50 = f"{percentile(lat, 0.5):.1f}" if lat else "-"
        p99 = f"{percentile(lat, 0.99):.1f}" if lat else "-"
        rate = statistics.median(r[3] for r in mine)
        cpu = statistics.median(r[4] for r in mine)
        print(f"{workload:9} {config:8} {rate:8.1f} {cpu:10.2f} {ratio:>8} {spread:>13}"
              f" {p50:>7} {p99:>7}")
        if config == "dspamd" and quiet_ratios:
            print(f"{'':9} {'':8} {'':8} {'':10} {statistics.median(quiet_ratios):7.2f}x"
                  f" {min(quiet_ratios):.2f}-{max(quiet_ratios):.2f}  vs nullq")
        if config == "dspamd" and not lat:
            print("  (no per-message milliseconds found in dspamd's log; set DSPAMD_MS_REGEX)")
PY
