/* test_smtp.c - the SMTP dissector and the implicit-TLS dissector.
 *
 * Every dialogue is played twice: each step as one segment, and every byte
 * as its own segment (both directions, telnet-style). The two runs must
 * give the same credentials, outcomes, messages, warnings, STARTTLS state
 * and transcript; then the test checks what the dialogue should yield. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../dissect/base64.h"
#include "../../dissect/dissector.h"
#include "../../dissect/session.h"
#include "helpers/dtest.h"

enum { ST_END = 0, ST_DATA, ST_GAP, ST_FIN };

struct step {
	int kind;
	int dir;
	const char *p;
	size_t n;       /* 0: strlen(p) */
};

#define C(x) { ST_DATA, DIR_C2S, (x), 0 }
#define S(x) { ST_DATA, DIR_S2C, (x), 0 }
#define CB(p, n) { ST_DATA, DIR_C2S, (const char *)(p), (n) }
#define GAP(d, n) { ST_GAP, (d), NULL, (n) }
#define END { ST_END, 0, NULL, 0 }

static void play(struct dt *t, const struct mt_dissector *d, const struct step *steps, bool bytewise)
{
	dt_open(t, d);
	for (const struct step *s = steps; s->kind != ST_END; s++) {
		if (s->kind == ST_GAP) {
			dt_gap(t, s->dir, s->n);
			continue;
		}
		if (s->kind == ST_FIN) {
			dt_fin(t, s->dir);
			continue;
		}
		size_t n = s->n ? s->n : strlen(s->p);
		if (bytewise) {
			for (size_t i = 0; i < n; i++)
				dt_feed(t, s->dir, s->p + i, 1);
		} else {
			dt_feed(t, s->dir, s->p, n);
		}
	}
	dt_finish(t);
}

/* Plays the dialogue both ways, checks they agree, keeps the whole run in
 * *t (and the bytewise one in *tb, if asked). */
static void run2(struct dt *t, struct dt *tb, const struct mt_dissector *d, const struct step *steps)
{
	struct dt b;
	play(t, d, steps, false);
	play(&b, d, steps, true);
	dt_assert_same(t, &b);
	/* Per-character input of a secret is recorded as typed. */
	for (size_t i = 0; i < b.s->ncreds; i++)
		if (b.s->creds[i]->password.len || b.s->creds[i]->username.len)
			assert_true(b.s->creds[i]->typed);
	for (size_t i = 0; i < t->s->ncreds; i++)
		assert_false(t->s->creds[i]->typed);
	if (tb)
		*tb = b;
	else
		dt_free(&b);
}

static void run(struct dt *t, const struct step *steps)
{
	run2(t, NULL, &mt_dissector_smtp, steps);
}

static bool warned(const struct dt *t, enum mt_warning w)
{
	return sess_has_warning(t->s, w);
}

/* The last transcript line whose raw text is exactly `text`. */
static const struct mt_line *last_eq(const struct dt *t, const char *text)
{
	for (size_t i = t->s->nlines; i-- > 0;) {
		const struct mt_line *l = &t->s->lines[i];
		if (l->text.len == strlen(text) && !memcmp(l->text.data, text, l->text.len))
			return l;
	}
	fail_msg("no transcript line \"%s\"", text);
	return NULL;
}

/* The first transcript line whose raw text is exactly `text`. */
static const struct mt_line *line_eq(const struct dt *t, const char *text)
{
	for (size_t i = 0; i < t->s->nlines; i++) {
		const struct mt_line *l = &t->s->lines[i];
		if (l->text.len == strlen(text) && !memcmp(l->text.data, text, l->text.len))
			return l;
	}
	fail_msg("no transcript line \"%s\"", text);
	return NULL;
}

static void assert_decoded_has(const struct mt_line *l, const char *needle)
{
	assert_non_null(l->decoded);
	if (!strstr(l->decoded, needle))
		fail_msg("decoded \"%s\" lacks \"%s\"", l->decoded, needle);
}

static char *b64(const void *p, size_t n)
{
	char *out = malloc(4 * ((n + 2) / 3) + 1);
	mt_b64_encode(p, n, out);
	return out;
}

#define GREETING "220 mail.example.com ESMTP Exim 4.96 Mon, 01 Jan 2024 10:00:00 +0000\r\n"
#define EHLO_REPLY "250-mail.example.com Hello client [10.0.0.5]\r\n" \
	"250-SIZE 52428800\r\n250-8BITMIME\r\n250-PIPELINING\r\n250-CHUNKING\r\n250-SMTPUTF8\r\n" \
	"250-AUTH PLAIN LOGIN CRAM-MD5\r\n250-AUTH=PLAIN LOGIN XOAUTH2\r\n250-STARTTLS\r\n250 HELP\r\n"

/* ---- greeting and capabilities ---- */

static void test_greeting_capabilities(void **state)
{
	(void)state;
	static const struct step st[] = { S(GREETING), C("EHLO client.example.org\r\n"), S(EHLO_REPLY),
	                                   C("QUIT\r\n"), S("221 2.0.0 Bye\r\n"), END };
	struct dt t;
	run(&t, st);
	assert_string_equal(t.s->server_software, "Exim 4.96");
	dt_assert_bytes(&t.s->greeting, "220 mail.example.com ESMTP Exim 4.96 Mon, 01 Jan 2024 10:00:00 +0000");
	assert_int_equal(t.s->starttls.offered, TRI_TRUE);
	assert_int_equal(t.s->starttls.requested, TRI_FALSE);
	assert_int_equal(t.s->nauth_mechs, 4);
	assert_string_equal(t.s->auth_mechs[0], "PLAIN");
	assert_string_equal(t.s->auth_mechs[1], "LOGIN");
	assert_string_equal(t.s->auth_mechs[2], "CRAM-MD5");
	assert_string_equal(t.s->auth_mechs[3], "XOAUTH2");   /* from the AUTH= form */
	assert_decoded_has(line_eq(&t, "250-SIZE 52428800"), "52428800");
	assert_decoded_has(line_eq(&t, "250-PIPELINING"), "RFC 2920");
	assert_decoded_has(line_eq(&t, "250-SMTPUTF8"), "RFC 6531");
	assert_decoded_has(line_eq(&t, "250-CHUNKING"), "RFC 3030");
	assert_decoded_has(line_eq(&t, "250-8BITMIME"), "8-bit");
	assert_decoded_has(line_eq(&t, "250-STARTTLS"), "STARTTLS");
	assert_null(line_eq(&t, "221 2.0.0 Bye")->decoded);   /* a plain success says nothing more */
	assert_int_equal(t.s->ncreds, 0);
	assert_false(warned(&t, W_SYNTAX_ERROR));
	dt_free(&t);
}

static void check_software(const char *greeting, const char *want)
{
	struct step st[] = { S(greeting), END };
	struct dt t;
	run(&t, st);
	assert_string_equal(t.s->server_software, want);
	dt_free(&t);
}

