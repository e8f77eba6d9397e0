/* spend.c: what each budget's window holds, in one pass over the spend.
 * Every call (or rollup cell) is offered to every budget whose window holds
 * it and whose match takes it. From the store, the union of the windows is
 * read once, cut at every window edge so that each piece is answered by the
 * coarsest table that is still exact there: the daily or hourly rollup where
 * the piece's edges fall on UTC days or hours, the rows elsewhere. Total
 * budgets are answered apart from the total rollup where the store keeps
 * one, so that all time before the first window is never read. */
#include <stdlib.h>
#include <string.h>

#include "budgetgate.h"
#include "store.h"
#include "util.h"

void
spend_init(struct spend *s, const struct budgets *b)
{
	memset(s, 0, sizeof *s);
	s->b = b;
	s->sum = xcalloc(b->n ? b->n : 1, sizeof *s->sum);
	for (size_t i = 0; i < b->n; i++) {
		s->sum[i].first_ts = INT64_MAX;
		for (int f = 0; f < MF_COUNT; f++)
			if (b->v[i].nglobs[f])
				s->tested[f] = true;
	}
}

void
spend_free(struct spend *s)
{
	free(s->sum);
	strmap_free(&s->unpriced);
	strmap_free(&s->match_cache);
	arena_free(&s->match_sets);
	buf_free(&s->key);
	s->sum = NULL;
}

#define MATCH_CACHE_MAX 65536

/* The budgets that take the call, one bit each. */
static const uint64_t *
matching(struct spend *s, const struct call *c)
{
	s->key.len = 0;
	for (int f = 0; f < MF_COUNT; f++) {
		if (!s->tested[f])
			continue;
		struct str v = call_field(c, (enum match_field)f);
		uint32_t n = (uint32_t)v.n;
		buf_add(&s->key, &n, sizeof n);
		buf_add(&s->key, v.p, v.n);
	}
	const char *k = s->key.data ? s->key.data : "";
	struct strmap_slot *slot = strmap_find(&s->match_cache, k, s->key.len);
	if (slot)
		return slot->value;
	if (s->match_cache.count >= MATCH_CACHE_MAX) { /* many task ids: memory stays bounded */
		strmap_free(&s->match_cache);
		memset(&s->match_cache, 0, sizeof s->match_cache);
		arena_free(&s->match_sets);
	}
	size_t nw = (s->b->n + 63) / 64 + 1;
	uint64_t *set = arena_alloc(&s->match_sets, nw * sizeof *set);
	memset(set, 0, nw * sizeof *set);
	for (size_t i = 0; i < s->b->n; i++)
		if (budget_matches(&s->b->v[i], c))
			set[i / 64] |= (uint64_t)1 << (i % 64);
	strmap_put(&s->match_cache, k, s->key.len, NULL)->value = set;
	return set;
}

static __int128
tokens_of(const struct tokens *tk)
{
	return (__int128)tk->input + tk->output + tk->cache_read + tk->cache_write + tk->cache_write_1h;
}

static bool
in_window(const struct budget *b, const struct call *c)
{
	if (b->kind == P_TOTAL)
		return true;
	return c->has_ts && c->ts_ms >= b->start && c->ts_ms < b->end;
}

