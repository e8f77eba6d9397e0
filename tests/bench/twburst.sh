#!/usr/bin/env bash
# tests/bench/twburst.sh: taskwatch and inotifywait on one tree filled in a burst.
#
#   twburst.sh TASKWATCH DIR OUT [FILES] [CHAINS]
#
# DIR is emptied and watched by both `TASKWATCH --no-snapshot DIR` and
# `inotifywait -m -r -e create,moved_to,close_write --format '%w%f' DIR`. Then, as
# fast as bash goes: CHAINS new nested directories (mkdir -p dN/a/b), each filled at
# once with FILES/CHAINS task files (in dN/, dN/a/ and dN/a/b/); then edits in place,
# appends, atomic saves (.x.tmp renamed over), moves between directories, deletes, a
# directory renamed, one moved deeper, one deleted, one filled outside the tree and
# moved in, and a few files that are no tasks; last a sentinel task. When taskwatch
# has printed the sentinel's event (and inotifywait has had a second more), both are
# stopped and compared with the tree as it is:
#
#   covered   how many of the *.yaml files that exist at the end each tool named at
#             least once (taskwatch must name all; inotifywait misses what was
#             created in a directory before its watch was set)
#   replay    taskwatch's stream applied with jq (snapshot/created/updated/invalid:
#             set path; moved: delete prev_path, set path; deleted: delete path)
#             must give exactly `find DIR -name '*.yaml'`
#   anomalies events that contradict the stream before them: created for a path
#             already known, updated or deleted for an unknown one, moved from an
#             unknown one, an update that changes nothing
#
# Human lines go to standard output, ending with one line
#   RESULT files=N tw=N iw=N replay=exact|differs anomalies=N resyncs=N events=N burst_ms=N sentinel_ms=N
# Outputs are kept in OUT/. Exit status 1 when taskwatch missed a file, the replay
# differs, or the stream has anomalies.
set -euo pipefail

TW=$1 DIR=$2 OUT=$3
NFILES=${4:-10000}
NCHAINS=${5:-100}
PER=$((NFILES / NCHAINS))
((PER >= 20)) || { echo "twburst: need at least 20 files per directory chain" >&2; exit 2; }
DIR=${DIR%/}

TW_PID='' IW_PID=''
cleanup() {
	[ -z "$TW_PID" ] || { kill "$TW_PID" 2>/dev/null || true; wait "$TW_PID" 2>/dev/null || true; }
	[ -z "$IW_PID" ] || { kill "$IW_PID" 2>/dev/null || true; wait "$IW_PID" 2>/dev/null || true; }
	TW_PID='' IW_PID=''
}
trap cleanup EXIT
# Stopped by a signal: clean up, then die of it, so that the caller stops too.
for sig in INT TERM; do
	# shellcheck disable=SC2064 # $sig now
	trap "cleanup; trap - $sig EXIT; kill -$sig \$\$" "$sig"
done

ms() { date +%s%3N; }

rm -rf "$DIR" "$OUT"
mkdir -p "$DIR" "$OUT"
TWO=$OUT/taskwatch.ndjson IWO=$OUT/inotifywait.txt

"$TW" --no-snapshot "$DIR" >"$TWO" 2>"$OUT/taskwatch.err" &
TW_PID=$!
inotifywait -m -r -e create,moved_to,close_write --format '%w%f' "$DIR" >"$IWO" 2>"$OUT/inotifywait.err" &
IW_PID=$!

# Both ready?
for ((i = 0; ; i++)); do
	grep -q '"event":"ready"' "$TWO" 2>/dev/null && grep -q 'Watches established' "$OUT/inotifywait.err" 2>/dev/null && break
	if ((i > 1000)); then
		echo "twburst: taskwatch or inotifywait did not get ready within 10 s" >&2
		cat "$OUT/taskwatch.err" "$OUT/inotifywait.err" >&2
		exit 1
	fi
	kill -0 "$TW_PID" 2>/dev/null || { echo "twburst: taskwatch died:" >&2; cat "$OUT/taskwatch.err" >&2; exit 1; }
	sleep 0.01
done

# A task of ~0.9 KB; @ID@ and @T@ are replaced.
read -r -d '' TASK <<'EOF' || true
id: @ID@
agent: bob
status: new
title: Burst task @ID@, @T@
mode: /programming
priority: normal
description: |
  Written by tests/bench/twburst.sh while taskwatch and inotifywait watch.
  The directory it is in was made a moment before it.
artefacts:
  - services/pricing/src/coupons/stacking.ts
  - services/pricing/test/coupons/stacking.test.ts
