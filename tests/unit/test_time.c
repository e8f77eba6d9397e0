/* test_time: parsing and printing instants, durations, ISO weeks, and
 * calendar periods in real time zones (DST days of 23 and 25 hours, a
 * midnight that did not exist). The expected instants were worked out by
 * hand from the zones' published rules, not from the code under test. */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "timeutil.h"

/* 2026-11-03T14:05:09Z */
#define T0 1793714709000LL
#define H MS_PER_HOUR

static void
parse_is(const char *s, bool date_ok, int64_t want)
{
	int64_t got = -42;
	bool ok = time_parse(s, strlen(s), date_ok, &got);
	if (!check(ok && got == want, "time_parse(\"%s\"%s)", s, date_ok ? ", date_ok" : ""))
		tap_diag("  returned %s, got %lld, expected %lld", ok ? "true" : "false", (long long)got,
			 (long long)want);
}

static void
parse_bad(const char *s, bool date_ok)
{
	int64_t got = 0;
	check(!time_parse(s, strlen(s), date_ok, &got), "time_parse rejects \"%s\"%s", s,
	      date_ok ? " (date_ok)" : "");
}

static void
test_parse(void)
{
	parse_is("2026-11-03T14:05:09Z", false, T0);
	parse_is("2026-11-03T14:05:09.123Z", false, T0 + 123);
	parse_is("2026-11-03T14:05:09.1Z", false, T0 + 100);
	parse_is("2026-11-03T14:05:09.123456789Z", false, T0 + 123);
	parse_is("2026-11-03T14:05:09+01:00", false, T0 - H);
	parse_is("2026-11-03T14:05:09-05:30", false, T0 + 5 * H + 30 * 60000);
	parse_is("2026-11-03T14:05:09+00:00", false, T0);
	parse_is("2026-11-03t14:05:09z", false, T0);
	parse_is("2026-11-03 14:05:09Z", false, T0);
	/* The origin store's own form: UTC, microseconds. */
	parse_is("2026-11-03 14:05:09.123456", false, T0 + 123);
	parse_is("2026-11-03 14:05:09", false, T0);
	parse_is("2026-11-03", true, 1793664000000LL);
	parse_bad("2026-11-03", false);
	parse_is("1969-12-31T23:59:59.999Z", false, -1);
	parse_is("1970-01-01T00:00:00Z", false, 0);
	/* A leap second is read as the second before it. */
	parse_is("2026-12-31T23:59:60Z", false, 1798761599000LL);

	parse_bad("2026-02-30", true);
	parse_bad("2026-02-30T00:00:00Z", false);
	parse_bad("2026-13-01", true);
	parse_bad("2026-00-10", true);
	parse_bad("2026-01-00", true);
	parse_bad("2025-02-29", true);
	parse_bad("2100-02-29", true);
	parse_is("2024-02-29", true, 1709164800000LL);
	parse_is("2000-02-29", true, 951782400000LL);
	parse_bad("", true);
	parse_bad("2026-11-3", true);
	parse_bad("2026/11/03", true);
	parse_bad("2026-11-03T24:00:00Z", false);
	parse_bad("2026-11-03T14:60:00Z", false);
	parse_bad("2026-11-03T14:05:09.Z", false);
	parse_bad("2026-11-03T14:05:09+24:00", false);
	parse_bad("2026-11-03T14:05:09+01", false);
	parse_bad("2026-11-03T14:05:09Zjunk", false);
	parse_bad("2026-11-03X14:05:09Z", false);

	/* Only n bytes are read. */
	int64_t v = 0;
	check(time_parse("2026-11-03T14:05:09Zxyz", 20, false, &v) && v == T0, "time_parse reads only n bytes");
}

