#!/usr/bin/env bats
# taskwatch: task events from real directories and real inotify events.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	T=$BATS_TEST_TMPDIR
	TW=$BIN/taskwatch
	W=$T/work
	mkdir -p "$W"
	TWPID=
}

teardown() {
	if [ -n "$TWPID" ]; then
		kill -TERM "$TWPID" 2>/dev/null || true
		wait "$TWPID" 2>/dev/null || true
	fi
	if [ -n "${RESTORE_SYSCTL:-}" ]; then
		echo "$RESTORE_VALUE" >"$RESTORE_SYSCTL"
	fi
}

# Start taskwatch in the background on $W (more options as arguments) and
# wait for its ready record.
tw_start() {
	"$TW" "$@" "$W" >"$T/out" 2>"$T/err" &
	TWPID=$!
	wait_for 'select(.event == "ready")'
}

# Wait (at most 30 s) until a line of the output matches a jq filter.
wait_for() {
	local i
	for ((i = 0; i < 1500; i++)); do
		if [ -s "$T/out" ] && [ -n "$(jq -c "$1" "$T/out" 2>/dev/null | head -n 1)" ]; then
			return 0
		fi
		if ! kill -0 "$TWPID" 2>/dev/null; then
			echo "taskwatch exited; stderr:" >&2
			cat "$T/err" >&2
			return 1
		fi
		sleep 0.02
	done
	echo "timed out waiting for $1; output:" >&2
	cat "$T/out" >&2
	return 1
}

# Everything changed before this has been reported once the sentinel's own
# event is out: paths are reconciled in the order they were last touched.
SENTINELS=0
sentinel() {
	SENTINELS=$((SENTINELS + 1))
	mkdir -p "$W/inbox"
	printf 'id: sentinel-%d\n' "$SENTINELS" >"$W/inbox/zz-sentinel-$SENTINELS.yaml"
	wait_for "select(.path == \"$W/inbox/zz-sentinel-$SENTINELS.yaml\")"
}

tw_stop() {
	kill -TERM "$TWPID"
	local rc=0
	wait "$TWPID" || rc=$?
	TWPID=
	assert_equal "$rc" 0
}

# The events so far, without timestamps, tasks and sentinels, paths below $W.
events() {
	jq -c --arg w "$W/" 'select(.event != "ready" and ((.path // "") | test("zz-sentinel") | not))
		| del(.ts, .kind, .task) | .path |= (if . then ltrimstr($w) else . end)
		| if .prev_path then .prev_path |= ltrimstr($w) else . end' "$T/out"
}

