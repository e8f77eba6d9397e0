#!/bin/sh
# Install the Debian packages the build and the tests need, when missing.
# As root this runs apt-get; otherwise it names what is missing and fails.
set -eu
pkgs="gcc make libc6-dev libyaml-dev libsqlite3-dev libjansson-dev jq sqlite3 bats bats-support
bats-assert tzdata valgrind websocketd procps util-linux clang libclang-rt-14-dev"
missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing Debian packages:$missing (install them, or run make check as root)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
