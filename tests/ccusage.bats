#!/usr/bin/env bats
# costsum against ccusage 20.0.24 on the same Claude Code logs: daily tokens
# equal, costs equal to the cent, except the one documented difference.

load helpers

PEER_DIR=$REPO/build/bench/peer
PEER=$PEER_DIR/node_modules/@ccusage/ccusage-linux-x64/bin/ccusage

setup_file() {
	if [ ! -e "$PEER" ] && command -v npm >/dev/null 2>&1; then
		npm install --silent --prefix "$PEER_DIR" ccusage@20.0.24 >/dev/null 2>&1 || true
	fi
	[ -e "$PEER" ] && chmod +x "$PEER" || true
}

setup() {
	[ -x "$PEER" ] || skip "ccusage 20.0.24 is not installed (npm unavailable)"
	T=$BATS_TEST_TMPDIR
	mkdir -p "$T/home"
}

# day -> [input, output, cache read, cache write, cost in cents]
peer_days() {
	HOME=$T/home TZ=UTC CLAUDE_CONFIG_DIR=$1 "$PEER" claude daily --offline --json |
		jq -c '.daily[] | [.date, .inputTokens, .outputTokens, .cacheReadTokens, .cacheCreationTokens, (.totalCost * 100 | round)]'
}

ours_days() {
	"$BIN/costsum" --from claude --by day --no-total "$1" 2>/dev/null |
		jq -c '[.day, .input_tokens, .output_tokens, .cache_read_tokens, (.cache_write_tokens + .cache_write_1h_tokens), (.cost_usd * 100 | round)]'
}

@test "the fixture tree: the same days, tokens and cents; a request over 200k differs as documented" {
	tree=$FIX/costsum/claude
	run peer_days "$tree"
	assert_success
	assert_output - <<'OUT'
["2026-11-10",160,360,1000,3000,27]
["2026-11-11",250105,1105,0,0,92]
OUT
	run ours_days "$tree"
	assert_output - <<'OUT'
["2026-11-10",160,360,1000,3000,27]
["2026-11-11",250105,1105,0,0,152]
OUT
	# The difference is exactly the long-context rule: 50k of 250k input
	# tokens above 200k at $6 (ccusage) against all 250k at $6 and the
	# output at $22.50 (the provider's bill).
	a=$(HOME=$T/home TZ=UTC CLAUDE_CONFIG_DIR=$tree "$PEER" claude daily --offline --json | jq '.daily[1].totalCost')
	b=$("$BIN/costsum" --from claude --since 2026-11-11 "$tree" 2>/dev/null | jq .cost_usd)
	run jq -n "($b - $a) * 1e6 | round"
	assert_output "607500"
}

@test "the example logs: equal to the cent, day by day" {
	run diff <(peer_days "$REPO/examples/claude") <(ours_days "$REPO/examples/claude")
	assert_success
}
