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

@test "total budgets from the store's total rollup: as the calls answer, rows after the fold added, a total left behind not trusted" {
	cat >"$B" <<'EOF2'
budgets:
  total: {period: total, limit_usd: 1000}
  errors: {period: total, limit_usd: 1000, match: {status: error}}
  task: {period: total, limit_usd: 1000, match: {task_id: "T-*"}}
  day: {period: day, limit_usd: 1000}
EOF2
	call a 2026-10-01T10:00:00Z 1
	call b 2026-11-02T10:00:00Z 2 '"status":"error"'
	call c 2026-11-03T10:00:00Z 4 '"task_id":"T-1"'
	echo '{"id":"u","ts":"2026-11-03T11:00:00Z","model":"mystery-model-9","input_tokens":1000}' >>"$C"
	"$BIN/costsum" --db "$T/t.db" --record "$C" >/dev/null
	now=2026-11-03T12:00:00Z
	run --separate-stderr -65 "$BG" -b "$B" --now $now "$C"
	files=$output
	[ "$stderr" = "budgetgate: no price for model 'mystery-model-9' (1 call in a budget): the gate cannot judge it" ]
	run --separate-stderr -65 "$BG" -b "$B" --now $now --db "$T/t.db"
	assert_equal "$output" "$files"
	[ "$stderr" = "budgetgate: no price for model 'mystery-model-9' (1 call in a budget): the gate cannot judge it" ]
	run bash -c "'$BG' -b '$B' --now $now --db '$T/t.db' --lenient 2>/dev/null | jq -c '[.name,.spent_usd,.calls]'"
	assert_output - <<'OUT'
["total",7,4]
["errors",2,1]
["task",4,1]
["day",4,2]
OUT
	# A row the origin's logger wrote after the fold counts at once.
	sqlite3 "$T/t.db" "INSERT INTO invocations (invocation_id, timestamp, agent_name, tool_name, model_name, prompt_tokens, completion_tokens, total_tokens, cost_usd, status) VALUES ('o1', '2026-11-03 11:30:00', 'x', 'cli', 'gpt-4o', 1, 1, 2, 8, 'error')"
	run bash -c "'$BG' -b '$B' --now $now --db '$T/t.db' --lenient 2>/dev/null | jq -c '[.name,.spent_usd,.calls]'"
	assert_output - <<'OUT'
["total",15,5]
["errors",10,2]
["task",4,1]
["day",12,3]
OUT
	# With no total budget on the task, which it does not keep, the total
	# rollup answers: a dollar slipped into it shows.
	sed -i '/task:/d' "$B"
	sqlite3 "$T/t.db" "UPDATE agentpipe_total SET cost_pico = cost_pico + 1000000000000 WHERE status = 'error'"
	run bash -c "'$BG' -b '$B' --now $now --db '$T/t.db' --lenient 2>/dev/null | jq -c '[.name,.spent_usd]' | head -2"
	assert_output $'["total",16]\n["errors",11]'
	# A recorder that did not know the table folded after it: not trusted.
	sqlite3 "$T/t.db" "UPDATE agentpipe_meta SET value = 3 WHERE key = 'total_id'"
	run bash -c "'$BG' -b '$B' --now $now --db '$T/t.db' --lenient 2>/dev/null | jq -c '[.name,.spent_usd]' | head -2"
	assert_output $'["total",15]\n["errors",10]'
	# The next recording, even of nothing, rebuilds it from the daily rollup
	# and folds the origin's row (five calls, the unpriced one at $0).
	"$BIN/costsum" --db "$T/t.db" --record </dev/null >/dev/null
	run sqlite3 "$T/t.db" "SELECT (SELECT value FROM agentpipe_meta WHERE key = 'total_id') = (SELECT value FROM agentpipe_meta WHERE key = 'rollup_id'), (SELECT sum(calls) || ' ' || sum(cost_pico) FROM agentpipe_total)"
	assert_output "1|5 15000000000000"
	run bash -c "'$BG' -b '$B' --now $now --db '$T/t.db' --lenient 2>/dev/null | jq -c '[.name,.spent_usd]' | head -2"
	assert_output $'["total",15]\n["errors",10]'
}

