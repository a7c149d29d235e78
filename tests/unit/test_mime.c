/* test_mime.c - the streaming message parser: top-level headers, MIME
 * structure and attachment names, fed in one piece and in every chunking,
 * and bounded on hostile input (1000-deep nesting, megabyte headers and
 * lines). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../dissect/mime.h"
#include "../../dissect/sbuf.h"
#include "../../dissect/session.h"

static void msg_clear(struct mt_message *m)
{
	free(m->from);
	free(m->to);
	free(m->cc);
	free(m->subject);
	free(m->date);
	free(m->message_id);
	for (size_t i = 0; i < m->nattachments; i++)
		free(m->attachments[i]);
	free(m->attachments);
	memset(m, 0, sizeof *m);
}

/* Parses p[0..n) fed in chunks of `chunk` bytes (0: one piece). */
static void parse(const void *p, size_t n, size_t chunk, struct mt_message *msg,
                  struct mt_mime_stats *st)
{
	struct mt_mime *m = mt_mime_new(NULL);
	const uint8_t *b = p;
	if (chunk == 0)
		chunk = n ? n : 1;
	for (size_t off = 0; off < n; off += chunk)
		mt_mime_feed(m, b + off, n - off < chunk ? n - off : chunk);
	memset(msg, 0, sizeof *msg);
	mt_mime_finish(m, msg);
	if (st)
		mt_mime_get_stats(m, st);
	mt_mime_free(m);
}

static void parse_s(const char *s, struct mt_message *msg)
{
	parse(s, strlen(s), 0, msg, NULL);
}

#define assert_str_or_null(got, want) do { \
	if ((want) == NULL) assert_null(got); \
	else { assert_non_null(got); assert_string_equal((got), (want)); } \
} while (0)

static void assert_same(const struct mt_message *a, const struct mt_message *b)
{
	assert_str_or_null(b->from, a->from);
	assert_str_or_null(b->to, a->to);
	assert_str_or_null(b->cc, a->cc);
	assert_str_or_null(b->subject, a->subject);
	assert_str_or_null(b->date, a->date);
	assert_str_or_null(b->message_id, a->message_id);
	assert_int_equal(b->nparts, a->nparts);
	assert_int_equal(b->nattachments, a->nattachments);
	for (size_t i = 0; i < a->nattachments; i++)
		assert_string_equal(b->attachments[i], a->attachments[i]);
}

/* ---- messages used by several tests ---- */

static const char plain_msg[] =
	"Return-Path: <alice@example.org>\r\n"
	"Received: from client.example.org (client [10.0.0.5])\r\n"
	"\tby mail.example.org with ESMTP id 12345\r\n"
	"From: Alice Example <alice@example.org>\r\n"
	"To: bob@example.net\r\n"
	"Cc: carol@example.net, dave@example.net\r\n"
	"Subject: Lab report\r\n"
	"Date: Sun, 7 May 2023 08:41:15 +0200\r\n"
	"Message-ID: <20230507064115.1@example.org>\r\n"
	"X-Mailer: telnet\r\n"
	"\r\n"
	"Hello Bob,\r\n"
	"From: this is the body, not a header\r\n"
	"Subject: neither is this\r\n";