context:
  repo: acme/shop
  branch: main
  notes:
    - Marketing wants at most one percentage coupon plus one free-shipping coupon per order.
    - Gift cards are not coupons and must never be blocked by stacking rules.
    - "Current behaviour: the last applied coupon silently wins (see issue #412)."
  dependencies:
    - 2026-11-10T1400-architect-checkout-flow-review
created_at: "2026-11-21T09:30:00Z"
created_by: architect
assigned_at: null
started_at: null
completed_at: null
EOF

task() { # FILE ID VERSION
	local t=${TASK//@ID@/$2}
	printf '%s\n' "${t//@T@/$3}" >"$1"
}

# The file i of chain c: a third in dN/, a third in dN/a/, a third in dN/a/b/.
fpath() { # C I
	case $(($2 % 3)) in
	0) REPLY=$DIR/d$1/t$2.yaml ;;
	1) REPLY=$DIR/d$1/a/t$2.yaml ;;
	*) REPLY=$DIR/d$1/a/b/t$2.yaml ;;
	esac
}

t0=$(ms)
# 1. new directories, each filled at once
for ((c = 0; c < NCHAINS; c++)); do
	mkdir -p "$DIR/d$c/a/b"
	for ((i = 0; i < PER; i++)); do
		fpath "$c" "$i"
		task "$REPLY" "d$c-t$i" v1
	done
	# and some files that are no tasks
	printf 'x\n' >"$DIR/d$c/a/b/notes.txt"
done
# 2. edits in place (truncate and write), appends, atomic saves
for ((c = 0; c < NCHAINS; c++)); do
	for ((i = 0; i < 5; i++)); do
		fpath "$c" "$i"
		task "$REPLY" "d$c-t$i" v2
	done
	for ((i = 5; i < 8; i++)); do
		fpath "$c" "$i"
		printf 'review_notes:\n  - appended by twburst\n' >>"$REPLY"
	done
done
for ((c = 0; c < NCHAINS; c += 2)); do
	fpath "$c" 8
	task "$DIR/d$c/.x.tmp" "d$c-t8" saved
	mv "$DIR/d$c/.x.tmp" "$REPLY"
done
# 3. moves between directories (one mv per chain), renames in place, deletes
for ((c = 0; c < NCHAINS; c++)); do
	srcs=()
	for ((i = PER - 10; i < PER; i++)); do
		fpath "$c" "$i"
		srcs+=("$REPLY")
	done
	mkdir -p "$DIR/moved/m$c"
	mv "${srcs[@]}" "$DIR/moved/m$c/"
	fpath "$c" 9
	mv "$REPLY" "${REPLY%.yaml}-renamed.yaml"
	dels=()
	for ((i = PER - 15; i < PER - 10; i++)); do
		fpath "$c" "$i"
		dels+=("$REPLY")
	done
	rm -f "${dels[@]}"
done
# 4. directories: renamed, moved deeper, deleted, filled outside and moved in
((NCHAINS >= 4))
mv "$DIR/d1" "$DIR/d1-renamed"
mv "$DIR/d2" "$DIR/d3/a/d2-moved"
rm -rf "$DIR/d0"
mkdir -p "$OUT/outside/x/y"
for ((i = 0; i < 50; i++)); do task "$OUT/outside/x/y/o$i.yaml" "outside-$i" v1; done
mv "$OUT/outside/x" "$DIR/from-outside"
# a task turned into a non-task and back
task "$DIR/flip.yaml" flip v1
mv "$DIR/flip.yaml" "$DIR/flip.yaml.bak"
task "$DIR/flop.yaml" flop v1
t1=$(ms)
# 5. the sentinel
task "$DIR/zz-sentinel.yaml" sentinel v1
ts=$(ms)
for ((i = 0; ; i++)); do
	grep -q "\"path\":\"$DIR/zz-sentinel.yaml\"" "$TWO" && break
	if ((i > 3000)); then
		echo "twburst: no event for the sentinel within 30 s" >&2
		break
	fi
	kill -0 "$TW_PID" 2>/dev/null || { echo "twburst: taskwatch died:" >&2; cat "$OUT/taskwatch.err" >&2; break; }
	sleep 0.01
done
te=$(ms)
sleep 1 # for inotifywait, and anything taskwatch still settles
cleanup

