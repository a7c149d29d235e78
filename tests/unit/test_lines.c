/* test_lines.c - the shared line splitter and its telnet NVT front end. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../dissect/lines.h"

#define MAXL 64

struct got {
	uint8_t text[1024];
	size_t len;
	struct mt_line_meta m;
	struct mt_key keys[128];
	uint32_t nkeys;
};

struct col {
	struct mt_lines l;
	struct got g[MAXL];
	int n;
	uint8_t raw[4096];
	size_t raw_len;
	int raw_done;
	uint64_t frame, ts;
	uint64_t bdat;        /* on a "BDAT n" line switch to raw for n bytes */
	bool forever_on;      /* on a "STARTTLS" line switch to raw for good */
};

static void on_line(void *ctx, int dir, const uint8_t *p, size_t n, const struct mt_line_meta *m)
{
	struct col *c = ctx;
	(void)dir;
	assert_true(c->n < MAXL);
	struct got *g = &c->g[c->n++];
	assert_true(n <= sizeof(g->text));
	memcpy(g->text, p, n);
	g->len = n;
	g->m = *m;
	g->nkeys = m->nkeys < 128 ? m->nkeys : 128;
	if (m->keys)
		memcpy(g->keys, m->keys, g->nkeys * sizeof(*m->keys));
	g->m.keys = NULL;
	if (n > 5 && !memcmp(p, "BDAT ", 5))
		mt_lines_raw(&c->l, (uint64_t)atoi((const char *)g->text + 5));
	if (c->forever_on && n == 8 && !memcmp(p, "STARTTLS", 8))
		mt_lines_raw_forever(&c->l);
}

static void on_raw(void *ctx, int dir, const uint8_t *p, size_t n, const struct mt_seg_info *info, bool done)
{
	struct col *c = ctx;
	(void)dir;
	(void)info;
	assert_true(c->raw_len + n <= sizeof(c->raw));
	memcpy(c->raw + c->raw_len, p, n);
	c->raw_len += n;
	c->raw_done += done;
}

static void col_init(struct col *c, size_t line_max)
{
	memset(c, 0, sizeof(*c));
	mt_lines_init(&c->l, line_max);
	c->ts = 1000000000ull;
}

/* One delivery (one TCP segment), 100 ms after the previous one. */
static void feed(struct col *c, const void *p, size_t n)
{
	struct mt_seg_info info = { 0 };
	info.frame = ++c->frame;
	c->ts += 100000000ull;
	info.ts_ns = c->ts;
	info.nsegs = 1;
	mt_lines_feed(&c->l, DIR_C2S, p, n, &info, on_line, on_raw, c);
}

static void feeds(struct col *c, const char *s)
{
	feed(c, s, strlen(s));
}

static void feed_bytes(struct col *c, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		feed(c, (const uint8_t *)p + i, 1);
}

static void gap(struct col *c, uint64_t len, uint64_t *swallowed)
{
	struct mt_seg_info info = { .frame = ++c->frame, .ts_ns = c->ts };
	uint64_t sw = mt_lines_gap(&c->l, DIR_C2S, len, &info, on_line, c);
	if (swallowed)
		*swallowed = sw;
}

static void flush(struct col *c)
{
	struct mt_seg_info info = { .frame = ++c->frame, .ts_ns = c->ts };
	mt_lines_flush(&c->l, DIR_C2S, &info, on_line, c);
}

static void assert_line(const struct col *c, int i, const char *text)
{
	assert_true(i < c->n);
	assert_int_equal(c->g[i].len, strlen(text));
	assert_memory_equal(c->g[i].text, text, strlen(text));
}

