/* util.c: errors, memory, output. */
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *progname = "agentpipe";

void
setprogname(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');
	progname = slash ? slash + 1 : argv0;
	/* A closed pipe must end us quietly at the write that finds it, not by a
	 * signal that a shell would report. */
	signal(SIGPIPE, SIG_IGN);
}

static void
vmessage(const char *fmt, va_list ap)
{
	int saved = errno;
	char msg[1024];
	vsnprintf(msg, sizeof msg, fmt, ap);
	size_t n = strlen(msg);
	if (n > 0 && msg[n - 1] == ':')
		fprintf(stderr, "%s: %s %s\n", progname, msg, strerror(saved));
	else
		fprintf(stderr, "%s: %s\n", progname, msg);
}

void
die(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
	exit(code);
}

void
warnx(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
}

void
vwarnat(const char *file, long line, long col, const char *fmt, va_list ap)
{
	char msg[1024], name[1024];
	vsnprintf(msg, sizeof msg, fmt, ap);
	strip_controls(msg);
	snprintf(name, sizeof name, "%s", file); /* a file name is input too */
	strip_controls(name);
	file = name;
	if (line > 0 && col > 0)
		fprintf(stderr, "%s: %s:%ld:%ld: %s\n", progname, file, line, col, msg);
	else if (line > 0)
		fprintf(stderr, "%s: %s:%ld: %s\n", progname, file, line, msg);
	else
		fprintf(stderr, "%s: %s: %s\n", progname, file, msg);
}

void
warnat(const char *file, long line, long col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwarnat(file, line, col, fmt, ap);
	va_end(ap);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die(EXIT_SOFTWARE, "out of memory");
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		die(EXIT_SOFTWARE, "out of memory");
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die(EXIT_SOFTWARE, "out of memory");
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		die(EXIT_SOFTWARE, "out of memory");
	return xrealloc(p, n * size);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
buf_reserve(struct buf *b, size_t extra)
{
	if (b->cap - b->len > extra)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap - b->len <= extra) {
		if (cap > SIZE_MAX / 2)
			die(EXIT_SOFTWARE, "out of memory");
		cap *= 2;
	}
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_addc(struct buf *b, char c)
{
	buf_reserve(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		die(EXIT_SOFTWARE, "bad format");
	buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	_Alignas(16) char data[];
};

void *
arena_alloc(struct arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	struct arena_block *b = a->head;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > 65536 ? n : 65536;
		b = xmalloc(sizeof *b + cap);
		b->used = 0;
		b->cap = cap;
		b->next = a->head;
		a->head = b;
	}
	void *p = b->data + b->used;
	b->used += n;
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
arena_reset(struct arena *a)
{
	struct arena_block *b = a->head;
	if (!b)
		return;
	/* The oldest block is the last in the list: keep it, free the others. */
	while (b->next) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
	b->used = 0;
	a->head = b;
}

void
arena_free(struct arena *a)
{
	struct arena_block *b = a->head;
	while (b) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
}

static char outbuf[1 << 16];
static size_t outlen;
static int epipe_code = EXIT_OK;

void
out_on_epipe(int code)
{
	epipe_code = code;
}

static void
out_fail(void)
{
	if (errno == EPIPE)
		_exit(epipe_code); /* the reader went away: nothing more to say */
	die(EXIT_IOERR, "write error on standard output:");
}

static void
out_drain(const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(STDOUT_FILENO, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			out_fail();
		}
		p += w;
		n -= (size_t)w;
	}
}

void
out_write(const void *p, size_t n)
{
	if (outlen + n > sizeof outbuf) {
		out_drain(outbuf, outlen);
		outlen = 0;
		if (n > sizeof outbuf) {
			out_drain(p, n);
			return;
		}
	}
	memcpy(outbuf + outlen, p, n);
	outlen += n;
}

void
out_flush(void)
{
	out_drain(outbuf, outlen);
	outlen = 0;
}

void
out_close(void)
{
	out_flush();
	if (fflush(stdout) != 0 || ferror(stdout))
		out_fail();
	if (close(STDOUT_FILENO) != 0 && errno != EBADF && errno != EINTR)
		out_fail();
}

static inline uint64_t
mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

uint64_t
hash64_mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	h ^= n * 0x9e3779b97f4a7c15ULL;
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ mix64(w)) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
		s += 8;
		n -= 8;
	}
	uint64_t w = 0;
	memcpy(&w, s, n);
	h = (h ^ mix64(w ^ ((uint64_t)n << 56))) * 0x9e3779b97f4a7c15ULL;
	return mix64(h);
}

uint64_t
hash64(const void *p, size_t n)
{
	return hash64_mix(0x6a09e667f3bcc908ULL, p, n);
}

void
strip_controls(char *s)
{
	char *w = s;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f)
			continue;
		*w++ = (char)c;
	}
	*w = '\0';
}

bool
isatty_stdout(void)
{
	return isatty(STDOUT_FILENO);
}

bool
isatty_stderr(void)
{
	return isatty(STDERR_FILENO);
}

int
threads_arg(const char *s)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < 1 || v > 64)
		die(EXIT_USAGE, "--threads takes a number from 1 to 64, not '%s'", s);
	return (int)v;
}

int
cpu_count(int max)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > max ? max : (int)n;
}
