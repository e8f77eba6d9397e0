#!/usr/bin/env bats
# costsum: sums of call records, Claude Code logs and the telemetry store.

load helpers

setup() {
	T=$BATS_TEST_TMPDIR
	CS=$BIN/costsum
	CALLS=$FIX/costsum/calls.ndjson
	CLAUDE=$FIX/costsum/claude
}

@test "--version and --help" {
	run "$CS" --version
	assert_success
	assert_output "costsum 0.1.0"
	run "$CS" --help
	assert_success
	assert_line --index 0 --partial "usage: costsum"
}

@test "usage errors exit 64" {
	run "$CS" --bogus
	assert_equal "$status" 64
	run "$CS" --timezone Nowhere/Atlantis "$CALLS"
	assert_equal "$status" 64
	assert_output "costsum: --timezone: unknown time zone 'Nowhere/Atlantis' (not in the zone database)"
	run "$CS" --since yesterday "$CALLS"
	assert_equal "$status" 64
	run "$CS" --by day,day "$CALLS"
	assert_equal "$status" 64
	run "$CS" --format yaml "$CALLS"
	assert_equal "$status" 64
}

@test "call records: exact total, aliases of the origin store, running records left out" {
	run "$CS" "$CALLS"
	assert_success
	assert_output '{"kind":"cost","total":true,"calls":4,"input_tokens":7100,"output_tokens":2600,"cache_read_tokens":10000,"cache_write_tokens":2000,"cache_write_1h_tokens":1000,"total_tokens":22700,"cost_usd":0.547}'
}

@test "call records from standard input equal those from the file" {
	run bash -c "'$CS' < '$CALLS'"
	assert_success
	assert_output --partial '"cost_usd":0.547}'
}

@test "--by model: one row per model, priced per token kind" {
	run bash -c "'$CS' --by model --no-total '$CALLS' | jq -c '[.model,.calls,.cost_usd]'"
	assert_success
	assert_output - <<'OUT'
["claude-haiku-4-5-20251001",1,0.011]
["claude-sonnet-4-5",2,0.521]
["gpt-4o",1,0.015]
OUT
}

@test "--by day in UTC and in a zone: buckets move, rows name the zone" {
	run bash -c "'$CS' --by day --no-total '$CALLS' | jq -c '[.day,.calls,.cost_usd,.timezone]'"
	assert_output - <<'OUT'
["2026-11-03",2,0.036,"UTC"]
["2026-11-04",1,0.011,"UTC"]
["2026-11-05",1,0.5,"UTC"]
OUT
	run bash -c "'$CS' --by day --no-total --timezone America/New_York '$CALLS' | jq -c '[.day,.calls,.cost_usd,.timezone]'"
	assert_output - <<'OUT'
["2026-11-03",3,0.047,"America/New_York"]
["2026-11-05",1,0.5,"America/New_York"]
OUT
}

@test "--by week, month, agent, status and any other field" {
	run bash -c "'$CS' --by week,month --no-total '$CALLS' | jq -c '[.week,.month,.calls]'"
	assert_output '["2026-W45","2026-11",4]'
	run bash -c "'$CS' --by team --no-total '$CALLS' | jq -c '[.team,.calls]'"
	assert_output - <<'OUT'
[null,2]
["core",1]
["web",1]
OUT
	run bash -c "'$CS' --by agent,status --no-total '$CALLS' | jq -c '[.agent,.status,.calls]'"
	assert_output - <<'OUT'
["backend","error",1]
["backend","success",2]
["frontend","success",1]
OUT
}

@test "--since and --until take dates inclusively and times exactly" {
	run bash -c "'$CS' --since 2026-11-04 --until 2026-11-04 '$CALLS' | jq -c '[.calls,.cost_usd]'"
	assert_output '[1,0.011]'
	run bash -c "'$CS' --since 20261103 --until 2026-11-03T23:30:00Z '$CALLS' | jq -c '[.calls,.cost_usd]'"
	assert_output '[2,0.036]'
	run "$CS" --since 2026-11-05 --until 2026-11-04 "$CALLS"
	assert_equal "$status" 64
}

@test "--table and --format markdown speak to people" {
	run "$CS" --by model --table "$CALLS"
	assert_success
	assert_output - <<'OUT'
model                      Calls  Input  Output  Cache read  Cache write  Total tokens  Cost (USD)
claude-haiku-4-5-20251001      1  4,000   1,000           0        1,000         6,000        0.01
claude-sonnet-4-5              2  1,100     600      10,000        2,000        13,700        0.52
gpt-4o                         1  2,000   1,000           0            0         3,000        0.02
Total                          4  7,100   2,600      10,000        3,000        22,700        0.55
OUT
	run "$CS" --by agent --format markdown "$CALLS"
	assert_success
	assert_output - <<'OUT'
| agent    | Calls | Input | Output | Cache read | Cache write | Total tokens | Cost (USD) |
| -------- | ----: | ----: | -----: | ---------: | ----------: | -----------: | ---------: |
| backend  |     3 | 5,100 |  1,600 |     10,000 |       3,000 |       19,700 |       0.53 |
| frontend |     1 | 2,000 |  1,000 |          0 |           0 |        3,000 |       0.02 |
| Total    |     4 | 7,100 |  2,600 |     10,000 |       3,000 |       22,700 |       0.55 |
OUT
}