@test "a call without a time in the store: total budgets count it, a windowed budget that takes it cannot judge it (65)" {
	budget day "limit_usd: 10"
	cat >>"$B" <<'EOF2'
  - {name: all, period: total, limit_usd: 10}
EOF2
	call a 2026-11-03T10:00:00Z 1
	"$BIN/costsum" --db "$T/t.db" --record "$C" >/dev/null
	sqlite3 "$T/t.db" "INSERT INTO invocations (invocation_id, timestamp, agent_name, tool_name, model_name, prompt_tokens, completion_tokens, total_tokens, cost_usd, status) VALUES ('o1', NULL, 'x', 'cli', 'gpt-4o', 1, 1, 2, 2, 'success')"
	for fold in no yes; do
		[ $fold = yes ] && "$BIN/costsum" --db "$T/t.db" --record </dev/null >/dev/null
		run --separate-stderr -65 "$BG" -b "$B" --now 2026-11-03T12:00:00Z --db "$T/t.db"
		[ "$stderr" = "budgetgate: 1 call without a time: no window can hold it (the gate cannot judge it)" ]
		run -0 bash -c "'$BG' -b '$B' --now 2026-11-03T12:00:00Z --db '$T/t.db' --lenient 2>/dev/null | jq -c '[.name,.spent_usd,.calls]'"
		assert_output $'["b",1,1]\n["all",3,2]'
	done
}

@test "the store answers as the calls do: a millisecond before now, calls without a time, never from the origin's float daily_costs" {
	# The window's end keeps its milliseconds: a call 0.7 s before now is in.
	call a 2026-11-03T11:30:00Z 1
	call b 2026-11-03T12:00:00.200Z 2
	"$BIN/costsum" --db "$T/t.db" --record "$C" >/dev/null
	budget 1h "limit_usd: 10"
	run -0 bash -c "'$BG' -b '$B' --now 2026-11-03T12:00:00.900Z --db '$T/t.db' | jq -c '[.spent_usd,.calls]'"
	assert_output '[3,2]'
	# Edges past the year 9999, which text would sort before 2026, count once.
	printf 'budgets:\n  all: {period: total, limit_usd: 10}\n  d: {period: day, limit_usd: 10}\n  r: {period: 90m, limit_usd: 10}\n' >"$B"
	run -0 bash -c "'$BG' -b '$B' --now 9999-12-31T12:34:56Z --db '$T/t.db' | jq -c '[.name,.spent_usd,.calls]'"
	assert_output $'["all",3,2]\n["d",0,0]\n["r",0,0]'
	# A store only the origin wrote: 1,000 calls of $0.10 on one day, and its
	# daily_costs summed in floating point as its logger sums them.
	db=$T/origin.db
	sed '/agentpipe.s additions/,$d' "$AGENTPIPE_SHARE/schema.sql" | sqlite3 "$db"
	sqlite3 "$db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
		INSERT INTO invocations (invocation_id, timestamp, agent_name, tool_name, model_name, prompt_tokens, completion_tokens, total_tokens, cost_usd, status)
		SELECT 'r' || i, '2026-11-03 10:00:00', 'a', 'cli', 'gpt-4o', 1, 1, 2, 0.1, 'success' FROM n;
		INSERT INTO daily_costs (date, agent_name, tool_name, model_name, invocations, total_tokens, total_cost_usd)
		VALUES ('2026-11-03', 'a', 'cli', 'gpt-4o', 1000, 2000, 99.9999999999986);"
	budget month "limit_usd: 100"
	run -2 bash -c "set -o pipefail; '$BG' -b '$B' --now 2026-11-03T12:00:00Z --db '$db' | jq -c '[.spent_usd,.calls,.status]'"
	assert_output '[100,1000,"hard"]'
	# A call without a time: a windowed budget that takes it cannot judge it,
	# with or without a total budget beside it.
	sqlite3 "$db" "INSERT INTO invocations (invocation_id, timestamp, agent_name, tool_name, model_name, prompt_tokens, completion_tokens, total_tokens, cost_usd, status) VALUES ('n', NULL, 'a', 'cli', 'gpt-4o', 1, 1, 2, 50, 'success')"
	budget day "limit_usd: 1000"
	run --separate-stderr -65 "$BG" -b "$B" --now 2026-11-03T12:00:00Z --db "$db"
	[ "$stderr" = "budgetgate: 1 call without a time: no window can hold it (the gate cannot judge it)" ]
	echo "  - {name: all, period: total, limit_usd: 1000}" >>"$B"
	run --separate-stderr -65 bash -c "set -o pipefail; '$BG' -b '$B' --now 2026-11-03T12:00:00Z --db '$db' | jq -c '[.name,.spent_usd,.calls]'"
	assert_output $'["b",100,1000]\n["all",150,1001]'
	[ "$stderr" = "budgetgate: 1 call without a time: no window can hold it (the gate cannot judge it)" ]
}

