# shellcheck shell=bash
# shellcheck disable=SC2154 # T, M, B, D, R ... are run.sh's
# tests/bench/budgetgate.sh: the budgetgate section of `make bench`, sourced by run.sh
# (it uses run.sh's B, D, R, SMALL, ROOT, store_db, label, say, hr, fail, measure, row,
# fmt_t, fmt_m, ratio, verdict, lt, ge, T, M, SUMMARY and TMPDIRS).
#
#   BENCH_ONLY=budgetgate tests/bench/run.sh     (BENCH_SMALL=1: the 1M-row store, 200k requests)
#
# 1. check     `budgetgate -b 20-budgets.yaml --db STORE --now 2026-11-18T13:37:00Z` on the
#              cached 10M-row store of the db section (store_db: built once, reused), 20
#              budgets of every period kind (day, week, month, 24h, 7d, total), matching on
#              agent and model. Peer: one sqlite3 invocation running the 20 plain
#              `SELECT SUM(cost_usd), SUM(tokens) ... WHERE timestamp >= ? AND timestamp < ?
#              AND agent_name GLOB ? AND model_name GLOB ?` queries that answer the same,
#              with each window taken from budgetgate's own rows. Sums are compared to the
#              cent. Bar: <= 50 ms.
# 2. annotate  `budgetgate --annotate` on 2M generated request records to /dev/null
#              (spend from the same store); requests per second. Bar: >= 1M/s.

BUDGETGATE=$ROOT/bin/budgetgate
BG_NOW=2026-11-18T13:37:00Z
if [ -n "$SMALL" ]; then
	BG_REQUESTS=200000
else
	BG_REQUESTS=2000000
fi

bg_budgets() { # the 20 budgets, limits high enough that every one is ok (exit 0)
	local f=$D/budgets20.yaml
	cat >"$f" <<'EOF'
timezone: UTC
budgets:
  - {name: all-day, period: day, limit_usd: 1000000000}
  - {name: all-week, period: week, limit_usd: 1000000000}
  - {name: all-month, period: month, limit_usd: 1000000000}
  - {name: all-24h, period: 24h, limit_usd: 1000000000}
  - {name: all-7d, period: 7d, limit_usd: 1000000000}
  - {name: all-total, period: total, limit_usd: 1000000000}
  - {name: frontend-day, period: day, limit_usd: 1000000000, match: {agent: frontend}}
  - {name: backend-week, period: week, limit_usd: 1000000000, match: {agent: "backend*"}}
  - {name: build-month, period: month, limit_usd: 1000000000, match: {agent: "build-*"}}
  - {name: reviewer-24h, period: 24h, limit_usd: 1000000000, match: {agent: reviewer}}
  - {name: tester-7d, period: 7d, limit_usd: 1000000000, match: {agent: tester}}
  - {name: devops-total, period: total, limit_usd: 1000000000, match: {agent: devops}}
  - {name: sonnet-day, period: day, limit_usd: 1000000000, match: {model: "claude-sonnet-*"}}
  - {name: opus-week, period: week, limit_usd: 1000000000, match: {model: "claude-opus-*"}}
  - {name: gpt-month, period: month, limit_usd: 1000000000, match: {model: "gpt-*"}}
  - {name: gemini-24h, period: 24h, limit_usd: 1000000000, match: {model: "gemini-*"}}
  - {name: haiku-7d, period: 7d, limit_usd: 1000000000, match: {model: "claude-haiku-*"}}
  - {name: gpt5-total, period: total, limit_usd: 1000000000, match: {model: gpt-5}}
  - {name: architect-opus-month, period: month, limit_usd: 1000000000, match: {agent: architect, model: "claude-opus-*"}}
  - {name: curator-week-tokens, period: week, limit_tokens: 1000000000000000, match: {agent: curator}}
EOF
	echo "$f"
}

# The sqlite3 script of the 20 queries, from budgetgate's rows (windows) and the
# budgets' globs: one line of output per budget, "name<TAB>cost<TAB>tokens".
bg_sql() { # ROWS_FILE
	jq -r '
		def origin: sub("T"; " ") | sub("Z$"; "");
		[.name,
		 (if .window_start then "timestamp >= '\''\(.window_start | origin)'\'' AND timestamp < '\''\(.window_end | origin)'\''" else "1" end)]
		| @tsv' "$1" |
		while IFS=$'\t' read -r name when; do
			local cond=$when
			case $name in
			frontend-day) cond+=" AND agent_name GLOB 'frontend'" ;;
			backend-week) cond+=" AND agent_name GLOB 'backend*'" ;;
			build-month) cond+=" AND agent_name GLOB 'build-*'" ;;
			reviewer-24h) cond+=" AND agent_name GLOB 'reviewer'" ;;
			tester-7d) cond+=" AND agent_name GLOB 'tester'" ;;
			devops-total) cond+=" AND agent_name GLOB 'devops'" ;;
			sonnet-day) cond+=" AND model_name GLOB 'claude-sonnet-*'" ;;
			opus-week) cond+=" AND model_name GLOB 'claude-opus-*'" ;;
			gpt-month) cond+=" AND model_name GLOB 'gpt-*'" ;;
			gemini-24h) cond+=" AND model_name GLOB 'gemini-*'" ;;
			haiku-7d) cond+=" AND model_name GLOB 'claude-haiku-*'" ;;
			gpt5-total) cond+=" AND model_name GLOB 'gpt-5'" ;;
			architect-opus-month) cond+=" AND agent_name GLOB 'architect' AND model_name GLOB 'claude-opus-*'" ;;
			curator-week-tokens) cond+=" AND agent_name GLOB 'curator'" ;;
			esac
			echo "SELECT '$name', printf('%.2f', COALESCE(SUM(cost_usd), 0)), COALESCE(SUM(total_tokens + cache_read_tokens + cache_write_tokens + cache_write_1h_tokens), 0) FROM invocations WHERE $cond;"
		done
}

