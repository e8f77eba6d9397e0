/* run.c: where costsum's calls come from and where they go: summed into
 * groups, passed on one by one (--calls), or recorded into the store. */
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "costsum.h"
#include "jsonout.h"
#include "store.h"

/* A sink: what one reader thread hands its calls to. */
struct sink {
	struct costsum *o;
	struct groups g;
	struct store *store;         /* --record */
	struct strmap noid;          /* --record: occurrences of id-less records */
	uint64_t recorded, duplicates, seen;
	bool failed;
};

/* Canonical names replace the origin's aliases when a record is passed on. */
static const char *const replaced_keys[] = {
	"kind", "id", "invocation_id", "ts", "timestamp", "agent", "agent_name", "tool", "tool_name", "model",
	"model_name", "task_id", "input_tokens", "prompt_tokens", "output_tokens", "completion_tokens",
	"cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens", "cost_usd", "latency_ms", "status",
	"error", "unpriced", NULL,
};

static void
emit_call(const struct call *c, const struct call_src *src)
{
	struct jw w = {0};
	char tmp[TIME_BUFSZ];
	jw_begin(&w);
	jw_cstr(&w, "kind", "call");
	jw_str(&w, "id", c->id);
	if (c->has_ts) {
		time_format_rfc3339(c->ts_ms, tmp, true);
		jw_cstr(&w, "ts", tmp);
	} else
		jw_cstr(&w, "ts", NULL);
	jw_str(&w, "agent", c->agent);
	jw_str(&w, "tool", c->tool);
	jw_str(&w, "model", c->model);
	jw_str(&w, "task_id", c->task_id);
	jw_int(&w, "input_tokens", c->tk.input);
	jw_int(&w, "output_tokens", c->tk.output);
	jw_int(&w, "cache_read_tokens", c->tk.cache_read);
	jw_int(&w, "cache_write_tokens", c->tk.cache_write);
	jw_int(&w, "cache_write_1h_tokens", c->tk.cache_write_1h);
	jw_money(&w, "cost_usd", c->cost);
	if (c->unpriced)
		jw_bool(&w, "unpriced", true);
	if (c->has_latency)
		jw_int(&w, "latency_ms", c->latency_ms);
	jw_str(&w, "status", c->status_text.p ? c->status_text : (struct str){"success", 7});
	if (c->error.p)
		jw_str(&w, "error", c->error);
	if (c->session.p)
		jw_str(&w, "session", c->session);
	if (c->project.p)
		jw_str(&w, "project", c->project);
	/* Every other field of the record, as it came. */
	if (src && src->line) {
		json_t *rec = json_loadb(src->line, src->len, 0, NULL);
		const char *k;
		json_t *v;
		json_object_foreach(rec, k, v) {
			bool skip = false;
			for (const char *const *r = replaced_keys; *r && !skip; r++)
				skip = strcmp(*r, k) == 0;
			if (!skip)
				jw_value(&w, k, v);
		}
		json_decref(rec);
	}
	jw_end(&w);
	jw_free(&w);
}

/* An id for a record that has none: the same input recorded twice gives the
 * same ids, so recording stays idempotent. */
static struct str
record_id(struct sink *s, const struct call *c, const struct call_src *src, char *buf, size_t buflen)
{
	if (c->id.p)
		return c->id;
	uint64_t h;
	if (src && src->line)
		h = hash64(src->line, src->len);
	else {
		/* A Claude Code message: its message and request ids. */
		h = c->dedup_key;
		if (!h) {
			struct buf b = {0};
			buf_printf(&b, "%.*s|%.*s|%lld|%lld|%lld", (int)c->session.n, c->session.p ? c->session.p : "",
				   (int)c->model.n, c->model.p ? c->model.p : "", (long long)c->ts_ms,
				   (long long)c->tk.input, (long long)c->tk.output);
			h = hash64(b.data, b.len);
			buf_free(&b);
		}
	}
	struct strmap_slot *slot = strmap_put(&s->noid, (const char *)&h, sizeof h, NULL);
	uintptr_t n = (uintptr_t)slot->value;
	slot->value = (void *)(n + 1);
	int len = snprintf(buf, buflen, "%s-%016llx-%lu", src && src->line ? "ap" : "claude", (unsigned long long)h,
			   (unsigned long)n);
	return (struct str){buf, (size_t)len};
}

