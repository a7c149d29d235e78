/* test_sasl.c - the shared SASL decoders (dissect/sasl.c) and the text
 * helpers the dissectors share (sbuf.c, strutil.c): normal messages as
 * clients send them, and hostile ones (empty, no separators, lengths and
 * offsets pointing outside the message, every truncation). Inputs are
 * copied into heap buffers of exactly their size so that the sanitizer
 * build catches any read past the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../../dissect/sasl.h"
#include "../../dissect/sbuf.h"
#include "../../dissect/strutil.h"

/* An exact-size heap copy of p[0..n) (1 byte for n == 0, never read). */
static uint8_t *dup_n(const void *p, size_t n)
{
	uint8_t *b = malloc(n ? n : 1);
	assert_non_null(b);
	if (n)
		memcpy(b, p, n);
	return b;
}

#define LIT(s) (const uint8_t *)(s), sizeof(s) - 1
/* m, mn: an exact-size heap copy of a string literal and its length */
#define M(lit) (m = dup_n((lit), sizeof(lit) - 1), mn = sizeof(lit) - 1)

static void assert_span(struct mt_span s, const char *want, size_t wn)
{
	assert_int_equal(s.n, wn);
	if (wn)
		assert_memory_equal(s.p, want, wn);
}
#define ASSERT_SPAN(s, lit) assert_span((s), (lit), sizeof(lit) - 1)

/* ---- text helpers ---- */

static void test_text_helpers(void **st)
{
	(void)st;
	struct mt_sbuf b;
	mt_sbuf_init(&b);
	mt_sbuf_add_quoted(&b, "a\"b\\c\x01\x7f\xc3\xa9", 9, MT_QUOTE_HEX_CTL);
	assert_string_equal(b.s, "\"a\\\"b\\\\c\\x01\\x7f\xc3\xa9\"");
	mt_sbuf_reset(&b);
	mt_sbuf_add_quoted(&b, "a\"b\\c\x01\x7f", 7, MT_QUOTE_KEEP_CTL);
	assert_string_equal(b.s, "\"a\\\"b\\\\c\x01\x7f\"");
	mt_sbuf_reset(&b);
	mt_sbuf_add_quoted(&b, NULL, 0, MT_QUOTE_HEX_CTL);
	assert_string_equal(b.s, "\"\"");
	mt_sbuf_reset(&b);
	mt_sbuf_add_quoted(&b, "x\0y", 3, MT_QUOTE_HEX_CTL);   /* NUL is data */
	assert_string_equal(b.s, "\"x\\x00y\"");
	mt_sbuf_reset(&b);
	mt_sbuf_add_escaped(&b, "Tab\there\r\n", 10);
	assert_string_equal(b.s, "Tab\\x09here\\x0d\\x0a");
	mt_sbuf_reset(&b);
	mt_sbuf_add_hex(&b, "\x00\x0f\xab\xff", 4);
	assert_string_equal(b.s, "000fabff");
	mt_sbuf_free(&b);

	assert_true(mt_printable(LIT("Username:")));
	assert_true(mt_printable(NULL, 0));
	assert_false(mt_printable(LIT("a\tb")));
	assert_true(mt_printable_tab(LIT("a\tb")));
	assert_false(mt_printable_tab(LIT("a\rb")));
	assert_false(mt_printable_tab(LIT("a\x7f")));
	assert_true(mt_printable(LIT("caf\xc3\xa9")));   /* UTF-8 is text */

	char out[8];
	mt_ascii_copy(out, sizeof(out), LIT("Exim\x01\xff 4.96"));
	assert_string_equal(out, "Exim?? ");
	mt_ascii_copy(out, 1, LIT("abc"));
	assert_string_equal(out, "");
	out[0] = 'z';
	mt_ascii_copy(out, 0, LIT("abc"));   /* no room: nothing written */
	assert_int_equal(out[0], 'z');
}

/* ---- mechanism names ---- */

