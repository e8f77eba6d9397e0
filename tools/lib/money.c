/* money.c: exact decimal parsing and printing of pico-USD. */
#include "money.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MONEY_MAX ((money_t)1 << 120)

bool
money_parse(const char *s, size_t n, int scale10, money_t *out)
{
	size_t i = 0;
	bool neg = false;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	/* The digits as an integer and a decimal exponent. Past 36 significant
	 * digits the rest lie far below a pico-dollar for any real amount: they
	 * are read and ignored. */
	money_t mant = 0;
	int exp10 = 0, ndigits = 0, sig = 0;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, ndigits++) {
		if (sig < 36) {
			mant = mant * 10 + (s[i] - '0');
			sig += mant != 0;
		} else
			exp10++;
	}
	if (i < n && s[i] == '.') {
		i++;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, ndigits++) {
			if (sig < 36) {
				mant = mant * 10 + (s[i] - '0');
				sig += mant != 0;
				exp10--;
			}
		}
	}
	if (ndigits == 0)
		return false;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		bool eneg = false;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			eneg = s[i++] == '-';
		int e = 0, edigits = 0;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, edigits++)
			if (e < 100000)
				e = e * 10 + (s[i] - '0');
		if (edigits == 0)
			return false;
		exp10 += eneg ? -e : e;
	}
	if (i != n)
		return false;
	/* value in pico = mant * 10^(exp10 + scale10 + 12) */
	long e = (long)exp10 + scale10 + 12;
	money_t v = mant;
	if (e >= 0) {
		for (long k = 0; k < e && v != 0; k++) {
			if (v > MONEY_MAX / 10)
				return false;
			v *= 10;
		}
	} else if (-e > 36) {
		v = 0;
	} else {
		money_t div = 1;
		for (long k = 0; k < -e; k++)
			div *= 10;
		money_t rem = v % div;
		v /= div;
		if (rem * 2 >= div)
			v += 1;
	}
	*out = neg ? -v : v;
	return true;
}

static size_t
u128_digits(unsigned __int128 v, char *tmp)
{
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v);
	return n; /* reversed */
}

size_t
money_format(money_t v, char *buf)
{
	char *p = buf;
	unsigned __int128 u;
	if (v < 0) {
		*p++ = '-';
		u = (unsigned __int128)(-(v + 1)) + 1;
	} else
		u = (unsigned __int128)v;
	unsigned __int128 whole = u / PICO_PER_USD;
	uint64_t frac = (uint64_t)(u % PICO_PER_USD);
	char tmp[48];
	size_t n = u128_digits(whole, tmp);
	while (n)
		*p++ = tmp[--n];
	if (frac) {
		char f[13];
		for (int k = 11; k >= 0; k--) {
			f[k] = (char)('0' + frac % 10);
			frac /= 10;
		}
		int last = 11;
		while (f[last] == '0')
			last--;
		*p++ = '.';
		memcpy(p, f, (size_t)last + 1);
		p += last + 1;
	}
	*p = '\0';
	return (size_t)(p - buf);
}

size_t
money_format_cents(money_t v, char *buf, bool grouped)
{
	char *p = buf;
	bool neg = v < 0;
	unsigned __int128 u = neg ? (unsigned __int128)(-(v + 1)) + 1 : (unsigned __int128)v;
	const uint64_t cent = PICO_PER_USD / 100;
	u = (u + cent / 2) / cent; /* half away from zero */
	if (neg && u)
		*p++ = '-';
	unsigned __int128 whole = u / 100;
	unsigned c = (unsigned)(u % 100);
	char tmp[48];
	size_t n = u128_digits(whole, tmp);
	while (n) {
		*p++ = tmp[--n];
		if (grouped && n && n % 3 == 0)
			*p++ = ',';
	}
	*p++ = '.';
	*p++ = (char)('0' + c / 10);
	*p++ = (char)('0' + c % 10);
	*p = '\0';
	return (size_t)(p - buf);
}

money_t
money_from_double(double usd)
{
	if (!isfinite(usd))
		return 0;
	/* %.17g gives the double's exact-enough decimal; parsing that text rounds
	 * to the nearest pico without the error of usd * 1e12 in floating point. */
	char tmp[64];
	int n = snprintf(tmp, sizeof tmp, "%.17g", usd);
	money_t v = 0;
	if (n > 0 && money_parse(tmp, (size_t)n, 0, &v))
		return v;
	return 0;
}

double
money_to_double(money_t v)
{
	/* Whole and fractional parts separately keep the double as close as it can be. */
	money_t whole = v / PICO_PER_USD;
	money_t frac = v % PICO_PER_USD;
	return (double)whole + (double)frac / (double)PICO_PER_USD;
}
