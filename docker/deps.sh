#!/bin/sh
# Installs the Debian packages listed in docker/debian-packages.txt (or the list file given
# as the first argument) that are missing.
# As root it installs them; otherwise it prints the exact command and fails.
# Used by `make deps` (and so by `make test` and `make grade-solutions`) and by the Dockerfile.
set -eu
list="${1:-$(dirname "$0")/debian-packages.txt}"
packages=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$list")

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
# An entry `a|b` is met by any of them; to install, the first one this release packages.
choose() {
    for alternative in $(echo "$1" | tr '|' ' '); do
        apt-cache policy "$alternative" 2>/dev/null | grep -q 'Candidate: [^(]' && { echo "$alternative"; return; }
    done
    echo "$1" | cut -d'|' -f1
}

missing=""
for entry in $packages; do
    met=""
    for alternative in $(echo "$entry" | tr '|' ' '); do
        installed "$alternative" && met=yes
    done
    [ -n "$met" ] || missing="$missing $entry"
done
if [ -z "$missing" ]; then
    echo "deps: all $(echo "$packages" | wc -l) Debian packages are installed"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    names=""
    for entry in $missing; do names="$names $(choose "$entry")"; done
    echo "deps: missing:$names" >&2
    echo "deps: install them as root:  apt-get update && apt-get install -y --no-install-recommends$names" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# nginx and haproxy (make deps-race) would start system services on install. The race
# starts its own, with its own configurations, and ends them by pid; a system nginx on
# port 80 would be a process nobody here started. Debian's way to say "start nothing":
# a policy-rc.d that answers 101, for the length of the install (unless one is there).
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq
names=""
for entry in $missing; do names="$names $(choose "$entry")"; done
echo "deps: installing:$names"
apt-get install -y --no-install-recommends$names
