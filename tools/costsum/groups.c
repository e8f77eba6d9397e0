/* groups.c: sums by group, and the rows that say them. A group's key is its
 * dimension values encoded one after another: a time as 8 bytes, a string as
 * a tag byte, a 4-byte length and the bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costsum.h"
#include "jsonout.h"

#define TAG_NULL 0
#define TAG_STR 1
#define TAG_RAW 2 /* the JSON text of a non-string value */

static const struct {
	const char *name;
	enum dim_kind kind;
	enum period_unit unit;
} dim_names[] = {
	{"hour", D_PERIOD, PERIOD_HOUR},
	{"day", D_PERIOD, PERIOD_DAY},
	{"week", D_PERIOD, PERIOD_WEEK},
	{"month", D_PERIOD, PERIOD_MONTH},
	{"year", D_PERIOD, PERIOD_YEAR},
	{"block", D_BLOCK, 0},
	{"agent", D_AGENT, 0},
	{"tool", D_TOOL, 0},
	{"model", D_MODEL, 0},
	{"task_id", D_TASK, 0},
	{"task", D_TASK, 0},
	{"status", D_STATUS, 0},
	{"session", D_SESSION, 0},
	{"project", D_PROJECT, 0},
	{"id", D_ID, 0},
};

bool
dims_parse(struct costsum *o, const char *list, char *err, size_t errlen)
{
	char *copy = xstrdup(list), *save = NULL;
	bool ok = true;
	for (char *tok = strtok_r(copy, ",", &save); tok && ok; tok = strtok_r(NULL, ",", &save)) {
		if (o->ndims == MAX_DIMS) {
			snprintf(err, errlen, "at most %d fields", MAX_DIMS);
			ok = false;
			break;
		}
		struct dim d = {.kind = D_EXTRA};
		for (size_t i = 0; i < sizeof dim_names / sizeof dim_names[0]; i++)
			if (strcmp(tok, dim_names[i].name) == 0) {
				d.kind = dim_names[i].kind;
				d.unit = dim_names[i].unit;
				d.name = d.kind == D_TASK ? "task_id" : dim_names[i].name;
			}
		if (d.kind == D_EXTRA) {
			/* Any other field of a call record, read by name. */
			if (!*tok || strspn(tok, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") !=
					     strlen(tok)) {
				snprintf(err, errlen, "'%s' is not a field name", tok);
				ok = false;
				break;
			}
			if (o->nextra == JSCAN_MAX_EXTRA) {
				snprintf(err, errlen, "at most %d other fields", JSCAN_MAX_EXTRA);
				ok = false;
				break;
			}
			d.extra = (int)o->nextra;
			o->extra_names[o->nextra++] = xstrdup(tok);
			d.name = o->extra_names[d.extra];
		}
		for (size_t i = 0; i < o->ndims; i++)
			if (strcmp(o->dims[i].name, d.name) == 0) {
				snprintf(err, errlen, "'%s' is named twice", tok);
				ok = false;
			}
		if (d.kind == D_BLOCK && o->has_block)
			ok = false;
		o->has_block |= d.kind == D_BLOCK;
		o->has_time |= d.kind == D_PERIOD || d.kind == D_BLOCK;
		o->dims[o->ndims++] = d;
	}
	free(copy);
	return ok;
}

void
dims_free(struct costsum *o)
{
	for (size_t i = 0; i < o->nextra; i++)
		free(o->extra_names[i]);
}

void
groups_init(struct groups *g, const struct costsum *o)
{
	memset(g, 0, sizeof *g);
	g->o = o;
	for (size_t i = 0; i < MAX_DIMS; i++)
		g->period_start[i] = g->period_end[i] = INT64_MIN; /* empty */
}

void
groups_free(struct groups *g)
{
	strmap_free(&g->map);
	strmap_free(&g->unpriced);
	strmap_free(&g->keys);
	arena_free(&g->mem);
	free(g->be);
	buf_free(&g->key);
}

bool
in_range(const struct costsum *o, const struct call *c)
{
	if (o->has_since && (!c->has_ts || c->ts_ms < o->since_ms))
		return false;
	if (o->has_until && (!c->has_ts || c->ts_ms >= o->until_ms))
		return false;
	return true;
}

static void
key_time(struct buf *k, int64_t v)
{
	buf_add(k, &v, sizeof v);
}

static void
key_str(struct buf *k, int tag, const char *p, size_t n)
{
	buf_addc(k, (char)tag);
	uint32_t len = (uint32_t)n;
	buf_add(k, &len, sizeof len);
	if (n)
		buf_add(k, p, n);
}

static void
key_field(struct buf *k, struct str s)
{
	if (s.p)
		key_str(k, TAG_STR, s.p, s.n);
	else
		key_str(k, TAG_NULL, NULL, 0);
}

#define NO_TIME INT64_MIN

static int64_t
period_start(struct groups *g, size_t dim, const struct call *c)
{
	if (!c->has_ts)
		return NO_TIME;
	if (c->ts_ms < g->period_start[dim] || c->ts_ms >= g->period_end[dim])
		tz_period(g->o->tz, g->o->dims[dim].unit, c->ts_ms, &g->period_start[dim], &g->period_end[dim]);
	return g->period_start[dim];
}

/* The key of a call, without its block (added later, once blocks are known). */
static void
encode_key(struct groups *g, const struct call *c, const struct jfacts *facts)
{
	const struct costsum *o = g->o;
	struct buf *k = &g->key;
	k->len = 0;
	for (size_t i = 0; i < o->ndims; i++) {
		const struct dim *d = &o->dims[i];
		switch (d->kind) {
		case D_PERIOD: key_time(k, period_start(g, i, c)); break;
		case D_BLOCK: break;
		case D_AGENT: key_field(k, c->agent); break;
		case D_TOOL: key_field(k, c->tool); break;
		case D_MODEL: key_field(k, c->model); break;
		case D_TASK: key_field(k, c->task_id); break;
		case D_STATUS: key_field(k, c->status_text); break;
		case D_SESSION: key_field(k, c->session); break;
		case D_PROJECT: key_field(k, c->project); break;
		case D_ID: key_field(k, c->id); break;
		case D_EXTRA: {
			const struct jval *v = facts ? &facts->extra[d->extra] : NULL;
			if (!v || v->t == J_ABSENT || v->t == J_NULL)
				key_str(k, TAG_NULL, NULL, 0);
			else
				key_str(k, v->t == J_STRING ? TAG_STR : TAG_RAW, v->s, v->n);
			break;
		}
		}
	}
	if (k->len == 0)
		buf_reserve(k, 1);
}

static struct acc *
acc_for(struct groups *g, const char *key, size_t n)
{
	int added;
	struct strmap_slot *s = strmap_put(&g->map, key, n, &added);
	if (added) {
		struct acc *a = arena_alloc(&g->mem, sizeof *a);
		memset(a, 0, sizeof *a);
		a->first_ts = INT64_MAX;
		a->last_ts = INT64_MIN;
		s->value = a;
	}
	return s->value;
}

static void
acc_add(struct acc *a, const struct tokens *tk, money_t cost, int64_t ncalls, int64_t unpriced, int64_t ts,
	bool has_ts, int sign)
{
	a->calls += sign * ncalls;
	a->unpriced += sign * unpriced;
	a->tk.input += sign * tk->input;
	a->tk.output += sign * tk->output;
	a->tk.cache_read += sign * tk->cache_read;
	a->tk.cache_write += sign * tk->cache_write;
	a->tk.cache_write_1h += sign * tk->cache_write_1h;
	a->cost += sign * cost;
	if (has_ts && sign > 0) {
		if (ts < a->first_ts)
			a->first_ts = ts;
		if (ts > a->last_ts)
			a->last_ts = ts;
	}
	a->dirty = true;
}

static void
count_unpriced(struct groups *g, const struct call *c, int64_t unpriced)
{
	struct str m = c->model.p ? c->model : (struct str){"(no model)", 10};
	struct strmap_slot *s = strmap_put(&g->unpriced, m.p, m.n, NULL);
	s->value = (void *)((intptr_t)s->value + unpriced);
}

void
groups_note_unpriced(struct groups *g, const struct call *c)
{
	if (c->unpriced)
		count_unpriced(g, c, 1);
}

void
groups_add(struct groups *g, const struct call *c, int64_t ncalls, int sign, const struct jfacts *facts)
{
	if (!in_range(g->o, c))
		return;
	int64_t unpriced = c->unpriced ? ncalls : c->unpriced_calls;
	if (unpriced)
		count_unpriced(g, c, sign * unpriced);
	g->unsplit |= c->unsplit;
	acc_add(&g->total, &c->tk, c->cost, ncalls, unpriced, c->ts_ms, c->has_ts, sign);
	encode_key(g, c, facts);
	if (!g->o->has_block) {
		acc_add(acc_for(g, g->key.data, g->key.len), &c->tk, c->cost, ncalls, unpriced, c->ts_ms, c->has_ts,
			sign);
		return;
	}
	if (!c->has_ts)
		return;
	/* Blocks depend on every call before: keep the call, group at print. */
	if (g->nbe == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 1024;
		g->be = xreallocarray(g->be, g->cap, sizeof *g->be);
	}
	struct strmap_slot *ks = strmap_put(&g->keys, g->key.data, g->key.len, NULL);
	g->be[g->nbe++] = (struct bentry){
		.ts = c->ts_ms,
		.key = ks->key,
		.keylen = ks->len,
		.ncalls = sign * ncalls,
		.unpriced = sign * unpriced,
		.tk = c->tk,
		.cost = c->cost,
	};
	if (sign < 0) {
		struct bentry *e = &g->be[g->nbe - 1];
		e->tk.input = -e->tk.input;
		e->tk.output = -e->tk.output;
		e->tk.cache_read = -e->tk.cache_read;
		e->tk.cache_write = -e->tk.cache_write;
		e->tk.cache_write_1h = -e->tk.cache_write_1h;
		e->cost = -e->cost;
	}
	g->blocks_dirty = true;
}

void
groups_merge(struct groups *into, struct groups *from)
{
	strmap_foreach(&from->map, s) {
		struct acc *a = s->value, *b = acc_for(into, s->key, s->len);
		acc_add(b, &a->tk, a->cost, a->calls, a->unpriced, a->first_ts, a->first_ts != INT64_MAX, 1);
		if (a->last_ts > b->last_ts)
			b->last_ts = a->last_ts;
	}
	struct acc *t = &from->total;
	acc_add(&into->total, &t->tk, t->cost, t->calls, t->unpriced, t->first_ts, t->first_ts != INT64_MAX, 1);
	if (t->last_ts > into->total.last_ts)
		into->total.last_ts = t->last_ts;
	strmap_foreach(&from->unpriced, s) {
		struct strmap_slot *d = strmap_put(&into->unpriced, s->key, s->len, NULL);
		d->value = (void *)((intptr_t)d->value + (intptr_t)s->value);
	}
	for (size_t i = 0; i < from->nbe; i++) {
		struct bentry e = from->be[i];
		struct strmap_slot *ks = strmap_put(&into->keys, e.key, e.keylen, NULL);
		e.key = ks->key;
		if (into->nbe == into->cap) {
			into->cap = into->cap ? into->cap * 2 : 1024;
			into->be = xreallocarray(into->be, into->cap, sizeof *into->be);
		}
		into->be[into->nbe++] = e;
		into->blocks_dirty = true;
	}
}

static int
cmp_bentry(const void *a, const void *b)
{
	const struct bentry *x = a, *y = b;
	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

/* 5-hour blocks, as Claude's usage limits run: a block starts at its first
 * call's hour (UTC) and takes the calls of the next five hours; a call more
 * than five hours after the block's start or after the call before it starts
 * a new block. */
static void
build_blocks(struct groups *g)
{
	if (!g->blocks_dirty)
		return;
	g->blocks_dirty = false;
	/* The groups are rebuilt from the kept calls. */
	strmap_free(&g->map);
	arena_free(&g->mem);
	if (g->nbe)
		qsort(g->be, g->nbe, sizeof *g->be, cmp_bentry);
	int64_t start = INT64_MIN, prev = INT64_MIN;
	struct buf k = {0};
	for (size_t i = 0; i < g->nbe; i++) {
		struct bentry *e = &g->be[i];
		if (start == INT64_MIN || e->ts - start > BLOCK_MS || e->ts - prev > BLOCK_MS) {
			start = e->ts - ((e->ts % MS_PER_HOUR) + MS_PER_HOUR) % MS_PER_HOUR;
		}
		prev = e->ts;
		k.len = 0;
		buf_add(&k, &start, sizeof start);
		buf_add(&k, e->key, e->keylen);
		struct acc *a = acc_for(g, k.data, k.len);
		int sign = e->ncalls < 0 ? -1 : 1;
		struct tokens tk = e->tk;
		if (sign < 0) {
			tk.input = -tk.input;
			tk.output = -tk.output;
			tk.cache_read = -tk.cache_read;
			tk.cache_write = -tk.cache_write;
			tk.cache_write_1h = -tk.cache_write_1h;
		}
		acc_add(a, &tk, sign < 0 ? -e->cost : e->cost, sign * e->ncalls, sign * e->unpriced, e->ts, true, sign);
	}
	buf_free(&k);
}

/* A decoded key. */
struct val {
	int tag;       /* TAG_*, or -1 for a time */
	int64_t t;
	const char *p;
	uint32_t n;
};

struct row {
	struct val v[MAX_DIMS];
	struct acc *a;
};

static void
decode_key(const struct costsum *o, const char *k, struct val *out)
{
	int64_t block = 0;
	if (o->has_block) {
		memcpy(&block, k, 8);
		k += 8;
	}
	for (size_t i = 0; i < o->ndims; i++) {
		const struct dim *d = &o->dims[i];
		if (d->kind == D_BLOCK) {
			out[i] = (struct val){.tag = -1, .t = block};
		} else if (d->kind == D_PERIOD) {
			int64_t t;
			memcpy(&t, k, 8);
			k += 8;
			out[i] = (struct val){.tag = -1, .t = t};
		} else {
			uint32_t n;
			out[i].tag = (unsigned char)k[0];
			memcpy(&n, k + 1, 4);
			out[i].p = k + 5;
			out[i].n = n;
			k += 5 + n;
		}
	}
}

static size_t sort_ndims;

static int
cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	for (size_t i = 0; i < sort_ndims; i++) {
		const struct val *p = &x->v[i], *q = &y->v[i];
		if (p->tag == -1) {
			if (p->t != q->t)
				return p->t < q->t ? -1 : 1;
			continue;
		}
		if ((p->tag == TAG_NULL) != (q->tag == TAG_NULL))
			return p->tag == TAG_NULL ? -1 : 1;
		uint32_t n = p->n < q->n ? p->n : q->n;
		int c = n ? memcmp(p->p, q->p, n) : 0;
		if (c)
			return c;
		if (p->n != q->n)
			return p->n < q->n ? -1 : 1;
	}
	return 0;
}

static void
val_text(const struct costsum *o, const struct dim *d, const struct val *v, struct buf *b)
{
	b->len = 0;
	if (v->tag == -1) {
		char tmp[TIME_BUFSZ];
		if (v->t == NO_TIME) {
			buf_adds(b, "-");
			return;
		}
		if (d->kind == D_BLOCK)
			time_format_rfc3339(v->t, tmp, false);
		else
			tz_period_label(o->tz, d->unit, v->t, tmp);
		buf_adds(b, tmp);
		return;
	}
	if (v->tag == TAG_NULL)
		buf_adds(b, "-");
	else
		buf_add(b, v->p, v->n);
	buf_addc(b, '\0');
	b->len--;
	strip_controls(b->data);
	b->len = strlen(b->data);
}

static void
json_row(const struct costsum *o, const struct row *r, const struct acc *a, bool total, bool unsplit)
{
	struct jw w = {0};
	jw_begin(&w);
	jw_cstr(&w, "kind", "cost");
	if (total)
		jw_bool(&w, "total", true);
	for (size_t i = 0; r && i < o->ndims; i++) {
		const struct dim *d = &o->dims[i];
		const struct val *v = &r->v[i];
		char tmp[TIME_BUFSZ];
		if (d->kind == D_BLOCK) {
			time_format_rfc3339(v->t, tmp, false);
			jw_cstr(&w, "block_start", tmp);
			time_format_rfc3339(v->t + BLOCK_MS, tmp, false);
			jw_cstr(&w, "block_end", tmp);
		} else if (v->tag == -1) {
			if (v->t == NO_TIME)
				jw_cstr(&w, d->name, NULL);
			else {
				tz_period_label(o->tz, d->unit, v->t, tmp);
				jw_cstr(&w, d->name, tmp);
			}
		} else if (v->tag == TAG_NULL)
			jw_cstr(&w, d->name, NULL);
		else if (v->tag == TAG_RAW)
			jw_raw(&w, d->name, v->p, v->n);
		else
			jw_str(&w, d->name, (struct str){v->p, v->n});
	}
	jw_int(&w, "calls", a->calls);
	if (unsplit) {
		/* The origin's daily_costs keeps one token count: no breakdown. */
		static const char *const parts[] = {"input_tokens", "output_tokens", "cache_read_tokens",
						    "cache_write_tokens", "cache_write_1h_tokens"};
		for (size_t i = 0; i < 5; i++)
			jw_cstr(&w, parts[i], NULL);
	} else {
		jw_int(&w, "input_tokens", a->tk.input);
		jw_int(&w, "output_tokens", a->tk.output);
		jw_int(&w, "cache_read_tokens", a->tk.cache_read);
		jw_int(&w, "cache_write_tokens", a->tk.cache_write);
		jw_int(&w, "cache_write_1h_tokens", a->tk.cache_write_1h);
	}
	jw_int(&w, "total_tokens", tokens_total(&a->tk));
	jw_money(&w, "cost_usd", a->cost);
	if (a->unpriced) {
		jw_bool(&w, "unpriced", true);
		jw_int(&w, "unpriced_calls", a->unpriced);
	}
	if (o->has_block && r) {
		char tmp[TIME_BUFSZ];
		time_format_rfc3339(a->first_ts, tmp, true);
		jw_cstr(&w, "first_ts", tmp);
		time_format_rfc3339(a->last_ts, tmp, true);
		jw_cstr(&w, "last_ts", tmp);
	}
	if (o->has_time || o->has_since || o->has_until)
		jw_cstr(&w, "timezone", tz_name(o->tz));
	if (unsplit)
		jw_cstr(&w, "source", "daily_costs");
	jw_end(&w);
	jw_free(&w);
}

/* People's formats: aligned columns or a Markdown table. */
#define NUM_COLS 7

static void
fmt_int(int64_t v, char *buf)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof tmp, "%lld", (long long)(v < 0 ? -v : v));
	char *p = buf;
	if (v < 0)
		*p++ = '-';
	for (int i = 0; i < n; i++) {
		*p++ = tmp[i];
		if ((n - i - 1) % 3 == 0 && i != n - 1)
			*p++ = ',';
	}
	*p = '\0';
}

