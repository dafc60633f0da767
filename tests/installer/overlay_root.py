"""A throwaway copy of this machine to install the package into: an overlay of / in a
mount namespace, entered with chroot. apt, dpkg, users and /etc change in the overlay's
upper folder only, so the machine running the tests (its packages, its users, the
developer's .venv) stays as it was, and a half-finished run leaves nothing behind."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

MOUNT = """set -e
m={merged}
mount -t overlay overlay -o lowerdir=/,upperdir={upper},workdir={work} "$m"
mount -t proc proc "$m/proc"
mount --rbind /dev "$m/dev"
mount --rbind /sys "$m/sys"
mkdir -p "$m{share_at}"
mount --bind {share} "$m{share_at}"
exec chroot "$m" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \\
    DEBIAN_FRONTEND=noninteractive {env} /bin/bash -c {command}
"""


class OverlayRoot:
    """Run shell commands as root in an overlay of /; ``share`` is the same folder
    inside (at ``share_at``) and outside, for sockets and screenshots."""

    share_at = "/mnt/ward-kiosk-test"

    def __init__(self, base: Path) -> None:
        self.base = base
        for name in ("upper", "work", "merged", "share"):
            (base / name).mkdir(parents=True, exist_ok=True)
        self.share = base / "share"
        self.share.chmod(0o755)

    @staticmethod
    def available() -> bool:
        return shutil.which("unshare") is not None and shutil.which("chroot") is not None

    def script(self, command: str, env: dict[str, str] | None = None) -> list[str]:
        env_words = " ".join(shlex.quote(f"{k}={v}") for k, v in (env or {}).items())
        text = MOUNT.format(
            merged=shlex.quote(str(self.base / "merged")),
            upper=shlex.quote(str(self.base / "upper")),
            work=shlex.quote(str(self.base / "work")),
            share=shlex.quote(str(self.share)),
            share_at=self.share_at,
            env=env_words,
            command=shlex.quote(command),
        )
        return ["unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", text]

    def run(
        self, command: str, *, timeout: float = 600, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.script(command, env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def popen(self, command: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.script(command, env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )

    def remove(self) -> None:
        shutil.rmtree(self.base, ignore_errors=True)
