"""A private Postfix instance for end-to-end tests and benchmarks (stdlib only).

PostfixInstance builds a throw-away Postfix in a temporary directory — its own
config directory (main.cf, master.cf), queue directory, data directory and
maillog_file, smtpd on 127.0.0.1:<free port>, no chroot, XCLIENT allowed from
127.0.0.1 — that relays every message for the test domain to an smtp-sink on
another loopback port, which writes each message to a file. A milter socket is
attached with smtpd_milters and milter_default_action = tempfail, so a milter
that is down defers mail (4xx) instead of letting it through unfiltered.

send() speaks SMTP with smtplib and can look like an outside MX (XCLIENT ADDR),
an authenticated user (XCLIENT LOGIN, which sets the {auth_authen} macro
without SASL) or the trusted network (XCLIENT ADDR=127.0.0.1).

Everything started here is stopped by stop() / the context manager, also after
an exception. The recipe is in ../shared/TESTING-NOTES.md.
"""

from __future__ import annotations

import contextlib
import dataclasses
import email.parser
import email.policy
import glob
import json
import os
import pwd
import shutil
import signal
import smtplib
import socket
import subprocess
import tempfile
import time

SBIN_DIRS = ("/usr/sbin", "/usr/lib/postfix/sbin")
DAEMON_DIR = "/usr/lib/postfix/sbin"
TEST_DOMAIN = "example.com"
OUTSIDE = {"ADDR": "198.51.100.7", "NAME": "mx.example.com"}
TRUSTED = {"ADDR": "127.0.0.1", "NAME": "localhost"}


def find_program(name: str) -> str:
    """smtp-sink and smtp-source live in /usr/sbin on Debian, elsewhere in the
    daemon directory: look in both rather than trust PATH."""
    for d in SBIN_DIRS:
        path = os.path.join(d, name)
        if os.access(path, os.X_OK):
            return path
    found = shutil.which(name)
    if found:
        return found
    raise FileNotFoundError(f"{name} not found in {SBIN_DIRS} or PATH")


def free_port() -> int:
    """A loopback TCP port nobody listens on right now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def port_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
        return True
    return False


def unix_socket_ready(path: str) -> bool:
    with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX) as s:
        s.settimeout(0.5)
        s.connect(path)
        return True
    return False


def read_file(path: str) -> str:
    """The file's text, "" when it does not exist (yet)."""
    with contextlib.suppress(FileNotFoundError), open(path) as f:
        return f.read()
    return ""


def processes_in_group(pgid: int) -> list[int]:
    """Pids whose process group is pgid (field 5 of /proc/PID/stat)."""
    pids = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            with open(stat) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid:
                pids.append(int(stat.split("/")[2]))
    return pids


