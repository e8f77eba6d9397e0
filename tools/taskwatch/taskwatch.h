/* taskwatch.h: what the parts of taskwatch share.
 *
 *   taskwatch.c  options, main
 *   task.c       one task file: lane and state from its path, fields from
 *                its YAML, the event records
 *   table.c      a hash table from byte strings to pointers, with deletion
 *   scan.c       walking the tree and reading many files on every core
 *   watch.c      the model of the tree, inotify, polling, reconciliation
 */
#ifndef TASKWATCH_H
#define TASKWATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util.h"

enum lane { LANE_NONE, LANE_INBOX, LANE_ASSIGNED, LANE_DONE, LANE_ARCHIVE, LANE_FRIDGE };

enum task_state {
	ST_NONE,
	ST_NEW,
	ST_INBOX,
	ST_ASSIGNED,
	ST_IN_PROGRESS,
	ST_BLOCKED,
	ST_DONE,
	ST_ERROR,
	ST_ARCHIVED,
	ST_FRIDGE,
};

struct options {
	char **dirs;
	int ndirs;
	bool once, snapshot;
	int64_t settle_ms;
	int64_t poll_ms;  /* 0: inotify */
	size_t max_size;
	int threads;
};

/* What an event says of a file, kept per path between events. */
struct task_info {
	bool valid;
	enum lane lane;
	enum task_state state;
	char *id, *agent, *title, *priority;
	char *conflict; /* the status field, when it disagrees with the lane */
	uint64_t hash;  /* of the file's bytes */
	dev_t dev;
	ino_t ino;
	int64_t mtime_ns, ctime_ns;
	off_t size;
};

/* A file read and parsed: its info, the task as JSON text, or the error. */
struct parsed {
	struct task_info info;
	bool exists; /* false: gone, or not a regular file */
	struct buf json;
	long err_line, err_col; /* 0 when the error has no position */
	char *err; /* the message, when not valid */
};

/* task.c */
extern const char *const state_names[];
extern const char *const lane_names[];
bool is_task_name(const char *name);
bool is_ignored_dir(const char *name);
/* Parse text as the task file at rel (its path below the root). */
void task_parse(const char *rel, const char *text, size_t len, size_t max_size, struct parsed *out);
/* Read and parse the file at path; out->exists says whether there was one.
 * task_read_at opens name relative to the directory dirfd instead, sparing
 * the kernel the walk down the whole path. */
void task_read(const char *path, const char *rel, size_t max_size, struct parsed *out);
void task_read_at(int dirfd, const char *name, const char *rel, size_t max_size, struct parsed *out);
/* Free the calling thread's read buffer. */
void task_read_done(void);
void task_info_free(struct task_info *t);
void task_info_copy(struct task_info *dst, const struct task_info *src);
void parsed_free(struct parsed *p);

/* One event record to standard output. prev is what was known of the path
 * (or prev_path) before, cur what is known now (NULL for deleted). */
void emit_event(const char *event, const char *path, const char *prev_path, const struct task_info *prev,
		const struct parsed *cur);
/* The same record into out (appended), at time ts: safe on any thread. */
void format_event(struct buf *out, const char *event, const char *ts, const char *path, const char *prev_path,
		  const struct task_info *prev, const struct parsed *cur);
void event_time(char *ts); /* now, as an event's "ts" (TIME_BUFSZ bytes) */
void emit_marker(const char *event, const char *key, long n, const char *key2, long n2);

/* table.c: keys are copied; values are the caller's. */
struct table_slot {
	char *key;
	size_t len;
	uint64_t hash;
	void *value;
};
struct table {
	struct table_slot *slots;
	size_t cap, count;
};
void *table_get(const struct table *t, const char *key, size_t len);
/* Set key's value; returns the old value or NULL. */
void *table_put(struct table *t, const char *key, size_t len, void *value);
/* Remove key; returns its value or NULL. */
void *table_del(struct table *t, const char *key, size_t len);
void table_free(struct table *t);
#define table_foreach(t, s) \
	for (struct table_slot *s = (t)->slots; s && s < (t)->slots + (t)->cap; s++) \
		if (s->key)

/* scan.c */
struct found {
	char *path; /* as printed: root + "/" + rel */
	int root;
	size_t rel_off; /* where rel starts in path */
	size_t name_off; /* where the file name starts in path */
	int dirfd;       /* its directory, open, or -1 */
	bool skip;      /* known unchanged: not read */
	struct parsed p;
	struct buf line; /* its snapshot event, when scan_read was asked for it */
};
struct found_list {
	struct found *v;
	size_t n, cap;
	int *dirfds; /* the directories' descriptors the files refer to */
	size_t ndirfds;
};
/* Called for each directory before it is listed (to watch it); false stops
 * the walk below it. */
typedef bool (*dir_hook)(void *ctx, int root, const char *path, size_t rel_off);
/* Walk dir (the path of a directory, under root) and list its task files,
 * sorted, into list. Errors are reported and the walk goes on. Returns false
 * when dir itself cannot be read. */
bool scan_tree(const char *dir, int root, size_t rel_off, dir_hook hook, void *ctx, struct found_list *list);
/* Read and parse every file of the list (but those marked skip) on nthreads
 * threads. deliver() is called in list order, from the calling thread, as
 * results come in. */
typedef void (*found_cb)(void *ctx, struct found *f);
/* With snapshot_ts, each file's snapshot event is formatted too, on the
 * reading threads. */
void scan_read(struct found_list *list, int nthreads, size_t max_size, const char *snapshot_ts, found_cb deliver,
	       void *ctx);
void found_list_free(struct found_list *list);

/* watch.c */
int watch_run(const struct options *o);

#endif
