/* tap.h: the few TAP helpers the unit tests share. Each check prints
 * "ok N - what" or "not ok N - what" with "# " diagnostics under a failure;
 * done() prints the plan last and gives the exit status.
 *
 * A check that fails because of a known library bug is written with
 * check_todo(): its line carries "# TODO why", which TAP (and tests/run.sh)
 * does not count as a failure, so the bug stays visible without breaking the
 * run. */
#ifndef AGENTPIPE_TAP_H
#define AGENTPIPE_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

/* Print one result line; returns cond so callers can add diagnostics. */
static inline bool tap_vresult(bool cond, const char *todo, const char *fmt, va_list ap)
{
	tap_count++;
	printf("%s %d - ", cond ? "ok" : "not ok", tap_count);
	vprintf(fmt, ap);
	if (todo)
		printf(" # TODO %s", todo);
	printf("\n");
	if (!cond && !todo)
		tap_failed++;
	fflush(stdout);
	return cond;
}

static inline bool tap_result(bool cond, const char *todo, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline bool tap_result(bool cond, const char *todo, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bool r = tap_vresult(cond, todo, fmt, ap);
	va_end(ap);
	return r;
}

static inline void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("# ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
}

/* Strings are printed with escapes so a stray byte shows in a diagnostic. */
static inline void tap_put_escaped(const char *s, size_t n)
{
	putchar('"');
	for (size_t i = 0; i < n && i < 200; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	if (n > 200)
		printf("...(%zu bytes)", n);
	putchar('"');
}

/* The same escaping into a buffer, for descriptions (which must stay on one
 * line). Two rotating buffers, so a description can show two strings. */
static inline const char *tap_escape(const char *s, size_t n)
{
	static char bufs[2][512];
	static int which;
	char *b = bufs[which ^= 1];
	size_t o = 0;
	for (size_t i = 0; i < n && o + 8 < sizeof bufs[0]; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			o += (size_t)snprintf(b + o, 8, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			o += (size_t)snprintf(b + o, 8, "\\x%02x", c);
		else
			b[o++] = (char)c;
	}
	b[o] = '\0';
	return b;
}

static inline void tap_diag_mem(const char *label, const char *s, size_t n)
{
	printf("#   %s: ", label);
	if (s)
		tap_put_escaped(s, n);
	else
		printf("NULL");
	printf("\n");
}

static inline bool tap_mem_eq(const char *todo, const char *got, size_t gotlen, const char *want,
			      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static inline bool tap_mem_eq(const char *todo, const char *got, size_t gotlen, const char *want,
			      const char *fmt, ...)
{
	bool ok = got && want && gotlen == strlen(want) && memcmp(got, want, gotlen) == 0;
	va_list ap;
	va_start(ap, fmt);
	tap_vresult(ok, todo, fmt, ap);
	va_end(ap);
	if (!ok) {
		tap_diag_mem("got", got, gotlen);
		tap_diag_mem("expected", want, want ? strlen(want) : 0);
	}
	return ok;
}

/* A function, not "(s) ? strlen(s) : 0" in the macro: that would warn for arrays. */
static inline size_t tap_strlen(const char *s)
{
	return s ? strlen(s) : 0;
}

static inline bool tap_int_eq(const char *todo, intmax_t got, intmax_t want, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static inline bool tap_int_eq(const char *todo, intmax_t got, intmax_t want, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bool ok = tap_vresult(got == want, todo, fmt, ap);
	va_end(ap);
	if (!ok)
		tap_diag("  got %jd, expected %jd", got, want);
	return ok;
}

/* check(cond, "what %d", ...) and friends; the description is a printf format. */
#define check(cond, ...) tap_result((cond), NULL, __VA_ARGS__)
#define check_todo(cond, why, ...) tap_result((cond), (why), __VA_ARGS__)
#define check_str_eq(got, want, ...) tap_mem_eq(NULL, (got), tap_strlen(got), (want), __VA_ARGS__)
#define check_mem_eq(got, gotlen, want, ...) tap_mem_eq(NULL, (got), (gotlen), (want), __VA_ARGS__)
#define check_int_eq(got, want, ...) tap_int_eq(NULL, (intmax_t)(got), (intmax_t)(want), __VA_ARGS__)
#define check_int_eq_todo(got, want, why, ...) tap_int_eq((why), (intmax_t)(got), (intmax_t)(want), __VA_ARGS__)

/* A check that cannot run here (no zone database, say): TAP's SKIP. */
static inline void skip(const char *why)
{
	tap_count++;
	printf("ok %d - # SKIP %s\n", tap_count, why);
	fflush(stdout);
}

/* The plan goes last, so a test can decide at run time how many checks run. */
static inline int done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
