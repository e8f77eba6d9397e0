/* util.h: errors, exit codes, memory and output helpers shared by every tool. */
#ifndef AGENTPIPE_UTIL_H
#define AGENTPIPE_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define AGENTPIPE_VERSION "0.1.0"

/* Exit codes: DESIGN.md's table. Only verdicts use 1 and 2. */
enum exit_code {
	EXIT_OK = 0,
	EXIT_SOFT = 1,     /* verdict: soft limit, policy problems, failing tests */
	EXIT_HARD = 2,     /* verdict: hard limit, request denied */
	EXIT_USAGE = 64,   /* unknown flag, bad argument */
	EXIT_DATAERR = 65, /* bad input data under --strict */
	EXIT_NOINPUT = 66, /* an input file or directory that cannot be read */
	EXIT_SOFTWARE = 70,/* an internal failure (out of memory, a library error) */
	EXIT_IOERR = 74,   /* an I/O error on output */
	EXIT_CONFIG = 78,  /* an invalid configuration file */
};

extern const char *progname;

void setprogname(const char *argv0);

/* die: print "prog: message" (plus strerror when fmt ends in ':') and exit. */
_Noreturn void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* warnat: "prog: file:line:col: message"; line/col 0 are left out. */
void warnat(const char *file, long line, long col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void vwarnat(const char *file, long line, long col, const char *fmt, va_list ap);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* xreallocarray: grow an array, checking n*size for overflow. */
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* A string that is not NUL-terminated. */
struct str {
	const char *p;
	size_t n;
};
#define STR_NULL ((struct str){NULL, 0})
static inline bool str_eq(struct str a, const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return a.p && a.n == n && __builtin_memcmp(a.p, s, n) == 0;
}

/* A growable byte buffer. */
struct buf {
	char *data;
	size_t len, cap;
};
void buf_reserve(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_addc(struct buf *b, char c);
void buf_adds(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_free(struct buf *b);

/* A bump allocator for data that lives as long as a line or a run. */
struct arena {
	struct arena_block *head;
};
void *arena_alloc(struct arena *a, size_t n);
char *arena_strndup(struct arena *a, const char *s, size_t n);
void arena_reset(struct arena *a); /* keep the first block, free the rest */
void arena_free(struct arena *a);

/* Output: records go to stdout through these so a full disk is an error and a
 * closed pipe a quiet exit. */
void out_write(const void *p, size_t n);
void out_flush(void);
void out_close(void); /* at exit: flush and check */
/* The exit code when the reader has gone away (0 unless set): a gate that
 * knows its verdict keeps it even when nobody reads its rows. */
void out_on_epipe(int code);

/* 64-bit FNV-1a; good enough for hashing keys in memory. */
uint64_t hash64(const void *p, size_t n);
uint64_t hash64_mix(uint64_t h, const void *p, size_t n);

/* Strip control characters from text bound for a terminal. */
void strip_controls(char *s);

/* --threads N: 1 to 64, or a usage error. */
int threads_arg(const char *s);
/* The online CPUs, at least 1 and at most max. */
int cpu_count(int max);

bool isatty_stdout(void);
bool isatty_stderr(void);

#endif
