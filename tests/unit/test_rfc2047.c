/* test_rfc2047.c - header value decoding: unfolding, RFC 2047 encoded
 * words in several charsets, RFC 2047 §6.2 joining, and what happens with
 * unknown charsets, broken base64 and hostile sizes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../dissect/rfc2047.h"

/* Decodes s and compares with want; also checks outlen. */
static void check(const char *s, const char *want)
{
	size_t len = 12345;
	char *got = mt_rfc2047_decode((const uint8_t *)s, strlen(s), &len);
	assert_non_null(got);
	assert_string_equal(got, want);
	assert_int_equal(len, strlen(want));
	free(got);
}

static void test_plain(void **state)
{
	(void)state;
	check("Hello world", "Hello world");
	check("", "");
	check("   padded\t ", "padded");
	/* not encoded words: kept as they are */
	check("a=?b", "a=?b");
	check("=?", "=?");
	check("=?utf-8?x?abc?=", "=?utf-8?x?abc?=");
	check("=?utf-8?q?abc", "=?utf-8?q?abc");
	check("?= =? =?= ?=", "?= =? =?= ?=");
}

static void test_unfold(void **state)
{
	(void)state;
	check("Hello\r\n world", "Hello world");
	check("Hello\n\tworld", "Hello\tworld");
	check(" a long\r\n subject\r\n  folded", "a long subject  folded");
	/* an encoded word on each folded line is joined (§6.2) */
	check("=?UTF-8?Q?a?=\r\n =?UTF-8?Q?b?=", "ab");
}

static void test_b_koi8r(void **state)
{
	(void)state;
	check("=?KOI8-R?B?8NLJ18XULCDNydI=?=", "Привет, мир");
	check("=?koi8-r?b?8NLJ18XULCDNydI=?=", "Привет, мир");
}

static void test_q_windows1251(void **state)
{
	(void)state;
	check("=?windows-1251?Q?=CF=F0=E8=E2=E5=F2?=", "Привет");
	check("Re: =?Windows-1251?q?=CF=F0=E8=E2=E5=F2?= !", "Re: Привет !");
}

static void test_iso8859_1(void **state)
{
	(void)state;
	check("=?iso-8859-1?B?dGVzdCDlIOkg7iD4IPw=?=", "test å é î ø ü");
	check("=?ISO-8859-1?Q?caf=E9_au_lait?=", "café au lait");
	/* 0x80-0x9F read as windows-1252, as mail clients do */
	check("=?iso-8859-1?Q?=80_=93quoted=94?=", "€ “quoted”");
	check("=?ISO-8859-15?Q?=A4?=", "€");
	check("=?iso-8859-2?Q?=B1?=", "ą");
}

static void test_utf8_and_gb2312(void **state)
{
	(void)state;
	check("=?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <j@example.org>", "Jörg Müller <j@example.org>");
	check("=?UTF-8?B?0J/RgNC40LLQtdGCLCDQvNC40YA=?=", "Привет, мир");
	check("=?gb2312?B?dGVzdCCy4srU?=", "test 测试");
	check("=?GBK?B?dGVzdCCy4srU?=", "test 测试");
	check("=?ISO-2022-JP?B?GyRCJEskWyRzGyhC?=", "にほん");
	/* RFC 2231 §5 language suffix */
	check("=?UTF-8*en?Q?hi?=", "hi");
	/* US-ASCII passes */
	check("=?us-ascii?Q?plain_text?=", "plain text");
}

static void test_adjacent(void **state)
{
	(void)state;
	/* whitespace between encoded words is dropped (§6.2) */
	check("=?UTF-8?Q?a?= =?UTF-8?Q?b?=", "ab");
	check("=?UTF-8?Q?a?=   \t =?UTF-8?Q?b?=", "ab");
	/* without whitespace (not RFC, but common) */
	check("=?UTF-8?Q?a?==?UTF-8?Q?b?=", "ab");
	/* different charsets, still joined */
	check("=?KOI8-R?B?8NLJ18XU?= =?iso-8859-1?Q?caf=E9?=", "Приветcafé");
	/* text between words is kept with its spaces */
	check("=?UTF-8?Q?a?= x =?UTF-8?Q?b?=", "a x b");
	check("x =?UTF-8?Q?a?= y", "x a y");
	/* a UTF-8 character split across two words is put back together */
	check("=?UTF-8?Q?=D0?= =?UTF-8?Q?=9F?=", "П");
	check("=?UTF-8?B?0J7RgtGH0ZHRgiDQt9A=?= =?UTF-8?B?sCDQvNCw0LkuZG9jeA==?=",
	      "Отчёт за май.docx");
	/* inside quotes (common in display names) */
	check("\"=?UTF-8?Q?J=C3=B6rg?=\" <j@x>", "\"Jörg\" <j@x>");
}

static void test_empty_word(void **state)
{
	(void)state;
	check("=?ISO-8859-1?B?" "?=", "");
	check("=?ISO-8859-1?Q?" "?=", "");
	check("=?UTF-8?Q?a?= =?ISO-8859-1?B?" "?= =?UTF-8?Q?b?=", "ab");
	check("x =?ISO-8859-1?B?" "?= y", "x  y");
}

