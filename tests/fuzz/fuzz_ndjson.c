/* fuzz_ndjson: the line reader over a memfd with a 64-byte line cap, read
 * whole (not following) and fed in pieces (following, as a growing log).
 * Every result is checked against the input split at '\n' by hand: line
 * numbers, contents (less one trailing '\r'), no '\n' inside a line, the
 * count of lines, and LR_TOOLONG exactly for the lines over the cap. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ndjson.h"

#define MAX_LINE 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static _Noreturn void
broken(bool follow, long lineno, const char *why)
{
	fprintf(stderr, "fuzz_ndjson (%s): line %ld: %s\n", follow ? "follow" : "whole", lineno, why);
	abort();
}

/* The input as the reader should see it: a cursor over its lines. */
struct expect {
	const char *data;
	size_t size, pos;
	long lines; /* results so far */
};

/* Check one LR_LINE or LR_TOOLONG against the next line of the input. */
static void
check_line(struct expect *e, bool follow, enum lr_status st, const struct linereader *r, const char *line, size_t len)
{
	if (e->pos >= e->size)
		broken(follow, r->lineno, "a line past the end of the input");
	const char *seg = e->data + e->pos;
	const char *nl = memchr(seg, '\n', e->size - e->pos);
	size_t raw = nl ? (size_t)(nl - seg) : e->size - e->pos;
	if (!nl && follow)
		broken(follow, r->lineno, "a line without its newline while following");
	e->pos += raw + (nl ? 1 : 0);
	e->lines++;
	if (r->lineno != e->lines)
		broken(follow, r->lineno, "the line number is not the count of lines");
	if (st == LR_TOOLONG) {
		if (raw <= MAX_LINE)
			broken(follow, r->lineno, "LR_TOOLONG for a line within the cap");
		return;
	}
	if (raw > MAX_LINE)
		broken(follow, r->lineno, "a line over the cap returned as LR_LINE");
	size_t want = raw > 0 && seg[raw - 1] == '\r' ? raw - 1 : raw;
	if (len != want || memcmp(line, seg, len) != 0)
		broken(follow, r->lineno, "the line's text differs from the input");
	if (memchr(line, '\n', len))
		broken(follow, r->lineno, "a newline inside a line");
	if (line[len] != '\0')
		broken(follow, r->lineno, "a line not NUL-terminated");
}

/* Read until the reader wants more; returns the status that stopped it. */
static enum lr_status
drain(struct linereader *r, struct expect *e, bool follow)
{
	for (;;) {
		char *line = NULL;
		size_t len = 0;
		enum lr_status st = lr_next(r, &line, &len);
		if (st == LR_LINE || st == LR_TOOLONG) {
			check_line(e, follow, st, r, line, len);
			continue;
		}
		if (st == LR_ERROR)
			broken(follow, r->lineno, "a read error on a memfd");
		if (st == LR_PARTIAL && !follow)
			broken(follow, r->lineno, "LR_PARTIAL when not following");
		return st;
	}
}

static size_t
count_newlines(const uint8_t *data, size_t size)
{
	size_t n = 0;
	for (size_t i = 0; i < size; i++)
		n += data[i] == '\n';
	return n;
}

static int
memfd_with(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz_ndjson", 0);
	if (fd < 0) {
		perror("memfd_create");
		abort();
	}
	if (size && pwrite(fd, data, size, 0) != (ssize_t)size) {
		perror("pwrite");
		abort();
	}
	return fd;
}

static void
read_whole(const uint8_t *data, size_t size)
{
	int fd = memfd_with(data, size);
	struct linereader r;
	lr_init(&r, fd, "fuzz", false);
	r.max_line = MAX_LINE;
	struct expect e = {(const char *)data, size, 0, 0};
	enum lr_status st = drain(&r, &e, false);
	if (st != LR_EOF)
		broken(false, r.lineno, "the end is not LR_EOF");
	size_t want = count_newlines(data, size) + (size > 0 && data[size - 1] != '\n');
	if ((size_t)e.lines != want || e.pos != size)
		broken(false, r.lineno, "not every line was returned");
	if (r.bytes != size)
		broken(false, r.lineno, "bytes consumed is not the input's size");
	char *line;
	size_t len;
	if (lr_next(&r, &line, &len) != LR_EOF)
		broken(false, r.lineno, "LR_EOF does not last");
	lr_free(&r);
	close(fd);
}

/* The input appended in pieces whose sizes come from the input itself, with
 * lr_rearm between them, as a follower of a growing file does. */
static void
read_following(const uint8_t *data, size_t size)
{
	int fd = memfd_with(NULL, 0);
	struct linereader r;
	lr_init(&r, fd, "fuzz", true);
	r.max_line = MAX_LINE;
	struct expect e = {(const char *)data, size, 0, 0};
	size_t off = 0;
	unsigned seed = size ? data[0] : 0;
	enum lr_status st = drain(&r, &e, true);
	while (off < size) {
		seed = seed * 1103515245u + 12345u;
		size_t piece = 1 + (seed >> 16) % 97;
		if (piece > size - off)
			piece = size - off;
		if (pwrite(fd, data + off, piece, (off_t)off) != (ssize_t)piece) {
			perror("pwrite");
			abort();
		}
		off += piece;
		lr_rearm(&r);
		st = drain(&r, &e, true);
	}
	size_t nl = count_newlines(data, size);
	if ((size_t)e.lines != nl)
		broken(true, r.lineno, "not every complete line was returned");
	bool held = size > 0 && data[size - 1] != '\n';
	if (st != (held ? LR_PARTIAL : LR_EOF))
		broken(true, r.lineno, held ? "a last line without newline is not held" : "the end is not LR_EOF");
	if (r.bytes > size)
		broken(true, r.lineno, "more bytes consumed than written");
	lr_free(&r);
	close(fd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	read_whole(data, size);
	read_following(data, size);
	return 0;
}