static void test_server_software(void **state)
{
	(void)state;
	check_software("220 mx.example.com ESMTP Postfix (Debian/GNU)\r\n", "Postfix");
	check_software("220 eyrie.af.mil ESMTP Sendmail 8.8.7/8.8.7; Mon, 8 Mar 1999 12:00:00\r\n", "Sendmail 8.8.7");
	check_software("220 ex.corp.local Microsoft ESMTP MAIL Service, Version: 6.0.3790.4675 ready at Mon\r\n",
	               "Microsoft ESMTP MAIL Service 6.0.3790.4675");
	check_software("220 mx.google.com ESMTP a1si1234567wrb.123 - gsmtp\r\n", "Gmail (gsmtp)");
	check_software("220-smtp.example.net ESMTP\r\n220 running OpenSMTPD\r\n", "OpenSMTPD");
	check_software("220 exim.example.org ESMTP ready\r\n", "");   /* a host name is not a product */
	check_software("220 localhost ESMTP Mercury/32 v4.52\r\n", "Mercury/32 4.52");
}

/* ---- AUTH LOGIN ---- */

static void test_auth_login(void **state)
{
	(void)state;
	static const struct step st[] = {
		S(GREETING), C("EHLO c\r\n"), S(EHLO_REPLY),
		C("AUTH LOGIN\r\n"), S("334 VXNlcm5hbWU6\r\n"), C("YWxpY2U=\r\n"), S("334 UGFzc3dvcmQ6\r\n"),
		C("d3Jvbmc=\r\n"), S("535 5.7.8 Authentication credentials invalid\r\n"),
		C("AUTH LOGIN YWxpY2U=\r\n"), S("334 UGFzc3dvcmQ6\r\n"), C("czNjcmV0\r\n"),
		S("235 2.7.0 Authentication successful\r\n"),
		C("QUIT\r\n"), S("221 Bye\r\n"), END };
	struct dt t;
	run(&t, st);
	assert_int_equal(t.s->ncreds, 2);
	assert_string_equal(dt_cred(&t, 0)->mechanism, "AUTH LOGIN");
	dt_assert_bytes(&dt_cred(&t, 0)->username, "alice");
	dt_assert_bytes(&dt_cred(&t, 0)->password, "wrong");
	assert_int_equal(dt_cred(&t, 0)->outcome, OUTCOME_FAILURE);
	dt_assert_bytes(&dt_cred(&t, 1)->username, "alice");
	dt_assert_bytes(&dt_cred(&t, 1)->password, "s3cret");
	assert_int_equal(dt_cred(&t, 1)->outcome, OUTCOME_SUCCESS);
	assert_true(dt_cred(&t, 1)->reply_frame > dt_cred(&t, 1)->frame);

	const struct mt_line *l = line_eq(&t, "334 VXNlcm5hbWU6");
	assert_string_equal(l->decoded, "[Username:]");
	assert_string_equal(line_eq(&t, "334 UGFzc3dvcmQ6")->decoded, "[Password:]");
	l = line_eq(&t, "YWxpY2U=");
	assert_string_equal(l->decoded, "alice");
	assert_false(l->secret);
	l = line_eq(&t, "czNjcmV0");
	assert_true(l->secret);
	assert_string_equal(l->decoded, "s3cret");
	assert_string_equal(l->decoded_masked, "********");
	assert_int_equal(l->secret_off, 0);
	assert_int_equal(l->secret_len, 8);
	l = line_eq(&t, "AUTH LOGIN YWxpY2U=");
	assert_string_equal(l->decoded, "alice");
	assert_decoded_has(line_eq(&t, "235 2.7.0 Authentication successful"), "authentication succeeded");
	assert_decoded_has(line_eq(&t, "535 5.7.8 Authentication credentials invalid"),
	                   "5.7.8 permanent failure: authentication credentials invalid");

	assert_true(warned(&t, W_AUTH_FAILED));
	assert_true(warned(&t, W_CLEARTEXT_CREDENTIALS));
	assert_true(warned(&t, W_CLEARTEXT_AUTH_DESPITE_STARTTLS_OFFERED));
	assert_false(warned(&t, W_SYNTAX_ERROR));
	assert_string_equal(t.s->user, "alice");
	assert_int_equal(t.s->login, OUTCOME_SUCCESS);
	dt_free(&t);
}

/* ---- AUTH PLAIN ---- */

static void test_auth_plain(void **state)
{
	(void)state;
	/* "\0alice\0s3cret" and "admin\0bob\0pa ss" */
	static const struct step st[] = {
		S(GREETING), C("EHLO c\r\n"), S("250 mail.example.com\r\n"),
		C("AUTH PLAIN AGFsaWNlAHMzY3JldA==\r\n"), S("535 5.7.8 nope\r\n"),
		C("AUTH PLAIN\r\n"), S("334 \r\n"), C("YWRtaW4AYm9iAHBhIHNz\r\n"), S("235 2.7.0 ok\r\n"), END };
	struct dt t;
	run(&t, st);
	assert_int_equal(t.s->ncreds, 2);
	assert_string_equal(dt_cred(&t, 0)->mechanism, "AUTH PLAIN");
	dt_assert_bytes(&dt_cred(&t, 0)->username, "alice");
	dt_assert_bytes(&dt_cred(&t, 0)->password, "s3cret");
	assert_int_equal(dt_cred(&t, 0)->authzid.len, 0);
	assert_int_equal(dt_cred(&t, 0)->outcome, OUTCOME_FAILURE);
	dt_assert_bytes(&dt_cred(&t, 1)->authzid, "admin");
	dt_assert_bytes(&dt_cred(&t, 1)->username, "bob");
	dt_assert_bytes(&dt_cred(&t, 1)->password, "pa ss");
	assert_int_equal(dt_cred(&t, 1)->outcome, OUTCOME_SUCCESS);

	const struct mt_line *l = line_eq(&t, "AUTH PLAIN AGFsaWNlAHMzY3JldA==");
	assert_string_equal(l->decoded, "authzid=\"\" user=\"alice\" pass=\"s3cret\"");
	assert_string_equal(l->decoded_masked, "authzid=\"\" user=\"alice\" pass=\"********\"");
	assert_true(l->secret);
	assert_int_equal(l->secret_off, 11);
	assert_int_equal(l->secret_len, 20);
	assert_string_equal(line_eq(&t, "334 ")->decoded, "[go ahead]");
	l = line_eq(&t, "YWRtaW4AYm9iAHBhIHNz");
	assert_string_equal(l->decoded, "authzid=\"admin\" user=\"bob\" pass=\"pa ss\"");
	assert_true(l->secret);
	assert_false(warned(&t, W_CLEARTEXT_AUTH_DESPITE_STARTTLS_OFFERED));  /* not offered here */
	assert_true(warned(&t, W_CLEARTEXT_CREDENTIALS));
	dt_free(&t);
}

/* ---- CRAM-MD5 (RFC 2195 §2 example) ---- */