def message_bytes(path: str) -> bytes:
    """A corpus file as an SMTP DATA payload: without the mbox "From " line,
    with CRLF line ends (smtplib dot-stuffs it)."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw.startswith(b"From "):
        raw = raw.split(b"\n", 1)[1] if b"\n" in raw else b""
    lines = raw.replace(b"\r\n", b"\n").split(b"\n")
    return b"\r\n".join(lines)


# --------------------------------------------------------------------------
# smtp-sink: the final destination


class SmtpSink:
    """smtp-sink on 127.0.0.1:<port>, one file per message in `directory`.

    smtp-sink -d writes each transaction as a few "X-…" envelope lines
    (X-Client-Addr, X-Mail-Args, X-Rcpt-Args…) followed by the message."""

    def __init__(self, directory: str, port: int | None = None, backlog: int = 64):
        self.directory = directory
        self.port = port or free_port()
        self.backlog = backlog
        self.proc: subprocess.Popen | None = None

    def start(self) -> "SmtpSink":
        os.makedirs(self.directory, exist_ok=True)
        # smtp-sink drops privileges to nobody: the directory must be its.
        nobody = pwd.getpwnam("nobody")
        os.chown(self.directory, nobody.pw_uid, nobody.pw_gid)
        self.proc = subprocess.Popen(
            [find_program("smtp-sink"), "-u", "nobody", "-d", os.path.join(self.directory, "%M."),
             f"127.0.0.1:{self.port}", str(self.backlog)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        wait_for(lambda: port_open(self.port) or self.proc.poll() is not None, 10, "smtp-sink")
        if self.proc.poll() is not None:
            raise RuntimeError(f"smtp-sink exited with {self.proc.returncode}")
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def files(self) -> list[str]:
        return sorted(p for p in glob.glob(os.path.join(self.directory, "**", "*"), recursive=True)
                      if os.path.isfile(p))

    @staticmethod
    def has_recipients(path: str) -> bool:
        with open(path, "rb") as f:
            return b"X-Rcpt-Args" in f.read()

    def messages(self) -> list["Delivered"]:
        return [Delivered.read(p) for p in self.files()]

    def clear(self):
        for p in self.files():
            os.unlink(p)


@dataclasses.dataclass
class Delivered:
    """One message as smtp-sink wrote it: envelope lines, then the message."""
    path: str
    envelope: dict[str, list[str]]
    message: email.message.EmailMessage

    @classmethod
    def read(cls, path: str) -> "Delivered":
        with open(path, "rb") as f:
            raw = f.read().replace(b"\r\n", b"\n")
        envelope: dict[str, list[str]] = {}
        # smtp-sink's own lines come first; the message starts at the first
        # line that is not one of them.
        lines = raw.split(b"\n")
        i = 0
        while i < len(lines) and lines[i].split(b":", 1)[0] in (
                b"X-Client-Addr", b"X-Client-Proto", b"X-Helo-Args", b"X-Mail-Args",
                b"X-Rcpt-Args"):
            name, _, value = lines[i].decode("latin-1").partition(":")
            envelope.setdefault(name, []).append(value.strip())
            i += 1
        body = b"\n".join(lines[i:])
        msg = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(body)
        return cls(path, envelope, msg)

    def header(self, name: str) -> str | None:
        value = self.message.get(name)
        return None if value is None else " ".join(str(value).split())

    def headers(self, prefix: str) -> dict[str, str]:
        return {k: " ".join(str(v).split()) for k, v in self.message.items()
                if k.lower().startswith(prefix.lower())}

    def recipients(self) -> list[str]:
        # X-Rcpt-Args: <addr> [ORCPT=…]
        return [a.split()[0].strip("<>") for a in self.envelope.get("X-Rcpt-Args", [])]


# --------------------------------------------------------------------------
# The Postfix instance

MASTER_CF = """\
# A private instance: every service without chroot (column 5 = n), or unix:
# milter paths would be taken relative to the queue directory.
{listen} inet  n       -       n       -       {smtpd_limit} smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


class PostfixError(RuntimeError):
    pass