@test "--dedup drops repeated call ids; without it each line counts" {
	cat "$CALLS" "$CALLS" > "$T/twice.ndjson"
	run bash -c "'$CS' '$T/twice.ndjson' | jq -c '[.calls,.cost_usd]'"
	assert_output '[8,1.094]'
	run bash -c "'$CS' --dedup '$T/twice.ndjson' | jq -c '[.calls,.cost_usd]'"
	assert_output '[4,0.547]'
}

@test "bad lines are reported with file:line:col and skipped; --strict exits 65" {
	{
		head -n 1 "$CALLS"
		echo '{"id":"b1","model":"gpt-4o","input_tokens":"12"}'
		echo '{"id":"b2","model":"gpt-4o","input_tokens":-3}'
		echo '{"id":"b3", oops}'
		printf '\001\002\377garbage\n'
		echo '[1,2]'
		tail -n 1 "$CALLS"
	} > "$T/bad.ndjson"
	run "$CS" "$T/bad.ndjson"
	assert_success
	assert_line "costsum: $T/bad.ndjson:2: 'input_tokens' must be a whole number >= 0, not a string"
	assert_line "costsum: $T/bad.ndjson:3: 'input_tokens' must be a whole number >= 0, not a negative number"
	assert_line "costsum: $T/bad.ndjson:4:13: string or '}' expected"
	assert_line "costsum: $T/bad.ndjson:5:1: '[' or '{' expected"
	assert_line "costsum: $T/bad.ndjson:6:2: not a JSON object"
	assert_line "costsum: 5 bad lines skipped"
	assert_line --partial '"calls":1,'
	run "$CS" --strict "$T/bad.ndjson"
	assert_equal "$status" 65
	assert_line "costsum: $T/bad.ndjson:2: 'input_tokens' must be a whole number >= 0, not a string"
}

@test "a last line without its newline still counts; a truncated one is reported" {
	printf '%s' "$(head -n 1 "$CALLS")" > "$T/nonl.ndjson"
	run bash -c "'$CS' '$T/nonl.ndjson' | jq -c .calls"
	assert_output "1"
	printf '%s\n{"id":"x","model":"gpt-4o","inp' "$(head -n 1 "$CALLS")" > "$T/trunc.ndjson"
	run "$CS" "$T/trunc.ndjson"
	assert_success
	assert_line "costsum: $T/trunc.ndjson:2:32: the line ends inside a JSON value (truncated?)"
}

@test "a huge line is skipped without holding it, and the next line still counts" {
	{ printf '{"id":"big","x":"'; head -c 100000000 /dev/zero | tr '\0' 'a'; printf '"}\n'; head -n 1 "$CALLS"; } > "$T/huge.ndjson"
	run "$CS" "$T/huge.ndjson"
	assert_success
	assert_line "costsum: $T/huge.ndjson:1: line too long: skipped"
	assert_line --partial '"calls":1,'
}

@test "an unreadable file among others: the rest is summed, exit 66" {
	run "$CS" "$CALLS" "$T/missing.ndjson"
	assert_equal "$status" 66
	assert_line "costsum: $T/missing.ndjson: cannot read: No such file or directory"
	assert_line --partial '"cost_usd":0.547}'
}

@test "a file that cannot be opened (permission) is reported, as any user" {
	cp "$CALLS" "$T/secret.ndjson"
	chmod 000 "$T/secret.ndjson"
	chmod 755 "$T"
	if [ "$(id -u)" -eq 0 ]; then
		run setpriv --reuid=nobody --regid=nogroup --clear-groups "$CS" "$T/secret.ndjson"
	else
		run "$CS" "$T/secret.ndjson"
	fi
	assert_equal "$status" 66
	assert_line "costsum: $T/secret.ndjson: cannot read: Permission denied"
}

@test "a closed output pipe ends costsum quietly" {
	run bash -c "'$CS' --by day '$CALLS' | head -n 1 >/dev/null; echo \${PIPESTATUS[0]}"
	assert_output "0"
}

@test "an output error (full disk) exits 74" {
	[ -w /dev/full ] || skip "no /dev/full"
	run bash -c "'$CS' '$CALLS' > /dev/full"
	assert_equal "$status" 74
	assert_output --partial "write error on standard output"
}

