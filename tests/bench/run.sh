#!/usr/bin/env bash
# tests/bench/run.sh: agentpipe against its peers on the same generated input.
#
#   make bench                      everything (first run generates ~4 GB of data)
#   BENCH_SMALL=1 make bench        everything 10x smaller, for a quick check
#   BENCH_ONLY=claude|calls|db|taskwatch   one section (a comma-separated list works too)
#
# Sections:
#   claude  ccusage 20.0.24 `claude daily` vs `costsum --by day,model --from claude`
#   calls   jq and sqlite3 vs `costsum --by model --from calls` (1M and 10M lines)
#   db      sqlite3 vs `costsum --db` on a 10M-row telemetry store, with and without
#           agentpipe's rollup
#   taskwatch  python3 yaml.safe_load vs `taskwatch --once` on 100k task files, the
#           latency from a change to its event, and a burst against inotifywait
#           (tests/bench/taskwatch.sh, sourced below)
#
# Each comparison prints wall time (hyperfine median), the ratio peer/costsum, peak
# RSS of each and whether the results agree; a summary table ends the run. Bars that
# are missed are reported, not fatal: the exit status is non-zero only when a tool
# failed or the results disagree.
#
# Generated inputs are cached under build/bench/data/ (delete it to regenerate); the
# peer is installed with npm under build/bench/peer/. Per-run outputs go to
# build/bench/results/.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

B=build/bench
D=$B/data
R=$B/results
COSTSUM=$ROOT/bin/costsum
GEN=$B/gen
PEER_VERSION=20.0.24
PEER=$B/peer/node_modules/@ccusage/ccusage-linux-x64/bin/ccusage
ONLY=${BENCH_ONLY:-}
SMALL=${BENCH_SMALL:-0}
[ "$SMALL" = 0 ] && SMALL=

# ---- scale -----------------------------------------------------------------
if [ -n "$SMALL" ]; then
	CLAUDE_MB=50 CLAUDE_FILES=150
	CALLS_A=100000 CALLS_B=1000000
	STORE_N=1000000 RECORD_N=100000
else
	CLAUDE_MB=500 CLAUDE_FILES=1500
	CALLS_A=1000000 CALLS_B=10000000
	STORE_N=10000000 RECORD_N=1000000
fi
# Runs per timing (hyperfine median); the slow peers run fewer times.
RUNS=5
RSS_BAR_KB=$((64 * 1024))

label() { # 1000000 -> 1m
	local n=$1
	if ((n % 1000000 == 0)); then echo "$((n / 1000000))m"
	elif ((n % 1000 == 0)); then echo "$((n / 1000))k"
	else echo "$n"; fi
}

want() { [ -z "$ONLY" ] || [[ ",$ONLY," == *",$1,"* ]]; }

for s in ${ONLY//,/ }; do
	case $s in claude | calls | db | taskwatch | budgetgate) ;; *) echo "bench: BENCH_ONLY takes claude, calls, db, taskwatch or budgetgate, not '$s'" >&2; exit 2 ;; esac
done

say() { printf '%s\n' "$*"; }
hr() { say "------------------------------------------------------------------------------"; }

FAILED=0   # a tool failed or results disagree
SUMMARY=() # rows: comparison|peer|ours|ratio|bar|verdict

fail() {
	say "  !! $*"
	FAILED=1
}

# ---- tools -----------------------------------------------------------------
# install_missing PACKAGE...: install Debian packages (as root), or give up.
install_missing() {
	[ $# -gt 0 ] || return 0
	if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
		say "bench: installing $*"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null ||
			{ apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; }
	else
		echo "bench: missing $* (install them, or run as root)" >&2
		exit 1
	fi
}

need_tools() {
	local missing=() t
	for t in hyperfine jq sqlite3; do command -v "$t" >/dev/null || missing+=("$t"); done
	[ -x /usr/bin/time ] || missing+=(time)
	install_missing "${missing[@]}"
	if [ ! -x "$COSTSUM" ]; then
		echo "bench: $COSTSUM is missing; run make first" >&2
		exit 1
	fi
}

install_peer() {
	if [ ! -e "$PEER" ]; then
		command -v npm >/dev/null || { echo "bench: npm is needed to install ccusage" >&2; exit 1; }
		say "bench: installing ccusage@$PEER_VERSION into $B/peer"
		mkdir -p "$B/peer"
		npm install --prefix "$B/peer" --no-audit --no-fund "ccusage@$PEER_VERSION" >/dev/null
	fi
	[ -x "$PEER" ] || chmod +x "$PEER"
	local v
	v=$("$PEER" --version 2>/dev/null || true)
	case $v in
	*"$PEER_VERSION"*) ;;
	*) echo "bench: $PEER --version says '$v', expected $PEER_VERSION" >&2; exit 1 ;;
	esac
}

