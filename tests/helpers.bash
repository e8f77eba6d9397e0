# Shared by the bats suites. AGENTPIPE_BIN names the build under test
# (bin/ or build/asan/bin/); the share directory is the source tree's.
load /usr/lib/bats/bats-support/load.bash
load /usr/lib/bats/bats-assert/load.bash

REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
BIN=${AGENTPIPE_BIN:-$REPO/bin}
export AGENTPIPE_SHARE=${AGENTPIPE_SHARE:-$REPO/share/agentpipe}
export AGENTPIPE_NO_PROGRESS=1
FIX=$REPO/tests/fixtures
unset AGENTPIPE_DB CLAUDE_CONFIG_DIR XDG_CONFIG_HOME

# The one line of output that jq's filter picks, compact.
pick() {
	jq -c "$1"
}
