/* test_ui_format.c - cell text of the ncurses views, without a terminal
 * (ui/tui_format.c): Info column, masks, keystrokes, sort order, widths. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../ui/tui_format.h"

static struct mt_model model;

static struct mt_session *new_session(enum mt_proto proto, const char *client, const char *server)
{
	struct mt_session *s = mt_session_new(&model);
	s->proto = proto;
	snprintf(s->client, sizeof(s->client), "%s", client);
	snprintf(s->server, sizeof(s->server), "%s", server);
	return s;
}

static struct mt_line *line(struct mt_session *s, int dir, uint64_t first, uint64_t frame, const char *text,
                            const char *decoded)
{
	return sess_line(s, dir, LINE_TEXT, first, frame, frame * 1000, (const uint8_t *)text, strlen(text), decoded);
}

static struct mt_packet packet(uint64_t frame, int dir, uint8_t flags, const char *payload)
{
	struct mt_packet p;
	memset(&p, 0, sizeof(p));
	p.frame = frame;
	p.dir = (uint8_t)dir;
	p.tcp_flags = flags;
	p.payload_len = (uint16_t)strlen(payload);
	p.preview_len = (uint8_t)(p.payload_len < sizeof(p.preview) ? p.payload_len : sizeof(p.preview));
	memcpy(p.preview, payload, p.preview_len);
	p.src = dir == DIR_C2S ? "10.0.0.5:51000" : "10.0.0.1:110";
	p.dst = dir == DIR_C2S ? "10.0.0.1:110" : "10.0.0.5:51000";
	p.len = 66 + p.payload_len;
	return p;
}

static int setup(void **state)
{
	mt_model_init(&model, NULL);
	model.keep_lines = true;
	return 0;
}

static int teardown(void **state)
{
	mt_model_free(&model);
	return 0;
}

#define SB_EQ(expr, want) do { struct mt_sbuf b_; mt_sbuf_init(&b_); expr; \
	assert_string_equal(b_.s ? b_.s : "", want); mt_sbuf_free(&b_); } while (0)

static void test_tcp_flags(void **state)
{
	SB_EQ(tui_tcp_flags(&b_, TF_SYN), "[SYN]");
	SB_EQ(tui_tcp_flags(&b_, TF_SYN | TF_ACK), "[SYN, ACK]");
	SB_EQ(tui_tcp_flags(&b_, TF_FIN | TF_ACK), "[FIN, ACK]");
	SB_EQ(tui_tcp_flags(&b_, TF_FIN | TF_PSH | TF_ACK), "[FIN, PSH, ACK]");
	SB_EQ(tui_tcp_flags(&b_, TF_RST), "[RST]");
	SB_EQ(tui_tcp_flags(&b_, 0), "[<None>]");
}

/* The per-character POP3 lab: "user labtest" typed one key per frame, the
 * server's "+OK", then "pass secret" typed, whose keystrokes are secret. */
static void test_packet_info_typed(void **state)
{
	struct mt_session *s = new_session(PROTO_POP3, "10.0.0.5:51000", "10.0.0.1:110");
	struct tui_lindex ix = { 0 };
	line(s, DIR_S2C, 4, 4, "+OK Qpopper ready", NULL);
	struct mt_line *l = line(s, DIR_C2S, 6, 30, "user labtest", NULL);
	struct mt_key keys[2] = { { 0, 'u' }, { 60, 's' } };
	sess_line_keys(l, keys, 2);
	line(s, DIR_S2C, 32, 32, "+OK Password required for labtest.", NULL);
	l = line(s, DIR_C2S, 34, 46, "pass s3cret", NULL);
	sess_line_secret(l, 5, 6, NULL);

	struct mt_packet p = packet(4, DIR_S2C, TF_PSH | TF_ACK, "+OK Qpopper ready\r\n");
	SB_EQ(tui_packet_info(&b_, &p, s, &ix, false), "S: +OK Qpopper ready");
	p = packet(8, DIR_C2S, TF_PSH | TF_ACK, "s");
	SB_EQ(tui_packet_info(&b_, &p, s, &ix, false), "C: s");
	p = packet(30, DIR_C2S, TF_PSH | TF_ACK, "\r\n");
	SB_EQ(tui_packet_info(&b_, &p, s, &ix, false), "C: user labtest  (typed)");
	p = packet(32, DIR_S2C, TF_PSH | TF_ACK, "+OK Password required for labtest.\r\n");
	SB_EQ(tui_packet_info(&b_, &p, s, &ix, false), "S: +OK Password required for labtest.");
	/* a key of the password is masked until revealed */
	p = packet(40, DIR_C2S, TF_PSH | TF_ACK, "c");
	SB_EQ(tui_packet_info(&b_, &p, s, &ix, false), "C: *");
	SB_EQ(tui_packet_info(&b_, &p, s, &ix, true), "C: c");
	p = packet(46, DIR_C2S, TF_PSH | TF_ACK, "\r\n");
	SB_EQ(tui_packet_info(&b_, &p, s, &ix, false), "C: pass ********");
	SB_EQ(tui_packet_info(&b_, &p, s, &ix, true), "C: pass s3cret");
	/* empty segments: ports and flags, like Wireshark */
	p = packet(31, DIR_S2C, TF_ACK, "");
	SB_EQ(tui_packet_info(&b_, &p, s, &ix, false), "110 \xe2\x86\x92 51000 [ACK]");
	/* a typed space is visible */
	p = packet(14, DIR_C2S, TF_PSH | TF_ACK, " ");
	SB_EQ(tui_packet_info(&b_, &p, s, &ix, false), "C: \xe2\x90\xa3");
	/* control bytes from the wire are escaped */
	p = packet(50, DIR_C2S, TF_PSH | TF_ACK, "\x1b[2J");
	SB_EQ(tui_packet_info(&b_, &p, s, &ix, false), "C: \\e[2J");
	tui_lindex_free(&ix);
}