@test "Claude Code logs: streamed and resumed copies once, sidechains, costUSD, 1-hour cache, long context" {
	run "$CS" "$CLAUDE"
	assert_success
	assert_line '{"kind":"cost","total":true,"calls":8,"input_tokens":250265,"output_tokens":1465,"cache_read_tokens":1000,"cache_write_tokens":1000,"cache_write_1h_tokens":2000,"total_tokens":255730,"cost_usd":1.79212,"unpriced":true,"unpriced_calls":1}'
	assert_line "costsum: $CLAUDE/projects/-home-u-proj/s1.jsonl:7:71: the line ends inside a JSON value (truncated?)"
	assert_line "costsum: $CLAUDE/projects/-home-u-proj/s2.jsonl:3:1: '[' or '{' expected"
	assert_line "costsum: no price for model 'claude-foo-9' (1 call): not counted in cost_usd"
	assert_line "costsum: 2 bad lines skipped"
}

@test "Claude Code cost modes: auto, calculate, display" {
	run bash -c "'$CS' --mode calculate '$CLAUDE' 2>/dev/null | jq -c .cost_usd"
	assert_output "1.54392"
	run bash -c "'$CS' --mode display '$CLAUDE' 2>/dev/null | jq -c .cost_usd"
	assert_output "0.25"
	run "$CS" --mode guess "$CLAUDE"
	assert_equal "$status" 64
}

@test "Claude Code: a request over 200k input tokens is billed whole at the long-context rate" {
	run bash -c "'$CS' --by day,model --no-total '$CLAUDE' 2>/dev/null | jq -c 'select(.day==\"2026-11-11\" and .model==\"claude-sonnet-4-5-20250929\") | [.calls,.input_tokens,.cost_usd]'"
	assert_output '[2,250005,1.52259]'
}

@test "Claude Code: by session and project from the paths, blocks of five hours" {
	run bash -c "'$CS' --by project,session --no-total '$CLAUDE' 2>/dev/null | jq -c '[.project,.session,.calls]'"
	assert_output - <<'OUT'
["-home-u-proj","s1",7]
["-home-u-proj","s2",1]
OUT
	run bash -c "'$CS' --by block --no-total '$CLAUDE' 2>/dev/null | jq -c '[.block_start,.block_end,.calls,.first_ts,.last_ts]'"
	assert_output - <<'OUT'
["2026-11-10T10:00:00Z","2026-11-10T15:00:00Z",4,"2026-11-10T10:00:01Z","2026-11-10T12:30:00Z"]
["2026-11-11T09:00:00Z","2026-11-11T14:00:00Z",4,"2026-11-11T09:00:00Z","2026-11-11T11:00:00Z"]
OUT
}

@test "Claude Code default locations: CLAUDE_CONFIG_DIR, a comma-separated list" {
	run bash -c "CLAUDE_CONFIG_DIR='$T/none, $CLAUDE' '$CS' --claude 2>/dev/null | jq -c .calls"
	assert_output "8"
	mkdir -p "$T/home/.claude"
	cp -r "$CLAUDE/projects" "$T/home/.claude/"
	run bash -c "HOME='$T/home' '$CS' --claude 2>/dev/null | jq -c .calls"
	assert_output "8"
}

@test "directory walks do not follow symlinks" {
	mkdir -p "$T/tree/projects/p"
	cp "$FIX/costsum/claude/projects/-home-u-proj/s2.jsonl" "$T/tree/projects/p/"
	ln -s "$CLAUDE/projects/-home-u-proj/s1.jsonl" "$T/tree/projects/p/link.jsonl"
	ln -s "$T/tree" "$T/tree/projects/p/loop"
	run bash -c "'$CS' '$T/tree' 2>/dev/null | jq -c .calls"
	assert_output "2"
}

@test "--calls passes each call on, normalised and priced, unknown fields kept" {
	run bash -c "'$CS' --calls '$CALLS' | jq -c '[.kind,.id,.ts,.agent,.model,.input_tokens,.cost_usd,.status,.team]'"
	assert_output - <<'OUT'
["call","a1","2026-11-03T10:00:00Z","backend","claude-sonnet-4-5",1000,0.021,"success","core"]
["call","a2","2026-11-03T23:30:00Z","frontend","gpt-4o",2000,0.015,"success",null]
["call","a3","2026-11-04T02:00:00Z","backend","claude-haiku-4-5-20251001",4000,0.011,"error","web"]
["call","a4","2026-11-05T12:00:00Z","backend","claude-sonnet-4-5",100,0.5,"success",null]
["call","a5","2026-11-05T13:00:00Z","backend","claude-sonnet-4-5",0,0,"running",null]
OUT
}

@test "--prices takes LiteLLM's JSON; a bad price file exits 78 with its position" {
	echo '{"gpt-4o": {"input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06, "litellm_provider": "openai"}}' > "$T/litellm.json"
	run bash -c "'$CS' --by model --prices '$T/litellm.json' '$CALLS' | jq -c 'select(.model==\"gpt-4o\") | .cost_usd'"
	assert_output "0.004"
	printf 'version: 1\nmodels:\n  m:\n    prices:\n      - from: 2026-01-01\n        input: abc\n        output: 1\n' > "$T/bad.yaml"
	run "$CS" --prices "$T/bad.yaml" "$CALLS"
	assert_equal "$status" 78
	assert_output "costsum: $T/bad.yaml:6:16: 'input' must be a number of USD per million tokens"
}

