/* test_pop3.c - the POP3 dissector on crafted dialogues, each fed whole
 * and one byte per segment with the same result. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../dissect/base64.h"
#include "helpers/dtest.h"

#define C DIR_C2S
#define S DIR_S2C
#define GAP 2   /* a step that is a hole of `len` bytes in direction `gapdir` */

struct step {
	int dir;
	const char *text;
	size_t len;      /* 0: strlen(text) */
	int gapdir;
};

/* Plays the steps; bytewise feeds each step one byte per segment. */
static void play(struct dt *t, const struct step *st, size_t n, bool bytewise, bool syn)
{
	dt_open(t, &mt_dissector_pop3);
	t->s->syn_seen = syn;
	for (size_t i = 0; i < n; i++) {
		if (st[i].dir == GAP) {
			dt_gap(t, st[i].gapdir, st[i].len);
			continue;
		}
		size_t len = st[i].len ? st[i].len : strlen(st[i].text);
		if (bytewise)
			for (size_t k = 0; k < len; k++)
				dt_feed(t, st[i].dir, st[i].text + k, 1);
		else
			dt_feed(t, st[i].dir, st[i].text, len);
	}
	dt_finish(t);
}

/* Plays whole and bytewise, compares, and leaves the whole run in *w. */
static void run_both(struct dt *w, const struct step *st, size_t n, bool syn)
{
	struct dt b;
	play(w, st, n, false, syn);
	play(&b, st, n, true, syn);
	dt_assert_same(w, &b);
	dt_free(&b);
}

#define RUN(w, steps) run_both(w, steps, sizeof(steps) / sizeof(steps[0]), true)

static const struct mt_line *line_kind(const struct dt *t, const char *needle, int kind)
{
	for (size_t i = 0; i < t->s->nlines; i++) {
		const struct mt_line *l = &t->s->lines[i];
		if (l->kind == kind && l->text.data && !strcmp(l->text.data, needle))
			return l;
	}
	return NULL;
}

#define QPOP_GREETING "+OK Qpopper (version 4.1.0) at lab.example starting.  <1896.697170952@lab.example>\r\n"

/* ---- tests ---- */

static void test_greeting_user_pass_success(void **state)
{
	(void)state;
	static const struct step st[] = {
		{ S, QPOP_GREETING, 0, 0 },
		{ C, "USER labtest\r\n", 0, 0 },
		{ S, "+OK Password required for labtest.\r\n", 0, 0 },
		{ C, "PASS lab2023\r\n", 0, 0 },
		{ S, "+OK labtest has 2 visible messages (0 hidden) in 640 octets.\r\n", 0, 0 },
		{ C, "QUIT\r\n", 0, 0 },
		{ S, "+OK Pop server at lab.example signing off.\r\n", 0, 0 },
	};
	struct dt t;
	RUN(&t, st);
	assert_string_equal(t.s->server_software, "Qpopper 4.1.0");
	assert_non_null(t.s->greeting.data);
	assert_true(strstr(t.s->greeting.data, "Qpopper") != NULL);
	assert_int_equal(t.s->ncreds, 1);
	const struct mt_credential *c = dt_cred(&t, 0);
	assert_string_equal(c->mechanism, "USER/PASS");
	dt_assert_bytes(&c->username, "labtest");
	dt_assert_bytes(&c->password, "lab2023");
	assert_int_equal(c->outcome, OUTCOME_SUCCESS);
	assert_int_equal(c->frame, 4);        /* the PASS frame */
	assert_int_equal(c->reply_frame, 5);
	assert_false(c->typed);
	assert_true(sess_has_warning(t.s, W_CLEARTEXT_CREDENTIALS));
	/* the PASS line is marked secret over the password */
	const struct mt_line *l = dt_find_line(&t, "PASS lab2023");
	assert_non_null(l);
	assert_true(l->secret);
	assert_int_equal(l->secret_off, 5);
	assert_int_equal(l->secret_len, 7);
	/* the APOP timestamp is shown beside the greeting */
	l = dt_find_line(&t, "Qpopper");
	assert_non_null(l->decoded);
	assert_true(strstr(l->decoded, "<1896.697170952@lab.example>") != NULL);
	dt_free(&t);
}

static void test_user_pass_failure_resp_code(void **state)
{
	(void)state;
	static const struct step st[] = {
		{ S, QPOP_GREETING, 0, 0 },
		{ C, "user labtest\r\n", 0, 0 },
		{ S, "+OK Password required for labtest.\r\n", 0, 0 },
		{ C, "pass wrong pw\r\n", 0, 0 },
		{ S, "-ERR [AUTH] Password supplied for \"labtest\" is incorrect.\r\n", 0, 0 },
		{ C, "QUIT\r\n", 0, 0 },
		{ S, "+OK Pop server at lab.example signing off.\r\n", 0, 0 },
	};
	struct dt t;
	RUN(&t, st);
	assert_int_equal(t.s->ncreds, 1);
	const struct mt_credential *c = dt_cred(&t, 0);
	dt_assert_bytes(&c->username, "labtest");
	dt_assert_bytes(&c->password, "wrong pw");   /* RFC 1939: spaces belong to the password */
	assert_int_equal(c->outcome, OUTCOME_FAILURE);
	assert_true(sess_has_warning(t.s, W_AUTH_FAILED));
	assert_int_equal(t.s->failed_logins, 1);
	const struct mt_line *l = dt_find_line(&t, "-ERR [AUTH]");
	assert_non_null(l);
	assert_non_null(l->decoded);
	assert_true(strstr(l->decoded, "AUTH") != NULL);
	assert_true(strstr(l->decoded, "authentication failed") != NULL);
	dt_free(&t);
}