static const char multipart_msg[] =
	"From: =?KOI8-R?B?8NLJ18XULCDNydI=?= <ivan@example.ru>\r\n"
	"To: =?UTF-8?Q?J=C3=B6rg?= <j@example.de>\r\n"
	"Subject: =?windows-1251?Q?=CF=F0=E8=E2=E5=F2?= =?UTF-8?B?LCDQvNC40YA=?=\r\n"
	"MIME-Version: 1.0\r\n"
	"Content-Type: multipart/mixed;\r\n"
	"\tboundary=\"----=_Part_0_12345.67890\"\r\n"
	"\r\n"
	"This is a multi-part message in MIME format.\r\n"
	"--not-the-boundary\r\n"
	"\r\n"
	"------=_Part_0_12345.67890\r\n"
	"Content-Type: text/plain; charset=utf-8\r\n"
	"Content-Transfer-Encoding: quoted-printable\r\n"
	"\r\n"
	"See attached.\r\n"
	"-- \r\n"
	"Ivan\r\n"
	"------=_Part_0_12345.67890\r\n"
	"Content-Type: application/pdf\r\n"
	"Content-Disposition: attachment; filename=\"report.pdf\"\r\n"
	"Content-Transfer-Encoding: base64\r\n"
	"\r\n"
	"JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFI+PgpzdHJlYW0K\r\n"
	"------=_Part_0_12345.67890\r\n"
	"Content-Type: image/png; name=\"pic.png\"\r\n"
	"Content-Transfer-Encoding: base64\r\n"
	"\r\n"
	"iVBORw0KGgo=\r\n"
	"------=_Part_0_12345.67890\r\n"
	"Content-Type: application/octet-stream\r\n"
	"Content-Disposition: attachment;\r\n"
	" filename*0*=UTF-8''%D0%BE%D1%82%D1%87%D0%B5%D1%82;\r\n"
	" filename*1=\".pdf\"\r\n"
	"\r\n"
	"AAAA\r\n"
	"------=_Part_0_12345.67890\r\n"
	"Content-Type: application/msword;\r\n"
	" name=\"=?UTF-8?B?0J7RgtGH0ZHRgiDQt9CwINC80LDQuS5kb2N4?=\"\r\n"
	"Content-Disposition: attachment\r\n"
	"\r\n"
	"AAAA\r\n"
	"------=_Part_0_12345.67890\r\n"
	"Content-Type: text/plain\r\n"
	"Content-Disposition: attachment; filename=\"fallback.txt\";\r\n"
	" filename*=iso-8859-1'fr'caf%E9%20cr%E8me.txt\r\n"
	"\r\n"
	"x\r\n"
	"------=_Part_0_12345.67890\r\n"
	"Content-Type: text/plain\r\n"
	"Content-Disposition: inline\r\n"
	"\r\n"
	"inline text, not an attachment\r\n"
	"------=_Part_0_12345.67890\r\n"
	"Content-Type: application/octet-stream\r\n"
	"Content-Disposition: ATTACHMENT\r\n"
	"\r\n"
	"no name\r\n"
	"------=_Part_0_12345.67890--\r\n"
	"epilogue\r\n"
	"--not-the-boundary\r\n";

static const char *const multipart_names[] = {
	"report.pdf", "pic.png", "отчет.pdf", "Отчёт за май.docx", "café crème.txt", "(unnamed)",
};

static const char nested_msg[] =
	"From: a@example.org\n"                  /* bare LF line ends */
	"Subject: nested\n"
	"Content-Type: multipart/mixed; boundary=outer\n"
	"\n"
	"--outer\n"
	"Content-Type: multipart/alternative; boundary=\"inner\"\n"
	"\n"
	"--inner\n"
	"Content-Type: text/plain\n"
	"\n"
	"plain\n"
	"--inner\n"
	"Content-Type: text/html\n"
	"\n"
	"<p>html</p>\n"
	"--inner--\n"
	"--outer\n"
	"Content-Type: message/rfc822\n"
	"Content-Disposition: attachment; filename=\"forwarded.eml\"\n"
	"\n"
	"From: inner-sender@example.com\n"
	"Subject: inner subject must not win\n"
	"Content-Type: multipart/mixed; boundary=\"fwd\"\n"
	"\n"
	"--fwd\n"
	"Content-Type: text/plain\n"
	"\n"
	"text\n"
	"--fwd\n"
	"Content-Type: application/zip; name=inside.zip\n"
	"\n"
	"UEsDBA==\n"
	"--fwd--\n"
	"--outer   \n"                           /* transport padding */
	"Content-Type: text/plain; name=last.txt\n"
	"\n"
	"last\n"
	"--outer--\n";

/* ---- tests ---- */

