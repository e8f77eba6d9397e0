/* budgetgate.h: what the parts of budgetgate share.
 *
 *   budgetgate.c  options, main
 *   budgets.c     the budgets file (agentpipe's, or the origin's policies.yaml)
 *                 into budgets; their windows at an instant
 *   spend.c       the spend of every budget in one pass over the store or
 *                 over call records and Claude Code logs
 *   report.c      each budget's verdict, and its rows: NDJSON, a table,
 *                 GitHub workflow commands, Markdown
 *   stream.c      request records: --annotate adds the tightest budget's
 *                 state, --enforce denies what would cross a hard limit
 *   watch.c       --watch: check again every interval, write the rows that
 *                 changed
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
/* The text of a call's field as a match sees it ("" when missing; a call
 * without a status is a success). Not NUL-terminated. */
struct str call_field(const struct call *c, enum match_field f);
/* Does the budget's match take this text for field f? True when the budget
 * tests no glob on f. */
bool budget_field_matches(const struct budget *b, enum match_field f, const char *text);

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
	/* Which budgets take a call, by the values of the fields their globs
	 * test: fnmatch is asked once a combination, not once a call. */
	bool tested[MF_COUNT];
	struct strmap match_cache; /* key -> uint64_t set, one bit a budget */
	struct arena match_sets;
	struct buf key;
	struct strmap unpriced;   /* model -> calls without a price inside a dollar budget */
	int64_t undated;          /* calls without a time that a windowed budget takes */
	uint64_t bad_lines;
	/* From a store whose total rollup answers the total budgets, the calls
	 * come twice: every call once for those, the windows' for the rest. */
	enum { FEED_ALL, FEED_TOTAL, FEED_WINDOWS } feed;
};

void spend_init(struct spend *s, const struct budgets *b);
void spend_free(struct spend *s);
/* Count a call, or a rollup cell of ncalls calls, in every budget that takes it. */
void spend_add(struct spend *s, const struct call *c, int64_t ncalls);
/* Both return an exit code: 0, or EXIT_NOINPUT when something could not be read. */
int spend_from_store(struct spend *s, const char *path, const struct price_table *prices);
int spend_from_inputs(struct spend *s, const struct usage_opts *uo, char **paths, int npaths, bool claude);

/* Where the spend comes from: the store, or paths and Claude Code's logs. */
struct spend_source {
	const char *db;        /* NULL: the paths */
	const struct usage_opts *uo;
	char **paths;
	int npaths;
	bool claude;
};
/* Read it into s (freshly initialised); an exit code as above. */
int spend_read(struct spend *s, const struct spend_source *src, const struct price_table *prices);
/* Name on stderr the spend that could not be judged (unpriced models,
 * undated calls, bad lines); true when there was any. */
bool report_unreadable(const struct spend *s, bool lenient);
/* Call fn for each model of m (model -> count), in name order so that runs
 * compare, its name cut to 100 bytes and stripped for a terminal; returns
 * how many there were. */
typedef void (*unpriced_fn)(void *ctx, const char *model, long count);
size_t each_unpriced(const struct strmap *m, unpriced_fn fn, void *ctx);

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
/* "daily", "weekly", "monthly", "total", or the rolling period as written. */
void period_word(const struct budget *b, struct buf *out);
/* A count in decimal (grouped: "1,000"); a percentage in hundredths as
 * used_pct prints it ("81", "16.2", "1.06"). buf: 64 bytes. */
size_t count_text(__int128 v, char *buf, bool grouped);
size_t pct_text(int64_t centi, char *buf);
/* One budget's record, as check mode writes it, into out. */
void budget_row(const struct budget *b, const struct budget_sum *s, const struct verdict *v, struct buf *out);

/* --annotate and --enforce: request records from paths ("-" or none:
 * standard input) to standard output. Returns the exit code. */
enum stream_mode { STREAM_ANNOTATE, STREAM_ENFORCE };
struct stream_opts {
	enum stream_mode mode;
	char **paths;
	int npaths;
	bool lenient;
	int64_t now;
	const struct price_table *prices;
};
int stream_requests(const struct budgets *b, const struct spend *s, struct stream_opts *o);

/* --watch: check every interval_ms until a signal or a closed pipe. */
struct watch_opts {
	int64_t interval_ms;
	bool has_now;
	int64_t now;
	bool lenient;
	const struct spend_source *src;
	const struct price_table *prices;
};
int watch_budgets(struct budgets *b, const struct watch_opts *o);

#endif