void
spend_add(struct spend *s, const struct call *c, int64_t ncalls)
{
	int64_t unpriced = c->unpriced ? ncalls : c->unpriced_calls;
	bool unpriced_counts = false, counted_before = false, undated = false;
	__int128 tk = tokens_of(&c->tk);
	const uint64_t *set = matching(s, c);
	for (size_t i = 0; i < s->b->n; i++) {
		const struct budget *b = &s->b->v[i];
		bool takes = set[i / 64] >> (i % 64) & 1;
		bool fed = s->feed == FEED_ALL || (s->feed == FEED_TOTAL) == (b->kind == P_TOTAL);
		if (!fed || !in_window(b, c)) {
			/* A call without a time cannot be placed: a gate must not
			 * pass over it in silence. */
			if (!c->has_ts && takes && b->kind != P_TOTAL)
				undated = true;
			/* Its missing price was named when the total took it. */
			if (!fed && takes && unpriced && b->has_limit_usd && b->kind == P_TOTAL)
				counted_before = true;
			continue;
		}
		if (!takes)
			continue;
		struct budget_sum *u = &s->sum[i];
		u->spent += c->cost;
		u->tokens += tk;
		u->calls += ncalls;
		if (c->has_ts && c->ts_ms < u->first_ts)
			u->first_ts = c->ts_ms;
		if (unpriced && b->has_limit_usd)
			unpriced_counts = true;
	}
	if (unpriced_counts && !counted_before) {
		struct str m = c->model.p ? c->model : (struct str){"(no model)", 10};
		struct strmap_slot *slot = strmap_put(&s->unpriced, m.p, m.n, NULL);
		slot->value = (void *)((intptr_t)slot->value + unpriced);
	}
	if (undated)
		s->undated += ncalls;
}

static void
spend_merge(struct spend *into, const struct spend *from)
{
	for (size_t i = 0; i < into->b->n; i++) {
		struct budget_sum *a = &into->sum[i];
		const struct budget_sum *b = &from->sum[i];
		a->spent += b->spent;
		a->tokens += b->tokens;
		a->calls += b->calls;
		if (b->first_ts < a->first_ts)
			a->first_ts = b->first_ts;
	}
	strmap_foreach(&from->unpriced, slot) {
		struct strmap_slot *d = strmap_put(&into->unpriced, slot->key, slot->len, NULL);
		d->value = (void *)((intptr_t)d->value + (intptr_t)slot->value);
	}
	into->undated += from->undated;
}

/* Call records and Claude Code logs, read as costsum reads them. */

static void
sink_call(void *p, const struct call *c, int sign, const struct call_src *src)
{
	(void)src;
	/* Only a followed Claude Code log takes a message back; budgetgate does
	 * not follow, so every call arrives once. */
	if (sign > 0)
		spend_add(p, c, 1);
}

#define MAX_SINKS 64

int
spend_from_inputs(struct spend *s, const struct usage_opts *uo, char **paths, int npaths, bool claude)
{
	struct spend *sinks = xcalloc(MAX_SINKS, sizeof *sinks);
	void *ptrs[MAX_SINKS];
	ptrs[0] = s;
	for (int i = 1; i < MAX_SINKS; i++) {
		spend_init(&sinks[i], s->b);
		ptrs[i] = &sinks[i];
	}
	struct usage_reader *r = usage_new(uo, sink_call, ptrs, MAX_SINKS);
	for (int i = 0; i < npaths; i++)
		usage_add_path(r, paths[i]);
	int status = EXIT_OK;
	if (claude && usage_add_claude_defaults(r) == 0 && npaths == 0) {
		warnx("no Claude Code logs found (CLAUDE_CONFIG_DIR, ~/.config/claude/projects, ~/.claude/projects)");
		status = EXIT_NOINPUT;
	}
	int run = usage_run(r, NULL);
	if (run != EXIT_OK)
		status = run;
	/* A gate never says ok about spend it never read. */
	if (status == EXIT_OK && usage_stats(r)->files == 0) {
		warnx("no input files: nothing to judge the budgets on");
		status = EXIT_NOINPUT;
	}
	for (int i = 1; i < usage_threads(r); i++)
		spend_merge(s, &sinks[i]);
	s->bad_lines += usage_stats(r)->bad;
	usage_free(r);
	for (int i = 1; i < MAX_SINKS; i++)
		spend_free(&sinks[i]);
	free(sinks);
	/* Bad lines are budgetgate's to judge (65 unless --lenient). */
	return status == EXIT_DATAERR ? EXIT_OK : status;
}

/* The store. */

enum piece_mode { PIECE_ROWS, PIECE_HOURLY, PIECE_DAILY };

struct piece {
	bool has_since, has_until;
	int64_t since, until;
	enum piece_mode mode;
};

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static bool
aligned(bool has, int64_t t, int64_t unit)
{
	return !has || t % unit == 0;
}