static void test_mech_names(void **st)
{
	(void)st;
	assert_int_equal(mt_sasl_mech_of("PLAIN"), MT_SASL_PLAIN);
	assert_int_equal(mt_sasl_mech_of("LOGIN"), MT_SASL_LOGIN);
	assert_int_equal(mt_sasl_mech_of("CRAM-MD5"), MT_SASL_CRAM_MD5);
	assert_int_equal(mt_sasl_mech_of("XOAUTH2"), MT_SASL_XOAUTH2);
	assert_int_equal(mt_sasl_mech_of("OAUTHBEARER"), MT_SASL_OAUTHBEARER);
	assert_int_equal(mt_sasl_mech_of("NTLM"), MT_SASL_NTLM);
	assert_int_equal(mt_sasl_mech_of("DIGEST-MD5"), MT_SASL_DIGEST_MD5);
	assert_int_equal(mt_sasl_mech_of("SCRAM-SHA-256-PLUS"), MT_SASL_SCRAM);
	assert_int_equal(mt_sasl_mech_of("SCRAM"), MT_SASL_OTHER);
	assert_int_equal(mt_sasl_mech_of("plain"), MT_SASL_OTHER);   /* names come upper-cased */
	assert_int_equal(mt_sasl_mech_of("GSSAPI"), MT_SASL_OTHER);
	assert_int_equal(mt_sasl_mech_of(""), MT_SASL_OTHER);
	assert_int_equal(mt_sasl_mech_of(NULL), MT_SASL_OTHER);

	char name[24], cred[32];
	uint8_t *w = dup_n("cram-md5", 8);
	mt_sasl_mech_name(name, sizeof(name), w, 8);
	assert_string_equal(name, "CRAM-MD5");
	free(w);
	w = dup_n("x.we\x01ird_1", 11);
	mt_sasl_mech_name(name, sizeof(name), w, 11);
	assert_string_equal(name, "X?WE?IRD_1");   /* RFC 4422 §3.1 alphabet only */
	free(w);
	w = dup_n("\xc3\xa9", 2);
	mt_sasl_mech_name(name, sizeof(name), w, 2);
	assert_string_equal(name, "??");
	free(w);
	mt_sasl_mech_name(name, 4, LIT("OAUTHBEARER"));   /* cut to the buffer */
	assert_string_equal(name, "OAU");
	mt_sasl_mech_name(name, sizeof(name), NULL, 0);
	assert_string_equal(name, "");
	name[0] = 'z';
	mt_sasl_mech_name(name, 0, LIT("PLAIN"));
	assert_int_equal(name[0], 'z');

	mt_sasl_cred_mech(cred, sizeof(cred), "AUTH", "PLAIN");
	assert_string_equal(cred, "AUTH PLAIN");
	mt_sasl_cred_mech(cred, sizeof(cred), "AUTHENTICATE", "ABCDEFGHIJKLMNOPQRSTUVW");
	assert_string_equal(cred, "AUTHENTICATE ABCDEFGHIJKLMNOPQR");   /* 31 bytes: fits mechanism[32] */
	assert_int_equal(strlen(cred), 31);
}

/* ---- key=value ---- */

static void test_find_kv(void **st)
{
	(void)st;
	struct mt_span v;
	uint8_t *m;
	size_t mn;
	M("user=bob\x01" "AUTH=Bearer x\x01\x01");
	assert_true(mt_sasl_find_kv(m, mn, 0x01, "auth=", &v));
	ASSERT_SPAN(v, "Bearer x");
	assert_true(mt_sasl_find_kv(m, mn, 0x01, "user=", &v));
	ASSERT_SPAN(v, "bob");
	assert_false(mt_sasl_find_kv(m, mn, 0x01, "host=", &v));
	assert_false(mt_sasl_find_kv(m, mn, ',', "auth=", &v));   /* not at an element start */
	free(m);
	M("n,,n=,r=abc");
	assert_true(mt_sasl_find_kv(m, mn, ',', "n=", &v));
	assert_int_equal(v.n, 0);                                 /* empty value */
	assert_true(mt_sasl_find_kv(m, mn, ',', "r=", &v));
	ASSERT_SPAN(v, "abc");
	free(m);
	M("us");
	assert_false(mt_sasl_find_kv(m, mn, ',', "user=", &v));   /* shorter than the key */
	free(m);
	assert_false(mt_sasl_find_kv(NULL, 0, ',', "a=", &v));

	struct mt_sbuf b;
	mt_sbuf_init(&b);
	mt_sasl_saslname_unescape(&b, LIT("a=2Cb=3dc=2=3"));
	assert_string_equal(b.s, "a,b=c=2=3");   /* a cut escape is kept as it is */
	mt_sbuf_reset(&b);
	M("x=2");
	mt_sasl_saslname_unescape(&b, m, 3);
	assert_string_equal(b.s, "x=2");
	free(m);
	mt_sbuf_free(&b);
}

