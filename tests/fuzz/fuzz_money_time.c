/* fuzz_money_time: money and time parsing on arbitrary text, and calendar
 * periods in zones with awkward histories.
 *   - money: format(parse(x)) parses back to the same amount, at several
 *     scales; the cents form is the amount rounded half away from zero.
 *   - time: whatever time_parse accepts prints and parses back to the same
 *     instant (within years 0001..9998, which print as four digits).
 *   - durations: accepted ones are >= 0 and bounded.
 *   - zones: the period holding an instant does hold it, and its label is
 *     the instant's own label.
 *
 * Known library bug, checked only with FUZZ_KNOWN_BUGS=1 (run.sh --regress
 * sets it for regressions/money_time/todo-*): where the clocks go back across
 * midnight (St. John's fell back at 00:01 until 2011), a local date comes
 * round twice and tz_period's [start, end) misses the second part. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "timeutil.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const zone_names[] = {
	"UTC", "Europe/Brussels", "America/Sao_Paulo", "Australia/Lord_Howe", "Asia/Kolkata",
	"America/St_Johns", "Pacific/Apia", "Pacific/Chatham", "Europe/Dublin", "Africa/Casablanca",
};
#define NZONES (sizeof zone_names / sizeof *zone_names)
static struct tz *zones[NZONES];
static size_t nzones;
static bool check_known_bugs;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *k = getenv("FUZZ_KNOWN_BUGS");
	check_known_bugs = k && strcmp(k, "1") == 0;
	char err[256];
	for (size_t i = 0; i < NZONES; i++) {
		struct tz *z = tz_open(zone_names[i], err, sizeof err);
		if (z)
			zones[nzones++] = z;
	}
	return 0;
}

static _Noreturn void
broken(const char *what, const char *text)
{
	fprintf(stderr, "fuzz_money_time: %s: \"%s\"\n", what, text);
	abort();
}

static void
money_checks(const char *s, size_t n)
{
	for (int scale = -12; scale <= 12; scale += 6) {
		money_t v;
		if (!money_parse(s, n, scale, &v))
			continue;
		char buf[MONEY_BUFSZ], again[MONEY_BUFSZ];
		size_t len = money_format(v, buf);
		if (len != strlen(buf) || len >= MONEY_BUFSZ)
			broken("money_format's length", buf);
		money_t back;
		if (!money_parse(buf, len, 0, &back) || back != v)
			broken("money_format does not parse back", buf);
		/* And the printed form is canonical: printing it again is the same. */
		money_format(back, again);
		if (strcmp(buf, again) != 0)
			broken("money_format is not stable", buf);

		char cents[MONEY_BUFSZ + 32], plain[MONEY_BUFSZ + 32];
		money_format_cents(v, cents, true);
		size_t cl = money_format_cents(v, plain, false);
		size_t w = 0;
		for (const char *p = cents; *p; p++)
			if (*p != ',')
				cents[w++] = *p;
		cents[w] = '\0';
		if (strcmp(cents, plain) != 0)
			broken("grouping changes the digits", plain);
		money_t c;
		const money_t cent = PICO_PER_USD / 100;
		money_t mag = v < 0 ? -v : v;
		money_t rounded = (mag + cent / 2) / cent * cent;
		if (!money_parse(plain, cl, 0, &c) || c != (v < 0 ? -rounded : rounded))
			broken("money_format_cents is not the amount rounded to cents", plain);
	}
	char tmp[64];
	size_t k = n < sizeof tmp - 1 ? n : sizeof tmp - 1;
	memcpy(tmp, s, k);
	tmp[k] = '\0';
	(void)money_from_double(strtod(tmp, NULL));
}

static void
time_checks(const char *s, size_t n, const char *cstr)
{
	/* 0001-01-01 and 9999-01-01: years that print as four digits. */
	const int64_t lo = -62135596800000LL, hi = 253370764800000LL;
	for (int date_ok = 0; date_ok <= 1; date_ok++) {
		int64_t ms;
		if (!time_parse(s, n, date_ok, &ms))
			continue;
		if (ms < lo || ms >= hi)
			continue;
		char buf[TIME_BUFSZ];
		size_t len = time_format_rfc3339(ms, buf, true);
		int64_t back;
		if (!time_parse(buf, len, false, &back) || back != ms)
			broken("time_format_rfc3339 does not parse back", buf);
		len = time_format_origin(ms, buf);
		if (!time_parse(buf, len, false, &back) || back != ms - ((ms % 1000) + 1000) % 1000)
			broken("time_format_origin does not parse back", buf);
	}
	int64_t d;
	if (duration_parse(cstr, &d) && (d < 0 || d > 1000000000000000LL))
		broken("duration_parse gives an out-of-range duration", cstr);
}

/* Does the local date run backwards anywhere within 30 hours of ms? Only
 * asked once a check has failed, so a minute's steps cost nothing. */
static bool
local_date_goes_back(struct tz *z, int64_t ms)
{
	int64_t prev = INT64_MIN;
	for (int64_t t = ms - 30 * MS_PER_HOUR; t <= ms + 30 * MS_PER_HOUR; t += 60000) {
		int64_t d = tz_local_days(z, t, NULL);
		if (d < prev)
			return true;
		prev = d;
	}
	return false;
}

/* An instant from the input's first bytes, within 1850..2100. */
static void
zone_checks(const uint8_t *data, size_t size)
{
	if (size < 9 || nzones == 0)
		return;
	uint64_t raw = 0;
	for (int i = 0; i < 8; i++)
		raw = raw << 8 | data[1 + i];
	const int64_t start = -3786825600000LL, span = 7889238000000LL; /* 1850-01-01, 250 years */
	int64_t ms = start + (int64_t)(raw % (uint64_t)span);
	struct tz *z = zones[data[0] % nzones];
	for (int u = PERIOD_HOUR; u <= PERIOD_YEAR; u++) {
		int64_t a, b;
		tz_period(z, (enum period_unit)u, ms, &a, &b);
		char label[TIME_BUFSZ], first[TIME_BUFSZ], what[160];
		tz_period_label(z, (enum period_unit)u, ms, label);
		snprintf(what, sizeof what, "%s unit %d at %lld: [%lld, %lld)", tz_name(z), u, (long long)ms, (long long)a,
			 (long long)b);
		tz_period_label(z, (enum period_unit)u, a, first);
		bool holds = a <= ms && ms < b, same = strcmp(label, first) == 0;
		if ((!holds || !same) && !check_known_bugs && local_date_goes_back(z, ms))
			continue;
		if (!holds)
			broken("the period does not hold the instant", what);
		if (!same)
			broken("the period's start has another label", what);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char *cstr = malloc(size + 1);
	memcpy(cstr, data, size);
	cstr[size] = '\0';
	money_checks(s, size);
	time_checks(s, size, cstr);
	zone_checks(data, size);
	free(cstr);
	return 0;
}