static void test_crlf(void **state)
{
	(void)state;
	struct col c;
	col_init(&c, 0);
	feeds(&c, "USER alice\r\nPASS s3cret\r\n");
	assert_int_equal(c.n, 2);
	assert_line(&c, 0, "USER alice");
	assert_line(&c, 1, "PASS s3cret");
	assert_false(c.g[0].m.bare_lf);
	assert_true(c.g[0].m.eol);
	assert_false(c.g[0].m.typed);
	assert_int_equal(c.g[1].m.frame, 1);
	assert_int_equal(c.l.lines, 2);
	mt_lines_free(&c.l);
}

static void test_split_across_segments(void **state)
{
	(void)state;
	struct col c;
	col_init(&c, 0);
	feeds(&c, "USER al");
	feeds(&c, "ice\r");
	feeds(&c, "\nQUIT\r\n");
	assert_int_equal(c.n, 2);
	assert_line(&c, 0, "USER alice");
	assert_int_equal(c.g[0].m.first_frame, 1);
	assert_int_equal(c.g[0].m.frame, 3);
	assert_false(c.g[0].m.bare_lf);
	assert_line(&c, 1, "QUIT");
	assert_int_equal(c.g[1].m.first_frame, 3);
	mt_lines_free(&c.l);
}

static void test_bare_lf(void **state)
{
	(void)state;
	struct col c;
	col_init(&c, 0);
	feeds(&c, "HELO x\nMAIL FROM:<a@b>\r\n");
	assert_int_equal(c.n, 2);
	assert_line(&c, 0, "HELO x");
	assert_true(c.g[0].m.bare_lf);
	assert_false(c.g[1].m.bare_lf);
	assert_int_equal(c.l.bare_lf_lines, 1);
	/* the same per byte */
	struct col d;
	col_init(&d, 0);
	feed_bytes(&d, "HELO x\nMAIL FROM:<a@b>\r\n", 24);
	assert_int_equal(d.n, 2);
	assert_line(&d, 0, "HELO x");
	assert_true(d.g[0].m.bare_lf);
	assert_line(&d, 1, "MAIL FROM:<a@b>");
	mt_lines_free(&c.l);
	mt_lines_free(&d.l);
}

static void test_overlong(void **state)
{
	(void)state;
	const char *in = "0123456789ABCDEF\r\nok\r\n";
	struct col c, d;
	col_init(&c, 8);
	col_init(&d, 8);
	feeds(&c, in);
	feed_bytes(&d, in, strlen(in));
	for (struct col *x = &c; x; x = x == &c ? &d : NULL) {
		assert_int_equal(x->n, 2);
		assert_line(x, 0, "01234567");
		assert_true(x->g[0].m.truncated);
		assert_line(x, 1, "ok");
		assert_false(x->g[1].m.truncated);
		assert_int_equal(x->l.truncated_lines, 1);
	}
	/* an overlong line that never ends is flushed once, cut */
	struct col e;
	col_init(&e, 4);
	feeds(&e, "abcdefgh");
	feeds(&e, "ijkl");
	flush(&e);
	assert_int_equal(e.n, 1);
	assert_line(&e, 0, "abcd");
	assert_true(e.g[0].m.truncated);
	assert_false(e.g[0].m.eol);
	mt_lines_free(&c.l);
	mt_lines_free(&d.l);
	mt_lines_free(&e.l);
}

static void test_typed_keys_and_timing(void **state)
{
	(void)state;
	struct col c;
	col_init(&c, 0);
	c.l.edit = true;
	feed_bytes(&c, "user x\r\n", 8);
	assert_int_equal(c.n, 1);
	assert_line(&c, 0, "user x");
	assert_true(c.g[0].m.typed);
	assert_false(c.g[0].m.edited);
	assert_int_equal(c.g[0].m.nsegs, 8);
	assert_int_equal(c.g[0].m.first_frame, 1);
	assert_int_equal(c.g[0].m.frame, 8);
	assert_int_equal(c.g[0].nkeys, 8);
	assert_int_equal(c.g[0].keys[0].byte, 'u');
	assert_int_equal(c.g[0].keys[0].ms, 0);
	assert_int_equal(c.g[0].keys[1].ms, 100);
	assert_int_equal(c.g[0].keys[5].byte, 'x');
	assert_int_equal(c.g[0].keys[5].ms, 500);
	/* keys start again with the next line */
	feed_bytes(&c, "ok\r\n", 4);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.g[1].nkeys, 4);
	assert_int_equal(c.g[1].keys[0].byte, 'o');
	assert_int_equal(c.g[1].keys[0].ms, 0);
	mt_lines_free(&c.l);
}

