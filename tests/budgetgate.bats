#!/usr/bin/env bats
# budgetgate: budgets over the spend, rows and a verdict by exit code.

load helpers

bats_require_minimum_version 1.5.0

setup() {
	T=$BATS_TEST_TMPDIR
	BG=$BIN/budgetgate
	F=$FIX/budgetgate
	B=$T/budgets.yaml
	C=$T/calls.ndjson
	: >"$C"
}

# call ID TS COST [more JSON members]: one call record into $C.
call() {
	printf '{"id":"%s","ts":"%s","agent":"backend","tool":"claude-code","model":"claude-sonnet-4-5","input_tokens":100,"output_tokens":10,"cost_usd":%s%s}\n' \
		"$1" "$2" "$3" "${4:+,$4}" >>"$C"
}

# budget PERIOD [more lines]: a budgets file with one budget "b".
budget() {
	local period=$1
	shift
	{
		echo "budgets:"
		echo "  - name: b"
		echo "    period: $period"
		for l in "$@"; do echo "    $l"; done
	} >"$B"
}

# The chosen fields of each row, compact.
rows() {
	jq -c "$1"
}

@test "--version and --help" {
	run "$BG" --version
	assert_success
	assert_output "budgetgate 0.1.0"
	run "$BG" --help
	assert_success
	assert_line --index 0 --partial "usage: budgetgate -b BUDGETS"
}

@test "usage errors exit 64" {
	run "$BG" --bogus
	assert_equal "$status" 64
	run "$BG" "$C"
	assert_equal "$status" 64
	assert_output "budgetgate: -b BUDGETS is required: the budgets file (see agentpipe-budgets(5))"
	run "$BG" -b "$F/budgets.yaml" --format yaml "$C"
	assert_equal "$status" 64
	run "$BG" -b "$F/budgets.yaml" --now yesterday "$C"
	assert_equal "$status" 64
	assert_output "budgetgate: --now takes an RFC 3339 time such as 2026-11-03T12:00:00Z, not 'yesterday'"
	run "$BG" -b "$F/budgets.yaml" --timezone Nowhere/Atlantis "$C"
	assert_equal "$status" 64
	assert_output "budgetgate: --timezone: unknown time zone 'Nowhere/Atlantis' (not in the zone database)"
	run "$BG" -b "$F/budgets.yaml" --db "$T/t.db" "$C"
	assert_equal "$status" 64
	run "$BG" -b "$F/budgets.yaml" --from xml "$C"
	assert_equal "$status" 64
}

@test "the example: one row per budget in file order, exact money, exit 1 for a soft limit" {
	run -1 "$BG" -b "$F/budgets.yaml" --now 2026-11-03T12:00:00Z "$F/calls.ndjson"
	assert_line --index 0 '{"kind":"budget","name":"team-daily","period":"day","timezone":"Europe/Brussels","window_start":"2026-11-02T23:00:00Z","window_end":"2026-11-03T23:00:00Z","spent_usd":8.1,"limit_usd":10,"soft_usd":8,"spent_tokens":7000,"limit_tokens":null,"soft_tokens":null,"used_pct":81,"status":"soft","forecast_exhausted_at":"2026-11-03T15:02:58Z","calls":2}'
	run bash -c "'$BG' -b '$F/budgets.yaml' --now 2026-11-03T12:00:00Z '$F/calls.ndjson' | jq -c '[.name,.period,.window_start,.window_end,.spent_usd,.spent_tokens,.used_pct,.status,.calls]'"
	assert_output - <<'OUT'
["team-daily","day","2026-11-02T23:00:00Z","2026-11-03T23:00:00Z",8.1,7000,81,"soft",2]
["backend-weekly","week","2026-11-01T23:00:00Z","2026-11-08T23:00:00Z",8.1,4500,16.2,"ok",2]
["monthly-tokens","month","2026-11-01T00:00:00Z","2026-12-01T00:00:00Z",10.6,8500,8.5,"ok",3]
["all-time","total",null,null,10.6,8500,1.06,"ok",3]
["last-24h","24h","2026-11-02T12:00:00Z","2026-11-03T12:00:00Z",8.1,7000,40.5,"ok",2]
OUT
}