# Apply the events in order; the paths that then exist, sorted.
replay() {
	jq -n -r 'reduce inputs as $e ({};
		if $e.event == "snapshot" or $e.event == "created" or $e.event == "updated" or $e.event == "invalid"
		then .[$e.path] = ($e.task.title // "")
		elif $e.event == "moved" then del(.[$e.prev_path]) | .[$e.path] = ($e.task.title // "")
		elif $e.event == "deleted" then del(.[$e.path])
		else . end) | to_entries[] | "\(.key) \(.value)"' "$T/out" | LC_ALL=C sort
}

# What is on disk: each task file with its title.
on_disk() {
	find "$W" -name '*.yaml' -type f | while IFS= read -r f; do
		printf '%s %s\n' "$f" "$(sed -n 's/^title: //p' "$f")"
	done | LC_ALL=C sort
}

task() { # task FILE ID TITLE [STATUS]
	mkdir -p "$(dirname "$1")"
	printf 'id: %s\ntitle: %s\nstatus: %s\n' "$2" "$3" "${4:-new}" >"$1"
}

@test "--version and --help" {
	run "$TW" --version
	assert_success
	assert_output "taskwatch 0.1.0"
	run "$TW" --help
	assert_success
	assert_line --index 0 --partial "usage: taskwatch"
}

@test "usage errors exit 64, unreadable directories 66" {
	run "$TW"
	assert_equal "$status" 64
	run "$TW" --bogus "$W"
	assert_equal "$status" 64
	run "$TW" --settle soon "$W"
	assert_equal "$status" 64
	assert_output "taskwatch: --settle: not a duration: soon (e.g. 50ms, 2s)"
	run "$TW" --once --no-snapshot "$W"
	assert_equal "$status" 64
	run "$TW" --max-size 0 "$W"
	assert_equal "$status" 64
	run "$TW" --once "$T/nowhere"
	assert_equal "$status" 66
	assert_output "taskwatch: $T/nowhere: No such file or directory"
	touch "$T/file"
	run "$TW" --once "$T/file"
	assert_equal "$status" 66
	assert_output "taskwatch: $T/file: not a directory"
}

@test "--once: the origin's tree, untidy files, lanes and states" {
	cd "$REPO/examples"
	run "$TW" --once work/collaboration
	assert_success
	run jq -c '[.event, .path, .id, .state, .lane, .agent, .priority, .conflict]' <<<"$output"
	assert_output - <<'EOF'
["snapshot","work/collaboration/archive/2026-11-02T0840-curator-docs-structure-cleanup.yaml","2026-11-02T0840-curator-docs-structure-cleanup","archived","archive","curator","normal",null]
["snapshot","work/collaboration/assigned/backend-dev/2026-11-17T1010-backend-dev-inventory-reservation-api.yaml","2026-11-17T1010-backend-dev-inventory-reservation-api","in_progress","assigned","backend-dev","critical",null]
["snapshot","work/collaboration/assigned/backend-dev/2026-11-18T1545-backend-dev-payment-webhook-retries.yaml","2026-11-18T1545-backend-dev-payment-webhook-retries","error","assigned","backend-dev","high",null]
["snapshot","work/collaboration/assigned/backend-dev/2026-11-20T0900-backend-dev-order-export-csv.yaml","2026-11-20T0900-backend-dev-order-export-csv","assigned","assigned","backend-dev","normal",null]
["snapshot","work/collaboration/assigned/frontend/2026-11-16T1120-frontend-cart-drawer-redesign.yaml","2026-11-16T1120-frontend-cart-drawer-redesign","in_progress","assigned","frontend","high",null]
["snapshot","work/collaboration/assigned/frontend/2026-11-19T1330-frontend-product-page-skeletons.yaml","2026-11-19T1330-frontend-product-page-skeletons","assigned","assigned","frontend","low",null]
["snapshot","work/collaboration/done/architect/2026-11-03T0915-architect-inventory-service-adr.yaml","2026-11-03T0915-architect-inventory-service-adr","done","done","architect","critical",null]
["snapshot","work/collaboration/done/architect/2026-11-10T1400-architect-checkout-flow-review.yaml","2026-11-10T1400-architect-checkout-flow-review","done","done","architect","high",null]
["snapshot","work/collaboration/done/build-automation/2026-11-05T1030-build-automation-ci-cache-node-modules.yaml","2026-11-05T1030-build-automation-ci-cache-node-modules","done","done","build-automation","normal",null]
["snapshot","work/collaboration/done/build-automation/2026-11-12T1615-build-automation-flaky-e2e-quarantine.yaml","2026-11-12T1615-build-automation-flaky-e2e-quarantine","done","done","build-automation","high",null]
["snapshot","work/collaboration/fridge/2026-11-09T1100-frontend-dark-mode-theme.yaml","2026-11-09T1100-frontend-dark-mode-theme","fridge","fridge","frontend","low",null]
["snapshot","work/collaboration/inbox/2026-11-21T0930-backend-dev-add-coupon-stacking-rules.yaml","2026-11-21T0930-backend-dev-add-coupon-stacking-rules","new","inbox","backend-dev","high",null]
["snapshot","work/collaboration/inbox/2026-11-22T1415-curator-refresh-glossary.yaml","2026-11-22T1415-curator-refresh-glossary","new","inbox","curator","low",null]
["snapshot","work/collaboration/inbox/2026-11-23T0805-frontend-checkout-a11y-audit.yaml","2026-11-23T0805-frontend-checkout-a11y-audit","new","inbox","frontend","normal",null]
["ready",null,null,null,null,null,null,null]
EOF
	# The whole file comes along; a context written as a string stays one.
	run "$TW" --once work/collaboration/inbox
	assert_success
	run jq -c 'select(.id == "2026-11-23T0805-frontend-checkout-a11y-audit") | [.task.task_id, (.task.context | type), .task.acceptance_criteria[0], .title]' <<<"$output"
	assert_output '["2026-11-23T0805-frontend-checkout-a11y-audit","string","Every form field has a programmatic label.","Accessibility audit of the checkout flow (WCAG 2.2 AA)"]'
	run "$TW" --once work/collaboration
	assert_line --index 14 --regexp '^\{"kind":"task","event":"ready","ts":"[0-9T:.-]+Z","tasks":14,"invalid":0\}$'
}

@test "states: the lane gives the state, the status refines it, a disagreement is a conflict" {
	task "$W/inbox/a.yaml" a A new
	task "$W/inbox/b.yaml" b B inbox
	task "$W/inbox/c.yaml" c C "In Progress"
	task "$W/assigned/bob/d.yaml" d D in-progress
	task "$W/assigned/bob/e.yaml" e E FAILED
	task "$W/assigned/bob/f.yaml" f F blocked
	task "$W/assigned/inbox/g.yaml" g G pending
	task "$W/done/h.yaml" h H done
	task "$W/done/ann/i.yaml" i I completed
	task "$W/archive/j.yaml" j J done
	task "$W/fridge/k.yaml" k K new
	task "$W/fridge/l.yaml" l L wip
	task "$W/m.yaml" m M blocked
	task "$W/other/n.yaml" n N ""
	printf 'title: no id, no status\nagent: zoe\npriority: HIGH\n' >"$W/inbox/o.yaml"
	printf 'task_id: p-from-task-id\nstatus: pending\npriority: LOW\ncontext: "a string"\n' >"$W/inbox/p.yaml"
	printf 'id: 42\nstatus: new\nagent: zoe\n' >"$W/assigned/bob/q.yaml"
	run "$TW" --once "$W"
	assert_success
	run jq -c --arg w "$W/" 'select(.path) | [(.path | ltrimstr($w)), .id, .state, .lane, .agent, .priority, .conflict.status]' <<<"$output"
	assert_output - <<'EOF'
["archive/j.yaml","j","archived","archive",null,null,null]
["assigned/bob/d.yaml","d","in_progress","assigned","bob",null,null]
["assigned/bob/e.yaml","e","error","assigned","bob",null,null]
["assigned/bob/f.yaml","f","blocked","assigned","bob",null,null]
["assigned/bob/q.yaml","42","assigned","assigned","bob",null,"new"]
["assigned/inbox/g.yaml","g","assigned","assigned","inbox",null,"pending"]
["done/ann/i.yaml","i","done","done","ann",null,null]
["done/h.yaml","h","done","done",null,null,null]
["fridge/k.yaml","k","fridge","fridge",null,null,null]
["fridge/l.yaml","l","fridge","fridge",null,null,"wip"]
["inbox/a.yaml","a","new","inbox",null,null,null]
["inbox/b.yaml","b","inbox","inbox",null,null,null]
["inbox/c.yaml","c","new","inbox",null,null,"In Progress"]
["inbox/o.yaml","o","new","inbox","zoe","high",null]
["inbox/p.yaml","p-from-task-id","new","inbox",null,"low",null]
["m.yaml","m","blocked",null,null,null,null]
["other/n.yaml","n","new",null,null,null,null]
EOF
	run jq -c 'select(.id == "c") | .conflict' <<<"$(bin_once)"
	assert_output '{"status":"In Progress","lane":"inbox"}'
}

bin_once() {
	"$TW" --once "$W"
}

@test "invalid files: syntax errors with positions, several documents, not a mapping, too large, alias bombs, NUL bytes" {
	mkdir -p "$W/inbox"
	printf 'id: a\ntitle: [unclosed\n' >"$W/inbox/syntax.yaml"
	printf 'id: a\n---\nid: b\n' >"$W/inbox/two-docs.yaml"
	printf -- '- a\n- b\n' >"$W/inbox/list.yaml"
	head -c 3000 /dev/zero | tr '\0' 'x' | sed 's/^/title: /' >"$W/inbox/big.yaml"
	{
		echo 'a: &a ["x","x","x","x","x","x","x","x","x","x"]'
		for l in b c d e f g h i; do
			prev=$(printf '%s' "$l" | tr 'b-i' 'a-h')
			printf '%s: &%s [*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s]\n' $l $l $prev $prev $prev $prev $prev $prev $prev $prev $prev $prev
		done
	} >"$W/inbox/bomb.yaml"
	printf 'id: a\0\n' >"$W/inbox/nul.yaml"
	: >"$W/inbox/empty.yaml"
	run --separate-stderr "$TW" --once --max-size 2048 "$W"
	assert_success
	run jq -c --arg w "$W/" 'select(.path) | [.event, (.path | ltrimstr($w)), .id, .lane, .state, .error]' <<<"$output"
	assert_output - <<'EOF'
["invalid","inbox/big.yaml","big","inbox",null,{"message":"file is larger than 2048 bytes","line":null,"column":null}]
["invalid","inbox/bomb.yaml","bomb","inbox",null,{"message":"too many nodes (alias expansion is bounded)","line":5,"column":29}]
["invalid","inbox/empty.yaml","empty","inbox",null,{"message":"a task file must be a mapping","line":null,"column":null}]
["invalid","inbox/list.yaml","list","inbox",null,{"message":"a task file must be a mapping","line":1,"column":1}]
["invalid","inbox/nul.yaml","nul","inbox",null,{"message":"file contains a NUL byte","line":null,"column":null}]
["invalid","inbox/syntax.yaml","syntax","inbox",null,{"message":"did not find expected ',' or ']' while parsing a flow sequence","line":3,"column":1}]
["invalid","inbox/two-docs.yaml","two-docs","inbox",null,{"message":"more than one YAML document in the file","line":2,"column":1}]
EOF
	run --separate-stderr "$TW" --once --max-size 2048 "$W"
	assert_line --partial '"event":"ready"'
	assert_line --partial '"tasks":0,"invalid":7}'
	run bash -c '"$0" --once --max-size 2048 "$1" 2>&1 >/dev/null' "$TW" "$W"
	assert_line "taskwatch: $W/inbox/syntax.yaml:3:1: did not find expected ',' or ']' while parsing a flow sequence"
	assert_line "taskwatch: $W/inbox/big.yaml: file is larger than 2048 bytes"
}

@test "ignored: dotfiles, dot-directories, editor droppings, symlinks, FIFOs, other extensions" {
	task "$W/inbox/real.yaml" real Real
	task "$W/inbox/.hidden.yaml" hidden Hidden
	task "$W/.git/inbox/x.yaml" x X
	for n in real.yaml~ .real.yaml.swp 4913 real.tmp real.yaml.new '#real.yaml#' notes.txt; do
		echo 'id: junk' >"$W/inbox/$n"
	done
	task "$T/outside/secret.yaml" secret Secret
	ln -s "$T/outside/secret.yaml" "$W/inbox/link.yaml"
	ln -s "$T/outside" "$W/linked-dir"
	mkfifo "$W/inbox/fifo.yaml"
	task "$W/inbox/short.yml" short Short
	run "$TW" --once "$W"
	assert_success
	run jq -c --arg w "$W/" 'select(.path) | [.event, (.path | ltrimstr($w)), .id]' <<<"$output"
	assert_output - <<'EOF'
["snapshot","inbox/real.yaml","real"]
["snapshot","inbox/short.yml","short"]
EOF
}

@test "two files may claim one id: events are keyed by path" {
	task "$W/inbox/one.yaml" same One
	task "$W/done/two.yaml" same Two done
	run "$TW" --once "$W"
	run jq -c --arg w "$W/" 'select(.path) | [(.path | ltrimstr($w)), .id, .title]' <<<"$output"
	assert_output - <<'EOF'
["done/two.yaml","same","Two"]
["inbox/one.yaml","same","One"]
EOF
}

@test "live: created, updated, an identical rewrite says nothing, moved between lanes, deleted" {
	mkdir -p "$W/inbox" "$W/assigned/bob" "$W/done"
	task "$W/inbox/old.yaml" old Old
	tw_start
	task "$W/inbox/a.yaml" a "First" new
	sentinel
	task "$W/inbox/a.yaml" a "Second" new
	sentinel
	task "$W/inbox/a.yaml" a "Second" new
	sentinel
	mv "$W/inbox/a.yaml" "$W/assigned/bob/a.yaml"
	sentinel
	task "$W/assigned/bob/a.yaml" a "Third" in_progress
	sentinel
	mv "$W/assigned/bob/a.yaml" "$W/done/a.yaml"
	rm "$W/inbox/old.yaml"
	sentinel
	tw_stop
	run events
	assert_output - <<'EOF'
{"event":"snapshot","path":"inbox/old.yaml","id":"old","state":"new","lane":"inbox","agent":null,"title":"Old","priority":null}
{"event":"created","path":"inbox/a.yaml","id":"a","state":"new","lane":"inbox","agent":null,"title":"First","priority":null}
{"event":"updated","path":"inbox/a.yaml","id":"a","state":"new","prev_state":"new","lane":"inbox","agent":null,"title":"Second","priority":null}
{"event":"moved","path":"assigned/bob/a.yaml","prev_path":"inbox/a.yaml","id":"a","state":"assigned","prev_state":"new","lane":"assigned","agent":"bob","title":"Second","priority":null,"conflict":{"status":"new","lane":"assigned"}}
{"event":"updated","path":"assigned/bob/a.yaml","id":"a","state":"in_progress","prev_state":"assigned","lane":"assigned","agent":"bob","title":"Third","priority":null}
{"event":"moved","path":"done/a.yaml","prev_path":"assigned/bob/a.yaml","id":"a","state":"done","prev_state":"in_progress","lane":"done","agent":null,"title":"Third","priority":null,"conflict":{"status":"in_progress","lane":"done"}}
{"event":"deleted","path":"inbox/old.yaml","id":"old","prev_state":"new","lane":"inbox","agent":null,"title":"Old","priority":null}
EOF
	run jq -c 'select(.event == "moved") | .task.title' "$T/out"
	assert_output - <<'EOF'
"Second"
"Third"
EOF
}

@test "live: invalid, then a valid save brings the task back" {
	mkdir -p "$W/inbox"
	tw_start --no-snapshot
	printf 'id: x\ntitle: [oops\n' >"$W/inbox/x.yaml"
	sentinel
	printf 'id: x\ntitle: fixed\n' >"$W/inbox/x.yaml"
	sentinel
	tw_stop
	run events
	assert_output - <<'EOF'
{"event":"invalid","path":"inbox/x.yaml","id":"x","lane":"inbox","agent":null,"title":null,"priority":null,"error":{"message":"did not find expected ',' or ']' while parsing a flow sequence","line":3,"column":1}}
{"event":"updated","path":"inbox/x.yaml","id":"x","state":"new","lane":"inbox","agent":null,"title":"fixed","priority":null}
EOF
	run cat "$T/err"
	assert_output "taskwatch: $W/inbox/x.yaml:3:1: did not find expected ',' or ']' while parsing a flow sequence"
}

@test "writers: atomic rename saves, vim backup saves and bursts of writes each give one updated" {
	mkdir -p "$W/inbox"
	task "$W/inbox/t.yaml" t v0
	tw_start --no-snapshot --settle 300ms
	# temp file and rename, as most libraries save
	task "$W/inbox/.t.yaml.tmp" t v1
	mv "$W/inbox/.t.yaml.tmp" "$W/inbox/t.yaml"
	sentinel
	# vim with backupcopy=no: rename to t.yaml~, probe 4913, write anew, drop the backup
	mv "$W/inbox/t.yaml" "$W/inbox/t.yaml~"
	touch "$W/inbox/4913" && rm "$W/inbox/4913"
	task "$W/inbox/t.yaml" t v2
	rm "$W/inbox/t.yaml~"
	sentinel
	# a burst of writes
	for i in $(seq 3 40); do task "$W/inbox/t.yaml" t "v$i"; done
	sentinel
	# a tool that writes its temp file elsewhere in the tree
	task "$W/inbox/t.yaml.new" t v41
	mv "$W/inbox/t.yaml.new" "$W/inbox/t.yaml"
	sentinel
	tw_stop
	run jq -c 'select((.path // "") | test("zz-sentinel") | not) | select(.event != "ready") | [.event, .title]' "$T/out"
	assert_output - <<'EOF'
["updated","v1"]
["updated","v2"]
["updated","v40"]
["updated","v41"]
EOF
}

@test "directories: mkdir -p, moved in, renamed within the tree, moved out" {
	mkdir -p "$W/assigned" "$W/done" "$T/elsewhere/bob/sub"
	task "$T/elsewhere/bob/b1.yaml" b1 B1 in_progress
	task "$T/elsewhere/bob/sub/b2.yaml" b2 B2 assigned
	tw_start --no-snapshot
	mkdir -p "$W/inbox/x/y/z" && task "$W/inbox/x/y/z/deep.yaml" deep Deep
	sentinel
	mv "$T/elsewhere/bob" "$W/assigned/bob"
	sentinel
	mv "$W/assigned/bob" "$W/done/bob"
	sentinel
	mv "$W/done/bob" "$T/elsewhere/bob-done"
	sentinel
	# the moved-out directory is no longer watched
	task "$T/elsewhere/bob-done/b3.yaml" b3 B3
	rm -r "$W/inbox/x"
	sentinel
	tw_stop
	run jq -c --arg w "$W/" 'select((.path // "") | test("zz-sentinel") | not) | select(.event != "ready")
		| [.event, (.path | ltrimstr($w)), (.prev_path // "" | ltrimstr($w)), .state, .prev_state, .agent]' "$T/out"
	assert_output - <<'EOF'
["created","inbox/x/y/z/deep.yaml","","new",null,null]
["created","assigned/bob/b1.yaml","","in_progress",null,"bob"]
["created","assigned/bob/sub/b2.yaml","","assigned",null,"bob"]
["moved","done/bob/b1.yaml","assigned/bob/b1.yaml","done","in_progress","bob"]
["moved","done/bob/sub/b2.yaml","assigned/bob/sub/b2.yaml","done","assigned","bob"]
["deleted","done/bob/b1.yaml","",null,"done","bob"]
["deleted","done/bob/sub/b2.yaml","",null,"done","bob"]
["deleted","inbox/x/y/z/deep.yaml","",null,"new",null]
EOF
}

@test "burst: 10,000 files in 100 new nested directories, created, edited, moved and deleted; replaying the events gives the tree on disk" {
	tw_start --no-snapshot
	(
		cd "$W"
		for d in $(seq 0 99); do
			mkdir -p "d$d/a/b"
			for f in $(seq 0 99); do
				printf 'id: t%d-%d\ntitle: v1-%d-%d\n' "$d" "$f" "$d" "$f" >"d$d/a/b/t$f.yaml"
			done
			for f in $(seq 0 9); do
				printf 'id: t%d-%d\ntitle: v2-%d-%d\n' "$d" "$f" "$d" "$f" >"d$d/a/b/t$f.yaml"
			done
			for f in $(seq 10 19); do mv "d$d/a/b/t$f.yaml" "d$d/a/m$f.yaml"; done
			for f in $(seq 20 24); do rm "d$d/a/b/t$f.yaml"; done
			[ $((d % 10)) -eq 9 ] && mv "d$d" "r$d"
		done
	)
	sentinel
	sentinel
	tw_stop
	find "$W" -name 'zz-sentinel-*' -delete
	run diff <(replay | grep -v zz-sentinel) <(on_disk)
	assert_success
	assert_equal "$(on_disk | wc -l)" 9500
	# nothing reported twice: one created per file, no deletes of unknown paths
	run jq -s '[.[] | select(.event == "deleted")] | length' "$T/out"
	assert_output 500
}

@test "queue overflow: a resync record, then the differences" {
	[ "$(id -u)" = 0 ] || skip "needs root to lower fs.inotify.max_queued_events"
	knob=/proc/sys/fs/inotify/max_queued_events
	[ -w "$knob" ] || skip "$knob is not writable here"
	RESTORE_VALUE=$(cat "$knob")
	RESTORE_SYSCTL=$knob
	mkdir -p "$W/inbox" "$W/done"
	for i in $(seq 1 20); do task "$W/inbox/keep$i.yaml" "keep$i" "K$i"; done
	for i in $(seq 1 20); do task "$W/inbox/gone$i.yaml" "gone$i" "G$i"; done
	echo 64 >"$knob"
	tw_start
	echo "$RESTORE_VALUE" >"$knob"
	RESTORE_SYSCTL=
	kill -STOP "$TWPID"
	for i in $(seq 1 300); do task "$W/inbox/new$i.yaml" "new$i" "N$i"; done
	for i in $(seq 1 20); do rm "$W/inbox/gone$i.yaml"; done
	for i in $(seq 1 10); do mv "$W/inbox/keep$i.yaml" "$W/done/keep$i.yaml"; done
	kill -CONT "$TWPID"
	wait_for 'select(.event == "resync")'
	sentinel
	tw_stop
	run diff <(replay | grep -v zz-sentinel) <(on_disk | grep -v zz-sentinel)
	assert_success
	run jq -c 'select(.event == "resync") | keys' "$T/out"
	assert_output '["event","kind","ts"]'
	# moves are recognised by inode in a rescan
	run jq -r 'select(.event == "moved") | .prev_path' "$T/out"
	assert_line "$W/inbox/keep1.yaml"
}

@test "watch-limit exhaustion names fs.inotify.max_user_watches" {
	[ "$(id -u)" = 0 ] || skip "needs root to lower fs.inotify.max_user_watches"
	knob=/proc/sys/fs/inotify/max_user_watches
	[ -w "$knob" ] || skip "$knob is not writable here"
	for i in $(seq 1 40); do mkdir -p "$W/assigned/agent$i"; done
	RESTORE_VALUE=$(cat "$knob")
	RESTORE_SYSCTL=$knob
	echo 8 >"$knob"
	run "$TW" "$W"
	echo "$RESTORE_VALUE" >"$knob"
	RESTORE_SYSCTL=
	assert_equal "$status" 70
	assert_output --regexp "^taskwatch: $W/.*: cannot watch: the limit of inotify watches is reached \(fs.inotify.max_user_watches = 8\); raise it with sysctl, or use --poll\$"
}

@test "--poll: the differences between scans, moves by inode" {
	mkdir -p "$W/inbox" "$W/done"
	task "$W/inbox/a.yaml" a A
	task "$W/inbox/b.yaml" b B
	tw_start --poll 50ms
	task "$W/inbox/c.yaml" c C
	wait_for 'select(.event == "created")'
	mv "$W/inbox/a.yaml" "$W/done/a.yaml"
	wait_for 'select(.event == "moved")'
	task "$W/inbox/b.yaml" b B2
	wait_for 'select(.event == "updated")'
	rm "$W/inbox/c.yaml"
	wait_for 'select(.event == "deleted")'
	tw_stop
	run jq -c --arg w "$W/" 'select(.path) | [.event, (.path | ltrimstr($w)), (.prev_path // "" | ltrimstr($w)), .state, .title]' "$T/out"
	assert_output - <<'EOF'
["snapshot","inbox/a.yaml","","new","A"]
["snapshot","inbox/b.yaml","","new","B"]
["created","inbox/c.yaml","","new","C"]
["moved","done/a.yaml","inbox/a.yaml","done","A"]
["updated","inbox/b.yaml","","new","B2"]
["deleted","inbox/c.yaml","",null,"C"]
EOF
}

@test "a closed pipe ends it quietly; SIGINT exits 0; the root removed exits 66" {
	mkdir -p "$W/inbox"
	task "$W/inbox/a.yaml" a A
	run timeout 20 bash -c '"$0" "$1" | head -n 1 >/dev/null; echo "${PIPESTATUS[0]}"' "$TW" "$W"
	assert_success
	assert_output 0
	tw_start
	kill -INT "$TWPID"
	rc=0
	wait "$TWPID" || rc=$?
	TWPID=
	assert_equal "$rc" 0
	tw_start
	rm -r "$W"
	rc=0
	wait "$TWPID" || rc=$?
	TWPID=
	assert_equal "$rc" 66
	run jq -c 'select(.event == "deleted") | .id' "$T/out"
	assert_output '"a"'
	run cat "$T/err"
	assert_output "taskwatch: $W: the directory is gone"
}

@test "unreadable files and directories (privileges dropped)" {
	[ "$(id -u)" = 0 ] || skip "needs root to drop privileges"
	command -v setpriv >/dev/null || skip "no setpriv"
	# a tree that the unprivileged user can reach
	W=$(mktemp -d /tmp/taskwatch-perm.XXXXXX)
	chmod 755 "$W"
	task "$W/inbox/ok.yaml" ok OK
	task "$W/inbox/secret.yaml" secret S
	mkdir -p "$W/locked" && task "$W/locked/l.yaml" l L
	chmod -R a+rX "$W"
	chmod 600 "$W/inbox/secret.yaml"
	chmod 700 "$W/locked"
	nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	run --separate-stderr nobody "$TW" --once "$W"
	assert_success
	run jq -c --arg w "$W/" 'select(.path) | [.event, (.path | ltrimstr($w)), .error.message]' <<<"$output"
	assert_output - <<'EOF'
["snapshot","inbox/ok.yaml",null]
["invalid","inbox/secret.yaml","Permission denied"]
EOF
	run bash -c 'setpriv --reuid=65534 --regid=65534 --clear-groups "$0" --once "$1" 2>&1 >/dev/null' "$TW" "$W"
	assert_output - <<EOF
taskwatch: $W/locked: Permission denied
taskwatch: $W/inbox/secret.yaml: Permission denied
EOF
	rm -rf "$W"
}

@test "a root given as a symlink is followed; the same directory twice is a usage error" {
	task "$T/real/inbox/s.yaml" s S
	ln -s "$T/real" "$W/link"
	run --separate-stderr "$TW" --once "$W/link"
	assert_success
	run jq -c 'select(.path) | [.event, .path]' <<<"$output"
	assert_output "[\"snapshot\",\"$W/link/inbox/s.yaml\"]"
	W=$W/link
	tw_start --no-snapshot
	task "$T/real/inbox/t.yaml" t T
	sentinel
	tw_stop
	run jq -c 'select(.event == "created" and .id != "sentinel-1") | .id' "$T/out"
	assert_output '"t"'
	run "$TW" --once "$T/real" "$T/real/"
	assert_equal "$status" 64
	assert_output "taskwatch: $T/real/: the same directory as $T/real"
}

@test "many events after a directory moved out: no stall, no error" {
	mkdir -p "$W/inbox/sub"
	task "$W/inbox/sub/a.yaml" a A
	tw_start --no-snapshot
	kill -STOP "$TWPID"
	mv "$W/inbox/sub" "$T/away"
	for i in $(seq 1 6000); do : >"$W/inbox/.junk$i"; done
	kill -CONT "$TWPID"
	sentinel
	tw_stop
	run jq -c --arg w "$W/" 'select(.event == "deleted") | .path | ltrimstr($w)' "$T/out"
	assert_output '"inbox/sub/a.yaml"'
	run cat "$T/err"
	assert_output ""
}

@test "--poll: hard links deleted together are two deletes; a root that goes away exits 66" {
	mkdir -p "$W/inbox"
	task "$W/inbox/a.yaml" a A
	ln "$W/inbox/a.yaml" "$W/inbox/b.yaml"
	tw_start --poll 50ms
	rm "$W/inbox/a.yaml" "$W/inbox/b.yaml"
	wait_for 'select(.event == "deleted" and (.path | endswith("b.yaml")))'
	run jq -c --arg w "$W/" 'select(.event == "deleted") | .path | ltrimstr($w)' "$T/out"
	assert_output - <<'EOF'
"inbox/a.yaml"
"inbox/b.yaml"
EOF
	task "$W/inbox/c.yaml" c C
	wait_for 'select(.event == "created")'
	rm -r "$W"
	rc=0
	wait "$TWPID" || rc=$?
	TWPID=
	assert_equal "$rc" 66
	run jq -c 'select(.event == "deleted") | .id' "$T/out"
	assert_line --index 2 '"c"'
	run cat "$T/err"
	assert_output "taskwatch: $W: the directory is gone"
}

@test "an unreadable root exits 66 when watching too" {
	[ "$(id -u)" = 0 ] || skip "needs root to drop privileges"
	W=$(mktemp -d /tmp/taskwatch-perm.XXXXXX)
	chmod 700 "$W"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$TW" "$W"
	assert_equal "$status" 66
	assert_output "taskwatch: $W: Permission denied"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$TW" --poll 1s "$W"
	assert_equal "$status" 66
	rmdir "$W"
}