@test "--record writes the store; recording twice changes nothing; the store answers the same" {
	db=$T/t.db
	run "$CS" --db "$db" --record "$CALLS"
	assert_success
	assert_output "{\"kind\":\"record\",\"db\":\"$db\",\"calls\":4,\"recorded\":4,\"duplicates\":0,\"bad_lines\":0}"
	run "$CS" --db "$db" --record "$CALLS"
	assert_output "{\"kind\":\"record\",\"db\":\"$db\",\"calls\":4,\"recorded\":0,\"duplicates\":4,\"bad_lines\":0}"
	run "$CS" --db "$db"
	assert_output '{"kind":"cost","total":true,"calls":4,"input_tokens":7100,"output_tokens":2600,"cache_read_tokens":10000,"cache_write_tokens":2000,"cache_write_1h_tokens":1000,"total_tokens":22700,"cost_usd":0.547}'
	run bash -c "'$CS' --db '$db' --by day,model --no-total | jq -c '[.day,.model,.cost_usd]'"
	assert_output - <<'OUT'
["2026-11-03","claude-sonnet-4-5",0.021]
["2026-11-03","gpt-4o",0.015]
["2026-11-04","claude-haiku-4-5-20251001",0.011]
["2026-11-05","claude-sonnet-4-5",0.5]
OUT
	run sqlite3 "$db" "PRAGMA integrity_check; PRAGMA journal_mode; SELECT invocation_id, timestamp, agent_name, tool_name, prompt_tokens, total_tokens, cost_pico FROM invocations ORDER BY id; SELECT date, agent_name, tool_name, model_name, invocations, total_tokens, printf('%.6f', total_cost_usd) FROM daily_costs ORDER BY date, model_name; SELECT version FROM schema_version ORDER BY version;"
	assert_output - <<'OUT'
ok
wal
a1|2026-11-03 10:00:00|backend|claude-code|1000|1500|21000000000
a2|2026-11-03 23:30:00|frontend|codex|2000|3000|15000000000
a3|2026-11-04 02:00:00|backend|claude-code|4000|5000|11000000000
a4|2026-11-05 12:00:00|backend||100|200|500000000000
2026-11-03|backend|claude-code|claude-sonnet-4-5|1|1500|0.021000
2026-11-03|frontend|codex|gpt-4o|1|3000|0.015000
2026-11-04|backend|claude-code|claude-haiku-4-5-20251001|1|5000|0.011000
2026-11-05|backend||claude-sonnet-4-5|1|200|0.500000
1.0.0
1.0.0+agentpipe.1
1.0.0+agentpipe.2
OUT
}

@test "--db reads a store only the origin's logger wrote, read-only, and ranges keep their edges" {
	db=$T/origin.db
	sed '/agentpipe.s additions/,$d' "$AGENTPIPE_SHARE/schema.sql" | sqlite3 "$db"
	sqlite3 "$db" "INSERT INTO invocations (invocation_id, timestamp, agent_name, tool_name, model_name, prompt_tokens, completion_tokens, total_tokens, cost_usd, latency_ms, status) VALUES
		('o1', '2026-11-01 00:00:00', 'a', 'claude-code', 'claude-sonnet-4-5', 10, 20, 30, 0.015, 5, 'success'),
		('o2', '2026-11-01 23:59:59.999999', 'a', 'claude-code', 'claude-sonnet-4-5', 10, 20, 30, 0.03, 5, 'success'),
		('o3', '2026-11-02 00:00:00', 'b', 'codex', 'gpt-4o', 10, 20, 30, 0.1, 5, 'error'),
		('o4', '2026-10-31 23:59:59.5', 'b', 'codex', 'gpt-4o', 1, 2, 3, 7, 5, 'success');"
	before=$(sha256sum "$db")
	run bash -c "'$CS' --db '$db' --since 2026-11-01 --until 2026-11-01 | jq -c '[.calls,.cost_usd]'"
	assert_output '[2,0.045]'
	run bash -c "'$CS' --db '$db' --by agent,status --no-total | jq -c '[.agent,.status,.calls,.cost_usd]'"
	assert_output - <<'OUT'
["a","success",2,0.045]
["b","error",1,0.1]
["b","success",1,7]
OUT
	assert_equal "$(sha256sum "$db")" "$before"
	[ ! -e "$db-wal" ]
	# With the origin's daily_costs in step with the rows, whole days come
	# from it; but not the status, which it does not keep.
	sqlite3 "$db" "INSERT INTO daily_costs (date, agent_name, tool_name, model_name, invocations, total_tokens, total_cost_usd) VALUES
		('2026-10-31', 'b', 'codex', 'gpt-4o', 1, 3, 7), ('2026-11-01', 'a', 'claude-code', 'claude-sonnet-4-5', 2, 60, 0.045),
		('2026-11-02', 'b', 'codex', 'gpt-4o', 1, 30, 0.1);"
	run bash -c "'$CS' --db '$db' --since 2026-11-01 --until 2026-11-02 --by day --no-total | jq -c '[.day,.calls,.cost_usd,.source]'"
	assert_output - <<'OUT'
["2026-11-01",2,0.045,"daily_costs"]
["2026-11-02",1,0.1,"daily_costs"]
OUT
	run bash -c "'$CS' --db '$db' --since 2026-11-01 --until 2026-11-02 --by day,status --no-total | jq -c '[.day,.status,.calls,.cost_usd,.source]'"
	assert_output - <<'OUT'
["2026-11-01","success",2,0.045,null]
["2026-11-02","error",1,0.1,null]
OUT
}

