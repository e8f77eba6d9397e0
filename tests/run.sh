#!/bin/bash
# Run every suite against the normal build (bin/) and the sanitizer build
# (build/asan/bin/): unit tests, bats suites, a valgrind pass and the fuzz
# regressions. The last line is "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
top=$PWD
passed=0
failed=0
failures=()

# Count a TAP stream: "ok" lines pass, "not ok" lines fail unless marked TODO.
tap() {
	local label=$1 line
	while IFS= read -r line; do
		case "$line" in
		"not ok"*"# TODO"*) passed=$((passed + 1)) ;;
		"not ok"*) failed=$((failed + 1)); failures+=("$label: ${line}"); printf '%s\n' "$line" ;;
		"ok"*) passed=$((passed + 1)) ;;
		"#"*) printf '%s\n' "$line" ;;
		esac
	done
}

export AGENTPIPE_SHARE=$top/share/agentpipe
export AGENTPIPE_NO_PROGRESS=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=90
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=91

for flavour in bin build/asan/bin; do
	echo "== $flavour"
	for t in "$flavour"/test/*; do
		[ -x "$t" ] || continue
		tap "$t" < <("$t" 2>&1)
	done
	for suite in tests/*.bats; do
		tap "$flavour ${suite##*/}" < <(AGENTPIPE_BIN=$top/$flavour bats --tap "$suite" 2>&1)
	done
done

echo "== valgrind"
tap valgrind < <(tests/valgrind.sh 2>&1)

if [ -x tests/fuzz/run.sh ] && command -v clang >/dev/null 2>&1; then
	echo "== fuzz regressions"
	tap fuzz < <(tests/fuzz/run.sh --regress 2>&1)
fi

if [ ${#failures[@]} -gt 0 ]; then
	echo "== failures"
	printf '%s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
