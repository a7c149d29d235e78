/* test_ui_filter.c - the display filter of the ncurses UI (ui/filter.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../ui/filter.h"

struct fx {
	struct mt_model m;
	struct mt_session *pop, *smtp, *imap_tls, *telnet;
};

static int setup(void **state)
{
	static struct fx f;
	memset(&f, 0, sizeof(f));
	mt_model_init(&f.m, NULL);
	f.pop = mt_session_new(&f.m);
	f.pop->proto = PROTO_POP3;
	snprintf(f.pop->client, sizeof(f.pop->client), "10.0.0.5:51000");
	snprintf(f.pop->server, sizeof(f.pop->server), "10.0.0.1:110");
	struct mt_credential *c = sess_cred_new(f.pop, "USER/PASS", 12);
	mt_bytes_set(&c->username, "labtest", 7, 0);
	mt_bytes_set(&c->password, "wrong", 5, 0);

	f.smtp = mt_session_new(&f.m);
	f.smtp->proto = PROTO_SMTP;
	snprintf(f.smtp->client, sizeof(f.smtp->client), "10.0.0.6:40000");
	snprintf(f.smtp->server, sizeof(f.smtp->server), "10.0.0.1:587");
	sess_starttls_offered(f.smtp);
	sess_starttls_requested(f.smtp, 9);
	sess_starttls_reply(f.smtp, true, 10);

	f.imap_tls = mt_session_new(&f.m);
	f.imap_tls->proto = PROTO_IMAP;
	f.imap_tls->tls = TLS_IMPLICIT;
	snprintf(f.imap_tls->client, sizeof(f.imap_tls->client), "[2001:db8::5]:50000");
	snprintf(f.imap_tls->server, sizeof(f.imap_tls->server), "[2001:db8::1]:993");

	f.telnet = mt_session_new(&f.m);
	f.telnet->proto = PROTO_TELNET;
	snprintf(f.telnet->client, sizeof(f.telnet->client), "10.0.0.7:40001");
	snprintf(f.telnet->server, sizeof(f.telnet->server), "10.0.0.2:23");
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	mt_model_free(&f->m);
	return 0;
}

/* Which of pop, smtp, imap_tls, telnet match, as a 4-char string "1010". */
static const char *matches(struct fx *f, const char *text)
{
	static char out[8];
	char err[160];
	struct mt_filter *flt = mt_filter_compile(text, err, sizeof(err));
	assert_true(flt != NULL || !err[0]);
	struct mt_session *ss[4] = { f->pop, f->smtp, f->imap_tls, f->telnet };
	for (int i = 0; i < 4; i++)
		out[i] = mt_filter_match(flt, ss[i], NULL, NULL) ? '1' : '0';
	out[4] = 0;
	mt_filter_free(flt);
	return out;
}

static void test_protocol_words(void **state)
{
	struct fx *f = *state;
	assert_string_equal(matches(f, "pop"), "1000");
	assert_string_equal(matches(f, "POP3"), "1000");
	assert_string_equal(matches(f, "smtp"), "0100");
	assert_string_equal(matches(f, "imap"), "0010");
	assert_string_equal(matches(f, "telnet"), "0001");
	assert_string_equal(matches(f, "tls"), "0110");      /* STARTTLS'd and implicit */
	assert_string_equal(matches(f, "starttls"), "0100");
	assert_string_equal(matches(f, "creds"), "1000");
	assert_string_equal(matches(f, "tcp"), "1111");
}

static void test_host_port(void **state)
{
	struct fx *f = *state;
	assert_string_equal(matches(f, "port 110"), "1000");
	assert_string_equal(matches(f, "port 51000"), "1000");   /* either endpoint */
	assert_string_equal(matches(f, "host 10.0.0.1"), "1100");
	assert_string_equal(matches(f, "host 2001:db8::1"), "0010");
	assert_string_equal(matches(f, "host [2001:DB8::1]"), "0010");
	assert_string_equal(matches(f, "port 993"), "0010");
	assert_string_equal(matches(f, "host 10.0.0.9"), "0000");
}