static void test_cram_md5(void **state)
{
	(void)state;
	static const struct step st[] = {
		S(GREETING), C("EHLO c\r\n"), S(EHLO_REPLY), C("AUTH CRAM-MD5\r\n"),
		S("334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n"),
		C("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n"), S("235 Authentication succeeded\r\n"), END };
	struct dt t;
	run(&t, st);
	assert_int_equal(t.s->ncreds, 1);
	const struct mt_credential *c = dt_cred(&t, 0);
	assert_string_equal(c->mechanism, "AUTH CRAM-MD5");
	dt_assert_bytes(&c->challenge, "<1896.697170952@postoffice.reston.mci.net>");
	dt_assert_bytes(&c->username, "tim");
	dt_assert_bytes(&c->response, "b913a602c7eda7a495b4e6e7334d3890");
	assert_int_equal(c->password.len, 0);
	assert_int_equal(c->outcome, OUTCOME_SUCCESS);
	assert_decoded_has(line_eq(&t, "334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+"),
	                   "<1896.697170952@postoffice.reston.mci.net>");
	assert_string_equal(line_eq(&t, "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw")->decoded,
	                    "user=\"tim\" digest=\"b913a602c7eda7a495b4e6e7334d3890\"");
	assert_true(warned(&t, W_CHALLENGE_RESPONSE_CRACKABLE));
	assert_false(warned(&t, W_CLEARTEXT_CREDENTIALS));
	dt_free(&t);
}

/* ---- XOAUTH2 and OAUTHBEARER ---- */

static void test_oauth(void **state)
{
	(void)state;
	static const char x[] = "user=someone@example.com\001auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRh\001\001";
	static const char ob[] = "n,a=user=2Cx@example.com,\001host=server.example.com\001port=587\001"
	                         "auth=Bearer vF9dft4qmTc2Nvb3Rlck==\001\001";
	char *bx = b64(x, sizeof(x) - 1), *bo = b64(ob, sizeof(ob) - 1);
	char l1[512], l3[512];
	snprintf(l1, sizeof(l1), "AUTH XOAUTH2 %s\r\n", bx);
	snprintf(l3, sizeof(l3), "AUTH OAUTHBEARER %s\r\n", bo);
	struct step st[] = {
		S(GREETING), C("EHLO c\r\n"), S("250 ok\r\n"),
		C(l1), S("334 eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIn0=\r\n"), C("\r\n"),
		S("535 5.7.8 Username and Password not accepted\r\n"),
		C(l3), S("235 2.7.0 Accepted\r\n"), END };
	struct dt t;
	run(&t, st);
	assert_int_equal(t.s->ncreds, 2);
	assert_string_equal(dt_cred(&t, 0)->mechanism, "AUTH XOAUTH2");
	dt_assert_bytes(&dt_cred(&t, 0)->username, "someone@example.com");
	dt_assert_bytes(&dt_cred(&t, 0)->password, "ya29.vF9dft4qmTc2Nvb3RlckBhdHRh");
	assert_int_equal(dt_cred(&t, 0)->outcome, OUTCOME_FAILURE);
	assert_string_equal(dt_cred(&t, 1)->mechanism, "AUTH OAUTHBEARER");
	dt_assert_bytes(&dt_cred(&t, 1)->username, "user,x@example.com");
	dt_assert_bytes(&dt_cred(&t, 1)->password, "vF9dft4qmTc2Nvb3Rlck==");
	assert_int_equal(dt_cred(&t, 1)->outcome, OUTCOME_SUCCESS);
	l1[strlen(l1) - 2] = 0;
	const struct mt_line *l = line_eq(&t, l1);
	assert_true(l->secret);
	assert_int_equal(l->secret_off, 13);
	assert_int_equal(l->secret_len, strlen(bx));
	assert_decoded_has(l, "ya29.vF9dft4qmTc2Nvb3RlckBhdHRh");
	assert_string_equal(l->decoded_masked, "user=\"someone@example.com\" auth=\"Bearer ********\"");
	assert_decoded_has(line_eq(&t, "334 eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIn0="), "\"status\":\"401\"");
	assert_string_equal(line_eq(&t, "")->decoded, "[empty response]");
	free(bx);
	free(bo);
	dt_free(&t);
}

/* ---- cancellation (RFC 4954 §4) ---- */

static void test_auth_cancel(void **state)
{
	(void)state;
	static const struct step st[] = {
		S(GREETING), C("EHLO c\r\n"), S("250 ok\r\n"), C("AUTH LOGIN\r\n"), S("334 VXNlcm5hbWU6\r\n"),
		C("*\r\n"), S("501 5.7.0 Authentication cancelled\r\n"), C("NOOP\r\n"), S("250 ok\r\n"), END };
	struct dt t;
	run(&t, st);
	assert_int_equal(t.s->ncreds, 1);
	assert_true(dt_cred(&t, 0)->cancelled);
	assert_int_equal(dt_cred(&t, 0)->outcome, OUTCOME_UNKNOWN);
	assert_true(dt_cred(&t, 0)->reply_frame > 0);
	assert_string_equal(line_eq(&t, "*")->decoded, "[authentication cancelled]");
	assert_false(warned(&t, W_AUTH_FAILED));
	assert_false(warned(&t, W_SYNTAX_ERROR));
	assert_null(line_eq(&t, "NOOP")->decoded);
	dt_free(&t);
}

/* An exchange cut off before the verdict is still a credential. */
static void test_auth_unfinished(void **state)
{
	(void)state;
	static const struct step st[] = {
		S(GREETING), C("AUTH LOGIN\r\n"), S("334 VXNlcm5hbWU6\r\n"), C("YWxpY2U=\r\n"),
		S("334 UGFzc3dvcmQ6\r\n"), C("czNjcmV0\r\n"), END };
	struct dt t;
	run(&t, st);
	assert_int_equal(t.s->ncreds, 1);
	dt_assert_bytes(&dt_cred(&t, 0)->password, "s3cret");
	assert_int_equal(dt_cred(&t, 0)->outcome, OUTCOME_UNKNOWN);
	assert_true(warned(&t, W_CLEARTEXT_CREDENTIALS));
	dt_free(&t);
}

/* ---- MAIL/RCPT/DATA with dot-stuffing (RFC 5321 §4.5.2) ---- */

#define BODY_WIRE "From: a@x\r\nSubject: hello\r\n\r\n..leading dot\r\n.\tdot tab\r\nplain\r\n"
#define BODY_REAL "From: a@x\r\nSubject: hello\r\n\r\n.leading dot\r\n\tdot tab\r\nplain\r\n"