build_gen() {
	mkdir -p "$B"
	if [ ! -x "$GEN" ] || [ tests/bench/gen.c -nt "$GEN" ]; then
		cc -O2 -std=c11 -Wall -Wextra -o "$GEN" tests/bench/gen.c
	fi
}

# ---- data (generated once, cached) -----------------------------------------
mb() { du -sm "$1" | cut -f1; }

claude_tree() { # prints the tree's path
	local t=$D/claude-${CLAUDE_MB}mb-${CLAUDE_FILES}f
	if [ ! -d "$t" ]; then
		say "bench: generating $t (${CLAUDE_MB} MB in $CLAUDE_FILES files)" >&2
		rm -rf "$t.tmp"
		"$GEN" claude "$t.tmp" "$CLAUDE_MB" "$CLAUDE_FILES" >&2
		mv "$t.tmp" "$t"
	fi
	echo "$t"
}

calls_file() { # N -> path
	local f
	f=$D/calls$(label "$1").ndjson
	if [ ! -f "$f" ]; then
		say "bench: generating $f ($1 call records)" >&2
		"$GEN" calls "$f.tmp" "$1"
		mv "$f.tmp" "$f"
	fi
	echo "$f"
}

calls_sqlite() { # N -> a SQLite file with table calls loaded from the same NDJSON
	local n=$1 src db
	src=$(calls_file "$n")
	db=$D/calls$(label "$n").sqlite
	if [ ! -f "$db" ]; then
		say "bench: loading $src into $db" >&2
		rm -f "$db.tmp"
		{
			echo "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
			echo "CREATE TEMP TABLE raw(j TEXT);"
			echo ".mode ascii"
			# one column per line: a separator that never occurs in the data
			printf '.separator "\x1f" "\\n"\n'
			echo ".import $src raw"
			cat <<-'SQL'
				CREATE TABLE calls (id TEXT, ts TEXT, agent TEXT, tool TEXT, model TEXT, task_id TEXT,
				  input_tokens INTEGER, output_tokens INTEGER, cache_read_tokens INTEGER,
				  cache_write_tokens INTEGER, latency_ms INTEGER, status TEXT);
				INSERT INTO calls SELECT json_extract(j, '$.id'), json_extract(j, '$.ts'),
				  json_extract(j, '$.agent'), json_extract(j, '$.tool'), json_extract(j, '$.model'),
				  json_extract(j, '$.task_id'), json_extract(j, '$.input_tokens'),
				  json_extract(j, '$.output_tokens'), json_extract(j, '$.cache_read_tokens'),
				  json_extract(j, '$.cache_write_tokens'), json_extract(j, '$.latency_ms'),
				  json_extract(j, '$.status') FROM raw;
			SQL
		} | sqlite3 "$db.tmp" >/dev/null
		mv "$db.tmp" "$db"
	fi
	echo "$db"
}

store_db() { # the store with agentpipe's rollup, filled by costsum --record
	local n=$STORE_N src db
	src=$(calls_file "$n")
	db=$D/store$(label "$n").db
	# A store recorded under another schema or price table is recorded again.
	local stamp
	stamp=$(cat share/agentpipe/schema.sql share/agentpipe/prices.yaml | sha256sum | cut -c1-16)
	if [ ! -f "$db.ok" ] || [ "$(cat "$db.stamp" 2>/dev/null)" != "$stamp" ]; then
		rm -f "$db" "$db-wal" "$db-shm" "$db.ok"
		echo "$stamp" >"$db.stamp"
		say "bench: recording $src into $db (costsum --record, timed)" >&2
		if ! /usr/bin/time -f '%e %M' -o "$db.time" "$COSTSUM" --db "$db" --record <"$src" >"$db.out" 2>"$db.err"; then
			cat "$db.err" >&2
			echo "bench: costsum --record failed" >&2
			return 1
		fi
		echo "$n $(cat "$db.time") $(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$db.ok"
	fi
	echo "$db"
}