static void test_backspace_and_del(void **state)
{
	(void)state;
	struct col c;
	col_init(&c, 0);
	c.l.edit = true;
	feed_bytes(&c, "user labtesx\bt\r\n", 16);
	feed_bytes(&c, "pass ab\x7f\x7f" "cd\r\n", 13);
	assert_int_equal(c.n, 2);
	assert_line(&c, 0, "user labtest");
	assert_true(c.g[0].m.edited);
	assert_true(c.g[0].m.typed);
	assert_int_equal(c.g[0].nkeys, 16);
	assert_int_equal(c.g[0].keys[12].byte, 0x08);
	assert_line(&c, 1, "pass cd");
	assert_true(c.g[1].m.edited);
	/* more erases than characters: the line just empties */
	feed_bytes(&c, "a\b\b\bb\r\n", 7);
	assert_line(&c, 2, "b");
	/* a UTF-8 character is erased whole */
	feed_bytes(&c, "x\xc3\xa9\b\r\n", 6);
	assert_line(&c, 3, "x");
	mt_lines_free(&c.l);
}

static void test_backspace_not_applied(void **state)
{
	(void)state;
	/* Without edit (server side) and in a whole-line segment, 0x08 is data. */
	struct col c, d;
	col_init(&c, 0);
	feed_bytes(&c, "ab\bc\r\n", 6);
	assert_line(&c, 0, "ab\bc");
	col_init(&d, 0);
	d.l.edit = true;
	feeds(&d, "ab\bc\r\n");
	assert_line(&d, 0, "ab\bc");
	assert_false(d.g[0].m.edited);
	mt_lines_free(&c.l);
	mt_lines_free(&d.l);
}

static void test_iac_negotiation(void **state)
{
	(void)state;
	static const uint8_t in[] = "\xff\xfb\x01\xff\xfd\x03\xff\xfe\x22\xff\xfc\x05hello\r\n";
	struct col c, d;
	col_init(&c, 0);
	col_init(&d, 0);
	feed(&c, in, sizeof(in) - 1);
	feed_bytes(&d, in, sizeof(in) - 1);
	for (struct col *x = &c; x; x = x == &c ? &d : NULL) {
		assert_int_equal(x->n, 1);
		assert_line(x, 0, "hello");
		assert_true(x->l.nvt_seen);
	}
	/* per byte, negotiation bytes are not keystrokes */
	assert_int_equal(d.g[0].nkeys, 7);
	assert_int_equal(d.g[0].keys[0].byte, 'h');
	/* subnegotiation (terminal type) is skipped whole */
	struct col e;
	col_init(&e, 0);
	feed(&e, "\xff\xfa\x18\x00xterm\xff\xf0" "abc\r\n", 16);
	assert_int_equal(e.n, 1);
	assert_line(&e, 0, "abc");
	/* NVT off: 0xFF bytes are data */
	struct col f;
	col_init(&f, 0);
	f.l.nvt = MT_NVT_OFF;
	feeds(&f, "a\xff\xfb\x01z\r\n");
	assert_line(&f, 0, "a\xff\xfb\x01z");
	mt_lines_free(&c.l);
	mt_lines_free(&d.l);
	mt_lines_free(&e.l);
	mt_lines_free(&f.l);
}

