/* ndjson.h: a line reader for NDJSON streams and files. Lines may be any
 * length up to a cap; a longer line is reported and skipped without being
 * held in memory. Line numbers count from 1. */
#ifndef AGENTPIPE_NDJSON_H
#define AGENTPIPE_NDJSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LINE_MAX_DEFAULT (64u << 20) /* 64 MiB */

enum lr_status {
	LR_LINE,    /* a complete line (without its newline, NUL-terminated in place) */
	LR_EOF,     /* no more data */
	LR_PARTIAL, /* following: the last line has no newline yet; call again later */
	LR_TOOLONG, /* a line over the cap was skipped; lineno names it */
	LR_ERROR,   /* a read error; errno is set */
};

struct linereader {
	int fd;
	const char *name; /* for messages */
	char *buf;
	size_t cap, start, end;
	size_t max_line;
	long lineno;
	uint64_t bytes; /* bytes consumed */
	bool follow;    /* hold a last line without its newline */
	bool ranged;    /* read only [pos, end_pos) with pread */
	uint64_t pos, end_pos;
	bool eof;
	bool skipping;  /* inside an over-long line */
};

void lr_init(struct linereader *r, int fd, const char *name, bool follow);
void lr_free(struct linereader *r);
enum lr_status lr_next(struct linereader *r, char **line, size_t *len);
/* Read only the bytes [start, end) of a regular file (a part of it, cut at
 * line boundaries, so that threads can share one large file). */
void lr_range(struct linereader *r, uint64_t start, uint64_t end);
/* After LR_EOF or LR_PARTIAL in follow mode: let the next lr_next read again. */
void lr_rearm(struct linereader *r);
/* A line of only spaces, tabs and a carriage return: skipped, not bad. */
bool line_is_blank(const char *s, size_t n);

#endif
