#!/usr/bin/env bash
# tests/fuzz/run.sh: build the libFuzzer targets and fuzz each for a while, or
# replay the saved inputs as a TAP suite.
#
#   tests/fuzz/run.sh [target...]            fuzz (FUZZ_SECONDS each, default 30)
#   tests/fuzz/run.sh --regress [target...]  run every file of seeds/<target>/ and
#                                            regressions/<target>/ once, print TAP
#   tests/fuzz/run.sh --build [target...]    only build
#
# Targets are tests/fuzz/fuzz_<target>.c: jscan claude yaml ndjson money_time
# yamlfast task budgets stream.
# Everything built or found goes under build/fuzz/: the binaries, the library
# compiled with coverage (-fsanitize=fuzzer-no-link,address,undefined), the
# growing corpora corpus-<target>/, crashes under artifacts/<target>/ and the
# fuzzers' logs.
#
# Known library bugs. A harness checks for a bug that is known and not fixed
# yet only when FUZZ_KNOWN_BUGS=1, so fuzzing can look past it. Its
# reproducer is saved as regressions/<target>/todo-<name>; --regress runs
# todo-* files with FUZZ_KNOWN_BUGS=1 and reports their failure as TAP TODO
# (not a failure). Once the bug is fixed: drop the harness's exemption and the
# todo- prefix.
#
# Environment: CLANG (default clang), FUZZ_SECONDS, FUZZ_FLAGS (more libFuzzer
# flags, e.g. "-jobs=4 -workers=4").
set -u -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cd "$top" || exit 1
out=build/fuzz
cc=${CLANG:-clang}
all_targets=(jscan claude yaml ndjson money_time yamlfast task budgets stream)

# The largest input worth trying, and a dictionary, per target.
max_len() {
	case $1 in
	jscan | claude | yaml | yamlfast | task | budgets | stream) echo 4096 ;;
	ndjson) echo 1024 ;;
	*) echo 256 ;;
	esac
}
dict_for() {
	case $1 in
	jscan | claude | stream) echo "$here/json.dict" ;;
	yaml | task | budgets) echo "$here/yaml.dict" ;;
	yamlfast) echo "$here/yamlfast.dict" ;;
	esac
}

mode=fuzz
case ${1:-} in
--regress) mode=regress; shift ;;
--build) mode=build; shift ;;
-h | --help) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
esac
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
	if [ ! -f "$here/fuzz_$t.c" ]; then
		echo "run.sh: no target '$t' (tests/fuzz/fuzz_$t.c)" >&2
		exit 64
	fi
done

mkdir -p "$out/obj"
buildlog=$out/build.log
: >"$buildlog"

# libFuzzer comes with clang's runtime (Debian: libclang-rt-*-dev); without it
# there is nothing to run. A regression run then skips rather than fails.
have_libfuzzer() {
	command -v "$cc" >/dev/null 2>&1 || return 1
	printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' >"$out/probe.c"
	"$cc" -fsanitize=fuzzer "$out/probe.c" -o "$out/probe" >>"$buildlog" 2>&1
}
if ! have_libfuzzer; then
	if [ "$mode" = regress ]; then
		echo "1..0 # SKIP $cc with libFuzzer is not available"
		exit 0
	fi
	echo "run.sh: $cc cannot build libFuzzer targets (install clang and libclang-rt-dev)" >&2
	exit 69
fi

san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
base_flags="-std=c11 -D_GNU_SOURCE -Itools/lib -g -O1"
warn="-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter"
libs="-lsqlite3 -lyaml -ljansson -lpthread -lm"

# Is $1 missing or older than any of the files after it?
stale() {
	local target=$1 f
	shift
	[ -e "$target" ] || return 0
	for f in "$@"; do
		[ "$f" -nt "$target" ] && return 0
	done
	return 1
}