@test "--table: a column table and the origin's words for each budget not ok" {
	run -1 "$BG" -b "$F/budgets.yaml" --now 2026-11-03T12:00:00Z --table "$F/calls.ndjson"
	assert_output - <<'OUT'
budget          period  timezone         window start           spent      limit  tokens  token limit   used  status  forecast
team-daily      day     Europe/Brussels  2026-11-02T23:00:00Z   $8.10     $10.00   7,000            -    81%  soft    2026-11-03T15:02:58Z
backend-weekly  week    Europe/Brussels  2026-11-01T23:00:00Z   $8.10     $50.00   4,500            -  16.2%  ok      -
monthly-tokens  month   UTC              2026-11-01T00:00:00Z  $10.60          -   8,500      100,000   8.5%  ok      2026-11-30T09:52:57Z
all-time        total   Europe/Brussels  -                     $10.60  $1,000.00   8,500            -  1.06%  ok      2027-02-12T14:49:49Z
last-24h        24h     Europe/Brussels  2026-11-02T12:00:00Z   $8.10     $20.00   7,000            -  40.5%  ok      -

team-daily: Budget warning: daily spending at 81% of limit ($8.10 / $10.00)
OUT
}

@test "day in a zone: a call just before the start is out, at the start in, at the end out" {
	budget day "limit_usd: 100" "timezone: Europe/Brussels"
	call a 2026-11-02T22:59:59.999Z 1
	call b 2026-11-02T23:00:00Z 2
	call c 2026-11-03T22:59:59.999Z 4
	call d 2026-11-03T23:00:00Z 8
	run bash -c "'$BG' -b '$B' --now 2026-11-03T05:00:00Z '$C' | jq -c '[.window_start,.window_end,.spent_usd,.calls]'"
	assert_success
	assert_output '["2026-11-02T23:00:00Z","2026-11-03T23:00:00Z",6,2]'
}

@test "week: ISO weeks from Monday, in the zone" {
	budget week "limit_usd: 100"
	call a 2026-11-01T23:59:59Z 1
	call b 2026-11-02T00:00:00Z 2
	call c 2026-11-08T23:59:59Z 4
	call d 2026-11-09T00:00:00Z 8
	run bash -c "'$BG' -b '$B' --now 2026-11-04T12:00:00Z '$C' | jq -c '[.window_start,.window_end,.spent_usd,.calls]'"
	assert_output '["2026-11-02T00:00:00Z","2026-11-09T00:00:00Z",6,2]'
	# The turn of a year: ISO week 1 of 2027 starts on Monday 2026-12-28.
	run bash -c "'$BG' -b '$B' --now 2027-01-01T12:00:00Z '$C' | jq -c '[.window_start,.window_end]'"
	assert_output '["2026-12-28T00:00:00Z","2027-01-04T00:00:00Z"]'
}

@test "month: a leap February ends after the 29th; December ends at the new year" {
	budget month "limit_usd: 100"
	call a 2028-01-31T23:59:59Z 1
	call b 2028-02-01T00:00:00Z 2
	call c 2028-02-29T23:59:59Z 4
	call d 2028-03-01T00:00:00Z 8
	run bash -c "'$BG' -b '$B' --now 2028-02-29T12:00:00Z '$C' | jq -c '[.window_start,.window_end,.spent_usd,.calls]'"
	assert_output '["2028-02-01T00:00:00Z","2028-03-01T00:00:00Z",6,2]'
	run bash -c "'$BG' -b '$B' --now 2026-12-31T23:59:59Z '$C' | jq -c '[.window_start,.window_end]'"
	assert_output '["2026-12-01T00:00:00Z","2027-01-01T00:00:00Z"]'
	budget month "limit_usd: 100" "timezone: America/New_York"
	run bash -c "'$BG' -b '$B' --now 2026-03-01T03:00:00Z '$C' | jq -c '[.window_start,.window_end]'"
	assert_output '["2026-02-01T05:00:00Z","2026-03-01T05:00:00Z"]'
}