@test "--record into an origin store adds our columns beside the origin's, and rollup answers equal a scan" {
	db=$T/mixed.db
	sed '/agentpipe.s additions/,$d' "$AGENTPIPE_SHARE/schema.sql" | sqlite3 "$db"
	sqlite3 "$db" "INSERT INTO invocations (invocation_id, timestamp, agent_name, tool_name, model_name, prompt_tokens, completion_tokens, total_tokens, cost_usd, status) VALUES ('o1', '2026-11-03 08:00:00', 'backend', 'claude-code', 'claude-sonnet-4-5', 10, 20, 30, 0.25, 'success');"
	run "$CS" --db "$db" --record "$CALLS"
	assert_success
	# The origin's logger writes after us: the rollup does not hold that row.
	sqlite3 "$db" "INSERT INTO invocations (invocation_id, timestamp, agent_name, tool_name, model_name, prompt_tokens, completion_tokens, total_tokens, cost_usd, status) VALUES ('o2', '2026-11-03 09:00:00', 'backend', 'claude-code', 'claude-sonnet-4-5', 1, 2, 3, 0.125, 'success');"
	run bash -c "'$CS' --db '$db' --by day | jq -c '[.day,.calls,.cost_usd]'"
	assert_output - <<'OUT'
["2026-11-03",4,0.411]
["2026-11-04",1,0.011]
["2026-11-05",1,0.5]
[null,6,0.922]
OUT
	run bash -c "'$CS' --db '$db' --by id --no-total | jq -c .id | tr '\n' ' '"
	assert_output '"a1" "a2" "a3" "a4" "o1" "o2" '
	run sqlite3 "$db" "SELECT name FROM pragma_table_info('invocations') WHERE cid >= 14 ORDER BY cid"
	assert_output - <<'OUT'
task_id
cache_read_tokens
cache_write_tokens
cache_write_1h_tokens
cost_pico
OUT
}

@test "a missing or corrupt store exits 66 with a message" {
	run "$CS" --db "$T/nope.db"
	assert_equal "$status" 66
	assert_output "costsum: $T/nope.db: cannot open the store: No such file or directory"
	head -c 8192 /dev/urandom > "$T/corrupt.db"
	run "$CS" --db "$T/corrupt.db"
	assert_equal "$status" 66
	assert_output "costsum: $T/corrupt.db: file is not a database"
}

@test "kill -9 in the middle of a large --record loses no committed batch" {
	for i in $(seq 1 60); do sed "s/\"a\([0-9]\)\"/\"r$i-\1\"/; s/\"id\":\"a/\"id\":\"r$i-/; s/\"invocation_id\":\"a/\"invocation_id\":\"r$i-/" "$CALLS"; done > "$T/one.ndjson"
	for i in $(seq 1 200); do sed "s/\"r/\"k$i-r/" "$T/one.ndjson"; done > "$T/many.ndjson"
	total=$(grep -vc running "$T/many.ndjson")
	db=$T/k.db
	"$CS" --db "$db" --record "$T/many.ndjson" > /dev/null &
	pid=$!
	for _ in $(seq 1 200); do
		n=$(sqlite3 "$db" "SELECT count(*) FROM invocations" 2>/dev/null || echo 0)
		[ "${n:-0}" -gt 0 ] && break
		sleep 0.05
	done
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	run sqlite3 "$db" "PRAGMA integrity_check"
	assert_output "ok"
	run "$CS" --db "$db" --record "$T/many.ndjson"
	assert_success
	run bash -c "sqlite3 '$db' 'SELECT count(*) FROM invocations'"
	assert_output "$total"
	a=$("$CS" --db "$db" --by model | jq -c '[.model,.calls,.cost_usd]')
	b=$("$CS" --by model "$T/many.ndjson" | jq -c '[.model,.calls,.cost_usd]')
	assert_equal "$a" "$b"
}

