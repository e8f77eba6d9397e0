#!/bin/sh
# make demo: record the bundled call records into a fresh store, then ask it
# what the agents cost, read the bundled Claude Code logs, show the task board
# and check the example budgets.
set -eu
cd "$(dirname "$0")/.."
bin=bin
db=build/demo/telemetry.db
mkdir -p build/demo
rm -f "$db" "$db-wal" "$db-shm"

echo "== Recording examples/calls.ndjson into $db"
$bin/costsum --db "$db" --record examples/calls.ndjson
echo
echo "== Cost by model (from the store)"
$bin/costsum --db "$db" --by model --table
echo
echo "== Cost by agent, week of 2026-11-16 (Europe/Brussels)"
$bin/costsum --db "$db" --since 2026-11-16 --until 2026-11-22 --timezone Europe/Brussels --by agent --table
echo
echo "== The five most expensive days"
$bin/costsum --db "$db" --by day --no-total | jq -s -r 'sort_by(-.cost_usd) | .[:5][] | "\(.day)  $\(.cost_usd)"'
echo
echo "== Claude Code logs in examples/claude, by session and model"
$bin/costsum --by session,model --table examples/claude
echo
echo "== The task board in examples/work (taskwatch --once), by state"
$bin/taskwatch --once examples/work | jq -r 'select(.event == "snapshot") | [.state, .agent // "-", .id] | @tsv' | sort
echo
echo "== Budgets (examples/budgets.yaml) on 2026-11-20 at noon UTC; the exit code is the verdict"
rc=0
$bin/budgetgate -b examples/budgets.yaml --db "$db" --now 2026-11-20T12:00:00Z --table || rc=$?
echo "budgetgate exit code: $rc (0 within every limit, 1 a soft limit reached, 2 a hard one)"
