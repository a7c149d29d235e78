/* test_imap.c - the IMAP dissector, driven by crafted dialogues.
 *
 * Every dialogue runs twice: each step as one segment, and one byte per
 * segment (telnet-style typing); the results must be identical (frames and
 * the typed flag aside). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../../dissect/dissector.h"
#include "../../dissect/sbuf.h"
#include "../../dissect/session.h"
#include "helpers/dtest.h"

enum { SEND = 0, GAP, FIN, LIMIT };

struct step {
	int op;          /* SEND, GAP (len bytes), FIN, LIMIT (max_literal = len) */
	int dir;
	const char *text;
	size_t len;      /* SEND: 0 = strlen(text) */
};

#define C(s) { SEND, DIR_C2S, s, 0 }
#define S(s) { SEND, DIR_S2C, s, 0 }
#define CB(p, n) { SEND, DIR_C2S, (const char *)(p), n }
#define SB(p, n) { SEND, DIR_S2C, (const char *)(p), n }
#define END { -1, 0, NULL, 0 }

static void run(struct dt *t, const struct step *st, bool bytewise)
{
	dt_open(t, &mt_dissector_imap);
	for (; st->op >= 0; st++) {
		size_t n = st->len ? st->len : (st->text ? strlen(st->text) : 0);
		switch (st->op) {
		case SEND:
			if (bytewise)
				for (size_t i = 0; i < n; i++)
					dt_feed(t, st->dir, st->text + i, 1);
			else
				dt_feed(t, st->dir, st->text, n);
			break;
		case GAP:
			dt_gap(t, st->dir, st->len);
			break;
		case FIN:
			dt_fin(t, st->dir);
			break;
		case LIMIT:
			t->model.limits.max_literal = st->len;
			break;
		}
	}
	dt_finish(t);
}

static void add_bytes(struct mt_sbuf *b, const char *name, const struct mt_bytes *v)
{
	mt_sbuf_printf(b, " %s=", name);
	if (v->data)
		mt_sbuf_add(b, v->data, v->len);
	else
		mt_sbuf_adds(b, "(null)");
	if (v->truncated)
		mt_sbuf_adds(b, "(cut)");
}

/* Everything the dissector reported, except frames and typing. */
static char *summary(const struct dt *t)
{
	const struct mt_session *s = t->s;
	struct mt_sbuf b;
	mt_sbuf_init(&b);
	mt_sbuf_printf(&b, "warnings=%x tls=%d st=%d/%d/%d/%d sni=%s soft=%s logindisabled=%d\n", s->warnings, s->tls,
	               s->starttls.offered, s->starttls.requested, s->starttls.accepted, s->starttls.tls_seen,
	               s->sni ? s->sni : "-", s->server_software, s->logindisabled);
	if (s->greeting.data)
		mt_sbuf_printf(&b, "greeting=%s\n", s->greeting.data);
	for (size_t i = 0; i < s->nauth_mechs; i++)
		mt_sbuf_printf(&b, "mech=%s\n", s->auth_mechs[i]);
	for (size_t i = 0; i < s->ncreds; i++) {
		const struct mt_credential *c = s->creds[i];
		mt_sbuf_printf(&b, "cred %s", c->mechanism);
		add_bytes(&b, "user", &c->username);
		add_bytes(&b, "pass", &c->password);
		add_bytes(&b, "authzid", &c->authzid);
		add_bytes(&b, "chal", &c->challenge);
		add_bytes(&b, "resp", &c->response);
		mt_sbuf_printf(&b, " outcome=%d cancelled=%d tls=%d\n", c->outcome, c->cancelled, c->tls);
	}
	for (size_t i = 0; i < s->nmsgs; i++) {
		const struct mt_message *m = s->msgs[i];
		mt_sbuf_printf(&b, "msg %d %s size=%llu sha=%s complete=%d subject=%s\n", m->dir, m->command,
		               (unsigned long long)m->size, m->sha256, m->complete, m->subject ? m->subject : "-");
	}
	for (size_t i = 0; i < s->nlines; i++) {
		const struct mt_line *l = &s->lines[i];
		mt_sbuf_printf(&b, "line %d %d [", l->dir, l->kind);
		mt_sbuf_add(&b, l->text.data, l->text.len);
		mt_sbuf_printf(&b, "] dec=%s masked=%s secret=%d %u+%u\n", l->decoded ? l->decoded : "-",
		               l->decoded_masked ? l->decoded_masked : "-", l->secret, l->secret_off, l->secret_len);
	}
	return mt_sbuf_steal(&b);
}

typedef void (*check_fn)(struct dt *t, bool bytewise);

/* Runs the dialogue whole and byte by byte, checks both, compares them. */
static void dialogue(const struct step *steps, check_fn check)
{
	struct dt a, b;
	run(&a, steps, false);
	check(&a, false);
	run(&b, steps, true);
	check(&b, true);
	char *sa = summary(&a), *sb = summary(&b);
	if (strcmp(sa, sb))
		fprintf(stderr, "whole:\n%s\nbytewise:\n%s\n", sa, sb);
	assert_string_equal(sa, sb);
	free(sa);
	free(sb);
	dt_free(&a);
	dt_free(&b);
}

static const struct mt_line *line_with_decoded(const struct dt *t, const char *needle)
{
	for (size_t i = 0; i < t->s->nlines; i++) {
		const struct mt_line *l = &t->s->lines[i];
		if (l->decoded && strstr(l->decoded, needle))
			return l;
	}
	return NULL;
}

#define GREETING "* OK [CAPABILITY IMAP4rev1 SASL-IR LITERAL+ STARTTLS AUTH=PLAIN AUTH=CRAM-MD5] Dovecot (Debian) ready.\r\n"

/* ---- LOGIN ---- */