class PostfixInstance:
    """A private Postfix in `base` (a new temporary directory when None).

    milter: the smtpd_milters value ("unix:/path" or "inet:127.0.0.1:PORT"),
    or None for Postfix alone. extra: main.cf settings that override ours.
    """

    def __init__(self, base: str | None = None, milter: str | None = None,
                 domain: str = TEST_DOMAIN, extra: dict[str, str] | None = None,
                 smtpd_limit: int = 100, keep: bool = False):
        self.owns_base = base is None
        self.base = base or tempfile.mkdtemp(prefix="dspamd-postfix.")
        os.chmod(self.base, 0o755)  # postfix and nobody walk through it
        self.config_dir = os.path.join(self.base, "etc")
        self.queue_dir = os.path.join(self.base, "queue")
        self.data_dir = os.path.join(self.base, "data")
        self.log_dir = os.path.join(self.base, "log")
        self.maillog = os.path.join(self.log_dir, "maillog")
        self.port = free_port()
        self.sink = SmtpSink(os.path.join(self.base, "sink"))
        self.milter = milter
        self.domain = domain
        self.extra = extra or {}
        self.smtpd_limit = smtpd_limit
        self.keep = keep
        self.master_pgid: int | None = None

    # -- configuration ------------------------------------------------------

    def main_cf(self) -> dict[str, str]:
        sink = f"[127.0.0.1]:{self.sink.port}"
        cf = {
            "compatibility_level": "3.6",
            "queue_directory": self.queue_dir,
            "data_directory": self.data_dir,
            "command_directory": "/usr/sbin",
            "daemon_directory": DAEMON_DIR,
            "shlib_directory": "/usr/lib/postfix",
            "meta_directory": "/etc/postfix",
            "mail_owner": "postfix",
            "setgid_group": "postdrop",
            # No syslog in a sandbox; postfix check insists the directory is
            # listed in maillog_file_prefixes.
            "maillog_file": self.maillog,
            "maillog_file_prefixes": self.log_dir,
            "myhostname": "mx.test.invalid",
            "mydomain": "test.invalid",
            "myorigin": "$myhostname",
            "mydestination": "",
            "inet_interfaces": "127.0.0.1",
            "inet_protocols": "ipv4",
            "mynetworks": "127.0.0.0/8",
            "relay_domains": self.domain,
            "smtpd_relay_restrictions": "permit_mynetworks, reject_unauth_destination",
            "local_recipient_maps": "",
            "alias_maps": "",
            "alias_database": "",
            "biff": "no",
            # Every message goes to the sink; no DNS anywhere.
            "relayhost": sink,
            "default_transport": f"smtp:{sink}",
            "relay_transport": f"smtp:{sink}",
            "smtp_dns_support_level": "disabled",
            "smtp_host_lookup": "native",
            "smtpd_peername_lookup": "no",
            # "From outside" while connecting from loopback.
            "smtpd_authorized_xclient_hosts": "127.0.0.1",
            # Tests send many rejected/deferred commands from one client:
            # no tarpit, no error limits, no inflow throttling.
            "smtpd_error_sleep_time": "0",
            "smtpd_soft_error_limit": "1000",
            "smtpd_hard_error_limit": "1000",
            "smtpd_client_connection_rate_limit": "0",
            "in_flow_delay": "0",
            "delay_warning_time": "0",
            # Deferred mail (the sink down) is retried quickly.
            "queue_run_delay": "2s",
            "minimal_backoff_time": "2s",
            "maximal_backoff_time": "4s",
            "smtp_connect_timeout": "5s",
            "smtputf8_enable": "no",
        }
        if self.milter:
            cf.update({
                "smtpd_milters": self.milter,
                "non_smtpd_milters": "",
                # A milter that is down or fails defers the message: nothing
                # passes unfiltered and nothing is lost.
                "milter_default_action": "tempfail",
                "milter_protocol": "6",
                # Shorter than Postfix's 30s/30s/300s so that a hung milter
                # fails a test in reasonable time, still far above dspamd's
                # database timeouts (connect 5 s, statement 10 s).
                "milter_connect_timeout": "10s",
                "milter_command_timeout": "30s",
                "milter_content_timeout": "60s",
                # {client_addr} is not in the default lists; the milter
                # needs it at MAIL to decide "trusted network".
                "milter_connect_macros":
                    "j {daemon_name} {daemon_addr} v _ {client_addr} {client_name}",
                "milter_mail_macros": "i {auth_type} {auth_authen} {auth_author} {mail_addr}"
                                      " {mail_host} {mail_mailer} {client_addr}",
            })
        cf.update(self.extra)
        return cf

    def _write_config(self):
        for d in (self.config_dir, self.queue_dir, self.data_dir, self.log_dir):
            os.makedirs(d, exist_ok=True)
        postfix = pwd.getpwnam("postfix")
        os.chown(self.data_dir, postfix.pw_uid, postfix.pw_gid)
        with open(os.path.join(self.config_dir, "main.cf"), "w") as f:
            f.write("# Written by test/e2e/postfix.py for one private instance.\n")
            for k, v in self.main_cf().items():
                f.write(f"{k} = {v}\n")
        with open(os.path.join(self.config_dir, "master.cf"), "w") as f:
            f.write(MASTER_CF.format(listen=f"127.0.0.1:{self.port}",
                                     smtpd_limit=self.smtpd_limit))

    # -- commands -------------------------------------------------------------

    def postfix(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self._run(["/usr/sbin/postfix", "-c", self.config_dir, *args], check)

    def postconf(self, *args: str) -> str:
        return self._run(["/usr/sbin/postconf", "-c", self.config_dir, *args], True).stdout

    def postqueue(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self._run(["/usr/sbin/postqueue", "-c", self.config_dir, *args], check)

    def postsuper(self, *args: str) -> subprocess.CompletedProcess:
        return self._run(["/usr/sbin/postsuper", "-c", self.config_dir, *args], True)

    @staticmethod
    def _run(cmd: list[str], check: bool) -> subprocess.CompletedProcess:
        r = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                           timeout=120)
        if check and r.returncode != 0:
            raise PostfixError(f"{' '.join(cmd)}: exit {r.returncode}\n{r.stdout}{r.stderr}")
        return r

    # -- life cycle -------------------------------------------------------------

    def start(self) -> "PostfixInstance":
        try:
            self._write_config()
            self.sink.start()
            # check creates the queue's subdirectories (post-install) and
            # fails on anything "postfix start" would refuse.
            self.postfix("check")
            self.postfix("start")
            wait_for(lambda: port_open(self.port), 20, f"smtpd on 127.0.0.1:{self.port}")
            pid_file = os.path.join(self.queue_dir, "pid", "master.pid")
            pid = int(wait_for(lambda: read_file(pid_file).strip(), 10, "master.pid"))
            # master calls setsid(): its process group is this instance and
            # nothing else, so it can be swept at stop without a broad kill.
            self.master_pgid = os.getpgid(pid)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self):
        """Stops Postfix and the sink; kills what is left of this instance's
        process group; removes the directory unless keep."""
        try:
            if os.path.exists(os.path.join(self.config_dir, "main.cf")):
                self.postfix("stop", check=False)
            if self.master_pgid:
                with contextlib.suppress(TimeoutError):
                    wait_for(lambda: not processes_in_group(self.master_pgid), 10,
                             "Postfix processes to exit")
                for pid in processes_in_group(self.master_pgid):
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                self.master_pgid = None
        finally:
            self.sink.stop()
            if self.owns_base and not self.keep:
                shutil.rmtree(self.base, ignore_errors=True)

    def __enter__(self) -> "PostfixInstance":
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- queue and log ------------------------------------------------------------

    def queue(self) -> list[dict]:
        """postqueue -j: one JSON object per queued message (queue_name is
        "hold" for a quarantined one)."""
        out = self.postqueue("-j").stdout
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    def held(self) -> list[dict]:
        return [m for m in self.queue() if m.get("queue_name") == "hold"]

    def flush(self):
        self.postqueue("-f", check=False)

    def wait_queue_empty(self, timeout: float = 60, ignore_hold: bool = True):
        def empty():
            return not [m for m in self.queue()
                        if not (ignore_hold and m.get("queue_name") == "hold")]
        wait_for(empty, timeout, "the Postfix queue to drain", interval=0.2)

    def wait_delivered(self, count: int, timeout: float = 60, complete: bool = True) -> list[str]:
        """Waits until the sink holds at least `count` complete messages.
        smtp-sink creates a message's file at MAIL FROM and appends as the
        transaction goes on, so a file counts once it has its recipients and
        has not grown for a moment. complete=False: files, as soon as there
        are enough (benchmarks, which only count)."""
        if not complete:
            return wait_for(lambda: len(self.sink.files()) >= count and self.sink.files(),
                            timeout, f"{count} messages in the sink", interval=0.1)
        sizes: dict[str, int] = {}

        def complete():
            files = self.sink.files()
            if len(files) < count:
                return None
            now = {p: os.path.getsize(p) for p in files}
            settled = now == sizes and all(self.sink.has_recipients(p) for p in files)
            sizes.clear()
            sizes.update(now)
            return files if settled else None

        return wait_for(complete, timeout, f"{count} messages in the sink", interval=0.2)

    def log(self) -> str:
        with contextlib.suppress(FileNotFoundError), open(self.maillog, errors="replace") as f:
            return f.read()
        return ""