static void test_unknown_charset_kept(void **state)
{
	(void)state;
	check("=?x-no-such-charset?Q?abc?=", "=?x-no-such-charset?Q?abc?=");
	check("Hi =?x-bogus?B?SGVsbG8=?= there", "Hi =?x-bogus?B?SGVsbG8=?= there");
	/* a raw word is ordinary text: the whitespace around it stays */
	check("=?UTF-8?Q?a?= =?x-bogus?Q?b?= =?UTF-8?Q?c?=", "a =?x-bogus?Q?b?= c");
	/* characters no charset has: never handed to iconv (no //IGNORE) */
	check("=?utf-8//IGNORE?Q?x?=", "=?utf-8//IGNORE?Q?x?=");
	/* a charset name over the cap */
	check("=?aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa?Q?x?=",
	      "=?aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa?Q?x?=");
	struct mt_sbuf b;
	mt_sbuf_init(&b);
	assert_false(mt_charset_to_utf8("x-bogus", 7, (const uint8_t *)"a", 1, &b));
	assert_int_equal(b.len, 0);
	assert_true(mt_charset_to_utf8("koi8-r", 6, (const uint8_t *)"\xf0", 1, &b));
	assert_string_equal(b.s, "П");
	mt_sbuf_free(&b);
}

static void test_broken_base64_kept(void **state)
{
	(void)state;
	check("=?UTF-8?B?SGVsbG8*?=", "=?UTF-8?B?SGVsbG8*?=");
	check("=?UTF-8?B?S?=", "=?UTF-8?B?S?=");
	check("=?UTF-8?B?SG=Vs?=", "=?UTF-8?B?SG=Vs?=");
	check("a =?UTF-8?B?!!!?= b", "a =?UTF-8?B?!!!?= b");
	/* missing padding is tolerated */
	check("=?UTF-8?B?SGVsbG8?=", "Hello");
}

static void test_q_details(void **state)
{
	(void)state;
	check("=?UTF-8?Q?a_b_c?=", "a b c");
	check("=?UTF-8?Q?=41=42=43?=", "ABC");
	check("=?UTF-8?q?=c3=a9?=", "é");       /* lower-case hex */
	check("=?UTF-8?Q?100=?=", "100=");       /* lone '=' kept */
	check("=?UTF-8?Q?=4?=", "=4");
	check("=?UTF-8?Q?=ZZ?=", "=ZZ");
}

static void test_invalid_bytes(void **state)
{
	(void)state;
	/* invalid in a known charset: U+FFFD and go on */
	check("=?gb2312?B?/0E=?=", "\xef\xbf\xbd" "A");
	/* a NUL would cut the C string: U+FFFD */
	size_t len;
	char *s = mt_rfc2047_decode((const uint8_t *)"=?UTF-8?Q?a=00b?=", 17, &len);
	assert_int_equal(len, 5);
	assert_memory_equal(s, "a\xef\xbf\xbd" "b", 5);
	free(s);
	s = mt_rfc2047_decode((const uint8_t *)"a\0b", 3, &len);
	assert_int_equal(len, 5);
	assert_memory_equal(s, "a\xef\xbf\xbd" "b", 5);
	free(s);
	/* invalid UTF-8 outside encoded words is kept for the JSON writer */
	check("caf\xe9 \x1b[31m", "caf\xe9 \x1b[31m");
	/* UTF-8 words pass bytes as they are */
	check("=?UTF-8?Q?=FF?=", "\xff");
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Patterns built to make a naive decoder rescan: each must stay linear
 * (a 1 MB value in well under a second even under sanitizers). */
static void test_hostile_linear(void **state)
{
	(void)state;
	static const char *const pats[] = {
		"=?", "=?=?", "=?a?q?", "=?a?q?=?", "=?utf-8?B?QUJD?=", "=?x?Q?a?= ", "=?utf-8?Q?",
	};
	size_t n = 1 << 20;
	uint8_t *buf = malloc(n);
	assert_non_null(buf);
	for (size_t k = 0; k < sizeof pats / sizeof pats[0]; k++) {
		size_t pl = strlen(pats[k]);
		for (size_t i = 0; i < n; i++)
			buf[i] = (uint8_t)pats[k][i % pl];
		double t0 = now();
		size_t len;
		char *s = mt_rfc2047_decode(buf, n, &len);
		double dt = now() - t0;
		assert_non_null(s);
		assert_true(len > 0);
		assert_true(dt < 3.0);
		free(s);
	}
	/* one long run of valid adjacent words: all joined */
	const char *w = "=?UTF-8?Q?ab?= ";
	size_t wl = strlen(w), words = n / wl;
	for (size_t i = 0; i < words * wl; i++)
		buf[i] = (uint8_t)w[i % wl];
	size_t len;
	char *s = mt_rfc2047_decode(buf, words * wl, &len);
	assert_int_equal(len, 2 * words);
	free(s);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_unfold),
		cmocka_unit_test(test_b_koi8r),
		cmocka_unit_test(test_q_windows1251),
		cmocka_unit_test(test_iso8859_1),
		cmocka_unit_test(test_utf8_and_gb2312),
		cmocka_unit_test(test_adjacent),
		cmocka_unit_test(test_empty_word),
		cmocka_unit_test(test_unknown_charset_kept),
		cmocka_unit_test(test_broken_base64_kept),
		cmocka_unit_test(test_q_details),
		cmocka_unit_test(test_invalid_bytes),
		cmocka_unit_test(test_hostile_linear),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