static void test_iac_iac(void **state)
{
	(void)state;
	struct col c, d;
	col_init(&c, 0);
	col_init(&d, 0);
	feeds(&c, "\xff\xfd\x01" "a\xff\xff" "b\r\n");
	feed_bytes(&d, "\xff\xfd\x01" "a\xff\xff" "b\r\n", 9);
	assert_int_equal(c.n, 1);
	assert_line(&c, 0, "a\xff" "b");
	assert_line(&d, 0, "a\xff" "b");
	/* an 0xFF that is not followed by a command byte is data (AUTO mode) */
	struct col e;
	col_init(&e, 0);
	feeds(&e, "caf\xff" "e\r\n");
	assert_line(&e, 0, "caf\xff" "e");
	mt_lines_free(&c.l);
	mt_lines_free(&d.l);
	mt_lines_free(&e.l);
}

static void test_iac_sb_never_closed(void **state)
{
	(void)state;
	uint8_t buf[3 + 600 + 8];
	memcpy(buf, "\xff\xfa\x18", 3);
	memset(buf + 3, 'x', 600);
	memcpy(buf + 603, "\r\nok\r\n", 6);
	struct col c, d;
	col_init(&c, 0);
	col_init(&d, 0);
	feed(&c, buf, 609);
	feed_bytes(&d, buf, 609);
	for (struct col *x = &c; x; x = x == &c ? &d : NULL) {
		/* the subnegotiation is abandoned after its cap: no byte is lost
		 * beyond it, and the following lines come through */
		assert_int_equal(x->n, 2);
		assert_true(x->g[0].len > 0 && x->g[0].len < 600);
		for (size_t i = 0; i < x->g[0].len; i++)
			assert_int_equal(x->g[0].text[i], 'x');
		assert_line(x, 1, "ok");
	}
	assert_int_equal(c.g[0].len, d.g[0].len);
	mt_lines_free(&c.l);
	mt_lines_free(&d.l);
}

static void test_erase_char_and_line(void **state)
{
	(void)state;
	struct col c;
	col_init(&c, 0);
	feeds(&c, "\xff\xfb\x01" "abc\xff\xf7" "d\r\n");      /* IAC EC */
	feeds(&c, "junk\xff\xf8" "ls\r\n");                  /* IAC EL */
	assert_int_equal(c.n, 2);
	assert_line(&c, 0, "abd");
	assert_line(&c, 1, "ls");
	assert_true(c.g[1].m.edited);
	mt_lines_free(&c.l);
}

static void test_cr_nul(void **state)
{
	(void)state;
	/* RFC 854: CR NUL is a bare carriage return; telnet clients send it
	 * for Enter in character mode. */
	struct col c;
	col_init(&c, 0);
	c.l.nvt = MT_NVT_ON;
	feed(&c, "ls\r\0pwd\r\0", 10);
	assert_int_equal(c.n, 2);
	assert_line(&c, 0, "ls");
	assert_line(&c, 1, "pwd");
	/* typed per character, NVT only auto */
	struct col d;
	col_init(&d, 0);
	feed_bytes(&d, "shellcode\r\0", 11);
	assert_int_equal(d.n, 1);
	assert_line(&d, 0, "shellcode");
	assert_true(d.g[0].m.typed);
	assert_false(d.g[0].m.bare_lf);
	/* a bulk segment without telnet: CR NUL stays data, CR LF ends */
	struct col e;
	col_init(&e, 0);
	e.l.nvt = MT_NVT_OFF;
	feed(&e, "a\r\0b\r\n", 6);
	assert_int_equal(e.n, 1);
	assert_int_equal(e.g[0].len, 4);
	assert_memory_equal(e.g[0].text, "a\r\0b", 4);
	/* a bare CR inside a line is kept */
	struct col f;
	col_init(&f, 0);
	feeds(&f, "a\rb\r\n");
	assert_line(&f, 0, "a\rb");
	mt_lines_free(&c.l);
	mt_lines_free(&d.l);
	mt_lines_free(&e.l);
	mt_lines_free(&f.l);
}