/* ---- PLAIN (RFC 4616) ---- */

static void test_plain(void **st)
{
	(void)st;
	struct mt_sasl_plain pl;
	uint8_t *m;
	size_t mn;
	M("\0alice\0s3cret");
	assert_true(mt_sasl_plain_split(m, mn, &pl));
	assert_int_equal(pl.authzid.n, 0);
	ASSERT_SPAN(pl.authcid, "alice");
	ASSERT_SPAN(pl.passwd, "s3cret");
	free(m);

	M("admin\0bob\0pa\0ss");   /* the password may hold NULs */
	assert_true(mt_sasl_plain_split(m, mn, &pl));
	ASSERT_SPAN(pl.authzid, "admin");
	ASSERT_SPAN(pl.authcid, "bob");
	assert_span(pl.passwd, "pa\0ss", 5);
	struct mt_sbuf d, k;
	mt_sbuf_init(&d);
	mt_sbuf_init(&k);
	mt_sasl_plain_text(&d, &k, &pl, MT_QUOTE_HEX_CTL);
	assert_string_equal(d.s, "authzid=\"admin\" user=\"bob\" pass=\"pa\\x00ss\"");
	assert_string_equal(k.s, "authzid=\"admin\" user=\"bob\" pass=\"********\"");
	mt_sbuf_reset(&d);
	mt_sasl_plain_text(&d, NULL, &pl, MT_QUOTE_KEEP_CTL);
	assert_memory_equal(d.s, "authzid=\"admin\" user=\"bob\" pass=\"pa\0ss\"", d.len);
	mt_sbuf_free(&d);
	mt_sbuf_free(&k);
	free(m);

	M("\0\0");   /* all three empty */
	assert_true(mt_sasl_plain_split(m, mn, &pl));
	assert_int_equal(pl.authzid.n + pl.authcid.n + pl.passwd.n, 0);
	free(m);

	/* hostile: fewer than two NULs, empty */
	pl.authcid.n = 77;
	M("bob\0secret");
	assert_false(mt_sasl_plain_split(m, mn, &pl));
	assert_int_equal(pl.authcid.n, 77);   /* untouched */
	free(m);
	M("no nul at all");
	assert_false(mt_sasl_plain_split(m, mn, &pl));
	free(m);
	M("\0");
	assert_false(mt_sasl_plain_split(m, mn, &pl));
	free(m);
	assert_false(mt_sasl_plain_split(NULL, 0, &pl));

	/* a huge message: the spans cover it, nothing is copied */
	size_t big = 1 << 20;
	m = calloc(1, big);
	assert_non_null(m);
	memset(m + 2, 'p', big - 2);
	assert_true(mt_sasl_plain_split(m, big, &pl));
	assert_int_equal(pl.passwd.n, big - 2);
	assert_ptr_equal(pl.passwd.p, m + 2);
	free(m);
}

/* ---- LOGIN, CRAM-MD5 ---- */

