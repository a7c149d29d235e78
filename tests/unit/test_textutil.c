/* test_textutil.c - base64, span helpers, the sanitisers, and the JSON
 * writer's escaping: the small pieces every dissector and renderer trusts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../../dissect/base64.h"
#include "../../dissect/sanitize.h"
#include "../../dissect/strutil.h"
#include "../../ui/json_out.h"

static void test_base64(void **st)
{
	(void)st;
	uint8_t out[64];
	assert_int_equal(mt_b64_decode((const uint8_t *)"VXNlcm5hbWU6", 12, out), 9);
	assert_memory_equal(out, "Username:", 9);
	assert_int_equal(mt_b64_decode((const uint8_t *)"AGFsaWNlAHMzY3JldA==", 20, out), 13);
	assert_memory_equal(out, "\0alice\0s3cret", 13);
	assert_int_equal(mt_b64_decode((const uint8_t *)"YQ", 2, out), 1);   /* padding optional */
	assert_int_equal(mt_b64_decode((const uint8_t *)"Y Q = =", 7, out), 1);
	assert_int_equal(mt_b64_decode((const uint8_t *)"Y", 1, out), -1);     /* one char: no byte */
	assert_int_equal(mt_b64_decode((const uint8_t *)"YQ==YQ", 6, out), -1); /* data after padding */
	assert_int_equal(mt_b64_decode((const uint8_t *)"USER x", 6, out), -1); /* not base64 */
	size_t n;
	assert_null(mt_b64_decode_alloc((const uint8_t *)"YWJj", 4, 3, &n));     /* over the cap */
	uint8_t *p = mt_b64_decode_alloc((const uint8_t *)"YWJj", 4, 16, &n);
	assert_non_null(p);
	assert_int_equal(n, 3);
	assert_string_equal((char *)p, "abc");
	free(p);
	char enc[16];
	mt_b64_encode((const uint8_t *)"ab", 2, enc);
	assert_string_equal(enc, "YWI=");
	struct mt_b64_stream bs = { 0 };
	uint8_t sout[16];
	size_t k = mt_b64_stream_feed(&bs, (const uint8_t *)"YW", 2, sout);
	k += mt_b64_stream_feed(&bs, (const uint8_t *)"Jj\r\n", 4, sout + k);
	assert_int_equal(k, 3);
	assert_memory_equal(sout, "abc", 3);
}

static void test_spans(void **st)
{
	(void)st;
	const uint8_t *l = (const uint8_t *)"mail from:<a@b>";
	assert_true(mt_kw_prefix(l, 15, "MAIL FROM:"));
	assert_true(mt_kw_word((const uint8_t *)"quit", 4, "QUIT"));
	assert_false(mt_kw_word((const uint8_t *)"quitx", 5, "QUIT"));
	assert_true(mt_kw_eq((const uint8_t *)"Stls", 4, "STLS"));
	struct mt_span rest = { (const uint8_t *)"  a1  LOGIN x", 13 }, w;
	assert_true(mt_next_word(&rest, &w));
	assert_int_equal(w.n, 2);
	assert_true(mt_next_word(&rest, &w));
	assert_memory_equal(w.p, "LOGIN", 5);
	uint64_t v;
	size_t used;
	assert_true(mt_parse_u64((const uint8_t *)"4294967295}", 11, &v, &used));
	assert_int_equal(v, 4294967295ull);
	assert_int_equal(used, 10);
	assert_false(mt_parse_u64((const uint8_t *)"99999999999999999999", 20, &v, &used));
	assert_int_equal(mt_find_ci((const uint8_t *)"xx STARTTLS", 11, "starttls"), 3);
}

static void test_sanitize_term(void **st)
{
	(void)st;
	struct mt_sbuf b;
	mt_sbuf_init(&b);
	const char evil[] = "a\x1b[31mred\x07\r\n\x1b]52;c;SGk=\x07\xff\xc3\xa9";
	mt_sanitize_term(&b, evil, sizeof(evil) - 1);
	assert_null(memchr(b.s, 0x1b, b.len));
	assert_null(memchr(b.s, 0x07, b.len));
	assert_null(memchr(b.s, '\r', b.len));
	assert_string_equal(b.s, "a\\e[31mred\\x07\\r\\n\\e]52;c;SGk=\\x07\\xff\xc3\xa9");
	mt_sbuf_reset(&b);
	/* C1 control U+009B (CSI) and a bidi override are escaped too */
	mt_sanitize_term(&b, "\xc2\x9b" "1m\xe2\x80\xae", 7);
	assert_string_equal(b.s, "\\xc2\\x9b1m\\xe2\\x80\\xae");
	mt_sbuf_free(&b);
}

static void test_sanitize_json(void **st)
{
	(void)st;
	struct mt_sbuf b;
	mt_sbuf_init(&b);
	mt_sanitize_json(&b, "q\"\\\x01\xff\xc3\xa9\n", 8);
	assert_string_equal(b.s, "q\\\"\\\\\\u0001\xc3\xbf\xc3\xa9\\n");
	mt_sbuf_reset(&b);
	/* overlong encodings and surrogates are invalid UTF-8 */
	mt_sanitize_json(&b, "\xc0\xaf\xed\xa0\x80", 5);
	assert_null(strstr(b.s, "\xc0\xaf"));
	mt_sbuf_free(&b);
}

static void test_time_and_mask(void **st)
{
	(void)st;
	char buf[48];
	mt_format_time(buf, sizeof(buf), 1683441675123456789ull);
	assert_string_equal(buf, "2023-05-07T06:41:15.123456Z");
	struct mt_line l;
	memset(&l, 0, sizeof(l));
	l.text.data = "PASS hunter2";
	l.text.len = 12;
	l.secret = true;
	l.secret_off = 5;
	l.secret_len = 7;
	struct mt_sbuf b;
	mt_sbuf_init(&b);
	mt_line_shown_text(&b, &l, false);
	assert_string_equal(b.s, "PASS ********");
	mt_sbuf_reset(&b);
	mt_line_shown_text(&b, &l, true);
	assert_string_equal(b.s, "PASS hunter2");
	mt_sbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_spans),
		cmocka_unit_test(test_sanitize_term),
		cmocka_unit_test(test_sanitize_json),
		cmocka_unit_test(test_time_and_mask),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