static void check_login_atom_quoted(struct dt *t, bool bytewise)
{
	const struct mt_credential *c = dt_cred(t, 0);
	assert_int_equal(t->s->ncreds, 1);
	assert_string_equal(c->mechanism, "LOGIN");
	dt_assert_bytes(&c->username, "user");
	dt_assert_bytes(&c->password, "pass");
	assert_int_equal(c->outcome, OUTCOME_SUCCESS);
	assert_int_equal(c->typed, bytewise);
	assert_string_equal(t->s->server_software, "Dovecot (Debian)");
	assert_int_equal(t->s->starttls.offered, TRI_TRUE);
	assert_int_equal(t->s->nauth_mechs, 2);
	assert_string_equal(t->s->auth_mechs[0], "PLAIN");
	assert_string_equal(t->s->auth_mechs[1], "CRAM-MD5");
	assert_true(sess_has_warning(t->s, W_CLEARTEXT_CREDENTIALS));
	assert_true(sess_has_warning(t->s, W_CLEARTEXT_AUTH_DESPITE_STARTTLS_OFFERED));
	const struct mt_line *l = dt_find_line(t, "a login user");
	assert_non_null(l);
	assert_true(l->secret);
	assert_int_equal(l->secret_off, 14);
	assert_int_equal(l->secret_len, 4);
	assert_string_equal(l->decoded, "user=\"user\" pass=\"pass\"");
	assert_string_equal(l->decoded_masked, "user=\"user\" pass=\"********\"");
	if (bytewise)
		assert_true(l->nkeys > 0);
	assert_non_null(line_with_decoded(t, "LOGIN succeeded"));
}

static void test_login_atom_quoted(void **state)
{
	(void)state;
	const struct step d[] = { S(GREETING), C("a login user \"pass\"\r\n"), S("a OK LOGIN completed\r\n"), END };
	dialogue(d, check_login_atom_quoted);
}

static void check_login_escapes(struct dt *t, bool bytewise)
{
	(void)bytewise;
	const struct mt_credential *c = dt_cred(t, 0);
	dt_assert_bytes(&c->username, "user name");
	dt_assert_bytes(&c->password, "p a\"ss");
	assert_int_equal(c->outcome, OUTCOME_SUCCESS);
	const struct mt_line *l = dt_find_line(t, "a1 LOGIN");
	assert_non_null(l);
	/* the raw range of the secret: the quoted contents, escapes included */
	assert_int_equal(l->secret_off, 22);
	assert_int_equal(l->secret_len, 7);
}

static void test_login_quoted_escapes(void **state)
{
	(void)state;
	const struct step d[] = { S(GREETING), C("a1 LOGIN \"user name\" \"p a\\\"ss\"\r\n"), S("a1 OK done\r\n"), END };
	dialogue(d, check_login_escapes);
}

static void check_login_literals(struct dt *t, bool bytewise)
{
	(void)bytewise;
	assert_int_equal(t->s->ncreds, 1);
	const struct mt_credential *c = dt_cred(t, 0);
	assert_string_equal(c->mechanism, "LOGIN");
	dt_assert_bytes(&c->username, "alice");
	dt_assert_bytes(&c->password, "s3cret");
	assert_false(c->password.truncated);
	assert_int_equal(c->outcome, OUTCOME_SUCCESS);
	/* the password literal is a transcript line of its own, masked */
	const struct mt_line *l = dt_find_line(t, "s3cret");
	assert_non_null(l);
	assert_true(l->secret);
	assert_int_equal(l->secret_off, 0);
	assert_int_equal(l->secret_len, 6);
	assert_non_null(dt_find_line(t, "alice"));
	assert_non_null(line_with_decoded(t, "user=\"alice\" pass=\"s3cret\""));
	assert_non_null(line_with_decoded(t, "LOGIN succeeded"));
}

static void test_login_literals_with_continuation(void **state)
{
	(void)state;
	const struct step d[] = {
		S(GREETING), C("a LOGIN {5}\r\n"), S("+ Ready for literal data\r\n"), C("alice {6}\r\n"),
		S("+ \r\n"), C("s3cret\r\n"), S("a OK LOGIN completed\r\n"), END
	};
	dialogue(d, check_login_literals);
}

static void test_login_literals_without_continuation(void **state)
{
	(void)state;
	const struct step d[] = { S(GREETING), C("a LOGIN {5}\r\nalice {6}\r\ns3cret\r\n"), S("a OK LOGIN completed\r\n"), END };
	dialogue(d, check_login_literals);
}

static void test_login_literals_nonsync(void **state)
{
	(void)state;
	const struct step d[] = { S(GREETING), C("a LOGIN {5+}\r\nalice {6+}\r\ns3cret\r\n"), S("a OK LOGIN completed\r\n"), END };
	dialogue(d, check_login_literals);
}

static void check_login_mixed(struct dt *t, bool bytewise)
{
	(void)bytewise;
	const struct mt_credential *c = dt_cred(t, 0);
	dt_assert_bytes(&c->username, "alice");
	dt_assert_bytes(&c->password, "s3 cret");
	const struct mt_line *l = dt_find_line(t, "\"s3 cret\"");
	assert_non_null(l);
	assert_true(l->secret);
	assert_int_equal(l->secret_off, 2);
	assert_int_equal(l->secret_len, 7);
}

static void test_login_literal_user_quoted_pass(void **state)
{
	(void)state;
	const struct step d[] = { C("a LOGIN {5}\r\nalice \"s3 cret\"\r\n"), S("a OK\r\n"), END };
	dialogue(d, check_login_mixed);
}

static void check_login_failure(struct dt *t, bool bytewise)
{
	(void)bytewise;
	const struct mt_credential *c = dt_cred(t, 0);
	dt_assert_bytes(&c->username, "bob");
	dt_assert_bytes(&c->password, "wrong");
	assert_int_equal(c->outcome, OUTCOME_FAILURE);
	assert_true(c->reply_frame > 0);
	assert_true(sess_has_warning(t->s, W_AUTH_FAILED));
	assert_non_null(line_with_decoded(t, "LOGIN failed: authentication failed"));
	assert_int_equal(t->s->login, OUTCOME_FAILURE);
}