static void test_data_dot_stuffing(void **state)
{
	(void)state;
	static const struct step st[] = {
		S(GREETING), C("EHLO c\r\n"), S("250 ok\r\n"), C("MAIL FROM:<a@x> SIZE=100 BODY=8BITMIME\r\n"),
		S("250 2.1.0 Ok\r\n"), C("RCPT TO:<b@y>\r\n"), S("250 2.1.5 Ok\r\n"), C("DATA\r\n"),
		S("354 End data with <CR><LF>.<CR><LF>\r\n"), C(BODY_WIRE), C(".\r\n"),
		S("250 2.0.0 Ok: queued as 12345\r\n"), C("QUIT\r\n"), S("221 2.0.0 Bye\r\n"), END };
	struct dt t;
	char want[65];
	run(&t, st);
	assert_int_equal(t.s->nmsgs, 1);
	const struct mt_message *m = t.s->msgs[0];
	assert_string_equal(m->command, "DATA");
	assert_int_equal(m->dir, DIR_C2S);
	assert_int_equal(m->size, strlen(BODY_REAL));
	dt_sha256_hex(BODY_REAL, strlen(BODY_REAL), want);
	assert_string_equal(m->sha256, want);
	assert_true(m->complete);
	assert_int_equal(m->raw.len, strlen(BODY_REAL));
	assert_memory_equal(m->raw.data, BODY_REAL, m->raw.len);
	assert_non_null(m->subject);
	assert_string_equal(m->subject, "hello");
	assert_string_equal(line_eq(&t, "MAIL FROM:<a@x> SIZE=100 BODY=8BITMIME")->decoded,
	                    "from=<a@x> SIZE=100 BODY=8BITMIME");
	assert_string_equal(line_eq(&t, "RCPT TO:<b@y>")->decoded, "to=<b@y>");
	assert_int_equal(line_eq(&t, "..leading dot")->kind, LINE_DATA);
	assert_decoded_has(line_eq(&t, "."), "end of message");
	assert_null(line_eq(&t, "QUIT")->decoded);   /* a command again */
	assert_int_equal(t.s->ncreds, 0);
	assert_false(warned(&t, W_BARE_LF));
	dt_free(&t);
}

/* A refused DATA: what follows is commands, not a body. */
static void test_data_refused(void **state)
{
	(void)state;
	static const struct step st[] = {
		S(GREETING), C("MAIL FROM:<a@x>\r\n"), S("250 ok\r\n"), C("RCPT TO:<b@y>\r\n"),
		S("550 5.1.1 unknown\r\n"), C("DATA\r\n"), S("554 5.5.1 Error: no valid recipients\r\n"),
		C("QUIT\r\n"), S("221 bye\r\n"), END };
	struct dt t;
	run(&t, st);
	assert_int_equal(t.s->nmsgs, 0);
	assert_decoded_has(line_eq(&t, "DATA"), "refused");
	assert_decoded_has(line_eq(&t, "RCPT TO:<b@y>"), "rejected");
	assert_int_equal(line_eq(&t, "QUIT")->kind, LINE_TEXT);
	dt_free(&t);
}

/* ---- BDAT (RFC 3030) ---- */

static void test_bdat(void **state)
{
	(void)state;
	static const struct step st[] = {
		S(GREETING), C("EHLO c\r\n"), S(EHLO_REPLY), C("MAIL FROM:<a@x>\r\n"), S("250 ok\r\n"),
		C("RCPT TO:<b@y>\r\n"), S("250 ok\r\n"),
		C("BDAT 18\r\nSubject: chunk\r\n\r\n"), S("250 2.0.0 18 octets received\r\n"),
		C("bdat 10 last\r\n.body\r\n.\r\n"), S("250 2.0.0 Message accepted\r\n"),
		/* a second transaction aborted by RSET */
		C("MAIL FROM:<a@x>\r\n"), S("250 ok\r\n"), C("RCPT TO:<b@y>\r\n"), S("250 ok\r\n"),
		C("BDAT 3\r\nabc"), S("250 ok\r\n"), C("RSET\r\n"), S("250 ok\r\n"),
		/* an empty last chunk */
		C("MAIL FROM:<a@x>\r\n"), S("250 ok\r\n"), C("BDAT 0 LAST\r\n"), S("250 ok\r\n"),
		C("QUIT\r\n"), S("221 bye\r\n"), END };
	static const char body[] = "Subject: chunk\r\n\r\n.body\r\n.\r\n";
	struct dt t;
	char want[65];
	run(&t, st);
	assert_int_equal(t.s->nmsgs, 3);
	const struct mt_message *m = t.s->msgs[0];
	assert_string_equal(m->command, "BDAT");
	assert_int_equal(m->size, 28);
	dt_sha256_hex(body, 28, want);   /* no dot-unstuffing in BDAT */
	assert_string_equal(m->sha256, want);
	assert_true(m->complete);
	assert_string_equal(m->subject, "chunk");
	assert_int_equal(t.s->msgs[1]->size, 3);
	assert_false(t.s->msgs[1]->complete);
	assert_int_equal(t.s->msgs[2]->size, 0);
	assert_true(t.s->msgs[2]->complete);
	assert_decoded_has(line_eq(&t, "bdat 10 last"), "chunk of 10 bytes, last");
	assert_int_equal(line_eq(&t, ".body")->kind, LINE_DATA);
	assert_int_equal(line_eq(&t, "RSET")->kind, LINE_TEXT);
	assert_false(warned(&t, W_SYNTAX_ERROR));
	dt_free(&t);
}

static void test_bdat_hostile(void **state)
{
	(void)state;
	static const struct step st[] = {
		S(GREETING), C("MAIL FROM:<a@x>\r\n"), C("BDAT 99999999999999999999\r\n"), C("BDAT x\r\n"),
		C("BDAT 5000000000000 LAST\r\n"), C("QUIT\r\n"), S("250 ok\r\n"), END };
	struct dt t;
	run(&t, st);
	assert_decoded_has(line_eq(&t, "BDAT x"), "malformed");
	assert_decoded_has(line_eq(&t, "BDAT 5000000000000 LAST"), "not followed");
	assert_int_equal(line_eq(&t, "QUIT")->kind, LINE_TEXT);   /* still in sync */
	dt_free(&t);
}

/* ---- pipelining (RFC 2920) ---- */

static void test_pipelining(void **state)
{
	(void)state;
	static const struct step st[] = {
		S(GREETING), C("EHLO c\r\n"), S(EHLO_REPLY),
		C("MAIL FROM:<a@x>\r\nRCPT TO:<nobody@y>\r\nRCPT TO:<b@y>\r\nDATA\r\n"),
		S("250 2.1.0 ok\r\n550 5.1.1 <nobody@y>: Recipient address rejected\r\n250 2.1.5 ok\r\n354 go ahead\r\n"),
		C("Subject: p\r\n\r\nbody\r\n.\r\nQUIT\r\n"), S("250 2.0.0 queued\r\n221 2.0.0 bye\r\n"), END };
	struct dt t;
	run(&t, st);
	assert_decoded_has(line_eq(&t, "RCPT TO:<nobody@y>"), "rejected: 550 5.1.1");
	assert_string_equal(line_eq(&t, "RCPT TO:<b@y>")->decoded, "to=<b@y>");
	assert_string_equal(line_eq(&t, "MAIL FROM:<a@x>")->decoded, "from=<a@x>");
	assert_int_equal(t.s->nmsgs, 1);
	assert_true(t.s->msgs[0]->complete);
	assert_int_equal(t.s->msgs[0]->size, strlen("Subject: p\r\n\r\nbody\r\n"));
	assert_int_equal(line_eq(&t, "QUIT")->kind, LINE_TEXT);
	assert_false(warned(&t, W_SYNTAX_ERROR));
	dt_free(&t);
}

