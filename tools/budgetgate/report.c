/* report.c: each budget's verdict, and the rows that say it: NDJSON records,
 * a table for people, GitHub workflow commands (and the step summary), and
 * Markdown. Every comparison is on exact integers: pico-USD and tokens. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budgetgate.h"
#include "jsonout.h"
#include "util.h"

/* floor(x * 10000 / limit): hundredths of a percent, truncated, so that
 * 99.999% never shows as 100. */
static int64_t
centi_pct(__int128 x, __int128 limit)
{
	if (x <= 0 || limit <= 0)
		return 0;
	__int128 whole = x / limit;
	if (whole > 1000000000) /* past a billion percent: enough said */
		return INT64_C(1000000000) * 10000;
	return (int64_t)(whole * 10000 + (x % limit) * 10000 / limit);
}

/* When will spend at the window's rate so far reach limit? now + remaining *
 * elapsed / spent, rounded up to a whole second; false when it will not be
 * representable. */
static bool
reach_at(__int128 spent, __int128 limit, int64_t elapsed, int64_t now, int64_t *at)
{
	if (spent <= 0 || elapsed <= 0 || spent >= limit)
		return false;
	__int128 remaining = limit - spent;
	if (remaining > ((__int128)1 << 125) / elapsed)
		return false;
	__int128 dt = (remaining * elapsed + spent - 1) / spent;
	if (dt > INT64_C(253402300799000) - now) /* past the year 9999 */
		return false;
	int64_t t = now + (int64_t)dt;
	if (t % 1000)
		t += 1000 - t % 1000;
	*at = t;
	return true;
}

void
budget_verdict(const struct budget *b, const struct budget_sum *s, int64_t now, struct verdict *v)
{
	memset(v, 0, sizeof *v);
	bool hard = (b->has_limit_usd && s->spent >= b->limit_usd) ||
		    (b->has_limit_tokens && s->tokens >= b->limit_tokens);
	bool soft = (b->has_soft_usd && s->spent >= b->soft_usd) || (b->has_soft_tokens && s->tokens >= b->soft_tokens);
	v->status = hard ? (b->enforce_soft ? BS_SOFT : BS_HARD) : soft ? BS_SOFT : BS_OK;
	int64_t usd = b->has_limit_usd ? centi_pct(s->spent, b->limit_usd) : -1;
	int64_t tok = b->has_limit_tokens ? centi_pct(s->tokens, b->limit_tokens) : -1;
	v->by_tokens = tok > usd;
	v->used_centi = v->by_tokens ? tok : usd;
	/* The forecast: the burn rate of the window so far (its spend over the
	 * time since it began; for total, since its first call), carried on
	 * until a limit is reached, if that is before the window ends. A
	 * rolling window has none: at a steady rate its sum stays where it is. */
	if (hard || b->kind == P_ROLLING)
		return;
	int64_t from = b->kind == P_TOTAL ? s->first_ts : b->start;
	if (from == INT64_MAX || now <= from)
		return;
	int64_t elapsed = now - from, at, best = INT64_MAX;
	if (b->has_limit_usd && reach_at(s->spent, b->limit_usd, elapsed, now, &at) && at < best)
		best = at;
	if (b->has_limit_tokens && reach_at(s->tokens, b->limit_tokens, elapsed, now, &at) && at < best)
		best = at;
	if (best != INT64_MAX && (!b->has_end || best < b->end)) {
		v->has_forecast = true;
		v->forecast = best;
	}
}

size_t
pct_text(int64_t centi, char *buf)
{
	int n;
	if (centi % 100 == 0)
		n = sprintf(buf, "%lld", (long long)(centi / 100));
	else if (centi % 10 == 0)
		n = sprintf(buf, "%lld.%lld", (long long)(centi / 100), (long long)(centi % 100 / 10));
	else
		n = sprintf(buf, "%lld.%02lld", (long long)(centi / 100), (long long)(centi % 100));
	return (size_t)n;
}

/* A 128-bit count in decimal, with thousands separators when grouped. */
size_t
count_text(__int128 v, char *buf, bool grouped)
{
	char tmp[64];
	size_t n = 0, k = 0;
	bool neg = v < 0;
	unsigned __int128 u = neg ? (unsigned __int128)(-(v + 1)) + 1 : (unsigned __int128)v;
	do {
		if (grouped && n && n % 3 == 0)
			tmp[k++] = ',';
		tmp[k++] = (char)('0' + (int)(u % 10));
		u /= 10;
		n++;
	} while (u);
	size_t len = 0;
	if (neg)
		buf[len++] = '-';
	while (k)
		buf[len++] = tmp[--k];
	buf[len] = '\0';
	return len;
}

static const char *const status_names[] = {"ok", "soft", "hard"};