static void
test_format(void)
{
	char buf[TIME_BUFSZ];
	size_t n = time_format_rfc3339(T0 + 123, buf, true);
	check_mem_eq(buf, n, "2026-11-03T14:05:09.123Z", "time_format_rfc3339 with ms");
	n = time_format_rfc3339(T0 + 123, buf, false);
	check_mem_eq(buf, n, "2026-11-03T14:05:09Z", "time_format_rfc3339 without ms");
	n = time_format_rfc3339(T0, buf, true);
	check_mem_eq(buf, n, "2026-11-03T14:05:09Z", "time_format_rfc3339 leaves out .000");
	n = time_format_rfc3339(-1, buf, true);
	check_mem_eq(buf, n, "1969-12-31T23:59:59.999Z", "time_format_rfc3339 before 1970");
	n = time_format_origin(T0 + 123, buf);
	check_mem_eq(buf, n, "2026-11-03 14:05:09", "time_format_origin");

	/* Round trips over a spread of instants, before and after 1970. */
	static const int64_t when[] = {0, 1, -1, T0, T0 + 999, 951782400000LL, -2208988800000LL + 7,
				       4102444800000LL - 1};
	bool all = true;
	for (size_t i = 0; i < sizeof when / sizeof *when; i++) {
		int64_t back = 0;
		n = time_format_rfc3339(when[i], buf, true);
		if (!time_parse(buf, n, false, &back) || back != when[i]) {
			tap_diag("rfc3339 round trip of %lld: \"%s\" -> %lld", (long long)when[i], buf, (long long)back);
			all = false;
		}
		int64_t secs = when[i] - ((when[i] % 1000) + 1000) % 1000;
		n = time_format_origin(when[i], buf);
		if (!time_parse(buf, n, false, &back) || back != secs) {
			tap_diag("origin round trip of %lld: \"%s\" -> %lld", (long long)when[i], buf, (long long)back);
			all = false;
		}
	}
	check(all, "time_format_rfc3339 and time_format_origin round trip through time_parse");
}

static void
duration_is(const char *s, int64_t want)
{
	int64_t got = -1;
	bool ok = duration_parse(s, &got);
	if (!check(ok && got == want, "duration_parse(\"%s\") is %lld ms", s, (long long)want))
		tap_diag("  returned %s, got %lld", ok ? "true" : "false", (long long)got);
}

static void
test_duration(void)
{
	duration_is("50ms", 50);
	duration_is("2s", 2000);
	duration_is("5m", 300000);
	duration_is("24h", 86400000);
	duration_is("7d", 604800000);
	duration_is("2w", 1209600000);
	duration_is("1.5h", 5400000);
	duration_is("0s", 0);
	static const char *const bad[] = {"5", "", "h", "-1s", "5x", "5 s", "s5", "5hh", "+5s", "1e400s"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		int64_t v;
		check(!duration_parse(bad[i], &v), "duration_parse rejects \"%s\"", bad[i]);
	}
}

static void
week_is(int64_t y, unsigned m, unsigned d, int64_t want_year, unsigned want_week)
{
	int64_t yy = 0;
	unsigned w = 0;
	iso_week(days_from_civil(y, m, d), &yy, &w);
	if (!check(yy == want_year && w == want_week, "%04lld-%02u-%02u is ISO %lld-W%02u", (long long)y, m, d,
		   (long long)want_year, want_week))
		tap_diag("  got %lld-W%02u", (long long)yy, w);
}

static void
test_calendar(void)
{
	check_int_eq(days_from_civil(1970, 1, 1), 0, "days_from_civil(1970-01-01) is 0");
	check_int_eq(days_from_civil(2026, 11, 3), 20760, "days_from_civil(2026-11-03)");
	check_int_eq(days_from_civil(1969, 12, 31), -1, "days_from_civil(1969-12-31) is -1");
	int64_t y;
	unsigned m, d;
	civil_from_days(20760, &y, &m, &d);
	check(y == 2026 && m == 11 && d == 3, "civil_from_days(20760) is 2026-11-03");
	civil_from_days(-1, &y, &m, &d);
	check(y == 1969 && m == 12 && d == 31, "civil_from_days(-1) is 1969-12-31");
	check_int_eq(weekday_from_days(0), 4, "1970-01-01 was a Thursday");
	check_int_eq(weekday_from_days(20760), 2, "2026-11-03 is a Tuesday");
	check_int_eq(weekday_from_days(-4), 7, "1969-12-28 was a Sunday");
	week_is(2026, 1, 1, 2026, 1);
	week_is(2027, 1, 1, 2026, 53);
	week_is(2024, 12, 30, 2025, 1);
	week_is(2026, 11, 3, 2026, 45);
	week_is(2021, 1, 3, 2020, 53);
}

static void
period_is(struct tz *z, enum period_unit u, int64_t ms, int64_t want_start, int64_t want_end, const char *what)
{
	int64_t s = 0, e = 0;
	tz_period(z, u, ms, &s, &e);
	if (!check(s == want_start && e == want_end, "%s: %s", tz_name(z), what))
		tap_diag("  got [%lld, %lld), expected [%lld, %lld)", (long long)s, (long long)e,
			 (long long)want_start, (long long)want_end);
}