static void
add_piece(struct piece **v, size_t *n, size_t *cap, bool hs, int64_t since, bool hu, int64_t until,
	  enum piece_mode mode)
{
	if (hs && hu && since >= until)
		return;
	/* Next to a piece read the same way: one read for both. */
	if (*n && (*v)[*n - 1].mode == mode && (*v)[*n - 1].has_until && hs && (*v)[*n - 1].until == since) {
		(*v)[*n - 1].has_until = hu;
		(*v)[*n - 1].until = until;
		return;
	}
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*v = xreallocarray(*v, *cap, sizeof **v);
	}
	(*v)[(*n)++] = (struct piece){hs, hu, since, until, mode};
}

/* floor(t / unit) * unit and the same rounded up (times may precede 1970). */
static int64_t
floor_to(int64_t t, int64_t unit)
{
	int64_t q = t / unit - (t % unit < 0);
	return q * unit;
}

static int64_t
ceil_to(int64_t t, int64_t unit)
{
	int64_t f = floor_to(t, unit);
	return f == t ? t : f + unit;
}

/* An hour-aligned span: whole UTC days from the daily rollup, the hours at
 * its ends from the hourly one. */
static void
plan_hours(struct piece **v, size_t *n, size_t *cap, bool hs, int64_t a, bool hu, int64_t b, bool daily_ok)
{
	int64_t d_up = hs ? ceil_to(a, MS_PER_DAY) : a, d_down = hu ? floor_to(b, MS_PER_DAY) : b;
	if (!daily_ok || (hs && hu && d_up >= d_down)) {
		add_piece(v, n, cap, hs, a, hu, b, PIECE_HOURLY);
		return;
	}
	if (hs && d_up != a)
		add_piece(v, n, cap, true, a, true, d_up, PIECE_HOURLY);
	add_piece(v, n, cap, hs, d_up, hu, d_down, PIECE_DAILY);
	if (hu && d_down != b)
		add_piece(v, n, cap, true, d_down, true, b, PIECE_HOURLY);
}

/* A part of the union between two window edges: whole days and hours in
 * its middle (the rollups answer those), with rows at its unaligned ends. */
static void
plan_part(struct piece **v, size_t *n, size_t *cap, bool hs, int64_t a, bool hu, int64_t b, bool daily_ok)
{
	if (aligned(hs, a, MS_PER_HOUR) && aligned(hu, b, MS_PER_HOUR)) {
		plan_hours(v, n, cap, hs, a, hu, b, daily_ok);
		return;
	}
	/* Round inward to whole UTC hours. */
	int64_t a_up = hs ? ceil_to(a, MS_PER_HOUR) : a, b_down = hu ? floor_to(b, MS_PER_HOUR) : b;
	if (hs && hu && a_up >= b_down) {
		add_piece(v, n, cap, hs, a, hu, b, PIECE_ROWS);
		return;
	}
	if (hs && a_up != a)
		add_piece(v, n, cap, true, a, true, a_up, PIECE_ROWS);
	plan_hours(v, n, cap, hs, a_up, hu, b_down, daily_ok);
	if (hu && b_down != b)
		add_piece(v, n, cap, true, b_down, true, b, PIECE_ROWS);
}

/* The pieces that cover the union of the windows, in time order, and all
 * time around them when total budgets want it. */
