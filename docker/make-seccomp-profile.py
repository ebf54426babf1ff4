#!/usr/bin/env python3
"""Writes docker/seccomp-io_uring.json: a container runtime's default seccomp profile plus
io_uring_setup, io_uring_enter and io_uring_register.

Docker (25+) and podman leave io_uring out of their default profiles, so the io_uring labs
cannot run in a default container; `seccomp=unconfined` would drop every other protection
too. This keeps the default list and adds exactly the three io_uring calls.

usage: make-seccomp-profile.py [BASE_PROFILE] [OUTPUT]
  BASE_PROFILE  default: /usr/share/containers/seccomp.json (Debian's containers-common,
                the profile podman applies by default; Docker's default allows the same calls)
  OUTPUT        default: seccomp-io_uring.json next to this script
"""
import json
import pathlib
import sys

IO_URING = ["io_uring_setup", "io_uring_enter", "io_uring_register"]


def main() -> int:
    here = pathlib.Path(__file__).resolve().parent
    base = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/containers/seccomp.json")
    output = pathlib.Path(sys.argv[2] if len(sys.argv) > 2 else here / "seccomp-io_uring.json")
    if not base.exists():
        print(f"make-seccomp-profile: {base} not found: install containers-common (apt-get install podman)",
              file=sys.stderr)
        return 1
    profile = json.loads(base.read_text())
    allowed = {name for rule in profile["syscalls"] if rule.get("action") == "SCMP_ACT_ALLOW"
               and not rule.get("args") and not rule.get("includes") for name in rule["names"]}
    missing = [name for name in IO_URING if name not in allowed]
    if missing:
        profile["syscalls"].append({"names": missing, "action": "SCMP_ACT_ALLOW", "args": [],
                                    "comment": "C10K Labs: io_uring for labs 07 and 08",
                                    "includes": {}, "excludes": {}})
    output.write_text(json.dumps(profile, indent=2) + "\n")
    print(f"make-seccomp-profile: wrote {output} ({base} + {', '.join(missing) or 'nothing: already allowed'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