static void test_plain_headers(void **state)
{
	(void)state;
	struct mt_message m;
	parse_s(plain_msg, &m);
	assert_string_equal(m.from, "Alice Example <alice@example.org>");
	assert_string_equal(m.to, "bob@example.net");
	assert_string_equal(m.cc, "carol@example.net, dave@example.net");
	assert_string_equal(m.subject, "Lab report");
	assert_string_equal(m.date, "Sun, 7 May 2023 08:41:15 +0200");
	assert_string_equal(m.message_id, "<20230507064115.1@example.org>");
	assert_int_equal(m.nparts, 1);
	assert_int_equal(m.nattachments, 0);
	assert_null(m.attachments);
	msg_clear(&m);

	/* absent fields are NULL; an unterminated last header still counts */
	parse_s("subject: only this", &m);
	assert_string_equal(m.subject, "only this");
	assert_null(m.from);
	assert_null(m.to);
	assert_null(m.cc);
	assert_null(m.date);
	assert_null(m.message_id);
	assert_int_equal(m.nparts, 1);
	msg_clear(&m);

	/* the first occurrence wins; "Name :" is accepted */
	parse_s("Subject: first\r\nSubject : second\r\nFROM : x@y\r\n\r\n", &m);
	assert_string_equal(m.subject, "first");
	assert_string_equal(m.from, "x@y");
	msg_clear(&m);

	/* empty input: nothing at all */
	parse("", 0, 0, &m, NULL);
	assert_null(m.subject);
	assert_int_equal(m.nparts, 0);
	msg_clear(&m);
}

static void test_folded_headers(void **state)
{
	(void)state;
	struct mt_message m;
	parse_s("Subject: a subject\r\n that is folded\r\n\tacross three lines\r\n"
	        "To: one@example.org,\r\n"
	        "    two@example.org\r\n"
	        "\r\nbody\r\n", &m);
	assert_string_equal(m.subject, "a subject that is folded\tacross three lines");
	assert_string_equal(m.to, "one@example.org,    two@example.org");
	msg_clear(&m);

	/* folded encoded words are joined (RFC 2047 §6.2) */
	parse_s("Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n =?UTF-8?Q?_aus_K=C3=B6ln?=\r\n\r\n", &m);
	assert_string_equal(m.subject, "Grüße aus Köln");
	msg_clear(&m);
}

static void test_encoded_headers(void **state)
{
	(void)state;
	struct mt_message m;
	parse_s(multipart_msg, &m);
	assert_string_equal(m.from, "Привет, мир <ivan@example.ru>");
	assert_string_equal(m.to, "Jörg <j@example.de>");
	assert_string_equal(m.subject, "Привет, мир");
	msg_clear(&m);

	parse_s("Subject: =?gb2312?B?dGVzdCCy4srU?=\r\n"
	        "From: =?iso-8859-1?B?dGVzdCDlIOkg7iD4IPw=?= <t@example.org>\r\n\r\n", &m);
	assert_string_equal(m.subject, "test 测试");
	assert_string_equal(m.from, "test å é î ø ü <t@example.org>");
	msg_clear(&m);

	/* unknown charset: raw word kept */
	parse_s("Subject: =?x-unknown-cs?Q?abc?=\r\n\r\n", &m);
	assert_string_equal(m.subject, "=?x-unknown-cs?Q?abc?=");
	msg_clear(&m);
}

static void test_multipart_attachments(void **state)
{
	(void)state;
	struct mt_message m;
	struct mt_mime_stats st;
	parse(multipart_msg, strlen(multipart_msg), 0, &m, &st);
	assert_int_equal(m.nparts, 8);
	assert_int_equal(m.nattachments, sizeof multipart_names / sizeof multipart_names[0]);
	for (size_t i = 0; i < m.nattachments; i++)
		assert_string_equal(m.attachments[i], multipart_names[i]);
	assert_false(st.truncated);
	msg_clear(&m);
}

