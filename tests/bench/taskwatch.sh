# shellcheck shell=bash
# shellcheck disable=SC2154 # T, M, B, D, R ... are run.sh's
# tests/bench/taskwatch.sh: the taskwatch section of `make bench`, sourced by run.sh
# (it uses run.sh's B, D, R, SMALL, label, say, hr, fail, row, fmt_t, fmt_m, ratio,
# verdict, ge, lt, T, M, SUMMARY and TMPDIRS).
#
#   BENCH_ONLY=taskwatch tests/bench/run.sh        (BENCH_SMALL=1: 5,000 files, N=200)
#
# 1. snapshot  `taskwatch --once TREE >/dev/null` on 100,000 task files (~1.3 KB each,
#              made by gentasks.c, cached in build/bench/data/), hyperfine median, warm
#              cache; peak RSS from /usr/bin/time -v. Peer: the origin's way, a python3
#              script that loads each file with PyYAML's yaml.safe_load (Debian
#              python3-yaml) and prints it as JSON, on the same tree in the same run.
#              Both outputs are compared task for task. Bar: <= 1 s.
# 2. latency   twlatency.c: a rename between inbox/ and assigned/bob/ to its "moved"
#              line, and an atomic save (.x.tmp renamed over the task) to its "updated"
#              line, N times each, p50/p99/max, at the default settle time (20 ms) and
#              at --settle 0, with the whole tree watched. Bar: p99 <= settle + 10 ms.
# 3. burst     twburst.sh: taskwatch and inotifywait -m -r on one empty tree while 100
#              new directory chains and 10,000 files in them appear (and are edited,
#              moved, deleted); which files each named, and taskwatch's stream replayed
#              with jq against `find`. Bar: taskwatch names every file, replay exact.
#
# The full section takes about 4 minutes, most of it the peer: PyYAML's pure-Python
# safe_load needs ~1.6 ms a file, so the one run of it on 100,000 files is ~165 s.

TASKWATCH=$ROOT/bin/taskwatch
TW_PY=/usr/bin/python3
if [ -n "$SMALL" ]; then
	TW_FILES=5000 TW_N=200 TW_BURST=5000
else
	TW_FILES=100000 TW_N=1000 TW_BURST=10000
fi
TW_CFLAGS=(-std=c11 -D_GNU_SOURCE -Itools/lib -O2 -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter)

tw_setup() {
	local missing=()
	command -v inotifywait >/dev/null || missing+=(inotify-tools)
	[ -x "$TW_PY" ] || missing+=(python3)
	{ [ -x "$TW_PY" ] && "$TW_PY" -c 'import yaml' 2>/dev/null; } || missing+=(python3-yaml)
	install_missing "${missing[@]}"
	if [ ! -x "$TASKWATCH" ]; then
		echo "bench: $TASKWATCH is missing; run make first" >&2
		exit 1
	fi
	local src
	for src in gentasks twlatency; do
		if [ ! -x "$B/$src" ] || [ "tests/bench/$src.c" -nt "$B/$src" ]; then
			${CC:-cc} "${TW_CFLAGS[@]}" -o "$B/$src" "tests/bench/$src.c"
		fi
	done
}

tw_tree() { # prints the cached tree's path
	local t
	t=$D/tasks-$(label "$TW_FILES")
	if [ ! -f "$t.ok" ] || [ tests/bench/gentasks.c -nt "$t.ok" ]; then
		say "bench: generating $t ($TW_FILES task files)" >&2
		rm -rf "$t" "$t.tmp" "$t.ok"
		"$B/gentasks" "$t.tmp" "$TW_FILES" >&2
		mv "$t.tmp" "$t"
		touch "$t.ok"
	fi
	# what an interrupted twlatency may have left
	rm -f "$t/inbox/twlat-probe.yaml" "$t/assigned/bob/twlat-probe.yaml" "$t/inbox/.x.tmp"
	echo "$t"
}