static void
sink_call(void *p, const struct call *c, int sign, const struct call_src *src)
{
	struct sink *s = p;
	struct costsum *o = s->o;
	if (o->calls) {
		/* A message taken back is followed by its fuller copy, under the
		 * same id: passing on the copy is enough. */
		if (sign > 0 && in_range(o, c)) {
			emit_call(c, src);
			groups_note_unpriced(&s->g, c);
		}
		return;
	}
	if (o->record) {
		if (sign < 0 || s->failed || !in_range(o, c))
			return;
		s->seen++;
		char idbuf[96];
		struct str id = record_id(s, c, src, idbuf, sizeof idbuf);
		switch (store_record(s->store, c, id)) {
		case REC_INSERTED: s->recorded++; break;
		case REC_DUPLICATE: s->duplicates++; break;
		case REC_ERROR: s->failed = true; break;
		}
		return;
	}
	groups_add(&s->g, c, 1, sign, src ? src->facts : NULL);
}

static void
sink_idle(void *p)
{
	struct sink *s = p;
	if (s->o->record) {
		if (!s->failed && !store_record_flush(s->store))
			s->failed = true;
		return;
	}
	if (!s->o->calls)
		groups_print(&s->g, true);
}

static void
report_stats(const struct usage_stats *st)
{
	if (st->bad)
		warnx("%llu bad line%s skipped", (unsigned long long)st->bad, st->bad == 1 ? "" : "s");
}

int
costsum_from_inputs(struct costsum *o, struct usage_opts *uo, char **paths, int npaths, bool claude)
{
	struct sink sinks[8];
	void *ptrs[8];
	for (int i = 0; i < 8; i++) {
		memset(&sinks[i], 0, sizeof sinks[i]);
		sinks[i].o = o;
		groups_init(&sinks[i].g, o);
		ptrs[i] = &sinks[i];
	}
	char err[1024];
	if (o->record) {
		sinks[0].store = store_open(o->db_path, true, err, sizeof err);
		if (!sinks[0].store)
			die(EXIT_IOERR, "%s", err);
		store_set_prices(sinks[0].store, &o->prices);
	}
	struct usage_reader *r = usage_new(uo, sink_call, ptrs, o->record ? 1 : 8);
	for (int i = 0; i < npaths; i++)
		usage_add_path(r, paths[i]);
	if (claude && usage_add_claude_defaults(r) == 0 && npaths == 0)
		warnx("no Claude Code logs found (CLAUDE_CONFIG_DIR, ~/.config/claude/projects, ~/.claude/projects)");
	if (npaths == 0 && !claude)
		usage_add_path(r, "-");
	int status = usage_run(r, o->follow ? sink_idle : NULL);
	int nthreads = usage_threads(r);
	for (int i = 1; i < nthreads; i++)
		groups_merge(&sinks[0].g, &sinks[i].g);
	struct sink *s = &sinks[0];
	if (o->record) {
		if (!s->failed && !store_record_flush(s->store))
			s->failed = true;
		if (s->failed) {
			warnx("%s", store_errmsg(s->store));
			status = EXIT_IOERR;
		}
		struct jw w = {0};
		jw_begin(&w);
		jw_cstr(&w, "kind", "record");
		jw_cstr(&w, "db", o->db_path);
		jw_int(&w, "calls", (int64_t)s->seen);
		jw_int(&w, "recorded", (int64_t)s->recorded);
		jw_int(&w, "duplicates", (int64_t)s->duplicates);
		jw_int(&w, "bad_lines", (int64_t)usage_stats(r)->bad);
		jw_end(&w);
		jw_free(&w);
		store_close(s->store);
	} else {
		if (!o->calls)
			groups_print(&s->g, o->follow);
		groups_report_unpriced(&s->g);
	}
	report_stats(usage_stats(r));
	usage_free(r);
	for (int i = 0; i < 8; i++) {
		groups_free(&sinks[i].g);
		strmap_free(&sinks[i].noid);
	}
	return status;
}

/* The store answers; following polls it for new rows. */