# --------------------------------------------------------------------------
# The sender


@dataclasses.dataclass
class SendResult:
    """Reply codes of one transaction; data is None when DATA was not reached
    (no recipient accepted, or MAIL refused)."""
    xclient: tuple[int, str] | None
    mail: tuple[int, str]
    rcpts: list[tuple[int, str]]
    data: tuple[int, str] | None

    @property
    def final(self) -> int:
        """The code that decided the transaction's fate."""
        if self.data is not None:
            return self.data[0]
        if self.mail[0] >= 400:
            return self.mail[0]
        return max(c for c, _ in self.rcpts) if self.rcpts else self.mail[0]

    @property
    def queue_id(self) -> str | None:
        """Postfix's "250 2.0.0 Ok: queued as ABC123"."""
        if self.data and self.data[0] == 250 and "queued as " in self.data[1]:
            return self.data[1].rsplit("queued as ", 1)[1].strip()
        return None


def send(port: int, sender: str, recipients: list[str], data: bytes,
         xclient: dict[str, str] | None = OUTSIDE, helo: str = "client.example.net",
         timeout: float = 120) -> SendResult:
    """One SMTP transaction on 127.0.0.1:port. xclient: XCLIENT attributes
    sent after the first EHLO (OUTSIDE, TRUSTED, or {"LOGIN": "alice", …} for
    an authenticated sender); None: none, the client is 127.0.0.1 itself."""
    def text(reply: bytes) -> str:
        return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)

    with smtplib.SMTP("127.0.0.1", port, local_hostname=helo, timeout=timeout) as smtp:
        smtp.ehlo()
        xreply = None
        if xclient:
            args = " ".join(f"{k}={v}" for k, v in xclient.items())
            code, msg = smtp.docmd("XCLIENT", args)
            xreply = (code, text(msg))
            if code != 220:
                raise PostfixError(f"XCLIENT {args} refused: {code} {text(msg)}")
            # XCLIENT restarts the session: Postfix answers with a new
            # greeting and expects a new EHLO.
            smtp.ehlo_resp = None
            smtp.ehlo(helo)
        code, msg = smtp.mail(sender)
        mail = (code, text(msg))
        rcpts: list[tuple[int, str]] = []
        if code < 400:
            for r in recipients:
                c, m = smtp.rcpt(r)
                rcpts.append((c, text(m)))
        result = SendResult(xreply, mail, rcpts, None)
        if code >= 400 or not any(c < 400 for c, _ in rcpts):
            return result
        try:
            c, m = smtp.data(data)
        except smtplib.SMTPDataError as e:  # DATA itself refused
            c, m = e.smtp_code, e.smtp_error
        result.data = (c, text(m))
        return result