# The library, once for every target: each tools/lib/*.c with coverage.
lib_objs=()
build_lib() {
	local src obj
	local headers=(tools/lib/*.h)
	for src in tools/lib/*.c; do
		obj=$out/obj/$(basename "${src%.c}").o
		lib_objs+=("$obj")
		if stale "$obj" "$src" "${headers[@]}"; then
			echo "cc $src" >>"$buildlog"
			# shellcheck disable=SC2086
			"$cc" $base_flags $san -fsanitize=fuzzer-no-link -c "$src" -o "$obj" >>"$buildlog" 2>&1 || return 1
		fi
	done
}

build_target() {
	local t=$1 bin=$out/fuzz_$1
	# A target may compile in a tool's own source (fuzz_task: task.c).
	if stale "$bin" "$here/fuzz_$t.c" "${lib_objs[@]}" tools/lib/*.h tools/*/*.[ch]; then
		echo "cc fuzz_$t.c" >>"$buildlog"
		# shellcheck disable=SC2086
		"$cc" $base_flags $warn $san -fsanitize=fuzzer "$here/fuzz_$t.c" "${lib_objs[@]}" $libs -o "$bin" \
			>>"$buildlog" 2>&1 || return 1
	fi
}

build_failed() {
	if [ "$mode" = regress ]; then
		echo "not ok 1 - build the fuzz targets"
		sed 's/^/# /' "$buildlog" | tail -n 40
		echo "1..1"
	else
		echo "run.sh: the build failed:" >&2
		cat "$buildlog" >&2
	fi
	exit 1
}

build_lib || build_failed
for t in "${targets[@]}"; do
	build_target "$t" || build_failed
done
[ "$mode" = build ] && exit 0

# Sanitizers stop at the first error, with a stack, and report leaks.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1

if [ "$mode" = regress ]; then
	n=0
	failed=0
	for t in "${targets[@]}"; do
		for f in "$here/seeds/$t"/* "$here/regressions/$t"/*; do
			[ -f "$f" ] || continue
			n=$((n + 1))
			rel=${f#"$top"/}
			log=$out/regress.log
			known=
			case ${f##*/} in todo-*) known=1 ;; esac
			if FUZZ_KNOWN_BUGS=${known:-0} "$out/fuzz_$t" -timeout=60 -rss_limit_mb=2048 "$f" >"$log" 2>&1; then
				if [ -n "$known" ]; then
					echo "ok $n - fuzz_$t $rel # TODO the known bug no longer reproduces: drop the todo- prefix"
				else
					echo "ok $n - fuzz_$t $rel"
				fi
			elif [ -n "$known" ]; then
				echo "not ok $n - fuzz_$t $rel # TODO known library bug"
			else
				echo "not ok $n - fuzz_$t $rel"
				grep -E 'fuzz_|ERROR|runtime error|SUMMARY|^ *#[0-9]+ ' "$log" | head -n 20 | sed 's/^/# /'
				failed=$((failed + 1))
			fi
		done
	done
	echo "1..$n"
	[ "$failed" -eq 0 ]
	exit
fi

# Fuzzing: each target in turn; a crash leaves its input in artifacts/<target>/.
seconds=${FUZZ_SECONDS:-30}
status=0
for t in "${targets[@]}"; do
	corpus=$out/corpus-$t
	artifacts=$out/artifacts/$t
	log=$out/fuzz-$t.log
	mkdir -p "$corpus" "$artifacts"
	args=(-max_total_time="$seconds" -max_len="$(max_len "$t")" -timeout=10 -rss_limit_mb=2048
		-artifact_prefix="$artifacts/" -print_final_stats=1)
	dict=$(dict_for "$t")
	[ -n "$dict" ] && args+=(-dict="$dict")
	inputs=("$corpus" "$here/seeds/$t")
	[ -d "$here/regressions/$t" ] && inputs+=("$here/regressions/$t")
	echo "fuzz_$t: ${seconds}s, corpus $corpus"
	# shellcheck disable=SC2086
	if "$out/fuzz_$t" "${args[@]}" ${FUZZ_FLAGS:-} "${inputs[@]}" >"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
		cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -n 1)
		echo "fuzz_$t: ok, ${runs:-?} runs, $cov"
	else
		status=1
		echo "fuzz_$t: FAILED (log $log)"
		grep -E 'fuzz_|ERROR|runtime error|SUMMARY|Test unit written' "$log" | head -n 20 | sed 's/^/  /'
	fi
done
exit $status