static void test_login_cram(void **st)
{
	(void)st;
	assert_int_equal(mt_sasl_login_role(0, NULL, 0), MT_SASL_LOGIN_USER);
	assert_int_equal(mt_sasl_login_role(1, NULL, 0), MT_SASL_LOGIN_PASS);
	assert_int_equal(mt_sasl_login_role(7, NULL, 0), MT_SASL_LOGIN_PASS);
	assert_int_equal(mt_sasl_login_role(0, LIT("Password:")), MT_SASL_LOGIN_PASS);
	assert_int_equal(mt_sasl_login_role(1, LIT("Username:")), MT_SASL_LOGIN_USER);
	assert_int_equal(mt_sasl_login_role(1, LIT("USER NAME")), MT_SASL_LOGIN_USER);
	assert_int_equal(mt_sasl_login_role(0, LIT("\x01\x02")), MT_SASL_LOGIN_USER);   /* unreadable: order */
	assert_int_equal(mt_sasl_login_role(1, LIT("go on")), MT_SASL_LOGIN_PASS);
	assert_int_equal(mt_sasl_login_role(1, (const uint8_t *)"Username:", 0), MT_SASL_LOGIN_PASS);

	struct mt_span u, d;
	uint8_t *m;
	size_t mn;
	M("tim b913a602c7eda7a495b4e6e7334d3890");
	assert_true(mt_sasl_cram_split(m, mn, &u, &d));
	ASSERT_SPAN(u, "tim");
	ASSERT_SPAN(d, "b913a602c7eda7a495b4e6e7334d3890");
	struct mt_sbuf b;
	mt_sbuf_init(&b);
	mt_sasl_cram_text(&b, u, d, MT_QUOTE_HEX_CTL);
	assert_string_equal(b.s, "user=\"tim\" digest=\"b913a602c7eda7a495b4e6e7334d3890\"");
	mt_sbuf_free(&b);
	free(m);
	M("john smith 0123");   /* the last space splits */
	assert_true(mt_sasl_cram_split(m, mn, &u, &d));
	ASSERT_SPAN(u, "john smith");
	ASSERT_SPAN(d, "0123");
	free(m);
	M("trailing ");
	assert_true(mt_sasl_cram_split(m, mn, &u, &d));
	ASSERT_SPAN(u, "trailing");
	assert_int_equal(d.n, 0);
	free(m);
	M("nospace");
	assert_false(mt_sasl_cram_split(m, mn, &u, &d));
	ASSERT_SPAN(u, "nospace");
	assert_int_equal(d.n, 0);
	assert_ptr_equal(d.p, m + 7);
	free(m);
	assert_false(mt_sasl_cram_split(NULL, 0, &u, &d));
	assert_int_equal(u.n + d.n, 0);
}

/* ---- XOAUTH2, OAUTHBEARER (RFC 7628) ---- */

static void test_xoauth2(void **st)
{
	(void)st;
	struct mt_sasl_oauth o;
	static const char msg[] = "user=someuser@example.com\x01" "auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01";
	uint8_t *m;
	size_t mn;
	M(msg);
	assert_true(mt_sasl_xoauth2_parse(m, mn, &o));
	assert_true(o.has_user && o.has_auth && o.bearer);
	ASSERT_SPAN(o.user, "someuser@example.com");
	ASSERT_SPAN(o.auth, "Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg");
	ASSERT_SPAN(o.token, "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg");
	free(m);

	M("USER=a,b\x01" "auth=bearer t\x01user=c\x01" "auth=Bearer u");
	assert_true(mt_sasl_xoauth2_parse(m, mn, &o));
	ASSERT_SPAN(o.user, "a,b");   /* commas are data; the first pair counts */
	ASSERT_SPAN(o.token, "t");
	free(m);

	M("user=bob\x01" "auth=Bearer ");   /* cut right after the scheme */
	assert_true(mt_sasl_xoauth2_parse(m, mn, &o));
	assert_true(o.bearer);
	assert_int_equal(o.token.n, 0);
	free(m);
	M("auth=opaque");   /* no scheme: the whole value */
	assert_true(mt_sasl_xoauth2_parse(m, mn, &o));
	assert_false(o.has_user);
	assert_false(o.bearer);
	ASSERT_SPAN(o.token, "opaque");
	free(m);
	M("user=bob\x01\x01");
	assert_true(mt_sasl_xoauth2_parse(m, mn, &o));
	assert_false(o.has_auth);
	free(m);
	M("{\"status\":\"401\"}");
	assert_false(mt_sasl_xoauth2_parse(m, mn, &o));
	free(m);
	M("\x01\x01");
	assert_false(mt_sasl_xoauth2_parse(m, mn, &o));
	free(m);
	assert_false(mt_sasl_xoauth2_parse(NULL, 0, &o));
}