@test "a recorder that kept only the hourly rollup folded last: the hourly rollup answers, the next --record rebuilds the daily one and the total" {
	budget day "limit_usd: 20"
	echo "  - {name: all, period: total, limit_usd: 20}" >>"$B"
	call a 2026-11-03T10:00:00Z 1
	"$BIN/costsum" --db "$T/t.db" --record "$C" >/dev/null
	# What such a recorder leaves: a row and its hourly cell, rollup_id moved on.
	sqlite3 "$T/t.db" "INSERT INTO invocations (invocation_id, timestamp, agent_name, tool_name, model_name, prompt_tokens, completion_tokens, total_tokens, cost_usd, status, cost_pico) VALUES ('o', '2026-11-03 11:00:00', 'x', 'cli', 'gpt-4o', 1, 1, 2, 20, 'success', 20000000000000);
		INSERT INTO agentpipe_hourly (hour, agent_name, tool_name, model_name, task_id, status, calls, input_tokens, output_tokens, cost_pico) VALUES ('2026-11-03 11:00:00', 'x', 'cli', 'gpt-4o', '', 'success', 1, 1, 1, 20000000000000);
		UPDATE agentpipe_meta SET value = (SELECT max(id) FROM invocations) WHERE key = 'rollup_id';"
	run -2 bash -c "set -o pipefail; '$BG' -b '$B' --now 2026-11-03T12:00:00Z --db '$T/t.db' | jq -c '[.name,.spent_usd,.calls]'"
	assert_output $'["b",21,2]\n["all",21,2]'
	"$BIN/costsum" --db "$T/t.db" --record </dev/null >/dev/null
	run sqlite3 "$T/t.db" "SELECT (SELECT group_concat(key) FROM agentpipe_meta WHERE key LIKE '%_id' AND value = (SELECT max(id) FROM invocations)), (SELECT sum(calls) || ' ' || sum(cost_pico) FROM agentpipe_daily), (SELECT sum(calls) || ' ' || sum(cost_pico) FROM agentpipe_total)"
	assert_output "rollup_id,daily_id,total_id|2 21000000000000|2 21000000000000"
	run -2 bash -c "set -o pipefail; '$BG' -b '$B' --now 2026-11-03T12:00:00Z --db '$T/t.db' | jq -c '[.name,.spent_usd,.calls]'"
	assert_output $'["b",21,2]\n["all",21,2]'
}