static void test_rfc2231_variants(void **state)
{
	(void)state;
	struct mt_message m;
	/* out-of-order continuations, mixed encoded/plain, plain fallback
	 * ignored, charset with language, quoted-pair in a plain value */
	parse_s("Content-Type: multipart/mixed; boundary=b\r\n\r\n"
	        "--b\r\n"
	        "Content-Disposition: attachment; filename*2=\"c.txt\";\r\n"
	        " filename*0*=utf-8'en'%C3%A9t%C3%A9; filename*1*=_%41;\r\n"
	        " filename=\"ignored.txt\"\r\n\r\nx\r\n"
	        "--b\r\n"
	        "Content-Type: text/plain; name*=''plain%20ascii.txt\r\n\r\nx\r\n"
	        "--b\r\n"
	        "Content-Disposition: attachment; filename=\"quo\\\"ted (1).txt\" ; size=3\r\n\r\nx\r\n"
	        "--b\r\n"
	        "Content-Disposition: attachment (a comment); filename = unquoted name.txt\r\n\r\nx\r\n"
	        "--b\r\n"
	        "Content-Disposition: attachment; filename*=x-bogus''%41%42\r\n\r\nx\r\n"
	        "--b\r\n"
	        "Content-Disposition: attachment; filename*0=\"a\"; filename*99999=\"b\"; filename*=\"\"\r\n\r\nx\r\n"
	        "--b--\r\n", &m);
	assert_int_equal(m.nparts, 6);
	assert_int_equal(m.nattachments, 6);
	assert_string_equal(m.attachments[0], "été_Ac.txt");
	assert_string_equal(m.attachments[1], "plain ascii.txt");
	assert_string_equal(m.attachments[2], "quo\"ted (1).txt");
	assert_string_equal(m.attachments[3], "unquoted name.txt");
	assert_string_equal(m.attachments[4], "AB");     /* unknown charset: bytes kept */
	assert_string_equal(m.attachments[5], "a");      /* absurd index ignored */
	msg_clear(&m);

	/* names are text, never paths: returned as decoded, sanitised later */
	parse_s("Content-Type: application/octet-stream; name=\"../../etc/passwd\"\r\n"
	        "Content-Disposition: attachment; filename*=UTF-8''%2E%2E%2F%00x\r\n\r\n", &m);
	assert_int_equal(m.nattachments, 1);
	assert_string_equal(m.attachments[0], "../\xef\xbf\xbdx");
	assert_int_equal(m.nparts, 1);
	msg_clear(&m);
}

static void test_nested_multipart(void **state)
{
	(void)state;
	struct mt_message m;
	parse_s(nested_msg, &m);
	assert_string_equal(m.from, "a@example.org");
	assert_string_equal(m.subject, "nested");
	/* outer: alternative, rfc822, text; inner: plain, html; fwd: 2 */
	assert_int_equal(m.nparts, 7);
	assert_int_equal(m.nattachments, 3);
	assert_string_equal(m.attachments[0], "forwarded.eml");
	assert_string_equal(m.attachments[1], "inside.zip");
	assert_string_equal(m.attachments[2], "last.txt");
	msg_clear(&m);

	/* an outer delimiter closes unterminated inner multiparts; a part
	 * cut short before its empty line still counts */
	parse_s("Content-Type: multipart/mixed; boundary=o\r\n\r\n"
	        "--o\r\nContent-Type: multipart/mixed; boundary=i\r\n\r\n"
	        "--i\r\nContent-Type: text/plain; name=a.txt\r\n\r\na\r\n"
	        "--o\r\nContent-Type: text/plain; name=b.txt\r\n"
	        "--o\r\nContent-Type: text/plain; name=c.txt\r\n\r\nc\r\n"
	        "--i\r\nContent-Type: text/plain; name=not-a-part.txt\r\n\r\n"
	        "--o--\r\n", &m);
	assert_int_equal(m.nparts, 4);
	assert_int_equal(m.nattachments, 3);
	assert_string_equal(m.attachments[0], "a.txt");
	assert_string_equal(m.attachments[1], "b.txt");
	assert_string_equal(m.attachments[2], "c.txt");
	msg_clear(&m);

	/* multipart/digest parts default to message/rfc822 (RFC 2046 §5.1.5) */
	parse_s("Content-Type: multipart/digest; boundary=d\r\n\r\n"
	        "--d\r\n\r\n"
	        "Subject: digest entry\r\n"
	        "Content-Type: multipart/mixed; boundary=e\r\n\r\n"
	        "--e\r\nContent-Disposition: attachment; filename=in-digest.txt\r\n\r\nx\r\n"
	        "--e--\r\n"
	        "--d--\r\n", &m);
	assert_null(m.subject);
	assert_int_equal(m.nparts, 2);
	assert_int_equal(m.nattachments, 1);
	assert_string_equal(m.attachments[0], "in-digest.txt");
	msg_clear(&m);
}