static void test_packet_info_multi_and_tls(void **state)
{
	struct mt_session *s = new_session(PROTO_SMTP, "10.0.0.5:51001", "10.0.0.1:25");
	struct tui_lindex ix = { 0 };
	line(s, DIR_S2C, 8, 8, "250-mail.lab.test", NULL);
	line(s, DIR_S2C, 8, 8, "250-STARTTLS", NULL);
	line(s, DIR_S2C, 8, 8, "250 CHUNKING", NULL);
	line(s, DIR_C2S, 9, 9, "STARTTLS", NULL);
	line(s, DIR_S2C, 10, 10, "220 Ready to start TLS", NULL);
	sess_starttls_offered(s);
	sess_starttls_requested(s, 9);
	sess_starttls_reply(s, true, 10);
	s->tls = TLS_STARTTLS;
	struct mt_packet p = packet(8, DIR_S2C, TF_PSH | TF_ACK, "250-mail.lab.test\r\n250-STARTTLS\r\n");
	SB_EQ(tui_packet_info(&b_, &p, s, &ix, false), "S: 250-mail.lab.test  (+2)");
	assert_string_equal(tui_proto_label(s, 8, TF_ACK), "SMTP");
	p = packet(12, DIR_S2C, TF_PSH | TF_ACK, "\x16\x03\x03\x00\x7a");
	p.payload_len = 871;
	SB_EQ(tui_packet_info(&b_, &p, s, &ix, false), "S: [TLS] 871 bytes");
	assert_string_equal(tui_proto_label(s, 12, TF_ACK), "TLS");
	assert_string_equal(tui_proto_label(s, TUI_FRAME_EMPTY, TF_ACK), "TCP");
	assert_string_equal(tui_proto_label(NULL, 3, TF_SYN), "TCP");
	assert_string_equal(tui_tls_state(s), "STARTTLS, no TLS");
	sess_tls_seen(s, 11);
	assert_string_equal(tui_tls_state(s), "STARTTLS\xe2\x86\x92TLS");
	/* lines appended out of frame order are still found */
	line(s, DIR_C2S, 5, 5, "late note", NULL);
	size_t n;
	long li = tui_lindex_find(&ix, s, 5, &n);
	assert_true(li >= 0);
	assert_int_equal(n, 1);
	assert_string_equal(s->lines[li].text.data, "late note");
	assert_int_equal(tui_lindex_at_or_after(&ix, s, 9), 3);
	assert_int_equal(tui_lindex_find(&ix, s, 7, &n), -1);
	tui_lindex_free(&ix);
}

static void test_line_text_and_decoded(void **state)
{
	struct mt_session *s = new_session(PROTO_SMTP, "10.0.0.5:51002", "10.0.0.1:25");
	struct mt_line *l = line(s, DIR_C2S, 20, 20, "AGFsaWNlAHMzY3JldA==", "authzid=\"\" user=\"alice\" pass=\"s3cret\"");
	sess_line_secret(l, 0, 20, "authzid=\"\" user=\"alice\" pass=\"********\"");
	SB_EQ(tui_line_text(&b_, l, false), "********");
	SB_EQ(tui_line_text(&b_, l, true), "AGFsaWNlAHMzY3JldA==");
	assert_string_equal(tui_line_decoded(l, false), "authzid=\"\" user=\"alice\" pass=\"********\"");
	assert_string_equal(tui_line_decoded(l, true), "authzid=\"\" user=\"alice\" pass=\"s3cret\"");
	l = line(s, DIR_S2C, 21, 21, "334 VXNlcm5hbWU6", "[Username:]");
	assert_string_equal(tui_line_decoded(l, false), "[Username:]");
	l = line(s, DIR_C2S, 22, 22, "bad\x07\x9b" "31m", NULL);
	SB_EQ(tui_line_text(&b_, l, false), "bad\\x07\\x9b31m");
}