@test "a rollup cell past 64 bits of pico-dollars (\$9.2M) is never read as a wrong sum" {
	budget total "limit_usd: 10000000"
	for i in 1 2 3 4 5 6; do call "a$i" 2026-11-03T10:00:00Z 1000000; done
	"$BIN/costsum" --db "$T/t.db" --record "$C" >/dev/null
	for i in 7 8 9 10 11; do call "a$i" 2026-11-03T10:00:00Z 1000000; done
	run -2 bash -c "set -o pipefail; '$BG' -b '$B' --now 2026-11-03T12:00:00Z '$C' | jq -c '[.spent_usd,.calls]'"
	assert_output '[11000000,11]'
	# Folded in two runs: SQLite's sum turns REAL; the rollups are not read.
	"$BIN/costsum" --db "$T/t.db" --record "$C" >/dev/null
	run -2 bash -c "set -o pipefail; '$BG' -b '$B' --now 2026-11-03T12:00:00Z --db '$T/t.db' | jq -c '[.spent_usd,.calls]'"
	assert_output '[11000000,11]'
	# Folded in one: the same.
	"$BIN/costsum" --db "$T/one.db" --record "$C" >/dev/null
	run -2 bash -c "set -o pipefail; '$BG' -b '$B' --now 2026-11-03T12:00:00Z --db '$T/one.db' | jq -c '[.spent_usd,.calls]'"
	assert_output '[11000000,11]'
	# A day's cell that large is not exact either: the rows answer.
	budget day "limit_usd: 10000000"
	run -2 bash -c "set -o pipefail; '$BG' -b '$B' --now 2026-11-03T12:00:00Z --db '$T/one.db' | jq -c '[.spent_usd,.calls]'"
	assert_output '[11000000,11]'
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

# ---- --annotate ---------------------------------------------------------------

# The budgets and spend of the annotate tests: six budgets, two calls.
annotate_setup() {
	cat >"$B" <<'YAML'
budgets:
  big: {period: total, limit_usd: 100, match: {agent: ["backend*", "ops", "frontend"]}}
  small: {period: day, limit_usd: 12, soft_pct: 80, match: {agent: "backend*"}}
  sonnet: {period: total, limit_usd: 11, match: {model: "claude-sonnet-*"}}
  tokens: {period: total, limit_tokens: 1000, match: {tool: "c*"}}
  gone: {period: total, limit_tokens: 100, match: {agent: "front*"}}
  qa: {period: week, limit_tokens: 10000, match: {agent: qa}}
YAML
	cat >"$C" <<'CALLS'
{"id":"a","ts":"2026-11-03T10:00:00Z","agent":"backend","tool":"claude-code","model":"claude-sonnet-4-5","input_tokens":100,"output_tokens":10,"cost_usd":10}
{"id":"b","ts":"2026-11-03T10:00:00Z","agent":"frontend","model":"gpt-4o","input_tokens":100,"output_tokens":10,"cost_usd":0.5}
CALLS
}

@test "--annotate: the tightest budget that takes each request, exactly" {
	annotate_setup
	run bash -c "printf '%s\n' '{\"id\":1,\"agent\":\"backend\"}' '{\"id\":2,\"agent\":\"backend\",\"model\":\"claude-sonnet-4-5\"}' \
		'{\"id\":3,\"agent\":\"frontend\",\"model\":\"gpt-4o\"}' '{\"id\":4,\"agent\":\"qa\",\"tool\":\"codex\"}' \
		'{\"id\":5,\"agent\":\"qa\"}' '{\"id\":6,\"agent\":\"nobody\"}' '{\"id\":7,\"agent_name\":\"backend-api\"}' |
		'$BG' -b '$B' --annotate --spend '$C' --now 2026-11-03T12:00:00Z"
	assert_success
	assert_output - <<'OUT'
{"id":1,"agent":"backend","budget":{"name":"small","status":"soft","used_pct":83.33,"remaining_usd":2,"remaining_tokens":null,"period":"day"}}
{"id":2,"agent":"backend","model":"claude-sonnet-4-5","budget":{"name":"sonnet","status":"ok","used_pct":90.9,"remaining_usd":1,"remaining_tokens":null,"period":"total"}}
{"id":3,"agent":"frontend","model":"gpt-4o","budget":{"name":"gone","status":"hard","used_pct":110,"remaining_usd":null,"remaining_tokens":0,"period":"total"}}
{"id":4,"agent":"qa","tool":"codex","budget":{"name":"tokens","status":"ok","used_pct":11,"remaining_usd":null,"remaining_tokens":890,"period":"total"}}
{"id":5,"agent":"qa","budget":{"name":"qa","status":"ok","used_pct":0,"remaining_usd":null,"remaining_tokens":10000,"period":"week"}}
{"id":6,"agent":"nobody","budget":null}
{"id":7,"agent_name":"backend-api","budget":{"name":"small","status":"soft","used_pct":83.33,"remaining_usd":2,"remaining_tokens":null,"period":"day"}}
OUT
	# A field the request lacks is what its call will be counted with: "",
	# and "success" for the status.
	cat >"$B" <<'YAML'
budgets:
  any-agent: {period: total, limit_usd: 100, match: {agent: "*", status: success}}
  named: {period: total, limit_usd: 1, match: {agent: "?*"}}
YAML
	run bash -c "printf '%s\n' '{}' '{\"agent\":\"\"}' '{\"status\":\"error\"}' | '$BG' -b '$B' --annotate --spend '$C' --now 2026-11-03T12:00:00Z | jq -c '.budget.name'"
	assert_output $'"any-agent"\n"any-agent"\nnull'
}

@test "--annotate: unknown fields kept byte for byte, an old budget replaced, from the store and from files" {
	annotate_setup
	line='  {"id":"u", "x" : 1.50e0, "nested": {"budget": 1, "a": [1, 2, "}"]}, "s": "\u00e9\"}", "agent": "qa"}  '
	printf '%s\n' "$line" >"$T/req.ndjson"
	run "$BG" -b "$B" --annotate --spend "$C" --now 2026-11-03T12:00:00Z "$T/req.ndjson"
	assert_success
	assert_output '  {"id":"u", "x" : 1.50e0, "nested": {"budget": 1, "a": [1, 2, "}"]}, "s": "\u00e9\"}", "agent": "qa","budget":{"name":"qa","status":"ok","used_pct":0,"remaining_usd":null,"remaining_tokens":10000,"period":"week"}}'
	printf '%s\n' '{"budget":{"name":"old"},"id":7, "agent":"qa","budget":3}' '{}' '{"budget":null}' >"$T/req.ndjson"
	run "$BG" -b "$B" --annotate --spend "$C" --now 2026-11-03T12:00:00Z - <"$T/req.ndjson"
	assert_success
	assert_output - <<'OUT'
{"id":7, "agent":"qa","budget":{"name":"qa","status":"ok","used_pct":0,"remaining_usd":null,"remaining_tokens":10000,"period":"week"}}
{"budget":null}
{"budget":null}
OUT
	# The same state from the store that costsum recorded.
	"$BIN/costsum" --db "$T/t.db" --record "$C" >/dev/null
	run bash -c "echo '{\"agent\":\"backend\"}' | '$BG' -b '$B' --annotate --db '$T/t.db' --now 2026-11-03T12:00:00Z | jq -c .budget"
	assert_output '{"name":"small","status":"soft","used_pct":83.33,"remaining_usd":2,"remaining_tokens":null,"period":"day"}'
	# The output is what jq reads back: every line valid JSON.
	run bash -c "'$BG' -b '$B' --annotate --spend '$C' --now 2026-11-03T12:00:00Z '$T/req.ndjson' | jq -c . | wc -l"
	assert_output 3
}

@test "--annotate: bad lines are named and skipped (65, or 0 with --lenient); unreadable spend stops it" {
	annotate_setup
	printf '%s\n' '{"agent":"qa"}' '{"agent":' '[1]' '{"agent":5}' '' '{"agent":"qa","id":2}' >"$T/req.ndjson"
	run --separate-stderr -65 "$BG" -b "$B" --annotate --spend "$C" --now 2026-11-03T12:00:00Z "$T/req.ndjson"
	assert_equal "${#lines[@]}" 2
	assert_line --index 1 --partial '"agent":"qa","id":2,"budget":{"name":"qa"'
	assert_equal "$stderr" "budgetgate: $T/req.ndjson:2:10: the line ends inside a JSON value (truncated?)
budgetgate: $T/req.ndjson:3:2: not a JSON object
budgetgate: $T/req.ndjson:4: agent takes a string
budgetgate: 3 bad lines skipped"
	run --separate-stderr -0 "$BG" -b "$B" --annotate --lenient --spend "$C" --now 2026-11-03T12:00:00Z "$T/req.ndjson"
	assert_equal "${#lines[@]}" 2
	# Spend with an unpriced model: no request is annotated from a short sum.
	echo '{"id":"u","ts":"2026-11-03T10:00:00Z","agent":"ops","model":"mystery-9","input_tokens":10}' >>"$C"
	echo '{"agent":"qa"}' >"$T/one.ndjson"
	run --separate-stderr -65 "$BG" -b "$B" --annotate --spend "$C" --now 2026-11-03T12:00:00Z "$T/one.ndjson"
	assert_output ""
	run -0 "$BG" -b "$B" --annotate --lenient --spend "$C" --now 2026-11-03T12:00:00Z "$T/one.ndjson"
	run -66 "$BG" -b "$B" --annotate --lenient --spend "$C" "$T/missing.ndjson"
}

@test "--annotate, --enforce, --watch: usage errors exit 64" {
	budget day "limit_usd: 10"
	run -64 "$BG" -b "$B" --annotate --enforce
	assert_output "budgetgate: --enforce cannot be given with another of --annotate, --enforce and --watch"
	run -64 "$BG" -b "$B" --annotate --table
	assert_output "budgetgate: --annotate writes records: --format json only"
	run -64 "$BG" -b "$B" --annotate --db "$T/t.db" --spend "$C"
	run -64 "$BG" -b "$B" --spend "$C"
	run -64 "$BG" -b "$B" --watch 5
	assert_output "budgetgate: --watch takes a duration from 10ms to 366d such as 5s or 1m, not '5'"
	run -64 "$BG" -b "$B" --watch 1s --format github
}

# ---- --enforce ----------------------------------------------------------------

@test "--enforce: a request that would reach a hard limit is denied; estimates add up within the stream; exit 2" {
	cat >"$B" <<'YAML'
budgets:
  daily: {period: day, limit_usd: 10}
  tokens: {period: day, limit_tokens: 100000, match: {agent: "tok*"}}
  soft: {period: day, limit_usd: 1, enforce: soft}
YAML
	call a 2026-11-03T10:00:00Z 9.5
	cat >"$T/req.ndjson" <<'REQ'
{"id":"r1","agent":"backend","route":{"model":"claude-sonnet-4-5","est_cost_usd":0.3,"action":"allow"}}
{"id":"r2","agent":"backend","route":{"model":"claude-sonnet-4-5","action":"allow","reason":"cheapest","est_cost_usd":0.5,"fallbacks":["x"]},"extra":{"k":[1]}}
{"id":"r3","agent":"backend","route":{"action":"deny","reason":"policy: no","est_cost_usd":0}}
{"id":"r4","agent":"backend","model":"claude-sonnet-4-5","prompt_tokens":50000,"output_tokens":2000}
{"id":"r5","agent":"backend","model":"claude-sonnet-4-5","input_tokens":50000,"output_tokens":2000,"route":null}
{"id":"r6","agent":"tok1","input_tokens":99000,"route":{"est_cost_usd":0}}
{"id":"r7","agent":"tok2","input_tokens":1000,"output_tokens":0,"route":{"est_cost_usd":0}}
REQ
	run -2 "$BG" -b "$B" --enforce --spend "$C" --now 2026-11-03T12:00:00Z "$T/req.ndjson"
	assert_output - <<'OUT'
{"id":"r1","agent":"backend","route":{"model":"claude-sonnet-4-5","est_cost_usd":0.3,"action":"allow"}}
{"id":"r2","agent":"backend","route":{"model":"claude-sonnet-4-5","est_cost_usd":0.5,"fallbacks":["x"],"action":"deny","reason":"Budget Exceeded: Request would exceed daily budget ($10.30 / $10.00)","denied_by":"daily"},"extra":{"k":[1]}}
{"id":"r3","agent":"backend","route":{"action":"deny","reason":"policy: no","est_cost_usd":0}}
{"id":"r4","agent":"backend","model":"claude-sonnet-4-5","prompt_tokens":50000,"output_tokens":2000}
{"id":"r5","agent":"backend","model":"claude-sonnet-4-5","input_tokens":50000,"output_tokens":2000,"route":{"action":"deny","reason":"Budget Exceeded: Request would exceed daily budget ($10.16 / $10.00)","denied_by":"daily"}}
{"id":"r6","agent":"tok1","input_tokens":99000,"route":{"est_cost_usd":0}}
{"id":"r7","agent":"tok2","input_tokens":1000,"output_tokens":0,"route":{"est_cost_usd":0,"action":"deny","reason":"Budget Exceeded: Request would exceed daily budget (100,000 / 100,000 tokens)","denied_by":"tokens"}}
OUT
	# Nothing denied: every line as it came, exit 0.
	head -n 1 "$T/req.ndjson" >"$T/ok.ndjson"
	run -0 "$BG" -b "$B" --enforce --spend "$C" --now 2026-11-03T12:00:00Z "$T/ok.ndjson"
	assert_output "$(cat "$T/ok.ndjson")"
	# Only a deny that was there: still 2.
	sed -n 3p "$T/req.ndjson" >"$T/denied.ndjson"
	run -2 "$BG" -b "$B" --enforce --spend "$C" --now 2026-11-03T12:00:00Z "$T/denied.ndjson"
	assert_output "$(cat "$T/denied.ndjson")"
}

@test "--enforce: after --annotate in a pipeline; an unpriced estimate or a bad line exits 65" {
	budget day "limit_usd: 10"
	call a 2026-11-03T10:00:00Z 9.9
	"$BIN/costsum" --db "$T/t.db" --record "$C" >/dev/null
	run -2 bash -c "echo '{\"id\":1,\"agent\":\"x\",\"route\":{\"est_cost_usd\":0.1}}' |
		'$BG' -b '$B' --db '$T/t.db' --now 2026-11-03T12:00:00Z --annotate |
		'$BG' -b '$B' --db '$T/t.db' --now 2026-11-03T12:00:00Z --enforce | jq -c '[.budget.remaining_usd, .route.action, .route.reason]'
		exit \${PIPESTATUS[2]}"
	assert_output '[0.1,"deny","Budget Exceeded: Request would exceed daily budget ($10.00 / $10.00)"]'
	echo '{"id":1,"model":"mystery-9","input_tokens":10}' >"$T/req.ndjson"
	run --separate-stderr -65 "$BG" -b "$B" --enforce --db "$T/t.db" --now 2026-11-03T12:00:00Z "$T/req.ndjson"
	assert_output "$(cat "$T/req.ndjson")"
	assert_equal "$stderr" "budgetgate: no price for model 'mystery-9' (1 request): its cost was estimated as \$0"
	run -0 "$BG" -b "$B" --enforce --lenient --db "$T/t.db" --now 2026-11-03T12:00:00Z "$T/req.ndjson"
	echo '{"id":1,"route":{"est_cost_usd":"lots"}}' >"$T/req.ndjson"
	run --separate-stderr -65 "$BG" -b "$B" --enforce --db "$T/t.db" --now 2026-11-03T12:00:00Z "$T/req.ndjson"
	assert_equal "$stderr" "budgetgate: $T/req.ndjson:1: route.est_cost_usd takes an amount of dollars, 0 or more
budgetgate: 1 bad line skipped"
}

# ---- --watch ------------------------------------------------------------------

# wait_lines FILE N: until FILE has N lines (at most 10 s).
wait_lines() {
	local i
	for i in $(seq 100); do
		[ "$(wc -l <"$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	echo "waited in vain for $2 lines in $1: $(wc -l <"$1")" >&2
	return 1
}

@test "--watch: every row first, then the rows that changed; SIGTERM ends it with 0" {
	cat >"$B" <<'YAML'
budgets:
  all: {period: total, limit_usd: 100}
  front: {period: total, limit_usd: 100, match: {agent: "front*"}}
YAML
	call a 2026-11-03T10:00:00Z 1
	"$BIN/costsum" --db "$T/t.db" --record "$C" >/dev/null
	"$BG" -b "$B" --db "$T/t.db" --watch 100ms >"$T/w.out" 2>"$T/w.err" &
	pid=$!
	wait_lines "$T/w.out" 2
	: >"$C"
	call b 2026-11-03T11:00:00Z 2
	"$BIN/costsum" --db "$T/t.db" --record "$C" >/dev/null
	wait_lines "$T/w.out" 3
	kill -TERM "$pid"
	status=0
	wait "$pid" || status=$?
	assert_equal "$status" 0
	run jq -c '[.name,.spent_usd,.calls]' "$T/w.out"
	assert_output - <<'OUT'
["all",1,1]
["front",0,0]
["all",3,2]
OUT
	assert_equal "$(cat "$T/w.err")" ""
}

@test "--watch: a closed pipe ends it quietly; a store that cannot be read at the start exits 66" {
	budget total "limit_usd: 100"
	call a 2026-11-03T10:00:00Z 1
	"$BIN/costsum" --db "$T/t.db" --record "$C" >/dev/null
	run timeout 10 bash -c "'$BG' -b '$B' --db '$T/t.db' --watch 50ms | head -n 1 >/dev/null; echo \${PIPESTATUS[0]}"
	assert_output 0
	run -66 timeout 10 "$BG" -b "$B" --db "$T/none.db" --watch 50ms
}

# ---- the CI examples ----------------------------------------------------------

# The gate's command line in a CI file: the line marked for this test.
gate_command() {
	grep 'tests/budgetgate.bats runs this line' "$1" | sed -e 's/^[[:space:]]*\(- \)\{0,1\}//' -e 's/[[:space:]]*#.*$//'
}

# ci_data LEVEL: a store whose spend today is ok, soft or hard for examples/ci/budgets.yaml.
ci_data() {
	local cost
	case $1 in ok) cost=5 ;; soft) cost=45 ;; hard) cost=60 ;; esac
	mkdir -p "$T/ci/$1"
	printf '{"id":"ci-%s","ts":"%s","agent":"ci","model":"claude-sonnet-4-5","input_tokens":10,"output_tokens":1,"cost_usd":%s}\n' \
		"$1" "$CI_NOW" "$cost" >"$T/ci/$1/calls.ndjson"
	"$BIN/costsum" --db "$T/ci/$1/t.db" --record "$T/ci/$1/calls.ndjson" >/dev/null
}