void
period_word(const struct budget *b, struct buf *out)
{
	switch (b->kind) {
	case P_DAY: buf_adds(out, "daily"); break;
	case P_WEEK: buf_adds(out, "weekly"); break;
	case P_MONTH: buf_adds(out, "monthly"); break;
	case P_TOTAL: buf_adds(out, "total"); break;
	case P_ROLLING: buf_adds(out, b->period); break;
	}
}

void
verdict_message(const struct budget *b, const struct budget_sum *s, const struct verdict *v, struct buf *out)
{
	char pct[32], x[MONEY_BUFSZ], y[MONEY_BUFSZ];
	/* The origin's words; the percentage is whole, truncated. */
	buf_adds(out, v->status == BS_HARD ? "Budget exceeded: " : "Budget warning: ");
	period_word(b, out);
	snprintf(pct, sizeof pct, "%lld", (long long)(v->used_centi / 100));
	if (v->by_tokens) {
		count_text(s->tokens, x, true);
		count_text(b->limit_tokens, y, true);
		buf_printf(out, " spending at %s%% of limit (%s / %s tokens)", pct, x, y);
	} else {
		money_format_cents(s->spent, x, true);
		money_format_cents(b->limit_usd, y, true);
		buf_printf(out, " spending at %s%% of limit ($%s / $%s)", pct, x, y);
	}
}

static void
jw_time(struct jw *w, const char *key, bool has, int64_t t)
{
	char buf[TIME_BUFSZ];
	if (!has) {
		jw_cstr(w, key, NULL);
		return;
	}
	time_format_rfc3339(t, buf, true);
	jw_cstr(w, key, buf);
}

void
budget_row(const struct budget *b, const struct budget_sum *s, const struct verdict *v, struct buf *out)
{
	struct jw w = {0};
	char tmp[64];
	jw_begin(&w);
	jw_cstr(&w, "kind", "budget");
	jw_cstr(&w, "name", b->name);
	jw_cstr(&w, "period", b->period);
	jw_cstr(&w, "timezone", tz_name(b->tz));
	jw_time(&w, "window_start", b->has_start, b->start);
	jw_time(&w, "window_end", b->has_end, b->end);
	jw_money(&w, "spent_usd", s->spent);
	if (b->has_limit_usd)
		jw_money(&w, "limit_usd", b->limit_usd);
	else
		jw_raw(&w, "limit_usd", "null", 4);
	if (b->has_soft_usd)
		jw_money(&w, "soft_usd", b->soft_usd);
	else
		jw_raw(&w, "soft_usd", "null", 4);
	jw_raw(&w, "spent_tokens", tmp, count_text(s->tokens, tmp, false));
	if (b->has_limit_tokens)
		jw_int(&w, "limit_tokens", b->limit_tokens);
	else
		jw_raw(&w, "limit_tokens", "null", 4);
	if (b->has_soft_tokens)
		jw_int(&w, "soft_tokens", b->soft_tokens);
	else
		jw_raw(&w, "soft_tokens", "null", 4);
	jw_raw(&w, "used_pct", tmp, pct_text(v->used_centi, tmp));
	jw_cstr(&w, "status", status_names[v->status]);
	jw_time(&w, "forecast_exhausted_at", v->has_forecast, v->forecast);
	jw_int(&w, "calls", s->calls);
	buf_add(&w.b, "}\n", 2);
	buf_add(out, w.b.data, w.b.len);
	jw_free(&w);
}

/* The cells of the table and of the Markdown table, one budget a row. */
enum { C_NAME, C_PERIOD, C_ZONE, C_START, C_SPENT, C_LIMIT, C_TOKENS, C_TLIMIT, C_USED, C_STATUS, C_FORECAST, NCOLS };
static const char *const headers[NCOLS] = {"budget", "period", "timezone", "window start", "spent",
					   "limit", "tokens", "token limit", "used", "status", "forecast"};

static void
cells(const struct budget *b, const struct budget_sum *s, const struct verdict *v, char c[NCOLS][80])
{
	char tmp[MONEY_BUFSZ];
	snprintf(c[C_NAME], 80, "%s", b->name);
	strip_controls(c[C_NAME]);
	snprintf(c[C_PERIOD], 80, "%s", b->period);
	snprintf(c[C_ZONE], 80, "%s", tz_name(b->tz));
	if (b->has_start)
		time_format_rfc3339(b->start, c[C_START], false);
	else
		snprintf(c[C_START], 80, "-");
	money_format_cents(s->spent, tmp, true);
	snprintf(c[C_SPENT], 80, "$%s", tmp);
	if (b->has_limit_usd) {
		money_format_cents(b->limit_usd, tmp, true);
		snprintf(c[C_LIMIT], 80, "$%s", tmp);
	} else
		snprintf(c[C_LIMIT], 80, "-");
	count_text(s->tokens, c[C_TOKENS], true);
	if (b->has_limit_tokens)
		count_text(b->limit_tokens, c[C_TLIMIT], true);
	else
		snprintf(c[C_TLIMIT], 80, "-");
	size_t n = pct_text(v->used_centi, c[C_USED]);
	c[C_USED][n] = '%';
	c[C_USED][n + 1] = '\0';
	snprintf(c[C_STATUS], 80, "%s", status_names[v->status]);
	if (v->has_forecast)
		time_format_rfc3339(v->forecast, c[C_FORECAST], false);
	else
		snprintf(c[C_FORECAST], 80, "-");
}

