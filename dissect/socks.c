/* socks.c - a SOCKS4/4a/5 proxy handshake in front of a mail session.
 *
 * Mail is often relayed through a SOCKS proxy (spambots, Tor clients). This
 * pre-dissector consumes the handshake of each direction (RFC 1928, RFC 1929
 * for the username/password sub-negotiation, and the SOCKS4/4a protocol),
 * notes the destination in the transcript, records a SOCKS5 password as a
 * credential, and then hands the tunnel to the dispatcher, which chooses
 * the inner protocol's dissector from the next bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "dissector.h"
#include "sbuf.h"

enum { SX_GREETING, SX_AUTH, SX_REQUEST, SX_REPLY, SX_DONE };

struct socks {
	int version;              /* 4 or 5, from the first client byte */
	int cstate, sstate;       /* where each direction is */
	uint8_t method;           /* SOCKS5 method the server chose */
	struct mt_credential *cred;
	char dest[300];
	bool granted;
};

static int socks_open(struct mt_session *s)
{
	s->dissector_state = mt_xcalloc(1, sizeof(struct socks));
	return 0;
}

static void socks_close(struct mt_session *s)
{
	free(s->dissector_state);
	s->dissector_state = NULL;
}

static void note(struct mt_session *s, int dir, const struct mt_seg_info *info, const char *text)
{
	sess_line(s, dir, LINE_NOTE, info->frame, info->frame, info->ts_ns, (const uint8_t *)text, strlen(text), NULL);
}

/* Length of a SOCKS5 address (RFC 1928 §5) at p, with the port; 0 if more
 * bytes are needed, -1 if malformed. Fills dest. */
