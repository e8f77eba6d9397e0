/* usage.c: the shared input reader. Files are read by a few threads, each with
 * its own sink; Claude Code messages are held until every file is read, since
 * a later file may hold a fuller copy, then handed over in file order. */
#include "usage.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ndjson.h"
#include "strmap.h"
#include "timeutil.h"

#define MAX_THREADS 8
#define BAD_REPORTS_PER_FILE 10
#define SPLIT_MIN (16u << 20) /* a larger regular file is shared by the threads */

struct input {
	char *path;     /* "-" for standard input */
	bool from_dir;  /* found by a directory walk */
	struct str project, session; /* from a Claude Code path */
};

/* A bad line found in a part of a shared file: reported at the end, when the
 * parts before it have told how many lines they hold. */
struct badline {
	long line, col;
	char *msg;
};

/* A piece of work: a whole input, or one part of a large file. */
struct item {
	size_t input;
	uint32_t part, nparts;
	uint64_t start, end;
	long lines;
	struct badline *bad;
	size_t nbad;
};

/* A Claude Code message, held for deduplication. */
struct centry {
	uint64_t key;    /* 0: never deduplicated */
	int64_t ts;
	struct tokens tk;
	money_t cost;
	const char *model, *project, *session;
	uint32_t file;
	uint64_t line; /* part << 32 | line within the part: the order of the file */
	bool sidechain, unpriced;
};

struct worker {
	struct usage_reader *r;
	int index;
	void *sink;
	struct arena scratch;
	struct strmap strings;   /* interned model, project and session names */
	struct strmap prices;    /* this thread's price lookups */
	struct centry *entries;
	size_t nentries, cap;
	uint64_t *slots;         /* key -> entry index + 1, open addressing */
	size_t nslots;
	struct usage_stats stats;
	int status;
	struct item *item;       /* the work in hand */
	pthread_t thread;
};

struct usage_reader {
	struct usage_opts o;
	usage_fn fn;
	void **sinks;
	int nthreads;
	struct input *inputs;
	size_t ninputs, cap;
	struct item *items;
	size_t nitems;
	atomic_size_t next;
	atomic_uint_fast64_t bytes_done;
	struct worker workers[MAX_THREADS];
	struct usage_stats stats;
	struct strmap seen_ids;  /* --dedup: hashes of call ids */
	int status;
};

static volatile sig_atomic_t stop_requested;

static void
on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

struct usage_reader *
usage_new(const struct usage_opts *o, usage_fn fn, void **sinks, int nsinks)
{
	struct usage_reader *r = xcalloc(1, sizeof *r);
	r->o = *o;
	r->fn = fn;
	r->sinks = sinks;
	int n = o->threads > 0 ? o->threads : cpu_count(MAX_THREADS);
	if (n > MAX_THREADS)
		n = MAX_THREADS;
	/* Following, deduplicating ids and keeping order all want one reader. */
	if (o->follow || o->dedup_ids || o->keep_running)
		n = 1;
	if (n > nsinks)
		n = nsinks;
	r->nthreads = n;
	return r;
}

int
usage_threads(const struct usage_reader *r)
{
	return r->nthreads;
}

size_t
usage_inputs(const struct usage_reader *r)
{
	return r->ninputs;
}

const struct usage_stats *
usage_stats(const struct usage_reader *r)
{
	return &r->stats;
}

void
usage_free(struct usage_reader *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->ninputs; i++)
		free(r->inputs[i].path);
	free(r->inputs);
	for (size_t i = 0; i < r->nitems; i++) {
		for (size_t j = 0; j < r->items[i].nbad; j++)
			free(r->items[i].bad[j].msg);
		free(r->items[i].bad);
	}
	free(r->items);
	strmap_free(&r->seen_ids);
	free(r);
}

/* Project and session of a Claude Code log, from its path:
 * .../projects/<project>/<session>.jsonl, or .../projects/<project>/<session>/
 * subagents/<agent>.jsonl, whose calls belong to the session. */
