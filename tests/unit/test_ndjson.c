/* test_ndjson: the line reader on files and pipes: long lines, the line cap,
 * CRLF, a last line without its newline, and following a growing file. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ndjson.h"
#include "tap.h"
#include "util.h"

#define MIB (1u << 20)

static const char *
status_name(enum lr_status s)
{
	switch (s) {
	case LR_LINE: return "LR_LINE";
	case LR_EOF: return "LR_EOF";
	case LR_PARTIAL: return "LR_PARTIAL";
	case LR_TOOLONG: return "LR_TOOLONG";
	case LR_ERROR: return "LR_ERROR";
	}
	return "?";
}

/* A temporary file holding text, open for reading at its start; the name is
 * unlinked at once, so nothing is left behind. wfd (when asked) appends. */
static int
temp_file(const void *text, size_t n, int *wfd)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	snprintf(path, sizeof path, "%s/test_ndjson.XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0) {
		perror("mkstemp");
		exit(2);
	}
	if (write(fd, text, n) != (ssize_t)n) {
		perror("write");
		exit(2);
	}
	int rfd = open(path, O_RDONLY);
	unlink(path);
	if (rfd < 0) {
		perror("open");
		exit(2);
	}
	if (wfd)
		*wfd = fd;
	else
		close(fd);
	return rfd;
}

static void
append(int fd, const char *s)
{
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s)) {
		perror("write");
		exit(2);
	}
}

/* Expect a line with exactly this text (NULL text: only its length, every
 * byte fill) and this line number. */
static void
expect_line(struct linereader *r, const char *want, size_t want_len, char fill, long lineno, const char *what)
{
	char *line = NULL;
	size_t len = 0;
	enum lr_status st = lr_next(r, &line, &len);
	bool ok = st == LR_LINE && len == want_len && r->lineno == lineno;
	if (ok && want)
		ok = memcmp(line, want, len) == 0;
	else if (ok)
		for (size_t i = 0; i < len && ok; i++)
			ok = line[i] == fill;
	if (ok)
		ok = line[len] == '\0'; /* NUL-terminated in place */
	if (!check(ok, "%s (line %ld, %zu bytes)", what, lineno, want_len)) {
		tap_diag("  status %s, line %ld, %zu bytes", status_name(st), r->lineno, len);
		if (st == LR_LINE && want)
			tap_diag_mem("got", line, len);
	}
}

static void
expect_status(struct linereader *r, enum lr_status want, long lineno, const char *what, const char *todo)
{
	char *line = NULL;
	size_t len = 0;
	enum lr_status st = lr_next(r, &line, &len);
	if (!tap_result(st == want && r->lineno == lineno, todo, "%s: %s at line %ld", what, status_name(want), lineno))
		tap_diag("  got %s at line %ld (%zu bytes)", status_name(st), r->lineno, len);
}

static void
test_file(void)
{
	struct buf b = {0};
	buf_adds(&b, "first\n");
	buf_adds(&b, "\n");
	buf_adds(&b, "crlf\r\n");
	char *big = xmalloc(MIB);
	memset(big, 'x', MIB);
	buf_add(&b, big, MIB);
	buf_adds(&b, "\n");
	buf_adds(&b, "a\rb\n");
	buf_adds(&b, "\r\n");
	buf_adds(&b, "last");
	int fd = temp_file(b.data, b.len, NULL);
	struct linereader r;
	lr_init(&r, fd, "test", false);
	expect_line(&r, "first", 5, 0, 1, "a short line");
	expect_line(&r, "", 0, 0, 2, "an empty line is a line of length 0");
	expect_line(&r, "crlf", 4, 0, 3, "CRLF is stripped");
	expect_line(&r, NULL, MIB, 'x', 4, "a 1 MiB line");
	expect_line(&r, "a\rb", 3, 0, 5, "a CR inside a line stays");
	expect_line(&r, "", 0, 0, 6, "a bare CRLF is an empty line");
	expect_line(&r, "last", 4, 0, 7, "a last line without newline is returned when not following");
	expect_status(&r, LR_EOF, 7, "then", NULL);
	expect_status(&r, LR_EOF, 7, "and again", NULL);
	check_int_eq(r.bytes, b.len, "every byte is counted");
	lr_free(&r);
	close(fd);
	free(big);
	buf_free(&b);
}