@test "a day in Europe/Brussels on the DST changes lasts 23 and 25 hours" {
	budget day "limit_usd: 100" "timezone: Europe/Brussels"
	call a 2026-03-28T22:59:59Z 1
	call b 2026-03-28T23:00:00Z 2
	call c 2026-03-29T21:59:59Z 4
	call d 2026-03-29T22:00:00Z 8
	run bash -c "'$BG' -b '$B' --now 2026-03-29T12:00:00Z '$C' | jq -c '[.window_start,.window_end,.spent_usd]'"
	assert_output '["2026-03-28T23:00:00Z","2026-03-29T22:00:00Z",6]'
	run bash -c "'$BG' -b '$B' --now 2026-10-25T12:00:00Z '$C' | jq -c '[.window_start,.window_end]'"
	assert_output '["2026-10-24T22:00:00Z","2026-10-25T23:00:00Z"]'
	# The hours that a day in the zone holds, from the window itself.
	run bash -c "'$BG' -b '$B' --now 2026-03-29T12:00:00Z '$C' | jq '((.window_end|fromdate) - (.window_start|fromdate)) / 3600'"
	assert_output 23
	run bash -c "'$BG' -b '$B' --now 2026-10-25T12:00:00Z '$C' | jq '((.window_end|fromdate) - (.window_start|fromdate)) / 3600'"
	assert_output 25
}

@test "total: every call, no window start; a rolling window ends now and holds its start, not its end" {
	budget total "limit_usd: 100"
	call a 2001-01-01T00:00:00Z 1
	call b 2026-11-03T12:00:00Z 2
	run bash -c "'$BG' -b '$B' --now 2026-11-03T12:00:00Z '$C' | jq -c '[.window_start,.window_end,.spent_usd,.calls]'"
	assert_output '[null,null,3,2]'
	budget 90m "limit_usd: 100"
	: >"$C"
	call a 2026-11-03T11:04:55.999Z 1
	call b 2026-11-03T11:04:56Z 2
	call c 2026-11-03T12:34:55.999Z 4
	call d 2026-11-03T12:34:56Z 8
	run bash -c "'$BG' -b '$B' --now 2026-11-03T12:34:56Z '$C' | jq -c '[.period,.window_start,.window_end,.spent_usd,.calls,.forecast_exhausted_at]'"
	assert_output '["90m","2026-11-03T11:04:56Z","2026-11-03T12:34:56Z",6,2,null]'
}

@test "limits: exactly at the limit is hard (exit 2); one pico-dollar below is not" {
	budget day "limit_usd: 10"
	call a 2026-11-03T10:00:00Z 10
	run -2 bash -c "'$BG' -b '$B' --now 2026-11-03T12:00:00Z '$C' | jq -c '[.spent_usd,.used_pct,.status,.forecast_exhausted_at]'; exit \${PIPESTATUS[0]}"
	assert_output '[10,100,"hard",null]'
	: >"$C"
	call a 2026-11-03T10:00:00Z 9.999999999999
	run -0 bash -c "'$BG' -b '$B' --now 2026-11-03T12:00:00Z '$C' | jq -c '[.spent_usd,.used_pct,.status]'; exit \${PIPESTATUS[0]}"
	assert_output '[9.999999999999,99.99,"ok"]'
}

@test "soft limits: soft_pct and soft_usd are reached at >=, used_pct is truncated" {
	budget day "limit_usd: 10" "soft_pct: 80"
	call a 2026-11-03T10:00:00Z 8
	run -1 bash -c "'$BG' -b '$B' --now 2026-11-03T12:00:00Z '$C' | jq -c '[.soft_usd,.used_pct,.status]'; exit \${PIPESTATUS[0]}"
	assert_output '[8,80,"soft"]'
	: >"$C"
	call a 2026-11-03T10:00:00Z 7.999999999999
	run -0 bash -c "'$BG' -b '$B' --now 2026-11-03T12:00:00Z '$C' | jq -c '[.used_pct,.status]'; exit \${PIPESTATUS[0]}"
	assert_output '[79.99,"ok"]'
	budget day "limit_usd: 0.30" "soft_usd: 0.1"
	: >"$C"
	call a 2026-11-03T10:00:00Z 0.1
	run -1 bash -c "'$BG' -b '$B' --now 2026-11-03T12:00:00Z '$C' | jq -c '[.limit_usd,.soft_usd,.used_pct,.status]'; exit \${PIPESTATUS[0]}"
	assert_output '[0.3,0.1,33.33,"soft"]'
}

@test "enforce: soft only warns past the limit; the messages are the origin's" {
	budget day "limit_usd: 10" "enforce: soft"
	call a 2026-11-03T10:00:00Z 10.3
	run -1 "$BG" -b "$B" --now 2026-11-03T12:00:00Z --table "$C"
	assert_line "b: Budget warning: daily spending at 103% of limit (\$10.30 / \$10.00)"
	budget day "limit_usd: 10"
	run -2 "$BG" -b "$B" --now 2026-11-03T12:00:00Z --table "$C"
	assert_line "b: Budget exceeded: daily spending at 103% of limit (\$10.30 / \$10.00)"
	budget 24h "limit_usd: 10"
	run -2 "$BG" -b "$B" --now 2026-11-03T12:00:00Z --table "$C"
	assert_line "b: Budget exceeded: 24h spending at 103% of limit (\$10.30 / \$10.00)"
}