static bool
numeric_col(int k)
{
	return k == C_SPENT || k == C_LIMIT || k == C_TOKENS || k == C_TLIMIT || k == C_USED;
}

static void
print_table(const struct budgets *bs, const struct spend *s, const struct verdict *v)
{
	char(*c)[NCOLS][80] = xcalloc(bs->n, sizeof *c);
	size_t w[NCOLS];
	for (int k = 0; k < NCOLS; k++)
		w[k] = strlen(headers[k]);
	for (size_t i = 0; i < bs->n; i++) {
		cells(&bs->v[i], &s->sum[i], &v[i], c[i]);
		for (int k = 0; k < NCOLS; k++)
			if (strlen(c[i][k]) > w[k])
				w[k] = strlen(c[i][k]);
	}
	struct buf out = {0};
	for (size_t i = 0; i <= bs->n; i++) {
		for (int k = 0; k < NCOLS; k++) {
			const char *t = i == 0 ? headers[k] : c[i - 1][k];
			int pad = (int)(w[k] - strlen(t));
			if (numeric_col(k))
				buf_printf(&out, "%s%*s%s", k ? "  " : "", pad, "", t);
			else if (k == NCOLS - 1)
				buf_printf(&out, "%s%s", k ? "  " : "", t);
			else
				buf_printf(&out, "%s%s%*s", k ? "  " : "", t, pad, "");
		}
		buf_addc(&out, '\n');
	}
	bool any = false;
	for (size_t i = 0; i < bs->n; i++) {
		if (v[i].status == BS_OK)
			continue;
		if (!any)
			buf_addc(&out, '\n');
		any = true;
		/* Named, since several budgets may share a period. */
		buf_printf(&out, "%s: ", bs->v[i].name);
		verdict_message(&bs->v[i], &s->sum[i], &v[i], &out);
		buf_addc(&out, '\n');
	}
	out_write(out.data, out.len);
	buf_free(&out);
	free(c);
}

static void
markdown_table(const struct budgets *bs, const struct spend *s, const struct verdict *v, struct buf *out)
{
	for (int k = 0; k < NCOLS; k++)
		buf_printf(out, "| %s ", headers[k]);
	buf_adds(out, "|\n");
	for (int k = 0; k < NCOLS; k++)
		buf_adds(out, numeric_col(k) ? "| ---: " : "| --- ");
	buf_adds(out, "|\n");
	char c[NCOLS][80];
	for (size_t i = 0; i < bs->n; i++) {
		cells(&bs->v[i], &s->sum[i], &v[i], c);
		for (int k = 0; k < NCOLS; k++) {
			buf_adds(out, "| ");
			for (const char *p = c[k]; *p; p++) {
				if (*p == '|' || *p == '\\' || *p == '`' || *p == '*' || *p == '_' || *p == '<')
					buf_addc(out, '\\');
				buf_addc(out, *p);
			}
			buf_addc(out, ' ');
		}
		buf_adds(out, "|\n");
	}
}

/* GitHub's workflow command escaping: data escapes %, CR and LF; a
 * property's value also : and ,. */
static void
gh_escape(struct buf *out, const char *s, bool property)
{
	for (; *s; s++) {
		switch (*s) {
		case '%': buf_adds(out, "%25"); break;
		case '\r': buf_adds(out, "%0D"); break;
		case '\n': buf_adds(out, "%0A"); break;
		case ':':
			if (property)
				buf_adds(out, "%3A");
			else
				buf_addc(out, ':');
			break;
		case ',':
			if (property)
				buf_adds(out, "%2C");
			else
				buf_addc(out, ',');
			break;
		default:
			/* Other control characters would reach a log as they are. */
			if ((unsigned char)*s >= 0x20 && *s != 0x7f)
				buf_addc(out, *s);
		}
	}
}

