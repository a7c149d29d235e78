/* rfc2047.c - header values to UTF-8: unfolding, RFC 2047 encoded words and
 * charset conversion through glibc iconv.
 *
 * Everything is a single forward pass over the value: an encoded-word
 * attempt stops at the first '?' or space that cannot belong to it, so no
 * byte is looked at more than a few times whatever the input (a 1 MB header
 * of "=?=?=?" stays linear). */
#include "rfc2047.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base64.h"
#include "strutil.h"

/* Longest charset name accepted; real ones are under 20 characters. The cap
 * also keeps hostile names short before they reach iconv_open. */
#define CHARSET_MAX 40

static const char utf8_replacement[] = "\xef\xbf\xbd"; /* U+FFFD */

/* ---------------------------------------------------------------------
 * Charset conversion
 * ------------------------------------------------------------------- */

enum conv_kind { CONV_PASS, CONV_LATIN1, CONV_ICONV };

struct conv {
	enum conv_kind kind;
	iconv_t cd;
};

/* Names mail software writes that glibc iconv does not know, or knows only
 * as a smaller set: GB2312 and GBK labels carry GB18030 text in practice
 * (the WHATWG encoding standard reads them the same way). */
static const struct { const char *label, *iconv_name; } aliases[] = {
	{ "gb2312", "GB18030" },
	{ "gbk", "GB18030" },
	{ "x-gbk", "GB18030" },
	{ "cp936", "GB18030" },
	{ "euc-cn", "GB18030" },
	{ "ks_c_5601-1987", "CP949" },
	{ "ks_c_5601", "CP949" },
	{ "ks_c_5601-1989", "CP949" },
	{ "iso-8859-8-i", "ISO-8859-8" },
	{ "iso-8859-8-e", "ISO-8859-8" },
	{ "iso-8859-6-i", "ISO-8859-6" },
	{ "iso-8859-6-e", "ISO-8859-6" },
	{ "unicode-1-1-utf-7", "UTF-7" },
	{ "x-sjis", "SHIFT_JIS" },
	{ "shift-jis", "SHIFT_JIS" },
	{ "x-euc-jp", "EUC-JP" },
	{ "x-mac-cyrillic", "MAC-CYRILLIC" },
	{ "x-mac-roman", "MACINTOSH" },
	{ "cp-1251", "CP1251" },
	{ "cp-1252", "CP1252" },
};

/* Labels whose bytes are passed through: valid UTF-8 stays, anything else
 * is escaped by the JSON writer, never lost. */
static const char *const passthrough[] = {
	"utf-8", "utf8", "us-ascii", "ascii", "ansi_x3.4-1968", "unknown-8bit",
	"x-unknown", "x-user-defined", "default", "",
};

static const char *const latin1_names[] = {
	"iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1", "iso-ir-100",
	"cp819", "ibm819", "iso_8859-1:1987", "windows-1252", "cp1252",
};

/* windows-1252 for 0x80..0x9F; 0 where it is undefined (read as latin-1). */
static const uint16_t cp1252_c1[32] = {
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
	0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
};

static bool in_list(const char *cs, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(cs, list[i]) == 0)
			return true;
	return false;
}

static bool charset_char_ok(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.' || c == ':' || c == '+';
}

/* Opens a converter for a charset label. Refuses names with characters no
 * charset has: '/' in particular would let the wire pick iconv options
 * such as //IGNORE or //TRANSLIT. */
static bool conv_open(struct conv *c, const char *cs, size_t cslen)
{
	char name[CHARSET_MAX + 1];
	const char *star = memchr(cs, '*', cslen); /* RFC 2231 §5 language */
	if (star)
		cslen = (size_t)(star - cs);
	if (cslen > CHARSET_MAX)
		return false;
	for (size_t i = 0; i < cslen; i++)
		if (!charset_char_ok((uint8_t)cs[i]))
			return false;
	memcpy(name, cs, cslen);
	name[cslen] = 0;

	c->cd = (iconv_t)-1;
	if (in_list(name, passthrough, sizeof passthrough / sizeof passthrough[0])) {
		c->kind = CONV_PASS;
		return true;
	}
	if (in_list(name, latin1_names, sizeof latin1_names / sizeof latin1_names[0])) {
		c->kind = CONV_LATIN1;
		return true;
	}
	const char *iname = name;
	for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
		if (strcasecmp(name, aliases[i].label) == 0) {
			iname = aliases[i].iconv_name;
			break;
		}
	c->cd = iconv_open("UTF-8", iname);
	if (c->cd == (iconv_t)-1)
		return false;
	c->kind = CONV_ICONV;
	return true;
}

static void conv_close(struct conv *c)
{
	if (c->kind == CONV_ICONV && c->cd != (iconv_t)-1)
		iconv_close(c->cd);
	c->cd = (iconv_t)-1;
}

