/* timeutil.c: instants, civil dates, zones. */
#include "timeutil.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

/* Days from civil and back: the proleptic Gregorian calendar, exact for any
 * year (Howard Hinnant's well-known algorithms). */
int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t yy = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yy + (*m <= 2);
}

unsigned
weekday_from_days(int64_t z)
{
	/* 1970-01-01 was a Thursday (4). */
	int64_t w = (z + 3) % 7;
	if (w < 0)
		w += 7;
	return (unsigned)w + 1;
}

void
iso_week(int64_t days, int64_t *year, unsigned *week)
{
	/* The ISO year is that of the week's Thursday. */
	int64_t thursday = days - (int64_t)weekday_from_days(days) + 4;
	int64_t y;
	unsigned m, d;
	civil_from_days(thursday, &y, &m, &d);
	int64_t jan1 = days_from_civil(y, 1, 1);
	*year = y;
	*week = (unsigned)((thursday - jan1) / 7 + 1);
}

static bool
digits(const char *s, size_t n, size_t at, size_t count, int *out)
{
	if (at + count > n)
		return false;
	int v = 0;
	for (size_t i = 0; i < count; i++) {
		char c = s[at + i];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*out = v;
	return true;
}

static unsigned
days_in_month(int64_t y, unsigned m)
{
	static const unsigned dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

bool
time_parse(const char *s, size_t n, bool date_ok, int64_t *ms)
{
	int y, mo, d, h = 0, mi = 0, sec = 0;
	if (!digits(s, n, 0, 4, &y) || n < 10 || s[4] != '-' || !digits(s, n, 5, 2, &mo) ||
	    s[7] != '-' || !digits(s, n, 8, 2, &d))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || (unsigned)d > days_in_month(y, (unsigned)mo))
		return false;
	int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
	if (n == 10) {
		if (!date_ok)
			return false;
		*ms = days * MS_PER_DAY;
		return true;
	}
	if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
		return false;
	if (!digits(s, n, 11, 2, &h) || n < 16 || s[13] != ':' || !digits(s, n, 14, 2, &mi))
		return false;
	size_t i = 16;
	if (i < n && s[i] == ':') {
		if (!digits(s, n, 17, 2, &sec))
			return false;
		i = 19;
	}
	if (h > 23 || mi > 59 || sec > 60)
		return false;
	int frac_ms = 0;
	if (i < n && (s[i] == '.' || s[i] == ',')) {
		i++;
		size_t start = i;
		int scale = 100;
		for (; i < n && isdigit((unsigned char)s[i]); i++) {
			frac_ms += (s[i] - '0') * scale;
			scale /= 10;
		}
		if (i == start)
			return false;
	}
	int64_t offset_s = 0;
	if (i < n) {
		if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == n) {
			i++;
		} else if (s[i] == '+' || s[i] == '-') {
			int oh, om;
			if (!digits(s, n, i + 1, 2, &oh))
				return false;
			size_t j = i + 3;
			if (j < n && s[j] == ':')
				j++;
			if (!digits(s, n, j, 2, &om) || j + 2 != n || oh > 23 || om > 59)
				return false;
			offset_s = (oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
			i = n;
		} else
			return false;
	}
	if (i != n)
		return false;
	if (sec == 60)
		sec = 59; /* a leap second counts as the second before it */
	*ms = ((days * 86400 + h * 3600 + mi * 60 + sec) - offset_s) * 1000 + frac_ms;
	return true;
}

static void
split(int64_t ms, int64_t *days, int *h, int *mi, int *s, int *msec)
{
	int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
	*msec = (int)(ms - secs * 1000);
	int64_t dd = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	int64_t rem = secs - dd * 86400;
	*days = dd;
	*h = (int)(rem / 3600);
	*mi = (int)(rem / 60 % 60);
	*s = (int)(rem % 60);
}

size_t
time_format_rfc3339(int64_t ms, char *buf, bool with_ms)
{
	int64_t days, y;
	int h, mi, s, msec;
	unsigned m, d;
	split(ms, &days, &h, &mi, &s, &msec);
	civil_from_days(days, &y, &m, &d);
	int n;
	if (with_ms && msec)
		n = snprintf(buf, TIME_BUFSZ, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", (long long)y, m, d, h,
			     mi, s, msec);
	else
		n = snprintf(buf, TIME_BUFSZ, "%04lld-%02u-%02uT%02d:%02d:%02dZ", (long long)y, m, d, h, mi,
			     s);
	return n > 0 ? (size_t)n : 0;
}

size_t
time_format_origin(int64_t ms, char *buf)
{
	int64_t days, y;
	int h, mi, s, msec;
	unsigned m, d;
	split(ms, &days, &h, &mi, &s, &msec);
	civil_from_days(days, &y, &m, &d);
	int n = snprintf(buf, TIME_BUFSZ, "%04lld-%02u-%02u %02d:%02d:%02d", (long long)y, m, d, h, mi, s);
	return n > 0 ? (size_t)n : 0;
}

int64_t
time_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool
duration_parse(const char *s, int64_t *ms)
{
	char *end;
	/* Digits and at most one point: no hex, no exponent, no sign. */
	size_t digits = strspn(s, "0123456789.");
	if (!isdigit((unsigned char)*s) || memchr(s, '.', digits) != memrchr(s, '.', digits))
		return false;
	double v = strtod(s, &end);
	if (end != s + digits)
		return false;
	int64_t unit;
	if (strcmp(end, "ms") == 0)
		unit = 1;
	else if (strcmp(end, "s") == 0)
		unit = 1000;
	else if (strcmp(end, "m") == 0)
		unit = 60000;
	else if (strcmp(end, "h") == 0)
		unit = MS_PER_HOUR;
	else if (strcmp(end, "d") == 0)
		unit = MS_PER_DAY;
	else if (strcmp(end, "w") == 0)
		unit = 7 * MS_PER_DAY;
	else
		return false;
	double r = v * (double)unit;
	if (!(r >= 0) || r > 1e15)
		return false;
	*ms = (int64_t)(r + 0.5);
	return true;
}

struct tz {
	char *name;
	bool utc;
	int64_t cached_hour; /* the hour (ms / MS_PER_HOUR) whose offset is cached */
	int32_t cached_offset;
};

/* glibc keeps one zone, from TZ; switching costs a file read, so it happens
 * only when a different zone is asked for. */
static const char *current_tz;

static void
use_zone(struct tz *z)
{
	if (current_tz == z->name)
		return;
	setenv("TZ", z->name, 1);
	tzset();
	current_tz = z->name;
}

static bool
zone_exists(const char *name)
{
	if (name[0] == '\0' || name[0] == '/' || strstr(name, ".."))
		return false;
	const char *dir = getenv("TZDIR");
	if (!dir || !*dir)
		dir = "/usr/share/zoneinfo";
	char path[4096];
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
		return false;
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	char magic[4];
	bool ok = fread(magic, 1, 4, f) == 4 && memcmp(magic, "TZif", 4) == 0;
	fclose(f);
	return ok;
}

struct tz *
tz_open(const char *name, char *err, size_t errlen)
{
	bool utc = !name || !*name || strcmp(name, "UTC") == 0 || strcmp(name, "Z") == 0 ||
		   strcmp(name, "Etc/UTC") == 0 || strcmp(name, "GMT") == 0;
	if (!utc && !zone_exists(name)) {
		snprintf(err, errlen, "unknown time zone '%s' (not in the zone database)", name);
		return NULL;
	}
	struct tz *z = xcalloc(1, sizeof *z);
	z->name = xstrdup(utc ? "UTC" : name);
	z->utc = utc;
	z->cached_hour = INT64_MIN;
	return z;
}

void
tz_close(struct tz *z)
{
	if (!z)
		return;
	if (current_tz == z->name)
		current_tz = NULL;
	free(z->name);
	free(z);
}

const char *
tz_name(const struct tz *z)
{
	return z->name;
}

bool
tz_is_utc(const struct tz *z)
{
	return z->utc;
}

int32_t
tz_offset(struct tz *z, int64_t ms)
{
	if (z->utc)
		return 0;
	/* Offsets change on hour or half-hour boundaries at most a few times a
	 * year; caching per quarter hour is exact and makes sorted input cheap. */
	int64_t q = ms >= 0 ? ms / 900000 : -((-ms + 899999) / 900000);
	if (q == z->cached_hour)
		return z->cached_offset;
	use_zone(z);
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));
	struct tm tm;
	if (!localtime_r(&t, &tm))
		return 0;
	z->cached_hour = q;
	z->cached_offset = (int32_t)tm.tm_gmtoff;
	return z->cached_offset;
}

