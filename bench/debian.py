"""The programs the benchmarks compare against, installed from Debian's packages when missing."""

from __future__ import annotations

import os
import subprocess
import sys

#: Debian package → a file it installs, whose presence means the package is there.
PACKAGES = {
    "hugo": "/usr/bin/hugo",
    "jekyll": "/usr/bin/jekyll",
    "ruby-jekyll-feed": "/usr/share/rubygems-integration/all/specifications/jekyll-feed-0.17.0.gemspec",
    "nginx": "/usr/sbin/nginx",
    "wrk": "/usr/bin/wrk",
}


def installed(package: str) -> bool:
    """Whether dpkg knows ``package`` as installed (the file check alone would miss a new version)."""
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True
    )
    return result.returncode == 0 and result.stdout.strip().endswith("installed")


def ensure(packages: list[str]) -> None:
    """Install the missing ones with one ``apt-get update`` and one ``apt-get install``, as root.

    Exits with the command to run when we are not root.
    """
    missing = [p for p in packages if not installed(p)]
    if not missing:
        return
    if os.geteuid() != 0:
        sys.exit(
            f"bench: {' '.join(missing)} missing; as root: "
            f"apt-get update && apt-get install -y {' '.join(missing)}"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for argv in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", *missing]):
        print(
            f"bench: {' '.join(missing)} missing: running {' '.join(argv)}",
            file=sys.stderr,
            flush=True,
        )
        subprocess.run(argv, check=True, env=env, stdout=sys.stderr)
    if still := [p for p in missing if not installed(p)]:
        sys.exit(f"bench: {' '.join(still)} still missing after apt-get install")