@test "CI examples: the GitHub and GitLab gates exit 0, 1, 2 on ok, soft and hard spend, 78 on a broken budgets file" {
	E=$REPO/examples/ci
	[ -f "$E/budgets.yaml" ]
	# One instant for the data and the gates (appended as --now), so a run
	# across midnight cannot move the data out of its day.
	CI_NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	for f in github-budget-gate.yml gitlab-budget-gate.yml; do
		cmd=$(gate_command "$E/$f")
		[ -n "$cmd" ]
		[[ "$cmd" == budgetgate* ]]
		mkdir -p "$T/repo/ci" "$T/bin"
		cp "$E/budgets.yaml" "$T/repo/ci/budgets.yaml"
		ln -sf "$BG" "$T/bin/budgetgate"
		for level in ok soft hard; do
			[ -f "$T/ci/$level/t.db" ] || ci_data $level
			run bash -c "cd '$T/repo' && export BUDGETS=ci/budgets.yaml PATH='$T/bin':\$PATH AGENTPIPE_DB='$T/ci/$level/t.db' && GITHUB_STEP_SUMMARY= $cmd --now $CI_NOW"
			case $level in ok) assert_equal "$status" 0 ;; soft) assert_equal "$status" 1 ;; hard) assert_equal "$status" 2 ;; esac
		done
		[[ "$f" != github* ]] || assert_line --index 0 --partial "::error title=Budget team-daily::Budget exceeded: daily spending at 120%"
		printf 'budgets:\n  - {name: x, period: fortnight, limit_usd: 1}\n' >"$T/repo/ci/budgets.yaml"
		run bash -c "cd '$T/repo' && export BUDGETS=ci/budgets.yaml PATH='$T/bin':\$PATH AGENTPIPE_DB='$T/ci/ok/t.db' && $cmd --now $CI_NOW"
		assert_equal "$status" 78
	done
	# GitLab lets exactly the soft verdict pass; 78 fails the job.
	run grep -A1 '^  allow_failure:' "$E/gitlab-budget-gate.yml"
	assert_line --index 1 --regexp '^    exit_codes: \[1\]$'
	# The budgets file itself is valid and has the limits the data assumes.
	run "$BG" -b "$E/budgets.yaml" --db "$T/ci/ok/t.db" --now "$CI_NOW"
	assert_success
}