/* Commands (and a whole message) before the greeting arrives. */
static void test_blast_before_greeting(void **state)
{
	(void)state;
	static const struct step st[] = {
		C("EHLO c\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\nSubject: s\r\n\r\nhi\r\n.\r\n\r\n"),
		S("220-mx.example.com ESMTP Postfix\r\n220 welcome\r\n"),
		S("250-mx.example.com\r\n250-STARTTLS\r\n250 8BITMIME\r\n250 ok\r\n250 ok\r\n354 go\r\n250 queued\r\n"),
		S("500 5.5.2 Error: bad syntax\r\n"), END };
	struct dt t;
	run(&t, st);
	assert_string_equal(t.s->server_software, "Postfix");
	dt_assert_bytes(&t.s->greeting, "220-mx.example.com ESMTP Postfix");
	assert_int_equal(t.s->starttls.offered, TRI_TRUE);   /* EHLO reply matched to EHLO */
	assert_int_equal(t.s->nmsgs, 1);
	assert_true(t.s->msgs[0]->complete);
	assert_int_equal(t.s->msgs[0]->size, strlen("Subject: s\r\n\r\nhi\r\n"));
	assert_decoded_has(last_eq(&t, ""), "syntax error");   /* the empty command */
	assert_true(warned(&t, W_SYNTAX_ERROR));
	assert_string_equal(line_eq(&t, "MAIL FROM:<a@x>")->decoded, "from=<a@x>");
	dt_free(&t);
}

/* A reply without its code (as Yahoo sends it) still answers its command. */
static void test_reply_without_code(void **state)
{
	(void)state;
	static const struct step st[] = {
		S(GREETING), C("DATA\r\n"), S("354 go\r\n"), C("x\r\n.\r\n"),
		S("4.7.0 [TS04] Messages temporarily deferred\r\n"), C("NOOP\r\n"), S("500 5.5.1 what\r\n"), END };
	struct dt t;
	run(&t, st);
	const struct mt_line *l = line_eq(&t, "4.7.0 [TS04] Messages temporarily deferred");
	assert_decoded_has(l, "without a reply code");
	assert_decoded_has(l, "4.7.0 temporary failure");
	assert_decoded_has(line_eq(&t, "NOOP"), "syntax error");   /* matched to NOOP, not to "." */
	dt_free(&t);
}

/* ---- client syntax errors ---- */

static void test_syntax_error(void **state)
{
	(void)state;
	static const struct step st[] = {
		S(GREETING), C("ehlo c\r\n"), S("250 ok\r\n"), C("mail from <x@y>\r\n"),
		S("555 5.5.2 Syntax error\r\n"), C("mail from:<x@y>\r\n"), S("250 2.1.0 Ok\r\n"), END };
	struct dt t;
	run(&t, st);
	assert_decoded_has(line_eq(&t, "mail from <x@y>"), "syntax error: 555 5.5.2 Syntax error");
	assert_decoded_has(line_eq(&t, "555 5.5.2 Syntax error"), "5.5.2 permanent failure: syntax error");
	assert_string_equal(line_eq(&t, "mail from:<x@y>")->decoded, "from=<x@y>");
	assert_true(warned(&t, W_SYNTAX_ERROR));
	dt_free(&t);
}

/* An RFC 821 server: EHLO answered 500, HELO follows. Not a client error. */
static void test_ehlo_fallback(void **state)
{
	(void)state;
	static const struct step st[] = {
		S("220 eyrie.af.mil ESMTP Sendmail 8.8.7/8.8.7\r\n"), C("EHLO c\r\n"),
		S("500 Command unrecognized\r\n"), C("HELO c\r\n"), S("250 eyrie.af.mil Hello\r\n"), END };
	struct dt t;
	run(&t, st);
	assert_decoded_has(line_eq(&t, "EHLO c"), "EHLO not supported");
	assert_false(warned(&t, W_SYNTAX_ERROR));
	assert_string_equal(t.s->server_software, "Sendmail 8.8.7");
	dt_free(&t);
}

/* ---- STARTTLS (RFC 3207) ---- */

/* A minimal TLS 1.2 ClientHello with a server_name extension. */
static size_t client_hello(uint8_t *out, const char *host)
{
	size_t hn = strlen(host), i = 0;
	size_t ext = 2 + 2 + 2 + 1 + 2 + hn;             /* one server_name extension */
	size_t body = 2 + 32 + 1 + 2 + 2 + 1 + 1 + 2 + ext;
	out[i++] = 22; out[i++] = 3; out[i++] = 1;
	out[i++] = (uint8_t)((body + 4) >> 8); out[i++] = (uint8_t)(body + 4);
	out[i++] = 1; out[i++] = 0; out[i++] = (uint8_t)(body >> 8); out[i++] = (uint8_t)body;
	out[i++] = 3; out[i++] = 3;
	for (int k = 0; k < 32; k++)
		out[i++] = (uint8_t)k;
	out[i++] = 0;                                     /* session id */
	out[i++] = 0; out[i++] = 2; out[i++] = 0xc0; out[i++] = 0x2f;
	out[i++] = 1; out[i++] = 0;                       /* compression: null */
	out[i++] = (uint8_t)(ext >> 8); out[i++] = (uint8_t)ext;
	out[i++] = 0; out[i++] = 0;                       /* server_name */
	out[i++] = (uint8_t)((hn + 5) >> 8); out[i++] = (uint8_t)(hn + 5);
	out[i++] = (uint8_t)((hn + 3) >> 8); out[i++] = (uint8_t)(hn + 3);
	out[i++] = 0;
	out[i++] = (uint8_t)(hn >> 8); out[i++] = (uint8_t)hn;
	memcpy(out + i, host, hn);
	return i + hn;
}