static void test_resp_codes(void **state)
{
	(void)state;
	static const struct step st[] = {
		{ S, "+OK Dovecot ready.\r\n", 0, 0 },
		{ C, "USER a\r\n", 0, 0 },
		{ S, "+OK\r\n", 0, 0 },
		{ C, "PASS b\r\n", 0, 0 },
		{ S, "-ERR [IN-USE] Mailbox locked\r\n", 0, 0 },
		{ C, "USER a\r\n", 0, 0 },
		{ S, "+OK\r\n", 0, 0 },
		{ C, "PASS b\r\n", 0, 0 },
		{ S, "-ERR [SYS/TEMP] try later\r\n", 0, 0 },
		{ C, "USER a\r\n", 0, 0 },
		{ S, "+OK\r\n", 0, 0 },
		{ C, "PASS b\r\n", 0, 0 },
		{ S, "-ERR [LOGIN-DELAY] wait\r\n", 0, 0 },
	};
	struct dt t;
	RUN(&t, st);
	assert_string_equal(t.s->server_software, "Dovecot");
	assert_int_equal(t.s->ncreds, 3);
	assert_true(strstr(dt_find_line(&t, "[IN-USE]")->decoded, "IN-USE") != NULL);
	assert_true(strstr(dt_find_line(&t, "[SYS/TEMP]")->decoded, "SYS/TEMP") != NULL);
	assert_true(strstr(dt_find_line(&t, "[LOGIN-DELAY]")->decoded, "LOGIN-DELAY") != NULL);
	dt_free(&t);
}

static void test_user_rejected(void **state)
{
	(void)state;
	static const struct step st[] = {
		{ S, "+OK ready\r\n", 0, 0 },
		{ C, "USER nobody\r\n", 0, 0 },
		{ S, "-ERR no such user\r\n", 0, 0 },
		{ C, "QUIT\r\n", 0, 0 },
		{ S, "+OK bye\r\n", 0, 0 },
	};
	struct dt t;
	RUN(&t, st);
	assert_int_equal(t.s->ncreds, 1);
	dt_assert_bytes(&dt_cred(&t, 0)->username, "nobody");
	assert_int_equal(dt_cred(&t, 0)->password.len, 0);
	assert_int_equal(dt_cred(&t, 0)->outcome, OUTCOME_FAILURE);
	assert_false(sess_has_warning(t.s, W_CLEARTEXT_CREDENTIALS));
	dt_free(&t);
}

static void test_pipelined_user_pass_rejected_once(void **state)
{
	(void)state;
	/* USER and PASS in one segment; both answered -ERR: one failed attempt. */
	static const struct step st[] = {
		{ S, "+OK ready\r\n", 0, 0 },
		{ C, "USER bob\r\nPASS x\r\n", 0, 0 },
		{ S, "-ERR no\r\n-ERR no\r\n", 0, 0 },
	};
	struct dt t;
	RUN(&t, st);
	assert_int_equal(t.s->ncreds, 1);
	dt_assert_bytes(&dt_cred(&t, 0)->password, "x");
	assert_int_equal(dt_cred(&t, 0)->outcome, OUTCOME_FAILURE);
	assert_int_equal(t.s->failed_logins, 1);
	dt_free(&t);
}

static void test_apop(void **state)
{
	(void)state;
	static const struct step st[] = {
		{ S, "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n", 0, 0 },
		{ C, "APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n", 0, 0 },
		{ S, "+OK maildrop has 1 message (369 octets)\r\n", 0, 0 },
	};
	struct dt t;
	RUN(&t, st);
	assert_int_equal(t.s->ncreds, 1);
	const struct mt_credential *c = dt_cred(&t, 0);
	assert_string_equal(c->mechanism, "APOP");
	dt_assert_bytes(&c->username, "mrose");
	dt_assert_bytes(&c->challenge, "<1896.697170952@dbc.mtview.ca.us>");
	dt_assert_bytes(&c->response, "c4c9334bac560ecc979e58001b3e22fb");
	assert_int_equal(c->password.len, 0);
	assert_int_equal(c->outcome, OUTCOME_SUCCESS);
	assert_true(sess_has_warning(t.s, W_CHALLENGE_RESPONSE_CRACKABLE));
	dt_free(&t);
}

static void test_auth_plain_inline(void **state)
{
	(void)state;
	/* "\0alice\0s3cret" */
	static const struct step st[] = {
		{ S, "+OK ready\r\n", 0, 0 },
		{ C, "AUTH PLAIN AGFsaWNlAHMzY3JldA==\r\n", 0, 0 },
		{ S, "+OK Logged in.\r\n", 0, 0 },
	};
	struct dt t;
	RUN(&t, st);
	const struct mt_credential *c = dt_cred(&t, 0);
	assert_string_equal(c->mechanism, "AUTH PLAIN");
	dt_assert_bytes(&c->username, "alice");
	dt_assert_bytes(&c->password, "s3cret");
	assert_int_equal(c->authzid.len, 0);
	assert_int_equal(c->outcome, OUTCOME_SUCCESS);
	const struct mt_line *l = dt_find_line(&t, "AUTH PLAIN");
	assert_true(l->secret);
	assert_int_equal(l->secret_off, 11);
	assert_int_equal(l->secret_len, 20);
	assert_string_equal(l->decoded, "authzid=\"\" user=\"alice\" pass=\"s3cret\"");
	assert_string_equal(l->decoded_masked, "authzid=\"\" user=\"alice\" pass=\"********\"");
	dt_free(&t);
}

static void test_auth_pipelined(void **state)
{
	(void)state;
	/* AUTH with an initial response, then commands without waiting; and
	 * a client that sends its PLAIN response before the empty "+". */
	static const struct step st[] = {
		{ S, "+OK ready\r\n", 0, 0 },
		{ C, "AUTH PLAIN AGFsaWNlAHMzY3JldA==\r\nSTAT\r\n", 0, 0 },
		{ S, "+OK Logged in.\r\n+OK 1 10\r\n", 0, 0 },
		{ C, "AUTH PLAIN\r\nAGJvYgBwdw==\r\n", 0, 0 },
		{ S, "+ \r\n-ERR [AUTH] no\r\n", 0, 0 },
	};
	struct dt t;
	RUN(&t, st);
	assert_int_equal(t.s->ncreds, 2);
	assert_int_equal(dt_cred(&t, 0)->outcome, OUTCOME_SUCCESS);
	assert_non_null(line_kind(&t, "STAT", LINE_TEXT));
	assert_null(dt_find_line(&t, "STAT")->decoded);
	dt_assert_bytes(&dt_cred(&t, 1)->username, "bob");
	dt_assert_bytes(&dt_cred(&t, 1)->password, "pw");
	assert_int_equal(dt_cred(&t, 1)->outcome, OUTCOME_FAILURE);
	dt_free(&t);
}