static void test_keys_text(void **state)
{
	struct mt_session *s = new_session(PROTO_POP3, "10.0.0.5:51003", "10.0.0.1:110");
	struct mt_line *l = line(s, DIR_C2S, 1, 5, "list", NULL);
	struct mt_key k[6] = { { 0, 'l' }, { 70, 'i' }, { 130, 's' }, { 220, 'y' }, { 293, 0x7f }, { 404, 't' } };
	sess_line_keys(l, k, 6);
	SB_EQ(tui_keys_text(&b_, l, false), "l+0 i+70 s+130 y+220 \xe2\x8c\xab+293 t+404 (ms)");
	l = line(s, DIR_C2S, 6, 9, "pass x", NULL);
	struct mt_key k2[2] = { { 0, 'x' }, { 90, '\r' } };
	sess_line_keys(l, k2, 2);
	sess_line_secret(l, 5, 1, NULL);
	SB_EQ(tui_keys_text(&b_, l, false), "2 keys over 90 ms (masked: r reveals)");
	SB_EQ(tui_keys_text(&b_, l, true), "x+0 \xe2\x8f\x8e+90 (ms)");
}

static void test_creds(void **state)
{
	struct mt_session *s = new_session(PROTO_POP3, "10.0.0.5:51004", "10.0.0.1:110");
	struct mt_credential *c = sess_cred_new(s, "USER/PASS", 58);
	mt_bytes_set(&c->username, "labtest", 7, 0);
	mt_bytes_set(&c->password, "wr\x1bong", 6, 0);
	SB_EQ(tui_cred_secret(&b_, c, false), "********");
	SB_EQ(tui_cred_secret(&b_, c, true), "wr\\eong");
	assert_true(tui_cred_exposed(c));
	assert_true(tui_session_exposed(s));
	assert_string_equal(tui_login_label(s), "?");
	sess_cred_outcome(s, c, OUTCOME_FAILURE, 60);
	assert_string_equal(tui_login_label(s), "FAILED");
	struct mt_credential *a = sess_cred_new(s, "APOP", 70);
	mt_bytes_set(&a->response, "c4c9334bac560ecc979e58001b3e22fb", 32, 0);
	SB_EQ(tui_cred_secret(&b_, a, false), "resp ********");
	struct mt_session *t = new_session(PROTO_IMAP, "10.0.0.5:51005", "10.0.0.1:993");
	t->tls = TLS_IMPLICIT;
	struct mt_credential *ct = sess_cred_new(t, "LOGIN", 9);
	mt_bytes_set(&ct->password, "x", 1, 0);
	assert_false(tui_cred_exposed(ct));
	assert_string_equal(tui_tls_state(t), "implicit TLS");
	SB_EQ(tui_warnings_text(&b_, (1u << W_AUTH_FAILED) | (1u << W_CLEARTEXT_CREDENTIALS)),
	      "cleartext_credentials,auth_failed");
}

static void test_sort_order(void **state)
{
	struct mt_model m2;
	mt_model_init(&m2, NULL);
	struct mt_session *a = mt_session_new(&m2), *b = mt_session_new(&m2), *c = mt_session_new(&m2);
	snprintf(a->client, sizeof(a->client), "10.0.0.5:10");
	snprintf(b->client, sizeof(b->client), "10.0.0.5:9");
	snprintf(c->client, sizeof(c->client), "10.0.0.10:1");
	a->bytes_c2s = 500;
	b->bytes_c2s = 100;
	c->bytes_s2c = 100;
	a->warnings = 3;
	/* endpoints: by address, then port numerically */
	assert_true(tui_session_cmp(b, a, SORT_CLIENT, false) < 0);
	assert_true(tui_session_cmp(c, b, SORT_CLIENT, false) < 0);   /* "10.0.0.10" < "10.0.0.5" as text */
	/* equal keys fall back to the id: a total order */
	assert_true(tui_session_cmp(b, c, SORT_BYTES, false) < 0);
	assert_true(tui_session_cmp(b, c, SORT_BYTES, true) > 0);
	assert_true(tui_session_cmp(a, b, SORT_BYTES, true) < 0);
	assert_true(tui_session_cmp(a, b, SORT_WARN, true) < 0);
	assert_int_equal(tui_session_cmp(a, a, SORT_ID, false), 0);
	assert_string_equal(tui_sort_name(SORT_BYTES), "bytes");
	mt_model_free(&m2);
}