static size_t
plan(const struct budgets *bs, bool total_parts, struct piece **out)
{
	size_t nedges = 0, npieces = 0, cap = 0;
	int64_t *e = xcalloc(2 * bs->n + 1, sizeof *e);
	bool total = false, daily_ok = true;
	for (size_t i = 0; i < bs->n; i++) {
		const struct budget *b = &bs->v[i];
		/* The daily rollups do not keep the task. */
		if (b->nglobs[MF_TASK_ID])
			daily_ok = false;
		if (b->kind == P_TOTAL) {
			total = total_parts;
			continue;
		}
		e[nedges++] = b->start;
		e[nedges++] = b->end;
	}
	qsort(e, nedges, sizeof *e, cmp_i64);
	size_t u = 0;
	for (size_t i = 0; i < nedges; i++)
		if (u == 0 || e[u - 1] != e[i])
			e[u++] = e[i];
	*out = NULL;
	if (total)
		plan_part(out, &npieces, &cap, false, 0, u > 0, u ? e[0] : 0, daily_ok);
	for (size_t i = 0; i + 1 < u; i++)
		plan_part(out, &npieces, &cap, true, e[i], true, e[i + 1], daily_ok);
	if (total && u > 0)
		plan_part(out, &npieces, &cap, true, e[u - 1], false, 0, daily_ok);
	free(e);
	return npieces;
}

static void
store_cell(void *p, const struct call *c, int64_t ncalls)
{
	spend_add(p, c, ncalls);
}

/* One read of the store into s; false, with store_errmsg, on an error. */
static bool
read_store(struct spend *s, struct store *st)
{
	/* The total rollup answers total budgets but those on the task, which it
	 * does not keep; then the windows are all that is left to read. */
	bool total = false, by_task = false, by_status = false, answered = false;
	for (size_t i = 0; i < s->b->n; i++) {
		if (s->b->v[i].kind == P_TOTAL) {
			total = true;
			by_task |= s->b->v[i].nglobs[MF_TASK_ID] > 0;
		}
		by_status |= s->b->v[i].nglobs[MF_STATUS] > 0;
	}
	bool ok = true;
	if (total && !by_task) {
		s->feed = FEED_TOTAL;
		ok = store_scan_total(st, store_cell, s, &answered);
	}
	s->feed = answered ? FEED_WINDOWS : FEED_ALL;
	struct piece *pieces;
	size_t n = plan(s->b, !answered, &pieces);
	for (size_t i = 0; i < n && ok; i++) {
		struct store_query q = {
			.has_since = pieces[i].has_since,
			.has_until = pieces[i].has_until,
			.since_ms = pieces[i].since,
			.until_ms = pieces[i].until,
			.rollup_ok = pieces[i].mode != PIECE_ROWS,
			.daily_ok = pieces[i].mode == PIECE_DAILY,
			.by_status = by_status,
			.exact = true,
		};
		int64_t max_id = 0;
		bool used_rollup;
		ok = store_scan(st, &q, store_cell, s, &max_id, &used_rollup);
	}
	free(pieces);
	/* Calls without a time: no window holds them, but a windowed budget
	 * that takes one cannot be judged. The total's reads meet them; with
	 * no total budget they are looked for. */
	if (!total && s->b->n && ok) {
		s->feed = FEED_WINDOWS;
		struct store_query q = {.undated = true};
		int64_t max_id = 0;
		bool used_rollup;
		ok = store_scan(st, &q, store_cell, s, &max_id, &used_rollup);
	}
	s->feed = FEED_ALL;
	return ok;
}

int
spend_from_store(struct spend *s, const char *path, const struct price_table *prices)
{
	char err[1024];
	struct store *st = store_open(path, false, err, sizeof err);
	if (!st) {
		warnx("%s", err);
		return EXIT_NOINPUT;
	}
	store_set_prices(st, prices);
	bool ok = store_read_begin(st) && read_store(s, st);
	if (!ok && store_overflowed(st)) {
		/* A rollup cell too large to be exact: the rows answer. */
		const struct budgets *b = s->b;
		spend_free(s);
		spend_init(s, b);
		store_rows_only(st);
		ok = read_store(s, st);
	}
	if (!ok)
		warnx("%s: %s", path, store_errmsg(st));
	store_read_end(st);
	store_close(st);
	return ok ? EXIT_OK : EXIT_NOINPUT;
}

int
spend_read(struct spend *s, const struct spend_source *src, const struct price_table *prices)
{
	if (src->db)
		return spend_from_store(s, src->db, prices);
	return spend_from_inputs(s, src->uo, src->paths, src->npaths, src->claude);
}