static int
github(const struct budgets *bs, const struct spend *s, const struct verdict *v)
{
	struct buf out = {0}, msg = {0}, title = {0};
	for (size_t i = 0; i < bs->n; i++) {
		if (v[i].status == BS_OK)
			continue;
		msg.len = title.len = 0;
		buf_adds(&title, "Budget ");
		buf_adds(&title, bs->v[i].name);
		verdict_message(&bs->v[i], &s->sum[i], &v[i], &msg);
		buf_adds(&out, v[i].status == BS_HARD ? "::error title=" : "::warning title=");
		gh_escape(&out, title.data, true);
		buf_adds(&out, "::");
		gh_escape(&out, msg.data, false);
		buf_addc(&out, '\n');
	}
	if (out.len)
		out_write(out.data, out.len);
	buf_free(&out);
	buf_free(&msg);
	buf_free(&title);
	/* The job's summary page: a table of every budget. */
	const char *path = getenv("GITHUB_STEP_SUMMARY");
	if (!path || !*path)
		return EXIT_OK;
	struct buf md = {0};
	buf_adds(&md, "### Budgets\n\n");
	markdown_table(bs, s, v, &md);
	buf_addc(&md, '\n');
	FILE *f = fopen(path, "a");
	bool ok = f && fwrite(md.data, 1, md.len, f) == md.len;
	int saved = errno;
	if (f && fclose(f) != 0) {
		saved = errno;
		ok = false;
	}
	buf_free(&md);
	if (!ok) {
		warnx("GITHUB_STEP_SUMMARY: %s: %s", path, strerror(saved));
		return EXIT_IOERR;
	}
	return EXIT_OK;
}

int
report(const struct budgets *bs, const struct spend *s, int64_t now, enum out_format f)
{
	struct verdict *v = xcalloc(bs->n ? bs->n : 1, sizeof *v);
	int worst = EXIT_OK;
	for (size_t i = 0; i < bs->n; i++) {
		budget_verdict(&bs->v[i], &s->sum[i], now, &v[i]);
		int code = v[i].status == BS_HARD ? EXIT_HARD : v[i].status == BS_SOFT ? EXIT_SOFT : EXIT_OK;
		if (code > worst)
			worst = code;
	}
	out_on_epipe(worst);
	int status = EXIT_OK;
	switch (f) {
	case OUT_JSON: {
		struct buf rows = {0};
		for (size_t i = 0; i < bs->n; i++)
			budget_row(&bs->v[i], &s->sum[i], &v[i], &rows);
		out_write(rows.data, rows.len);
		buf_free(&rows);
		break;
	}
	case OUT_TABLE: print_table(bs, s, v); break;
	case OUT_GITHUB: status = github(bs, s, v); break;
	case OUT_MARKDOWN: {
		struct buf md = {0};
		markdown_table(bs, s, v, &md);
		out_write(md.data, md.len);
		buf_free(&md);
		break;
	}
	}
	free(v);
	return status ? status : worst;
}

static int
cmp_slot(const void *a, const void *b)
{
	const struct strmap_slot *x = *(const struct strmap_slot *const *)a, *y = *(const struct strmap_slot *const *)b;
	return strcmp(x->key, y->key);
}

size_t
each_unpriced(const struct strmap *m, unpriced_fn fn, void *ctx)
{
	const struct strmap_slot **v = xcalloc(m->count + 1, sizeof *v);
	size_t n = 0;
	strmap_foreach(m, slot) v[n++] = slot;
	qsort(v, n, sizeof *v, cmp_slot);
	for (size_t i = 0; i < n; i++) {
		char name[128];
		snprintf(name, sizeof name, "%.*s", (int)(v[i]->len > 100 ? 100 : v[i]->len), v[i]->key);
		strip_controls(name);
		fn(ctx, name, (long)(intptr_t)v[i]->value);
	}
	free(v);
	return n;
}

static void
warn_unpriced_calls(void *ctx, const char *model, long calls)
{
	warnx("no price for model '%s' (%ld call%s in a budget): %s", model, calls, calls == 1 ? "" : "s",
	      *(const bool *)ctx ? "counted as $0 (--lenient)" : "the gate cannot judge it");
}

bool
report_unreadable(const struct spend *s, bool lenient)
{
	size_t n = each_unpriced(&s->unpriced, warn_unpriced_calls, &lenient);
	if (s->undated)
		warnx("%lld call%s without a time: no window can hold %s (%s)", (long long)s->undated,
		      s->undated == 1 ? "" : "s", s->undated == 1 ? "it" : "them",
		      lenient ? "left out" : s->undated == 1 ? "the gate cannot judge it" : "the gate cannot judge them");
	if (s->bad_lines)
		warnx("%llu bad line%s skipped: %s", (unsigned long long)s->bad_lines, s->bad_lines == 1 ? "" : "s",
		      lenient ? "--lenient" : "the gate cannot judge what they spent");
	return n || s->undated || s->bad_lines;
}