@test "a token limit counts input, output and cache tokens" {
	budget month "limit_tokens: 1000" "soft_pct: 50"
	call a 2026-11-03T10:00:00Z 0 '"cache_read_tokens":389'
	run -0 bash -c "'$BG' -b '$B' --now 2026-11-03T12:00:00Z '$C' | jq -c '[.spent_tokens,.limit_tokens,.soft_tokens,.limit_usd,.used_pct,.status]'; exit \${PIPESTATUS[0]}"
	assert_output '[499,1000,500,null,49.9,"ok"]'
	echo '{"id":"b","ts":"2026-11-03T10:00:00Z","model":"m","cost_usd":0,"cache_write_tokens":1}' >>"$C"
	run -1 bash -c "'$BG' -b '$B' --now 2026-11-03T12:00:00Z '$C' | jq -c '[.spent_tokens,.status]'; exit \${PIPESTATUS[0]}"
	assert_output '[500,"soft"]'
	echo '{"id":"c","ts":"2026-11-03T10:00:00Z","model":"m","cost_usd":0,"input_tokens":500}' >>"$C"
	run -2 "$BG" -b "$B" --now 2026-11-03T12:00:00Z --table "$C"
	assert_line "b: Budget exceeded: monthly spending at 100% of limit (1,000 / 1,000 tokens)"
}

@test "match: globs on agent, tool, model, task_id and status; a list is any of them" {
	cat >"$B" <<'EOF'
budgets:
  back: {period: total, limit_usd: 100, match: {agent: "back*"}}
  models: {period: total, limit_usd: 100, match: {model: ["gpt-*", "*haiku*"]}}
  errors: {period: total, limit_usd: 100, match: {status: error, tool: codex}}
  task: {period: total, limit_usd: 100, match: {task_id: "T-1?"}}
EOF
	cat >"$C" <<'EOF'
{"id":"a","ts":"2026-11-03T10:00:00Z","agent":"backend","tool":"claude-code","model":"claude-sonnet-4-5","task_id":"T-12","cost_usd":1,"status":"success"}
{"id":"b","ts":"2026-11-03T10:00:00Z","agent":"frontend","tool":"codex","model":"gpt-4o","cost_usd":2,"status":"error"}
{"id":"c","ts":"2026-11-03T10:00:00Z","agent":"backend-api","tool":"claude-code","model":"claude-haiku-4-5","task_id":"T-123","cost_usd":4}
{"id":"d","ts":"2026-11-03T10:00:00Z","agent":"backend","tool":"codex","model":"claude-sonnet-4-5","cost_usd":8}
EOF
	run bash -c "'$BG' -b '$B' --now 2026-11-03T12:00:00Z '$C' | jq -c '[.name,.spent_usd,.calls]'"
	assert_output - <<'OUT'
["back",13,3]
["models",6,2]
["errors",2,1]
["task",1,1]
OUT
}

@test "the forecast: the window's burn rate until the limit, if before the window ends" {
	budget day "limit_usd: 10"
	call a 2026-11-03T06:00:00Z 6
	run bash -c "'$BG' -b '$B' --now 2026-11-03T12:00:00Z '$C' | jq -r .forecast_exhausted_at"
	assert_output "2026-11-03T20:00:00Z"
	: >"$C"
	call a 2026-11-03T06:00:00Z 4
	run bash -c "'$BG' -b '$B' --now 2026-11-03T12:00:00Z '$C' | jq -r .forecast_exhausted_at"
	assert_output "null"
	: >"$C"
	run bash -c "'$BG' -b '$B' --now 2026-11-03T12:00:00Z '$C' | jq -c '[.spent_usd,.calls,.forecast_exhausted_at]'"
	assert_output "[0,0,null]"
}