static void
claude_names(struct input *in)
{
	const char *p = in->path, *hit = NULL;
	for (const char *q = p; (q = strstr(q, "/projects/")) != NULL; q++)
		hit = q;
	if (!hit && strncmp(p, "projects/", 9) == 0)
		hit = p - 1;
	if (!hit)
		return;
	const char *proj = hit + 10, *slash = strchr(proj, '/');
	if (!slash)
		return;
	in->project = (struct str){proj, (size_t)(slash - proj)};
	const char *sess = slash + 1, *end = strchr(sess, '/');
	if (!end) {
		end = sess + strlen(sess);
		if (end - sess > 6 && strcmp(end - 6, ".jsonl") == 0)
			end -= 6;
	}
	in->session = (struct str){sess, (size_t)(end - sess)};
}

static void
add_input(struct usage_reader *r, const char *path, bool from_dir)
{
	if (r->ninputs == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->inputs = xreallocarray(r->inputs, r->cap, sizeof *r->inputs);
	}
	struct input *in = &r->inputs[r->ninputs++];
	memset(in, 0, sizeof *in);
	in->path = xstrdup(path);
	in->from_dir = from_dir;
	claude_names(in);
}

static struct usage_reader *walking;
static size_t walk_found;

static int
walk_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DNR) {
		warnx("%s: cannot read the directory", path);
		walking->status = EXIT_NOINPUT;
		walking->stats.unreadable++;
		return 0;
	}
	if (type != FTW_F)
		return 0; /* directories, and symlinks, which are not followed */
	size_t n = strlen(path);
	if ((n > 6 && strcmp(path + n - 6, ".jsonl") == 0) || (n > 7 && strcmp(path + n - 7, ".ndjson") == 0)) {
		add_input(walking, path, true);
		walk_found++;
	}
	return 0;
}

static int
cmp_input(const void *a, const void *b)
{
	return strcmp(((const struct input *)a)->path, ((const struct input *)b)->path);
}

bool
usage_add_path(struct usage_reader *r, const char *path)
{
	struct stat st;
	if (strcmp(path, "-") == 0) {
		add_input(r, path, false);
		return true;
	}
	if (stat(path, &st) != 0) {
		warnx("%s: cannot read:", path);
		r->status = EXIT_NOINPUT;
		r->stats.unreadable++;
		return false;
	}
	if (!S_ISDIR(st.st_mode)) {
		add_input(r, path, false);
		return true;
	}
	size_t first = r->ninputs;
	walking = r;
	walk_found = 0;
	/* FTW_PHYS: symlinks are reported, not followed, so a loop cannot trap us. */
	if (nftw(path, walk_one, 32, FTW_PHYS) != 0) {
		warnx("%s: cannot walk the directory:", path);
		r->status = EXIT_NOINPUT;
		r->stats.unreadable++;
		return false;
	}
	/* Byte-wise path order: the order in which ties between copies of a
	 * message are broken, whatever the threads do. */
	if (r->ninputs > first)
		qsort(r->inputs + first, r->ninputs - first, sizeof *r->inputs, cmp_input);
	for (size_t i = first; i < r->ninputs; i++)
		claude_names(&r->inputs[i]);
	return true;
}