static void test_auth_plain_continuation(void **state)
{
	(void)state;
	/* "admin\0alice\0bad" then -ERR */
	static const struct step st[] = {
		{ S, "+OK ready\r\n", 0, 0 },
		{ C, "auth plain\r\n", 0, 0 },
		{ S, "+ \r\n", 0, 0 },
		{ C, "YWRtaW4AYWxpY2UAYmFk\r\n", 0, 0 },
		{ S, "-ERR [AUTH] Authentication failed.\r\n", 0, 0 },
		{ C, "STAT\r\n", 0, 0 },
		{ S, "-ERR not logged in\r\n", 0, 0 },
	};
	struct dt t;
	RUN(&t, st);
	assert_int_equal(t.s->ncreds, 1);
	const struct mt_credential *c = dt_cred(&t, 0);
	assert_string_equal(c->mechanism, "AUTH PLAIN");
	dt_assert_bytes(&c->authzid, "admin");
	dt_assert_bytes(&c->username, "alice");
	dt_assert_bytes(&c->password, "bad");
	assert_int_equal(c->outcome, OUTCOME_FAILURE);
	assert_int_equal(c->frame, 4);
	/* after the exchange, lines are commands again */
	assert_non_null(line_kind(&t, "STAT", LINE_TEXT));
	dt_free(&t);
}

static void test_auth_login(void **state)
{
	(void)state;
	static const struct step st[] = {
		{ S, "+OK ready\r\n", 0, 0 },
		{ C, "AUTH LOGIN\r\n", 0, 0 },
		{ S, "+ VXNlcm5hbWU6\r\n", 0, 0 },
		{ C, "YWxpY2U=\r\n", 0, 0 },
		{ S, "+ UGFzc3dvcmQ6\r\n", 0, 0 },
		{ C, "czNjcmV0\r\n", 0, 0 },
		{ S, "+OK Logged in.\r\n", 0, 0 },
	};
	struct dt t;
	RUN(&t, st);
	const struct mt_credential *c = dt_cred(&t, 0);
	assert_string_equal(c->mechanism, "AUTH LOGIN");
	dt_assert_bytes(&c->username, "alice");
	dt_assert_bytes(&c->password, "s3cret");
	assert_int_equal(c->outcome, OUTCOME_SUCCESS);
	assert_string_equal(dt_find_line(&t, "+ VXNlcm5hbWU6")->decoded, "[Username:]");
	assert_string_equal(dt_find_line(&t, "+ UGFzc3dvcmQ6")->decoded, "[Password:]");
	const struct mt_line *l = dt_find_line(&t, "czNjcmV0");
	assert_true(l->secret);
	assert_string_equal(l->decoded_masked, "pass=\"********\"");
	assert_false(dt_find_line(&t, "YWxpY2U=")->secret);
	dt_free(&t);
}

static void test_auth_login_initial_response(void **state)
{
	(void)state;
	static const struct step st[] = {
		{ S, "+OK ready\r\n", 0, 0 },
		{ C, "AUTH LOGIN YWxpY2U=\r\n", 0, 0 },
		{ S, "+ UGFzc3dvcmQ6\r\n", 0, 0 },
		{ C, "czNjcmV0\r\n", 0, 0 },
		{ S, "-ERR nope\r\n", 0, 0 },
	};
	struct dt t;
	RUN(&t, st);
	const struct mt_credential *c = dt_cred(&t, 0);
	dt_assert_bytes(&c->username, "alice");
	dt_assert_bytes(&c->password, "s3cret");
	assert_int_equal(c->outcome, OUTCOME_FAILURE);
	dt_free(&t);
}

static void test_auth_cram_md5(void **state)
{
	(void)state;
	/* RFC 2195 §2's example */
	static const struct step st[] = {
		{ S, "+OK ready\r\n", 0, 0 },
		{ C, "AUTH CRAM-MD5\r\n", 0, 0 },
		{ S, "+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n", 0, 0 },
		{ C, "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n", 0, 0 },
		{ S, "+OK CRAM authentication successful\r\n", 0, 0 },
	};
	struct dt t;
	RUN(&t, st);
	const struct mt_credential *c = dt_cred(&t, 0);
	assert_string_equal(c->mechanism, "AUTH CRAM-MD5");
	dt_assert_bytes(&c->username, "tim");
	dt_assert_bytes(&c->challenge, "<1896.697170952@postoffice.reston.mci.net>");
	dt_assert_bytes(&c->response, "b913a602c7eda7a495b4e6e7334d3890");
	assert_int_equal(c->password.len, 0);
	assert_int_equal(c->outcome, OUTCOME_SUCCESS);
	assert_true(sess_has_warning(t.s, W_CHALLENGE_RESPONSE_CRACKABLE));
	assert_false(sess_has_warning(t.s, W_CLEARTEXT_CREDENTIALS));
	dt_free(&t);
}

