/* tls.c - the implicit-TLS dissector (SMTPS 465 per RFC 8314, IMAPS 993,
 * POP3S 995, or TLS that nDPI found on another port).
 *
 * Nothing is decrypted: the client's first record is sniffed for a
 * ClientHello and its SNI (tls_sniff.c), which names the session. s->proto
 * is left alone: the dispatcher keeps the mail protocol for the well-known
 * implicit-TLS ports and sets s->tls = TLS_IMPLICIT itself.
 *
 * Some servers on 465 answer in plaintext (a `220-` banner where a
 * ServerHello belongs). When the server's first byte cannot start a TLS
 * record, its first lines are shown as text so the mismatch is visible. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissector.h"
#include "lines.h"
#include "sbuf.h"
#include "session.h"
#include "tls_sniff.h"

/* Plaintext server lines shown before giving up on the direction. */
#define PLAIN_LINES_MAX 64

struct tls_state {
	struct mt_tls_sniff sniff;
	int client;                  /* MT_TLS_NEED_MORE until decided */
	bool s2c_decided, s2c_plain; /* server's first byte looked at */
	unsigned plain_lines;
	struct mt_lines ln;          /* server text, when it is not TLS */
};

static void divider(struct mt_session *s, int dir, enum mt_line_kind kind, const struct mt_seg_info *info,
                    const char *text)
{
	sess_line(s, dir, kind, info->frame, info->frame, info->ts_ns, (const uint8_t *)text, strlen(text), NULL);
}

static void on_plain_line(void *ctx, int dir, const uint8_t *line, size_t len, const struct mt_line_meta *m)
{
	struct mt_session *s = ctx;
	struct tls_state *t = s->dissector_state;
	if (t->plain_lines++ >= PLAIN_LINES_MAX)
		return;
	if (t->plain_lines == 1)
		sess_set_greeting(s, line, len);
	sess_line(s, dir, LINE_TEXT, m->first_frame, m->frame, m->ts_ns, line, len,
	          t->plain_lines == 1 ? "[plaintext from the server on a TLS port]" : NULL);
}

static int tls_open(struct mt_session *s)
{
	struct tls_state *t = mt_xcalloc(1, sizeof(*t));
	mt_tls_sniff_init(&t->sniff);
	mt_lines_init(&t->ln, s->model->limits.line_max);
	t->ln.nvt = MT_NVT_OFF;
	t->client = MT_TLS_NEED_MORE;
	s->dissector_state = t;
	return 0;
}

/* Client bytes: the ClientHello (RFC 8446 §4.1.2) and its SNI (RFC 6066 §3). */
static void client_bytes(struct mt_session *s, struct tls_state *t, const uint8_t *p, size_t n,
                         const struct mt_seg_info *info)
{
	if (t->client != MT_TLS_NEED_MORE)
		return;
	/* mt_tls_sniff_feed() takes only the record header from a call that
	 * starts a record (the rest of that call is dropped): give it alone. */
	t->client = mt_tls_sniff_feed(&t->sniff, p, n);
	if (t->client == MT_TLS_HELLO) {
		char text[320];
		sess_tls_seen(s, info->frame);
		if (t->sniff.sni_len)
			sess_set_sni(s, (const uint8_t *)t->sniff.sni, t->sniff.sni_len);
		snprintf(text, sizeof(text), "TLS handshake: ClientHello%s%s",
		         s->sni ? ", SNI " : "", s->sni ? s->sni : "");
		divider(s, DIR_C2S, LINE_TLS, info, text);
	} else if (t->client == MT_TLS_NOT_TLS) {
		/* Not a STARTTLS failure: there was no STARTTLS. Say what it is. */
		divider(s, DIR_C2S, LINE_NOTE, info, "the client does not speak TLS on this TLS port");
	}
}

static size_t tls_data(struct mt_session *s, int dir, const uint8_t *p, size_t n, const struct mt_seg_info *info)
{
	struct tls_state *t = s->dissector_state;
	if (!t || !n)
		return n;
	if (dir == DIR_C2S) {
		client_bytes(s, t, p, n, info);
		return n;
	}
	if (!t->s2c_decided) {
		/* RFC 8446 §5.1: a record starts with its content type, 20..24. */
		t->s2c_decided = true;
		t->s2c_plain = p[0] < 20 || p[0] > 24;
	}
	if (t->s2c_plain && t->plain_lines < PLAIN_LINES_MAX)
		mt_lines_feed(&t->ln, dir, p, n, info, on_plain_line, NULL, s);
	return n;
}

static void tls_gap(struct mt_session *s, int dir, uint64_t len, const struct mt_seg_info *info)
{
	struct tls_state *t = s->dissector_state;
	char text[64];
	if (!t)
		return;
	if (dir == DIR_C2S && t->client == MT_TLS_NEED_MORE)
		t->client = MT_TLS_NOT_TLS;   /* the hello is cut: nothing reliable to parse */
	if (dir == DIR_S2C && t->s2c_plain)
		mt_lines_gap(&t->ln, dir, len, info, on_plain_line, s);
	snprintf(text, sizeof(text), "[gap of %llu bytes]", (unsigned long long)len);
	divider(s, dir, LINE_GAP, info, text);
	sess_warn(s, W_STREAM_GAP);
}

static void tls_close(struct mt_session *s)
{
	struct tls_state *t = s->dissector_state;
	if (!t)
		return;
	if (t->s2c_plain && t->plain_lines < PLAIN_LINES_MAX) {
		struct mt_seg_info info = { .frame = s->last_frame, .ts_ns = s->end_ns };
		mt_lines_flush(&t->ln, DIR_S2C, &info, on_plain_line, s);
	}
	mt_lines_free(&t->ln);
	mt_tls_sniff_free(&t->sniff);
	free(t);
	s->dissector_state = NULL;
}

const struct mt_dissector mt_dissector_tls = {
	.name = "tls",
	.proto = PROTO_TLS,
	.open = tls_open,
	.data = tls_data,
	.gap = tls_gap,
	.fin = NULL,
	.close = tls_close,
};
