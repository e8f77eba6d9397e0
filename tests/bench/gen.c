/* gen.c: deterministic input generator for the costsum benchmarks.
 *
 *   gen claude DIR MB FILES   Claude Code session logs under DIR/projects/
 *   gen calls FILE N          N call records (NDJSON)
 *
 * Everything comes from one fixed-seed xorshift generator, so the same
 * arguments always give byte-identical output. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

/* ---- PRNG: xorshift64* ------------------------------------------------ */

#define XORSHIFT_SEED 0x2545F4914F6CDD1DULL
#include "xorshift.h"

/* Uniform in [lo, hi]. */
static int64_t
rrange(int64_t lo, int64_t hi)
{
	return lo + (int64_t)rndn((uint64_t)(hi - lo + 1));
}

/* Uniform in [0, 1). */
static double
rndf(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

/* Roughly log-uniform in [lo, hi] (lo >= 1): pick a doubling, then a value
 * inside it. Many small values, a few large ones. */
static int64_t
rlog(int64_t lo, int64_t hi)
{
	int k = 0;
	while ((lo << (k + 1)) <= hi)
		k++;
	int64_t a = lo << rndn((uint64_t)k + 1);
	int64_t b = a * 2 - 1 < hi ? a * 2 - 1 : hi;
	return rrange(a, b);
}

/* ---- output buffer ---------------------------------------------------- */

struct buf {
	char *p;
	size_t n, cap;
};

static void
die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("gen: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void
reserve(struct buf *b, size_t more)
{
	if (b->n + more <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->n + more)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p)
		die("out of memory");
	b->p = p;
	b->cap = cap;
}

static void
put(struct buf *b, const char *s)
{
	size_t n = strlen(s);
	reserve(b, n);
	memcpy(b->p + b->n, s, n);
	b->n += n;
}

static void
putn(struct buf *b, const char *s, size_t n)
{
	reserve(b, n);
	memcpy(b->p + b->n, s, n);
	b->n += n;
}

static void
putc_(struct buf *b, char c)
{
	reserve(b, 1);
	b->p[b->n++] = c;
}

static void
putu(struct buf *b, uint64_t v)
{
	char tmp[24];
	int i = 0;
	do {
		tmp[i++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	reserve(b, (size_t)i);
	while (i)
		b->p[b->n++] = tmp[--i];
}

/* Zero-padded to width w. */
static void
putuw(struct buf *b, uint64_t v, int w)
{
	char tmp[24];
	int i = 0;
	do {
		tmp[i++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (i < w)
		tmp[i++] = '0';
	reserve(b, (size_t)i);
	while (i)
		b->p[b->n++] = tmp[--i];
}

static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static void
put_b62(struct buf *b, int n)
{
	for (int i = 0; i < n; i++)
		putc_(b, b62[rndn(62)]);
}

static void
put_uuid(struct buf *b)
{
	static const char hx[] = "0123456789abcdef";
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			putc_(b, '-');
		else if (i == 14)
			putc_(b, '4');
		else if (i == 19)
			putc_(b, "89ab"[rndn(4)]);
		else
			putc_(b, hx[rndn(16)]);
	}
}

/* ---- time ------------------------------------------------------------- */

/* Days since 1970-01-01 of a civil date, and back (proleptic Gregorian). */
static int64_t
days_from_ymd(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
ymd_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* YYYY-MM-DDTHH:MM:SS[.fff]Z */
static void
put_ts(struct buf *b, int64_t ms, int millis)
{
	int64_t days = ms / 86400000, rem = ms % 86400000;
	int64_t y;
	int mo, d;
	ymd_from_days(days, &y, &mo, &d);
	putuw(b, (uint64_t)y, 4);
	putc_(b, '-');
	putuw(b, (uint64_t)mo, 2);
	putc_(b, '-');
	putuw(b, (uint64_t)d, 2);
	putc_(b, 'T');
	putuw(b, (uint64_t)(rem / 3600000), 2);
	putc_(b, ':');
	putuw(b, (uint64_t)(rem / 60000 % 60), 2);
	putc_(b, ':');
	putuw(b, (uint64_t)(rem / 1000 % 60), 2);
	if (millis) {
		putc_(b, '.');
		putuw(b, (uint64_t)(rem % 1000), 3);
	}
	putc_(b, 'Z');
}

/* ---- text ------------------------------------------------------------- */

static const char *const words[] = {
	"the", "a", "to", "of", "and", "in", "is", "for", "that", "this", "it", "with", "on", "we", "should",
	"function", "return", "const", "let", "value", "error", "handler", "request", "response", "cart",
	"drawer", "reservation", "inventory", "sweeper", "expired", "query", "index", "table", "migration",
	"schema", "column", "test", "tests", "passing", "failing", "build", "lint", "type", "interface",
	"component", "hook", "state", "props", "render", "effect", "cache", "token", "session", "user",
	"order", "payment", "checkout", "price", "total", "amount", "currency", "locale", "format", "date",
	"timer", "countdown", "minutes", "seconds", "server", "client", "api", "endpoint", "route", "param",
	"file", "path", "directory", "module", "import", "export", "default", "async", "await", "promise",
	"update", "delete", "insert", "select", "where", "limit", "offset", "lock", "skip", "locked",
	"transaction", "commit", "rollback", "retry", "backoff", "queue", "worker", "job", "cron",
	"config", "env", "variable", "secret", "deploy", "docker", "container", "image", "port", "log",
	"warning", "debug", "trace", "span", "metric", "latency", "p99", "budget", "cost", "model",
	"let's", "check", "look", "read", "edit", "write", "run", "fix", "add", "remove", "rename",
	"refactor", "simplify", "extract", "inline", "guard", "assert", "expect", "mock", "stub",
	"fixture", "snapshot", "coverage", "branch", "merge", "rebase", "diff", "patch", "hunk",
	"line", "lines", "string", "number", "boolean", "null", "undefined", "array", "object", "map",
	"set", "list", "record", "key", "id", "uuid", "timestamp", "now", "clock", "skew", "drift",
	"now", "then", "because", "instead", "however", "also", "only", "first", "next", "finally",
	"done", "works", "looks", "good", "right", "wrong", "missing", "extra", "unused", "stale",
};
#define NWORDS (sizeof words / sizeof words[0])

/* Non-ASCII words, written as raw UTF-8. */
static const char *const uwords[] = {
	"café", "naïve", "résumé", "über", "Größe", "日本", "日本語", "テスト", "東京", "中文",
	"приве́т", "Ελληνικά", "—", "→", "✅", "❌", "🚀", "😀", "🎉", "🔧", "€", "£", "…",
};
#define NUWORDS (sizeof uwords / sizeof uwords[0])

static const char *const idents[] = {
	"cartDrawer", "useCountdown", "expiresAt", "reservationId", "sweepExpired", "releaseStock",
	"fetchCart", "formatPrice", "orderTotal", "retryPolicy", "queueWorker", "handleRequest",
	"parseConfig", "withTransaction", "skipLocked", "onTick", "setState", "invalidateQueries",
};
#define NIDENTS (sizeof idents / sizeof idents[0])

enum { TXT_PROSE, TXT_CODE };

/* About n bytes of JSON-string-safe text (escapes included). */
static void
put_text(struct buf *b, size_t n, int kind)
{
	size_t start = b->n;
	int col = 0;
	while (b->n - start < n) {
		uint64_t r = rndn(1000);
		if (kind == TXT_CODE) {
			if (r < 90) {
				put(b, "\\n");
				for (int i = (int)rndn(4); i > 0; i--)
					put(b, "  ");
				col = 0;
				continue;
			}
			if (r < 110) {
				put(b, "\\\"");
				put(b, idents[rndn(NIDENTS)]);
				put(b, "\\\"");
				continue;
			}
			if (r < 130) {
				put(b, idents[rndn(NIDENTS)]);
				put(b, "(");
				put(b, words[rndn(NWORDS)]);
				put(b, ");");
				continue;
			}
			if (r < 140) {
				put(b, "\\t");
				continue;
			}
			if (r < 150) {
				putu(b, rndn(100000));
				putc_(b, ' ');
				continue;
			}
		} else if (r < 12 && col > 40) {
			put(b, ".\\n\\n");
			col = 0;
			continue;
		}
		if (r >= 970) {
			put(b, uwords[rndn(NUWORDS)]);
		} else {
			const char *w = words[rndn(NWORDS)];
			put(b, w);
			col += (int)strlen(w);
		}
		if (rndn(12) == 0)
			putc_(b, rndn(2) ? ',' : '.');
		putc_(b, ' ');
		col++;
	}
}

/* ---- files ------------------------------------------------------------ */

static void
mkdirs(const char *path)
{
	char tmp[4096];
	size_t n = strlen(path);
	if (n >= sizeof tmp)
		die("path too long: %s", path);
	memcpy(tmp, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (tmp[i] == '/' || tmp[i] == '\0') {
			char c = tmp[i];
			tmp[i] = '\0';
			if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
				die("mkdir %s: %s", tmp, strerror(errno));
			tmp[i] = c;
		}
	}
}

static FILE *
open_out(const char *path)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		die("%s: %s", path, strerror(errno));
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	return f;
}

static void
close_out(FILE *f, const char *path)
{
	if (fflush(f) != 0 || ferror(f) || fclose(f) != 0)
		die("%s: write error", path);
}

/* ---- claude mode ------------------------------------------------------ */

struct model {
	const char *name;
	/* $ per million tokens: input, output, cache write 5m, cache write 1h, cache read */
	double in, out, cw5, cw1, cr;
};

static const struct model models[] = {
	{"claude-sonnet-4-5-20250929", 3, 15, 3.75, 6, 0.30},
	{"claude-opus-4-1-20250805", 15, 75, 18.75, 30, 1.50},
	{"claude-haiku-4-5-20251001", 1, 5, 1.25, 2, 0.10},
};

#define NPROJ_MAX 30
#define FIRST_DAY_MS (days_from_ymd(2026, 9, 1) * 86400000LL)
#define END_MS (days_from_ymd(2026, 11, 21) * 86400000LL - 1) /* 2026-11-20T23:59:59.999Z */

struct project {
	char name[128];
	struct buf resume; /* lines of an earlier session, for a resumed one */
};

struct session {
	FILE *f;
	const char *path;
	size_t bytes;
	struct buf line, keep;  /* the line being built; the head kept for a resume */
	size_t keep_cap;
	char sid[40];
	char cwd[160];
	char version[16];
	const char *branch;
	int old;                /* older client: costUSD, no cache_creation breakdown */
	int64_t t;              /* ms */
	char parent[40];        /* uuid of the previous line, "" at the start */
	int sidechain;
};

static void
emit(struct session *s)
{
	putc_(&s->line, '\n');
	if (fwrite(s->line.p, 1, s->line.n, s->f) != s->line.n)
		die("%s: write error", s->path);
	s->bytes += s->line.n;
	if (s->keep.n < s->keep_cap) /* a contiguous head, about keep_cap bytes */
		putn(&s->keep, s->line.p, s->line.n);
	s->line.n = 0;
}

static void
advance(struct session *s, int64_t lo, int64_t hi)
{
	s->t += rrange(lo, hi);
	if (s->t > END_MS)
		s->t = END_MS;
}

/* The common head of a user or assistant line, up to and including "type". */
static void
head(struct session *s, const char *type)
{
	struct buf *b = &s->line;
	put(b, "{\"parentUuid\":");
	if (s->parent[0]) {
		putc_(b, '"');
		put(b, s->parent);
		putc_(b, '"');
	} else {
		put(b, "null");
	}
	put(b, s->sidechain ? ",\"isSidechain\":true" : ",\"isSidechain\":false");
	put(b, ",\"userType\":\"external\",\"cwd\":\"");
	put(b, s->cwd);
	put(b, "\",\"sessionId\":\"");
	put(b, s->sid);
	put(b, "\",\"version\":\"");
	put(b, s->version);
	put(b, "\",\"gitBranch\":\"");
	put(b, s->branch);
	put(b, "\",\"type\":\"");
	put(b, type);
	put(b, "\",");
}

/* uuid and timestamp close every user/assistant line. */
static void
tail(struct session *s)
{
	struct buf *b = &s->line;
	put(b, ",\"uuid\":\"");
	size_t at = b->n;
	put_uuid(b);
	memcpy(s->parent, b->p + at, 36);
	s->parent[36] = '\0';
	put(b, "\",\"timestamp\":\"");
	put_ts(b, s->t, 1);
	put(b, "\"}");
}

static void
user_prompt(struct session *s)
{
	advance(s, 5000, 180000);
	head(s, "user");
	put(&s->line, "\"message\":{\"role\":\"user\",\"content\":\"");
	put_text(&s->line, (size_t)rlog(40, 1500), TXT_PROSE);
	put(&s->line, "\"}");
	tail(s);
	emit(s);
}

static void
tool_result(struct session *s, const char *tool_id)
{
	advance(s, 100, 30000);
	struct buf out = {0};
	put_text(&out, (size_t)rlog(100, 9000), rndn(3) ? TXT_CODE : TXT_PROSE);
	head(s, "user");
	put(&s->line, "\"message\":{\"role\":\"user\",\"content\":[{\"tool_use_id\":\"");
	put(&s->line, tool_id);
	put(&s->line, "\",\"type\":\"tool_result\",\"content\":\"");
	putn(&s->line, out.p, out.n);
	put(&s->line, "\"}]}");
	/* tail() then the toolUseResult copy, as Claude Code writes it */
	tail(s);
	s->line.n--; /* reopen the object */
	put(&s->line, ",\"toolUseResult\":{\"stdout\":\"");
	putn(&s->line, out.p, out.n);
	put(&s->line, "\",\"stderr\":\"\",\"interrupted\":false,\"isImage\":false}}");
	emit(s);
	free(out.p);
}

/* A cost with up to 8 decimals, trailing zeros trimmed. */
static void
put_cost(struct buf *b, double usd)
{
	uint64_t e8 = (uint64_t)(usd * 1e8 + 0.5);
	putu(b, e8 / 100000000);
	putc_(b, '.');
	char frac[9];
	uint64_t f = e8 % 100000000;
	for (int i = 7; i >= 0; i--) {
		frac[i] = (char)('0' + f % 10);
		f /= 10;
	}
	int n = 8;
	while (n > 1 && frac[n - 1] == '0')
		n--;
	putn(b, frac, (size_t)n);
}

/* One assistant message, written as 1-3 streamed lines. Returns whether it
 * ended in a tool call (whose id is left in tool_id). */
static int
assistant(struct session *s, const struct model *m, char *tool_id)
{
	char msg_id[40], req_id[40];
	struct buf tmp = {0};
	put(&tmp, "msg_01");
	put_b62(&tmp, 22);
	putc_(&tmp, '\0');
	memcpy(msg_id, tmp.p, tmp.n);
	tmp.n = 0;
	put(&tmp, "req_011C");
	put_b62(&tmp, 20);
	putc_(&tmp, '\0');
	memcpy(req_id, tmp.p, tmp.n);
	free(tmp.p);

	int synthetic = rndn(400) == 0;
	const char *model = synthetic ? "<synthetic>" : m->name;

	/* Usage: the whole prompt stays under 200k tokens. */
	int64_t in, cr, cw5 = 0, cw1 = 0, out;
	if (synthetic) {
		in = cr = out = 0;
	} else {
		in = rndn(10) < 8 ? rrange(1, 60) : rlog(100, 20000);
		cr = rndn(20) == 0 ? 0 : rlog(2000, 150000);
		int64_t cw = rndn(4) == 0 ? 0 : rlog(50, 28000);
		if (!s->old && rndn(4) == 0)
			cw1 = cw;
		else
			cw5 = cw;
		out = rlog(5, 8000);
	}
	int breakdown = !s->old && !synthetic && rndn(5) != 0;
	if (!breakdown) {
		cw5 += cw1; /* no breakdown: all written at the 5m rate */
		cw1 = 0;
	}
	int copies = (int)rrange(1, 3);
	int ends_in_tool = rndn(10) < 6;
	int64_t prev_out = 0;
	advance(s, 1000, 12000);
	for (int c = 0; c < copies; c++) {
		int last = c == copies - 1;
		int64_t o = out;
		if (!last) {
			/* Earlier copies of a streamed message carry fewer output tokens. */
			int64_t room = out - prev_out - (copies - 1 - c);
			o = prev_out + 1 + (room > 1 ? (int64_t)rndn((uint64_t)room - 1) : 0);
			if (o >= out)
				o = out - 1;
			if (o < 0)
				o = 0;
			prev_out = o;
		}
		if (c > 0)
			advance(s, 50, 3000);
		head(s, "assistant");
		struct buf *b = &s->line;
		put(b, "\"message\":{\"id\":\"");
		put(b, msg_id);
		put(b, "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"");
		put(b, model);
		put(b, "\",\"content\":[");
		if (last && ends_in_tool) {
			static const char *const tools[] = {"Bash", "Read", "Edit", "Grep", "Write"};
			const char *tool = tools[rndn(5)];
			put(b, "{\"type\":\"tool_use\",\"id\":\"");
			size_t at = b->n;
			put(b, "toolu_01");
			put_b62(b, 22);
			memcpy(tool_id, b->p + at, b->n - at);
			tool_id[b->n - at] = '\0';
			put(b, "\",\"name\":\"");
			put(b, tool);
			put(b, "\",\"input\":{");
			if (strcmp(tool, "Bash") == 0) {
				put(b, "\"command\":\"");
				put_text(b, (size_t)rlog(10, 200), TXT_CODE);
				put(b, "\",\"description\":\"");
				put_text(b, (size_t)rlog(10, 80), TXT_PROSE);
				putc_(b, '"');
			} else if (strcmp(tool, "Edit") == 0 || strcmp(tool, "Write") == 0) {
				put(b, "\"file_path\":\"");
				put(b, s->cwd);
				put(b, "/src/");
				put(b, idents[rndn(NIDENTS)]);
				put(b, ".ts\",\"old_string\":\"");
				put_text(b, (size_t)rlog(20, 2500), TXT_CODE);
				put(b, "\",\"new_string\":\"");
				put_text(b, (size_t)rlog(20, 3000), TXT_CODE);
				putc_(b, '"');
			} else {
				put(b, "\"file_path\":\"");
				put(b, s->cwd);
				put(b, "/src/");
				put(b, idents[rndn(NIDENTS)]);
				put(b, ".ts\"");
			}
			put(b, "}}");
		} else if (c == 0 && copies > 1 && rndn(2) == 0) {
			put(b, "{\"type\":\"thinking\",\"thinking\":\"");
			put_text(b, (size_t)rlog(40, 2500), TXT_PROSE);
			put(b, "\",\"signature\":\"");
			put_b62(b, 120);
			put(b, "\"}");
		} else {
			put(b, "{\"type\":\"text\",\"text\":\"");
			put_text(b, (size_t)rlog(20, 3000), rndn(4) ? TXT_PROSE : TXT_CODE);
			put(b, "\"}");
		}
		put(b, "],\"stop_reason\":");
		put(b, last ? (ends_in_tool ? "\"tool_use\"" : "\"end_turn\"") : "null");
		put(b, ",\"stop_sequence\":null,\"usage\":{\"input_tokens\":");
		putu(b, (uint64_t)in);
		put(b, ",\"cache_creation_input_tokens\":");
		putu(b, (uint64_t)(cw5 + cw1));
		put(b, ",\"cache_read_input_tokens\":");
		putu(b, (uint64_t)cr);
		if (breakdown) {
			put(b, ",\"cache_creation\":{\"ephemeral_5m_input_tokens\":");
			putu(b, (uint64_t)cw5);
			put(b, ",\"ephemeral_1h_input_tokens\":");
			putu(b, (uint64_t)cw1);
			putc_(b, '}');
		}
		put(b, ",\"output_tokens\":");
		putu(b, (uint64_t)o);
		put(b, ",\"service_tier\":\"standard\"}},\"requestId\":\"");
		put(b, req_id);
		putc_(b, '"');
		if (s->old) {
			double usd = synthetic ? 0
					       : ((double)in * m->in + (double)o * m->out + (double)cw5 * m->cw5 +
						  (double)cw1 * m->cw1 + (double)cr * m->cr) / 1e6;
			put(b, ",\"costUSD\":");
			put_cost(b, usd);
			put(b, ",\"durationMs\":");
			putu(b, (uint64_t)rrange(800, 60000));
		}
		tail(s);
		emit(s);
	}
	return ends_in_tool;
}

static int
gen_claude(const char *dir, double mb, long nfiles)
{
	if (mb <= 0 || nfiles <= 0)
		die("claude: MB and FILES must be positive");
	rng_state ^= 0xC1A0DEULL;
	int nproj = nfiles < NPROJ_MAX ? (int)nfiles : NPROJ_MAX;
	struct project *proj = calloc((size_t)nproj, sizeof *proj);
	if (!proj)
		die("out of memory");
	for (int i = 0; i < nproj; i++) {
		static const char *const users[] = {"dev", "ana", "kenji", "lucia", "ci"};
		snprintf(proj[i].name, sizeof proj[i].name, "-home-%s-src-%s-%s-%d", users[i % 5],
			 words[(i * 37 + 15) % NWORDS], words[(i * 53 + 101) % NWORDS], i);
	}
	/* File sizes: random weights scaled to the total. */
	double total = mb * 1e6;
	double *w = malloc((size_t)nfiles * sizeof *w);
	if (!w)
		die("out of memory");
	double sum = 0;
	for (long i = 0; i < nfiles; i++) {
		w[i] = 0.25 + 1.5 * rndf();
		sum += w[i];
	}
	char path[4096];
	uint64_t written = 0, lines = 0;
	struct session s = {0};
	for (long i = 0; i < nfiles; i++) {
		double u = rndf();
		int p = (int)(u * u * nproj); /* a few busy projects, a long tail */
		if (p >= nproj)
			p = nproj - 1;
		struct project *pr = &proj[p];
		struct buf sid = {0};
		put_uuid(&sid);
		putc_(&sid, '\0');
		memcpy(s.sid, sid.p, 37);
		free(sid.p);
		snprintf(path, sizeof path, "%s/projects/%s", dir, pr->name);
		mkdirs(path);
		snprintf(path + strlen(path), sizeof path - strlen(path), "/%s.jsonl", s.sid);
		s.f = open_out(path);
		s.path = path;
		s.bytes = 0;
		s.line.n = 0;
		s.keep.n = 0;
		double target = total * w[i] / sum;
		s.keep_cap = (size_t)(target * 0.025);
		if (s.keep_cap > (1u << 18))
			s.keep_cap = 1u << 18;
		/* cwd: the project name read back as a path */
		snprintf(s.cwd, sizeof s.cwd, "%s", pr->name);
		for (char *c = s.cwd; *c; c++)
			if (*c == '-')
				*c = '/';
		s.old = rndn(10) == 0;
		if (s.old)
			snprintf(s.version, sizeof s.version, "1.0.%d", (int)rrange(17, 98));
		else
			snprintf(s.version, sizeof s.version, "2.0.%d", (int)rrange(0, 40));
		static const char *const branches[] = {"main", "main", "develop", "feat/cart-timer", "fix/sweeper"};
		s.branch = branches[rndn(5)];
		s.t = FIRST_DAY_MS + (int64_t)rndn((uint64_t)(END_MS - FIRST_DAY_MS - 30LL * 3600000));
		s.parent[0] = '\0';
		s.sidechain = 0;
		const struct model *main_model = &models[rndn(10) < 6 ? 0 : rndn(2) ? 1 : 2];

		/* A resumed session starts with a verbatim copy of an earlier one's head. */
		if (pr->resume.n && rndn(100) < 40) {
			if (fwrite(pr->resume.p, 1, pr->resume.n, s.f) != pr->resume.n)
				die("%s: write error", path);
			s.bytes += pr->resume.n;
			for (size_t k = 0; k < pr->resume.n; k++)
				lines += pr->resume.p[k] == '\n';
			s.keep_cap = 0; /* a resumed session is not resumed again */
		}
		if (rndn(10) < 3) {
			put(&s.line, "{\"type\":\"summary\",\"summary\":\"");
			put_text(&s.line, (size_t)rrange(30, 90), TXT_PROSE);
			put(&s.line, "\",\"leafUuid\":\"");
			put_uuid(&s.line);
			put(&s.line, "\"}");
			emit(&s);
			lines++;
		}
		while ((double)s.bytes < target) {
			s.sidechain = rndn(20) == 0;
			user_prompt(&s);
			lines++;
			int steps = (int)rrange(1, 12);
			for (int k = 0; k < steps && (double)s.bytes < target; k++) {
				const struct model *m = rndn(5) == 0 ? &models[2] : main_model;
				char tool_id[40];
				int tool = assistant(&s, m, tool_id);
				lines++;
				if (!tool)
					break;
				tool_result(&s, tool_id);
				lines++;
			}
		}
		close_out(s.f, path);
		written += s.bytes;
		if (s.keep.n) {
			pr->resume.n = 0;
			putn(&pr->resume, s.keep.p, s.keep.n);
		}
	}
	fprintf(stderr, "gen: %ld files in %d projects, %.1f MB, %llu lines\n", nfiles, nproj, (double)written / 1e6,
		(unsigned long long)lines);
	for (int i = 0; i < nproj; i++)
		free(proj[i].resume.p);
	free(proj);
	free(w);
	free(s.line.p);
	free(s.keep.p);
	return 0;
}

/* ---- calls mode ------------------------------------------------------- */

struct cmodel {
	const char *name;
	int weight;
	const char *tools[3];
	int cache; /* 0 none, 1 read only, 2 read and write */
};

static const struct cmodel cmodels[] = {
	{"claude-sonnet-4-5", 28, {"claude-code", "aider", "claude-code"}, 2},
	{"claude-haiku-4-5", 14, {"claude-code", "aider", "claude-code"}, 2},
	{"claude-opus-4-1", 7, {"claude-code", "claude-code", "aider"}, 2},
	{"gpt-4o", 12, {"aider", "codex", "cursor"}, 1},
	{"gpt-4o-mini", 10, {"aider", "codex", "cursor"}, 1},
	{"gpt-5", 7, {"codex", "codex", "cursor"}, 1},
	{"gemini-2.5-pro", 11, {"gemini-cli", "gemini-cli", "aider"}, 0},
	{"gemini-2.5-flash", 11, {"gemini-cli", "gemini-cli", "aider"}, 0},
};
#define NCMODELS (sizeof cmodels / sizeof cmodels[0])

static const char *const agents[] = {
	"frontend", "backend-dev", "build-automation", "architect", "curator", "reviewer", "tester", "devops",
};
#define NAGENTS (sizeof agents / sizeof agents[0])

static int
gen_calls(const char *file, long long n)
{
	if (n < 0)
		die("calls: N must be >= 0");
	rng_state ^= 0xCA11500ULL;
	FILE *f = strcmp(file, "-") == 0 ? stdout : open_out(file);
	int wsum = 0;
	for (size_t i = 0; i < NCMODELS; i++)
		wsum += cmodels[i].weight;
	int64_t t0 = days_from_ymd(2026, 1, 1) * 86400LL;
	int64_t span = days_from_ymd(2026, 12, 1) * 86400LL - t0; /* through 2026-11-30T23:59:59Z */
	/* Each agent works on a task for a while, then on no task or the next. */
	char task[NAGENTS][96];
	long left[NAGENTS];
	memset(left, 0, sizeof left);
	for (size_t a = 0; a < NAGENTS; a++)
		task[a][0] = '\0';
	struct buf b = {0};
	for (long long i = 0; i < n; i++) {
		int64_t lo = t0 + span * i / n;
		int64_t hi = t0 + span * (i + 1) / n;
		int64_t t = lo + (hi > lo ? (int64_t)rndn((uint64_t)(hi - lo)) : 0);
		size_t a = (size_t)rndn(NAGENTS);
		if (left[a]-- <= 0) {
			left[a] = (long)rrange(20, 400);
			if (rndn(10) < 6) {
				int64_t d = t / 86400, s = t % 86400;
				int64_t y;
				int mo, dd;
				ymd_from_days(d, &y, &mo, &dd);
				snprintf(task[a], sizeof task[a], "%04d-%02d-%02dT%02d%02d-%s-%s-%s", (int)y, mo, dd,
					 (int)(s / 3600), (int)(s / 60 % 60), agents[a], words[rndn(NWORDS)],
					 words[rndn(NWORDS)]);
				for (char *c = task[a]; *c; c++)
					if (*c == '\'')
						*c = '-';
			} else {
				task[a][0] = '\0';
			}
		}
		int pick = (int)rndn((uint64_t)wsum);
		const struct cmodel *m = &cmodels[0];
		for (size_t k = 0; k < NCMODELS; k++) {
			if (pick < cmodels[k].weight) {
				m = &cmodels[k];
				break;
			}
			pick -= cmodels[k].weight;
		}
		b.n = 0;
		put(&b, "{\"id\":\"inv-");
		putuw(&b, (uint64_t)i, 9);
		put(&b, "\",\"ts\":\"");
		put_ts(&b, t * 1000, 0);
		put(&b, "\",\"agent\":\"");
		put(&b, agents[a]);
		put(&b, "\",\"tool\":\"");
		put(&b, m->tools[rndn(3)]);
		put(&b, "\",\"model\":\"");
		put(&b, m->name);
		putc_(&b, '"');
		if (task[a][0]) {
			put(&b, ",\"task_id\":\"");
			put(&b, task[a]);
			putc_(&b, '"');
		} else if (rndn(2)) {
			put(&b, ",\"task_id\":null");
		}
		int64_t in = rlog(80, 60000), out = rlog(10, 6000);
		int64_t cr = 0, cw = 0;
		if (m->cache >= 1 && rndn(5))
			cr = rlog(500, 150000);
		if (m->cache >= 2 && rndn(3))
			cw = rlog(30, 40000);
		put(&b, ",\"input_tokens\":");
		putu(&b, (uint64_t)in);
		put(&b, ",\"output_tokens\":");
		putu(&b, (uint64_t)out);
		put(&b, ",\"cache_read_tokens\":");
		putu(&b, (uint64_t)cr);
		put(&b, ",\"cache_write_tokens\":");
		putu(&b, (uint64_t)cw);
		put(&b, ",\"latency_ms\":");
		putu(&b, (uint64_t)(300 + out * 8 + (int64_t)rndn(5000)));
		put(&b, ",\"status\":\"success\"}\n");
		if (fwrite(b.p, 1, b.n, f) != b.n)
			die("%s: write error", file);
	}
	free(b.p);
	if (f == stdout) {
		if (fflush(f) != 0)
			die("stdout: write error");
	} else {
		close_out(f, file);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "claude") == 0)
		return gen_claude(argv[2], strtod(argv[3], NULL), strtol(argv[4], NULL, 10));
	if (argc == 4 && strcmp(argv[1], "calls") == 0)
		return gen_calls(argv[2], strtoll(argv[3], NULL, 10));
	fprintf(stderr, "usage: gen claude DIR MB FILES\n       gen calls FILE N\n");
	return 2;
}
