#!/bin/bash
# Line coverage of tools/ from the bats suites, run against build/cov/bin.
set -eu
cd "$(dirname "$0")/.."
command -v gcovr >/dev/null || { [ "$(id -u)" -eq 0 ] && apt-get install -y -qq gcovr >/dev/null; }
find build/cov -name '*.gcda' -delete
export AGENTPIPE_SHARE=$PWD/share/agentpipe AGENTPIPE_NO_PROGRESS=1
for suite in tests/*.bats; do
	AGENTPIPE_BIN=$PWD/build/cov/bin bats --tap "$suite" | grep -c '^ok' | sed "s|^|$suite: |;s|$| passed|"
done
gcovr --root . --object-directory build/cov/obj --filter 'tools/' --print-summary \
	--txt build/cov/coverage.txt build/cov/obj >/dev/null
cat build/cov/coverage.txt
