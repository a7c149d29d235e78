/* test_imap_token.c - the IMAP tokenizer (dissect/imap_token.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../dissect/imap_token.h"

struct tz { struct mt_imap_tokenizer t; const char *src; };

static void tz_init(struct tz *z, const char *s)
{
	z->src = s;
	mt_imap_tok_init(&z->t, (const uint8_t *)s, strlen(s));
}

/* The value of a token as a C string (static buffer). */
static const char *val(struct tz *z, const struct mt_imap_tok *tok)
{
	static char buf[512];
	size_t n = mt_imap_tok_value(&z->t, tok, (uint8_t *)buf, sizeof(buf) - 1);
	if (n > sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	buf[n] = 0;
	return buf;
}

static void expect(struct tz *z, enum mt_imap_tok_kind kind, const char *value)
{
	struct mt_imap_tok tok;
	assert_int_equal(mt_imap_tok_next(&z->t, &tok), kind);
	if (value)
		assert_string_equal(val(z, &tok), value);
}

static void test_atoms_and_nil(void **state)
{
	(void)state;
	struct tz z;
	tz_init(&z, "a001 login alice NIL nil \\Seen INBOX.Sent\r\n");
	expect(&z, IMAP_TOK_ATOM, "a001");
	expect(&z, IMAP_TOK_ATOM, "login");
	expect(&z, IMAP_TOK_ATOM, "alice");
	expect(&z, IMAP_TOK_NIL, "NIL");
	expect(&z, IMAP_TOK_NIL, "nil");
	expect(&z, IMAP_TOK_ATOM, "\\Seen");
	expect(&z, IMAP_TOK_ATOM, "INBOX.Sent");
	expect(&z, IMAP_TOK_END, NULL);
	expect(&z, IMAP_TOK_END, NULL);   /* stays at the end */
}

static void test_quoted_escapes(void **state)
{
	(void)state;
	struct tz z;
	struct mt_imap_tok tok;
	tz_init(&z, "\"pa\\\"ss\\\\word\" \"user name\" \"\"");
	assert_int_equal(mt_imap_tok_next(&z.t, &tok), IMAP_TOK_QUOTED);
	assert_string_equal(val(&z, &tok), "pa\"ss\\word");
	assert_int_equal(tok.off, 0);
	assert_int_equal(tok.len, 14);       /* "pa\"ss\\word" with its quotes */
	assert_int_equal(tok.voff, 1);
	assert_int_equal(tok.vlen, 12);
	assert_false(tok.bad_escape);
	expect(&z, IMAP_TOK_QUOTED, "user name");
	expect(&z, IMAP_TOK_QUOTED, "");
	expect(&z, IMAP_TOK_END, NULL);

	/* a backslash before another character is kept and flagged */
	tz_init(&z, "\"a\\b\"");
	assert_int_equal(mt_imap_tok_next(&z.t, &tok), IMAP_TOK_QUOTED);
	assert_true(tok.bad_escape);
	assert_string_equal(val(&z, &tok), "a\\b");
}

static void test_literals(void **state)
{
	(void)state;
	struct tz z;
	struct mt_imap_tok tok;
	static const char src[] = "a LOGIN {5}\r\nalice {6+}\r\ns3cret ~{3}\r\n\x00\x01\x02 x";
	/* the binary literal holds NULs: give the true length */
	mt_imap_tok_init(&z.t, (const uint8_t *)src, sizeof(src) - 1);
	expect(&z, IMAP_TOK_ATOM, "a");
	expect(&z, IMAP_TOK_ATOM, "LOGIN");
	assert_int_equal(mt_imap_tok_next(&z.t, &tok), IMAP_TOK_LITERAL);
	assert_int_equal(tok.lit_kind, IMAP_LIT_SYNC);
	assert_int_equal(tok.lit_len, 5);
	assert_int_equal(tok.short_by, 0);
	assert_string_equal(val(&z, &tok), "alice");
	assert_int_equal(mt_imap_tok_next(&z.t, &tok), IMAP_TOK_LITERAL);
	assert_int_equal(tok.lit_kind, IMAP_LIT_NONSYNC);
	assert_string_equal(val(&z, &tok), "s3cret");
	assert_int_equal(mt_imap_tok_next(&z.t, &tok), IMAP_TOK_LITERAL);
	assert_int_equal(tok.lit_kind, IMAP_LIT_BINARY);
	assert_int_equal(tok.vlen, 3);
	assert_memory_equal(z.t.buf + tok.voff, "\x00\x01\x02", 3);
	expect(&z, IMAP_TOK_ATOM, "x");
	expect(&z, IMAP_TOK_END, NULL);
}

static void test_literal_short_and_huge(void **state)
{
	(void)state;
	struct tz z;
	struct mt_imap_tok tok;
	tz_init(&z, "{4294967295}\r\nabc");
	assert_int_equal(mt_imap_tok_next(&z.t, &tok), IMAP_TOK_LITERAL);
	assert_int_equal(tok.lit_len, 4294967295ull);
	assert_int_equal(tok.vlen, 3);
	assert_int_equal(tok.short_by, 4294967292ull);
	expect(&z, IMAP_TOK_END, NULL);

	/* a marker at the very end: no data arrived */
	tz_init(&z, "a LOGIN {5}");
	expect(&z, IMAP_TOK_ATOM, "a");
	expect(&z, IMAP_TOK_ATOM, "LOGIN");
	assert_int_equal(mt_imap_tok_next(&z.t, &tok), IMAP_TOK_LITERAL);
	assert_int_equal(tok.vlen, 0);
	assert_int_equal(tok.short_by, 5);

	/* an empty literal */
	tz_init(&z, "{0}\r\n x");
	assert_int_equal(mt_imap_tok_next(&z.t, &tok), IMAP_TOK_LITERAL);
	assert_int_equal(tok.vlen, 0);
	assert_int_equal(tok.short_by, 0);
	expect(&z, IMAP_TOK_ATOM, "x");
}

static void test_lists(void **state)
{
	(void)state;
	struct tz z;
	struct mt_imap_tok tok;
	tz_init(&z, "(a (b \"c d\") {1}\r\n) NIL) tail");
	expect(&z, IMAP_TOK_LPAREN, NULL);
	expect(&z, IMAP_TOK_ATOM, "a");
	expect(&z, IMAP_TOK_LPAREN, NULL);
	assert_int_equal(z.t.depth, 2);
	expect(&z, IMAP_TOK_ATOM, "b");
	expect(&z, IMAP_TOK_QUOTED, "c d");
	expect(&z, IMAP_TOK_RPAREN, NULL);
	/* a literal inside a list may hold a parenthesis */
	assert_int_equal(mt_imap_tok_next(&z.t, &tok), IMAP_TOK_LITERAL);
	assert_string_equal(val(&z, &tok), ")");
	expect(&z, IMAP_TOK_NIL, NULL);
	expect(&z, IMAP_TOK_RPAREN, NULL);
	assert_int_equal(z.t.depth, 0);
	expect(&z, IMAP_TOK_ATOM, "tail");

	/* next_arg: a whole list is one token */
	tz_init(&z, "a STATUS INBOX (MESSAGES (x y) UNSEEN) z");
	expect(&z, IMAP_TOK_ATOM, "a");
	expect(&z, IMAP_TOK_ATOM, "STATUS");
	assert_int_equal(mt_imap_tok_next_arg(&z.t, &tok), IMAP_TOK_ATOM);
	assert_int_equal(mt_imap_tok_next_arg(&z.t, &tok), IMAP_TOK_LIST);
	assert_string_equal(val(&z, &tok), "MESSAGES (x y) UNSEEN");
	assert_int_equal(mt_imap_tok_next_arg(&z.t, &tok), IMAP_TOK_ATOM);
	assert_string_equal(val(&z, &tok), "z");
}

static void test_fetch_item_atom(void **state)
{
	(void)state;
	struct tz z;
	tz_init(&z, "a FETCH 1 (BODY.PEEK[HEADER.FIELDS (FROM TO)]<0.100> BODY[])");
	expect(&z, IMAP_TOK_ATOM, "a");
	expect(&z, IMAP_TOK_ATOM, "FETCH");
	expect(&z, IMAP_TOK_ATOM, "1");
	expect(&z, IMAP_TOK_LPAREN, NULL);
	expect(&z, IMAP_TOK_ATOM, "BODY.PEEK[HEADER.FIELDS (FROM TO)]<0.100>");
	expect(&z, IMAP_TOK_ATOM, "BODY[]");
	expect(&z, IMAP_TOK_RPAREN, NULL);
	expect(&z, IMAP_TOK_END, NULL);
}

static void test_malformed(void **state)
{
	(void)state;
	struct tz z;
	struct mt_imap_tok tok;
	const char *bad[] = {
		"\"unterminated",
		"\"broken\r\nline\"",
		"{abc}\r\nxyz",
		"{5\r\nalice",
		"{5}x",
		"{99999999999999999999}\r\n",
		")",
		"\x01",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tz_init(&z, bad[i]);
		enum mt_imap_tok_kind k;
		unsigned guard = 0;
		while ((k = mt_imap_tok_next(&z.t, &tok)) != IMAP_TOK_END && k != IMAP_TOK_ERROR && guard++ < 10)
			;
		assert_int_equal(k, IMAP_TOK_ERROR);
		assert_non_null(tok.error);
		/* once failed, the tokenizer stays at the end */
		assert_int_equal(mt_imap_tok_next(&z.t, &tok), IMAP_TOK_END);
	}
	/* unbalanced list through next_arg */
	tz_init(&z, "(a (b c)");
	assert_int_equal(mt_imap_tok_next_arg(&z.t, &tok), IMAP_TOK_ERROR);
	/* nesting is bounded */
	char deep[200];
	memset(deep, '(', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = 0;
	tz_init(&z, deep);
	assert_int_equal(mt_imap_tok_next_arg(&z.t, &tok), IMAP_TOK_ERROR);
	/* an empty buffer */
	mt_imap_tok_init(&z.t, NULL, 0);
	assert_int_equal(mt_imap_tok_next(&z.t, &tok), IMAP_TOK_END);
}

static void test_literal_suffix(void **state)
{
	(void)state;
	uint64_t n;
	enum mt_imap_lit_kind k;
	size_t off;
	const char *l = "a LOGIN {5}";
	assert_true(mt_imap_literal_suffix((const uint8_t *)l, strlen(l), &n, &k, &off));
	assert_int_equal(n, 5);
	assert_int_equal(k, IMAP_LIT_SYNC);
	assert_int_equal(off, 8);
	l = "alice {6+}";
	assert_true(mt_imap_literal_suffix((const uint8_t *)l, strlen(l), &n, &k, &off));
	assert_int_equal(k, IMAP_LIT_NONSYNC);
	assert_int_equal(off, 6);
	l = "A3 APPEND INBOX ~{310}";
	assert_true(mt_imap_literal_suffix((const uint8_t *)l, strlen(l), &n, &k, &off));
	assert_int_equal(k, IMAP_LIT_BINARY);
	assert_int_equal(n, 310);
	assert_int_equal(off, 16);
	l = "* 1 FETCH (BODY[] {4294967295}";
	assert_true(mt_imap_literal_suffix((const uint8_t *)l, strlen(l), &n, &k, &off));
	assert_int_equal(n, 4294967295ull);
	const char *no[] = { "a LOGIN alice pass", "{}", "x {a}", "}", "x 5}", "{12345678901234567890}" };
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		assert_false(mt_imap_literal_suffix((const uint8_t *)no[i], strlen(no[i]), &n, &k, &off));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_atoms_and_nil),
		cmocka_unit_test(test_quoted_escapes),
		cmocka_unit_test(test_literals),
		cmocka_unit_test(test_literal_short_and_huge),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_fetch_item_atom),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_literal_suffix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