static long addr5(const uint8_t *p, size_t n, char *dest, size_t dsz)
{
	if (n < 1)
		return 0;
	size_t alen;
	switch (p[0]) {
	case 1: alen = 4; break;
	case 4: alen = 16; break;
	case 3:
		if (n < 2)
			return 0;
		alen = 1 + (size_t)p[1];
		break;
	default: return -1;
	}
	if (n < 1 + alen + 2)
		return 0;
	unsigned port = (unsigned)p[1 + alen] << 8 | p[2 + alen];
	if (p[0] == 1)
		snprintf(dest, dsz, "%u.%u.%u.%u:%u", p[1], p[2], p[3], p[4], port);
	else if (p[0] == 3)
		snprintf(dest, dsz, "%.*s:%u", (int)p[1], (const char *)p + 2, port);
	else
		snprintf(dest, dsz, "[IPv6]:%u", port);
	for (char *c = dest; *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
			*c = '?';   /* a host name from the wire */
	return (long)(1 + alen + 2);
}

/* One client step; returns bytes used, 0 if it needs more. */
static size_t client_step(struct mt_session *s, struct socks *x, const uint8_t *p, size_t n,
                          const struct mt_seg_info *info)
{
	if (x->cstate == SX_GREETING) {
		if (x->version == 4) {
			/* VN CD DSTPORT DSTIP USERID NUL [HOST NUL] (SOCKS4a) */
			if (n < 9)
				return 0;
			const uint8_t *nul = memchr(p + 8, 0, n - 8);
			if (!nul)
				return n > 520 ? n : 0;   /* bounded: a user id is short */
			size_t used = (size_t)(nul - p) + 1;
			unsigned port = (unsigned)p[2] << 8 | p[3];
			if (!p[4] && !p[5] && !p[6] && p[7]) {
				const uint8_t *nul2 = memchr(p + used, 0, n - used);
				if (!nul2)
					return n - used > 300 ? n : 0;
				snprintf(x->dest, sizeof(x->dest), "%.*s:%u", (int)(nul2 - (p + used)),
				         (const char *)p + used, port);
				used = (size_t)(nul2 - p) + 1;
			} else {
				snprintf(x->dest, sizeof(x->dest), "%u.%u.%u.%u:%u", p[4], p[5], p[6], p[7], port);
			}
			x->cstate = SX_DONE;
			return used;
		}
		if (n < 2 || n < 2 + (size_t)p[1])
			return 0;
		x->cstate = SX_AUTH;   /* next: sub-negotiation if the server asks */
		return 2 + (size_t)p[1];
	}
	if (x->cstate == SX_AUTH) {
		if (x->sstate < SX_AUTH)
			return 0;   /* wait for the server's method choice */
		if (x->method == 2) {
			/* RFC 1929: VER ULEN UNAME PLEN PASSWD */
			if (n < 2 || n < 3 + (size_t)p[1] || n < 3 + (size_t)p[1] + p[2 + p[1]])
				return 0;
			size_t ul = p[1], pl = p[2 + ul];
			x->cred = sess_cred_new(s, "SOCKS5", info->frame);
			mt_bytes_set(&x->cred->username, p + 2, ul, 0);
			mt_bytes_set(&x->cred->password, p + 3 + ul, pl, 0);
			x->cstate = SX_REQUEST;
			return 3 + ul + pl;
		}
		x->cstate = SX_REQUEST;
	}
	if (x->cstate == SX_REQUEST) {
		if (n < 4)
			return 0;
		long a = addr5(p + 3, n - 3, x->dest, sizeof(x->dest));
		if (a == 0)
			return 0;
		x->cstate = SX_DONE;
		return a < 0 ? n : 3 + (size_t)a;
	}
	return 0;
}

static size_t server_step(struct mt_session *s, struct socks *x, const uint8_t *p, size_t n,
                          const struct mt_seg_info *info)
{
	if (x->version == 4) {
		if (n < 8)
			return 0;
		x->granted = p[1] == 0x5a;
		x->sstate = SX_DONE;
		return 8;
	}
	switch (x->sstate) {
	case SX_GREETING:
		if (n < 2)
			return 0;
		x->method = p[1];   /* RFC 1928 §3: 2 = username/password */
		x->sstate = x->method == 2 ? SX_AUTH : SX_REPLY;
		return 2;
	case SX_AUTH:
		if (n < 2)
			return 0;
		if (x->cred)
			sess_cred_outcome(s, x->cred, p[1] == 0 ? OUTCOME_SUCCESS : OUTCOME_FAILURE, info->frame);
		x->sstate = SX_REPLY;
		return 2;
	case SX_REPLY: {
		if (n < 4)
			return 0;
		char bound[300];
		long a = addr5(p + 3, n - 3, bound, sizeof(bound));
		if (a == 0)
			return 0;
		x->granted = p[1] == 0;
		x->sstate = SX_DONE;
		return a < 0 ? n : 3 + (size_t)a;
	}
	default:
		return 0;
	}
}

static size_t socks_data(struct mt_session *s, int dir, const uint8_t *p, size_t n, const struct mt_seg_info *info)
{
	struct socks *x = s->dissector_state;
	size_t used = 0;
	if (!x->version && dir == DIR_C2S && n)
		x->version = p[0] == 4 ? 4 : 5;
	for (;;) {
		size_t k;
		if (dir == DIR_C2S && x->cstate != SX_DONE)
			k = client_step(s, x, p + used, n - used, info);
		else if (dir == DIR_S2C && x->sstate != SX_DONE && x->version)
			k = server_step(s, x, p + used, n - used, info);
		else
			break;
		if (!k)
			break;
		used += k;
	}
	if (x->cstate == SX_DONE && x->sstate == SX_DONE) {
		char text[400];
		snprintf(text, sizeof(text), "SOCKS%d tunnel to %s %s", x->version, x->dest,
		         x->granted ? "granted" : "refused");
		note(s, dir, info, text);
		/* hand over: the dispatcher probes the tunnel's first bytes */
		socks_close(s);
		s->dissector = NULL;
		s->proto = PROTO_OTHER;
		s->reprobe = true;
	}
	return used;
}

const struct mt_dissector mt_dissector_socks = {
	.name = "socks",
	.proto = PROTO_OTHER,
	.open = socks_open,
	.data = socks_data,
	.gap = NULL,
	.fin = NULL,
	.close = socks_close,
};