@test "bad budgets files exit 78 with file:line:col" {
	printf 'budgets:\n  - name: a\n    period: day\n    limit_usd: 5\n    colour: red\n' >"$B"
	run -78 "$BG" -b "$B" "$C"
	assert_output "budgetgate: $B:5:5: unknown key 'colour' in a budget (known: name, period, limit_usd, limit_tokens, soft_pct, soft_usd, enforce, match, timezone)"
	printf 'budgets:\n  - name: a\n    period: day\n    limit_usd: 5\n    timezone: Mars/Olympus\n' >"$B"
	run -78 "$BG" -b "$B" "$C"
	assert_output "budgetgate: $B:5:15: unknown time zone 'Mars/Olympus' (not in the zone database)"
	printf 'timezone: Nowhere\nbudgets: {a: {period: day, limit_usd: 5}}\n' >"$B"
	run -78 "$BG" -b "$B" "$C"
	assert_output "budgetgate: $B:1:11: unknown time zone 'Nowhere' (not in the zone database)"
	printf 'budgets:\n  - name: a\n    period: day\n    limit_usd: 5\n    soft_pct: 80\n    soft_usd: 4\n' >"$B"
	run -78 "$BG" -b "$B" "$C"
	assert_output "budgetgate: $B:6:5: give soft_pct or soft_usd, not both"
	printf 'budgets:\n  - name: a\n    period: day\n' >"$B"
	run -78 "$BG" -b "$B" "$C"
	assert_output "budgetgate: $B:2:11: budget 'a' has no limit: give limit_usd, limit_tokens or both"
	printf 'budgets:\n  - {name: a, period: day, limit_usd: 1}\n  - {name: a, period: day, limit_usd: 2}\n' >"$B"
	run -78 "$BG" -b "$B" "$C"
	assert_output "budgetgate: $B:3:12: budget 'a' is defined twice"
	printf 'budgets:\n  - {name: a, period: fortnight, limit_usd: 1}\n' >"$B"
	run -78 "$BG" -b "$B" "$C"
	assert_output "budgetgate: $B:2:23: period takes day, week, month, total or a duration such as 24h or 7d"
	printf 'budgets:\n  - {name: a, period: day, limit_usd: ten}\n' >"$B"
	run -78 "$BG" -b "$B" "$C"
	assert_output "budgetgate: $B:2:39: limit_usd takes an amount of dollars such as 12.50"
	printf 'budgets:\n  - {name: a, period: day, limit_usd: 1, match: {project: x}}\n' >"$B"
	run -78 "$BG" -b "$B" "$C"
	assert_output "budgetgate: $B:2:50: unknown key 'project' in match (known: agent, tool, model, task_id, status)"
	printf 'budgets:\n  - {name: a, period: day, limit_usd: 1}\nalerts: yes\n' >"$B"
	run -78 "$BG" -b "$B" "$C"
	assert_output "budgetgate: $B:3:1: unknown key 'alerts' in the budgets file (known: timezone, budgets)"
	printf 'budgets:\n  - {name: a, period: day\n' >"$B"
	run -78 "$BG" -b "$B" "$C"
	assert_output --regexp "^budgetgate: $B:[0-9]+:[0-9]+: "
	run -78 "$BG" -b "$T/missing.yaml" "$C"
	assert_output "budgetgate: $T/missing.yaml: cannot read the budgets: No such file or directory"
}

@test "the origin's policies.yaml: profiles default and production, an unknown profile" {
	call a 2026-11-03T10:00:00Z 8.1
	call b 2026-11-01T10:00:00Z 2.5
	run -1 bash -c "'$BG' -b '$F/policies.yaml' --now 2026-11-03T12:00:00Z '$C' | jq -c '[.name,.period,.timezone,.window_start,.spent_usd,.limit_usd,.soft_usd,.status]'; exit \${PIPESTATUS[0]}"
	assert_output - <<'OUT'
["default-daily","day","UTC","2026-11-03T00:00:00Z",8.1,10,8,"soft"]
["default-monthly","month","UTC","2026-11-01T00:00:00Z",10.6,200,160,"ok"]
OUT
	call c 2026-11-03T11:00:00Z 37
	run -1 bash -c "'$BG' -b '$F/policies.yaml' --profile production --now 2026-11-03T12:00:00Z '$C' | jq -c '[.name,.spent_usd,.limit_usd,.soft_usd,.status]'; exit \${PIPESTATUS[0]}"
	assert_output - <<'OUT'
["production-daily",45.1,50,45,"soft"]
["production-monthly",47.6,1000,900,"ok"]
OUT
	call d 2026-11-03T11:30:00Z 4.9
	run -2 "$BG" -b "$F/policies.yaml" --profile production --now 2026-11-03T12:00:00Z --table "$C"
	assert_line "production-daily: Budget exceeded: daily spending at 100% of limit (\$50.00 / \$50.00)"
	# The default profile is soft: past its limit it warns.
	run -1 "$BG" -b "$F/policies.yaml" --now 2026-11-03T12:00:00Z --table "$C"
	assert_line "default-daily: Budget warning: daily spending at 500% of limit (\$50.00 / \$10.00)"
	run -78 "$BG" -b "$F/policies.yaml" --profile staging "$C"
	assert_output "budgetgate: $F/policies.yaml:5:1: no profile 'staging' in policies (available: default, production, development)"
	run -78 "$BG" -b "$F/budgets.yaml" --profile default "$C"
	assert_output --partial "--profile picks a profile of the origin's policies.yaml"
}