@test "--follow on a growing file writes the rows that change; a partial last line waits" {
	f=$T/grow.ndjson
	head -n 1 "$CALLS" > "$f"
	out=$T/out.ndjson
	"$CS" --follow --by model "$f" > "$out" &
	pid=$!
	for _ in $(seq 1 100); do [ -s "$out" ] && break; sleep 0.05; done
	printf '%s' "$(sed -n 2p "$CALLS")" >> "$f"
	sleep 0.3
	printf '\n' >> "$f"
	for _ in $(seq 1 100); do [ "$(grep -c gpt-4o "$out")" -ge 1 ] && break; sleep 0.05; done
	kill -TERM "$pid"
	wait "$pid"
	run jq -c '[.model,.calls,.cost_usd]' "$out"
	assert_output - <<'OUT'
["claude-sonnet-4-5",1,0.021]
[null,1,0.021]
["gpt-4o",1,0.015]
[null,2,0.036]
OUT
}

@test "--follow --calls on the store passes on new calls as they are recorded" {
	db=$T/f.db
	head -n 1 "$CALLS" | "$CS" --db "$db" --record > /dev/null
	out=$T/calls.out
	"$CS" --db "$db" --follow --calls --interval 100ms > "$out" &
	pid=$!
	for _ in $(seq 1 100); do [ -s "$out" ] && break; sleep 0.05; done
	sed -n 2,3p "$CALLS" | "$CS" --db "$db" --record > /dev/null
	for _ in $(seq 1 100); do [ "$(wc -l < "$out")" -ge 3 ] && break; sleep 0.05; done
	kill -TERM "$pid"
	wait "$pid" || true
	run jq -c '[.kind,.id,.cost_usd]' "$out"
	assert_output - <<'OUT'
["call","a1",0.021]
["call","a2",0.015]
["call","a3",0.011]
OUT
}

@test "an unpriced call stays unpriced through the store; an origin row without a cost is priced" {
	db=$T/u.db
	echo '{"id":"u1","ts":"2026-11-03T10:00:00Z","model":"no-such-model","input_tokens":10,"output_tokens":10}' > "$T/u.ndjson"
	"$CS" --db "$db" --record "$T/u.ndjson" > /dev/null
	sqlite3 "$db" "INSERT INTO invocations (invocation_id, timestamp, tool_name, model_name, prompt_tokens, completion_tokens, total_tokens, status) VALUES ('o1', '2026-11-03 11:00:00', 'codex', 'gpt-4o', 2000, 1000, 3000, 'success')"
	run "$CS" --db "$db" --by model --no-total
	assert_success
	assert_line '{"kind":"cost","model":"gpt-4o","calls":1,"input_tokens":2000,"output_tokens":1000,"cache_read_tokens":0,"cache_write_tokens":0,"cache_write_1h_tokens":0,"total_tokens":3000,"cost_usd":0.015}'
	assert_line '{"kind":"cost","model":"no-such-model","calls":1,"input_tokens":10,"output_tokens":10,"cache_read_tokens":0,"cache_write_tokens":0,"cache_write_1h_tokens":0,"total_tokens":20,"cost_usd":0,"unpriced":true,"unpriced_calls":1}'
	assert_line "costsum: no price for model 'no-such-model' (1 call): not counted in cost_usd"
	# The same answer through the rollup (recording again folds the origin's row).
	"$CS" --db "$db" --record "$T/u.ndjson" > /dev/null
	run "$CS" --db "$db" --by day
	assert_line '{"kind":"cost","day":"2026-11-03","calls":2,"input_tokens":2010,"output_tokens":1010,"cache_read_tokens":0,"cache_write_tokens":0,"cache_write_1h_tokens":0,"total_tokens":3020,"cost_usd":0.015,"unpriced":true,"unpriced_calls":1,"timezone":"UTC"}'
}

@test "--since and --until: a time without an offset is a wall time in --timezone" {
	run bash -c "'$CS' --since 2026-11-03T05:00 --until 2026-11-03T05:00:00 --timezone America/New_York --calls '$CALLS' | jq -c .id"
	assert_output '"a1"'
}

@test "usage errors: --db with files, --record with --by, numbers and durations read strictly" {
	run "$CS" --db "$T/x.db" "$CALLS"
	assert_equal "$status" 64
	assert_output "costsum: --db reads the store alone: record files into it with --record"
	run "$CS" --db "$T/x.db" --record --by model "$CALLS"
	assert_equal "$status" 64
	run "$CS" --threads 3x "$CALLS"
	assert_equal "$status" 64
	run "$CS" --follow --interval 0x10s "$CALLS"
	assert_equal "$status" 64
	assert_output "costsum: --interval takes a duration such as 500ms or 2s, not '0x10s'"
}

@test "--follow on Claude Code logs: a fuller copy replaces the earlier one" {
	f=$T/s.jsonl
	line() { printf '{"type":"assistant","timestamp":"2026-11-10T10:00:0%sZ","sessionId":"s","requestId":"r1","message":{"id":"m1","model":"claude-sonnet-4-5","usage":{"input_tokens":10,"output_tokens":%s}}}\n' "$1" "$2"; }
	line 0 1 > "$f"
	out=$T/out
	"$CS" --follow --from claude "$f" > "$out" &
	pid=$!
	for _ in $(seq 1 100); do [ -s "$out" ] && break; sleep 0.05; done
	line 1 100 >> "$f"
	for _ in $(seq 1 100); do [ "$(wc -l < "$out")" -ge 2 ] && break; sleep 0.05; done
	kill -TERM "$pid"
	wait "$pid"
	run jq -c '[.calls,.output_tokens,(.cost_usd * 1e6 | round)]' "$out"
	assert_output - <<'OUT'
[1,1,45]
[1,100,1530]
OUT
}