static void
cells_for(const struct acc *a, char cells[NUM_COLS][48], bool unsplit)
{
	fmt_int(a->calls, cells[0]);
	fmt_int(a->tk.input, cells[1]);
	fmt_int(a->tk.output, cells[2]);
	fmt_int(a->tk.cache_read, cells[3]);
	fmt_int(a->tk.cache_write + a->tk.cache_write_1h, cells[4]);
	if (unsplit)
		for (int i = 1; i <= 4; i++)
			strcpy(cells[i], "-");
	fmt_int(tokens_total(&a->tk), cells[5]);
	money_format_cents(a->cost, cells[6], true);
	if (a->unpriced)
		strcat(cells[6], "*");
}

static size_t
utf8_width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80;
	return w;
}

static void
pad_out(struct buf *b, const char *s, size_t width, bool right)
{
	size_t w = utf8_width(s);
	if (right)
		for (size_t i = w; i < width; i++)
			buf_addc(b, ' ');
	buf_adds(b, s);
	if (!right)
		for (size_t i = w; i < width; i++)
			buf_addc(b, ' ');
}

static void
print_table(const struct costsum *o, struct row *rows, size_t n, const struct acc *total, bool unsplit)
{
	static const char *const heads[NUM_COLS] = {"Calls", "Input", "Output", "Cache read", "Cache write",
						    "Total tokens", "Cost (USD)"};
	size_t ncols = o->ndims + NUM_COLS;
	size_t nlines = n + (o->total ? 1 : 0);
	char ***cell = xcalloc(nlines + 1, sizeof *cell);
	size_t *width = xcalloc(ncols, sizeof *width);
	struct buf tmp = {0};
	bool any_unpriced = total->unpriced > 0;
	for (size_t l = 0; l <= nlines; l++) {
		cell[l] = xcalloc(ncols, sizeof **cell);
		char nums[NUM_COLS][48];
		const struct acc *a = l == 0 ? NULL : l <= n ? rows[l - 1].a : total;
		if (a)
			cells_for(a, nums, unsplit);
		for (size_t c = 0; c < ncols; c++) {
			if (l == 0)
				cell[l][c] = xstrdup(c < o->ndims ? o->dims[c].name : heads[c - o->ndims]);
			else if (c >= o->ndims)
				cell[l][c] = xstrdup(nums[c - o->ndims]);
			else if (l > n)
				cell[l][c] = xstrdup(c == 0 ? "Total" : "");
			else {
				val_text(o, &o->dims[c], &rows[l - 1].v[c], &tmp);
				cell[l][c] = xstrdup(tmp.data ? tmp.data : "");
			}
			size_t w = utf8_width(cell[l][c]);
			if (w > width[c])
				width[c] = w;
		}
	}
	bool color = o->format == OUT_TABLE && isatty_stdout() && !getenv("NO_COLOR");
	struct buf b = {0};
	for (size_t l = 0; l <= nlines; l++) {
		b.len = 0;
		bool bold = color && (l == 0 || l > n);
		if (o->format == OUT_MARKDOWN)
			buf_adds(&b, "| ");
		if (bold)
			buf_adds(&b, "\033[1m");
		for (size_t c = 0; c < ncols; c++) {
			if (c > 0)
				buf_adds(&b, o->format == OUT_MARKDOWN ? " | " : "  ");
			bool last = c == ncols - 1;
			pad_out(&b, cell[l][c], o->format == OUT_TABLE && last && c < o->ndims ? 0 : width[c],
				c >= o->ndims);
		}
		if (bold)
			buf_adds(&b, "\033[0m");
		if (o->format == OUT_MARKDOWN)
			buf_adds(&b, " |");
		while (o->format == OUT_TABLE && b.len && b.data[b.len - 1] == ' ')
			b.len--;
		buf_addc(&b, '\n');
		out_write(b.data, b.len);
		if (l == 0 && o->format == OUT_MARKDOWN) {
			b.len = 0;
			buf_adds(&b, "|");
			for (size_t c = 0; c < ncols; c++) {
				buf_adds(&b, c >= o->ndims ? " " : " ");
				for (size_t i = 0; i < width[c] - (c >= o->ndims); i++)
					buf_addc(&b, '-');
				buf_adds(&b, c >= o->ndims ? ": |" : " |");
			}
			buf_addc(&b, '\n');
			out_write(b.data, b.len);
		}
	}
	if (any_unpriced) {
		const char *note = "* includes calls to models with no price: their cost is not counted\n";
		out_write(note, strlen(note));
	}
	for (size_t l = 0; l <= nlines; l++) {
		for (size_t c = 0; c < ncols; c++)
			free(cell[l][c]);
		free(cell[l]);
	}
	free(cell);
	free(width);
	buf_free(&b);
	buf_free(&tmp);
}

