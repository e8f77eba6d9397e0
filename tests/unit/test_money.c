/* test_money: exact parsing and printing of pico-USD amounts. */
#include <math.h>
#include <string.h>

#include "money.h"
#include "tap.h"

/* money_t is 128-bit: print it with the library's own formatter, which the
 * format checks below pin down separately. */
static void
diag_money(const char *label, money_t v)
{
	char buf[MONEY_BUFSZ];
	money_format(v, buf);
	tap_diag("  %s %s USD", label, buf);
}

static void
parse_ok(const char *text, int scale10, money_t want)
{
	money_t got = -12345;
	bool ok = money_parse(text, strlen(text), scale10, &got);
	if (!check(ok && got == want, "money_parse(\"%s\", scale %d)", text, scale10)) {
		tap_diag("  returned %s", ok ? "true" : "false");
		diag_money("got", got);
		diag_money("expected", want);
	}
}

static void
parse_bad(const char *text)
{
	money_t got = 0;
	check(!money_parse(text, strlen(text), 0, &got), "money_parse rejects \"%s\"", text);
}

static void
test_parse(void)
{
	parse_ok("0.30", -6, 300000);
	parse_ok("3e-06", 0, 3000000);
	parse_ok("3E-6", 0, 3000000);
	parse_ok("1.5", 0, (money_t)PICO_PER_USD * 3 / 2);
	parse_ok("-2", 0, -2 * (money_t)PICO_PER_USD);
	parse_ok("+2", 0, 2 * (money_t)PICO_PER_USD);
	parse_ok("12", 0, 12 * (money_t)PICO_PER_USD);
	parse_ok("0", 0, 0);
	parse_ok(".5", 0, PICO_PER_USD / 2);
	parse_ok("5.", 0, 5 * (money_t)PICO_PER_USD);
	parse_ok("1.5e-06", 0, 1500000);
	/* Half a pico rounds away from zero, both ways. */
	parse_ok("0.0000000000005", 0, 1);
	parse_ok("-0.0000000000005", 0, -1);
	parse_ok("0.0000000000004999", 0, 0);
	parse_ok("15", -6, 15000000);
	/* Far below a pico is zero, not an error. */
	parse_ok("1e-40", 0, 0);
	/* The text is read exactly: 0.1 + 0.2 trouble cannot happen. */
	parse_ok("0.000000000001", 0, 1);

	/* A part of the string only: n bounds the read. */
	money_t v = 0;
	check(money_parse("2.5xyz", 3, 0, &v) && v == 5 * (money_t)PICO_PER_USD / 2,
	      "money_parse reads only n bytes");

	parse_bad("");
	parse_bad(".");
	parse_bad("1e");
	parse_bad("1e+");
	parse_bad("abc");
	parse_bad("1.2.3");
	parse_bad("-");
	parse_bad("1 ");
	parse_bad("0x10");
	/* Too large to hold: 1e40 dollars. */
	parse_bad("1e40");
}

static void
format_is(money_t v, const char *want)
{
	char buf[MONEY_BUFSZ];
	size_t n = money_format(v, buf);
	check_str_eq(buf, want, "money_format gives \"%s\"", want);
	check_int_eq(n, strlen(want), "money_format returns the length of \"%s\"", want);
}

static void
cents_is(money_t v, bool grouped, const char *want)
{
	char buf[MONEY_BUFSZ];
	size_t n = money_format_cents(v, buf, grouped);
	check_mem_eq(buf, n, want, "money_format_cents(%lld pico%s) gives \"%s\"", (long long)v,
		     grouped ? ", grouped" : "", want);
}

static void
test_format(void)
{
	format_is(0, "0");
	format_is(1, "0.000000000001");
	format_is(PICO_PER_USD * 3 / 2, "1.5");
	format_is(12 * (money_t)PICO_PER_USD, "12");
	format_is(-7 * (money_t)PICO_PER_USD / 2, "-3.5");
	format_is(-1, "-0.000000000001");
	format_is(123000000, "0.000123");
	/* 2^100 pico: past 64 bits, still exact. */
	format_is((money_t)1 << 100, "1267650600228229401.496703205376");

	/* format(parse(x)) == x for texts already in canonical form. */
	static const char *const canon[] = {"0.3", "1234.000000000001", "-99.99", "7"};
	for (size_t i = 0; i < sizeof canon / sizeof *canon; i++) {
		money_t v = 0;
		char buf[MONEY_BUFSZ];
		bool ok = money_parse(canon[i], strlen(canon[i]), 0, &v);
		money_format(v, buf);
		check(ok && strcmp(buf, canon[i]) == 0, "money_format(money_parse(\"%s\")) round trips",
		      canon[i]);
	}

	money_t big = (money_t)1234567891 * 1000000000; /* 1234567.891 USD */
	cents_is(big, true, "1,234,567.89");
	cents_is(big, false, "1234567.89");
	cents_is(PICO_PER_USD / 200, true, "0.01");     /* 0.005: half a cent rounds up */
	cents_is(PICO_PER_USD / 200 - 1, true, "0.00"); /* just under half a cent */
	cents_is(0, true, "0.00");
	cents_is(-big, true, "-1,234,567.89");
	cents_is(-(money_t)PICO_PER_USD / 200, true, "-0.01"); /* away from zero */
	cents_is(-(money_t)PICO_PER_USD / 1000, true, "0.00"); /* no "-0.00" */
	cents_is(999995 * (money_t)PICO_PER_USD / 1000, true, "1,000.00");
	cents_is(100 * (money_t)PICO_PER_USD, true, "100.00");
	cents_is(123456 * (money_t)PICO_PER_USD, true, "123,456.00");
}

static void
test_double(void)
{
	money_t v = money_from_double(0.015);
	if (!check(v == 15000000000, "money_from_double(0.015) is 15000000000 pico"))
		diag_money("got", v);
	check(money_from_double(3e-06) == 3000000, "money_from_double(3e-06) is 3000000 pico");
	check(money_from_double(-1.25) == -(money_t)PICO_PER_USD * 5 / 4, "money_from_double(-1.25)");
	check(money_from_double(0.0) == 0, "money_from_double(0)");
	check(money_from_double(INFINITY) == 0, "money_from_double(inf) is 0");
	check(money_to_double(15000000000) == 0.015, "money_to_double(15000000000) is 0.015");
	check(money_to_double(-(money_t)PICO_PER_USD * 5 / 4) == -1.25, "money_to_double(-1.25 USD)");
}

int
main(void)
{
	test_parse();
	test_format();
	test_double();
	return done();
}