static void test_login_failure(void **state)
{
	(void)state;
	const struct step d[] = {
		S(GREETING), C("A001 LOGIN bob wrong\r\n"), S("A001 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"), END
	};
	dialogue(d, check_login_failure);
}

/* ---- AUTHENTICATE ---- */

static void check_auth_plain(struct dt *t, bool bytewise)
{
	(void)bytewise;
	assert_int_equal(t->s->ncreds, 1);
	const struct mt_credential *c = dt_cred(t, 0);
	assert_string_equal(c->mechanism, "AUTHENTICATE PLAIN");
	dt_assert_bytes(&c->username, "alice");
	dt_assert_bytes(&c->password, "s3cret");
	dt_assert_bytes(&c->authzid, "");
	assert_int_equal(c->outcome, OUTCOME_SUCCESS);
	const struct mt_line *l = dt_find_line(t, "AGFsaWNlAHMzY3JldA==");
	assert_non_null(l);
	assert_true(l->secret);
	assert_int_equal(l->secret_len, 20);
	assert_string_equal(l->decoded, "authzid=\"\" user=\"alice\" pass=\"s3cret\"");
	assert_string_equal(l->decoded_masked, "authzid=\"\" user=\"alice\" pass=\"********\"");
	assert_true(sess_has_warning(t->s, W_CLEARTEXT_CREDENTIALS));
}

static void test_auth_plain_sasl_ir(void **state)
{
	(void)state;
	const struct step d[] = {
		S(GREETING), C("a AUTHENTICATE PLAIN AGFsaWNlAHMzY3JldA==\r\n"), S("a OK Logged in\r\n"), END
	};
	dialogue(d, check_auth_plain);
}

static void test_auth_plain_continuation(void **state)
{
	(void)state;
	const struct step d[] = {
		S(GREETING), C("a authenticate plain\r\n"), S("+ \r\n"), C("AGFsaWNlAHMzY3JldA==\r\n"),
		S("a OK Logged in\r\n"), END
	};
	dialogue(d, check_auth_plain);
}

static void check_auth_login(struct dt *t, bool bytewise)
{
	(void)bytewise;
	const struct mt_credential *c = dt_cred(t, 0);
	assert_string_equal(c->mechanism, "AUTHENTICATE LOGIN");
	dt_assert_bytes(&c->username, "alice");
	dt_assert_bytes(&c->password, "s3cret");
	assert_int_equal(c->outcome, OUTCOME_FAILURE);
	assert_non_null(line_with_decoded(t, "[Username:]"));
	assert_non_null(line_with_decoded(t, "[Password:]"));
	const struct mt_line *l = dt_find_line(t, "czNjcmV0");
	assert_non_null(l);
	assert_true(l->secret);
	assert_string_equal(l->decoded_masked, "pass=\"********\"");
	l = dt_find_line(t, "YWxpY2U=");
	assert_non_null(l);
	assert_false(l->secret);
}

static void test_auth_login(void **state)
{
	(void)state;
	const struct step d[] = {
		S(GREETING), C("x AUTHENTICATE LOGIN\r\n"), S("+ VXNlcm5hbWU6\r\n"), C("YWxpY2U=\r\n"),
		S("+ UGFzc3dvcmQ6\r\n"), C("czNjcmV0\r\n"), S("x NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"), END
	};
	dialogue(d, check_auth_login);
}

static void check_cram(struct dt *t, bool bytewise)
{
	(void)bytewise;
	const struct mt_credential *c = dt_cred(t, 0);
	assert_string_equal(c->mechanism, "AUTHENTICATE CRAM-MD5");
	dt_assert_bytes(&c->username, "tim");
	dt_assert_bytes(&c->challenge, "<1896.697170952@postoffice.reston.mci.net>");
	dt_assert_bytes(&c->response, "b913a602c7eda7a495b4e6e7334d3890");
	assert_int_equal(c->password.len, 0);
	assert_int_equal(c->outcome, OUTCOME_SUCCESS);
	assert_true(sess_has_warning(t->s, W_CHALLENGE_RESPONSE_CRACKABLE));
	assert_false(sess_has_warning(t->s, W_CLEARTEXT_CREDENTIALS));
}

static void test_auth_cram_md5(void **state)
{
	(void)state;
	/* RFC 2195 §2 example */
	const struct step d[] = {
		S(GREETING), C("a AUTHENTICATE CRAM-MD5\r\n"),
		S("+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n"),
		C("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n"), S("a OK CRAM-MD5 authentication successful\r\n"), END
	};
	dialogue(d, check_cram);
}

static void check_xoauth2(struct dt *t, bool bytewise)
{
	(void)bytewise;
	const struct mt_credential *c = dt_cred(t, 0);
	assert_string_equal(c->mechanism, "AUTHENTICATE XOAUTH2");
	dt_assert_bytes(&c->username, "someuser@example.com");
	dt_assert_bytes(&c->password, "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg");
	const struct mt_line *l = dt_find_line(t, "a AUTHENTICATE XOAUTH2 ");
	assert_non_null(l);
	assert_true(l->secret);
	assert_null(strstr(l->decoded_masked, "ya29"));
}

static void test_auth_xoauth2(void **state)
{
	(void)state;
	/* Google's documented example */
	const struct step d[] = {
		S(GREETING),
		C("a AUTHENTICATE XOAUTH2 dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==\r\n"),
		S("a OK Success\r\n"), END
	};
	dialogue(d, check_xoauth2);
}