int64_t
tz_local_days(struct tz *z, int64_t ms, unsigned *hour)
{
	int64_t local = ms + (int64_t)tz_offset(z, ms) * 1000;
	int64_t days = local >= 0 ? local / MS_PER_DAY : -((-local + MS_PER_DAY - 1) / MS_PER_DAY);
	if (hour)
		*hour = (unsigned)((local - days * MS_PER_DAY) / MS_PER_HOUR);
	return days;
}

static int32_t
raw_offset(struct tz *z, int64_t ms)
{
	use_zone(z);
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));
	struct tm tm;
	return localtime_r(&t, &tm) ? (int32_t)tm.tm_gmtoff : 0;
}

static int64_t local_to_utc(struct tz *z, int64_t days, unsigned hour, bool later);

int64_t
tz_local_to_utc(struct tz *z, int64_t days, unsigned hour)
{
	return local_to_utc(z, days, hour, false);
}

/* A wall time read twice (clocks going back) has two instants: a period
 * starts at the earlier and, so that it holds every instant of its own last
 * hour, ends at the later. */
static int64_t
local_to_utc(struct tz *z, int64_t days, unsigned hour, bool later)
{
	int64_t local = days * MS_PER_DAY + (int64_t)hour * MS_PER_HOUR;
	if (z->utc)
		return local;
	/* The offsets a day either side bound the two readings of a wall time. */
	int32_t off_a = raw_offset(z, local - MS_PER_DAY), off_b = raw_offset(z, local + MS_PER_DAY);
	int64_t ta = local - (int64_t)off_a * 1000, tb = local - (int64_t)off_b * 1000;
	bool a_ok = ta + (int64_t)raw_offset(z, ta) * 1000 == local;
	bool b_ok = tb + (int64_t)raw_offset(z, tb) * 1000 == local;
	if (a_ok && b_ok)
		return (ta < tb) != later ? ta : tb;
	if (a_ok)
		return ta;
	if (b_ok)
		return tb;
	/* A gap: the wall time does not exist; the period starts at the
	 * transition, the first instant whose wall time is later. */
	int64_t lo = ta < tb ? ta : tb, hi = ta < tb ? tb : ta;
	while (hi - lo > 1000) {
		int64_t mid = lo + (hi - lo) / 2;
		if (mid + (int64_t)raw_offset(z, mid) * 1000 >= local)
			hi = mid;
		else
			lo = mid;
	}
	return hi - hi % 1000;
}