static void
store_row(void *p, const struct call *c, int64_t ncalls, int sign_unused)
{
	(void)sign_unused;
	struct sink *s = p;
	if (s->o->calls) {
		if (in_range(s->o, c)) {
			emit_call(c, NULL);
			groups_note_unpriced(&s->g, c);
		}
		return;
	}
	groups_add(&s->g, c, ncalls, 1, NULL);
}

static void
store_row_cb(void *p, const struct call *c, int64_t ncalls)
{
	store_row(p, c, ncalls, 1);
}

static volatile sig_atomic_t stopping;

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/* Can hour-sized rollup cells answer this question exactly? Only when every
 * bucket boundary falls on a UTC hour and no field beyond the rollup's is
 * asked for. */
static bool
rollup_answers(const struct costsum *o)
{
	for (size_t i = 0; i < o->ndims; i++) {
		enum dim_kind k = o->dims[i].kind;
		if (k == D_BLOCK || k == D_SESSION || k == D_PROJECT || k == D_ID || k == D_EXTRA)
			return false;
		if (k == D_PERIOD && o->dims[i].unit == PERIOD_HOUR && !tz_is_utc(o->tz))
			return false;
	}
	if ((o->has_since && o->since_ms % MS_PER_HOUR) || (o->has_until && o->until_ms % MS_PER_HOUR))
		return false;
	if (!tz_is_utc(o->tz)) {
		/* Zones with half-hour offsets cut days inside an hour. */
		int64_t probe = o->has_since ? o->since_ms : time_now_ms();
		for (int i = 0; i < 2; i++) {
			if (tz_offset(o->tz, probe) % 3600)
				return false;
			probe += 183 * MS_PER_DAY;
		}
	}
	return true;
}

/* Can whole UTC days answer it, without the task? */
static bool
daily_answers(const struct costsum *o)
{
	if (!tz_is_utc(o->tz))
		return false;
	for (size_t i = 0; i < o->ndims; i++) {
		const struct dim *d = &o->dims[i];
		if (d->kind == D_TASK || (d->kind == D_PERIOD && d->unit == PERIOD_HOUR))
			return false;
	}
	return !(o->has_since && o->since_ms % MS_PER_DAY) && !(o->has_until && o->until_ms % MS_PER_DAY);
}

static bool
by_status(const struct costsum *o)
{
	for (size_t i = 0; i < o->ndims; i++)
		if (o->dims[i].kind == D_STATUS)
			return true;
	return false;
}

int
costsum_from_store(struct costsum *o, int64_t interval_ms)
{
	char err[1024];
	struct store *st = store_open(o->db_path, false, err, sizeof err);
	if (!st)
		die(EXIT_NOINPUT, "%s", err);
	store_set_prices(st, &o->prices);
	struct sink s = {.o = o};
	groups_init(&s.g, o);
	struct store_query q = {
		.has_since = o->has_since,
		.has_until = o->has_until,
		.since_ms = o->since_ms,
		.until_ms = o->until_ms,
		.rollup_ok = rollup_answers(o) && !o->calls,
		.daily_ok = daily_answers(o),
		.by_status = by_status(o),
	};
	int64_t max_id = 0;
	bool used_rollup;
	if (!store_scan(st, &q, store_row_cb, &s, &max_id, &used_rollup)) {
		warnx("%s: %s", o->db_path, store_errmsg(st));
		store_close(st);
		groups_free(&s.g);
		return EXIT_NOINPUT;
	}
	int status = EXIT_OK;
	if (!o->calls)
		groups_print(&s.g, false);
	if (o->follow) {
		struct sigaction sa = {.sa_handler = on_signal};
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		q.rollup_ok = false;
		while (!stopping) {
			out_flush();
			struct timespec ts = {interval_ms / 1000, (interval_ms % 1000) * 1000000};
			nanosleep(&ts, NULL);
			if (stopping)
				break;
			q.after_id = max_id;
			if (!store_scan(st, &q, store_row_cb, &s, &max_id, &used_rollup)) {
				warnx("%s: %s", o->db_path, store_errmsg(st));
				status = EXIT_NOINPUT;
				break;
			}
			if (!o->calls)
				groups_print(&s.g, true);
		}
	}
	groups_report_unpriced(&s.g);
	store_close(st);
	groups_free(&s.g);
	return status;
}
