/* test_telnet.c - telnet logins: character mode with echo and IAC
 * negotiation, line mode, router VTYs, the verdict heuristic. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "helpers/dtest.h"

#define C DIR_C2S
#define S DIR_S2C

static void assert_bytes(const struct mt_bytes *b, const char *s)
{
	assert_non_null(b->data);
	assert_int_equal(b->len, strlen(s));
	assert_memory_equal(b->data, s, b->len);
}

/* Character mode: each key in its own segment, echoed by the server
 * (RFC 857) except in the password; Enter is CR NUL (RFC 854). */
static void type_echo(struct dt *t, const char *s, bool echo)
{
	for (size_t i = 0; s[i]; i++) {
		dt_feed(t, C, s + i, 1);
		if (echo)
			dt_feed(t, S, s + i, 1);
	}
	dt_feed(t, C, "\r\0", 2);
	dt_feed(t, S, "\r\n", 2);
}

static void negotiate(struct dt *t)
{
	dt_feed(t, S, "\xff\xfd\x18\xff\xfd\x20\xff\xfd\x23\xff\xfd\x27", 12);
	dt_feed(t, C, "\xff\xfb\x18\xff\xfb\x20\xff\xfb\x23\xff\xfb\x27", 12);
	dt_feed(t, S, "\xff\xfa\x18\x01\xff\xf0", 6);
	dt_feed(t, C, "\xff\xfa\x18\x00XTERM\xff\xf0", 11);
	dt_feed(t, S, "\xff\xfb\x03\xff\xfd\x01\xff\xfb\x01", 9);   /* WILL SGA, DO ECHO, WILL ECHO */
	dt_feed(t, C, "\xff\xfd\x03\xff\xfc\x01\xff\xfd\x01", 9);
}

static void charmode_session(struct dt *t)
{
	dt_open(t, &mt_dissector_telnet);
	negotiate(t);
	dt_send(t, S, "Ubuntu 18.04.1 LTS\r\n");
	dt_send(t, S, "laptop login: ");
	type_echo(t, "shellcode", true);
	dt_send(t, S, "Password: ");
	type_echo(t, "shellcode33", false);
	dt_send(t, S, "\r\nLogin incorrect\r\n");
	dt_send(t, S, "laptop login: ");
	/* a typo fixed with backspace; the server echoes BS SP BS */
	for (const char *k = "shellcox"; *k; k++) {
		dt_feed(t, C, k, 1);
		dt_feed(t, S, k, 1);
	}
	dt_feed(t, C, "\b", 1);
	dt_feed(t, S, "\b \b", 3);
	type_echo(t, "de", true);
	dt_send(t, S, "Password: ");
	type_echo(t, "shellcode", false);
	dt_send(t, S, "Last login: Tue Apr 30 09:39:25 CEST 2019 on pts/1\r\n");
	dt_send(t, S, "Welcome to Ubuntu 18.04.1 LTS (GNU/Linux 4.15.0-34-generic x86_64)\r\n\r\n");
	dt_send(t, S, "\x1b]0;shellcode@laptop: ~\x07\x1b[01;32mshellcode@laptop\x1b[00m:~$ ");
	type_echo(t, "ls", true);
	dt_send(t, S, "Desktop    Music\r\n");
	dt_send(t, S, "shellcode@laptop:~$ ");
	type_echo(t, "exit", true);
	dt_send(t, S, "logout\r\n");
	dt_finish(t);
}

static void test_charmode_login(void **state)
{
	(void)state;
	struct dt t;
	charmode_session(&t);
	struct mt_session *s = t.s;
	assert_int_equal(s->ncreds, 2);
	const struct mt_credential *a = s->creds[0], *b = s->creds[1];
	assert_string_equal(a->mechanism, "TELNET");
	assert_bytes(&a->username, "shellcode");
	assert_bytes(&a->password, "shellcode33");
	assert_int_equal(a->outcome, OUTCOME_FAILURE);
	assert_true(a->typed);
	assert_bytes(&b->username, "shellcode");
	assert_bytes(&b->password, "shellcode");
	assert_int_equal(b->outcome, OUTCOME_SUCCESS);
	assert_true(b->typed);
	assert_true(b->reply_frame > b->frame);
	assert_true(sess_has_warning(s, W_CLEARTEXT_CREDENTIALS));
	assert_true(sess_has_warning(s, W_AUTH_FAILED));
	assert_non_null(s->greeting.data);
	assert_string_equal(s->greeting.data, "Ubuntu 18.04.1 LTS");

	/* the echo continues the prompt line */
	assert_non_null(dt_find_line(&t, "laptop login: shellcode"));
	/* the password prompt is its own line, before the typed password */
	const struct mt_line *pw = NULL, *prompt = NULL;
	for (size_t i = 0; i < s->nlines; i++) {
		const struct mt_line *l = &s->lines[i];
		if (!prompt && l->dir == S && !strcmp(l->text.data, "Password: "))
			prompt = l;
		if (!pw && l->dir == C && !strcmp(l->text.data, "shellcode33"))
			pw = l;
	}
	assert_non_null(prompt);
	assert_non_null(pw);
	assert_true(prompt < pw);
	assert_true(pw->secret);
	assert_int_equal(pw->secret_off, 0);
	assert_int_equal(pw->secret_len, 11);
	assert_true(pw->nkeys >= 11);
	/* typed client lines keep their keys; the fixed typo is applied */
	const struct mt_line *ls = NULL;
	for (size_t i = 0; i < s->nlines; i++)
		if (s->lines[i].dir == C && !strcmp(s->lines[i].text.data, "ls"))
			ls = &s->lines[i];
	assert_non_null(ls);
	assert_true(ls->nkeys >= 2);
	assert_non_null(dt_find_line(&t, "Login incorrect"));
	/* negotiation never reaches the transcript */
	for (size_t i = 0; i < s->nlines; i++)
		assert_null(memchr(s->lines[i].text.data, 0xff, s->lines[i].text.len));
	dt_free(&t);
}