static void test_oauthbearer(void **st)
{
	(void)st;
	struct mt_sasl_oauth o;
	static const char msg[] = "n,a=user@example.com,\x01host=server.example.com\x01port=143\x01"
	                          "auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01";
	uint8_t *m;
	size_t mn;
	M(msg);
	assert_true(mt_sasl_oauthbearer_parse(m, mn, &o));
	assert_true(o.has_user && o.has_auth && o.bearer);
	ASSERT_SPAN(o.user, "user@example.com");
	ASSERT_SPAN(o.token, "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==");
	free(m);

	M("n,a=b=2Cob,\x01" "AUTH=BEARER t\x01\x01");   /* escaped saslname stays escaped */
	assert_true(mt_sasl_oauthbearer_parse(m, mn, &o));
	ASSERT_SPAN(o.user, "b=2Cob");
	ASSERT_SPAN(o.token, "t");
	free(m);
	M("p=tls-unique,a=x,\x01" "auth=Bearer z\x01\x01");
	assert_true(mt_sasl_oauthbearer_parse(m, mn, &o));
	ASSERT_SPAN(o.user, "x");
	free(m);

	/* no authzid: "n,,", an empty "a=", a header cut before its second
	 * comma, an "a=" that is not the second field, a comma only after ^A */
	static const char *const noauthz[] = {
		"n,,\x01" "auth=Bearer t\x01\x01",
		"y,a=,\x01" "auth=Bearer t\x01\x01",
		"n,a=bob\x01" "auth=Bearer t\x01\x01",
		"n,b=x,a=bob,\x01" "auth=Bearer t\x01\x01",
		"n,A=bob,\x01" "auth=Bearer t\x01\x01",
		"n\x01" "auth=Bearer a,a=b,c\x01\x01",
	};
	for (size_t i = 0; i < sizeof(noauthz) / sizeof(noauthz[0]); i++) {
		size_t n = strlen(noauthz[i]);
		m = dup_n(noauthz[i], n);
		assert_true(mt_sasl_oauthbearer_parse(m, n, &o));
		assert_false(o.has_user);
		assert_true(o.has_auth);
		free(m);
	}
	M("auth=Bearer t\x01\x01");   /* no gs2 header at all */
	assert_true(mt_sasl_oauthbearer_parse(m, mn, &o));
	ASSERT_SPAN(o.token, "t");
	free(m);
	M("n,a=bob,");   /* the header alone */
	assert_true(mt_sasl_oauthbearer_parse(m, mn, &o));
	assert_true(o.has_user);
	assert_false(o.has_auth);
	free(m);
	M("\x01");   /* the client acknowledging an error (§3.2.3) */
	assert_false(mt_sasl_oauthbearer_parse(m, mn, &o));
	free(m);
	M(",");
	assert_false(mt_sasl_oauthbearer_parse(m, mn, &o));
	free(m);
	assert_false(mt_sasl_oauthbearer_parse(NULL, 0, &o));
}

/* ---- NTLM ([MS-NLMP] §2.2.1) ---- */

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v & 0xffff);
	put16(p + 2, v >> 16);
}

