/* sanitize.c - escaping of untrusted text for terminals and JSON. */
#include "sanitize.h"

#include <stdbool.h>

size_t mt_utf8_seq_len(const uint8_t *p, size_t n)
{
	if (!n)
		return 0;
	uint8_t c = p[0];
	if (c < 0x80)
		return 1;
	size_t len;
	uint32_t cp;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static uint32_t decode_cp(const uint8_t *p, size_t len)
{
	if (len == 1)
		return p[0];
	uint32_t cp = p[0] & (len == 2 ? 0x1f : len == 3 ? 0x0f : 0x07);
	for (size_t i = 1; i < len; i++)
		cp = (cp << 6) | (p[i] & 0x3f);
	return cp;
}

/* Code points a terminal may act on: C1 controls, bidi controls, line and
 * paragraph separators. */
static bool term_unsafe_cp(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029 ||
	       cp == 0x200e || cp == 0x200f || cp == 0x061c;
}

/* Length of the run at p of printable ASCII that needs no escaping. */
static size_t plain_run(const uint8_t *p, size_t n, uint8_t q1, uint8_t q2)
{
	size_t i = 0;
	while (i < n && p[i] >= 0x20 && p[i] < 0x7f && p[i] != q1 && p[i] != q2)
		i++;
	return i;
}

void mt_sanitize_term(struct mt_sbuf *out, const void *vp, size_t n)
{
	const uint8_t *p = vp;
	static const char hex[] = "0123456789abcdef";
	size_t i = 0;
	while (i < n) {
		size_t run = plain_run(p + i, n - i, '\\', '\\');
		if (run) {
			mt_sbuf_add(out, p + i, run);
			i += run;
			continue;
		}
		uint8_t c = p[i];
		if (c == '\\') {
			mt_sbuf_add(out, "\\\\", 2);
			i++;
			continue;
		}
		size_t l = c >= 0x80 ? mt_utf8_seq_len(p + i, n - i) : 0;
		if (l && !term_unsafe_cp(decode_cp(p + i, l))) {
			mt_sbuf_add(out, p + i, l);
			i += l;
			continue;
		}
		switch (c) {
		case '\r': mt_sbuf_add(out, "\\r", 2); break;
		case '\n': mt_sbuf_add(out, "\\n", 2); break;
		case '\t': mt_sbuf_add(out, "\\t", 2); break;
		case 0x1b: mt_sbuf_add(out, "\\e", 2); break;
		default: {
			char e[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };
			mt_sbuf_add(out, e, 4);
		}
		}
		i++;
	}
}

void mt_sanitize_json(struct mt_sbuf *out, const void *vp, size_t n)
{
	const uint8_t *p = vp;
	static const char hex[] = "0123456789abcdef";
	size_t i = 0;
	while (i < n) {
		/* most captured text is plain ASCII: copy runs of it at once */
		size_t run = plain_run(p + i, n - i, '"', '\\');
		if (run) {
			mt_sbuf_add(out, p + i, run);
			i += run;
			continue;
		}
		uint8_t c = p[i];
		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			mt_sbuf_add(out, e, 2);
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			switch (c) {
			case '\r': mt_sbuf_add(out, "\\r", 2); break;
			case '\n': mt_sbuf_add(out, "\\n", 2); break;
			case '\t': mt_sbuf_add(out, "\\t", 2); break;
			default: {
				char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
				mt_sbuf_add(out, e, 6);
			}
			}
			i++;
			continue;
		}
		size_t l = mt_utf8_seq_len(p + i, n - i);
		if (l) {
			mt_sbuf_add(out, p + i, l);
			i += l;
			continue;
		}
		/* invalid byte: U+00NN as UTF-8 */
		char u[2] = { (char)(0xc0 | (c >> 6)), (char)(0x80 | (c & 0x3f)) };
		mt_sbuf_add(out, u, 2);
		i++;
	}
}