static void check_cancel(struct dt *t, bool bytewise)
{
	(void)bytewise;
	const struct mt_credential *c = dt_cred(t, 0);
	assert_true(c->cancelled);
	assert_int_equal(c->outcome, OUTCOME_UNKNOWN);
	assert_false(sess_has_warning(t->s, W_AUTH_FAILED));
	assert_false(sess_has_warning(t->s, W_SYNTAX_ERROR));
	assert_non_null(line_with_decoded(t, "cancelled by the client"));
	/* after the exchange, commands are commands again */
	assert_int_equal(t->s->ncreds, 2);
	dt_assert_bytes(&dt_cred(t, 1)->username, "alice");
	assert_int_equal(dt_cred(t, 1)->outcome, OUTCOME_SUCCESS);
}

static void test_auth_cancel(void **state)
{
	(void)state;
	const struct step d[] = {
		S(GREETING), C("a AUTHENTICATE PLAIN\r\n"), S("+ \r\n"), C("*\r\n"), S("a BAD AUTHENTICATE cancelled\r\n"),
		C("b LOGIN alice s3cret\r\n"), S("b OK\r\n"), END
	};
	dialogue(d, check_cancel);
}

/* ---- CAPABILITY / LOGINDISABLED ---- */

static void check_logindisabled(struct dt *t, bool bytewise)
{
	(void)bytewise;
	assert_true(t->s->logindisabled);
	assert_true(sess_has_warning(t->s, W_LOGINDISABLED_IGNORED));
	assert_int_equal(dt_cred(t, 0)->outcome, OUTCOME_FAILURE);
	assert_non_null(line_with_decoded(t, "server requires TLS"));
}

static void test_capability_logindisabled(void **state)
{
	(void)state;
	const struct step d[] = {
		S("* OK IMAP4rev1 Service Ready\r\n"), C("a CAPABILITY\r\n"),
		S("* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\na OK CAPABILITY completed\r\n"),
		C("b LOGIN alice s3cret\r\n"), S("b NO [PRIVACYREQUIRED] LOGIN disabled\r\n"), END
	};
	dialogue(d, check_logindisabled);
}

/* ---- STARTTLS ---- */

/* A minimal TLS 1.2 ClientHello record with server_name (RFC 6066 §3). */
static size_t client_hello(uint8_t *out, const char *host)
{
	size_t hn = strlen(host);
	uint8_t body[512];
	size_t n = 0;
	body[n++] = 3; body[n++] = 3;                 /* client_version */
	memset(body + n, 0x42, 32); n += 32;          /* random */
	body[n++] = 0;                                /* session id */
	body[n++] = 0; body[n++] = 2; body[n++] = 0x00; body[n++] = 0x2f; /* cipher suites */
	body[n++] = 1; body[n++] = 0;                 /* compression */
	size_t ext_len = 4 + 2 + 3 + hn;
	body[n++] = (uint8_t)(ext_len >> 8); body[n++] = (uint8_t)ext_len;
	body[n++] = 0; body[n++] = 0;                 /* server_name */
	body[n++] = (uint8_t)((hn + 5) >> 8); body[n++] = (uint8_t)(hn + 5);
	body[n++] = (uint8_t)((hn + 3) >> 8); body[n++] = (uint8_t)(hn + 3);
	body[n++] = 0;                                /* host_name */
	body[n++] = (uint8_t)(hn >> 8); body[n++] = (uint8_t)hn;
	memcpy(body + n, host, hn); n += hn;
	size_t k = 0;
	out[k++] = 22; out[k++] = 3; out[k++] = 1;
	out[k++] = (uint8_t)((n + 4) >> 8); out[k++] = (uint8_t)(n + 4);
	out[k++] = 1; out[k++] = 0; out[k++] = (uint8_t)(n >> 8); out[k++] = (uint8_t)n;
	memcpy(out + k, body, n);
	return k + n;
}

static uint8_t hello[600];
static size_t hello_len;

static void check_starttls(struct dt *t, bool bytewise)
{
	(void)bytewise;
	assert_int_equal(t->s->starttls.offered, TRI_TRUE);
	assert_int_equal(t->s->starttls.requested, TRI_TRUE);
	assert_int_equal(t->s->starttls.accepted, TRI_TRUE);
	assert_true(t->s->starttls.tls_seen);
	assert_int_equal(t->s->tls, TLS_STARTTLS);
	assert_non_null(t->s->sni);
	assert_string_equal(t->s->sni, "mail.example.org");
	assert_int_equal(t->s->ncreds, 0);   /* nothing is read inside TLS */
	assert_false(sess_has_warning(t->s, W_STARTTLS_INJECTION));
	assert_false(sess_has_warning(t->s, W_STARTTLS_WITHOUT_TLS));
	bool divider = false;
	for (size_t i = 0; i < t->s->nlines; i++)
		divider |= t->s->lines[i].kind == LINE_TLS;
	assert_true(divider);
}

static void test_starttls_accepted(void **state)
{
	(void)state;
	hello_len = client_hello(hello, "mail.example.org");
	static const uint8_t server_hello[] = { 22, 3, 3, 0, 4, 2, 0, 0, 0 };
	const struct step d[] = {
		S(GREETING), C("a STARTTLS\r\n"), S("a OK Begin TLS negotiation now.\r\n"), CB(hello, hello_len),
		SB(server_hello, sizeof(server_hello)), C("b LOGIN alice s3cret\r\n"), END
	};
	dialogue(d, check_starttls);
}

static void check_starttls_refused(struct dt *t, bool bytewise)
{
	(void)bytewise;
	assert_int_equal(t->s->starttls.requested, TRI_TRUE);
	assert_int_equal(t->s->starttls.accepted, TRI_FALSE);
	assert_true(sess_has_warning(t->s, W_STARTTLS_REFUSED));
	assert_int_equal(t->s->tls, TLS_NONE);
	/* decoding goes on in clear */
	assert_int_equal(t->s->ncreds, 1);
	assert_int_equal(dt_cred(t, 0)->outcome, OUTCOME_SUCCESS);
}

static void test_starttls_refused(void **state)
{
	(void)state;
	const struct step d[] = {
		S(GREETING), C("a STARTTLS\r\n"), S("a NO [UNAVAILABLE] TLS not available\r\n"),
		C("b LOGIN alice s3cret\r\n"), S("b OK\r\n"), END
	};
	dialogue(d, check_starttls_refused);
}

