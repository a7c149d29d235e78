/* test_tls_sniff.c - ClientHello recognition whole, split byte by byte, and
 * on bytes that are not TLS. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../dissect/tls_sniff.h"

/* A minimal TLS 1.2 ClientHello with server_name "mail.lab.test". */
static size_t hello(uint8_t *b)
{
	const char *name = "mail.lab.test";
	size_t nl = strlen(name);
	uint8_t body[256];
	size_t o = 0;
	body[o++] = 3; body[o++] = 3;            /* legacy_version */
	memset(body + o, 0x42, 32); o += 32;     /* random */
	body[o++] = 0;                           /* session id */
	body[o++] = 0; body[o++] = 2; body[o++] = 0x13; body[o++] = 0x01;   /* one suite */
	body[o++] = 1; body[o++] = 0;            /* null compression */
	size_t ext = 2 + 2 + 2 + 1 + 2 + nl;
	body[o++] = (uint8_t)(ext >> 8); body[o++] = (uint8_t)ext;
	body[o++] = 0; body[o++] = 0;            /* server_name */
	body[o++] = 0; body[o++] = (uint8_t)(2 + 1 + 2 + nl);
	body[o++] = 0; body[o++] = (uint8_t)(1 + 2 + nl);
	body[o++] = 0;                           /* host_name */
	body[o++] = 0; body[o++] = (uint8_t)nl;
	memcpy(body + o, name, nl); o += nl;
	size_t hs = 4 + o;
	b[0] = 22; b[1] = 3; b[2] = 1; b[3] = (uint8_t)(hs >> 8); b[4] = (uint8_t)hs;
	b[5] = 1; b[6] = 0; b[7] = (uint8_t)(o >> 8); b[8] = (uint8_t)o;
	memcpy(b + 9, body, o);
	return 9 + o;
}

static void test_whole(void **st)
{
	(void)st;
	uint8_t b[300];
	size_t n = hello(b);
	struct mt_tls_sniff t;
	mt_tls_sniff_init(&t);
	assert_int_equal(mt_tls_sniff_feed(&t, b, n), MT_TLS_HELLO);
	assert_string_equal(t.sni, "mail.lab.test");
	mt_tls_sniff_free(&t);
}

static void test_bytewise(void **st)
{
	(void)st;
	uint8_t b[300];
	size_t n = hello(b);
	struct mt_tls_sniff t;
	mt_tls_sniff_init(&t);
	for (size_t i = 0; i + 1 < n; i++)
		assert_int_equal(mt_tls_sniff_feed(&t, b + i, 1), MT_TLS_NEED_MORE);
	assert_int_equal(mt_tls_sniff_feed(&t, b + n - 1, 1), MT_TLS_HELLO);
	assert_string_equal(t.sni, "mail.lab.test");
	mt_tls_sniff_free(&t);
}

static void test_not_tls(void **st)
{
	(void)st;
	struct mt_tls_sniff t;
	mt_tls_sniff_init(&t);
	assert_int_equal(mt_tls_sniff_feed(&t, (const uint8_t *)"EHLO x\r\n", 8), MT_TLS_NOT_TLS);
	mt_tls_sniff_free(&t);
	mt_tls_sniff_init(&t);
	const uint8_t bad_version[] = { 22, 7, 1, 0, 10 };
	assert_int_equal(mt_tls_sniff_feed(&t, bad_version, sizeof(bad_version)), MT_TLS_NOT_TLS);
	mt_tls_sniff_free(&t);
}

static void test_cut_hello(void **st)
{
	(void)st;
	uint8_t b[300];
	size_t n = hello(b);
	char sni[64];
	size_t sl;
	/* every prefix parses without reading past it */
	for (size_t k = 0; k <= n; k++)
		(void)mt_tls_parse_client_hello(b, k, sni, sizeof(sni), &sl);
	/* a host name length that runs past its extension */
	b[n - strlen("mail.lab.test") - 2] = 0xff;
	assert_int_equal(mt_tls_parse_client_hello(b, n, sni, sizeof(sni), &sl), MT_TLS_HELLO);
	assert_int_equal(sl, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole),
		cmocka_unit_test(test_bytewise),
		cmocka_unit_test(test_not_tls),
		cmocka_unit_test(test_cut_hello),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
