/* timeutil.h: instants, calendar periods in a time zone, durations. Instants
 * are milliseconds since the Unix epoch, UTC. */
#ifndef AGENTPIPE_TIMEUTIL_H
#define AGENTPIPE_TIMEUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MS_PER_HOUR 3600000LL
#define MS_PER_DAY 86400000LL

/* time_parse: RFC 3339 ("2026-11-03T14:05:09.123Z", "+01:00" offsets, a space
 * for the T), the origin store's "2026-11-03 14:05:09[.ffffff]" (UTC), or with
 * date_ok a bare "2026-11-03" (midnight UTC). */
bool time_parse(const char *s, size_t n, bool date_ok, int64_t *ms);

#define TIME_BUFSZ 40
/* "2026-11-03T14:05:09Z"; with_ms adds ".123" when the milliseconds are not 0. */
size_t time_format_rfc3339(int64_t ms, char *buf, bool with_ms);
/* The origin store's own format, "2026-11-03 14:05:09" (UTC). */
size_t time_format_origin(int64_t ms, char *buf);
int64_t time_now_ms(void);

/* duration_parse: "50ms", "2s", "5m", "24h", "7d", "2w"; a bare number is
 * rejected (units are required). */
bool duration_parse(const char *s, int64_t *ms);

/* Civil dates. */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);
/* ISO 8601 weekday, Monday = 1 .. Sunday = 7. */
unsigned weekday_from_days(int64_t z);
/* ISO week of a date: year and week number. */
void iso_week(int64_t days, int64_t *year, unsigned *week);

/* A named time zone. "UTC" needs no database; other names must exist in the
 * system's zone database (an unknown name is an error, never silent UTC). */
struct tz;
struct tz *tz_open(const char *name, char *err, size_t errlen);
void tz_close(struct tz *z);
const char *tz_name(const struct tz *z);
bool tz_is_utc(const struct tz *z);
/* Seconds east of UTC at an instant. */
int32_t tz_offset(struct tz *z, int64_t ms);
/* The local date (days since 1970-01-01) and hour at an instant. */
int64_t tz_local_days(struct tz *z, int64_t ms, unsigned *hour);
/* The first instant of a local date and hour (DST gaps move forward). */
int64_t tz_local_to_utc(struct tz *z, int64_t days, unsigned hour);

enum period_unit { PERIOD_HOUR, PERIOD_DAY, PERIOD_WEEK, PERIOD_MONTH, PERIOD_YEAR };
/* The period holding ms, as [start, end) instants. */
void tz_period(struct tz *z, enum period_unit u, int64_t ms, int64_t *start, int64_t *end);
/* A label for the period holding ms: "2026-11-03T14:00", "2026-11-03",
 * "2026-W45", "2026-11", "2026". */
size_t tz_period_label(struct tz *z, enum period_unit u, int64_t ms, char *buf);

#endif
