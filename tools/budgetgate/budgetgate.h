/* budgetgate.h: what the parts of budgetgate share.
 *
 *   budgetgate.c  options, main
 *   budgets.c     the budgets file (agentpipe's, or the origin's policies.yaml)
 *                 into budgets; their windows at an instant
 *   spend.c       the spend of every budget in one pass over the store or
 *                 over call records and Claude Code logs
 *   report.c      each budget's verdict, and its rows: NDJSON, a table,
 *                 GitHub workflow commands, Markdown
 */
#ifndef BUDGETGATE_H
#define BUDGETGATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "money.h"
#include "prices.h"
#include "records.h"
#include "strmap.h"
#include "timeutil.h"
#include "usage.h"

enum period_kind { P_DAY, P_WEEK, P_MONTH, P_TOTAL, P_ROLLING };

/* The call fields a budget's match can test. */
enum match_field { MF_AGENT, MF_TOOL, MF_MODEL, MF_TASK_ID, MF_STATUS, MF_COUNT };

enum budget_status { BS_OK, BS_SOFT, BS_HARD };

/* Limits are held exactly: dollars as pico-USD, tokens as integers. The
 * largest limit accepted keeps every product below 2^127. */
#define LIMIT_USD_MAX ((money_t)1000000000000000LL * PICO_PER_USD) /* 10^15 dollars */

struct budget {
	char *name;
	char *period;          /* as written: "day", "24h" */
	enum period_kind kind;
	int64_t rolling_ms;    /* P_ROLLING */
	struct tz *tz;
	bool has_limit_usd, has_limit_tokens, has_soft_usd, has_soft_tokens;
	money_t limit_usd, soft_usd;
	int64_t limit_tokens, soft_tokens;
	bool enforce_soft;     /* reaching the limit only warns */
	char **globs[MF_COUNT]; /* any of them matches; none: every call */
	size_t nglobs[MF_COUNT];
	bool has_match;
	/* The window at the instant asked about: [start, end); total has none. */
	bool has_start, has_end;
	int64_t start, end;
};

struct budgets {
	struct budget *v;
	size_t n;
	bool from_policies;    /* the origin's policies.yaml */
	char *profile;         /* the profile read from it */
};

struct budgets_opts {
	const char *profile;   /* policies.yaml: the profile (NULL: "default") */
	const char *timezone;  /* --timezone: the zone of budgets that name none */
};

struct budgets_error {
	long line, col;
	char message[512];
};

/* budgets_parse: a budgets file's text into budgets; false with the error's
 * position and message for anything invalid (exit 78 is the caller's). */
bool budgets_parse(const char *text, size_t len, const struct budgets_opts *o, struct budgets *out,
		   struct budgets_error *err);
void budgets_free(struct budgets *b);
/* Set each budget's window at the instant now. */
void budgets_windows(struct budgets *b, int64_t now);
/* Does the budget take this call (its match, not its window)? */
bool budget_matches(const struct budget *b, const struct call *c);

/* What was spent inside each budget's window. Tokens are 128-bit so that no
 * input can overflow them. */
struct budget_sum {
	money_t spent;
	__int128 tokens;
	int64_t calls;
	int64_t first_ts; /* INT64_MAX when none */
};

struct spend {
	const struct budgets *b;
	struct budget_sum *sum;   /* one per budget */
	struct strmap unpriced;   /* model -> calls without a price inside a dollar budget */
	int64_t undated;          /* calls without a time that a windowed budget takes */
	uint64_t bad_lines;
};

void spend_init(struct spend *s, const struct budgets *b);
void spend_free(struct spend *s);
/* Count a call, or a rollup cell of ncalls calls, in every budget that takes it. */
void spend_add(struct spend *s, const struct call *c, int64_t ncalls);
/* Both return an exit code: 0, or EXIT_NOINPUT when something could not be read. */
int spend_from_store(struct spend *s, const char *path, const struct price_table *prices);
int spend_from_inputs(struct spend *s, const struct usage_opts *uo, char **paths, int npaths, bool claude);

enum out_format { OUT_JSON, OUT_TABLE, OUT_GITHUB, OUT_MARKDOWN };

struct verdict {
	enum budget_status status;
	int64_t used_centi;     /* used_pct in hundredths of a percent, truncated */
	bool by_tokens;         /* the token limit is the nearer one */
	bool has_forecast;
	int64_t forecast;
};

void budget_verdict(const struct budget *b, const struct budget_sum *s, int64_t now, struct verdict *v);
/* The rows in the format asked for; returns the worst status as an exit
 * code, or EXIT_IOERR when the step summary could not be written. */
int report(const struct budgets *b, const struct spend *s, int64_t now, enum out_format f);
/* "Budget warning: daily spending at 81% of limit ($8.10 / $10.00)" */
void verdict_message(const struct budget *b, const struct budget_sum *s, const struct verdict *v,
		     struct buf *out);

#endif