/* A message with `depth` nested multiparts; the innermost has an
 * attachment. */
static char *deep_message(int depth, size_t *len)
{
	struct mt_sbuf b;
	mt_sbuf_init(&b);
	mt_sbuf_printf(&b, "Subject: deep\r\nContent-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n");
	for (int i = 0; i < depth; i++)
		mt_sbuf_printf(&b, "--b%d\r\nContent-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n",
		               i, i + 1);
	mt_sbuf_printf(&b, "--b%d\r\nContent-Disposition: attachment; filename=deep.txt\r\n\r\nx\r\n",
	               depth);
	for (int i = depth; i >= 0; i--)
		mt_sbuf_printf(&b, "--b%d--\r\n", i);
	*len = b.len;
	return mt_sbuf_steal(&b);
}

static void test_nesting_bounded(void **state)
{
	(void)state;
	struct mt_message m;
	struct mt_mime_stats st;
	size_t len;

	/* within the cap: followed to the bottom */
	char *s = deep_message(MT_MIME_MAX_DEPTH - 2, &len);
	parse(s, len, 0, &m, &st);
	assert_int_equal(m.nparts, MT_MIME_MAX_DEPTH - 1);
	assert_int_equal(m.nattachments, 1);
	assert_string_equal(m.attachments[0], "deep.txt");
	assert_int_equal(st.depth_exceeded, 0);
	msg_clear(&m);
	free(s);

	/* 1000 deep: the first MT_MIME_MAX_DEPTH levels are followed, the
	 * deeper multipart is counted and not followed */
	s = deep_message(1000, &len);
	parse(s, len, 0, &m, &st);
	assert_string_equal(m.subject, "deep");
	assert_int_equal(m.nparts, MT_MIME_MAX_DEPTH);
	assert_int_equal(m.nattachments, 0);
	assert_int_equal(st.depth_exceeded, 1);
	assert_true(st.truncated);
	struct mt_message m2;
	parse(s, len, 1, &m2, NULL);
	assert_same(&m, &m2);
	msg_clear(&m2);
	msg_clear(&m);
	free(s);

	/* 1000 encapsulated messages: no stack used, all followed */
	struct mt_sbuf b;
	mt_sbuf_init(&b);
	mt_sbuf_adds(&b, "Subject: top\r\n");
	for (int i = 0; i < 1000; i++)
		mt_sbuf_adds(&b, "Content-Type: message/rfc822\r\n\r\nSubject: inner\r\n");
	mt_sbuf_adds(&b, "Content-Disposition: attachment; filename=bottom.bin\r\n\r\nx\r\n");
	parse(b.s, b.len, 0, &m, &st);
	assert_string_equal(m.subject, "top");
	assert_int_equal(m.nparts, 1);
	assert_int_equal(m.nattachments, 1);
	assert_string_equal(m.attachments[0], "bottom.bin");
	msg_clear(&m);
	mt_sbuf_free(&b);
}