static void add_codepoint(struct mt_sbuf *out, uint32_t cp)
{
	char b[4];
	if (cp < 0x80) {
		b[0] = (char)cp;
		mt_sbuf_add(out, b, 1);
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		mt_sbuf_add(out, b, 2);
	} else {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		mt_sbuf_add(out, b, 3);
	}
}

static void conv_latin1(const uint8_t *p, size_t n, struct mt_sbuf *out)
{
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < 0x80)
			continue;
		mt_sbuf_add(out, p + run, i - run);
		uint32_t cp = p[i];
		if (cp < 0xa0 && cp1252_c1[cp - 0x80])
			cp = cp1252_c1[cp - 0x80];
		add_codepoint(out, cp);
		run = i + 1;
	}
	mt_sbuf_add(out, p + run, n - run);
}

/* Converts a whole buffer. An invalid byte becomes U+FFFD and conversion
 * resumes after it; a sequence cut at the end becomes one U+FFFD. */
static void conv_iconv(iconv_t cd, const uint8_t *p, size_t n, struct mt_sbuf *out)
{
	char buf[1024];
	char *in = (char *)p;
	size_t inleft = n;

	iconv(cd, NULL, NULL, NULL, NULL); /* initial shift state */
	while (inleft > 0) {
		char *o = buf;
		size_t oleft = sizeof buf;
		size_t r = iconv(cd, &in, &inleft, &o, &oleft);
		int err = errno;   /* before the append's allocation */
		mt_sbuf_add(out, buf, sizeof buf - oleft);
		if (r != (size_t)-1)
			break;
		if (err == E2BIG)
			continue;
		mt_sbuf_add(out, utf8_replacement, 3);
		if (err != EILSEQ) /* EINVAL: a sequence cut at the end */
			break;
		in++;              /* EILSEQ: skip one byte */
		inleft--;
		iconv(cd, NULL, NULL, NULL, NULL);
	}
	/* Stateful charsets (ISO-2022-JP) may owe a final shift sequence. */
	char *o = buf;
	size_t oleft = sizeof buf;
	iconv(cd, NULL, NULL, &o, &oleft);
	mt_sbuf_add(out, buf, sizeof buf - oleft);
}

static void conv_run(struct conv *c, const uint8_t *p, size_t n, struct mt_sbuf *out)
{
	switch (c->kind) {
	case CONV_PASS:
		mt_sbuf_add(out, p, n);
		break;
	case CONV_LATIN1:
		conv_latin1(p, n, out);
		break;
	case CONV_ICONV:
		conv_iconv(c->cd, p, n, out);
		break;
	}
}

bool mt_charset_to_utf8(const char *cs, size_t cslen, const uint8_t *p, size_t n,
                        struct mt_sbuf *out)
{
	struct conv c;
	if (!conv_open(&c, cs, cslen))
		return false;
	conv_run(&c, p, n, out);
	conv_close(&c);
	return true;
}

/* ---------------------------------------------------------------------
 * Encoded words
 * ------------------------------------------------------------------- */

/* One encoded word found in the value: spans into it. */
struct ew {
	const uint8_t *cs; size_t cslen;
	uint8_t enc;                 /* 'B' or 'Q' */
	const uint8_t *text; size_t textlen;
	size_t end;                  /* offset just past "?=" */
};

/* Parses =?charset?enc?text?= at p[i] (p[i] == '=' and p[i+1] == '?').
 * RFC 2047 §2: charset and text hold no '?' and no space. The 75-character
 * limit is not enforced: many mailers exceed it. */
static bool parse_ew(const uint8_t *p, size_t n, size_t i, struct ew *w)
{
	size_t j = i + 2, k;
	for (k = j; k < n && k - j <= CHARSET_MAX; k++)
		if (p[k] == '?' || p[k] <= ' ' || p[k] == 0x7f)
			break;
	if (k >= n || p[k] != '?' || k == j || k - j > CHARSET_MAX)
		return false;
	w->cs = p + j;
	w->cslen = k - j;
	if (k + 2 >= n || p[k + 2] != '?')
		return false;
	uint8_t e = p[k + 1];
	if (e == 'b' || e == 'B')
		w->enc = 'B';
	else if (e == 'q' || e == 'Q')
		w->enc = 'Q';
	else
		return false;
	j = k + 3;
	for (k = j; k < n; k++)
		if (p[k] == '?' || mt_is_wsp(p[k]))
			break;
	if (k + 1 >= n || p[k] != '?' || p[k + 1] != '=')
		return false;
	w->text = p + j;
	w->textlen = k - j;
	w->end = k + 2;
	return true;
}

/* RFC 2047 §4.2: "_" is a space, =XX a byte. A lone '=' is kept, lenient
 * to broken encoders. */