static void test_starttls_accepted(void **state)
{
	(void)state;
	uint8_t hello[256];
	size_t hn = client_hello(hello, "mail.example.com");
	struct step st[] = {
		S(GREETING), C("EHLO c\r\n"), S(EHLO_REPLY), C("STARTTLS\r\n"), S("220 2.0.0 Ready to start TLS\r\n"),
		CB(hello, hn), CB("\x17\x03\x03\x00\x05secret", 10), S("\x16\x03\x03\x00\x02\x02\x00"), END };
	struct dt t;
	run(&t, st);
	assert_int_equal(t.s->starttls.offered, TRI_TRUE);
	assert_int_equal(t.s->starttls.requested, TRI_TRUE);
	assert_int_equal(t.s->starttls.accepted, TRI_TRUE);
	assert_true(t.s->starttls.tls_seen);
	assert_int_equal(t.s->tls, TLS_STARTTLS);
	assert_non_null(t.s->sni);
	assert_string_equal(t.s->sni, "mail.example.com");
	assert_false(warned(&t, W_STARTTLS_WITHOUT_TLS));
	assert_false(warned(&t, W_STARTTLS_INJECTION));
	assert_non_null(dt_find_line(&t, "ClientHello, SNI mail.example.com"));
	assert_null(dt_find_line(&t, "secret"));   /* TLS bytes are not text */
	dt_free(&t);
}

static void test_starttls_without_tls(void **state)
{
	(void)state;
	static const struct step st[] = {
		S(GREETING), C("EHLO c\r\n"), S(EHLO_REPLY), C("STARTTLS\r\n"), S("220 go ahead\r\n"), END };
	struct dt t;
	run(&t, st);
	assert_int_equal(t.s->starttls.accepted, TRI_TRUE);
	assert_false(t.s->starttls.tls_seen);
	assert_true(warned(&t, W_STARTTLS_WITHOUT_TLS));
	dt_free(&t);
}

static void test_starttls_refused(void **state)
{
	(void)state;
	static const struct step st[] = {
		S(GREETING), C("EHLO c\r\n"), S(EHLO_REPLY), C("STARTTLS\r\n"),
		S("454 4.7.0 TLS not available due to local problem\r\n"),
		C("AUTH PLAIN AGFsaWNlAHMzY3JldA==\r\n"), S("235 2.7.0 ok\r\n"), END };
	struct dt t;
	run(&t, st);
	assert_int_equal(t.s->starttls.accepted, TRI_FALSE);
	assert_int_equal(t.s->tls, TLS_NONE);
	assert_true(warned(&t, W_STARTTLS_REFUSED));
	assert_int_equal(t.s->ncreds, 1);   /* text goes on being decoded */
	assert_int_equal(dt_cred(&t, 0)->outcome, OUTCOME_SUCCESS);
	assert_true(warned(&t, W_CLEARTEXT_AUTH_DESPITE_STARTTLS_OFFERED));
	dt_free(&t);
}

static void test_starttls_injection(void **state)
{
	(void)state;
	static const struct step st[] = {
		S(GREETING), C("EHLO c\r\n"), S(EHLO_REPLY), C("STARTTLS\r\nMAIL FROM:<x@evil>\r\n"),
		S("220 2.0.0 Ready to start TLS\r\n"), END };
	struct dt t;
	run(&t, st);
	assert_true(warned(&t, W_STARTTLS_INJECTION));
	assert_decoded_has(line_eq(&t, "MAIL FROM:<x@evil>"), "injection");
	assert_int_equal(t.s->starttls.accepted, TRI_TRUE);   /* the 220 answers STARTTLS */
	dt_free(&t);
}

/* Mixed case, bare LF, pipelined RSET + STARTTLS with no greeting. */
static void test_starttls_pipelined_mixed_case(void **state)
{
	(void)state;
	static const struct step st[] = {
		C("EHLO x\n"), S("250-mx\n250 STARTTLS\n"), C("rset\nstaRttLs\n"), S("250 ok\n220 ready\n"), END };
	struct dt t;
	run(&t, st);
	assert_int_equal(t.s->starttls.requested, TRI_TRUE);
	assert_int_equal(t.s->starttls.accepted, TRI_TRUE);
	assert_true(warned(&t, W_BARE_LF));
	assert_false(warned(&t, W_STARTTLS_INJECTION));
	assert_true(warned(&t, W_STARTTLS_WITHOUT_TLS));
	dt_free(&t);
}

/* ---- gaps (docs/hacking.md) ---- */

static void test_gap_in_data(void **state)
{
	(void)state;
	static const struct step st[] = {
		S(GREETING), C("MAIL FROM:<a@x>\r\n"), S("250 ok\r\n"), C("RCPT TO:<b@y>\r\n"), S("250 ok\r\n"),
		C("DATA\r\n"), S("354 go\r\n"), C("Subject: g\r\n\r\nline1\r\n"), GAP(DIR_C2S, 100),
		C("line2\r\n.\r\n"), S("250 queued\r\n"), C("QUIT\r\n"), S("221 bye\r\n"), END };
	struct dt t;
	run(&t, st);
	assert_int_equal(t.s->nmsgs, 1);
	assert_false(t.s->msgs[0]->complete);
	assert_int_equal(t.s->msgs[0]->size, strlen("Subject: g\r\n\r\nline1\r\nline2\r\n"));
	assert_true(warned(&t, W_STREAM_GAP));
	assert_non_null(dt_find_line(&t, "[gap of 100 bytes]"));
	assert_int_equal(line_eq(&t, "QUIT")->kind, LINE_TEXT);
	dt_free(&t);
}

/* The gap swallowed the final dot: the server's reply ends the message. */
static void test_gap_swallows_dot(void **state)
{
	(void)state;
	static const struct step st[] = {
		S(GREETING), C("DATA\r\n"), S("354 go\r\n"), C("Subject: g\r\n\r\nbody\r\n"), GAP(DIR_C2S, 3),
		S("250 queued\r\n"), C("QUIT\r\n"), S("221 bye\r\n"), END };
	struct dt t;
	run(&t, st);
	assert_int_equal(t.s->nmsgs, 1);
	assert_false(t.s->msgs[0]->complete);
	assert_int_equal(line_eq(&t, "QUIT")->kind, LINE_TEXT);
	assert_null(line_eq(&t, "QUIT")->decoded);
	dt_free(&t);
}

/* ---- line endings and limits ---- */

static void test_bare_lf(void **state)
{
	(void)state;
	static const struct step st[] = {
		S("220 mx ESMTP\n"), C("HELO c\n"), S("250 ok\n"), C("MAIL FROM:<a@x>\n"), S("250 ok\n"),
		C("RCPT TO:<b@y>\n"), S("250 ok\n"), C("DATA\n"), S("354 go\n"), C("Subject: lf\n\nbody\n.\n"),
		S("250 ok\n"), C("QUIT\n"), S("221 bye\n"), END };
	struct dt t;
	char want[65];
	run(&t, st);
	assert_true(warned(&t, W_BARE_LF));
	assert_int_equal(t.s->nmsgs, 1);
	assert_true(t.s->msgs[0]->complete);
	dt_sha256_hex("Subject: lf\n\nbody\n", 18, want);   /* bytes as transferred */
	assert_string_equal(t.s->msgs[0]->sha256, want);
	dt_free(&t);
}