# ---- compare ---------------------------------------------------------------
find "$DIR" -name '*.yaml' ! -name '.*' -type f | LC_ALL=C sort >"$OUT/final.txt"
jq -r 'select(.path) | .path' "$TWO" | LC_ALL=C sort -u >"$OUT/tw-paths.txt"
LC_ALL=C sort -u "$IWO" >"$OUT/iw-paths.txt"
nfinal=$(wc -l <"$OUT/final.txt")
ntw=$(LC_ALL=C comm -12 "$OUT/final.txt" "$OUT/tw-paths.txt" | wc -l)
niw=$(LC_ALL=C comm -12 "$OUT/final.txt" "$OUT/iw-paths.txt" | wc -l)
nevents=$(grep -c . "$TWO" || true)
nresync=$(grep -c '"event":"resync"' "$TWO" || true)

# shellcheck disable=SC2016 # jq programs
jq -n -r 'reduce (inputs | select(.kind == "task")) as $e ({};
	if ($e.event | IN("snapshot", "created", "updated", "invalid")) then .[$e.path] = 1
	elif $e.event == "moved" then del(.[$e.prev_path]) | .[$e.path] = 1
	elif $e.event == "deleted" then del(.[$e.path])
	else . end) | keys[]' "$TWO" | LC_ALL=C sort >"$OUT/replay.txt"
# shellcheck disable=SC2016
jq -n -r 'reduce (inputs | select(.kind == "task" and .path)) as $e ({s: {}, bad: []};
	.s[$e.path] as $old | ($e.prev_path // null) as $pp |
	if ($e.event | IN("snapshot", "created")) then
		(if $old != null then .bad += ["\($e.event) of a known path: \($e.path)"] else . end) | .s[$e.path] = $e.task
	elif $e.event == "updated" then
		(if $old == null then .bad += ["updated of an unknown path: \($e.path)"]
		 elif $old == $e.task then .bad += ["updated with nothing changed: \($e.path)"] else . end) | .s[$e.path] = $e.task
	elif $e.event == "invalid" then .s[$e.path] = ($e.task // {})
	elif $e.event == "moved" then
		(if .s[$pp] == null then .bad += ["moved from an unknown path: \($pp) -> \($e.path)"] else . end)
		| del(.s[$pp]) | .s[$e.path] = $e.task
	elif $e.event == "deleted" then
		(if $old == null then .bad += ["deleted of an unknown path: \($e.path)"] else . end) | del(.s[$e.path])
	else . end) | .bad[]' "$TWO" >"$OUT/anomalies.txt"
nbad=$(wc -l <"$OUT/anomalies.txt")

rc=0
echo "  burst: $NCHAINS new directory chains (dN/a/b), $NFILES files written in them, then edits, saves, moves, deletes, directory moves: $((t1 - t0)) ms; sentinel event after $((te - ts)) ms"
echo "  taskwatch: $nevents lines ($(jq -r '.event' "$TWO" | sort | uniq -c | awk '{ printf "%s%s %s", s, $2, $1; s = ", " }')), $nresync resync"
echo "  *.yaml files at the end: $nfinal; named at least once by taskwatch: $ntw, by inotifywait: $niw"
if ((ntw != nfinal)); then
	rc=1
	echo "  !! taskwatch never named $((nfinal - ntw)) of them, e.g.:"
	LC_ALL=C comm -23 "$OUT/final.txt" "$OUT/tw-paths.txt" | head -n 5 | sed 's/^/       /'
fi
if ((niw < nfinal)); then
	echo "  inotifywait missed $((nfinal - niw)), e.g. $(LC_ALL=C comm -23 "$OUT/final.txt" "$OUT/iw-paths.txt" | head -n 1)"
fi
replay=exact
if ! diff "$OUT/final.txt" "$OUT/replay.txt" >"$OUT/replay.diff"; then
	replay=differs
	rc=1
	echo "  !! replay: the stream gives $(wc -l <"$OUT/replay.txt") paths, the disk has $nfinal; first differences (< disk only, > stream only):"
	grep '^[<>]' "$OUT/replay.diff" | head -n 10 | sed 's/^/       /'
else
	echo "  replay: exact ($nfinal paths)"
fi
if ((nbad > 0)); then
	rc=1
	echo "  !! $nbad events contradict the stream before them, e.g.:"
	head -n 5 "$OUT/anomalies.txt" | sed 's/^/       /'
fi
if [ -s "$OUT/taskwatch.err" ]; then
	echo "  taskwatch stderr: $(head -c 300 "$OUT/taskwatch.err" | tr '\n' ' ')"
fi
echo "RESULT files=$nfinal tw=$ntw iw=$niw replay=$replay anomalies=$nbad resyncs=$nresync events=$nevents burst_ms=$((t1 - t0)) sentinel_ms=$((te - ts))"
exit $rc