static void test_auth_xoauth2(void **state)
{
	(void)state;
	/* as in suricata-verify's pop3-auth-01: no greeting captured */
	static const struct step st[] = {
		{ C, "CAPA\r\n", 0, 0 },
		{ S, "+OK Capability list follows\r\nUSER\r\nRESP-CODES\r\nTOP\r\nUIDL\r\n"
		     "SASL PLAIN XOAUTH2 OAUTHBEARER\r\n.\r\n", 0, 0 },
		{ C, "AUTH XOAUTH2\r\n", 0, 0 },
		{ S, "+ \r\n", 0, 0 },
		{ C, "dXNlcj1qb2Uuc3BlZWRib2F0AWF1dGg9QmVhcmVyIEFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUEBAQ==\r\n", 0, 0 },
		{ S, "+OK Welcome.\r\n", 0, 0 },
		{ C, "STAT\r\n", 0, 0 },
		{ S, "+OK 1 308661\r\n", 0, 0 },
	};
	struct dt t;
	run_both(&t, st, sizeof(st) / sizeof(st[0]), false);
	assert_int_equal(t.s->nauth_mechs, 3);
	assert_string_equal(t.s->auth_mechs[1], "XOAUTH2");
	const struct mt_credential *c = dt_cred(&t, 0);
	assert_string_equal(c->mechanism, "AUTH XOAUTH2");
	dt_assert_bytes(&c->username, "joe.speedboat");
	dt_assert_bytes(&c->password, "AAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	assert_int_equal(c->outcome, OUTCOME_SUCCESS);
	assert_null(t.s->greeting.data);   /* the first reply answered CAPA */
	dt_free(&t);
	/* the same with the handshake captured: still no greeting */
	run_both(&t, st, sizeof(st) / sizeof(st[0]), true);
	assert_null(t.s->greeting.data);
	assert_int_equal(t.s->nauth_mechs, 3);
	assert_int_equal(dt_cred(&t, 0)->outcome, OUTCOME_SUCCESS);
	dt_free(&t);
}

static void test_client_speaks_before_greeting(void **state)
{
	(void)state;
	static const struct step st[] = {
		{ C, "CAPA\r\n", 0, 0 },
		{ S, "+OK Dovecot ready.\r\n", 0, 0 },
		{ S, "+OK\r\nSTLS\r\nSASL PLAIN\r\n.\r\n", 0, 0 },
	};
	struct dt t;
	RUN(&t, st);
	assert_non_null(t.s->greeting.data);
	assert_string_equal(t.s->server_software, "Dovecot");
	assert_int_equal(t.s->starttls.offered, TRI_TRUE);
	assert_int_equal(t.s->nauth_mechs, 1);
	dt_free(&t);
}

static void test_auth_cancel_and_unknown_mech(void **state)
{
	(void)state;
	static const struct step st[] = {
		{ S, "+OK ready\r\n", 0, 0 },
		{ C, "AUTH LOGIN\r\n", 0, 0 },
		{ S, "+ VXNlcm5hbWU6\r\n", 0, 0 },
		{ C, "*\r\n", 0, 0 },
		{ S, "-ERR cancelled\r\n", 0, 0 },
		{ C, "AUTH GSSAPI\r\n", 0, 0 },
		{ S, "-ERR unsupported\r\n", 0, 0 },
		{ C, "NOOP\r\n", 0, 0 },
		{ S, "+OK\r\n", 0, 0 },
	};
	struct dt t;
	RUN(&t, st);
	assert_int_equal(t.s->ncreds, 2);
	assert_true(dt_cred(&t, 0)->cancelled);
	assert_int_equal(dt_cred(&t, 0)->outcome, OUTCOME_FAILURE);
	assert_string_equal(dt_cred(&t, 1)->mechanism, "AUTH GSSAPI");
	assert_int_equal(dt_cred(&t, 1)->outcome, OUTCOME_FAILURE);
	assert_non_null(line_kind(&t, "NOOP", LINE_TEXT));
	dt_free(&t);
}

static void test_bare_auth_lists(void **state)
{
	(void)state;
	static const struct step st[] = {
		{ S, "+OK ready\r\n", 0, 0 },
		{ C, "AUTH\r\n", 0, 0 },
		{ S, "+OK\r\nPLAIN\r\nLOGIN\r\nCRAM-MD5\r\n.\r\n", 0, 0 },
		{ C, "AUTH\r\n", 0, 0 },
		{ S, "-ERR not supported\r\n", 0, 0 },
		{ C, "QUIT\r\n", 0, 0 },
		{ S, "+OK bye\r\n", 0, 0 },
	};
	struct dt t;
	RUN(&t, st);
	assert_int_equal(t.s->ncreds, 0);
	assert_int_equal(t.s->nauth_mechs, 3);
	assert_string_equal(t.s->auth_mechs[2], "CRAM-MD5");
	assert_non_null(line_kind(&t, "+OK bye", LINE_TEXT));
	dt_free(&t);
}

static void test_capa_stls_sasl(void **state)
{
	(void)state;
	static const struct step st[] = {
		{ S, "+OK Dovecot ready.\r\n", 0, 0 },
		{ C, "CAPA\r\n", 0, 0 },
		{ S, "+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\nSTLS\r\n"
		     "SASL PLAIN LOGIN\r\nUSER\r\n.\r\n", 0, 0 },
		{ C, "USER a\r\n", 0, 0 },
		{ S, "+OK\r\n", 0, 0 },
		{ C, "PASS b\r\n", 0, 0 },
		{ S, "+OK Logged in.\r\n", 0, 0 },
	};
	struct dt t;
	RUN(&t, st);
	assert_int_equal(t.s->starttls.offered, TRI_TRUE);
	assert_int_equal(t.s->starttls.requested, TRI_FALSE);
	assert_int_equal(t.s->nauth_mechs, 2);
	assert_string_equal(t.s->auth_mechs[0], "PLAIN");
	assert_true(sess_has_warning(t.s, W_CLEARTEXT_AUTH_DESPITE_STARTTLS_OFFERED));
	assert_non_null(line_kind(&t, "STLS", LINE_DATA));
	dt_free(&t);
}

/* A minimal TLS 1.2 ClientHello record with server_name `host`. */
static size_t client_hello(uint8_t *b, const char *host)
{
	size_t hn = strlen(host), i = 0;
	size_t ext = 9 + hn;                       /* one server_name extension */
	size_t body = 2 + 32 + 1 + 4 + 2 + 2 + ext;
	b[i++] = 0x16; b[i++] = 0x03; b[i++] = 0x01;
	b[i++] = (uint8_t)((body + 4) >> 8); b[i++] = (uint8_t)(body + 4);
	b[i++] = 0x01; b[i++] = 0; b[i++] = (uint8_t)(body >> 8); b[i++] = (uint8_t)body;
	b[i++] = 0x03; b[i++] = 0x03;
	memset(b + i, 0x42, 32); i += 32;          /* random */
	b[i++] = 0;                                /* session id */
	b[i++] = 0; b[i++] = 2; b[i++] = 0x00; b[i++] = 0x2f;   /* one cipher suite */
	b[i++] = 1; b[i++] = 0;                    /* null compression */
	b[i++] = (uint8_t)(ext >> 8); b[i++] = (uint8_t)ext;
	b[i++] = 0; b[i++] = 0;                    /* server_name */
	b[i++] = (uint8_t)((hn + 5) >> 8); b[i++] = (uint8_t)(hn + 5);
	b[i++] = (uint8_t)((hn + 3) >> 8); b[i++] = (uint8_t)(hn + 3);
	b[i++] = 0;                                /* host_name */
	b[i++] = (uint8_t)(hn >> 8); b[i++] = (uint8_t)hn;
	memcpy(b + i, host, hn); i += hn;
	return i;
}

static void test_stls_accepted_with_sni(void **state)
{
	(void)state;
	static uint8_t hello[256];
	size_t hl = client_hello(hello, "pop.example.org");
	const struct step st[] = {
		{ S, "+OK Dovecot ready.\r\n", 0, 0 },
		{ C, "CAPA\r\n", 0, 0 },
		{ S, "+OK\r\nSTLS\r\nUSER\r\n.\r\n", 0, 0 },
		{ C, "STLS\r\n", 0, 0 },
		{ S, "+OK Begin TLS negotiation now.\r\n", 0, 0 },
		{ C, (const char *)hello, hl, 0 },
		{ S, "\x16\x03\x03\x00\x02\x02\x00\r\n+OK not text\r\n", 23, 0 },
		{ C, "\x17\x03\x03\x00\x05USER x\r\nPASS y\r\n", 21, 0 },
	};
	struct dt t;
	run_both(&t, st, sizeof(st) / sizeof(st[0]), true);
	assert_int_equal(t.s->starttls.offered, TRI_TRUE);
	assert_int_equal(t.s->starttls.requested, TRI_TRUE);
	assert_int_equal(t.s->starttls.accepted, TRI_TRUE);
	assert_true(t.s->starttls.tls_seen);
	assert_int_equal(t.s->tls, TLS_STARTTLS);
	assert_non_null(t.s->sni);
	assert_string_equal(t.s->sni, "pop.example.org");
	assert_int_equal(t.s->ncreds, 0);           /* nothing decoded inside TLS */
	assert_false(sess_has_warning(t.s, W_STARTTLS_WITHOUT_TLS));
	assert_false(sess_has_warning(t.s, W_STARTTLS_INJECTION));
	assert_null(dt_find_line(&t, "+OK not text"));
	dt_free(&t);
}

static void test_stls_refused_and_injection(void **state)
{
	(void)state;
	static const struct step st[] = {
		{ S, "+OK ready\r\n", 0, 0 },
		{ C, "STLS\r\n", 0, 0 },
		{ S, "-ERR TLS not available\r\n", 0, 0 },
		{ C, "USER a\r\n", 0, 0 },
		{ S, "+OK\r\n", 0, 0 },
	};
	struct dt t;
	RUN(&t, st);
	assert_int_equal(t.s->starttls.accepted, TRI_FALSE);
	assert_true(sess_has_warning(t.s, W_STARTTLS_REFUSED));
	assert_false(sess_has_warning(t.s, W_STARTTLS_NOT_OFFERED));   /* no CAPA: unknown */
	assert_false(sess_has_warning(t.s, W_STARTTLS_INJECTION));
	assert_int_equal(t.s->tls, TLS_NONE);
	dt_free(&t);

	/* A command pipelined behind STLS, before its reply (RFC 2595 §4). */
	static const struct step inj[] = {
		{ S, "+OK ready\r\n", 0, 0 },
		{ C, "STLS\r\nUSER evil\r\n", 0, 0 },
		{ S, "+OK Begin TLS\r\n", 0, 0 },
	};
	RUN(&t, inj);
	assert_true(sess_has_warning(t.s, W_STARTTLS_INJECTION));
	assert_int_equal(t.s->starttls.accepted, TRI_TRUE);
	assert_true(sess_has_warning(t.s, W_STARTTLS_WITHOUT_TLS));   /* no ClientHello followed */
	assert_non_null(dt_find_line(&t, "USER evil")->decoded);
	dt_free(&t);

	/* STLS although CAPA did not list it */
	static const struct step notoff[] = {
		{ S, "+OK ready\r\n", 0, 0 },
		{ C, "CAPA\r\n", 0, 0 },
		{ S, "+OK\r\nUSER\r\n.\r\n", 0, 0 },
		{ C, "STLS\r\n", 0, 0 },
		{ S, "-ERR no\r\n", 0, 0 },
	};
	RUN(&t, notoff);
	assert_true(sess_has_warning(t.s, W_STARTTLS_NOT_OFFERED));
	assert_int_equal(t.s->starttls.offered, TRI_FALSE);
	dt_free(&t);
}

static void test_stat_list_uidl(void **state)
{
	(void)state;
	static const struct step st[] = {
		{ S, "+OK ready\r\n", 0, 0 },
		{ C, "STAT\r\n", 0, 0 },
		{ S, "+OK 2 320\r\n", 0, 0 },
		{ C, "LIST\r\n", 0, 0 },
		{ S, "+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n", 0, 0 },
		{ C, "LIST 2\r\n", 0, 0 },
		{ S, "+OK 2 200\r\n", 0, 0 },       /* RFC 1939 §5: single-line with an argument */
		{ C, "UIDL\r\n", 0, 0 },
		{ S, "+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n", 0, 0 },
		{ C, "UIDL 1\r\n", 0, 0 },
		{ S, "+OK 1 whqtswO00WBw418f9t5JxYwZ\r\n", 0, 0 },
		{ C, "LIST 9\r\n", 0, 0 },
		{ S, "-ERR no such message\r\n", 0, 0 },
		{ C, "NOOP\r\n", 0, 0 },
		{ S, "+OK\r\n", 0, 0 },
	};
	struct dt t;
	RUN(&t, st);
	assert_non_null(line_kind(&t, "1 120", LINE_DATA));
	assert_non_null(line_kind(&t, "2 QhdPYR:00WBw1Ph7x7", LINE_DATA));
	assert_non_null(line_kind(&t, "+OK 2 200", LINE_TEXT));
	assert_non_null(line_kind(&t, "+OK 1 whqtswO00WBw418f9t5JxYwZ", LINE_TEXT));
	assert_non_null(line_kind(&t, "-ERR no such message", LINE_TEXT));
	assert_non_null(line_kind(&t, "+OK", LINE_TEXT));
	assert_int_equal(t.s->nmsgs, 0);
	/* nothing was left unmatched: every reply found its command */
	for (size_t i = 0; i < t.s->nlines; i++)
		assert_true(!t.s->lines[i].decoded || !strstr(t.s->lines[i].decoded, "not captured"));
	dt_free(&t);
}

#define STUFFED_MSG \
	"From: Alice <alice@example.org>\r\n" \
	"To: bob@example.org\r\n" \
	"Subject: dots\r\n" \
	"\r\n" \
	"..leading dot\r\n" \
	"...\r\n" \
	"last\r\n"
#define UNSTUFFED_MSG \
	"From: Alice <alice@example.org>\r\n" \
	"To: bob@example.org\r\n" \
	"Subject: dots\r\n" \
	"\r\n" \
	".leading dot\r\n" \
	"..\r\n" \
	"last\r\n"

static void test_retr_byte_stuffed(void **state)
{
	(void)state;
	static const struct step st[] = {
		{ S, "+OK ready\r\n", 0, 0 },
		{ C, "RETR 1\r\n", 0, 0 },
		{ S, "+OK 120 octets\r\n" STUFFED_MSG ".\r\n", 0, 0 },
		{ C, "DELE 1\r\n", 0, 0 },
		{ S, "+OK message 1 deleted\r\n", 0, 0 },
		{ C, "RSET\r\n", 0, 0 },
		{ S, "+OK maildrop has 2 messages\r\n", 0, 0 },
		{ C, "QUIT\r\n", 0, 0 },
		{ S, "+OK bye\r\n", 0, 0 },
	};
	struct dt t;
	RUN(&t, st);
	assert_int_equal(t.s->nmsgs, 1);
	const struct mt_message *m = t.s->msgs[0];
	char hex[65];
	dt_sha256_hex(UNSTUFFED_MSG, strlen(UNSTUFFED_MSG), hex);
	assert_string_equal(m->command, "RETR 1");
	assert_int_equal(m->dir, DIR_S2C);
	assert_int_equal(m->size, strlen(UNSTUFFED_MSG));
	assert_string_equal(m->sha256, hex);
	assert_true(m->complete);
	assert_non_null(m->subject);
	assert_string_equal(m->subject, "dots");
	assert_non_null(line_kind(&t, "+OK message 1 deleted", LINE_TEXT));
	assert_non_null(line_kind(&t, "+OK maildrop has 2 messages", LINE_TEXT));
	assert_non_null(line_kind(&t, "..leading dot", LINE_DATA));
	dt_free(&t);
}

static void test_top_and_last(void **state)
{
	(void)state;
	static const struct step st[] = {
		{ S, "+OK ready\r\n", 0, 0 },
		{ C, "LAST\r\n", 0, 0 },
		{ S, "+OK 0\r\n", 0, 0 },              /* RFC 1460: single-line */
		{ C, "TOP 1 5\r\n", 0, 0 },
		{ S, "+OK\r\nSubject: hi\r\n\r\nline1\r\n.\r\n", 0, 0 },
		{ C, "TOP 7 0\r\n", 0, 0 },
		{ S, "-ERR no such message\r\n", 0, 0 },
		{ C, "RETR 7\r\n", 0, 0 },
		{ S, "-ERR no such message\r\n", 0, 0 },   /* -ERR to a multi-line command: one line */
		{ C, "XTND XMIT\r\n", 0, 0 },
		{ S, "-ERR unknown command\r\n", 0, 0 },
		{ C, "NOOP\r\n", 0, 0 },
		{ S, "+OK\r\n", 0, 0 },
	};
	struct dt t;
	RUN(&t, st);
	assert_int_equal(t.s->nmsgs, 1);
	assert_string_equal(t.s->msgs[0]->command, "TOP 1 5");
	assert_true(t.s->msgs[0]->complete);
	assert_int_equal(t.s->msgs[0]->size, strlen("Subject: hi\r\n\r\nline1\r\n"));
	assert_non_null(line_kind(&t, "+OK 0", LINE_TEXT));
	assert_non_null(line_kind(&t, "-ERR unknown command", LINE_TEXT));
	assert_non_null(line_kind(&t, "+OK", LINE_TEXT));
	dt_free(&t);
}

static void test_pipelined(void **state)
{
	(void)state;
	/* RFC 2449 §6.6: commands sent in one go, replies in one go. */
	static const struct step st[] = {
		{ S, "+OK ready\r\n", 0, 0 },
		{ C, "USER a\r\nPASS b\r\nSTAT\r\nLIST\r\nRETR 1\r\nUIDL 1\r\nQUIT\r\n", 0, 0 },
		{ S, "+OK\r\n+OK logged in\r\n+OK 1 10\r\n+OK\r\n1 10\r\n.\r\n+OK\r\nSubject: x\r\n\r\n.\r\n"
		     "+OK 1 abc\r\n+OK bye\r\n", 0, 0 },
	};
	struct dt t;
	RUN(&t, st);
	assert_int_equal(t.s->ncreds, 1);
	assert_int_equal(dt_cred(&t, 0)->outcome, OUTCOME_SUCCESS);
	assert_int_equal(t.s->nmsgs, 1);
	assert_string_equal(t.s->msgs[0]->command, "RETR 1");
	assert_true(t.s->msgs[0]->complete);
	assert_int_equal(t.s->msgs[0]->size, strlen("Subject: x\r\n\r\n"));
	assert_non_null(line_kind(&t, "1 10", LINE_DATA));
	assert_non_null(line_kind(&t, "+OK 1 abc", LINE_TEXT));
	assert_non_null(line_kind(&t, "+OK bye", LINE_TEXT));
	dt_free(&t);
}

static void test_typed_with_backspace(void **state)
{
	(void)state;
	/* The Qpopper lab: telnet into port 110, one key per segment, a typo
	 * fixed with backspace. Same commands and credential as whole lines. */
	static const struct step typed[] = {
		{ S, QPOP_GREETING, 0, 0 },
		{ C, "user labtesx\bt\r\n", 0, 0 },
		{ S, "+OK Password required for labtest.\r\n", 0, 0 },
		{ C, "pass lab2023\r\n", 0, 0 },
		{ S, "+OK labtest has 2 visible messages (0 hidden) in 640 octets.\r\n", 0, 0 },
	};
	static const struct step whole[] = {
		{ S, QPOP_GREETING, 0, 0 },
		{ C, "user labtest\r\n", 0, 0 },
		{ S, "+OK Password required for labtest.\r\n", 0, 0 },
		{ C, "pass lab2023\r\n", 0, 0 },
		{ S, "+OK labtest has 2 visible messages (0 hidden) in 640 octets.\r\n", 0, 0 },
	};
	struct dt t, w;
	play(&t, typed, 5, true, true);
	play(&w, whole, 5, false, true);
	dt_assert_same(&t, &w);
	const struct mt_credential *c = dt_cred(&t, 0);
	dt_assert_bytes(&c->username, "labtest");
	dt_assert_bytes(&c->password, "lab2023");
	assert_true(c->typed);
	assert_false(dt_cred(&w, 0)->typed);
	assert_int_equal(c->outcome, OUTCOME_SUCCESS);
	const struct mt_line *l = dt_find_line(&t, "user labtest");
	assert_non_null(l);
	assert_int_equal(l->nkeys, 16);   /* as typed, the typo, BS and CRLF included */
	assert_int_equal(l->keys[11].byte, 'x');
	assert_int_equal(l->keys[12].byte, 0x08);
	assert_true(l->keys[12].ms > l->keys[11].ms);
	/* the password's keystrokes are on a secret line */
	l = dt_find_line(&t, "pass lab2023");
	assert_true(l->secret);
	assert_true(l->nkeys > 0);
	dt_free(&t);
	dt_free(&w);
}

static void test_telnet_negotiation_on_pop3(void **state)
{
	(void)state;
	/* Windows telnet opens with IAC negotiation on port 110. */
	static const struct step st[] = {
		{ S, "+OK ready\r\n", 0, 0 },
		{ C, "\xff\xfb\x18\xff\xfd\x03USER bob\r\n", 0, 0 },
		{ S, "+OK\r\n", 0, 0 },
		{ C, "PASS hunter2\r\n", 0, 0 },
		{ S, "+OK\r\n", 0, 0 },
	};
	struct dt t;
	RUN(&t, st);
	dt_assert_bytes(&dt_cred(&t, 0)->username, "bob");
	dt_assert_bytes(&dt_cred(&t, 0)->password, "hunter2");
	dt_free(&t);
}

static void test_gap_during_retr(void **state)
{
	(void)state;
	static const struct step st[] = {
		{ S, "+OK ready\r\n", 0, 0 },
		{ C, "RETR 1\r\n", 0, 0 },
		{ S, "+OK\r\nSubject: gap\r\n\r\nfirst part\r\n", 0, 0 },
		{ GAP, NULL, 1460, S },
		{ S, "end of a line\r\nlast line\r\n.\r\n", 0, 0 },
		{ C, "STAT\r\n", 0, 0 },
		{ S, "+OK 1 2000\r\n", 0, 0 },
	};
	struct dt t;
	RUN(&t, st);
	assert_int_equal(t.s->nmsgs, 1);
	assert_false(t.s->msgs[0]->complete);
	assert_true(sess_has_warning(t.s, W_STREAM_GAP));
	assert_non_null(dt_find_line(&t, "[gap of 1460 bytes]"));
	assert_non_null(line_kind(&t, "+OK 1 2000", LINE_TEXT));
	dt_free(&t);
}

static void test_gap_loses_terminator(void **state)
{
	(void)state;
	/* The "." went into the hole: the next status line after the client
	 * moved on ends the message (incomplete) and is read as a reply. */
	static const struct step st[] = {
		{ S, "+OK ready\r\n", 0, 0 },
		{ C, "RETR 1\r\n", 0, 0 },
		{ S, "+OK\r\nSubject: gap\r\n\r\nbody\r\n", 0, 0 },
		{ GAP, NULL, 100, S },
		{ C, "QUIT\r\n", 0, 0 },
		{ S, "+OK bye\r\n", 0, 0 },
	};
	struct dt t;
	RUN(&t, st);
	assert_int_equal(t.s->nmsgs, 1);
	assert_false(t.s->msgs[0]->complete);
	assert_non_null(line_kind(&t, "+OK bye", LINE_TEXT));
	dt_free(&t);
}

static void test_client_gap_partial_command(void **state)
{
	(void)state;
	/* A line cut by a hole is shown, never used as a credential. */
	static const struct step st[] = {
		{ S, "+OK ready\r\n", 0, 0 },
		{ C, "USER a\r\nPASS sec", 0, 0 },
		{ GAP, NULL, 10, C },
		{ C, "ret\r\nNOOP\r\n", 0, 0 },
		{ S, "+OK\r\n+OK\r\n", 0, 0 },
	};
	struct dt t;
	RUN(&t, st);
	assert_int_equal(t.s->ncreds, 0);
	assert_non_null(dt_find_line(&t, "PASS sec"));
	assert_non_null(line_kind(&t, "NOOP", LINE_TEXT));
	dt_free(&t);
}

static void test_midstream_inside_retr(void **state)
{
	(void)state;
	/* Capture starts inside a multi-line reply: lines are data up to ".",
	 * then the dialogue is decoded normally. */
	static const struct step st[] = {
		{ S, "of a message body\r\nmore body\r\n.\r\n", 0, 0 },
		{ C, "RETR 2\r\n", 0, 0 },
		{ S, "+OK\r\nSubject: two\r\n\r\nbody\r\n.\r\n", 0, 0 },
		{ C, "QUIT\r\n", 0, 0 },
		{ S, "+OK bye\r\n", 0, 0 },
	};
	struct dt t;
	run_both(&t, st, sizeof(st) / sizeof(st[0]), false);
	assert_non_null(line_kind(&t, "more body", LINE_DATA));
	assert_int_equal(t.s->nmsgs, 1);
	assert_string_equal(t.s->msgs[0]->command, "RETR 2");
	assert_true(t.s->msgs[0]->complete);
	assert_string_equal(t.s->msgs[0]->subject, "two");
	assert_null(t.s->greeting.data);
	dt_free(&t);
}

static void test_midstream_command_first(void **state)
{
	(void)state;
	static const struct step st[] = {
		{ C, "RETR 20\r\n", 0, 0 },
		{ S, "+OK 30 octets\r\nSubject: late\r\n\r\nhello\r\n.\r\n", 0, 0 },
	};
	struct dt t;
	run_both(&t, st, sizeof(st) / sizeof(st[0]), false);
	assert_int_equal(t.s->nmsgs, 1);
	assert_string_equal(t.s->msgs[0]->command, "RETR 20");
	assert_true(t.s->msgs[0]->complete);
	dt_free(&t);
}

static void test_list_without_terminator(void **state)
{
	(void)state;
	/* zeek's bad-list-retr-crafted: junk, a LIST reply missing its ".",
	 * then RETR. */
	static const struct step st[] = {
		{ S, "+OK example.com POP3-Server\r\n", 0, 0 },
		{ C, "LIST\r\n", 0, 0 },
		{ S, "GARBAGE (and LIST response missing .)\r\n", 0, 0 },
		{ S, "+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n", 0, 0 },
		{ C, "RETR 1\r\n", 0, 0 },
		{ S, "+OK message follows\r\nSubject: Crafted email\r\n\r\nThe body.\r\n.\r\n", 0, 0 },
		{ C, "QUIT\r\n", 0, 0 },
		{ S, "+OK bye\r\n", 0, 0 },
	};
	struct dt t;
	RUN(&t, st);
	assert_non_null(line_kind(&t, "GARBAGE (and LIST response missing .)", LINE_TEXT));
	assert_int_equal(t.s->nmsgs, 1);
	assert_true(t.s->msgs[0]->complete);
	assert_string_equal(t.s->msgs[0]->subject, "Crafted email");
	assert_non_null(line_kind(&t, "+OK bye", LINE_TEXT));
	dt_free(&t);
}

static void test_bare_lf_and_junk_reply(void **state)
{
	(void)state;
	static const struct step st[] = {
		{ S, "+OK example.com POP3-Server\n", 0, 0 },
		{ C, "USER zeek@zeek.org\n", 0, 0 },
		{ S, "+OK Please enter your password\n", 0, 0 },
		{ C, "PASS zeek\n", 0, 0 },
		{ S, "+OK mailbox locked and ready\n", 0, 0 },
		{ C, "STAT\n", 0, 0 },
		{ S, "+\x80\x81\x82x\n", 0, 0 },
		{ S, "+OK 1 236\n", 0, 0 },
	};
	struct dt t;
	RUN(&t, st);
	assert_true(sess_has_warning(t.s, W_BARE_LF));
	dt_assert_bytes(&dt_cred(&t, 0)->username, "zeek@zeek.org");
	dt_assert_bytes(&dt_cred(&t, 0)->password, "zeek");
	assert_int_equal(dt_cred(&t, 0)->outcome, OUTCOME_SUCCESS);
	assert_non_null(line_kind(&t, "+OK 1 236", LINE_TEXT));
	dt_free(&t);
}

static void test_no_reply_unknown(void **state)
{
	(void)state;
	static const struct step st[] = {
		{ S, "+OK ready\r\n", 0, 0 },
		{ C, "USER a\r\nPASS b\r\n", 0, 0 },
	};
	struct dt t;
	RUN(&t, st);
	assert_int_equal(t.s->ncreds, 1);
	assert_int_equal(dt_cred(&t, 0)->outcome, OUTCOME_UNKNOWN);
	dt_free(&t);
}

static void test_software_banners(void **state)
{
	(void)state;
	static const struct { const char *greeting, *software; } tab[] = {
		{ "+OK Gpop ready for requests from 1.2.3.4 x1mb\r\n", "Gpop" },
		{ "+OK Hello there.\r\n", "Courier" },
		{ "+OK pop.example Cyrus POP3 v2.4.17-Debian server ready <1@x>\r\n", "Cyrus 2.4.17" },
		{ "+OK The Microsoft Exchange POP3 service is ready.\r\n", "Microsoft Exchange" },
		{ "+OK Dovecot (Debian) ready.\r\n", "Dovecot" },
	};
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		struct dt t;
		dt_open(&t, &mt_dissector_pop3);
		dt_send(&t, S, tab[i].greeting);
		dt_finish(&t);
		assert_string_equal(t.s->server_software, tab[i].software);
		dt_free(&t);
	}
}