static void test_overlong_line(void **state)
{
	(void)state;
	size_t n = 20000;
	char *big = malloc(n + 8);
	memcpy(big, "NOOP ", 5);
	memset(big + 5, 'A', n - 5);
	memcpy(big + n, "\r\n", 3);
	struct step st[] = { S(GREETING), C(big), S("500 5.5.6 line too long\r\n"), C("QUIT\r\n"),
	                     S("221 bye\r\n"), END };
	struct dt t;
	run(&t, st);
	assert_true(warned(&t, W_LINE_TOO_LONG));
	assert_true(t.model.counters.lines_truncated >= 1);
	assert_int_equal(line_eq(&t, "QUIT")->kind, LINE_TEXT);
	free(big);
	dt_free(&t);
}

/* ---- one-sided captures ---- */

static void test_client_only(void **state)
{
	(void)state;
	static const struct step st[] = {
		C("ehlo c\r\n"), C("auth login\r\n"), C("YWxpY2U=\r\n"), C("czNjcmV0\r\n"),
		C("mail from:<a@x>\r\n"), C("rcpt to:<b@y>\r\n"), C("data\r\n"), C("Subject: one\r\n\r\nx\r\n.\r\n"),
		C("auth plain AGJvYgBodW50ZXIy\r\n"), C("mail from:<c@x>\r\n"), C("quit\r\n"), END };
	struct dt t;
	run(&t, st);
	assert_int_equal(t.s->ncreds, 2);
	dt_assert_bytes(&dt_cred(&t, 0)->username, "alice");
	dt_assert_bytes(&dt_cred(&t, 0)->password, "s3cret");
	assert_int_equal(dt_cred(&t, 0)->outcome, OUTCOME_UNKNOWN);
	dt_assert_bytes(&dt_cred(&t, 1)->username, "bob");
	dt_assert_bytes(&dt_cred(&t, 1)->password, "hunter2");
	assert_int_equal(t.s->nmsgs, 1);
	assert_true(t.s->msgs[0]->complete);
	assert_string_equal(line_eq(&t, "mail from:<a@x>")->decoded, "from=<a@x>");
	assert_string_equal(line_eq(&t, "mail from:<c@x>")->decoded, "from=<c@x>");
	assert_true(warned(&t, W_ONE_SIDED));
	assert_true(warned(&t, W_CLEARTEXT_CREDENTIALS));
	dt_free(&t);
}

static void test_server_only(void **state)
{
	(void)state;
	static const struct step st[] = { S(GREETING), S(EHLO_REPLY), S("334 VXNlcm5hbWU6\r\n"),
	                                  S("235 ok\r\n"), END };
	struct dt t;
	run(&t, st);
	assert_string_equal(t.s->server_software, "Exim 4.96");
	assert_int_equal(t.s->starttls.offered, TRI_TRUE);
	assert_int_equal(t.s->nauth_mechs, 4);
	assert_string_equal(line_eq(&t, "334 VXNlcm5hbWU6")->decoded, "[Username:]");
	assert_int_equal(t.s->ncreds, 0);
	assert_true(warned(&t, W_ONE_SIDED));
	dt_free(&t);
}

/* ---- hostile and odd input ---- */

static void test_odd_auth(void **state)
{
	(void)state;
	static const struct step st[] = {
		S(GREETING), S("334 not*base64!\r\n"), C("AUTH\r\n"), S("501 Syntax: AUTH mechanism\r\n"),
		C("AUTH LOGIN\r\n"), S("334 VXNlcm5hbWU6\r\n"), C("this is not base64!\r\n"), S("334 UGFzc3dvcmQ6\r\n"),
		C("p@ss word\r\n"), S("535 5.7.8 no\r\n"), C("AUTH GSSAPI YIIBdgYJKoZIhvcSAQICAQBuggFl\r\n"),
		S("334 \r\n"), C("\r\n"), S("535 no\r\n"), C("AUTH DIGEST-MD5\r\n"),
		S("334 cmVhbG09ImV4YW1wbGUiLG5vbmNlPSJhYmMiLGFsZ29yaXRobT1tZDUtc2Vzcw==\r\n"),
		C("dXNlcm5hbWU9ImNocmlzIixyZWFsbT0iZXhhbXBsZSIsbm9uY2U9ImFiYyIscmVzcG9uc2U9ZDM4OGRhZDkw\r\n"),
		S("334 cnNwYXV0aD1lYTQw\r\n"), C("\r\n"), S("235 ok\r\n"), END };
	struct dt t;
	run(&t, st);
	assert_decoded_has(line_eq(&t, "334 not*base64!"), "not base64");
	assert_int_equal(t.s->ncreds, 3);
	assert_int_equal(dt_cred(&t, 0)->outcome, OUTCOME_FAILURE);
	assert_int_equal(dt_cred(&t, 0)->username.len, 0);
	assert_true(line_eq(&t, "p@ss word")->secret);   /* the password step is masked anyway */
	assert_string_equal(dt_cred(&t, 1)->mechanism, "AUTH GSSAPI");
	assert_int_equal(dt_cred(&t, 1)->outcome, OUTCOME_FAILURE);
	assert_string_equal(dt_cred(&t, 2)->mechanism, "AUTH DIGEST-MD5");
	dt_assert_bytes(&dt_cred(&t, 2)->username, "chris");
	dt_assert_bytes(&dt_cred(&t, 2)->response, "d388dad90");
	assert_true(dt_cred(&t, 2)->challenge.len > 0);
	assert_int_equal(dt_cred(&t, 2)->outcome, OUTCOME_SUCCESS);
	dt_free(&t);
}

/* NTLM (MS-NLMP): negotiate, challenge, authenticate with a user name. */
static void test_ntlm(void **state)
{
	(void)state;
	uint8_t t1[32] = "NTLMSSP";
	t1[8] = 1;
	uint8_t t2[48] = "NTLMSSP";
	t2[8] = 2;
	for (int i = 0; i < 8; i++)
		t2[24 + i] = (uint8_t)(0x11 * (i + 1));
	uint8_t t3[128] = "NTLMSSP";
	t3[8] = 3;
	/* fields: LM@12 NT@20 domain@28 user@36 workstation@44, flags@60; payload from 64 */
	static const uint8_t dom[] = { 'D', 0, 'O', 0, 'M', 0 }, usr[] = { 'b', 0, 'o', 0, 'b', 0 },
	                     ws[] = { 'W', 0, 'S', 0 }, nt[] = { 0xde, 0xad, 0xbe, 0xef };
	size_t off = 64;
	struct { size_t at; const uint8_t *p; size_t n; } f[] = {
		{ 20, nt, sizeof(nt) }, { 28, dom, sizeof(dom) }, { 36, usr, sizeof(usr) }, { 44, ws, sizeof(ws) } };
	for (size_t i = 0; i < 4; i++) {
		t3[f[i].at] = (uint8_t)f[i].n;
		t3[f[i].at + 2] = (uint8_t)f[i].n;
		t3[f[i].at + 4] = (uint8_t)off;
		memcpy(t3 + off, f[i].p, f[i].n);
		off += f[i].n;
	}
	t3[60] = 1;   /* NEGOTIATE_UNICODE */
	char *b1 = b64(t1, sizeof(t1)), *b2 = b64(t2, sizeof(t2)), *b3 = b64(t3, off);
	char l1[128], l2[128], l3[256];
	snprintf(l1, sizeof(l1), "AUTH NTLM %s\r\n", b1);
	snprintf(l2, sizeof(l2), "334 %s\r\n", b2);
	snprintf(l3, sizeof(l3), "%s\r\n", b3);
	struct step st[] = { S(GREETING), C(l1), S(l2), C(l3), S("235 ok\r\n"), END };
	struct dt t;
	run(&t, st);
	assert_int_equal(t.s->ncreds, 1);
	assert_string_equal(dt_cred(&t, 0)->mechanism, "AUTH NTLM");
	dt_assert_bytes(&dt_cred(&t, 0)->username, "DOM\\bob");
	dt_assert_bytes(&dt_cred(&t, 0)->challenge, "1122334455667788");
	dt_assert_bytes(&dt_cred(&t, 0)->response, "deadbeef");
	assert_int_equal(dt_cred(&t, 0)->outcome, OUTCOME_SUCCESS);
	assert_true(warned(&t, W_CHALLENGE_RESPONSE_CRACKABLE));
	assert_non_null(dt_find_line(&t, b3));
	free(b1);
	free(b2);
	free(b3);
	dt_free(&t);
}

