"""A private Dovecot IMAP server for the IMAP polling tests (Debian's dovecot-imapd, as .ci/run installs it).

Its own config, users, mail and sockets under a temporary directory, plain IMAP on 127.0.0.1 at
MEND_TEST_IMAP_PORT (18993), one passwd-file user. Started by the fixture when nothing listens there,
stopped again at the end of the session.
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

DOVECOT = "/usr/sbin/dovecot"
USER, PASSWORD = "mend", "imap-test-password"

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
instance_name = mend-test-{port}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
default_internal_user = {internal_user}
default_login_user = {login_user}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


@dataclass(frozen=True)
class Dovecot:
    host: str
    port: int
    user: str
    password: str


def port() -> int:
    return int(os.environ.get("MEND_TEST_IMAP_PORT", "18993"))


def listening(at_port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", at_port), timeout=1).close()
    except OSError:
        return False
    return True


def start(at_port: int) -> Path:
    """Start a private Dovecot on `at_port`; returns its directory (stop it with `stop`)."""
    root = Path(tempfile.mkdtemp(prefix="mend-dovecot-"))
    root.chmod(0o755)
    (root / "mail").mkdir(mode=0o777)
    (root / "mail").chmod(0o777)
    for name in ("run", "state"):
        (root / name).mkdir()
    (root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    if os.geteuid() == 0:  # Debian's package made these users; mail is written as nobody
        internal_user, login_user, uid, gid = "dovecot", "dovenull", 65534, 65534
    else:  # a non-root run: everything as this user
        import pwd

        internal_user = login_user = pwd.getpwuid(os.geteuid()).pw_name
        uid, gid = os.geteuid(), os.getegid()
    config = CONFIG.format(
        root=root, port=at_port, internal_user=internal_user, login_user=login_user, uid=uid, gid=gid
    )
    (root / "dovecot.conf").write_text(config)
    subprocess.run([DOVECOT, "-c", str(root / "dovecot.conf")], check=True, timeout=30)
    return root


def stop(root: Path) -> None:
    pid_file = root / "run" / "master.pid"
    if pid_file.exists():
        os.kill(int(pid_file.read_text().split()[0]), signal.SIGTERM)
    shutil.rmtree(root, ignore_errors=True)


def available() -> bool:
    return Path(DOVECOT).exists()