static void test_raw_mode(void **state)
{
	(void)state;
	const char *in = "BDAT 5\r\nHELLOQUIT\r\n";
	struct col c, d;
	col_init(&c, 0);
	col_init(&d, 0);
	feeds(&c, in);
	feed_bytes(&d, in, strlen(in));
	for (struct col *x = &c; x; x = x == &c ? &d : NULL) {
		assert_int_equal(x->n, 2);
		assert_line(x, 0, "BDAT 5");
		assert_line(x, 1, "QUIT");
		assert_int_equal(x->raw_len, 5);
		assert_memory_equal(x->raw, "HELLO", 5);
		assert_int_equal(x->raw_done, 1);
	}
	/* raw for good: every later byte, CRLF or not */
	struct col e;
	col_init(&e, 0);
	e.forever_on = true;
	feeds(&e, "STARTTLS\r\n\x16\x03\x01\r\n");
	feeds(&e, "more\r\n");
	assert_int_equal(e.n, 1);
	assert_int_equal(e.raw_len, 5 + 6);
	assert_int_equal(e.raw_done, 0);
	uint64_t sw = 0;
	gap(&e, 100, &sw);
	assert_int_equal(sw, 100);
	mt_lines_free(&c.l);
	mt_lines_free(&d.l);
	mt_lines_free(&e.l);
}

static void test_gap(void **state)
{
	(void)state;
	struct col c;
	col_init(&c, 0);
	feeds(&c, "USER a");
	uint64_t sw = 1;
	gap(&c, 10, &sw);
	assert_int_equal(sw, 0);
	assert_int_equal(c.n, 1);
	assert_line(&c, 0, "USER a");
	assert_false(c.g[0].m.eol);
	feeds(&c, "bc\r\nNEXT\r\n");
	assert_int_equal(c.n, 3);
	assert_line(&c, 1, "bc");
	assert_true(c.g[1].m.after_gap);
	assert_line(&c, 2, "NEXT");
	assert_false(c.g[2].m.after_gap);
	/* a gap inside a raw run shortens it; the rest is raw, then lines */
	struct col d;
	col_init(&d, 0);
	feeds(&d, "BDAT 10\r\nabc");
	gap(&d, 4, &sw);
	assert_int_equal(sw, 4);
	feeds(&d, "xyzQUIT\r\n");
	assert_int_equal(d.raw_len, 6);
	assert_memory_equal(d.raw, "abcxyz", 6);
	assert_int_equal(d.raw_done, 1);
	assert_line(&d, 1, "QUIT");
	/* a gap longer than the raw run: lines resume after it, flagged */
	struct col e;
	col_init(&e, 0);
	feeds(&e, "BDAT 3\r\n");
	gap(&e, 10, &sw);
	assert_int_equal(sw, 3);
	feeds(&e, "tail\r\nQUIT\r\n");
	assert_line(&e, 1, "tail");
	assert_true(e.g[1].m.after_gap);
	assert_line(&e, 2, "QUIT");
	/* a gap while a CR is pending keeps the CR in the flushed line */
	struct col f;
	col_init(&f, 0);
	feeds(&f, "abc\r");
	gap(&f, 1, NULL);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.g[0].len, 4);
	mt_lines_free(&c.l);
	mt_lines_free(&d.l);
	mt_lines_free(&e.l);
	mt_lines_free(&f.l);
}