static void
label_is(struct tz *z, enum period_unit u, int64_t ms, const char *want)
{
	char buf[TIME_BUFSZ];
	size_t n = tz_period_label(z, u, ms, buf);
	check_mem_eq(buf, n, want, "%s: tz_period_label is \"%s\"", tz_name(z), want);
}

static void
test_utc(void)
{
	char err[256] = "";
	struct tz *z = tz_open("UTC", err, sizeof err);
	if (!check(z != NULL, "tz_open(\"UTC\")"))
		return;
	check(tz_is_utc(z), "UTC is UTC");
	check_int_eq(tz_offset(z, T0), 0, "UTC's offset is 0");
	/* 2024 is a leap year: February ends on the 29th. */
	period_is(z, PERIOD_MONTH, 1707998400000LL, 1706745600000LL, 1709251200000LL,
		  "the month of 2024-02-15 ends 2024-03-01");
	period_is(z, PERIOD_YEAR, 1707998400000LL, 1704067200000LL, 1735689600000LL, "the year 2024");
	period_is(z, PERIOD_DAY, T0, 1793664000000LL, 1793664000000LL + MS_PER_DAY, "the day of 2026-11-03");
	period_is(z, PERIOD_HOUR, T0, T0 - 5 * 60000 - 9000, T0 - 5 * 60000 - 9000 + H, "the hour of 14:05:09");
	/* 2026-11-03 is a Tuesday: its week began Monday 2026-11-02. */
	period_is(z, PERIOD_WEEK, T0, 1793664000000LL - MS_PER_DAY, 1793664000000LL + 6 * MS_PER_DAY,
		  "the week of 2026-11-03 starts on Monday");
	period_is(z, PERIOD_MONTH, 1796083200000LL, 1796083200000LL, 1798761600000LL, "December 2026");
	label_is(z, PERIOD_HOUR, T0, "2026-11-03T14:00");
	label_is(z, PERIOD_WEEK, 1798761600000LL, "2026-W53"); /* 2027-01-01 */
	tz_close(z);
}

static void
test_unknown_zone(void)
{
	char err[256] = "";
	struct tz *z = tz_open("Nowhere/Atlantis", err, sizeof err);
	check(z == NULL, "tz_open(\"Nowhere/Atlantis\") fails");
	if (!check(strstr(err, "Nowhere/Atlantis") != NULL, "and says which zone"))
		tap_diag("  message: %s", err);
	tz_close(z);
	err[0] = '\0';
	z = tz_open("../../../etc/passwd", err, sizeof err);
	check(z == NULL && err[0], "tz_open refuses a path that leaves the zone database");
	tz_close(z);
}

static void
test_brussels(void)
{
	char err[256];
	struct tz *z = tz_open("Europe/Brussels", err, sizeof err);
	if (!z) {
		skip("no tzdata (Europe/Brussels)");
		return;
	}
	check(!tz_is_utc(z), "Europe/Brussels is not UTC");
	check_int_eq(tz_offset(z, 1767225600000LL), 3600, "Brussels is UTC+1 on 2026-01-01");
	check_int_eq(tz_offset(z, 1782864000000LL), 7200, "Brussels is UTC+2 on 2026-07-01");
	/* Spring forward on 2026-03-29 at 01:00Z: a 23-hour local day. */
	int64_t mar29_noon = 1774785600000LL;
	period_is(z, PERIOD_DAY, mar29_noon, 1774738800000LL, 1774821600000LL,
		  "2026-03-29 runs 2026-03-28T23:00Z to 2026-03-29T22:00Z (23 h)");
	/* Fall back on 2026-10-25 at 01:00Z: a 25-hour local day. */
	int64_t oct25_noon = 1792929600000LL;
	period_is(z, PERIOD_DAY, oct25_noon, 1792879200000LL, 1792969200000LL,
		  "2026-10-25 runs 2026-10-24T22:00Z to 2026-10-25T23:00Z (25 h)");
	/* The instants just inside and outside the short day. */
	period_is(z, PERIOD_DAY, 1774738800000LL, 1774738800000LL, 1774821600000LL,
		  "the first instant of 2026-03-29 is in it");
	period_is(z, PERIOD_DAY, 1774738800000LL - 1, 1774738800000LL - 23 * H - H, 1774738800000LL,
		  "the instant before belongs to 2026-03-28 (24 h)");
	/* Thursday 2026-11-05: the week began Monday 2026-11-02 00:00 CET. */
	int64_t s = 0, e = 0;
	tz_period(z, PERIOD_WEEK, 1793880000000LL, &s, &e); /* 2026-11-05T12:00Z */
	check(s == 1793574000000LL && e == 1794178800000LL,
	      "the week of 2026-11-05 is Monday 2026-11-02 to Monday 2026-11-09");
	unsigned hour = 99;
	int64_t sd = tz_local_days(z, s, &hour);
	check(weekday_from_days(sd) == 1 && hour == 0, "a week starts at local midnight on a Monday");
	/* The week holding the spring-forward Sunday is an hour short. */
	tz_period(z, PERIOD_WEEK, mar29_noon, &s, &e);
	check(s == 1774220400000LL && e - s == 7 * MS_PER_DAY - H, "the week of 2026-03-29 is 167 hours");
	period_is(z, PERIOD_MONTH, mar29_noon, 1772319600000LL, 1774994400000LL,
		  "March 2026 runs from CET midnight to CEST midnight");
	period_is(z, PERIOD_YEAR, T0, 1767222000000LL, 1798758000000LL, "the year 2026 in Brussels");
	period_is(z, PERIOD_HOUR, T0, T0 - 5 * 60000 - 9000, T0 - 5 * 60000 - 9000 + H, "the hour of 15:05:09 CET");

	label_is(z, PERIOD_HOUR, T0, "2026-11-03T15:00");
	label_is(z, PERIOD_DAY, T0, "2026-11-03");
	label_is(z, PERIOD_WEEK, T0, "2026-W45");
	label_is(z, PERIOD_MONTH, T0, "2026-11");
	label_is(z, PERIOD_YEAR, T0, "2026");
	/* 23:30Z on New Year's Eve is already next year in Brussels. */
	label_is(z, PERIOD_YEAR, 1798759800000LL, "2027");
	label_is(z, PERIOD_DAY, 1798759800000LL, "2027-01-01");
	tz_close(z);
}