def send_until_accepted(port: int, sender: str, recipients: list[str], data: bytes,
                        xclient: dict[str, str] | None = OUTSIDE, timeout: float = 120,
                        interval: float = 1.0) -> tuple[SendResult, list[SendResult]]:
    """What a sending MTA does with a 4xx: try again later. Returns the final
    result and every temporary failure seen before it."""
    deferred: list[SendResult] = []
    deadline = time.monotonic() + timeout
    while True:
        r = send(port, sender, recipients, data, xclient=xclient)
        if r.final < 400 or r.final >= 500 or time.monotonic() > deadline:
            return r, deferred
        deferred.append(r)
        time.sleep(interval)


def main():
    """Manual use: a private instance that stays up until ^C, e.g. to attach
    a dspamd under development and send it corpus files:

        python3 test/e2e/postfix.py --milter unix:/tmp/x/dspamd.sock [FILE...]
    """
    import argparse
    ap = argparse.ArgumentParser(description=main.__doc__.split("\n\n")[0])
    ap.add_argument("--milter", help="smtpd_milters value (unix:/abs/path)")
    ap.add_argument("--login", help="send as this authenticated user (XCLIENT LOGIN)")
    ap.add_argument("--rcpt", default=f"bob@{TEST_DOMAIN}")
    ap.add_argument("files", nargs="*", help="corpus messages to send from outside")
    args = ap.parse_args()

    def interrupt(*_):
        raise KeyboardInterrupt  # SIGTERM stops the instance like ^C does

    signal.signal(signal.SIGTERM, interrupt)
    with PostfixInstance(milter=args.milter, keep=True) as p:
        print(f"smtpd 127.0.0.1:{p.port}  config {p.config_dir}  sink {p.sink.directory}"
              f"  log {p.maillog}", flush=True)
        xclient = dict(OUTSIDE, LOGIN=args.login) if args.login else OUTSIDE
        for f in args.files:
            r = send(p.port, "sender@outside.example", [args.rcpt], message_bytes(f),
                     xclient=xclient)
            print(f"{f}: {r.final} {r.data[1] if r.data else r.rcpts or r.mail}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()
    print(f"stopped; files kept in {p.base}")


if __name__ == "__main__":
    main()