static void test_chunking_identical(void **state)
{
	(void)state;
	static const char *const msgs[] = { plain_msg, multipart_msg, nested_msg };
	static const size_t chunks[] = { 1, 2, 3, 5, 7, 13, 64, 1000 };
	for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
		struct mt_message whole;
		parse(msgs[i], strlen(msgs[i]), 0, &whole, NULL);
		for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
			struct mt_message part;
			parse(msgs[i], strlen(msgs[i]), chunks[c], &part, NULL);
			assert_same(&whole, &part);
			msg_clear(&part);
		}
		msg_clear(&whole);
	}
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_huge_header_line(void **state)
{
	(void)state;
	size_t big = 1 << 20;
	struct mt_sbuf b;
	mt_sbuf_init(&b);
	mt_sbuf_adds(&b, "From: x@example.org\r\nSubject: ");
	size_t before = b.len;
	for (size_t i = 0; i < big; i++)
		mt_sbuf_addc(&b, (char)('a' + i % 26));
	size_t line_len = b.len - before + strlen("Subject: ");
	mt_sbuf_adds(&b, "\r\nX-Other: y\r\n\r\nbody\r\n");

	struct mt_message m, m1;
	struct mt_mime_stats st, st1;
	double t0 = now();
	parse(b.s, b.len, 0, &m, &st);
	parse(b.s, b.len, 1, &m1, &st1);   /* a million feeds of one byte */
	double dt = now() - t0;
	assert_true(dt < 10.0);
	assert_string_equal(m.from, "x@example.org");
	assert_non_null(m.subject);
	/* kept up to the per-block budget, the rest skipped and counted */
	assert_true(strlen(m.subject) < MT_MIME_HDR_KEEP);
	assert_true(strlen(m.subject) > MT_MIME_HDR_KEEP - 100);
	assert_memory_equal(m.subject, "abcdefghij", 10);
	assert_true(st.truncated);
	/* the line's tail past the line cap, its CR, and what the From
	 * field used of the block budget */
	assert_true(st.header_bytes_skipped >= line_len - MT_MIME_HDR_KEEP);
	assert_true(st.header_bytes_skipped <= line_len - MT_MIME_HDR_KEEP + 32);
	assert_same(&m, &m1);
	assert_int_equal(st1.header_bytes_skipped, st.header_bytes_skipped);
	msg_clear(&m);
	msg_clear(&m1);
	mt_sbuf_free(&b);
}

/* A 64 MB line without any line end, in and outside headers: skipped in
 * linear time, memory stays at the caps. */
static void test_huge_lines_linear(void **state)
{
	(void)state;
	size_t chunk = 1 << 16, total = (size_t)64 << 20;
	uint8_t *buf = malloc(chunk);
	assert_non_null(buf);
	memset(buf, 'A', chunk);
	static const char *const heads[] = {
		"Subject: x\r\nX-Long: ",                                       /* header */
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n-", /* body */
	};
	for (size_t h = 0; h < 2; h++) {
		struct mt_mime *mm = mt_mime_new(NULL);
		mt_mime_feed(mm, (const uint8_t *)heads[h], strlen(heads[h]));
		double t0 = now();
		for (size_t off = 0; off < total; off += chunk)
			mt_mime_feed(mm, buf, chunk);
		mt_mime_feed(mm, (const uint8_t *)"\r\n--b--\r\n", 9);
		double dt = now() - t0;
		assert_true(dt < 10.0);
		struct mt_message m;
		struct mt_mime_stats st;
		memset(&m, 0, sizeof m);
		mt_mime_finish(mm, &m);
		mt_mime_get_stats(mm, &st);
		if (h == 0) {
			assert_string_equal(m.subject, "x");
			assert_true(st.header_bytes_skipped > total - MT_MIME_HDR_KEEP);
		} else {
			assert_int_equal(m.nparts, 1);
			assert_int_equal(st.header_bytes_skipped, 0);
		}
		msg_clear(&m);
		mt_mime_free(mm);
	}
	free(buf);
}