static void check_injection(struct dt *t, bool bytewise)
{
	(void)bytewise;
	assert_true(sess_has_warning(t->s, W_STARTTLS_INJECTION));
	assert_int_equal(t->s->starttls.accepted, TRI_TRUE);
	assert_int_equal(t->s->ncreds, 1);   /* the injected LOGIN, sent in clear */
	assert_non_null(dt_find_line(t, "injection"));
}

static void test_starttls_injection(void **state)
{
	(void)state;
	const struct step d[] = {
		S(GREETING), C("a STARTTLS\r\nb LOGIN x y\r\n"), S("a OK Begin TLS negotiation now.\r\n"), END
	};
	dialogue(d, check_injection);
}

/* ---- mailbox commands ---- */

static void check_status_select(struct dt *t, bool bytewise)
{
	(void)bytewise;
	assert_non_null(line_with_decoded(t, "mailbox=\"INBOX\" items=(MESSAGES RECENT UNSEEN)"));
	assert_non_null(line_with_decoded(t, "mailbox=\"INBOX\" MESSAGES=3 RECENT=0 UNSEEN=1"));
	assert_non_null(line_with_decoded(t, "[3 messages in the mailbox]"));
	assert_non_null(line_with_decoded(t, "mailbox opened read-write"));
	assert_non_null(line_with_decoded(t, "reference=\"\" pattern=\"*\""));
	assert_non_null(line_with_decoded(t, "mailbox=\"Sent Items\" flags=(\\HasNoChildren)"));
	assert_non_null(line_with_decoded(t, "client name=\"Thunderbird\" version=\"115\""));
	assert_non_null(line_with_decoded(t, "server name=\"Dovecot\""));
	assert_non_null(line_with_decoded(t, "[idling]"));
	assert_non_null(line_with_decoded(t, "[end of IDLE]"));
	assert_non_null(line_with_decoded(t, "server closes the connection"));
	assert_int_equal(t->s->warnings & ~(1u << W_CLEARTEXT_CREDENTIALS | 1u << W_CLEARTEXT_AUTH_DESPITE_STARTTLS_OFFERED), 0);
}

static void test_status_select_list_idle(void **state)
{
	(void)state;
	const struct step d[] = {
		S(GREETING), C("a login user pass\r\n"), S("a OK\r\n"),
		C("i ID (\"name\" \"Thunderbird\" \"version\" \"115\")\r\n"), S("* ID (\"name\" \"Dovecot\")\r\ni OK\r\n"),
		C("b status INBOX (MESSAGES RECENT UNSEEN)\r\n"),
		S("* STATUS INBOX (MESSAGES 3 RECENT 0 UNSEEN 1)\r\nb OK STATUS completed\r\n"),
		C("l LIST \"\" \"*\"\r\n"), S("* LIST (\\HasNoChildren) \"/\" \"Sent Items\"\r\nl OK\r\n"),
		C("c SELECT INBOX\r\n"),
		S("* FLAGS (\\Answered \\Seen)\r\n* 3 EXISTS\r\n* 0 RECENT\r\n* OK [UNSEEN 1] first unseen\r\n"
		  "c OK [READ-WRITE] SELECT completed\r\n"),
		C("d IDLE\r\n"), S("+ idling\r\n"), S("* 4 EXISTS\r\n"), C("DONE\r\n"), S("d OK IDLE terminated\r\n"),
		C("e LOGOUT\r\n"), S("* BYE Logging out\r\ne OK Logout completed.\r\n"), END
	};
	dialogue(d, check_status_select);
}

/* ---- messages ---- */

#define MSG "From: Alice <alice@example.org>\r\nTo: bob@example.org\r\nSubject: hello there\r\n\r\nHi Bob,\r\nsee you.\r\n"

static void check_fetch(struct dt *t, bool bytewise)
{
	(void)bytewise;
	assert_int_equal(t->s->nmsgs, 1);
	const struct mt_message *m = t->s->msgs[0];
	char sha[65];
	dt_sha256_hex(MSG, strlen(MSG), sha);
	assert_int_equal(m->dir, DIR_S2C);
	assert_string_equal(m->command, "a5 FETCH 1 BODY[]");
	assert_int_equal(m->size, strlen(MSG));
	assert_string_equal(m->sha256, sha);
	assert_true(m->complete);
	assert_non_null(m->subject);
	assert_string_equal(m->subject, "hello there");
	/* body lines are LINE_DATA; the tagged OK after it was understood */
	const struct mt_line *l = dt_find_line(t, "Hi Bob,");
	assert_non_null(l);
	assert_int_equal(l->kind, LINE_DATA);
	assert_non_null(line_with_decoded(t, "[message 1: 97 bytes follow]"));
	assert_non_null(dt_find_line(t, " FLAGS (\\Seen))"));
}

static void test_fetch_message(void **state)
{
	(void)state;
	char srv[512];
	snprintf(srv, sizeof(srv), "* 1 FETCH (BODY[] {%zu}\r\n%s FLAGS (\\Seen))\r\na5 OK FETCH completed\r\n", strlen(MSG), MSG);
	assert_int_equal(strlen(MSG), 97);
	const struct step d[] = { S(GREETING), C("a5 FETCH 1 BODY[]\r\n"), S(srv), END };
	dialogue(d, check_fetch);
}

static void check_fetch_unknown(struct dt *t, bool bytewise)
{
	(void)bytewise;
	assert_int_equal(t->s->nmsgs, 2);
	assert_string_equal(t->s->msgs[0]->command, "FETCH 7 RFC822.HEADER");
	assert_true(t->s->msgs[0]->complete);
	assert_string_equal(t->s->msgs[1]->command, "FETCH 7 BODY[]<0>");
	/* the ENVELOPE subject literal is not a message */
	assert_non_null(dt_find_line(t, "a literal subject"));
}

