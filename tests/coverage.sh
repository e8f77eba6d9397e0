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
# The unit tests too, linked with the instrumented library.
make --no-print-directory build/cov/obj/libagentpipe.a >/dev/null
mkdir -p build/cov/test
for t in tests/unit/*.c; do
	n=$(basename "$t" .c)
	cc -std=c11 -D_GNU_SOURCE -Itools/lib -O0 --coverage -fprofile-update=atomic -o "build/cov/test/$n" "$t" \
		build/cov/obj/libagentpipe.a -lsqlite3 -lyaml -ljansson -lpthread -lm
	"build/cov/test/$n" | grep -c '^ok' | sed "s|^|$t: |;s|$| passed|"
done
gcovr --root . --object-directory build/cov/obj --filter 'tools/' --print-summary \
	--txt build/cov/coverage.txt build/cov/obj >/dev/null
cat build/cov/coverage.txt
