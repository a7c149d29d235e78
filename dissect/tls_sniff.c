/* tls_sniff.c - ClientHello recognition, bounds-checked throughout. */
#include "tls_sniff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"

void mt_tls_sniff_init(struct mt_tls_sniff *t)
{
	memset(t, 0, sizeof(*t));
}

void mt_tls_sniff_free(struct mt_tls_sniff *t)
{
	free(t->buf);
	t->buf = NULL;
	t->len = 0;
}

/* A cursor that never reads past its end. */
struct cur { const uint8_t *p; size_t n; bool bad; };

static uint32_t get(struct cur *c, size_t k)
{
	uint32_t v = 0;
	if (c->bad || c->n < k) {
		c->bad = true;
		return 0;
	}
	for (size_t i = 0; i < k; i++)
		v = v << 8 | c->p[i];
	c->p += k;
	c->n -= k;
	return v;
}

static void skip(struct cur *c, size_t k)
{
	if (c->bad || c->n < k) {
		c->bad = true;
		return;
	}
	c->p += k;
	c->n -= k;
}

int mt_tls_parse_client_hello(const uint8_t *p, size_t n, char *sni, size_t snisz, size_t *sni_len)
{
	struct cur c = { p, n, false };
	*sni_len = 0;
	if (snisz)
		sni[0] = 0;
	if (get(&c, 1) != 22)             /* handshake record */
		return MT_TLS_NOT_TLS;
	uint32_t ver = get(&c, 2);
	if ((ver >> 8) != 3)
		return MT_TLS_NOT_TLS;
	uint32_t rlen = get(&c, 2);
	if (c.bad || rlen < 4)
		return MT_TLS_NOT_TLS;
	if (rlen < c.n)
		c.n = rlen;
	if (get(&c, 1) != 1)              /* client_hello */
		return MT_TLS_NOT_TLS;
	uint32_t hlen = get(&c, 3);
	if (hlen < c.n)
		c.n = hlen;                   /* a fragmented hello: parse what is here */
	skip(&c, 2 + 32);                 /* legacy_version, random */
	skip(&c, get(&c, 1));             /* session id */
	skip(&c, get(&c, 2));             /* cipher suites */
	skip(&c, get(&c, 1));             /* compression methods */
	if (c.bad)
		return MT_TLS_HELLO;          /* a hello, cut short */
	if (!c.n)
		return MT_TLS_HELLO;          /* no extensions */
	uint32_t elen = get(&c, 2);
	if (elen < c.n)
		c.n = elen;
	while (!c.bad && c.n >= 4) {
		uint32_t type = get(&c, 2);
		uint32_t len = get(&c, 2);
		if (c.bad || len > c.n)
			break;
		if (type == 0) {              /* server_name */
			struct cur e = { c.p, len, false };
			uint32_t list = get(&e, 2);
			if (list < e.n)
				e.n = list;
			while (!e.bad && e.n >= 3) {
				uint32_t nt = get(&e, 1);
				uint32_t nl = get(&e, 2);
				if (e.bad || nl > e.n)
					break;
				if (nt == 0) {    /* host_name */
					size_t k = nl < snisz - 1 ? nl : snisz - 1;
					memcpy(sni, e.p, k);
					sni[k] = 0;
					*sni_len = k;
					break;
				}
				skip(&e, nl);
			}
		}
		skip(&c, len);
	}
	return MT_TLS_HELLO;
}

int mt_tls_sniff_feed(struct mt_tls_sniff *t, const uint8_t *p, size_t n)
{
	/* Collect the first record (header, then its length), capped; a call
	 * may hold the header and the body together, or one byte of either. */
	while (t->state == MT_TLS_NEED_MORE) {
		size_t want = 5;
		if (t->len >= 5) {
			want = 5 + ((size_t)t->buf[3] << 8 | t->buf[4]);
			if (want > MT_TLS_REC_MAX)
				want = MT_TLS_REC_MAX;
		}
		if (t->len >= 1 && t->buf[0] != 22) {
			t->state = MT_TLS_NOT_TLS;
			break;
		}
		if (t->len >= 3 && (t->buf[1] != 3 || t->buf[2] > 4)) {
			t->state = MT_TLS_NOT_TLS;
			break;
		}
		if (t->len >= want && t->len >= 5) {
			t->version = (uint16_t)(t->buf[1] << 8 | t->buf[2]);
			t->state = mt_tls_parse_client_hello(t->buf, t->len, t->sni, sizeof(t->sni), &t->sni_len);
			free(t->buf);
			t->buf = NULL;
			t->len = 0;
			break;
		}
		if (!n)
			return MT_TLS_NEED_MORE;
		size_t take = want - t->len;
		if (take > n)
			take = n;
		t->buf = mt_xrealloc(t->buf, t->len + take);
		memcpy(t->buf + t->len, p, take);
		t->len += take;
		p += take;
		n -= take;
	}
	return t->state;
}

void mt_tls_session_bytes(struct mt_session *s, struct mt_tls_sniff *t, int dir,
                          const uint8_t *p, size_t n, const struct mt_seg_info *info)
{
	if (dir != DIR_C2S || t->state != MT_TLS_NEED_MORE)
		return;
	int r = mt_tls_sniff_feed(t, p, n);
	if (r == MT_TLS_HELLO) {
		char text[320];
		sess_tls_seen(s, info->frame);
		if (t->sni_len)
			sess_set_sni(s, (const uint8_t *)t->sni, t->sni_len);
		snprintf(text, sizeof(text), "TLS handshake: ClientHello%s%s",
		         s->sni ? ", SNI " : "", s->sni ? s->sni : "");
		sess_line(s, dir, LINE_TLS, info->frame, info->frame, info->ts_ns,
		          (const uint8_t *)text, strlen(text), NULL);
	} else if (r == MT_TLS_NOT_TLS) {
		const char *text = "not TLS: cleartext after the TLS upgrade";
		sess_line(s, dir, LINE_NOTE, info->frame, info->frame, info->ts_ns,
		          (const uint8_t *)text, strlen(text), NULL);
		sess_warn(s, W_STARTTLS_WITHOUT_TLS);
	}
}