static void test_negotiation_segment_then_line(void **state)
{
	(void)state;
	/* A segment of negotiation only must not become part of the next
	 * line's frames or make a whole line look typed. */
	struct col c;
	col_init(&c, 0);
	feeds(&c, "\xff\xfd\x18\xff\xfd\x20\xff\xfd\x23\xff\xfd\x27");
	feeds(&c, "USER alice\r\n");
	feed_bytes(&c, "ab\r\n", 4);
	assert_int_equal(c.n, 2);
	assert_line(&c, 0, "USER alice");
	assert_int_equal(c.g[0].m.first_frame, 2);
	assert_false(c.g[0].m.typed);
	assert_line(&c, 1, "ab");
	assert_int_equal(c.g[1].m.first_frame, 3);
	assert_int_equal(c.g[1].m.nsegs, 4);
	assert_true(c.g[1].m.typed);
	/* negotiation, then typing: the line starts at the first key */
	struct col d;
	col_init(&d, 0);
	feeds(&d, "\xff\xfb\x18\xff\xfb\x1f\xff\xfb\x20");
	feed_bytes(&d, "ls\r\n", 4);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.g[0].m.first_frame, 2);
	assert_int_equal(d.g[0].keys[0].ms, 0);
	assert_true(d.g[0].m.typed);
	mt_lines_free(&c.l);
	mt_lines_free(&d.l);
}

static void test_erased_keys_then_whole_line(void **state)
{
	(void)state;
	/* Keys of a line erased to nothing belong to the line that follows,
	 * not to some later one. */
	struct col c;
	col_init(&c, 0);
	c.l.edit = true;
	feed_bytes(&c, "x\b", 2);
	feeds(&c, "QUIT\r\n");
	feeds(&c, "NOOP\r\n");
	assert_int_equal(c.n, 2);
	assert_line(&c, 0, "QUIT");
	assert_line(&c, 1, "NOOP");
	assert_int_equal(c.g[1].nkeys, 0);
	mt_lines_free(&c.l);
}

static void test_whole_equals_bytewise(void **state)
{
	(void)state;
	const char *in = "+OK ready\r\nline two\r\n\r\n.\r\nlast\r\n";
	struct col c, d;
	col_init(&c, 0);
	col_init(&d, 0);
	feeds(&c, in);
	feed_bytes(&d, in, strlen(in));
	flush(&c);
	flush(&d);
	assert_int_equal(c.n, d.n);
	assert_int_equal(c.n, 5);
	for (int i = 0; i < c.n; i++) {
		assert_int_equal(c.g[i].len, d.g[i].len);
		assert_memory_equal(c.g[i].text, d.g[i].text, c.g[i].len);
		assert_int_equal(c.g[i].m.bare_lf, d.g[i].m.bare_lf);
		assert_int_equal(c.g[i].m.eol, d.g[i].m.eol);
	}
	mt_lines_free(&c.l);
	mt_lines_free(&d.l);
}

static void test_flush_partial(void **state)
{
	(void)state;
	struct col c;
	col_init(&c, 0);
	feeds(&c, "QUIT");
	flush(&c);
	assert_int_equal(c.n, 1);
	assert_line(&c, 0, "QUIT");
	assert_false(c.g[0].m.eol);
	flush(&c);   /* nothing pending: nothing emitted */
	assert_int_equal(c.n, 1);
	mt_lines_free(&c.l);
	mt_lines_free(&c.l);   /* freeing twice is harmless */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_split_across_segments),
		cmocka_unit_test(test_bare_lf),
		cmocka_unit_test(test_overlong),
		cmocka_unit_test(test_typed_keys_and_timing),
		cmocka_unit_test(test_backspace_and_del),
		cmocka_unit_test(test_backspace_not_applied),
		cmocka_unit_test(test_iac_negotiation),
		cmocka_unit_test(test_iac_iac),
		cmocka_unit_test(test_iac_sb_never_closed),
		cmocka_unit_test(test_erase_char_and_line),
		cmocka_unit_test(test_cr_nul),
		cmocka_unit_test(test_raw_mode),
		cmocka_unit_test(test_gap),
		cmocka_unit_test(test_negotiation_segment_then_line),
		cmocka_unit_test(test_erased_keys_then_whole_line),
		cmocka_unit_test(test_whole_equals_bytewise),
		cmocka_unit_test(test_flush_partial),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
