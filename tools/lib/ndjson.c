/* ndjson.c: buffered line reading. */
#include "ndjson.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define CHUNK (256u << 10)

void
lr_init(struct linereader *r, int fd, const char *name, bool follow)
{
	memset(r, 0, sizeof *r);
	r->fd = fd;
	r->name = name;
	r->follow = follow;
	r->max_line = LINE_MAX_DEFAULT;
}

void
lr_free(struct linereader *r)
{
	free(r->buf);
	r->buf = NULL;
}

void
lr_range(struct linereader *r, uint64_t start, uint64_t end)
{
	r->ranged = true;
	r->pos = start;
	r->end_pos = end;
}

void
lr_rearm(struct linereader *r)
{
	r->eof = false;
}

/* Read more into the buffer; returns bytes read, 0 at EOF, -1 on error. */
static ssize_t
fill(struct linereader *r)
{
	if (r->start > 0 && (r->start == r->end || r->cap - r->end < CHUNK)) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->cap - r->end < CHUNK) {
		size_t cap = r->cap ? r->cap : CHUNK * 2;
		while (cap - r->end < CHUNK)
			cap *= 2;
		r->buf = xrealloc(r->buf, cap + 1);
		r->cap = cap;
	}
	for (;;) {
		ssize_t n;
		if (r->ranged) {
			size_t want = r->cap - r->end;
			if (want > r->end_pos - r->pos)
				want = (size_t)(r->end_pos - r->pos);
			n = want ? pread(r->fd, r->buf + r->end, want, (off_t)r->pos) : 0;
			if (n > 0)
				r->pos += (uint64_t)n;
		} else
			n = read(r->fd, r->buf + r->end, r->cap - r->end);
		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0)
			r->end += (size_t)n;
		return n;
	}
}

/* Take the n bytes at the buffer's start as a line, consuming skip more
 * (its newline, if it has one). */
static enum lr_status
take_line(struct linereader *r, size_t n, size_t skip, char **line, size_t *len)
{
	char *s = r->buf + r->start;
	r->start += n + skip;
	r->bytes += n + skip;
	r->lineno++;
	if (r->skipping || n > r->max_line) {
		r->skipping = false;
		return LR_TOOLONG;
	}
	if (n > 0 && s[n - 1] == '\r')
		n--;
	s[n] = '\0';
	*line = s;
	*len = n;
	return LR_LINE;
}

enum lr_status
lr_next(struct linereader *r, char **line, size_t *len)
{
	size_t scanned = 0; /* bytes of the pending line already searched */
	for (;;) {
		size_t avail = r->end - r->start;
		char *nl = NULL;
		if (avail > scanned)
			nl = memchr(r->buf + r->start + scanned, '\n', avail - scanned);
		if (nl)
			return take_line(r, (size_t)(nl - (r->buf + r->start)), 1, line, len);
		scanned = avail;
		if (avail > r->max_line) {
			/* Drop what we hold of the over-long line and keep skipping. */
			r->bytes += avail;
			r->start = r->end = 0;
			scanned = 0;
			r->skipping = true;
		}
		if (r->eof) {
			if (r->end == r->start && !r->skipping)
				return LR_EOF;
			if (r->follow)
				return LR_PARTIAL;
			/* A last line without its newline is still a line. */
			return take_line(r, r->end - r->start, 0, line, len);
		}
		ssize_t got = fill(r);
		if (got < 0)
			return LR_ERROR;
		if (got == 0)
			r->eof = true;
	}
}

bool
line_is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}