@test "--calls output reads back: unpriced stays unpriced, sessions group" {
	run bash -c "echo '{\"id\":\"1\",\"model\":\"nope-1\",\"input_tokens\":1}' | '$CS' --calls 2>/dev/null | '$CS' 2>/dev/null | jq -c '[.calls,.unpriced]'"
	assert_output '[1,true]'
	run bash -c "'$CS' --calls '$CLAUDE' 2>/dev/null | '$CS' --by session,status --no-total 2>/dev/null | jq -c '[.session,.status,.calls]'"
	assert_output - <<'OUT'
["s1","success",7]
["s2","success",1]
OUT
	run bash -c "'$CS' --calls '$CLAUDE' 2>&1 >/dev/null | grep 'no price'"
	assert_output "costsum: no price for model 'claude-foo-9' (1 call): not counted in cost_usd"
}

@test "rows the origin's retention deleted are not counted from the rollup" {
	db=$T/r.db
	"$CS" --db "$db" --record "$CALLS" > /dev/null
	sqlite3 "$db" "DELETE FROM invocations WHERE timestamp < '2026-11-04'"
	run bash -c "'$CS' --db '$db' --by day | jq -c '[.day,.calls,.cost_usd]'"
	assert_output - <<'OUT'
["2026-11-04",1,0.011]
["2026-11-05",1,0.5]
[null,2,0.511]
OUT
}

@test "a first --record into a store the origin filled folds it in short transactions" {
	db=$T/big.db
	sed '/agentpipe.s additions/,$d' "$AGENTPIPE_SHARE/schema.sql" | sqlite3 "$db"
	sqlite3 "$db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 120000)
		INSERT INTO invocations (invocation_id, timestamp, agent_name, tool_name, model_name, prompt_tokens, completion_tokens, total_tokens, cost_usd, status)
		SELECT 'o' || i, datetime('2026-10-01', '+' || (i % 1000) || ' minutes'), 'a', 't', 'gpt-4o', 10, 10, 20, 0.000125, 'success' FROM n"
	run "$CS" --db "$db" --record "$CALLS"
	assert_success
	run sqlite3 "$db" "SELECT value FROM agentpipe_meta WHERE key = 'rollup_id'; SELECT sum(calls) FROM agentpipe_hourly"
	assert_output - <<'OUT'
120004
120004
OUT
	run bash -c "'$CS' --db '$db' --since 2026-10-01 --until 2026-10-01 | jq -c '[.calls,.cost_usd]'"
	assert_output '[120000,15]'
}

@test "the rollup and a scan agree; a call unpriced when recorded is priced once the table knows its model" {
	db=$T/p.db
	"$CS" --db "$db" --record "$CALLS" > /dev/null
	echo '{"id":"u1","ts":"2026-11-04T10:00:00Z","agent":"backend","model":"house-model","input_tokens":1000000,"output_tokens":0}' | "$CS" --db "$db" --record > /dev/null
	daily=$("$CS" --db "$db" --by month,agent,model --since 2026-11-01 --until 2026-11-30 2>/dev/null)
	hourly=$("$CS" --db "$db" --by month,agent,model,task_id --no-total --since 2026-11-01 --until 2026-11-30 2>/dev/null | jq -sc 'group_by([.month,.agent,.model])[] | {month: .[0].month, agent: .[0].agent, model: .[0].model, calls: (map(.calls) | add)}')
	scan=$("$CS" --db "$db" --by month,agent,model,id --no-total --since 2026-11-01 --until 2026-11-30 2>/dev/null | jq -sc 'group_by([.month,.agent,.model])[] | {month: .[0].month, agent: .[0].agent, model: .[0].model, calls: (map(.calls) | add)}')
	assert_equal "$hourly" "$scan"
	assert_equal "$(echo "$daily" | jq -c 'select(.total | not) | {month, agent, model, calls}')" "$scan"
	run bash -c "echo '$daily' | jq -c 'select(.total) | [.calls,.cost_usd,.unpriced_calls]'"
	assert_output '[5,0.547,1]'
	printf 'version: 1\nmodels:\n  house-model:\n    prices:\n      - {from: 2026-01-01, input: 0.5, output: 1}\n' > "$T/house.yaml"
	run bash -c "'$CS' --db '$db' --prices '$T/house.yaml' --by month | jq -c 'select(.total) | [.calls,.cost_usd,.unpriced]'"
	assert_output '[5,1.047,null]'
}