/* Line mode (RFC 1184 LINEMODE, or a client with local echo): whole lines. */
static void linemode_session(struct dt *t, bool bytewise)
{
	dt_open(t, &mt_dissector_telnet);
	void (*send)(struct dt *, int, const char *) = bytewise ? dt_type : dt_send;
	dt_feed(t, S, "\xff\xfd\x03\xff\xfb\x18", 6);
	dt_feed(t, C, "\xff\xfb\x03\xff\xfd\x18", 6);
	send(t, S, "\r\nOpenBSD/i386 (oof) (ttyp2)\r\n\r\n");
	send(t, S, "login: ");
	send(t, C, "fake\r\n");
	dt_feed(t, S, "\xff\xfb\x01", 3);
	send(t, S, "Password:");
	send(t, C, "user\r\n");
	send(t, S, "\r\n");
	dt_feed(t, S, "\xff\xfc\x01", 3);
	send(t, S, "Last login: Sat Nov 27 20:11:43 on ttyp2 from bam.zing.org\r\n");
	send(t, S, "$ ");
	send(t, C, "ls\r\n");
	send(t, S, ".cshrc  .login\r\n$ ");
	dt_finish(t);
}

static void test_linemode_login(void **state)
{
	(void)state;
	struct dt w, b;
	linemode_session(&w, false);
	linemode_session(&b, true);
	for (struct dt *t = &w; t; t = t == &w ? &b : NULL) {
		assert_int_equal(t->s->ncreds, 1);
		const struct mt_credential *c = t->s->creds[0];
		assert_bytes(&c->username, "fake");
		assert_bytes(&c->password, "user");
		assert_int_equal(c->outcome, OUTCOME_SUCCESS);
		/* the prompt is ended before the answer: no "login: Password:" */
		assert_non_null(dt_find_line(t, "login: "));
		assert_null(dt_find_line(t, "login: Password:"));
		assert_non_null(dt_find_line(t, "OpenBSD/i386 (oof) (ttyp2)"));
	}
	assert_false(w.s->creds[0]->typed);
	assert_true(b.s->creds[0]->typed);
	/* whole and per byte: the same transcript */
	assert_int_equal(w.s->nlines, b.s->nlines);
	for (size_t i = 0; i < w.s->nlines; i++) {
		assert_int_equal(w.s->lines[i].dir, b.s->lines[i].dir);
		assert_string_equal(w.s->lines[i].text.data, b.s->lines[i].text.data);
	}
	dt_free(&w);
	dt_free(&b);
}

static void test_router_vty(void **state)
{
	(void)state;
	struct dt t;
	dt_open(&t, &mt_dissector_telnet);
	dt_feed(&t, C, "\xff\xfd\x01\xff\xfd\x03\xff\xfb\x18", 9);
	dt_feed(&t, S, "\xff\xfb\x01\xff\xfb\x01\xff\xfb\x01", 9);
	dt_send(&t, S, "\r\n\r\nLogin authentication\r\n\r\n");
	dt_send(&t, S, "\r\nUsername:");
	dt_feed(&t, C, "zh", 2);
	dt_feed(&t, S, "z", 1);
	dt_feed(&t, S, "h", 1);
	dt_feed(&t, C, "angsan", 6);   /* a fast typist: several keys per segment */
	dt_feed(&t, S, "angsan", 6);
	dt_feed(&t, C, "\r\n", 2);
	dt_send(&t, S, "\r\nPassword:");
	dt_type(&t, C, "321\r\n");
	dt_send(&t, S, "\r\n% Authentication failed\r\n");
	dt_send(&t, S, "\r\nUsername:");
	dt_type(&t, C, "zhangsan\r\n");
	dt_send(&t, S, "\r\nPassword:");
	dt_type(&t, C, "123\r\n");
	dt_send(&t, S, "\r\nInfo: The max number of VTY users is 10, and the number\r\n");
	dt_send(&t, S, "      of current VTY users on line is 1.\r\n");
	dt_send(&t, S, "\r\n<R1>");
	dt_type(&t, C, "dis cu\r\n");
	dt_finish(&t);
	assert_int_equal(t.s->ncreds, 2);
	assert_bytes(&t.s->creds[0]->username, "zhangsan");
	assert_bytes(&t.s->creds[0]->password, "321");
	assert_int_equal(t.s->creds[0]->outcome, OUTCOME_FAILURE);
	assert_bytes(&t.s->creds[1]->username, "zhangsan");
	assert_bytes(&t.s->creds[1]->password, "123");
	assert_int_equal(t.s->creds[1]->outcome, OUTCOME_SUCCESS);
	assert_true(t.s->creds[1]->typed);
	dt_free(&t);
}