static void test_fit_and_width(void **state)
{
	assert_int_equal(tui_text_width("abc"), 3);
	assert_int_equal(tui_text_width("\xe2\x86\x92"), 1);        /* → */
	assert_int_equal(tui_text_width("\xe6\x97\xa5\xe6\x9c\xac"), 4); /* 日本: two wide */
	SB_EQ(tui_fit(&b_, "abcdef", 0, 4, false), "abcd");
	SB_EQ(tui_fit(&b_, "ab", 0, 4, true), "ab  ");
	SB_EQ(tui_fit(&b_, "abcdef", 2, 3, false), "cde");
	/* a wide character never straddles the right edge */
	SB_EQ(tui_fit(&b_, "a\xe6\x97\xa5", 0, 2, true), "a ");
	/* nor the left one: its remaining half becomes a space */
	SB_EQ(tui_fit(&b_, "\xe6\x97\xa5x", 1, 3, false), " x");
	SB_EQ(tui_fit(&b_, "a\x1b[2Jb\x07", 0, 10, false), "a?[2Jb?");
	tui_ascii_only = true;
	SB_EQ(tui_fit(&b_, "\xe2\x86\x92x", 0, 5, false), "?x");
	tui_ascii_only = false;
}

static void test_layout(void **state)
{
	struct tui_col c[4] = {
		{ "No.", 7, 5, 1, true, 0, 0 },
		{ "Src", 20, 10, 2, false, 0, 0 },
		{ "Len", 6, 5, 4, true, 0, 0 },
		{ "Info", 30, 18, 0, false, 0, 0 },
	};
	tui_layout(c, 4, 120);
	assert_int_equal(c[0].w, 7);
	assert_int_equal(c[3].w, 120 - 7 - 20 - 6 - 3);   /* spare goes to the last */
	assert_int_equal(c[1].x, 8);
	tui_layout(c, 4, 60);
	/* least important shrink first: Len to 5, then Src ... */
	assert_int_equal(c[2].w, 5);
	assert_true(c[3].w >= 18);
	int total = 0;
	for (int i = 0; i < 4; i++)
		total += c[i].w ? c[i].w + 1 : 0;
	assert_true(total - 1 <= 60);
	tui_layout(c, 4, 40);
	assert_int_equal(c[2].w, 0);                        /* hidden */
	assert_true(c[0].w && c[1].w && c[3].w);
	tui_layout(c, 4, 10);
	assert_true(c[3].w > 0 && c[3].w <= 10);
}

static void test_safe_name_and_time(void **state)
{
	char n[64];
	tui_safe_name(n, sizeof(n), "mailtap-session-1-pop3-10.0.0.5:51000-[::1]:110");
	assert_string_equal(n, "mailtap-session-1-pop3-10.0.0.5_51000-___1__110");
	tui_safe_name(n, sizeof(n), "../../etc/passwd");
	assert_null(strchr(n, '/'));
	assert_true(n[0] != '.');
	tui_safe_name(n, sizeof(n), "");
	assert_string_equal(n, "_");
	tui_safe_name(n, 5, "abcdefgh");
	assert_string_equal(n, "abcd");
	SB_EQ(tui_rel_time(&b_, 1500000000ull + 12345678901ull, 1500000000ull), "12.345678");
	SB_EQ(tui_rel_time(&b_, 1, 5), "0.000000");
	SB_EQ(tui_abs_time(&b_, 1683441675123456789ull), "2023-05-07 06:41:15.123");
	SB_EQ(tui_bytes_text(&b_, 999), "999 B");
	SB_EQ(tui_bytes_text(&b_, 1557), "1.6 kB");
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");   /* wcwidth of non-ASCII */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_flags),
		cmocka_unit_test(test_packet_info_typed),
		cmocka_unit_test(test_packet_info_multi_and_tls),
		cmocka_unit_test(test_line_text_and_decoded),
		cmocka_unit_test(test_keys_text),
		cmocka_unit_test(test_creds),
		cmocka_unit_test(test_sort_order),
		cmocka_unit_test(test_fit_and_width),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_safe_name_and_time),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