static void test_hostile_bytes(void **state)
{
	(void)state;
	/* Random-ish bytes both ways must not crash or leak, fed any way. */
	uint8_t buf[4096];
	uint32_t x = 12345;
	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		uint8_t c = (uint8_t)(x >> 16);
		buf[i] = (c % 7 == 0) ? '\n' : (c % 11 == 0) ? '.' : (c % 13 == 0) ? 0xff : c;
	}
	static const char *const pre[] = { "AUTH PLAIN\r\n", "AUTH NTLM\r\n", "RETR 1\r\n", "APOP\r\n", "PASS\r\n" };
	for (size_t k = 0; k < 5; k++) {
		struct dt t;
		dt_open(&t, &mt_dissector_pop3);
		dt_send(&t, S, "+OK <a@b>\r\n");
		dt_send(&t, C, pre[k]);
		dt_send(&t, S, "+ \r\n+OK\r\n");
		for (size_t i = 0; i < sizeof(buf); i += 97) {
			size_t n = sizeof(buf) - i < 97 ? sizeof(buf) - i : 97;
			dt_feed(&t, (int)((i / 97) & 1), buf + i, n);
		}
		dt_gap(&t, S, 5);
		dt_finish(&t);
		dt_free(&t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_greeting_user_pass_success),
		cmocka_unit_test(test_user_pass_failure_resp_code),
		cmocka_unit_test(test_resp_codes),
		cmocka_unit_test(test_user_rejected),
		cmocka_unit_test(test_pipelined_user_pass_rejected_once),
		cmocka_unit_test(test_apop),
		cmocka_unit_test(test_auth_plain_inline),
		cmocka_unit_test(test_auth_pipelined),
		cmocka_unit_test(test_auth_plain_continuation),
		cmocka_unit_test(test_auth_login),
		cmocka_unit_test(test_auth_login_initial_response),
		cmocka_unit_test(test_auth_cram_md5),
		cmocka_unit_test(test_auth_xoauth2),
		cmocka_unit_test(test_client_speaks_before_greeting),
		cmocka_unit_test(test_auth_cancel_and_unknown_mech),
		cmocka_unit_test(test_bare_auth_lists),
		cmocka_unit_test(test_capa_stls_sasl),
		cmocka_unit_test(test_stls_accepted_with_sni),
		cmocka_unit_test(test_stls_refused_and_injection),
		cmocka_unit_test(test_stat_list_uidl),
		cmocka_unit_test(test_retr_byte_stuffed),
		cmocka_unit_test(test_top_and_last),
		cmocka_unit_test(test_pipelined),
		cmocka_unit_test(test_typed_with_backspace),
		cmocka_unit_test(test_telnet_negotiation_on_pop3),
		cmocka_unit_test(test_gap_during_retr),
		cmocka_unit_test(test_gap_loses_terminator),
		cmocka_unit_test(test_client_gap_partial_command),
		cmocka_unit_test(test_midstream_inside_retr),
		cmocka_unit_test(test_midstream_command_first),
		cmocka_unit_test(test_list_without_terminator),
		cmocka_unit_test(test_bare_lf_and_junk_reply),
		cmocka_unit_test(test_no_reply_unknown),
		cmocka_unit_test(test_software_banners),
		cmocka_unit_test(test_hostile_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