origin_db() { # the same rows in a store with only the origin's schema
	local src db schema=share/agentpipe/schema.sql
	src=$(store_db)
	db=${src%.db}-origin.db
	if [ ! -f "$db.ok" ] || [ "$src" -nt "$db.ok" ]; then
		rm -f "$db" "$db.ok"
		say "bench: copying the rows into an origin-only store $db" >&2
		{
			echo "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
			sed "/^-- agentpipe's additions/,\$d" "$schema"
			echo "ATTACH '$src' AS s;"
			echo "INSERT INTO invocations (id, invocation_id, timestamp, agent_name, tool_name, model_name,"
			echo "  prompt_tokens, completion_tokens, total_tokens, cost_usd, latency_ms, status, error_message,"
			echo "  privacy_level) SELECT id, invocation_id, timestamp, agent_name, tool_name, model_name,"
			echo "  prompt_tokens, completion_tokens, total_tokens, cost_usd, latency_ms, status, error_message,"
			echo "  privacy_level FROM s.invocations;"
			echo "INSERT INTO daily_costs SELECT * FROM s.daily_costs;"
		} | sqlite3 "$db" >/dev/null
		touch "$db.ok"
	fi
	echo "$db"
}

# ---- measuring -------------------------------------------------------------
# measure NAME RUNS WARMUP CMD...: times CMD with hyperfine (median of RUNS). Each run
# is wrapped in /usr/bin/time for its peak RSS; stdout of the last run is kept in
# $R/NAME.out, stderr in $R/NAME.err. Sets T_<NAME> (seconds) and M_<NAME> (KiB).
declare -A T M
measure() {
	local name=$1 runs=$2 warm=$3
	shift 3
	local cmd q
	cmd=$(printf '%q ' "$@")
	q="/usr/bin/time -a -o $R/$name.rss -f %M $cmd>$R/$name.out 2>$R/$name.err"
	rm -f "$R/$name.rss" "$R/$name.out" "$R/$name.err"
	if ! hyperfine --shell=bash --style none --runs "$runs" --warmup "$warm" --export-json "$R/$name.json" "$q" \
		>"$R/$name.hf" 2>&1; then
		fail "$name failed: $*"
		sed 's/^/     /' "$R/$name.hf" "$R/$name.err" 2>/dev/null | tail -n 20
		T[$name]=NaN M[$name]=0
		return 1
	fi
	T[$name]=$(jq -r '.results[0].median' "$R/$name.json")
	M[$name]=$(sort -n "$R/$name.rss" | tail -n 1)
}

fmt_t() { # seconds -> human
	awk -v t="$1" 'BEGIN { if (t == "NaN" || t == "") print "-"; else if (t < 1) printf "%.1f ms", t * 1000; else printf "%.2f s", t }'
}
fmt_m() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "NaN" || b == "NaN" || b <= 0) print "NaN"; else printf "%.2f", a / b }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "NaN" && a + 0 >= b + 0) }'; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "NaN" && a + 0 < b + 0) }'; }

# line NAME LABEL: one timing line
line() {
	printf '  %-34s %12s   peak RSS %10s\n' "$2" "$(fmt_t "${T[$1]}")" "$(fmt_m "${M[$1]}")"
}

# row COMPARISON PEER_NAME OURS_NAME BAR_TEXT VERDICT
row() {
	SUMMARY+=("$1|$(fmt_t "${T[$2]:-NaN}")|$(fmt_t "${T[$3]}")|$(ratio "${T[$2]:-NaN}" "${T[$3]}")|$4|$5")
}

verdict() { if "$@"; then echo PASS; else echo FAIL; fi; }

# agree NAME A B: compare two normalized files (one key per line)
agree() {
	if [ ! -s "$2" ] || [ ! -s "$3" ]; then
		fail "no rows to compare ($1): ${2##*/} $(wc -l <"$2") rows, ${3##*/} $(wc -l <"$3") rows"
		return 1
	fi
	if diff -u "$2" "$3" >"$R/$1.diff"; then
		say "  results agree ($1: $(wc -l <"$2") rows)"
		return 0
	fi
	fail "results DISAGREE ($1); first differences (- ${2##*/}, + ${3##*/}):"
	awk '/^[-+][^-+]/ && n++ < 20 { print "     " $0 }' "$R/$1.diff"
	return 1
}