static void test_fetch_without_command(void **state)
{
	(void)state;
	/* picked up mid-stream: no FETCH command seen; several literals in one response */
	char srv[1024];
	snprintf(srv, sizeof(srv),
	         "* 7 FETCH (ENVELOPE (NIL {17}\r\na literal subject NIL) RFC822.HEADER {%zu}\r\n%s BODY[]<0> {%zu}\r\n%s)\r\n",
	         strlen(MSG), MSG, strlen(MSG), MSG);
	const struct step d[] = { S(srv), END };
	dialogue(d, check_fetch_unknown);
}

static void check_append(struct dt *t, bool bytewise)
{
	(void)bytewise;
	assert_int_equal(t->s->nmsgs, 1);
	const struct mt_message *m = t->s->msgs[0];
	assert_int_equal(m->dir, DIR_C2S);
	assert_string_equal(m->command, "A3 APPEND INBOX (\\Seen)");
	assert_int_equal(m->size, strlen(MSG));
	assert_true(m->complete);
	assert_string_equal(m->subject, "hello there");
	assert_non_null(line_with_decoded(t, "mailbox=\"INBOX\""));
}

static void test_append(void **state)
{
	(void)state;
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "A3 APPEND INBOX (\\Seen) {%zu}\r\n", strlen(MSG));
	const struct step d[] = {
		S(GREETING), C(cmd), S("+ Ready for literal data\r\n"), C(MSG "\r\n"),
		S("A3 OK [APPENDUID 38505 3955] APPEND completed\r\n"), END
	};
	dialogue(d, check_append);
}

/* ---- bounds ---- */

static void check_huge_literal(struct dt *t, bool bytewise)
{
	(void)bytewise;
	assert_int_equal(t->s->ncreds, 1);
	const struct mt_credential *c = dt_cred(t, 0);
	dt_assert_bytes(&c->username, "alice");
	dt_assert_bytes(&c->password, "abc");
	assert_true(c->password.truncated);
	assert_int_equal(c->outcome, OUTCOME_UNKNOWN);
	assert_int_equal(t->s->nmsgs, 1);
	assert_false(t->s->msgs[0]->complete);
	assert_int_equal(t->s->msgs[0]->size, 5);
	assert_non_null(line_with_decoded(t, "[literal of 4294967295 bytes, 3 received]"));
}

static void test_literal_4gb(void **state)
{
	(void)state;
	/* no 4 GB allocation (ASan would abort), and the stream just ends */
	const struct step d[] = {
		C("a LOGIN alice {4294967295}\r\nabc"), S("* 1 FETCH (BODY[] {4294967295}\r\nFrom:"), END
	};
	dialogue(d, check_huge_literal);
}

static void check_literal_longer_than_stream(struct dt *t, bool bytewise)
{
	(void)bytewise;
	const struct mt_credential *c = dt_cred(t, 0);
	dt_assert_bytes(&c->password, "short");
	assert_true(c->password.truncated);
	assert_int_equal(c->outcome, OUTCOME_UNKNOWN);
}

static void test_literal_longer_than_stream(void **state)
{
	(void)state;
	const struct step d[] = { S(GREETING), C("a LOGIN alice {100}\r\n"), S("+ OK\r\n"), C("short"), { FIN, DIR_C2S, NULL, 0 }, END };
	dialogue(d, check_literal_longer_than_stream);
}

static void check_max_literal(struct dt *t, bool bytewise)
{
	(void)bytewise;
	assert_int_equal(t->s->ncreds, 1);
	const struct mt_credential *c = dt_cred(t, 0);
	dt_assert_bytes(&c->username, "alice");
	dt_assert_bytes(&c->password, "01234567");   /* max_literal bytes kept */
	assert_true(c->password.truncated);
	assert_int_equal(c->outcome, OUTCOME_SUCCESS);
	assert_non_null(line_with_decoded(t, "[password] [literal of 20 bytes, first 8 kept]"));
	/* the bytes beyond were skipped, and the next command parsed */
	assert_non_null(line_with_decoded(t, "mailbox=\"INBOX\""));
}

static void test_max_literal_bound(void **state)
{
	(void)state;
	const struct step d[] = {
		{ LIMIT, 0, NULL, 8 }, C("a LOGIN alice {20}\r\n0123456789abcdefghij\r\n"), S("a OK\r\n"),
		C("b SELECT INBOX\r\n"), S("b OK\r\n"), END
	};
	dialogue(d, check_max_literal);
}

static void check_gap_in_literal(struct dt *t, bool bytewise)
{
	(void)bytewise;
	assert_int_equal(t->s->nmsgs, 1);
	const struct mt_message *m = t->s->msgs[0];
	assert_false(m->complete);
	assert_int_equal(m->size, 80);
	assert_true(sess_has_warning(t->s, W_STREAM_GAP));
	assert_non_null(dt_find_line(t, "[gap of 20 bytes]"));
	/* in sync again after the literal: the tagged reply is understood */
	assert_non_null(line_with_decoded(t, "[LOGOUT"));
	assert_non_null(line_with_decoded(t, "server closes"));
}

static void test_gap_inside_literal(void **state)
{
	(void)state;
	static char part1[41], part2[41];
	memset(part1, 'x', 40);
	memset(part2, 'y', 40);
	const struct step d[] = {
		S(GREETING), C("a FETCH 1 RFC822\r\n"), S("* 1 FETCH (RFC822 {100}\r\n"), S(part1), { GAP, DIR_S2C, NULL, 20 },
		S(part2), S(")\r\na OK FETCH completed\r\n"), C("b LOGOUT\r\n"), S("* BYE\r\nb NO no\r\n"), END
	};
	dialogue(d, check_gap_in_literal);
}

static void check_gap_in_line(struct dt *t, bool bytewise)
{
	(void)bytewise;
	/* the cut line is shown, not acted on; the next line is a command again */
	assert_int_equal(t->s->ncreds, 1);
	dt_assert_bytes(&dt_cred(t, 0)->username, "bob");
	assert_non_null(line_with_decoded(t, "[incomplete line: gap follows]"));
}

