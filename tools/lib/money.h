/* money.h: exact money. Amounts are integer pico-USD (1e-12 dollars); sums are
 * 128-bit, so no realistic total can overflow and nothing is ever a float. */
#ifndef AGENTPIPE_MONEY_H
#define AGENTPIPE_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef __int128 money_t;

#define PICO_PER_USD 1000000000000LL

/* money_parse: a decimal number of dollars ("0.30", "12", "1.5e-06") into
 * pico-USD, rounded half away from zero past the twelfth decimal. The text is
 * read exactly: no float is involved. Returns false for anything that is not a
 * number or does not fit. scale10 multiplies by a power of ten first (for
 * prices given per million tokens, pass -6). */
bool money_parse(const char *s, size_t n, int scale10, money_t *out);

/* money_format: exact decimal dollars, trailing zeros trimmed ("0.000123",
 * "12", "-3.5"). buf needs MONEY_BUFSZ bytes. Returns the length. */
#define MONEY_BUFSZ 64
size_t money_format(money_t v, char *buf);

/* money_format_cents: "1,234.57" rounded half away from zero to cents, with
 * thousands separators when grouped is true. */
size_t money_format_cents(money_t v, char *buf, bool grouped);

/* money_from_double: for values that were stored as floats by other programs
 * (the origin store's cost_usd REAL): rounded to the nearest pico-USD. */
money_t money_from_double(double usd);
double money_to_double(money_t v);

#endif
