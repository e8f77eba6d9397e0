#!/bin/bash
# Each tool once under valgrind on the bundled example: no leak, no error.
set -u
cd "$(dirname "$0")/.."
export AGENTPIPE_SHARE=$PWD/share/agentpipe
n=0
vg() {
	n=$((n + 1))
	local log
	log=$(mktemp)
	if valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
		--log-file="$log" "$@" >/dev/null 2>&1; then
		echo "ok $n - valgrind $*"
	elif [ $? -eq 99 ]; then
		echo "not ok $n - valgrind $*"
		sed 's/^/# /' "$log" | head -40
	else
		echo "ok $n - valgrind $* (exit $?)"
	fi
	rm -f "$log"
}
db=$(mktemp -u).db
vg bin/costsum --by day,model examples/calls.ndjson
vg bin/costsum --by session,model --table examples/claude
vg bin/costsum --by block examples/claude
vg bin/costsum --db "$db" --record examples/calls.ndjson
vg bin/costsum --db "$db" --by month,agent --table
vg bin/costsum --db "$db" --since 2026-11-02 --until 2026-11-05 --by day
vg bin/costsum --calls examples/calls.ndjson
rm -f "$db" "$db-wal" "$db-shm"
vg bin/taskwatch --once examples/work/collaboration
vg bin/taskwatch --once --threads 1 examples/work
bg=tests/fixtures/budgetgate
db=$(mktemp -u).db
bin/costsum --db "$db" --record "$bg/calls.ndjson" >/dev/null
vg bin/budgetgate -b "$bg/budgets.yaml" --now 2026-11-03T12:34:56Z "$bg/calls.ndjson"
vg bin/budgetgate -b "$bg/budgets.yaml" --now 2026-11-03T12:34:56Z --db "$db" --table
vg bin/budgetgate -b "$bg/policies.yaml" --profile production --format markdown --db "$db"
vg bin/budgetgate -b "$bg/budgets.yaml" --lenient --format github examples/claude
vg bin/budgetgate -b "$bg/budgets.yaml" --now 2026-11-03T12:34:56Z --db "$db" --annotate "$bg/requests.ndjson"
vg bin/budgetgate -b "$bg/budgets.yaml" --now 2026-11-03T12:34:56Z --spend "$bg/calls.ndjson" --enforce "$bg/requests.ndjson"
rm -f "$db" "$db-wal" "$db-shm"
echo "1..$n"