@test "a store only the origin wrote answers from its daily_costs when the question allows and the tables agree" {
	db=$T/logger.db
	sed '/agentpipe.s additions/,$d' "$AGENTPIPE_SHARE/schema.sql" | sqlite3 "$db"
	# As the origin's logger writes: a row, then the day's upsert.
	for r in "o1|2026-11-01 09:00:00|a|claude-code|claude-sonnet-4-5|100|50|0.015" \
		 "o2|2026-11-01 23:59:59.5|a|claude-code|claude-sonnet-4-5|10|5|0.0015" \
		 "o3|2026-11-02 00:00:00|b|codex|gpt-4o|1000|100|0.0035"; do
		IFS='|' read -r id ts ag tool model p c usd <<< "$r"
		sqlite3 "$db" "INSERT INTO invocations (invocation_id, timestamp, agent_name, tool_name, model_name, prompt_tokens, completion_tokens, total_tokens, cost_usd, status) VALUES ('$id', '$ts', '$ag', '$tool', '$model', $p, $c, $p + $c, $usd, 'success');
			INSERT INTO daily_costs (date, agent_name, tool_name, model_name, invocations, total_tokens, total_cost_usd) VALUES (substr('$ts', 1, 10), '$ag', '$tool', '$model', 1, $p + $c, $usd)
			ON CONFLICT(date, agent_name, tool_name, model_name) DO UPDATE SET invocations = invocations + 1, total_tokens = total_tokens + $p + $c, total_cost_usd = total_cost_usd + $usd;"
	done
	run "$CS" --db "$db" --by day,model --since 2026-11-01 --until 2026-11-02
	assert_output - <<'OUT'
{"kind":"cost","day":"2026-11-01","model":"claude-sonnet-4-5","calls":2,"input_tokens":null,"output_tokens":null,"cache_read_tokens":null,"cache_write_tokens":null,"cache_write_1h_tokens":null,"total_tokens":165,"cost_usd":0.0165,"timezone":"UTC","source":"daily_costs"}
{"kind":"cost","day":"2026-11-02","model":"gpt-4o","calls":1,"input_tokens":null,"output_tokens":null,"cache_read_tokens":null,"cache_write_tokens":null,"cache_write_1h_tokens":null,"total_tokens":1100,"cost_usd":0.0035,"timezone":"UTC","source":"daily_costs"}
{"kind":"cost","total":true,"calls":3,"input_tokens":null,"output_tokens":null,"cache_read_tokens":null,"cache_write_tokens":null,"cache_write_1h_tokens":null,"total_tokens":1265,"cost_usd":0.02,"timezone":"UTC","source":"daily_costs"}
OUT
	# A question of hours, or of tasks, needs the rows: the breakdown is back.
	run bash -c "'$CS' --db '$db' --by hour --no-total --since 2026-11-01 --until 2026-11-01 | jq -c '[.hour,.input_tokens,.cost_usd,.source]'"
	assert_output - <<'OUT'
["2026-11-01T09:00",100,0.015,null]
["2026-11-01T23:00",10,0.0015,null]
OUT
	# Rows the logger's upsert never saw: the tables disagree, the rows win.
	sqlite3 "$db" "INSERT INTO invocations (invocation_id, timestamp, tool_name, model_name, prompt_tokens, completion_tokens, total_tokens, cost_usd, status) VALUES ('x', '2026-11-02 10:00:00', 'codex', 'gpt-4o', 1, 1, 2, 0.5, 'success')"
	run bash -c "'$CS' --db '$db' --by day --no-total | jq -c '[.day,.calls,.input_tokens,.cost_usd,.source]'"
	assert_output - <<'OUT'
["2026-11-01",2,110,0.0165,null]
["2026-11-02",2,1001,0.5035,null]
OUT
}

@test "a locked store: reading and recording wait, then fail with 66 and 74, losing nothing" {
	db=$T/lock.db
	sed '/agentpipe.s additions/,$d' "$AGENTPIPE_SHARE/schema.sql" | sqlite3 "$db"
	sqlite3 "$db" "INSERT INTO invocations (invocation_id, timestamp, tool_name, model_name, prompt_tokens, completion_tokens, cost_usd, status) VALUES ('o1', '2026-11-01 09:00:00', 't', 'gpt-4o', 10, 10, 0.5, 'success')"
	# The origin's store is not in WAL mode: an exclusive lock keeps readers out too.
	{ echo "BEGIN EXCLUSIVE;"; sleep 3; echo "COMMIT;"; } | sqlite3 "$db" &
	locker=$!
	sleep 0.5
	export AGENTPIPE_BUSY_TIMEOUT=200ms
	run "$CS" --db "$db"
	assert_equal "$status" 66
	assert_output --partial "database is locked"
	run "$CS" --db "$db" --record "$CALLS"
	assert_equal "$status" 74
	assert_output --partial "database is locked"
	wait "$locker"
	run bash -c "'$CS' --db '$db' --record '$CALLS' | jq -c .recorded"
	assert_output "4"
	run bash -c "'$CS' --db '$db' | jq -c '[.calls,.cost_usd]'"
	assert_output '[5,1.047]'
}