/* Typed per character (a student at a telnet prompt, with a typo fixed). */
static void test_typed_login(void **state)
{
	(void)state;
	struct dt t;
	dt_open(&t, &mt_dissector_smtp);
	dt_send(&t, DIR_S2C, GREETING);
	dt_type(&t, DIR_C2S, "AUTH LOGIN\r\n");
	dt_send(&t, DIR_S2C, "334 VXNlcm5hbWU6\r\n");
	dt_type(&t, DIR_C2S, "YWxpY2X\bU=\r\n");
	dt_send(&t, DIR_S2C, "334 UGFzc3dvcmQ6\r\n");
	dt_type(&t, DIR_C2S, "czNjcmV0\r\n");
	dt_send(&t, DIR_S2C, "235 ok\r\n");
	dt_finish(&t);
	assert_int_equal(t.s->ncreds, 1);
	assert_true(dt_cred(&t, 0)->typed);
	dt_assert_bytes(&dt_cred(&t, 0)->username, "alice");
	dt_assert_bytes(&dt_cred(&t, 0)->password, "s3cret");
	const struct mt_line *l = line_eq(&t, "czNjcmV0");
	assert_true(l->nkeys >= 8);
	dt_free(&t);
}

/* SMTPUTF8 (RFC 6531): 8-bit text stays as bytes. */
static void test_smtputf8(void **state)
{
	(void)state;
	static const struct step st[] = {
		S(GREETING), C("MAIL FROM:<j\xc3\xb6rg@b\xc3\xbc.de> SMTPUTF8\r\n"), S("250 ok\r\n"), END };
	struct dt t;
	run(&t, st);
	assert_string_equal(line_eq(&t, "MAIL FROM:<j\xc3\xb6rg@b\xc3\xbc.de> SMTPUTF8")->decoded,
	                    "from=<j\xc3\xb6rg@b\xc3\xbc.de> SMTPUTF8");
	dt_free(&t);
}

/* ---- the implicit-TLS dissector ---- */

static void test_implicit_tls(void **state)
{
	(void)state;
	uint8_t hello[256];
	size_t hn = client_hello(hello, "smtp.example.org");
	struct step st[] = { CB(hello, hn), S("\x16\x03\x03\x00\x02\x02\x00"), END };
	struct dt t;
	run2(&t, NULL, &mt_dissector_tls, st);
	assert_true(t.s->starttls.tls_seen);
	assert_string_equal(t.s->sni, "smtp.example.org");
	assert_non_null(dt_find_line(&t, "ClientHello, SNI smtp.example.org"));
	assert_int_equal(t.s->ncreds, 0);
	assert_false(warned(&t, W_STARTTLS_WITHOUT_TLS));
	dt_free(&t);
}

/* A ClientHello answered by a plaintext banner (a 465 misconfiguration). */
static void test_implicit_tls_plain_server(void **state)
{
	(void)state;
	uint8_t hello[256];
	size_t hn = client_hello(hello, "mx.example.org");
	struct step st[] = { CB(hello, hn), S("220-mx.example.org ESMTP Exim 4.92\r\n220 hi\r\n"), END };
	struct dt t;
	run2(&t, NULL, &mt_dissector_tls, st);
	assert_true(t.s->starttls.tls_seen);
	dt_assert_bytes(&t.s->greeting, "220-mx.example.org ESMTP Exim 4.92");
	assert_decoded_has(line_eq(&t, "220-mx.example.org ESMTP Exim 4.92"), "plaintext");
	dt_free(&t);
}

static void test_implicit_tls_not_tls(void **state)
{
	(void)state;
	static const struct step st[] = { C("EHLO x\r\n"), END };
	struct dt t;
	run2(&t, NULL, &mt_dissector_tls, st);
	assert_false(t.s->starttls.tls_seen);
	assert_non_null(dt_find_line(&t, "does not speak TLS"));
	dt_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_greeting_capabilities),
		cmocka_unit_test(test_server_software),
		cmocka_unit_test(test_auth_login),
		cmocka_unit_test(test_auth_plain),
		cmocka_unit_test(test_cram_md5),
		cmocka_unit_test(test_oauth),
		cmocka_unit_test(test_auth_cancel),
		cmocka_unit_test(test_auth_unfinished),
		cmocka_unit_test(test_data_dot_stuffing),
		cmocka_unit_test(test_data_refused),
		cmocka_unit_test(test_bdat),
		cmocka_unit_test(test_bdat_hostile),
		cmocka_unit_test(test_pipelining),
		cmocka_unit_test(test_blast_before_greeting),
		cmocka_unit_test(test_reply_without_code),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_ehlo_fallback),
		cmocka_unit_test(test_starttls_accepted),
		cmocka_unit_test(test_starttls_without_tls),
		cmocka_unit_test(test_starttls_refused),
		cmocka_unit_test(test_starttls_injection),
		cmocka_unit_test(test_starttls_pipelined_mixed_case),
		cmocka_unit_test(test_gap_in_data),
		cmocka_unit_test(test_gap_swallows_dot),
		cmocka_unit_test(test_bare_lf),
		cmocka_unit_test(test_overlong_line),
		cmocka_unit_test(test_client_only),
		cmocka_unit_test(test_server_only),
		cmocka_unit_test(test_odd_auth),
		cmocka_unit_test(test_ntlm),
		cmocka_unit_test(test_typed_login),
		cmocka_unit_test(test_smtputf8),
		cmocka_unit_test(test_implicit_tls),
		cmocka_unit_test(test_implicit_tls_plain_server),
		cmocka_unit_test(test_implicit_tls_not_tls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