@test "--format github: a workflow command per budget not ok, escaped; the step summary gets a table" {
	cat >"$B" <<'EOF'
budgets:
  - {name: "100% a:b,c", period: day, limit_usd: 10, soft_pct: 50}
  - {name: fine, period: day, limit_usd: 100}
  - {name: over, period: day, limit_usd: 5}
EOF
	call a 2026-11-03T10:00:00Z 6
	export GITHUB_STEP_SUMMARY=$T/summary.md
	echo "before" >"$GITHUB_STEP_SUMMARY"
	run -2 "$BG" -b "$B" --now 2026-11-03T12:00:00Z --format github "$C"
	assert_output - <<'OUT'
::warning title=Budget 100%25 a%3Ab%2Cc::Budget warning: daily spending at 60%25 of limit ($6.00 / $10.00)
::error title=Budget over::Budget exceeded: daily spending at 120%25 of limit ($6.00 / $5.00)
OUT
	run cat "$GITHUB_STEP_SUMMARY"
	assert_output - <<'OUT'
before
### Budgets

| budget | period | timezone | window start | spent | limit | tokens | token limit | used | status | forecast |
| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |
| 100% a:b,c | day | UTC | 2026-11-03T00:00:00Z | $6.00 | $10.00 | 110 | - | 60% | soft | 2026-11-03T20:00:00Z |
| fine | day | UTC | 2026-11-03T00:00:00Z | $6.00 | $100.00 | 110 | - | 6% | ok | - |
| over | day | UTC | 2026-11-03T00:00:00Z | $6.00 | $5.00 | 110 | - | 120% | hard | - |

OUT
	run -2 "$BG" -b "$B" --now 2026-11-03T12:00:00Z --format markdown "$C"
	assert_line --index 0 "| budget | period | timezone | window start | spent | limit | tokens | token limit | used | status | forecast |"
	assert_line --index 4 "| over | day | UTC | 2026-11-03T00:00:00Z | \$6.00 | \$5.00 | 110 | - | 120% | hard | - |"
	# A summary that cannot be written is an I/O error, never a verdict.
	GITHUB_STEP_SUMMARY=$T/no/such/dir/summary.md run -74 "$BG" -b "$B" --now 2026-11-03T12:00:00Z --format github "$C"
}

@test "an unpriced model or a malformed line exits 65 after the rows; --lenient goes on with 0, 1 or 2" {
	budget day "limit_usd: 10" "soft_pct: 80"
	call a 2026-11-03T10:00:00Z 6
	echo '{"id":"u","ts":"2026-11-03T10:00:00Z","model":"mystery-model-9","input_tokens":1000}' >>"$C"
	run --separate-stderr -65 "$BG" -b "$B" --now 2026-11-03T12:00:00Z "$C"
	assert_output --partial '"spent_usd":6,'
	[ "$stderr" = "budgetgate: no price for model 'mystery-model-9' (1 call in a budget): the gate cannot judge it" ]
	run --separate-stderr -0 "$BG" -b "$B" --now 2026-11-03T12:00:00Z --lenient "$C"
	[ "$stderr" = "budgetgate: no price for model 'mystery-model-9' (1 call in a budget): counted as \$0 (--lenient)" ]
	call b 2026-11-03T10:00:00Z 2
	run -1 "$BG" -b "$B" --now 2026-11-03T12:00:00Z --lenient --table "$C"
	call c 2026-11-03T10:00:00Z 2
	run -2 "$BG" -b "$B" --now 2026-11-03T12:00:00Z --lenient "$C"
	# A token budget can judge an unpriced call: its tokens are known.
	budget day "limit_tokens: 100000"
	run -0 "$BG" -b "$B" --now 2026-11-03T12:00:00Z "$C"
	# A malformed line is named by file and line.
	budget day "limit_usd: 10"
	: >"$C"
	call a 2026-11-03T10:00:00Z 1
	echo '{"id":"broken",' >>"$C"
	run --separate-stderr -65 "$BG" -b "$B" --now 2026-11-03T12:00:00Z "$C"
	assert_output --partial '"spent_usd":1,'
	[[ "$stderr" == *"budgetgate: $C:2:"* ]]
	run -0 "$BG" -b "$B" --now 2026-11-03T12:00:00Z --lenient "$C"
	# Outside every window, an unpriced call changes nothing.
	: >"$C"
	echo '{"id":"u","ts":"2020-01-01T10:00:00Z","model":"mystery-model-9","input_tokens":1000}' >>"$C"
	run -0 "$BG" -b "$B" --now 2026-11-03T12:00:00Z "$C"
}