static void test_gap_inside_line(void **state)
{
	(void)state;
	const struct step d[] = {
		S(GREETING), C("a LOGIN alice s3"), { GAP, DIR_C2S, NULL, 7 }, C("b LOGIN bob pw\r\n"), S("b OK\r\n"), END
	};
	dialogue(d, check_gap_in_line);
}

/* ---- greetings ---- */

static void check_preauth(struct dt *t, bool bytewise)
{
	(void)bytewise;
	assert_non_null(t->s->greeting.data);
	assert_non_null(strstr(t->s->greeting.data, "PREAUTH"));
	assert_int_equal(t->s->ncreds, 0);
	assert_non_null(line_with_decoded(t, "PREAUTH: the session is already authenticated"));
	assert_string_equal(t->s->server_software, "Cyrus IMAP v2.4.17");
}

static void test_preauth(void **state)
{
	(void)state;
	const struct step d[] = {
		S("* PREAUTH [CAPABILITY IMAP4rev1] host Cyrus IMAP v2.4.17 server logged in as alice\r\n"),
		C("a SELECT INBOX\r\n"), S("a OK\r\n"), END
	};
	dialogue(d, check_preauth);
}

static void check_bye(struct dt *t, bool bytewise)
{
	(void)bytewise;
	assert_non_null(t->s->greeting.data);
	assert_non_null(line_with_decoded(t, "ALERT: too many connections"));
	assert_string_equal(t->s->server_software, "Microsoft Exchange 15.1");
}

static void test_bye_greeting(void **state)
{
	(void)state;
	const struct step d[] = {
		S("* BYE [ALERT] too many connections; Microsoft Exchange IMAP4 version 15.1\r\n"), END
	};
	dialogue(d, check_bye);
}

/* ---- COMPRESS=DEFLATE (RFC 4978) ---- */

static size_t deflate_raw(z_stream *z, const char *in, uint8_t *out, size_t cap)
{
	z->next_in = (Bytef *)(uintptr_t)in;
	z->avail_in = (uInt)strlen(in);
	z->next_out = out;
	z->avail_out = (uInt)cap;
	assert_int_equal(deflate(z, Z_SYNC_FLUSH), Z_OK);
	return cap - z->avail_out;
}

static uint8_t zc[2][256], zs[256];
static size_t zc_len[2], zs_len;

static void check_compress(struct dt *t, bool bytewise)
{
	(void)bytewise;
	assert_non_null(line_with_decoded(t, "COMPRESS accepted"));
	assert_int_equal(t->s->ncreds, 1);
	dt_assert_bytes(&dt_cred(t, 0)->username, "alice");
	dt_assert_bytes(&dt_cred(t, 0)->password, "zipped");
	assert_int_equal(dt_cred(t, 0)->outcome, OUTCOME_SUCCESS);
	assert_non_null(line_with_decoded(t, "[2 messages in the mailbox]"));
}