/* An AUTHENTICATE message with a 64-byte header; returns its length. */
static size_t ntlm3(uint8_t *m, size_t cap, uint32_t flags, const void *dom, size_t dn, const void *user,
                    size_t un, const void *ws, size_t wn, size_t ntn)
{
	size_t need = 64 + 24 + ntn + dn + un + wn;
	assert_true(need <= cap);
	memset(m, 0, need);
	memcpy(m, "NTLMSSP\0", 8);
	put32(m + 8, 3);
	size_t off = 64;
	const struct { size_t at; const void *p; size_t n; } f[5] = {
		{ 12, NULL, 24 }, { 20, NULL, ntn }, { 28, dom, dn }, { 36, user, un }, { 44, ws, wn },
	};
	for (int i = 0; i < 5; i++) {
		put16(m + f[i].at, (unsigned)f[i].n);
		put16(m + f[i].at + 2, (unsigned)f[i].n);
		put32(m + f[i].at + 4, (uint32_t)off);
		if (f[i].p)
			memcpy(m + off, f[i].p, f[i].n);
		else
			memset(m + off, 0x11, f[i].n);
		off += f[i].n;
	}
	put32(m + 60, flags);
	return need;
}

static void test_ntlm_messages(void **st)
{
	(void)st;
	struct mt_ntlm n;
	uint8_t *m;
	size_t mn;
	M("NTLMSSP\0\x01\0\0\0\x07\x82\x08\xa2");
	assert_true(mt_ntlm_parse(m, mn, &n));
	assert_int_equal(n.type, 1);
	free(m);

	uint8_t chal[48] = "NTLMSSP";
	put32(chal + 8, 2);
	memcpy(chal + 24, "\x01\x23\x45\x67\x89\xab\xcd\xef", 8);
	m = dup_n(chal, 32);
	assert_true(mt_ntlm_parse(m, 32, &n));
	assert_int_equal(n.type, 2);
	assert_non_null(n.challenge);
	assert_memory_equal(n.challenge, "\x01\x23\x45\x67\x89\xab\xcd\xef", 8);
	free(m);
	m = dup_n(chal, 31);   /* cut inside the challenge */
	assert_true(mt_ntlm_parse(m, 31, &n));
	assert_null(n.challenge);
	free(m);

	/* not NTLMSSP: short, wrong signature, signature without its NUL */
	M("NTLMSSP\0\x03\0\0");
	assert_false(mt_ntlm_parse(m, mn, &n));
	free(m);
	M("NTLMSSX\0\x03\0\0\0");
	assert_false(mt_ntlm_parse(m, mn, &n));
	free(m);
	M("NTLMSSPX\x03\0\0\0");
	assert_false(mt_ntlm_parse(m, mn, &n));
	free(m);
	assert_false(mt_ntlm_parse(NULL, 0, &n));

	M("NTLMSSP\0\x03\x01\0\0");   /* MessageType is 32 bits */
	assert_true(mt_ntlm_parse(m, mn, &n));
	assert_int_equal(n.type, 0x103);
	assert_false(n.domain.ok || n.user.ok || n.has_flags);   /* headers cut: nothing */
	free(m);
}

