"""The milters the end-to-end tests attach to Postfix, as context managers
(stdlib only): null_milter (bench/null_milter.cpp) and a private dspamd with
its embedded PostgreSQL store, driven like test/tools/dspamctl_test.sh does:
a copy of conf/dspamd.toml whose `state_dir` and `[milter] socket` lines are
rewritten to point into a temporary directory.

Every process started here is stopped on exit, also after a failure.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile

from postfix import unix_socket_ready, wait_for


class Daemon:
    """A foreground process that serves a unix socket; stopped with SIGTERM,
    then SIGKILL. Its stdout and stderr go to `log_path`."""

    def __init__(self, argv: list[str], socket_path: str, log_path: str):
        self.argv = argv
        self.socket_path = socket_path
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30):
        log = open(self.log_path, "ab")
        try:
            self.proc = subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        finally:
            log.close()
        try:
            wait_for(lambda: self.proc.poll() is not None or unix_socket_ready(self.socket_path),
                     timeout, f"{self.argv[0]} to listen on {self.socket_path}")
        except BaseException:
            self.stop()
            raise
        if self.proc.poll() is not None:
            raise RuntimeError(f"{self.argv[0]} exited with {self.proc.returncode}:\n"
                               + self.log()[-3000:])
        # Postfix's smtpd runs as postfix: it must be able to connect.
        with contextlib.suppress(OSError):
            os.chmod(self.socket_path, 0o666)
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                # start_new_session: the group is this daemon and its threads'
                # helpers only.
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None

    def log(self) -> str:
        with contextlib.suppress(FileNotFoundError), open(self.log_path, errors="replace") as f:
            return f.read()
        return ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def null_milter(binary: str, directory: str, test_actions: bool = True,
                log_eom: bool = True, quiet: bool = False) -> Daemon:
    """test_actions and log_eom: the harness's checks (-t, -l); both off:
    the pure pass-through the benchmark measures. quiet (-q): the protocol
    negotiated as dspamd negotiates it."""
    name = "null_milter_quiet" if quiet else "null_milter"
    sock = os.path.join(directory, f"{name}.sock")
    argv = [binary, "-s", f"unix:{sock}"] + (["-q"] if quiet else [])
    if log_eom:
        argv += ["-l", os.path.join(directory, f"{name}.eom")]
    if test_actions:
        argv.append("-t")
    return Daemon(argv, sock, os.path.join(directory, f"{name}.log"))


class DspamdInstance:
    """A private dspamd: config in `base`, embedded store in base/state,
    milter socket base/dspamd.sock. `settings` are TOML lines appended to the
    copied conf/dspamd.toml, grouped by table ({"actions": ['spam_action =
    "tag"']}): a table that the sample already has gets them added inside it.
    """

    def __init__(self, dspamd: str, dspamctl: str, source_dir: str, base: str | None = None,
                 settings: dict[str, list[str]] | None = None):
        self.dspamd = dspamd
        self.dspamctl_path = dspamctl
        self.owns_base = base is None
        self.base = base or tempfile.mkdtemp(prefix="dspamd-e2e.")
        os.makedirs(self.base, exist_ok=True)
        os.chmod(self.base, 0o755)
        self.state_dir = os.path.join(self.base, "state")
        self.socket_path = os.path.join(self.base, "dspamd.sock")
        self.socket = f"unix:{self.socket_path}"
        self.config = os.path.join(self.base, "dspamd.toml")
        self.log_path = os.path.join(self.base, "dspamd.log")
        self._write_config(os.path.join(source_dir, "conf", "dspamd.toml"), settings or {})
        self.daemon = Daemon([dspamd, "--config", self.config, "--foreground"],
                             self.socket_path, self.log_path)
        self.db_started = False

    def _write_config(self, sample: str, settings: dict[str, list[str]]):
        with open(sample) as f:
            text = f.read()
        text, n = re.subn(r'(?m)^state_dir = .*$', f'state_dir = "{self.state_dir}"', text)
        if n != 1:
            raise RuntimeError(f"{sample}: no single state_dir line to rewrite")
        settings = {k: list(v) for k, v in settings.items()}
        text, n = re.subn(r'(?m)^socket = .*$', f'socket = "{self.socket}"', text)
        if n == 0:
            # The sample has no [milter] table yet: add the one line we need.
            settings.setdefault("milter", []).insert(0, f'socket = "{self.socket}"')
        for table, lines in settings.items():
            header = re.search(rf'(?m)^\[{re.escape(table)}\]\s*$', text)
            block = "\n".join(lines) + "\n"
            if header:
                # Insert right after the table header; a key written twice is
                # an error, so drop the sample's own line for that key.
                for line in lines:
                    key = line.split("=", 1)[0].strip()
                    text = self._drop_key(text, table, key)
                header = re.search(rf'(?m)^\[{re.escape(table)}\]\s*$', text)
                text = text[:header.end()] + "\n" + block + text[header.end() + 1:]
            else:
                text += f"\n[{table}]\n{block}"
        with open(self.config, "w") as f:
            f.write(text)

    @staticmethod
    def _drop_key(text: str, table: str, key: str) -> str:
        out, current = [], None
        for line in text.split("\n"):
            m = re.match(r'^\[([^\]]+)\]\s*$', line)
            if m:
                current = m.group(1)
            if current == table and re.match(rf'^{re.escape(key)}\s*=', line):
                continue
            out.append(line)
        return "\n".join(out)

    # -- dspamctl and SQL ----------------------------------------------------

    def dspamctl(self, *args: str, check: bool = True, timeout: float = 600
                 ) -> subprocess.CompletedProcess:
        r = subprocess.run([self.dspamctl_path, *args, "--config", self.config],
                           capture_output=True, text=True, stdin=subprocess.DEVNULL,
                           timeout=timeout)
        if check and r.returncode != 0:
            raise RuntimeError(f"dspamctl {' '.join(args[:3])}…: exit {r.returncode}\n"
                               f"{r.stdout[-2000:]}{r.stderr[-2000:]}")
        return r

    @property
    def dsn(self) -> str:
        return f"host={self.state_dir}/run dbname=dspamd user=dspamd"

    def sql(self, statement: str) -> list[list[str]]:
        """Runs one statement with psql on the embedded store's socket;
        rows as lists of strings."""
        r = subprocess.run(["psql", self.dsn, "-X", "-q", "-A", "-t", "-F", "\t",
                            "-v", "ON_ERROR_STOP=1", "-c", statement],
                           capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
        if r.returncode != 0:
            raise RuntimeError(f"psql: {statement}\n{r.stderr}")
        return [line.split("\t") for line in r.stdout.splitlines() if line]

    def set_preference(self, user: str, key: str, value: str):
        """A per-user preference (DSPAM's preference table), creating the
        user as dspamd would on first sight."""
        u = user.replace("'", "''")
        self.sql(f"INSERT INTO users (name) VALUES ('{u}') ON CONFLICT (name) DO NOTHING")
        self.sql("INSERT INTO preferences (user_id, key, value) "
                 f"SELECT id, '{key}', '{value}' FROM users WHERE name = '{u}' "
                 "ON CONFLICT (user_id, key) DO UPDATE SET value = EXCLUDED.value")

    def token_counts(self, names: list[str]) -> tuple[int, int]:
        """(spam_hits, innocent_hits) summed over the tokens of the users
        named (a user may be stored as "alice" or "alice@example.com")."""
        quoted = ",".join("'" + n.replace("'", "''") + "'" for n in names)
        rows = self.sql("SELECT coalesce(sum(t.spam_hits), 0), coalesce(sum(t.innocent_hits), 0)"
                        " FROM tokens t JOIN users u ON u.id = t.user_id"
                        f" WHERE u.name IN ({quoted})")
        return int(rows[0][0]), int(rows[0][1])

    # -- life cycle ------------------------------------------------------------

    def start_db(self):
        self.dspamctl("db", "start")
        self.db_started = True

    def stop_db(self):
        self.dspamctl("db", "stop", check=False)

    def start(self):
        try:
            if not self.db_started:
                self.start_db()
            # dspamd drops to its system user (created by "db start") before
            # it may create the socket: let that user write in base.
            with contextlib.suppress(KeyError):
                pw = pwd.getpwnam("dspamd")
                os.chown(self.base, pw.pw_uid, pw.pw_gid)
            self.daemon.start(timeout=60)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self):
        try:
            self.daemon.stop()
        finally:
            if self.db_started:
                self.stop_db()
                self.db_started = False
            if self.owns_base:
                shutil.rmtree(self.base, ignore_errors=True)

    def log(self) -> str:
        return self.daemon.log()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