@test "a budget or a key given twice is a configuration error, in either form" {
	printf 'budgets:\n  a: {period: day, limit_usd: 1}\n  a: {period: day, limit_usd: 2}\n' >"$T/dup.yaml"
	run -78 "$BG" -b "$T/dup.yaml" "$FIX/budgetgate/calls.ndjson"
	assert_output "budgetgate: $T/dup.yaml:3:3: the key 'a' is given twice in this mapping"
	printf 'budgets:\n  - name: a\n    period: day\n    limit_usd: 1\n    limit_usd: 2\n' >"$T/dup.yaml"
	run -78 "$BG" -b "$T/dup.yaml" "$FIX/budgetgate/calls.ndjson"
	assert_output "budgetgate: $T/dup.yaml:5:5: the key 'limit_usd' is given twice in this mapping"
	# overriding what a merge key brought is not giving a key twice
	printf 'budgets:\n  - &d {name: a, period: day, limit_usd: 1}\n  - <<: *d\n    name: b\n    limit_usd: 5\n' >"$T/merge.yaml"
	run -0 bash -c "'$BG' -b '$T/merge.yaml' --now 2026-11-03T00:00:00Z '$FIX/budgetgate/calls.ndjson' | jq -c '[.name, .limit_usd]'"
	assert_output - <<'OUT'
["a",1]
["b",5]
OUT
}