static void test_reprompt_means_failure(void **state)
{
	(void)state;
	/* No message, just a new login prompt: the attempt failed. */
	struct dt t;
	dt_open(&t, &mt_dissector_telnet);
	dt_send(&t, S, "login: ");
	dt_send(&t, C, "root\r\n");
	dt_send(&t, S, "Password: ");
	dt_send(&t, C, "toor\r\n");
	dt_send(&t, S, "\r\n\r\nlogin: ");
	dt_finish(&t);
	assert_int_equal(t.s->ncreds, 1);
	assert_int_equal(t.s->creds[0]->outcome, OUTCOME_FAILURE);
	dt_free(&t);
}

static void test_no_verdict_unknown(void **state)
{
	(void)state;
	struct dt t;
	dt_open(&t, &mt_dissector_telnet);
	dt_send(&t, S, "User: ");
	dt_send(&t, C, "admin\r\n");
	dt_send(&t, S, "Password: ");
	dt_send(&t, C, "admin\r\n");
	dt_finish(&t);
	assert_int_equal(t.s->ncreds, 1);
	assert_bytes(&t.s->creds[0]->username, "admin");
	assert_int_equal(t.s->creds[0]->outcome, OUTCOME_UNKNOWN);
	dt_free(&t);
}

static void test_server_side_only(void **state)
{
	(void)state;
	/* Only the server's echo was captured: the user name comes from it. */
	struct dt t;
	dt_open(&t, &mt_dissector_telnet);
	dt_send(&t, S, "login: ");
	dt_type(&t, S, "alice\r\n");
	dt_send(&t, S, "Password: \r\nLogin incorrect\r\n");
	dt_finish(&t);
	assert_int_equal(t.s->ncreds, 1);
	assert_string_equal(t.s->greeting.data, "login:");
	assert_bytes(&t.s->creds[0]->username, "alice");
	assert_int_equal(t.s->creds[0]->password.len, 0);
	dt_free(&t);
}

static void test_echo_not_used_when_client_seen(void **state)
{
	(void)state;
	/* The echo differs from what was typed (the server masks it): the
	 * client's keys win. */
	struct dt t;
	dt_open(&t, &mt_dissector_telnet);
	dt_send(&t, S, "login: ");
	for (const char *k = "bob"; *k; k++) {
		dt_feed(&t, C, k, 1);
		dt_feed(&t, S, "*", 1);
	}
	dt_feed(&t, C, "\r\n", 2);
	dt_send(&t, S, "\r\nPassword: ");
	dt_type(&t, C, "pw\r\n");
	dt_send(&t, S, "\r\n$ ");
	dt_finish(&t);
	assert_int_equal(t.s->ncreds, 1);
	assert_bytes(&t.s->creds[0]->username, "bob");
	assert_int_equal(t.s->creds[0]->outcome, OUTCOME_SUCCESS);
	dt_free(&t);
}

static void test_gap_and_hostile(void **state)
{
	(void)state;
	struct dt t;
	dt_open(&t, &mt_dissector_telnet);
	dt_send(&t, S, "login: ");
	dt_gap(&t, C, 20);
	dt_send(&t, C, "x\r\n");
	dt_send(&t, S, "\xff\xfa\x18");          /* IAC SB never closed */
	uint8_t junk[2000];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 37 + 11);
	dt_feed(&t, S, junk, sizeof(junk));
	dt_feed(&t, C, junk, sizeof(junk));
	dt_gap(&t, S, 7);
	dt_finish(&t);
	/* the answer to the prompt was lost in the gap: no user name guessed */
	for (size_t i = 0; i < t.s->ncreds; i++)
		assert_true(t.s->creds[i]->username.len == 0 || strcmp(t.s->creds[i]->username.data, "x"));
	assert_true(sess_has_warning(t.s, W_STREAM_GAP));
	assert_non_null(dt_find_line(&t, "[gap of 20 bytes]"));
	dt_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_charmode_login),
		cmocka_unit_test(test_linemode_login),
		cmocka_unit_test(test_router_vty),
		cmocka_unit_test(test_reprompt_means_failure),
		cmocka_unit_test(test_no_verdict_unknown),
		cmocka_unit_test(test_server_side_only),
		cmocka_unit_test(test_echo_not_used_when_client_seen),
		cmocka_unit_test(test_gap_and_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
