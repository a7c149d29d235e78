/* test_socks.c - the SOCKS pre-dissector: v5 with username/password, v4a,
 * byte by byte; it ends by asking the dispatcher to choose again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "helpers/dtest.h"

static void feed(struct dt *t, int dir, const char *p, size_t n, int bytewise)
{
	if (!bytewise) {
		dt_feed(t, dir, p, n);
		return;
	}
	for (size_t i = 0; i < n; i++)
		dt_feed(t, dir, p + i, 1);
}

static void v5(int bytewise)
{
	struct dt t;
	dt_open(&t, &mt_dissector_socks);
	feed(&t, DIR_C2S, "\x05\x02\x00\x02", 4, bytewise);
	feed(&t, DIR_S2C, "\x05\x02", 2, bytewise);
	feed(&t, DIR_C2S, "\x01\x05" "alice" "\x06" "s3cret", 14, bytewise);
	feed(&t, DIR_S2C, "\x01\x00", 2, bytewise);
	assert_false(t.s->reprobe);
	feed(&t, DIR_C2S, "\x05\x01\x00\x03\x0d" "mail.lab.test" "\x00\x19", 20, bytewise);
	feed(&t, DIR_S2C, "\x05\x00\x00\x01\x0a\x00\x00\x01\x00\x19", 10, bytewise);
	assert_true(t.s->reprobe);
	assert_null(t.s->dissector_state);
	assert_int_equal(t.s->ncreds, 1);
	assert_string_equal(t.s->creds[0]->mechanism, "SOCKS5");
	assert_string_equal(t.s->creds[0]->username.data, "alice");
	assert_string_equal(t.s->creds[0]->password.data, "s3cret");
	assert_int_equal(t.s->creds[0]->outcome, OUTCOME_SUCCESS);
	assert_non_null(dt_find_line(&t, "SOCKS5 tunnel to mail.lab.test:25 granted"));
	dt_finish(&t);
	dt_free(&t);
}

static void test_v5_whole(void **st) { (void)st; v5(0); }
static void test_v5_bytewise(void **st) { (void)st; v5(1); }

static void test_v4a(void **st)
{
	(void)st;
	struct dt t;
	dt_open(&t, &mt_dissector_socks);
	dt_feed(&t, DIR_C2S, "\x04\x01\x00\x6e\x00\x00\x00\x01user\x00pop.lab.test\x00", 27);
	dt_feed(&t, DIR_S2C, "\x00\x5a\x00\x00\x00\x00\x00\x00", 8);
	assert_true(t.s->reprobe);
	assert_non_null(dt_find_line(&t, "SOCKS4 tunnel to pop.lab.test:110 granted"));
	dt_finish(&t);
	dt_free(&t);
}

static void test_hostile(void **st)
{
	(void)st;
	struct dt t;
	dt_open(&t, &mt_dissector_socks);
	/* a v4 user id that never ends: bounded, no hang */
	char junk[1024];
	memset(junk, 'A', sizeof(junk));
	junk[0] = 4;
	junk[1] = 1;
	dt_feed(&t, DIR_C2S, junk, sizeof(junk));
	/* a v5 reply with an unknown address type */
	dt_feed(&t, DIR_S2C, "\x00\x5a\x00\x00\x00\x00\x00\x00", 8);
	dt_finish(&t);
	dt_free(&t);
	dt_open(&t, &mt_dissector_socks);
	dt_feed(&t, DIR_C2S, "\x05\x01\x00", 3);
	dt_feed(&t, DIR_S2C, "\x05\x00", 2);
	dt_feed(&t, DIR_C2S, "\x05\x01\x00\x09zzzz", 8);
	dt_feed(&t, DIR_S2C, "\x05\x01\x00\x07", 4);
	dt_finish(&t);
	dt_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v5_whole),
		cmocka_unit_test(test_v5_bytewise),
		cmocka_unit_test(test_v4a),
		cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
