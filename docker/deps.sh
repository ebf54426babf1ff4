#!/bin/sh
# Installs the Debian packages listed in docker/debian-packages.txt (or the list file given
# as the first argument) that are missing.
# As root it installs them; otherwise it prints the exact command and fails.
# Used by `make deps` (and so by `make test` and `make grade-solutions`) and by the Dockerfile.
set -eu
list="${1:-$(dirname "$0")/debian-packages.txt}"
packages=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$list")
missing=""
for package in $packages; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $package"
done
if [ -z "$missing" ]; then
    echo "deps: all $(echo "$packages" | wc -l) Debian packages are installed"
    exit 0
fi
install="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
    echo "deps: missing:$missing" >&2
    echo "deps: install them as root:  apt-get update && $install" >&2
    exit 1
fi
echo "deps: installing:$missing"
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
$install