static bool
add_claude_root(struct usage_reader *r, const char *dir)
{
	char path[4096];
	struct stat st;
	int n = snprintf(path, sizeof path, "%s/projects", dir);
	if (n > 0 && (size_t)n < sizeof path && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return usage_add_path(r, path);
	/* The variable may name the projects directory itself. */
	n = snprintf(path, sizeof path, "%s", dir);
	size_t len = strlen(path);
	if (len >= 9 && strcmp(path + len - 9, "/projects") == 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return usage_add_path(r, path);
	return false;
}

int
usage_add_claude_defaults(struct usage_reader *r)
{
	int found = 0;
	const char *env = getenv("CLAUDE_CONFIG_DIR");
	const char *home = getenv("HOME");
	char path[4096];
	if (env && *env) {
		char *list = xstrdup(env), *save = NULL;
		for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			while (*tok == ' ')
				tok++;
			size_t len = strlen(tok);
			while (len && tok[len - 1] == ' ')
				tok[--len] = '\0';
			if (tok[0] == '~' && home) {
				snprintf(path, sizeof path, "%s%s", home, tok + 1);
				tok = path;
			}
			found += add_claude_root(r, tok);
		}
		free(list);
		return found;
	}
	const char *xdg = getenv("XDG_CONFIG_HOME");
	if (xdg && *xdg) {
		snprintf(path, sizeof path, "%s/claude", xdg);
		found += add_claude_root(r, path);
	} else if (home) {
		snprintf(path, sizeof path, "%s/.config/claude", home);
		found += add_claude_root(r, path);
	}
	if (home) {
		snprintf(path, sizeof path, "%s/.claude", home);
		found += add_claude_root(r, path);
	}
	return found;
}

/* Entries and their index. */

static void
index_put(struct worker *w, uint64_t key, size_t idx)
{
	if ((w->nentries + 1) * 2 > w->nslots) {
		size_t n = w->nslots ? w->nslots * 2 : 1024;
		uint64_t *slots = xcalloc(n, sizeof *slots);
		for (size_t i = 0; i < w->nslots; i++) {
			if (!w->slots[i])
				continue;
			uint64_t k = w->entries[w->slots[i] - 1].key;
			size_t j = k & (n - 1);
			while (slots[j])
				j = (j + 1) & (n - 1);
			slots[j] = w->slots[i];
		}
		free(w->slots);
		w->slots = slots;
		w->nslots = n;
	}
	size_t j = key & (w->nslots - 1);
	while (w->slots[j] && w->entries[w->slots[j] - 1].key != key)
		j = (j + 1) & (w->nslots - 1);
	w->slots[j] = idx + 1;
}

static long
index_get(const struct worker *w, uint64_t key)
{
	if (!w->nslots)
		return -1;
	size_t j = key & (w->nslots - 1);
	while (w->slots[j]) {
		if (w->entries[w->slots[j] - 1].key == key)
			return (long)w->slots[j] - 1;
		j = (j + 1) & (w->nslots - 1);
	}
	return -1;
}

/* Does b replace a? The main conversation's copy beats a sidechain's; then
 * the copy with the most tokens (streamed copies carry growing counts); then
 * the dearer; then the first in path and line order. */
static bool
replaces(const struct centry *a, const struct centry *b)
{
	if (a->sidechain != b->sidechain)
		return a->sidechain;
	int64_t ta = tokens_total(&a->tk), tb = tokens_total(&b->tk);
	if (ta != tb)
		return tb > ta;
	if (a->cost != b->cost)
		return b->cost > a->cost;
	if (a->file != b->file)
		return b->file < a->file;
	return b->line < a->line;
}

static void
entry_add(struct worker *w, const struct centry *e)
{
	if (w->nentries == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 4096;
		w->entries = xreallocarray(w->entries, w->cap, sizeof *w->entries);
	}
	w->entries[w->nentries] = *e;
	if (e->key)
		index_put(w, e->key, w->nentries);
	w->nentries++;
}

static void
entry_call(const struct centry *e, struct call *c)
{
	memset(c, 0, sizeof *c);
	c->ts_ms = e->ts;
	c->has_ts = true;
	c->tk = e->tk;
	c->cost = e->cost;
	c->has_cost = true;
	c->unpriced = e->unpriced;
	c->sidechain = e->sidechain;
	c->dedup_key = e->key;
	c->status = ST_SUCCESS;
	c->status_text = (struct str){"success", 7};
	c->tool = (struct str){"claude-code", 11};
	if (e->model)
		c->model = (struct str){e->model, strlen(e->model)};
	if (e->project)
		c->project = (struct str){e->project, strlen(e->project)};
	if (e->session)
		c->session = (struct str){e->session, strlen(e->session)};
}

static void
emit_entry(struct worker *w, const struct centry *e, int sign)
{
	struct call c;
	entry_call(e, &c);
	/* A message's id, for passing it on: its message and request ids hashed. */
	char id[32];
	if (e->key) {
		int n = snprintf(id, sizeof id, "claude-%016llx", (unsigned long long)e->key);
		c.id = (struct str){id, (size_t)n};
	}
	struct call_src src = {0};
	w->r->fn(w->sink, &c, sign, &src);
}

static const char *
intern(struct worker *w, struct str s)
{
	return s.p ? strmap_intern(&w->strings, s.p, s.n) : NULL;
}

static void
price_call(struct worker *w, struct call *c, bool use_carried)
{
	call_price(w->r->o.prices, &w->prices, c, use_carried);
}

static void
claude_line(struct worker *w, const struct input *in, uint32_t file, long lineno, struct call *c)
{
	enum cost_mode mode = w->r->o.mode;
	if (mode == COST_DISPLAY) {
		if (!c->has_cost)
			c->cost = 0;
	} else
		price_call(w, c, mode == COST_AUTO);
	struct centry e = {
		.key = c->dedup_key,
		.ts = c->ts_ms,
		.tk = c->tk,
		.cost = c->cost,
		.model = intern(w, c->model),
		.project = intern(w, in->project),
		.session = intern(w, in->session.p ? in->session : c->session),
		.file = file,
		.line = (uint64_t)(w->item ? w->item->part : 0) << 32 | (uint64_t)lineno,
		.sidechain = c->sidechain,
		.unpriced = c->unpriced,
	};
	long at = e.key ? index_get(w, e.key) : -1;
	if (at >= 0) {
		w->stats.duplicates++;
		struct centry *old = &w->entries[at];
		if (replaces(old, &e)) {
			if (w->r->o.follow) {
				emit_entry(w, old, -1);
				emit_entry(w, &e, +1);
			}
			*old = e;
		}
		return;
	}
	entry_add(w, &e);
	if (w->r->o.follow)
		emit_entry(w, &e, +1);
}

static bool
bad_line(struct worker *w, const char *file, long lineno, long col, const char *why, long *reported)
{
	w->stats.bad++;
	struct item *it = w->item;
	if (it && it->nparts > 1) {
		if (it->nbad < BAD_REPORTS_PER_FILE + 1) {
			it->bad = xreallocarray(it->bad, it->nbad + 1, sizeof *it->bad);
			it->bad[it->nbad++] = (struct badline){lineno, col, xstrdup(why)};
		}
	} else if ((*reported)++ < BAD_REPORTS_PER_FILE)
		warnat(file, lineno, col, "%s", why);
	if (w->r->o.strict) {
		w->status = EXIT_DATAERR;
		return false;
	}
	return true;
}

static bool
seen_id(struct usage_reader *r, struct str id)
{
	int added;
	uint64_t h = hash64(id.p, id.n);
	/* Only the 64-bit hash is kept: memory grows by 8 bytes an id. */
	strmap_put(&r->seen_ids, (const char *)&h, sizeof h, &added);
	return !added;
}

/* Read one input from fd. In follow mode, returns at the end of what is
 * there now (the caller waits for more). */
static enum lr_status
read_lines(struct worker *w, struct linereader *lr, const struct input *in, uint32_t file, enum input_format *fmt,
	   long *reported)
{
	struct usage_reader *r = w->r;
	char *line;
	size_t len;
	enum lr_status st;
	struct jfacts facts;
	facts.nextra = r->o.nextra;
	for (size_t i = 0; i < r->o.nextra && i < JSCAN_MAX_EXTRA; i++)
		facts.extra_names[i] = r->o.extra_names[i];
	char why[256];
	while ((st = lr_next(lr, &line, &len)) == LR_LINE || st == LR_TOOLONG) {
		if (stop_requested)
			return LR_EOF;
		w->stats.lines++;
		if (st == LR_TOOLONG) {
			if (!bad_line(w, in->path, lr->lineno, 0, "line too long: skipped", reported))
				return LR_EOF;
			continue;
		}
		if (len == 0 || line_is_blank(line, len))
			continue;
		/* Most bytes of a Claude Code log are turns without usage. */
		if (*fmt == FROM_CLAUDE && !memmem(line, len, "\"usage\"", 7))
			continue;
		arena_reset(&w->scratch);
		struct jscan_error err;
		if (!jscan_line(line, len, &facts, &w->scratch, &err)) {
			if (!bad_line(w, in->path, lr->lineno, (long)err.offset + 1, err.message, reported))
				return LR_EOF;
			continue;
		}
		if (*fmt == FROM_AUTO)
			*fmt = looks_like_claude(&facts) ? FROM_CLAUDE : FROM_CALLS;
		struct call c;
		struct call_src src = {line, len, in->path, lr->lineno, &facts};
		if (*fmt == FROM_CLAUDE) {
			enum claude_line k = claude_from_line(&facts, &c, why, sizeof why);
			if (k == CLAUDE_BAD && !bad_line(w, in->path, lr->lineno, 0, why, reported))
				return LR_EOF;
			if (k == CLAUDE_USAGE) {
				w->stats.calls++;
				claude_line(w, in, file, lr->lineno, &c);
			}
			continue;
		}
		if (facts.f[F_KIND].t == J_STRING && !jval_eq(&facts.f[F_KIND], "call"))
			continue; /* another tool's record: not a call */
		if (!call_from_record(&facts, &c, why, sizeof why)) {
			if (!bad_line(w, in->path, lr->lineno, 0, why, reported))
				return LR_EOF;
			continue;
		}
		if (c.status == ST_RUNNING && !r->o.keep_running)
			continue;
		if (r->o.dedup_ids && c.id.p && c.status != ST_RUNNING && seen_id(r, c.id)) {
			w->stats.duplicates++;
			continue;
		}
		price_call(w, &c, true);
		w->stats.calls++;
		r->fn(w->sink, &c, +1, &src);
	}
	if (st == LR_ERROR) {
		warnx("%s: read error:", in->path);
		w->status = EXIT_NOINPUT;
		w->stats.unreadable++;
	}
	return st;
}

static void progress(struct usage_reader *r, bool done);

static int
open_input(const struct input *in)
{
	if (strcmp(in->path, "-") == 0)
		return STDIN_FILENO;
	return open(in->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW * in->from_dir);
}

static void *
work(void *arg)
{
	struct worker *w = arg;
	struct usage_reader *r = w->r;
	size_t i;
	while (!stop_requested && (i = atomic_fetch_add(&r->next, 1)) < r->nitems) {
		struct item *it = &r->items[i];
		struct input *in = &r->inputs[it->input];
		w->item = it;
		int fd = open_input(in);
		if (fd < 0) {
			if (it->part == 0) {
				warnx("%s: cannot read:", in->path);
				w->status = EXIT_NOINPUT;
				w->stats.unreadable++;
			}
			continue;
		}
		if (it->part == 0)
			w->stats.files++;
		struct linereader lr;
		lr_init(&lr, fd, in->path, false);
		if (it->nparts > 1)
			lr_range(&lr, it->start, it->end);
		enum input_format fmt = r->o.from;
		long reported = 0;
		read_lines(w, &lr, in, (uint32_t)it->input, &fmt, &reported);
		if (reported > BAD_REPORTS_PER_FILE)
			warnx("%s: %ld more bad lines not shown", in->path, reported - BAD_REPORTS_PER_FILE);
		it->lines = lr.lineno;
		w->stats.bytes += lr.bytes;
		atomic_fetch_add(&r->bytes_done, lr.bytes);
		lr_free(&lr);
		if (fd != STDIN_FILENO)
			close(fd);
		if (w->status == EXIT_DATAERR)
			stop_requested = 1;
		if (w->index == 0 && r->o.progress)
			progress(r, false);
	}
	w->item = NULL;
	return NULL;
}

/* The start of the line that holds byte at, in a regular file. */
static uint64_t
line_start_after(int fd, uint64_t at, uint64_t size)
{
	char buf[65536];
	while (at < size) {
		ssize_t n = pread(fd, buf, sizeof buf, (off_t)at);
		if (n <= 0)
			return size;
		char *nl = memchr(buf, '\n', (size_t)n);
		if (nl)
			return at + (uint64_t)(nl - buf) + 1;
		at += (uint64_t)n;
	}
	return size;
}

/* Work items: each input whole, or a large regular file in one part per
 * thread, cut at line boundaries. */
static void
plan(struct usage_reader *r)
{
	r->items = xcalloc(r->ninputs * (size_t)r->nthreads + 1, sizeof *r->items);
	for (size_t i = 0; i < r->ninputs; i++) {
		struct input *in = &r->inputs[i];
		struct stat st;
		uint32_t parts = 1;
		int fd = -1;
		if (r->nthreads > 1 && strcmp(in->path, "-") != 0 && stat(in->path, &st) == 0 && S_ISREG(st.st_mode) &&
		    (uint64_t)st.st_size >= SPLIT_MIN && (fd = open(in->path, O_RDONLY | O_CLOEXEC)) >= 0)
			parts = (uint32_t)r->nthreads;
		uint64_t size = parts > 1 ? (uint64_t)st.st_size : 0, start = 0;
		for (uint32_t p = 0; p < parts; p++) {
			uint64_t end = p + 1 == parts ? size : line_start_after(fd, size * (p + 1) / parts, size);
			if (end < start)
				end = start;
			r->items[r->nitems++] = (struct item){.input = i, .part = p, .nparts = parts,
							      .start = start, .end = end};
			start = end;
		}
		if (fd >= 0)
			close(fd);
	}
}

/* Bad lines of shared files, numbered now that every part is counted. */
static void
report_parts(struct usage_reader *r)
{
	long base = 0, shown = 0;
	for (size_t i = 0; i < r->nitems; i++) {
		struct item *it = &r->items[i];
		if (it->part == 0)
			base = shown = 0;
		for (size_t j = 0; j < it->nbad; j++)
			if (shown++ < BAD_REPORTS_PER_FILE)
				warnat(r->inputs[it->input].path, base + it->bad[j].line, it->bad[j].col, "%s",
				       it->bad[j].msg);
		base += it->lines;
	}
}

static int
cmp_entry(const void *a, const void *b)
{
	const struct centry *x = a, *y = b;
	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Merge every worker's held messages into the first, then hand them over in
 * file and line order. */
static void
flush_entries(struct usage_reader *r)
{
	struct worker *w0 = &r->workers[0];
	for (int t = 1; t < r->nthreads; t++) {
		struct worker *w = &r->workers[t];
		for (size_t i = 0; i < w->nentries; i++) {
			struct centry e = w->entries[i];
			/* Re-intern into the first worker's names. */
			e.model = e.model ? strmap_intern(&w0->strings, e.model, strlen(e.model)) : NULL;
			e.project = e.project ? strmap_intern(&w0->strings, e.project, strlen(e.project)) : NULL;
			e.session = e.session ? strmap_intern(&w0->strings, e.session, strlen(e.session)) : NULL;
			long at = e.key ? index_get(w0, e.key) : -1;
			if (at >= 0) {
				r->stats.duplicates++;
				if (replaces(&w0->entries[at], &e))
					w0->entries[at] = e;
				continue;
			}
			entry_add(w0, &e);
		}
		free(w->entries);
		w->entries = NULL;
		w->nentries = 0;
	}
	if (w0->nentries)
		qsort(w0->entries, w0->nentries, sizeof *w0->entries, cmp_entry);
	for (size_t i = 0; i < w0->nentries; i++)
		emit_entry(w0, &w0->entries[i], +1);
}

static void
progress(struct usage_reader *r, bool done)
{
	uint64_t b = atomic_load(&r->bytes_done);
	static int64_t last;
	int64_t now = time_now_ms();
	if (!done && now - last < 200)
		return;
	last = now;
	size_t f = atomic_load(&r->next);
	if (f > r->nitems)
		f = r->nitems;
	fprintf(stderr, "\r%s: %zu/%zu inputs, %.1f MB%s", progname, f, r->nitems, (double)b / 1e6,
		done ? "\n" : "");
}

/* Following: read what is there, then wait for any input to change. */
static int
follow(struct usage_reader *r, usage_idle_fn idle)
{
	struct worker *w = &r->workers[0];
	size_t n = r->ninputs;
	struct linereader *lrs = xcalloc(n, sizeof *lrs);
	enum input_format *fmts = xcalloc(n, sizeof *fmts);
	long *reported = xcalloc(n, sizeof *reported);
	bool *open_ok = xcalloc(n, sizeof *open_ok);
	int ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	size_t pipes = 0, pipes_done = 0;
	for (size_t i = 0; i < n; i++) {
		int fd = open_input(&r->inputs[i]);
		if (fd < 0) {
			warnx("%s: cannot read:", r->inputs[i].path);
			r->status = EXIT_NOINPUT;
			continue;
		}
		struct stat st;
		fstat(fd, &st);
		if (!S_ISREG(st.st_mode))
			pipes++;
		else if (ino >= 0)
			inotify_add_watch(ino, r->inputs[i].path, IN_MODIFY | IN_CLOSE_WRITE);
		lr_init(&lrs[i], fd, r->inputs[i].path, true);
		fmts[i] = r->o.from;
		open_ok[i] = true;
	}
	while (!stop_requested && w->status == 0) {
		bool any = false;
		for (size_t i = 0; i < n; i++) {
			if (!open_ok[i])
				continue;
			lr_rearm(&lrs[i]);
			enum lr_status st = read_lines(w, &lrs[i], &r->inputs[i], (uint32_t)i, &fmts[i], &reported[i]);
			if (st == LR_EOF && lrs[i].fd != STDIN_FILENO) {
				struct stat sb;
				fstat(lrs[i].fd, &sb);
				if (!S_ISREG(sb.st_mode)) {
					open_ok[i] = false; /* a pipe that ended */
					pipes_done++;
				}
			} else if (st == LR_EOF && lrs[i].fd == STDIN_FILENO) {
				struct stat sb;
				fstat(STDIN_FILENO, &sb);
				if (!S_ISREG(sb.st_mode)) {
					open_ok[i] = false;
					pipes_done++;
				}
			}
			any = true;
		}
		if (idle)
			idle(w->sink);
		out_flush();
		if (!any || (pipes && pipes_done == pipes && pipes == n))
			break;
		/* Wait for a change: inotify for files, readability for pipes. */
		struct pollfd pfd[65];
		int np = 0;
		if (ino >= 0)
			pfd[np++] = (struct pollfd){.fd = ino, .events = POLLIN};
		for (size_t i = 0; i < n && np < 65; i++) {
			struct stat sb;
			if (open_ok[i] && fstat(lrs[i].fd, &sb) == 0 && !S_ISREG(sb.st_mode))
				pfd[np++] = (struct pollfd){.fd = lrs[i].fd, .events = POLLIN};
		}
		poll(pfd, (nfds_t)np, 1000);
		if (ino >= 0) {
			char buf[4096];
			while (read(ino, buf, sizeof buf) > 0)
				;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (open_ok[i] || lrs[i].buf) {
			if (lrs[i].fd != STDIN_FILENO && lrs[i].fd >= 0)
				close(lrs[i].fd);
			lr_free(&lrs[i]);
		}
	if (ino >= 0)
		close(ino);
	free(lrs);
	free(fmts);
	free(reported);
	free(open_ok);
	return w->status;
}

static void
worker_free(struct worker *w)
{
	arena_free(&w->scratch);
	strmap_free(&w->strings);
	strmap_free(&w->prices);
	free(w->entries);
	free(w->slots);
}

int
usage_run(struct usage_reader *r, usage_idle_fn idle)
{
	struct sigaction sa = {.sa_handler = on_stop};
	sigemptyset(&sa.sa_mask);
	if (r->o.follow) {
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}
	for (int t = 0; t < r->nthreads; t++) {
		r->workers[t].r = r;
		r->workers[t].index = t;
		r->workers[t].sink = r->sinks[t];
	}
	int status = r->status;
	if (r->o.follow) {
		int s = follow(r, idle);
		if (s)
			status = s;
	} else {
		plan(r);
		int nthreads = r->nthreads;
		if ((size_t)nthreads > r->nitems)
			nthreads = r->nitems ? (int)r->nitems : 1;
		for (int t = 1; t < nthreads; t++)
			if (pthread_create(&r->workers[t].thread, NULL, work, &r->workers[t]) != 0)
				die(EXIT_SOFTWARE, "cannot start a thread");
		work(&r->workers[0]);
		for (int t = 1; t < nthreads; t++)
			pthread_join(r->workers[t].thread, NULL);
		report_parts(r);
		if (r->o.progress)
			progress(r, true);
		flush_entries(r);
	}
	for (int t = 0; t < r->nthreads; t++) {
		struct worker *w = &r->workers[t];
		r->stats.files += w->stats.files;
		r->stats.lines += w->stats.lines;
		r->stats.bytes += w->stats.bytes;
		r->stats.bad += w->stats.bad;
		r->stats.calls += w->stats.calls;
		r->stats.unreadable += w->stats.unreadable;
		r->stats.duplicates += w->stats.duplicates;
		if (w->status == EXIT_DATAERR || (w->status && !status))
			status = w->status;
		worker_free(w);
	}
	return status;
}