static void test_ntlm_authenticate(void **st)
{
	(void)st;
	uint8_t buf[4096];
	struct mt_ntlm n;
	struct mt_sbuf b;
	mt_sbuf_init(&b);

	/* Unicode: "CORP\jürgen中" from "WS1"; the NT response is kept as bytes */
	static const uint8_t dom[] = { 'C', 0, 'O', 0, 'R', 0, 'P', 0 };
	static const uint8_t usr[] = { 'j', 0, 0xfc, 0, 'r', 0, 'g', 0, 'e', 0, 'n', 0, 0x2d, 0x4e };
	static const uint8_t ws[] = { 'W', 0, 'S', 0, '1', 0 };
	size_t len = ntlm3(buf, sizeof(buf), MT_NTLM_NEGOTIATE_UNICODE, dom, sizeof(dom), usr, sizeof(usr), ws,
	                   sizeof(ws), 24);
	uint8_t *m = dup_n(buf, len);
	assert_true(mt_ntlm_parse(m, len, &n));
	assert_int_equal(n.type, 3);
	assert_true(n.has_flags);
	assert_true(n.lm.ok && n.nt.ok && n.domain.ok && n.user.ok && n.workstation.ok);
	assert_int_equal(n.nt.n, 24);
	mt_ntlm_who(&b, &n, true);
	assert_string_equal(b.s, "CORP\\j\xc3\xbcrgen\xe4\xb8\xad");
	mt_sbuf_reset(&b);
	mt_ntlm_add_str(&b, &n.workstation, true);
	assert_string_equal(b.s, "WS1");
	char out[256];
	size_t on = 0;
	assert_true(mt_ntlm_who_8bit(&n, out, sizeof(out), &on));
	assert_int_equal(on, 12);
	assert_memory_equal(out, "CORP\\j\xfcrgen?", 12);   /* Latin-1 byte, '?' above 0xFF */
	assert_true(mt_ntlm_who_8bit(&n, out, 6, &on));     /* cut: outsz - 2 bytes at most */
	assert_int_equal(on, 4);
	assert_memory_equal(out, "CORP", 4);
	free(m);

	/* OEM strings, no domain: no backslash; a control becomes '?' in 8-bit */
	len = ntlm3(buf, sizeof(buf), 0, NULL, 0, "bo\x01" "b", 4, "W", 1, 0);
	m = dup_n(buf, len);
	assert_true(mt_ntlm_parse(m, len, &n));
	mt_sbuf_reset(&b);
	mt_ntlm_who(&b, &n, false);
	assert_string_equal(b.s, "bo\x01" "b");
	assert_true(mt_ntlm_who_8bit(&n, out, sizeof(out), &on));
	assert_int_equal(on, 4);
	assert_memory_equal(out, "bo?b", 4);
	free(m);

	/* a lone surrogate, an odd trailing byte, a one-byte Unicode domain */
	static const uint8_t odd[] = { 'u', 0, 0x00, 0xd8, 'x' };
	len = ntlm3(buf, sizeof(buf), 1, "A", 1, odd, sizeof(odd), NULL, 0, 0);
	m = dup_n(buf, len);
	assert_true(mt_ntlm_parse(m, len, &n));
	mt_sbuf_reset(&b);
	mt_ntlm_who(&b, &n, true);
	assert_string_equal(b.s, "u?");   /* the domain decodes to nothing: no backslash */
	free(m);

	/* a 52-byte header (no NegotiateFlags, NTLMv1-era): fields still parse */
	memset(buf, 0, 64);
	memcpy(buf, "NTLMSSP\0", 8);
	put32(buf + 8, 3);
	put16(buf + 36, 2);
	put16(buf + 38, 2);
	put32(buf + 40, 52);
	buf[52] = 'u';
	m = dup_n(buf, 54);
	assert_true(mt_ntlm_parse(m, 54, &n));
	assert_false(n.has_flags);
	assert_int_equal(n.flags, 0);
	assert_true(n.user.ok);
	assert_false(mt_ntlm_who_8bit(&n, out, sizeof(out), &on));   /* needs the flags */
	free(m);
	mt_sbuf_free(&b);
}