static void q_decode(const uint8_t *p, size_t n, struct mt_sbuf *out)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (c == '_') {
			c = ' ';
		} else if (c == '=' && i + 2 < n && mt_hexval(p[i + 1]) >= 0 && mt_hexval(p[i + 2]) >= 0) {
			c = (uint8_t)(mt_hexval(p[i + 1]) << 4 | mt_hexval(p[i + 2]));
			i += 2;
		}
		mt_sbuf_addc(out, (char)c);
	}
}

/* Decodes a word's payload into raw bytes; false if the base64 is broken
 * (RFC 2047 §6.3: such a word is shown as it was). */
static bool ew_payload(const struct ew *w, struct mt_sbuf *bytes)
{
	mt_sbuf_reset(bytes);
	if (w->enc == 'Q') {
		q_decode(w->text, w->textlen, bytes);
		return true;
	}
	uint8_t *tmp = mt_xmalloc(mt_b64_decoded_max(w->textlen) + 1);
	long r = mt_b64_decode(w->text, w->textlen, tmp);
	if (r >= 0)
		mt_sbuf_add(bytes, tmp, (size_t)r);
	free(tmp);
	if (r < 0)
		return false;
	return true;
}

/* A run of adjacent encoded words in one charset, converted as one buffer
 * so that a character split across words is put back together. */
struct run {
	bool active;
	struct conv conv;
	char cs[CHARSET_MAX + 1];
	size_t cslen;
	struct mt_sbuf bytes;
};

static void run_flush(struct run *r, struct mt_sbuf *out)
{
	if (!r->active)
		return;
	conv_run(&r->conv, (const uint8_t *)r->bytes.s, r->bytes.len, out);
	conv_close(&r->conv);
	mt_sbuf_reset(&r->bytes);
	r->active = false;
}

static bool same_charset(const struct run *r, const struct ew *w)
{
	return r->active && r->cslen == w->cslen &&
	       strncasecmp(r->cs, (const char *)w->cs, w->cslen) == 0;
}

static bool all_wsp(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!mt_is_wsp(p[i]))
			return false;
	return true;
}

char *mt_rfc2047_decode(const uint8_t *p, size_t n, size_t *outlen)
{
	struct mt_sbuf out, payload;
	struct run run = { .active = false };
	mt_sbuf_init(&out);
	mt_sbuf_init(&payload);
	mt_sbuf_init(&run.bytes);

	/* Unfold (RFC 5322 §2.2.3) into a private copy, trimming both ends. */
	uint8_t *u = mt_xmalloc(n + 1);
	size_t un = 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] != '\r' && p[i] != '\n')
			u[un++] = p[i];
	size_t s = 0;
	while (s < un && mt_is_wsp(u[s]))
		s++;
	while (un > s && mt_is_wsp(u[un - 1]))
		un--;

	size_t i = s, lit = s;
	bool after_word = false;
	while (i < un) {
		struct ew w;
		if (u[i] != '=' || i + 1 >= un || u[i + 1] != '?' || !parse_ew(u, un, i, &w)) {
			i++;
			continue;
		}
		/* RFC 2047 §6.2: whitespace between two encoded words is not
		 * displayed. A word kept raw is ordinary text, so whether it
		 * decodes is settled before the whitespace is dropped. */
		bool adjacent = after_word && all_wsp(u + lit, i - lit);
		bool ok = ew_payload(&w, &payload);
		bool extend = ok && adjacent && same_charset(&run, &w);
		struct conv c;
		if (ok && !extend)
			ok = conv_open(&c, (const char *)w.cs, w.cslen);
		if (!(ok && adjacent)) {
			run_flush(&run, &out);
			mt_sbuf_add(&out, u + lit, i - lit);
		}
		if (extend) {
			mt_sbuf_add(&run.bytes, payload.s, payload.len);
		} else if (ok) {
			run_flush(&run, &out);
			run.active = true;
			run.conv = c;
			memcpy(run.cs, w.cs, w.cslen);
			run.cslen = w.cslen;
			mt_sbuf_add(&run.bytes, payload.s, payload.len);
		} else {
			/* Unknown charset or broken base64: the word stays as it
			 * was. */
			mt_sbuf_add(&out, u + i, w.end - i);
		}
		after_word = ok;
		i = lit = w.end;
	}
	run_flush(&run, &out);
	mt_sbuf_add(&out, u + lit, un - lit);
	free(u);
	mt_sbuf_free(&payload);
	mt_sbuf_free(&run.bytes);

	/* A NUL (raw or decoded) would silently cut the C string. */
	if (out.len && memchr(out.s, 0, out.len)) {
		struct mt_sbuf clean;
		mt_sbuf_init(&clean);
		for (size_t k = 0; k < out.len; k++) {
			if (out.s[k])
				mt_sbuf_addc(&clean, out.s[k]);
			else
				mt_sbuf_add(&clean, utf8_replacement, 3);
		}
		mt_sbuf_free(&out);
		out = clean;
	}
	if (outlen)
		*outlen = out.len;
	return mt_sbuf_steal(&out);
}