# ---- sections --------------------------------------------------------------
section_claude() {
	local tree home
	tree=$(claude_tree)
	home=$(mktemp -d)
	TMPDIRS+=("$home")
	hr
	say "Claude Code logs: $tree ($(mb "$tree") MB, $(find "$tree/projects" -name '*.jsonl' | wc -l) files)"
	say "  peer: ccusage $PEER_VERSION claude daily --offline --json   ours: costsum --by day,model --from claude"
	measure claude_ours "$RUNS" 2 "$COSTSUM" --by day,model --from claude "$tree/projects" || true
	measure claude_peer "$RUNS" 2 env HOME="$home" TZ=UTC CLAUDE_CONFIG_DIR="$tree" "$ROOT/$PEER" claude daily --offline --json || true
	line claude_peer "ccusage claude daily"
	line claude_ours "costsum --by day,model"
	local r ok=1
	r=$(ratio "${T[claude_peer]}" "${T[claude_ours]}")
	say "  ratio peer/costsum: ${r}x (bar >= 2x: $(verdict ge "$r" 2)); costsum peak RSS $(fmt_m "${M[claude_ours]}") (bar < 64 MiB: $(verdict lt "${M[claude_ours]}" "$RSS_BAR_KB"))"

	# Per day: input, output, cache read, cache write (5m + 1h) tokens, and cost in cents.
	if [ -s "$R/claude_peer.out" ] && [ -s "$R/claude_ours.out" ]; then
		jq -r '.daily[] | [.date, .inputTokens, .outputTokens, .cacheReadTokens, .cacheCreationTokens,
			(.totalCost * 100 | round), .totalCost] | @tsv' "$R/claude_peer.out" >"$R/claude_peer.raw"
		jq -rs 'map(select(.kind == "cost" and (.total | not))) | group_by(.day) | .[] |
			[.[0].day, (map(.input_tokens) | add), (map(.output_tokens) | add),
			 (map(.cache_read_tokens) | add), (map(.cache_write_tokens + .cache_write_1h_tokens) | add),
			 ((map(.cost_usd) | add) * 100 | round), (map(.cost_usd) | add)] | @tsv' \
			"$R/claude_ours.out" >"$R/claude_ours.raw"
		# compare everything but the raw cost, which is kept for the report
		cut -f1-6 "$R/claude_peer.raw" >"$R/claude_peer.days"
		cut -f1-6 "$R/claude_ours.raw" >"$R/claude_ours.days"
		if ! diff -q "$R/claude_peer.days" "$R/claude_ours.days" >/dev/null; then
			ok=0
			fail "results DISAGREE: days where tokens or cents differ (day in out cache_read cache_write cents cost):"
			join -t $'\t' -a1 -a2 -e '-' -o auto "$R/claude_peer.raw" "$R/claude_ours.raw" |
				awk -F'\t' '{ d = 0; for (i = 2; i <= 6; i++) if ($i != $(i + 6)) d = 1; if (d && n++ < 15) print }' |
				awk -F'\t' '{ printf "     %s  ccusage: %s %s %s %s %s %s\n     %s  costsum: %s %s %s %s %s %s\n",
					$1, $2, $3, $4, $5, $6, $7, "          ", $8, $9, $10, $11, $12, $13 }'
			say "     per model over all days (model, ccusage cost, costsum cost):"
			join -t $'\t' -a1 -a2 -e '-' -o auto \
				<(jq -r '.daily[].modelBreakdowns[] | [.modelName, .cost] | @tsv' "$R/claude_peer.out" |
					awk -F'\t' '{ c[$1] += $2 } END { for (m in c) printf "%s\t%.6f\n", m, c[m] }' | sort) \
				<(jq -r 'select(.kind == "cost" and (.total | not)) | [.model // "(none)", .cost_usd] | @tsv' "$R/claude_ours.out" |
					awk -F'\t' '{ c[$1] += $2 } END { for (m in c) printf "%s\t%.6f\n", m, c[m] }' | sort) |
				awk -F'\t' '{ printf "       %-30s %14s %14s%s\n", $1, $2, $3, ($2 == $3 ? "" : "   <-") }'
			say "     ($(join -t $'\t' -a1 -a2 -e '-' -o auto "$R/claude_peer.days" "$R/claude_ours.days" |
				awk -F'\t' '{ d = 0; for (i = 2; i <= 6; i++) if ($i != $(i + 5)) d = 1; n += d } END { print n + 0 }') of $(wc -l <"$R/claude_peer.days") days differ; full lists in $R/claude_{peer,ours}.raw)"
		else
			say "  results agree: $(wc -l <"$R/claude_peer.days") days, tokens equal, cost equal to the cent"
		fi
		jq -r '.totals | "  totals  ccusage: in \(.inputTokens) out \(.outputTokens) cache_read \(.cacheReadTokens) cache_write \(.cacheCreationTokens) cost \(.totalCost)"' "$R/claude_peer.out"
		jq -r 'select(.total == true) | "  totals  costsum: in \(.input_tokens) out \(.output_tokens) cache_read \(.cache_read_tokens) cache_write \(.cache_write_tokens + .cache_write_1h_tokens) cost \(.cost_usd)"' "$R/claude_ours.out"
	else
		ok=0
	fi
	local v
	v=$(verdict ge "$r" 2)
	[ "$ok" = 1 ] || v="$v (disagree)"
	row "claude daily $(mb "$tree") MB" claude_peer claude_ours ">= 2x" "$v"
	SUMMARY+=("costsum peak RSS, claude|-|$(fmt_m "${M[claude_ours]}")|-|< 64 MiB|$(verdict lt "${M[claude_ours]}" "$RSS_BAR_KB")")
}

