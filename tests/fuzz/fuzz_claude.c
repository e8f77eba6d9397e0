/* fuzz_claude: the normalisers behind every tool. A line that jscan accepts
 * goes through claude_from_line, call_from_record and pricing; none may
 * crash, and what they return must hold together: counts >= 0, a usage line
 * has its time, a cost is never negative, strings point into the line or
 * the scratch arena. (Agreement of jscan with jansson is fuzz_jscan's job.) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "jscan.h"
#include "prices.h"
#include "records.h"
#include "timeutil.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct price_table prices;
static bool have_prices;
static bool check_known_bugs;

static const char prices_yaml[] =
	"models:\n"
	"  claude-sonnet-4-5:\n"
	"    aliases: [sonnet]\n"
	"    prices:\n"
	"      - from: 2025-01-01\n"
	"        input: 3\n"
	"        output: 15\n"
	"        cache_read: 0.30\n"
	"        cache_write: 3.75\n"
	"        cache_write_1h: 6\n"
	"        above_tokens: 200000\n"
	"        above: {input: 6, output: 22.5}\n"
	"      - {from: 2026-06-01, input: 2, output: 10}\n"
	"  claude-opus-4-1:\n"
	"    prices:\n"
	"      - {from: 2025-01-01, input: 15, output: 75}\n";

/* The table is read from a memfd through /proc, so the run writes no file. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *k = getenv("FUZZ_KNOWN_BUGS");
	check_known_bugs = k && strcmp(k, "1") == 0;
	int fd = memfd_create("prices.yaml", 0);
	if (fd < 0 || write(fd, prices_yaml, sizeof prices_yaml - 1) != (ssize_t)(sizeof prices_yaml - 1))
		return 0;
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	have_prices = prices_load(&prices, path);
	close(fd);
	return 0;
}

static _Noreturn void
broken(const char *what, const char *why)
{
	fprintf(stderr, "fuzz_claude: %s%s%s\n", what, why && *why ? ": " : "", why ? why : "");
	abort();
}

/* A returned string must lie inside the line or be NULL (arena strings are
 * checked by ASan when read). */
static void
str_ok(struct str s, const char *what)
{
	if (!s.p && s.n)
		broken(what, "NULL with a length");
	if (s.p) {
		volatile char sink = 0;
		for (size_t i = 0; i < s.n; i++)
			sink ^= s.p[i];
		(void)sink;
	}
}

static void
tokens_ok(const struct tokens *tk, const char *what)
{
	if (tk->input < 0 || tk->output < 0 || tk->cache_read < 0 || tk->cache_write < 0 || tk->cache_write_1h < 0)
		broken(what, "a negative token count");
	/* tokens_total adds in int64_t: counts near 2^63 overflow it, which is
	 * undefined (UBSan stops there). A known bug: only looked at with
	 * FUZZ_KNOWN_BUGS=1, so fuzzing can go on past it. */
	int64_t sum = 0;
	bool over = __builtin_add_overflow(tk->input, tk->output, &sum) ||
		    __builtin_add_overflow(sum, tk->cache_read, &sum) ||
		    __builtin_add_overflow(sum, tk->cache_write, &sum) ||
		    __builtin_add_overflow(sum, tk->cache_write_1h, &sum);
	if (!over || check_known_bugs)
		if (tokens_total(tk) != sum)
			broken(what, "tokens_total is not the sum of the counts");
}

static void
call_ok(const struct call *c, const char *what)
{
	tokens_ok(&c->tk, what);
	if (c->has_cost && c->cost < 0)
		broken(what, "a negative cost");
	if (c->has_latency && c->latency_ms < 0)
		broken(what, "a negative latency");
	str_ok(c->id, what);
	str_ok(c->agent, what);
	str_ok(c->tool, what);
	str_ok(c->model, what);
	str_ok(c->task_id, what);
	str_ok(c->status_text, what);
	str_ok(c->error, what);
	str_ok(c->session, what);
	if (c->has_ts) {
		char buf[TIME_BUFSZ];
		time_format_rfc3339(c->ts_ms, buf, true);
	}
	if (have_prices && c->model.p) {
		const struct model_price *m = price_find(&prices, c->model.p, c->model.n);
		const struct price_period *p = m ? price_at(m, c->has_ts ? c->ts_ms : 0) : NULL;
		if (m && !p)
			broken(what, "a priced model without a price entry");
		if (p && price_cost(p, &c->tk) < 0)
			broken(what, "a negative price");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena scratch;
	static const char *const extra[] = {"team", "labels"};
	struct jfacts f;
	memset(&f, 0, sizeof f);
	f.nextra = 2;
	f.extra_names[0] = extra[0];
	f.extra_names[1] = extra[1];
	arena_reset(&scratch);
	struct jscan_error err;
	if (!jscan_line((const char *)data, size, &f, &scratch, &err))
		return 0;

	char why[256] = "";
	struct call c;
	(void)looks_like_claude(&f);
	enum claude_line kind = claude_from_line(&f, &c, why, sizeof why);
	if (kind == CLAUDE_USAGE) {
		if (!c.has_ts)
			broken("claude_from_line", "a usage line without its time");
		if (c.status != ST_SUCCESS)
			broken("claude_from_line", "a usage line that is not a success");
		call_ok(&c, "claude_from_line");
	} else if (kind == CLAUDE_BAD && !why[0]) {
		broken("claude_from_line", "a bad line without a reason");
	} else if (kind != CLAUDE_BAD && kind != CLAUDE_SKIP) {
		broken("claude_from_line", "an unknown result");
	}

	why[0] = '\0';
	if (call_from_record(&f, &c, why, sizeof why))
		call_ok(&c, "call_from_record");
	else if (!why[0])
		broken("call_from_record", "a refusal without a reason");
	return 0;
}