static void test_compress_deflate(void **state)
{
	(void)state;
	z_stream c, s;
	memset(&c, 0, sizeof(c));
	memset(&s, 0, sizeof(s));
	assert_int_equal(deflateInit2(&c, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
	assert_int_equal(deflateInit2(&s, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
	zc_len[0] = deflate_raw(&c, "b LOGIN alice zipped\r\n", zc[0], sizeof(zc[0]));
	zs_len = deflate_raw(&s, "b OK\r\n* 2 EXISTS\r\n", zs, sizeof(zs));
	zc_len[1] = deflate_raw(&c, "c LOGOUT\r\n", zc[1], sizeof(zc[1]));
	deflateEnd(&c);
	deflateEnd(&s);
	const struct step d[] = {
		S(GREETING), C("a COMPRESS DEFLATE\r\n"), S("a OK DEFLATE active\r\n"), CB(zc[0], zc_len[0]),
		SB(zs, zs_len), CB(zc[1], zc_len[1]), END
	};
	dialogue(d, check_compress);
}

static void check_ntlm(struct dt *t, bool bytewise)
{
	(void)bytewise;
	const struct mt_credential *c = dt_cred(t, 0);
	assert_string_equal(c->mechanism, "AUTHENTICATE NTLM");
	dt_assert_bytes(&c->username, "IMAPDOM\\kate");
	assert_int_equal(c->password.len, 0);
	assert_int_equal(c->outcome, OUTCOME_SUCCESS);
	const struct mt_line *l = line_with_decoded(t, "[NTLM authenticate]");
	assert_non_null(l);
	assert_int_equal(c->frame, l->frame);
	assert_non_null(line_with_decoded(t, "[NTLM challenge]"));
	assert_non_null(line_with_decoded(t, "workstation=\"IMAPHOST\""));
}

static void test_auth_ntlm(void **state)
{
	(void)state;
	/* from Arkime's synthetic NTLM capture */
	const struct step d[] = {
		S("* OK IMAP4rev1 server ready\r\n"), C("a001 AUTHENTICATE NTLM\r\n"), S("+ \r\n"),
		C("TlRMTVNTUAABAAAABwIAAgcABwAoAAAACAAIAC8AAAAKAGFKAAAAD0lNQVBET01JTUFQSE9TVA==\r\n"),
		S("+ TlRMTVNTUAACAAAADgAOADgAAAAFAgACASNFZ4mrze8AAAAAAAAAAAQABABGAAAACgBhSgAAAA9JAE0AQQBQAFQARwBUAAAAAAA=\r\n"),
		C("TlRMTVNTUAADAAAAGAAYAFgAAAAYABgAcAAAAA4ADgCIAAAACAAIAJYAAAAQABAAngAAABAAEACuAAAABQIAAgoAYUoAAAAPAAAAAAAAAAAAAAAAAAAAAExMTExMTExMTExMTExMTExMTExMTExMTE5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTkkATQBBAFAARABPAE0AawBhAHQAZQBJAE0AQQBQAEgATwBTAFQAS0tLS0tLS0tLS0tLS0tLSw==\r\n"),
		S("a001 OK AUTHENTICATE completed\r\n"), END
	};
	dialogue(d, check_ntlm);
}

static void check_uw_search(struct dt *t, bool bytewise)
{
	(void)bytewise;
	assert_string_equal(t->s->server_software, "UW IMAP 2007f.404");
	assert_non_null(line_with_decoded(t, "[3 matches]"));
	assert_non_null(line_with_decoded(t, "messages=1:* items=(FLAGS BODY.PEEK[HEADER.FIELDS (FROM)])"));
}

static void test_uw_greeting_search(void **state)
{
	(void)state;
	const struct step d[] = {
		S("* OK [CAPABILITY IMAP4REV1 I18NLEVEL=1 LITERAL+ SASL-IR] localhost IMAP4rev1 2007f.404 at Mon, 1 Jan 2024 10:00:00 +0000 (UTC)\r\n"),
		C("s UID SEARCH UNSEEN\r\n"), S("* SEARCH 2 84 882\r\ns OK SEARCH completed\r\n"),
		C("f UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (FROM)])\r\n"), S("f OK\r\n"), END
	};
	dialogue(d, check_uw_search);
}

static void check_text_literal(struct dt *t, bool bytewise)
{
	(void)bytewise;
	assert_int_equal(t->s->nmsgs, 0);   /* BODY[TEXT] is not a whole message */
	const struct mt_line *l = dt_find_line(t, "line 7 of the body");
	assert_non_null(l);
	assert_int_equal(l->kind, LINE_DATA);
	assert_non_null(dt_find_line(t, "short subject"));
	assert_true(sess_has_warning(t->s, W_STARTTLS_NOT_OFFERED));
	assert_true(sess_has_warning(t->s, W_STARTTLS_REFUSED));
	assert_false(sess_has_warning(t->s, W_SYNTAX_ERROR));
	assert_non_null(line_with_decoded(t, "[FETCH"));
}

static void test_text_literal_and_starttls_not_offered(void **state)
{
	(void)state;
	static char srv[2048];
	char body[1024] = "";
	for (int i = 0; i < 20; i++)
		snprintf(body + strlen(body), sizeof(body) - strlen(body), "line %d of the body\r\n", i);
	snprintf(srv, sizeof(srv), "* 1 FETCH (ENVELOPE (NIL {13}\r\nshort subject) BODY[TEXT] {%zu}\r\n%s)\r\nf NO no\r\n",
	         strlen(body), body);
	const struct step d[] = {
		S("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n"), C("s STARTTLS\r\n"), S("s BAD unknown command\r\n"),
		C("f FETCH 1 (ENVELOPE BODY[TEXT])\r\n"), S(srv), END
	};
	dialogue(d, check_text_literal);
}

/* ---- hostile bits ---- */

static void check_garbage(struct dt *t, bool bytewise)
{
	(void)bytewise;
	assert_true(t->s->nlines > 0);
	assert_int_equal(t->s->ncreds, 2);   /* the LOGIN without password, AUTHENTICATE FOO */
	assert_int_equal(dt_cred(t, 0)->password.len, 0);
	assert_string_equal(dt_cred(t, 1)->mechanism, "AUTHENTICATE FOO");
	assert_int_equal(dt_cred(t, 1)->outcome, OUTCOME_FAILURE);
}

static void test_garbage(void **state)
{
	(void)state;
	const struct step d[] = {
		S("garbage\r\n+\r\n*\r\n* \r\n* 1\r\n)\r\n{\r\n"), C("\r\nx\r\n\"\r\n{5}\r\n"), C("(((((\r\n"),
		C("a LOGIN alice\r\n"), C("a AUTHENTICATE\r\n"), C("b UID\r\n"), S("a OK\r\nb BAD\r\n"),
		C("t AUTHENTICATE FOO\r\n"), C("!!!notbase64\r\n"), S("t NO\r\n"), END
	};
	dialogue(d, check_garbage);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_login_atom_quoted),
		cmocka_unit_test(test_login_quoted_escapes),
		cmocka_unit_test(test_login_literals_with_continuation),
		cmocka_unit_test(test_login_literals_without_continuation),
		cmocka_unit_test(test_login_literals_nonsync),
		cmocka_unit_test(test_login_literal_user_quoted_pass),
		cmocka_unit_test(test_login_failure),
		cmocka_unit_test(test_auth_plain_sasl_ir),
		cmocka_unit_test(test_auth_plain_continuation),
		cmocka_unit_test(test_auth_login),
		cmocka_unit_test(test_auth_cram_md5),
		cmocka_unit_test(test_auth_xoauth2),
		cmocka_unit_test(test_auth_cancel),
		cmocka_unit_test(test_capability_logindisabled),
		cmocka_unit_test(test_starttls_accepted),
		cmocka_unit_test(test_starttls_refused),
		cmocka_unit_test(test_starttls_injection),
		cmocka_unit_test(test_status_select_list_idle),
		cmocka_unit_test(test_fetch_message),
		cmocka_unit_test(test_fetch_without_command),
		cmocka_unit_test(test_append),
		cmocka_unit_test(test_literal_4gb),
		cmocka_unit_test(test_literal_longer_than_stream),
		cmocka_unit_test(test_max_literal_bound),
		cmocka_unit_test(test_gap_inside_literal),
		cmocka_unit_test(test_gap_inside_line),
		cmocka_unit_test(test_preauth),
		cmocka_unit_test(test_bye_greeting),
		cmocka_unit_test(test_compress_deflate),
		cmocka_unit_test(test_auth_ntlm),
		cmocka_unit_test(test_uw_greeting_search),
		cmocka_unit_test(test_text_literal_and_starttls_not_offered),
		cmocka_unit_test(test_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