calls_one() { # N RUNS JQ_RUNS
	local n=$1 runs=$2 jqruns=$3 l f db
	l=$(label "$n")
	f=$(calls_file "$n")
	db=$(calls_sqlite "$n")
	hr
	say "Call records: $f ($(mb "$f") MB, $n lines)"
	measure "calls${l}_ours" "$runs" 1 "$COSTSUM" --by model --from calls "$f" || true
	measure "calls${l}_sqlite" "$runs" 1 sqlite3 -separator $'\t' "$db" \
		"SELECT model, count(*), sum(input_tokens), sum(output_tokens) FROM calls GROUP BY model" || true
	# jq: one pass, calls and tokens per model
	# shellcheck disable=SC2016 # a jq program, not shell
	local prog='reduce inputs as $r ({}; .[$r.model] |= {calls: ((.calls // 0) + 1),
		input: ((.input // 0) + $r.input_tokens), output: ((.output // 0) + $r.output_tokens)})'
	measure "calls${l}_jq" "$jqruns" 0 jq -n -c "$prog" "$f" || true
	line "calls${l}_jq" "jq reduce (runs: $jqruns)"
	line "calls${l}_sqlite" "sqlite3 GROUP BY (preloaded table)"
	line "calls${l}_ours" "costsum --by model --from calls"
	local rj rs
	rj=$(ratio "${T[calls${l}_jq]}" "${T[calls${l}_ours]}")
	rs=$(ratio "${T[calls${l}_sqlite]}" "${T[calls${l}_ours]}")
	say "  ratio jq/costsum: ${rj}x (bar >= 20x: $(verdict ge "$rj" 20)); sqlite3/costsum: ${rs}x (bar > 1x: $(verdict ge "$rs" 1.0000001))"

	local ok=1
	jq -r 'select(.kind == "cost" and (.total | not)) | [.model, .calls, .input_tokens, .output_tokens] | @tsv' \
		"$R/calls${l}_ours.out" | sort >"$R/calls${l}_ours.norm" || ok=0
	jq -r 'to_entries[] | [.key, .value.calls, .value.input, .value.output] | @tsv' \
		"$R/calls${l}_jq.out" | sort >"$R/calls${l}_jq.norm" || ok=0
	sort "$R/calls${l}_sqlite.out" >"$R/calls${l}_sqlite.norm" || ok=0
	agree "calls${l}: jq vs costsum" "$R/calls${l}_jq.norm" "$R/calls${l}_ours.norm" || ok=0
	agree "calls${l}: sqlite3 vs costsum" "$R/calls${l}_sqlite.norm" "$R/calls${l}_ours.norm" || ok=0
	[ -s "$R/calls${l}_ours.norm" ] || { fail "calls${l}: costsum printed no rows"; ok=0; }
	local d=""
	[ "$ok" = 1 ] || d=" (disagree)"
	row "calls $l: jq" "calls${l}_jq" "calls${l}_ours" ">= 20x" "$(verdict ge "$rj" 20)$d"
	row "calls $l: sqlite3" "calls${l}_sqlite" "calls${l}_ours" "> 1x" "$(verdict ge "$rs" 1.0000001)$d"
}

section_calls() {
	calls_one "$CALLS_A" "$RUNS" 3
	calls_one "$CALLS_B" 3 1
}

# normalize a store answer: model calls prompt completion cents
norm_store_ours() {
	jq -r 'select(.kind == "cost" and (.total | not)) |
		[.model, .calls, .input_tokens, .output_tokens, (.cost_usd * 100 | round)] | @tsv' "$1" | sort
}
norm_store_sqlite() {
	awk -F'\t' -v OFS='\t' '{ c = $5 * 100; r = (c < 0) ? -int(-c + 0.5) : int(c + 0.5); print $1, $2, $3, $4, r }' "$1" | sort
}

section_db() {
	local store origin n l
	n=$STORE_N
	l=$(label "$n")
	store=$(store_db)
	origin=$(origin_db)
	hr
	say "Telemetry store: $store ($(mb "$store") MB, $n rows)"
	local rec_n rec_s rec_kb rec_when
	read -r rec_n rec_s rec_kb rec_when <"$store.ok"
	say "  filling it: costsum --record of $rec_n rows took $(fmt_t "$rec_s") = $(awk -v n="$rec_n" -v s="$rec_s" 'BEGIN { printf "%.0f", n / s }') rows/s, peak RSS $(fmt_m "$rec_kb") (measured $rec_when when the cached store was built)"
	SUMMARY+=("record $l rows (cached build)|-|$(fmt_t "$rec_s")|-|$(awk -v n="$rec_n" -v s="$rec_s" 'BEGIN { printf "%.0f rows/s", n / s }')|info")

	# A fresh recording each run, into an empty store.
	local src tmpdb
	src=$(calls_file "$RECORD_N")
	tmpdb=$(mktemp -d)
	TMPDIRS+=("$tmpdb")
	if /usr/bin/time -f '%e %M' -o "$R/record.time" "$COSTSUM" --db "$tmpdb/s.db" --record <"$src" >"$R/record.out" 2>"$R/record.err"; then
		read -r rec_s rec_kb <"$R/record.time"
		local rate
		rate=$(awk -v n="$RECORD_N" -v s="$rec_s" 'BEGIN { printf "%.0f", n / s }')
		say "  costsum --record of $RECORD_N rows into an empty store: $(fmt_t "$rec_s") = $rate rows/s, peak RSS $(fmt_m "$rec_kb")"
		SUMMARY+=("record $(label "$RECORD_N") rows (this run)|-|$(fmt_t "$rec_s")|-|$rate rows/s|info")
	else
		fail "costsum --record failed: $(tail -n 3 "$R/record.err")"
	fi
	rm -rf "$tmpdb"

	local q="SELECT model_name, count(*), sum(prompt_tokens), sum(completion_tokens), sum(cost_usd) FROM invocations WHERE timestamp >= '2026-11-01 00:00:00' AND timestamp < '2026-12-01 00:00:00' GROUP BY model_name"
	measure store_ours 10 2 "$COSTSUM" --db "$store" --since 2026-11-01 --until 2026-11-30 --by model || true
	measure store_sqlite 5 1 sqlite3 -separator $'\t' "$store" "$q" || true
	measure origin_ours 5 1 "$COSTSUM" --db "$origin" --since 2026-11-01 --until 2026-11-30 --by model || true
	measure origin_sqlite 5 1 sqlite3 -separator $'\t' "$origin" "$q" || true
	# The fallback: Etc/GMT is UTC in fact but not by name, so no table of
	# days may answer and every row of the month is read.
	measure origin_scan 3 1 "$COSTSUM" --db "$origin" --timezone Etc/GMT --since 2026-11-01 --until 2026-11-30 --by model || true
	say "  November 2026 by model:"
	line store_sqlite "sqlite3 GROUP BY on invocations"
	line store_ours "costsum --db (rollup)"
	line origin_sqlite "sqlite3, origin-only store"
	line origin_ours "costsum --db, origin-only (daily_costs)"
	line origin_scan "costsum --db, origin-only (row scan)"
	local r ro
	r=$(ratio "${T[store_sqlite]}" "${T[store_ours]}")
	ro=$(ratio "${T[origin_sqlite]}" "${T[origin_ours]}")
	say "  costsum with rollup: $(fmt_t "${T[store_ours]}") (bar < 100 ms: $(verdict lt "${T[store_ours]}" 0.1)), ratio sqlite3/costsum ${r}x; origin-only from daily_costs: $(fmt_t "${T[origin_ours]}"), ratio ${ro}x; the row-scan fallback: $(fmt_t "${T[origin_scan]}")"
	local ours_tables
	ours_tables=$(sqlite3 "$origin" "SELECT name FROM sqlite_master WHERE name LIKE 'agentpipe%'")
	if [ -n "$ours_tables" ]; then
		fail "the origin-only store gained agentpipe tables: the fallback was not measured"
	fi

	local ok=1
	norm_store_ours "$R/store_ours.out" >"$R/store_ours.norm" || ok=0
	norm_store_sqlite "$R/store_sqlite.out" >"$R/store_sqlite.norm" || ok=0
	# Answered from the origin's daily_costs, rows carry total tokens only:
	# compare calls, prompt + completion, and cents.
	jq -r 'select(.kind == "cost" and (.total | not)) | [.model, .calls, .total_tokens, ((.cost_usd * 100) | round)] | @tsv' \
		"$R/origin_ours.out" | sort >"$R/origin_ours.norm" || ok=0
	awk -F'\t' -v OFS='\t' '{ c = $5 * 100; r = (c < 0) ? -int(-c + 0.5) : int(c + 0.5); print $1, $2, sprintf("%.0f", $3 + $4), r }' \
		"$R/origin_sqlite.out" | sort >"$R/origin_sqlite.norm" || ok=0
	[ -s "$R/store_ours.norm" ] || { fail "store: costsum printed no rows"; ok=0; }
	agree "store: sqlite3 vs costsum (model calls prompt completion cents)" "$R/store_sqlite.norm" "$R/store_ours.norm" || ok=0
	agree "origin-only store: sqlite3 vs costsum" "$R/origin_sqlite.norm" "$R/origin_ours.norm" || ok=0
	local d=""
	[ "$ok" = 1 ] || d=" (disagree)"
	row "store $l, Nov by model" store_sqlite store_ours "< 100 ms" "$(verdict lt "${T[store_ours]}" 0.1)$d"
	row "store $l origin-only (daily_costs)" origin_sqlite origin_ours "-" "info$d"
	row "store $l origin-only (row scan)" origin_sqlite origin_scan "-" "info"
}

# shellcheck source=tests/bench/taskwatch.sh
. tests/bench/taskwatch.sh
# shellcheck source=tests/bench/budgetgate.sh
. tests/bench/budgetgate.sh

# ---- main ------------------------------------------------------------------
TMPDIRS=()
cleanup() { [ ${#TMPDIRS[@]} -eq 0 ] || rm -rf "${TMPDIRS[@]}"; }
trap cleanup EXIT

need_tools
build_gen
mkdir -p "$D" "$R"
want claude && install_peer
want taskwatch && tw_setup

say "agentpipe bench$([ -n "$SMALL" ] && echo ' (BENCH_SMALL: 10x smaller)')  $(date -u +%Y-%m-%dT%H:%M:%SZ)"
say "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
say "costsum: $("$COSTSUM" --version)   hyperfine: $(hyperfine --version | cut -d' ' -f2)   jq: $(jq --version)   sqlite3: $(sqlite3 --version | cut -d' ' -f1)"
want claude && say "ccusage: $("$PEER" --version)"
say "times: hyperfine median after warmup runs (this VM keeps only ~1.5 GB in page cache, so big inputs may be re-read); RSS: /usr/bin/time max resident set"

want claude && section_claude
want calls && section_calls
want db && section_db
want taskwatch && section_taskwatch
want budgetgate && section_budgetgate

hr
say "Summary"
printf '  %-32s %11s %11s %9s  %-12s %s\n' comparison peer ours ratio bar result
for r in "${SUMMARY[@]}"; do
	IFS='|' read -r c p o x b v <<<"$r"
	[ "$x" = "-" ] || [ "$x" = NaN ] || x="${x}x"
	printf '  %-32s %11s %11s %9s  %-12s %s\n' "$c" "$p" "$o" "$x" "$b" "$v"
done
if [ "$FAILED" != 0 ]; then
	say "bench: a tool failed or the results disagree (see above); outputs in $R/"
	exit 1
fi
say "bench: all results agree (bars are reported, not enforced); outputs in $R/"