@test "a missing or corrupt store exits 66 with no rows; without inputs the default store is read" {
	budget day "limit_usd: 10"
	run -66 "$BG" -b "$B" --db "$T/nope.db"
	assert_output "budgetgate: $T/nope.db: cannot open the store: No such file or directory"
	head -c 8192 /dev/urandom >"$T/corrupt.db"
	run -66 "$BG" -b "$B" --db "$T/corrupt.db"
	assert_output "budgetgate: $T/corrupt.db: file is not a database"
	AGENTPIPE_DB=$T/env.db run -66 "$BG" -b "$B"
	assert_output "budgetgate: $T/env.db: cannot open the store: No such file or directory"
	HOME=$T run -66 "$BG" -b "$B" </dev/null
	assert_output "budgetgate: $T/.llm-service/telemetry.db: cannot open the store: No such file or directory"
	run -66 "$BG" -b "$B" --now 2026-11-03T12:00:00Z "$T/missing.ndjson"
	refute_output --partial '"kind":"budget"'
}

@test "an unreadable store (permission) exits 66, as any user" {
	budget day "limit_usd: 10"
	call a 2026-11-03T10:00:00Z 1
	# A directory any user can enter (the test's own may not be).
	D=$(mktemp -d /tmp/budgetgate-perm.XXXXXX)
	chmod 755 "$D"
	cp "$B" "$D/b.yaml"
	chmod 644 "$D/b.yaml"
	"$BIN/costsum" --db "$D/t.db" --record "$C" >/dev/null
	chmod 000 "$D/t.db"
	if [ "$(id -u)" -eq 0 ]; then
		run setpriv --reuid=nobody --regid=nogroup --clear-groups "$BG" -b "$D/b.yaml" --db "$D/t.db"
	else
		run "$BG" -b "$D/b.yaml" --db "$D/t.db"
	fi
	rm -rf "$D"
	assert_output "budgetgate: $D/t.db: cannot open the store: unable to open database file"
	assert_equal "$status" 66
}

@test "a store recorded by costsum answers as the calls do, through the rollup and at unaligned edges" {
	cat >"$B" <<'EOF'
timezone: Europe/Brussels
budgets:
  day: {period: day, limit_usd: 100}
  week: {period: week, limit_usd: 100}
  month: {period: month, limit_usd: 100, timezone: UTC}
  total: {period: total, limit_usd: 100}
  roll: {period: 90m, limit_usd: 100}
  kolkata: {period: day, limit_usd: 100, timezone: Asia/Kolkata}
  errors: {period: total, limit_usd: 100, match: {status: error}}
EOF
	call a 2026-10-31T23:59:59Z 1
	call b 2026-11-02T22:59:59Z 2
	call c 2026-11-02T23:00:00Z 4 '"status":"error"'
	call d 2026-11-03T11:04:55Z 8
	call e 2026-11-03T11:04:56Z 16
	call f 2026-11-03T12:34:55.500Z 32
	call g 2026-11-03T12:34:56Z 64
	call h 2026-11-03T18:29:59Z 128
	call i 2026-11-03T18:30:00Z 256
	run -0 "$BIN/costsum" --db "$T/t.db" --record "$C"
	now=2026-11-03T12:34:56Z
	run bash -c "'$BG' -b '$B' --now $now '$C' | jq -c '[.name,.spent_usd,.calls]'"
	expected=$output
	assert_output - <<'OUT'
["day",508,7]
["week",510,8]
["month",510,8]
["total",511,9]
["roll",48,2]
["kolkata",254,7]
["errors",4,1]
OUT
	run bash -c "'$BG' -b '$B' --now $now --db '$T/t.db' | jq -c '[.name,.spent_usd,.calls]'"
	assert_output "$expected"
	before=$(sha256sum "$T/t.db")
	run -2 "$BG" -b "$B" --now 2026-12-01T00:00:00Z --db "$T/t.db"
	assert_equal "$(sha256sum "$T/t.db")" "$before"
}