# The peer: the origin's loader, yaml.safe_load per file, one JSON line per task.
tw_peer_script() {
	cat >"$B/tw_peer.py" <<-'PY'
		import json, os, sys
		import yaml
		out = sys.stdout
		for top in sys.argv[1:]:
		    for d, dirs, files in os.walk(top):
		        dirs[:] = sorted(x for x in dirs if not x.startswith("."))
		        for f in sorted(files):
		            if f.startswith(".") or not f.endswith((".yaml", ".yml")):
		                continue
		            p = os.path.join(d, f)
		            with open(p, encoding="utf-8") as fh:
		                task = yaml.safe_load(fh)
		            out.write(json.dumps({"path": p, "task": task}, ensure_ascii=False) + "\n")
	PY
}

# kv KEY LINE: the value of KEY=value in a line of key=value pairs
kv() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p"; }

tw_snapshot() { # TREE
	local tree=$1 n
	n=$(label "$TW_FILES")
	tw_peer_script
	say "  1. initial snapshot, $TW_FILES files ($(du -s --apparent-size -BM "$tree" | cut -f1 | tr -d M) MB of YAML, $(mb "$tree") MB on disk)"
	# ours, to /dev/null: hyperfine median, warm cache
	if hyperfine --shell=none --style none --runs 5 --warmup 2 --export-json "$R/tw_snap.json" \
		--output=null "$TASKWATCH --once $tree" >"$R/tw_snap.hf" 2>&1; then
		T[tw_snap]=$(jq -r '.results[0].median' "$R/tw_snap.json")
	else
		fail "taskwatch --once failed"
		sed 's/^/     /' "$R/tw_snap.hf" | tail -n 10
		T[tw_snap]=NaN
	fi
	# peak RSS, and the output to compare
	/usr/bin/time -v -o "$R/tw_snap.timev" "$TASKWATCH" --once "$tree" >"$R/tw_snap.out" 2>"$R/tw_snap.err" ||
		fail "taskwatch --once failed: $(tail -n 3 "$R/tw_snap.err")"
	M[tw_snap]=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$R/tw_snap.timev")
	# the peer, once: it is slow
	measure tw_peer 1 0 "$TW_PY" "$B/tw_peer.py" "$tree" || true
	line tw_peer "python3 yaml.safe_load per file"
	line tw_snap "taskwatch --once"
	local r ready
	r=$(ratio "${T[tw_peer]}" "${T[tw_snap]}")
	ready=$(grep '"event":"ready"' "$R/tw_snap.out" || true)
	say "  ratio peer/taskwatch: ${r}x; taskwatch $(fmt_t "${T[tw_snap]}") (bar <= 1 s: $(verdict lt "${T[tw_snap]}" 1.0000001)), peak RSS $(fmt_m "${M[tw_snap]}") (hyperfine median of 5; runs: $(jq -r '[.results[0].times[] | . * 1000 | round | tostring] | join(", ")' "$R/tw_snap.json" 2>/dev/null) ms)"
	say "  taskwatch's ready line: ${ready:-none}"

	# Task for task: {path, task} with sorted keys, both sides.
	local ok=1
	jq -c -S 'select(.event == "snapshot" or .event == "invalid") | {path, task}' "$R/tw_snap.out" |
		LC_ALL=C sort >"$R/tw_snap.norm" || ok=0
	jq -c -S '{path, task}' "$R/tw_peer.out" | LC_ALL=C sort >"$R/tw_peer.norm" || ok=0
	if [ "$(wc -l <"$R/tw_snap.norm")" != "$TW_FILES" ]; then
		fail "taskwatch reported $(wc -l <"$R/tw_snap.norm") tasks, the tree has $TW_FILES"
		ok=0
	fi
	agree "taskwatch vs peer, {path, task} per file" "$R/tw_peer.norm" "$R/tw_snap.norm" || ok=0
	local d=""
	[ "$ok" = 1 ] || d=" (disagree)"
	row "taskwatch snapshot $n files" tw_peer tw_snap "<= 1 s" "$(verdict lt "${T[tw_snap]}" 1.0000001)$d"
	SUMMARY+=("taskwatch peak RSS, snapshot|$(fmt_m "${M[tw_peer]}")|$(fmt_m "${M[tw_snap]}")|-|-|info")
}