static void test_many_names_capped(void **state)
{
	(void)state;
	struct mt_sbuf b;
	mt_sbuf_init(&b);
	mt_sbuf_adds(&b, "Content-Type: multipart/mixed; boundary=b\r\n\r\n");
	for (int i = 0; i < 300; i++)
		mt_sbuf_printf(&b, "--b\r\nContent-Disposition: attachment; filename=f%d.txt\r\n\r\nx\r\n", i);
	/* a name longer than the cap, made of 2-byte characters */
	mt_sbuf_adds(&b, "--b--\r\n");
	struct mt_message m;
	struct mt_mime_stats st;
	parse(b.s, b.len, 0, &m, &st);
	assert_int_equal(m.nparts, 300);
	assert_int_equal(m.nattachments, MT_MIME_MAX_NAMES);
	assert_string_equal(m.attachments[0], "f0.txt");
	assert_string_equal(m.attachments[MT_MIME_MAX_NAMES - 1], "f255.txt");
	assert_int_equal(st.names_dropped, 300 - MT_MIME_MAX_NAMES);
	msg_clear(&m);
	mt_sbuf_free(&b);

	mt_sbuf_init(&b);
	mt_sbuf_adds(&b, "Content-Disposition: attachment; filename=\"x");
	for (int i = 0; i < 2000; i++)
		mt_sbuf_adds(&b, "é");
	mt_sbuf_adds(&b, "\"\r\n\r\n");
	parse(b.s, b.len, 0, &m, &st);
	assert_int_equal(m.nattachments, 1);
	size_t l = strlen(m.attachments[0]);
	assert_true(l <= MT_MIME_NAME_MAX && l >= MT_MIME_NAME_MAX - 1);
	assert_int_equal(l % 2, 1);           /* "x" then whole "é"s */
	assert_int_equal(st.names_cut, 1);
	msg_clear(&m);
	mt_sbuf_free(&b);
}

static void test_boundary_edge_cases(void **state)
{
	(void)state;
	struct mt_message m;
	/* no boundary parameter: a single part; a boundary too long: same */
	parse_s("Content-Type: multipart/mixed\r\n\r\n--x\r\nContent-Type: text/plain; name=a\r\n\r\n", &m);
	assert_int_equal(m.nparts, 1);
	assert_int_equal(m.nattachments, 0);
	msg_clear(&m);

	/* delimiter must match exactly: a longer line is body text */
	parse_s("Content-Type: multipart/mixed; boundary=\"abc\"\r\n\r\n"
	        "--abc\r\n\r\n--abcd\r\n--abc-\r\n-- abc\r\n--abc--x\r\n"
	        "--abc\r\nContent-Type: text/plain; name=\"two.txt\"\r\n\r\n"
	        "--abc--\r\n"
	        "--abc\r\nContent-Type: text/plain; name=\"after-close.txt\"\r\n\r\n", &m);
	assert_int_equal(m.nparts, 2);
	assert_int_equal(m.nattachments, 1);
	assert_string_equal(m.attachments[0], "two.txt");
	msg_clear(&m);

	/* encoded message/rfc822 is not parsed as headers (RFC 2046 §5.2.1) */
	parse_s("Content-Type: multipart/mixed; boundary=b\r\n\r\n"
	        "--b\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n"
	        "Q29udGVudC1UeXBlOiB0ZXh0\r\n"
	        "--b--\r\n", &m);
	assert_int_equal(m.nparts, 1);
	assert_int_equal(m.nattachments, 0);
	msg_clear(&m);

	/* garbage structured values never crash */
	static const char *const junk[] = {
		"Content-Type: ;;;==;\"\r\n\r\n",
		"Content-Type: multipart/mixed; boundary=\"\r\n\r\n",
		"Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n",
		"Content-Type: (((((\r\n\r\n",
		"Content-Type: multipart/mixed; boundary*0=a; name*=\r\n\r\n",
		"Content-Disposition: attachment; filename*0*=utf-8'\r\n\r\n",
		"Content-Disposition: attachment; filename*0*=%\r\n\r\n",
		"Content-Disposition: attachment; filename=\"\\\r\n\r\n",
		":\r\n \r\n\t\r\n\r\n",
		"\r\n",
		"\n\n\n",
		"\r",
	};
	for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
		parse_s(junk[i], &m);
		assert_true(m.nparts <= 1);
		msg_clear(&m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_headers),
		cmocka_unit_test(test_folded_headers),
		cmocka_unit_test(test_encoded_headers),
		cmocka_unit_test(test_multipart_attachments),
		cmocka_unit_test(test_rfc2231_variants),
		cmocka_unit_test(test_nested_multipart),
		cmocka_unit_test(test_nesting_bounded),
		cmocka_unit_test(test_chunking_identical),
		cmocka_unit_test(test_huge_header_line),
		cmocka_unit_test(test_huge_lines_linear),
		cmocka_unit_test(test_many_names_capped),
		cmocka_unit_test(test_boundary_edge_cases),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