static void
test_cap(void)
{
	struct buf b = {0};
	char *big = xmalloc(MIB);
	buf_adds(&b, "short\n");
	memset(big, 'y', 200);
	buf_add(&b, big, 200); /* over the cap, but whole in the first read */
	buf_adds(&b, "\n");
	buf_adds(&b, "after\n");
	memset(big, 'z', MIB);
	buf_add(&b, big, MIB); /* over the cap across several reads */
	buf_adds(&b, "\n");
	memset(big, 'w', 100);
	buf_add(&b, big, 100); /* exactly the cap */
	buf_adds(&b, "\n");
	buf_adds(&b, "end");
	int fd = temp_file(b.data, b.len, NULL);
	struct linereader r;
	lr_init(&r, fd, "test", false);
	r.max_line = 100;
	expect_line(&r, "short", 5, 0, 1, "max_line 100: a short line");
	/* The cap holds for a line that is already whole in the buffer too. */
	expect_status(&r, LR_TOOLONG, 2, "a 200-byte line", NULL);
	expect_line(&r, "after", 5, 0, 3, "the line after a too-long line is read");
	expect_status(&r, LR_TOOLONG, 4, "a 1 MiB line", NULL);
	expect_line(&r, NULL, 100, 'w', 5, "a line of exactly max_line bytes");
	expect_line(&r, "end", 3, 0, 6, "the last line");
	expect_status(&r, LR_EOF, 6, "then", NULL);
	check_int_eq(r.bytes, b.len, "skipped bytes are counted too");
	lr_free(&r);
	close(fd);

	/* A too-long last line without its newline. */
	b.len = 0;
	buf_adds(&b, "ok\n");
	memset(big, 'v', 300);
	buf_add(&b, big, 300);
	fd = temp_file(b.data, b.len, NULL);
	lr_init(&r, fd, "test", false);
	r.max_line = 100;
	expect_line(&r, "ok", 2, 0, 1, "a line before a too-long unterminated one");
	expect_status(&r, LR_TOOLONG, 2, "a too-long last line without newline", NULL);
	expect_status(&r, LR_EOF, 2, "then", NULL);
	lr_free(&r);
	close(fd);
	free(big);
	buf_free(&b);
}

static void
test_follow(void)
{
	int wfd;
	int fd = temp_file("a\nbc", 4, &wfd);
	struct linereader r;
	lr_init(&r, fd, "test", true);
	expect_line(&r, "a", 1, 0, 1, "follow: a complete line");
	expect_status(&r, LR_PARTIAL, 1, "follow: a last line without newline is held", NULL);
	expect_status(&r, LR_PARTIAL, 1, "follow: and still held without lr_rearm", NULL);
	append(wfd, "d\n\n");
	expect_status(&r, LR_PARTIAL, 1, "follow: no new read until lr_rearm", NULL);
	lr_rearm(&r);
	expect_line(&r, "bcd", 3, 0, 2, "follow: after more data and lr_rearm the line is completed");
	expect_line(&r, "", 0, 0, 3, "follow: an empty line");
	expect_status(&r, LR_EOF, 3, "follow: nothing more", NULL);
	append(wfd, "e\r\n");
	lr_rearm(&r);
	expect_line(&r, "e", 1, 0, 4, "follow: a line appended after LR_EOF");
	expect_status(&r, LR_EOF, 4, "follow: then", NULL);
	check_int_eq(r.bytes, 10, "follow: bytes consumed");
	lr_free(&r);
	close(fd);
	close(wfd);
}

/* A child writes the pieces with pauses, so the reader sees the lines split
 * across reads at awkward places. */
static void
test_pipe(void)
{
	int p[2];
	if (pipe(p) != 0) {
		perror("pipe");
		exit(2);
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (pid == 0) {
		close(p[0]);
		static const char *const pieces[] = {"par", "tial\nne", "xt\n", "\r", "\n", "tail"};
		for (size_t i = 0; i < sizeof pieces / sizeof *pieces; i++) {
			if (write(p[1], pieces[i], strlen(pieces[i])) < 0)
				_exit(1);
			usleep(20000);
		}
		char *big = malloc(MIB + 1);
		if (!big)
			_exit(1);
		memset(big, 'p', MIB);
		big[MIB] = '\n';
		if (write(p[1], "\n", 1) < 0 || write(p[1], big, MIB + 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	struct linereader r;
	lr_init(&r, p[0], "pipe", false);
	expect_line(&r, "partial", 7, 0, 1, "pipe: a line split over reads");
	expect_line(&r, "next", 4, 0, 2, "pipe: the next line");
	expect_line(&r, "", 0, 0, 3, "pipe: a CRLF split between reads");
	expect_line(&r, "tail", 4, 0, 4, "pipe: a line whose newline comes later");
	expect_line(&r, NULL, MIB, 'p', 5, "pipe: a 1 MiB line through a pipe");
	expect_status(&r, LR_EOF, 5, "pipe: the writer closed", NULL);
	lr_free(&r);
	close(p[0]);
	int status = 0;
	waitpid(pid, &status, 0);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "pipe: the writer wrote everything");
}

int
main(void)
{
	test_file();
	test_cap();
	test_follow();
	test_pipe();
	return done();
}