tw_latency() { # TREE
	local tree=$1 s out bar p99m p99u v settle
	TMPDIRS+=("$tree/inbox/twlat-probe.yaml" "$tree/assigned/bob/twlat-probe.yaml" "$tree/inbox/.x.tmp")
	say "  2. latency, change to event line, N=$TW_N each (after 20 warmup), $TW_FILES tasks watched"
	for s in default 0; do
		settle=$s
		[ "$s" = default ] && settle=20
		local args=(-n "$TW_N")
		[ "$s" = default ] || args+=(-s "$s")
		if ! out=$("$B/twlatency" "${args[@]}" "$TASKWATCH" "$tree" 2>"$R/tw_lat$s.err"); then
			fail "twlatency (settle $s): $(tail -n 5 "$R/tw_lat$s.err" | tr '\n' ' ')"
		fi
		echo "$out" >"$R/tw_lat$s.out"
		[ -n "$out" ] || { SUMMARY+=("taskwatch latency, settle $settle|-|-|-|-|FAIL"); continue; }
		bar=$((settle + 10))
		p99m=$(kv moved_p99 "$out")
		p99u=$(kv updated_p99 "$out")
		say "     settle $settle ms$([ "$s" = default ] && echo ' (the default)'):"
		say "       rename -> moved         p50 $(kv moved_p50 "$out") ms  p99 $p99m ms  max $(kv moved_max "$out") ms"
		say "       atomic save -> updated  p50 $(kv updated_p50 "$out") ms  p99 $p99u ms  max $(kv updated_max "$out") ms"
		say "       (bar p99 <= $bar ms: moved $(verdict lt "$p99m" "$bar.0000001"), updated $(verdict lt "$p99u" "$bar.0000001"); unexpected lines $(kv unexpected "$out"), missed $(kv missed "$out"); taskwatch ready after $(kv ready_ms "$out") ms)"
		v=$(verdict lt "$p99m" "$bar.0000001")
		SUMMARY+=("taskwatch moved p99, settle $settle|-|$p99m ms|-|<= $bar ms|$v")
		v=$(verdict lt "$p99u" "$bar.0000001")
		[ "$(kv unexpected "$out")$(kv missed "$out")" = 00 ] || v="$v (events wrong)"
		SUMMARY+=("taskwatch updated p99, settle $settle|-|$p99u ms|-|<= $bar ms|$v")
	done
}

tw_burst() {
	local dir=$ROOT/$B/tw-burst out=$R/twburst res
	TMPDIRS+=("$dir")
	say "  3. burst: taskwatch and inotifywait -m -r on one empty tree"
	if ! tests/bench/twburst.sh "$TASKWATCH" "$dir" "$out" "$TW_BURST" 100 >"$R/twburst.log" 2>&1; then
		fail "twburst found taskwatch's stream wrong or incomplete (outputs in $out)"
	fi
	grep -v '^RESULT ' "$R/twburst.log" | sed 's/^  /     /'
	res=$(grep '^RESULT ' "$R/twburst.log" || true)
	if [ -z "$res" ]; then
		fail "twburst gave no result"
		return
	fi
	local files tw iw replay bad v
	files=$(kv files "$res") tw=$(kv tw "$res") iw=$(kv iw "$res") replay=$(kv replay "$res") bad=$(kv anomalies "$res")
	v=FAIL
	[ "$tw" = "$files" ] && [ "$replay" = exact ] && [ "$bad" = 0 ] && v=PASS
	SUMMARY+=("taskwatch burst: files named|$iw/$files|$tw/$files|-|all, exact|$v (replay $replay, $bad anomalies)")
	SUMMARY+=("taskwatch burst: sentinel event|-|$(kv sentinel_ms "$res") ms|-|-|info")
}

section_taskwatch() {
	local tree
	tree=$(tw_tree)
	hr
	say "taskwatch: $tree ($TW_FILES task files in inbox/, assigned/<agent>/, done/<agent>/, archive/, fridge/)"
	say "  peer: $("$TW_PY" -c 'import sys, yaml; print("python3 %d.%d.%d, PyYAML %s, yaml.safe_load" % (sys.version_info[:3] + (yaml.__version__,)))')   ours: $("$TASKWATCH" --version)   inotifywait: $(inotifywait --help 2>&1 | head -n 1 | cut -d' ' -f2)"
	tw_snapshot "$tree"
	tw_latency "$tree"
	tw_burst
}