static void
test_sao_paulo(void)
{
	char err[256];
	struct tz *z = tz_open("America/Sao_Paulo", err, sizeof err);
	if (!z) {
		skip("no tzdata (America/Sao_Paulo)");
		return;
	}
	/* On 2018-11-04 clocks went from 00:00 straight to 01:00 (-03 to -02):
	 * that midnight never happened, and the day began at 03:00Z. */
	int64_t nov4 = days_from_civil(2018, 11, 4);
	int64_t t = tz_local_to_utc(z, nov4, 0);
	if (!check(t == 1541300400000LL, "tz_local_to_utc(2018-11-04 00:00, Sao Paulo) is 2018-11-04T03:00:00Z"))
		tap_diag("  got %lld", (long long)t);
	check(tz_local_to_utc(z, nov4, 1) == 1541300400000LL, "and 01:00 local is the same instant");
	check(tz_local_to_utc(z, nov4, 2) == 1541300400000LL + H, "and 02:00 local an hour later");
	period_is(z, PERIOD_DAY, 1541332800000LL, 1541300400000LL, 1541383200000LL,
		  "2018-11-04 runs 03:00Z to 02:00Z the next day (23 h)");
	label_is(z, PERIOD_DAY, 1541300400000LL, "2018-11-04");
	label_is(z, PERIOD_DAY, 1541300400000LL - 1, "2018-11-03");
	tz_close(z);
}

static void
test_st_johns(void)
{
	char err[256];
	struct tz *z = tz_open("America/St_Johns", err, sizeof err);
	if (!z) {
		skip("no tzdata (America/St_Johns)");
		return;
	}
	/* Newfoundland fell back at 00:01 until 2011: on 2000-10-29 at 02:31Z
	 * the clocks went from 00:01 NDT back to 23:01 NST, so 2000-10-28 came
	 * round again for an hour. 03:11Z is 23:41 on the 28th, and the period
	 * of its day must hold it. */
	int64_t ms = 972789069520LL, s = 0, e = 0;
	char label[TIME_BUFSZ];
	tz_period_label(z, PERIOD_DAY, ms, label);
	check_str_eq(label, "2000-10-28", "St. John's: 2000-10-29T03:11:09Z is on 2000-10-28");
	tz_period(z, PERIOD_DAY, ms, &s, &e);
	if (!check(s <= ms && ms < e,
			"St. John's: the period of that day holds the instant"))
		tap_diag("  got [%lld, %lld) for %lld", (long long)s, (long long)e, (long long)ms);
	tz_close(z);
}

int
main(void)
{
	test_parse();
	test_format();
	test_duration();
	test_calendar();
	test_utc();
	test_unknown_zone();
	test_brussels();
	test_sao_paulo();
	test_st_johns();
	return done();
}