void
tz_period(struct tz *z, enum period_unit u, int64_t ms, int64_t *start, int64_t *end)
{
	unsigned hour;
	int64_t days = tz_local_days(z, ms, &hour);
	int64_t y;
	unsigned m, d;
	switch (u) {
	case PERIOD_HOUR:
		*start = tz_local_to_utc(z, days, hour);
		*end = hour == 23 ? tz_local_to_utc(z, days + 1, 0) : tz_local_to_utc(z, days, hour + 1);
		if (*end <= ms) /* a repeated hour in an overlap */
			*end = ms - ms % MS_PER_HOUR + MS_PER_HOUR;
		if (*start > ms)
			*start = ms - ms % MS_PER_HOUR;
		break;
	case PERIOD_DAY:
		*start = tz_local_to_utc(z, days, 0);
		*end = local_to_utc(z, days + 1, 0, true);
		break;
	case PERIOD_WEEK: {
		int64_t monday = days - (weekday_from_days(days) - 1);
		*start = tz_local_to_utc(z, monday, 0);
		*end = local_to_utc(z, monday + 7, 0, true);
		break;
	}
	case PERIOD_MONTH:
		civil_from_days(days, &y, &m, &d);
		*start = tz_local_to_utc(z, days_from_civil(y, m, 1), 0);
		*end = local_to_utc(z, m == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, m + 1, 1), 0, true);
		break;
	case PERIOD_YEAR:
		civil_from_days(days, &y, &m, &d);
		*start = tz_local_to_utc(z, days_from_civil(y, 1, 1), 0);
		*end = local_to_utc(z, days_from_civil(y + 1, 1, 1), 0, true);
		break;
	}
}

size_t
tz_period_label(struct tz *z, enum period_unit u, int64_t ms, char *buf)
{
	unsigned hour, m, d, w;
	int64_t days = tz_local_days(z, ms, &hour), y;
	int n = 0;
	switch (u) {
	case PERIOD_HOUR:
		civil_from_days(days, &y, &m, &d);
		n = snprintf(buf, TIME_BUFSZ, "%04lld-%02u-%02uT%02u:00", (long long)y, m, d, hour);
		break;
	case PERIOD_DAY:
		civil_from_days(days, &y, &m, &d);
		n = snprintf(buf, TIME_BUFSZ, "%04lld-%02u-%02u", (long long)y, m, d);
		break;
	case PERIOD_WEEK:
		iso_week(days, &y, &w);
		n = snprintf(buf, TIME_BUFSZ, "%04lld-W%02u", (long long)y, w);
		break;
	case PERIOD_MONTH:
		civil_from_days(days, &y, &m, &d);
		n = snprintf(buf, TIME_BUFSZ, "%04lld-%02u", (long long)y, m);
		break;
	case PERIOD_YEAR:
		civil_from_days(days, &y, &m, &d);
		n = snprintf(buf, TIME_BUFSZ, "%04lld", (long long)y);
		break;
	}
	return n > 0 ? (size_t)n : 0;
}
