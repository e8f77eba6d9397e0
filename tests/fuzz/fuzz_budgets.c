/* fuzz_budgets: budgetgate's budgets loader (budgets.c, compiled in) on
 * arbitrary bytes, read as agentpipe's budgets file or the origin's
 * policies.yaml. A file either loads, into budgets that each have a name, a
 * zone, a limit and soft thresholds within it, and windows that are not
 * empty; or it fails with a position and a message. It never crashes or
 * leaks. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/budgetgate/budgets.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static _Noreturn void
broken(const char *why)
{
	fprintf(stderr, "fuzz_budgets: %s\n", why);
	abort();
}

static void
check(const char *text, size_t len, const char *profile)
{
	struct budgets_opts o = {.profile = profile};
	struct budgets b;
	struct budgets_error err;
	if (!budgets_parse(text, len, &o, &b, &err)) {
		if (err.line < 1 || err.col < 0 || !err.message[0])
			broken("an error without a position or a message");
		if (b.n || b.v)
			broken("budgets left after an error");
		return;
	}
	if (b.n == 0)
		broken("no budgets loaded");
	/* A fixed instant, and one near a DST change. */
	static const int64_t nows[] = {INT64_C(1793707200000), INT64_C(1774746000000)};
	for (size_t k = 0; k < 2; k++) {
		budgets_windows(&b, nows[k]);
		for (size_t i = 0; i < b.n; i++) {
			const struct budget *x = &b.v[i];
			if (!x->name || !*x->name || !x->period || !x->tz)
				broken("a budget without a name, period or zone");
			if (!x->has_limit_usd && !x->has_limit_tokens)
				broken("a budget without a limit");
			if (x->has_limit_usd && (x->limit_usd <= 0 || x->limit_usd > LIMIT_USD_MAX))
				broken("limit_usd out of range");
			if (x->has_soft_usd && (!x->has_limit_usd || x->soft_usd <= 0 || x->soft_usd > x->limit_usd))
				broken("soft_usd out of range");
			if (x->has_soft_tokens && (!x->has_limit_tokens || x->soft_tokens <= 0 ||
						   x->soft_tokens > x->limit_tokens))
				broken("soft_tokens out of range");
			if (x->kind != P_TOTAL && !(x->start < x->end && x->start <= nows[k] && nows[k] <= x->end))
				broken("a window that does not hold now");
			for (size_t j = 0; j < i; j++)
				if (strcmp(b.v[j].name, x->name) == 0)
					broken("two budgets with one name");
		}
	}
	budgets_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check((const char *)data, size, NULL);
	if (size < 4096 && memmem(data, size, "policies", 8))
		check((const char *)data, size, "production");
	return 0;
}