void
groups_print(struct groups *g, bool only_dirty)
{
	const struct costsum *o = g->o;
	if (o->has_block)
		build_blocks(g);
	if (only_dirty && !g->total.dirty && !o->has_block)
		return;
	/* People read a whole table; only records come as changes. */
	if (o->format != OUT_JSON)
		only_dirty = false;
	size_t n = 0;
	struct row *rows = xcalloc(g->map.count + 1, sizeof *rows);
	strmap_foreach(&g->map, s) {
		struct acc *a = s->value;
		if (a->calls == 0 && !a->dirty)
			continue;
		if (only_dirty && !a->dirty)
			continue;
		decode_key(o, s->key, rows[n].v);
		rows[n].a = a;
		n++;
	}
	sort_ndims = o->ndims;
	qsort(rows, n, sizeof *rows, cmp_row);
	if (o->format == OUT_JSON) {
		if (o->ndims > 0)
			for (size_t i = 0; i < n; i++)
				json_row(o, &rows[i], rows[i].a, false, g->unsplit);
		if (o->total && (!only_dirty || g->total.dirty))
			json_row(o, NULL, &g->total, true, g->unsplit);
	} else
		print_table(o, rows, o->ndims ? n : 0, &g->total, g->unsplit);
	for (size_t i = 0; i < n; i++)
		rows[i].a->dirty = false;
	g->total.dirty = false;
	free(rows);
}

static int
cmp_slot_key(const void *a, const void *b)
{
	const struct strmap_slot *x = *(const struct strmap_slot *const *)a, *y = *(const struct strmap_slot *const *)b;
	return strcmp(x->key, y->key);
}

void
groups_report_unpriced(const struct groups *g)
{
	/* In name order, so that the messages are the same from run to run. */
	const struct strmap_slot **v = xcalloc(g->unpriced.count + 1, sizeof *v);
	size_t n = 0;
	strmap_foreach(&g->unpriced, s) v[n++] = s;
	qsort(v, n, sizeof *v, cmp_slot_key);
	for (size_t i = 0; i < n; i++) {
		intptr_t calls = (intptr_t)v[i]->value;
		if (calls <= 0)
			continue;
		char name[128];
		snprintf(name, sizeof name, "%.*s", (int)(v[i]->len > 100 ? 100 : v[i]->len), v[i]->key);
		strip_controls(name);
		warnx("no price for model '%s' (%ld call%s): not counted in cost_usd", name, (long)calls,
		      calls == 1 ? "" : "s");
	}
	free(v);
}