static void test_boolean_combinations(void **state)
{
	struct fx *f = *state;
	assert_string_equal(matches(f, "pop or smtp"), "1100");
	assert_string_equal(matches(f, "not tls"), "1001");
	assert_string_equal(matches(f, "! tls && !creds"), "0001");
	assert_string_equal(matches(f, "host 10.0.0.1 and not port 587"), "1000");
	/* and binds tighter than or */
	assert_string_equal(matches(f, "telnet or pop and creds"), "1001");
	assert_string_equal(matches(f, "(telnet or pop) and creds"), "1000");
	assert_string_equal(matches(f, "not (pop or smtp or imap)"), "0001");
	assert_string_equal(matches(f, "not not pop"), "1000");
	assert_string_equal(matches(f, "(((imap)))"), "0010");
}

static void test_empty_matches_all(void **state)
{
	struct fx *f = *state;
	char err[64] = "x";
	assert_null(mt_filter_compile("   ", err, sizeof(err)));
	assert_string_equal(err, "");
	assert_string_equal(matches(f, ""), "1111");
	assert_true(mt_filter_match(NULL, f->pop, NULL, NULL));
}

static void expect_error(const char *text, const char *needle)
{
	char err[160];
	struct mt_filter *flt = mt_filter_compile(text, err, sizeof(err));
	assert_null(flt);
	if (!strstr(err, needle))
		fail_msg("filter '%s': error '%s' lacks '%s'", text, err, needle);
}

static void test_errors(void **state)
{
	expect_error("smpt", "unknown word 'smpt'");
	expect_error("pop and", "expression expected");
	expect_error("(pop or smtp", "')' expected");
	expect_error("pop)", "unexpected ')'");
	expect_error("port", "port needs a number");
	expect_error("port 70000", "port needs a number");
	expect_error("port 1x", "port needs a number");
	expect_error("host", "host needs an address");
	expect_error("and pop", "needs something before it");
	expect_error("pop smtp", "unexpected 'smtp'");
	expect_error("smpt", "(at 1)");
	expect_error("pop and bogus", "(at 9)");
}

static void test_limits(void **state)
{
	/* deep nesting and long filters are refused, never a stack overflow */
	char deep[600];
	size_t n = 0;
	for (int i = 0; i < 200; i++)
		deep[n++] = '(';
	memcpy(deep + n, "pop", 3);
	n += 3;
	for (int i = 0; i < 200; i++)
		deep[n++] = ')';
	deep[n] = 0;
	expect_error(deep, "too deeply nested");
	char nots[1300];
	n = 0;
	for (int i = 0; i < 300; i++) {
		memcpy(nots + n, "not ", 4);
		n += 4;
	}
	memcpy(nots + n, "pop", 4);
	expect_error(nots, "too deeply nested");
	char longf[4000];
	n = 0;
	for (int i = 0; i < 300; i++) {
		n += (size_t)snprintf(longf + n, sizeof(longf) - n, "%spop", i ? " or " : "");
	}
	expect_error(longf, "filter too long");
}

static void test_packet_without_session(void **state)
{
	char err[64];
	struct mt_filter *flt = mt_filter_compile("port 53 or host 192.0.2.1", err, sizeof(err));
	assert_non_null(flt);
	assert_true(mt_filter_match(flt, NULL, "10.0.0.1:5353", "10.0.0.2:53"));
	assert_true(mt_filter_match(flt, NULL, "192.0.2.1", "10.0.0.2"));
	assert_false(mt_filter_match(flt, NULL, "10.0.0.1:5353", "10.0.0.2:54"));
	mt_filter_free(flt);
	flt = mt_filter_compile("pop", err, sizeof(err));
	assert_false(mt_filter_match(flt, NULL, "10.0.0.1:110", "10.0.0.2:5000"));
	mt_filter_free(flt);
}

static void test_endpoint_split(void **state)
{
	char a[64];
	int port;
	mt_endpoint_split("10.0.0.1:110", a, sizeof(a), &port);
	assert_string_equal(a, "10.0.0.1");
	assert_int_equal(port, 110);
	mt_endpoint_split("[::1]:995", a, sizeof(a), &port);
	assert_string_equal(a, "::1");
	assert_int_equal(port, 995);
	mt_endpoint_split("fe80::1", a, sizeof(a), &port);
	assert_string_equal(a, "fe80::1");
	assert_int_equal(port, -1);
	mt_endpoint_split("[::1", a, sizeof(a), &port);
	assert_string_equal(a, "::1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_protocol_words),
		cmocka_unit_test(test_host_port),
		cmocka_unit_test(test_boolean_combinations),
		cmocka_unit_test(test_empty_matches_all),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_packet_without_session),
		cmocka_unit_test(test_endpoint_split),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