static void test_ntlm_hostile(void **st)
{
	(void)st;
	uint8_t buf[512];
	struct mt_ntlm n;
	char out[64];
	size_t on;
	size_t len = ntlm3(buf, sizeof(buf), 1, "D\0", 2, "u\0", 2, "w\0", 2, 24);

	/* offsets and lengths pointing outside: that field is !ok, the rest parse */
	static const struct { int at; uint32_t len, off; } bad[] = {
		{ 28, 2, 100000 },           /* domain far past the end */
		{ 36, 0xffff, 64 },          /* user longer than the message */
		{ 44, 4, 0xfffffff0 },       /* offset + length wraps in 32 bits */
		{ 20, 0xffff, 0xffffffff },
		{ 36, 1, 0 },                /* inside: fine, even over the header */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t tmp[512];
		memcpy(tmp, buf, len);
		put16(tmp + bad[i].at, bad[i].len);
		put32(tmp + bad[i].at + 4, bad[i].off);
		uint8_t *m = dup_n(tmp, len);
		assert_true(mt_ntlm_parse(m, len, &n));
		const struct mt_ntlm_buf *f = bad[i].at == 20 ? &n.nt : bad[i].at == 28 ? &n.domain :
		                              bad[i].at == 36 ? &n.user : &n.workstation;
		assert_int_equal(f->ok, i == 4);
		assert_true(n.lm.ok);
		struct mt_sbuf b;
		mt_sbuf_init(&b);
		mt_ntlm_who(&b, &n, true);   /* never reads a !ok field */
		mt_ntlm_add_str(&b, &n.workstation, true);
		mt_sbuf_free(&b);
		bool ok8 = mt_ntlm_who_8bit(&n, out, sizeof(out), &on);
		assert_int_equal(ok8, n.domain.ok && n.user.ok);
		free(m);
	}

	/* every truncation: whatever is ok lies inside the cut message */
	for (size_t cut = 0; cut <= len; cut++) {
		uint8_t *m = dup_n(buf, cut);
		bool is = mt_ntlm_parse(m, cut, &n);
		assert_int_equal(is, cut >= 12);
		const struct mt_ntlm_buf *f[5] = { &n.lm, &n.nt, &n.domain, &n.user, &n.workstation };
		for (int i = 0; i < 5; i++) {
			if (!f[i]->ok)
				continue;
			assert_true(f[i]->p >= m && f[i]->p + f[i]->n <= m + cut);
		}
		assert_int_equal(n.has_flags, cut >= 64);
		struct mt_sbuf b;
		mt_sbuf_init(&b);
		mt_ntlm_who(&b, &n, true);
		mt_sbuf_free(&b);
		if (mt_ntlm_who_8bit(&n, out, sizeof(out), &on))
			assert_true(on <= sizeof(out) - 2);
		free(m);
	}
}

/* Random bytes through every decoder: no crash, spans inside the input. */
static void test_random_input(void **st)
{
	(void)st;
	uint32_t seed = 12345;
	for (int round = 0; round < 4000; round++) {
		uint8_t tmp[160];
		seed = seed * 1103515245u + 12345u;
		size_t n = (seed >> 8) % sizeof(tmp);
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			uint8_t c = (uint8_t)(seed >> 16);
			/* bias towards the separators the decoders look for */
			static const uint8_t sep[] = { 0, 1, ',', '=', ' ', 'a' };
			tmp[i] = (c & 3) == 0 ? sep[(c >> 2) % sizeof(sep)] : c;
		}
		if (round % 3 == 0 && n >= 12)
			memcpy(tmp, "NTLMSSP\0\x03\0\0\0", 12);
		uint8_t *m = dup_n(tmp, n);
		struct mt_sasl_plain pl;
		if (mt_sasl_plain_split(m, n, &pl))
			assert_int_equal(pl.authzid.n + pl.authcid.n + pl.passwd.n + 2, n);
		struct mt_span u, d;
		mt_sasl_cram_split(m, n, &u, &d);
		assert_true(d.p + d.n == m + n);
		struct mt_sasl_oauth o;
		for (int k = 0; k < 2; k++) {
			if (k)
				mt_sasl_oauthbearer_parse(m, n, &o);
			else
				mt_sasl_xoauth2_parse(m, n, &o);
			if (o.has_user)
				assert_true(o.user.p >= m && o.user.p + o.user.n <= m + n);
			if (o.has_auth)
				assert_true(o.token.p >= m && o.token.p + o.token.n <= m + n);
		}
		struct mt_ntlm nt;
		if (mt_ntlm_parse(m, n, &nt)) {
			struct mt_sbuf b;
			mt_sbuf_init(&b);
			mt_ntlm_who(&b, &nt, round & 1);
			mt_sbuf_free(&b);
			char out[32];
			size_t on;
			mt_ntlm_who_8bit(&nt, out, sizeof(out), &on);
		}
		free(m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_helpers),
		cmocka_unit_test(test_mech_names),
		cmocka_unit_test(test_find_kv),
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_login_cram),
		cmocka_unit_test(test_xoauth2),
		cmocka_unit_test(test_oauthbearer),
		cmocka_unit_test(test_ntlm_messages),
		cmocka_unit_test(test_ntlm_authenticate),
		cmocka_unit_test(test_ntlm_hostile),
		cmocka_unit_test(test_random_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