bg_requests() { # N -> a file of request records
	local n=$1 f=$D/requests$(label "$1").ndjson
	if [ ! -f "$f" ]; then
		say "bench: generating $n request records into $f" >&2
		awk -v n="$n" 'BEGIN {
			split("frontend backend-dev build-automation architect curator reviewer tester devops", a, " ")
			split("claude-sonnet-4-5 claude-haiku-4-5 claude-opus-4-1 gpt-4o gpt-4o-mini gpt-5 gemini-2.5-pro gemini-2.5-flash", m, " ")
			srand(42)
			for (i = 0; i < n; i++)
				printf "{\"id\":\"req-%d\",\"agent\":\"%s\",\"task_type\":\"code\",\"model\":\"%s\",\"prompt_tokens\":%d,\"output_tokens\":%d,\"complexity\":%d,\"labels\":[\"api\",\"tests\"],\"priority\":\"high\"}\n",
					i, a[int(rand() * 8) + 1], m[int(rand() * 8) + 1], int(rand() * 50000) + 100, int(rand() * 5000) + 10, int(rand() * 10) + 1
		}' >"$f.tmp" && mv "$f.tmp" "$f"
	fi
	echo "$f"
}

section_budgetgate() {
	local store budgets n l sql reqs
	if [ ! -x "$BUDGETGATE" ]; then
		fail "$BUDGETGATE is missing; run make first"
		return
	fi
	store=$(store_db)
	n=$STORE_N
	l=$(label "$n")
	budgets=$(bg_budgets)
	hr
	say "budgetgate: 20 budgets (day, week, month, 24h, 7d, total; by agent and model) on $store ($n rows), --now $BG_NOW"

	measure bg_check 10 2 "$BUDGETGATE" -b "$budgets" --db "$store" --now "$BG_NOW" || true
	sql=$R/bg_peer.sql
	bg_sql "$R/bg_check.out" >"$sql"
	measure bg_sqlite 3 1 sqlite3 -readonly -separator $'\t' "$store" ".read $sql" || true
	line bg_sqlite "sqlite3, 20 SUM queries"
	line bg_check "budgetgate --db (20 budgets)"
	local r
	r=$(ratio "${T[bg_sqlite]}" "${T[bg_check]}")
	say "  budgetgate: $(fmt_t "${T[bg_check]}") (bar <= 50 ms: $(verdict lt "${T[bg_check]}" 0.0505)), ratio sqlite3/budgetgate ${r}x"
	jq -r '[.name, (.spent_usd * 100 | round / 100 | tostring), (.spent_tokens | tostring)] | @tsv' "$R/bg_check.out" |
		awk -F'\t' -v OFS='\t' '{ printf "%s\t%.2f\t%s\n", $1, $2, $3 }' | sort >"$R/bg_check.norm"
	sort "$R/bg_sqlite.out" >"$R/bg_sqlite.norm"
	local d=""
	agree "budgetgate: sqlite3 vs budgetgate (name cents tokens)" "$R/bg_sqlite.norm" "$R/bg_check.norm" || d=" (results differ)"
	row "budgetgate 20 budgets, store $l" bg_sqlite bg_check "<= 50 ms" "$(verdict lt "${T[bg_check]}" 0.0505)$d"

	reqs=$(bg_requests "$BG_REQUESTS")
	# To /dev/null, timed by hyperfine; the lines are counted in a run of their own.
	T[bg_annotate]=NaN M[bg_annotate]=0
	if hyperfine --shell=bash --style none --runs 5 --warmup 1 --export-json "$R/bg_annotate.json" \
		"$(printf '%q ' "$BUDGETGATE" -b "$budgets" --db "$store" --now "$BG_NOW" --annotate "$reqs")>/dev/null" \
		>"$R/bg_annotate.hf" 2>&1; then
		T[bg_annotate]=$(jq -r '.results[0].median' "$R/bg_annotate.json")
	else
		fail "budgetgate --annotate failed: $(tail -n 3 "$R/bg_annotate.hf")"
	fi
	M[bg_annotate]=$(/usr/bin/time -f %M "$BUDGETGATE" -b "$budgets" --db "$store" --now "$BG_NOW" --annotate "$reqs" 2>&1 >/dev/null | tail -n 1)
	local rate lines
	rate=$(awk -v n="$BG_REQUESTS" -v t="${T[bg_annotate]}" 'BEGIN { if (t == "NaN" || t <= 0) print "NaN"; else printf "%.0f", n / t }')
	say "  budgetgate --annotate: $BG_REQUESTS requests in $(fmt_t "${T[bg_annotate]}") = $rate requests/s (bar >= 1,000,000/s: $(verdict ge "$rate" 1000000)), peak RSS $(fmt_m "${M[bg_annotate]}")"
	lines=$("$BUDGETGATE" -b "$budgets" --db "$store" --now "$BG_NOW" --annotate "$reqs" | jq -c 'select(.budget.name != null) | 1' | wc -l)
	[ "$lines" = "$BG_REQUESTS" ] || fail "budgetgate --annotate wrote $lines annotated records for $BG_REQUESTS requests"
	SUMMARY+=("budgetgate --annotate $(label "$BG_REQUESTS") requests|-|$(fmt_t "${T[bg_annotate]}")|-|$rate req/s, bar >= 1M/s|$(verdict ge "$rate" 1000000)")
}