@test "Claude Code logs: the same spend as costsum, messages counted once; its bad lines and unpriced model are named" {
	cat >"$B" <<'EOF'
budgets:
  all: {period: total, limit_usd: 1000}
  sonnet: {period: total, limit_tokens: 1000000000, match: {model: "claude-sonnet-*"}}
EOF
	L=$FIX/costsum/claude
	want=$("$BIN/costsum" "$L" 2>/dev/null | jq -c '[.cost_usd,.total_tokens,.calls]')
	run --separate-stderr -65 "$BG" -b "$B" "$L"
	assert_line --index 0 --partial '"name":"all"'
	[[ "$stderr" == *"s1.jsonl:7:71: the line ends inside a JSON value (truncated?)"* ]]
	[[ "$stderr" == *"budgetgate: no price for model 'claude-foo-9' (1 call in a budget): the gate cannot judge it"* ]]
	[[ "$stderr" == *"budgetgate: 2 bad lines skipped: the gate cannot judge what they spent"* ]]
	run bash -c "'$BG' -b '$B' --lenient '$L' 2>/dev/null | jq -c 'select(.name == \"all\") | [.spent_usd,.spent_tokens,.calls]'"
	assert_success
	assert_output "$want"
	CLAUDE_CONFIG_DIR=$L run bash -c "'$BG' -b '$B' --lenient --claude 2>/dev/null | jq -c 'select(.name == \"all\") | [.spent_usd,.spent_tokens,.calls]'"
	assert_output "$want"
	run bash -c "'$BG' -b '$B' --lenient --from claude '$L' 2>/dev/null | jq -c 'select(.name == \"all\") | [.spent_usd,.spent_tokens,.calls]'"
	assert_output "$want"
}

@test "a closed output pipe ends budgetgate quietly; a full disk exits 74" {
	run bash -c "'$BG' -b '$F/budgets.yaml' --now 2026-11-03T12:00:00Z '$F/calls.ndjson' | head -n 1 >/dev/null; echo \${PIPESTATUS[0]}"
	assert_output --regexp '^(0|1)$'
	if [ -w /dev/full ]; then
		run -74 bash -c "'$BG' -b '$F/budgets.yaml' --now 2026-11-03T12:00:00Z '$F/calls.ndjson' >/dev/full"
	fi
}

@test "a gate never judges spend it never read; a closed pipe keeps the verdict; budgets: and policies: together are an error" {
	budget day "limit_usd: 10"
	mkdir -p "$T/empty"
	run -66 "$BG" -b "$B" --now 2026-11-03T12:00:00Z "$T/empty"
	assert_output "budgetgate: no input files: nothing to judge the budgets on"
	run -66 env HOME="$T/empty" CLAUDE_CONFIG_DIR="$T/empty/none" "$BG" -b "$B" --claude
	assert_line "budgetgate: no Claude Code logs found (CLAUDE_CONFIG_DIR, ~/.config/claude/projects, ~/.claude/projects)"
	# the same file twice counts its calls once (ids)
	call a 2026-11-03T10:00:00Z 10.3
	run -2 bash -c "'$BG' -b '$B' --now 2026-11-03T12:00:00Z '$C' '$C' | jq -c '[.spent_usd,.calls]'; exit \${PIPESTATUS[0]}"
	assert_output '[10.3,1]'
	# nobody reads the rows: the verdict stands
	run bash -c "'$BG' -b '$B' --now 2026-11-03T12:00:00Z '$C' | true; echo \${PIPESTATUS[0]}"
	assert_output 2
	printf 'policies:\n  default: {daily_budget_usd: 10}\nbudgets:\n  - {name: x, period: day, limit_usd: 1}\n' >"$T/both.yaml"
	run -78 "$BG" -b "$T/both.yaml" "$C"
	assert_output "budgetgate: $T/both.yaml:3:1: a file holds either budgets: or the origin's policies:, not both"
}
