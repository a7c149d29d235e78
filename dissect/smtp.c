/* smtp.c - the SMTP dissector (RFC 5321) with its extensions: SMTP AUTH
 * (RFC 4954, SASL mechanisms), STARTTLS (RFC 3207), PIPELINING (RFC 2920),
 * CHUNKING/BDAT (RFC 3030), SMTPUTF8 (RFC 6531) and enhanced status codes
 * (RFC 3463).
 *
 * Both directions go through the shared line splitter. Client commands are
 * queued in a bounded FIFO and matched, in order, to the server's replies
 * (RFC 2920 §3: replies come in the order of the commands). A multi-line
 * reply (`250-` ... `250 `) is one reply. The dissector never waits for a
 * reply to interpret the client: DATA enters message mode at once and a
 * SASL exchange knows how many client steps a mechanism needs, so pipelined
 * blasts and captures with only the client side still yield commands,
 * credentials and messages; the replies, when seen, settle outcomes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "dissector.h"
#include "lines.h"
#include "ring.h"
#include "sasl.h"
#include "sbuf.h"
#include "session.h"
#include "strutil.h"
#include "tls_sniff.h"

/* Commands waiting for their reply. A client that runs further ahead than
 * this is not waiting for replies at all; the oldest entry is dropped. */
#define PEND_MAX 128
#define NOIDX ((size_t)-1)
/* Largest BDAT chunk followed as raw bytes (RFC 3030 §2 puts no limit on
 * the size; a larger claim is shown but not trusted, so a hostile number
 * cannot swallow the rest of the session). */
#define BDAT_TRUST_MAX ((uint64_t)1 << 30)
/* Room for a reply excerpt quoted in an annotation. */
#define NOTE_MAX 100
/* NTLM response bytes kept (hex doubles it). */
#define NTLM_RESP_MAX 1024

enum cmd {
	CMD_OTHER = 0, CMD_HELO, CMD_EHLO, CMD_MAIL, CMD_RCPT, CMD_DATA, CMD_DOT,
	CMD_BDAT, CMD_AUTH, CMD_STARTTLS, CMD_RSET, CMD_QUIT,
};

/* What a reply answers. */
enum rctx { RC_NONE = 0, RC_GREETING, RC_CMD, RC_LOST_DOT };

struct pend {
	uint8_t cmd;                 /* enum cmd */
	size_t line;                 /* transcript index of the command, NOIDX */
	struct mt_credential *cred;  /* AUTH: the attempt the reply settles */
};

struct auth {
	bool active;                 /* client SASL responses may follow */
	enum mt_sasl_mech mech;
	struct mt_credential *cred;
	unsigned steps;              /* client messages so far, initial response included */
	unsigned prompts, answers;   /* 334 prompts seen, client lines that answered them */
	unsigned expect;             /* client messages the mechanism needs (server unseen) */
};

struct reply {
	bool active;                 /* a multi-line reply is in progress */
	int code;
	unsigned nlines;
	enum rctx ctx;
	uint8_t cmd;                 /* the command it answers (RC_CMD) */
	char enh[16];                /* enhanced status code of its first line */
	char text[NOTE_MAX];         /* its first line, printable ASCII, for notes */
	bool sw_found;
};

struct smtp {
	struct mt_lines ln[2];
	struct mt_tls_sniff tls;
	bool tls_mode;               /* STARTTLS accepted: every byte is TLS */
	bool server_seen, client_seen;
	bool greeted;
	bool ehlo_reply_seen;
	bool starttls_wait;          /* STARTTLS sent, reply not yet seen */
	struct mt_ring q;            /* of struct pend, up to PEND_MAX */
	struct reply r;
	struct auth a;
	/* DATA (RFC 5321 §4.1.1.4) */
	bool data_mode, data_354, data_body, msg_bad;
	struct mt_message *msg;
	/* BDAT (RFC 3030): one message per transaction, across chunks */
	struct mt_message *bmsg;
	bool bmsg_bad;
	bool bdat_active, bdat_last;
	uint64_t bdat_left;
	struct mt_sbuf bline;        /* transcript line being cut from chunk bytes */
	uint64_t bline_frame;
};

/* Decoded text beside a raw line, with the secret masked variant. */
struct out {
	struct mt_sbuf dec, masked;
	bool secret;
	size_t soff, slen;
};

static void out_init(struct out *o)
{
	memset(o, 0, sizeof(*o));
	mt_sbuf_init(&o->dec);
	mt_sbuf_init(&o->masked);
}

static void out_free(struct out *o)
{
	mt_sbuf_free(&o->dec);
	mt_sbuf_free(&o->masked);
}

/* Both variants get the same text (no secret in it). */
static void out_both(struct out *o, const char *t)
{
	mt_sbuf_adds(&o->dec, t);
	mt_sbuf_adds(&o->masked, t);
}

/* ---- small text helpers ---- */

/* "[decoded]" for printable bytes, "[N bytes]" otherwise. */
static void add_blob(struct mt_sbuf *b, const uint8_t *p, size_t n)
{
	if (mt_printable_tab(p, n)) {
		mt_sbuf_addc(b, '[');
		mt_sbuf_add_escaped(b, p, n);
		mt_sbuf_addc(b, ']');
	} else {
		mt_sbuf_printf(b, "[%zu bytes of binary data]", n);
	}
}

static void bytes_set(struct mt_bytes *b, const void *p, size_t n)
{
	mt_bytes_set(b, p, n, 0);
}

/* ---- transcript ---- */

static struct smtp *state(struct mt_session *s)
{
	return s->dissector_state;
}

/* Adds the transcript line; returns its index (NOIDX if not kept). */
static size_t emit(struct mt_session *s, int dir, enum mt_line_kind kind, const uint8_t *p, size_t n,
                   const struct mt_line_meta *m, struct out *o)
{
	const char *dec = o && o->dec.len ? o->dec.s : NULL;
	struct mt_line *l = sess_line(s, dir, kind, m->first_frame, m->frame, m->ts_ns, p, n, dec);
	if (!l)
		return NOIDX;
	if (m->typed && m->nkeys)
		sess_line_keys(l, m->keys, m->nkeys);
	if (o && o->secret)
		sess_line_secret(l, o->soff, o->slen, o->masked.len ? o->masked.s : dec);
	return (size_t)(l - s->lines);
}

static void emit_note(struct mt_session *s, int dir, enum mt_line_kind kind, uint64_t frame, uint64_t ts,
                      const char *text)
{
	sess_line(s, dir, kind, frame, frame, ts, (const uint8_t *)text, strlen(text), NULL);
}

/* Appends a note to the decoded text of an earlier line (the server's
 * verdict on a command is known only when its reply arrives). */
static void annotate(struct mt_session *s, size_t idx, const char *note)
{
	if (idx == NOIDX || idx >= s->nlines)
		return;
	struct mt_line *l = &s->lines[idx];
	char **fields[2] = { &l->decoded, &l->decoded_masked };
	for (int i = 0; i < 2; i++) {
		char *old = *fields[i];
		if (!old && i == 1)
			continue;   /* no masked variant: the line has no secret */
		struct mt_sbuf b;
		mt_sbuf_init(&b);
		if (old && *old) {
			mt_sbuf_adds(&b, old);
			mt_sbuf_addc(&b, ' ');
		}
		mt_sbuf_adds(&b, note);
		free(old);
		*fields[i] = mt_sbuf_steal(&b);
	}
}

static void line_flags(struct mt_session *s, const struct mt_line_meta *m)
{
	if (m->bare_lf)
		sess_warn(s, W_BARE_LF);   /* RFC 5321 §2.3.8: lines end in CRLF */
	if (m->truncated) {
		sess_warn(s, W_LINE_TOO_LONG);
		s->model->counters.lines_truncated++;
	}
}

/* ---- the command FIFO (RFC 2920 §3) ---- */

static struct pend *q_head(struct smtp *st)
{
	return mt_ring_head(&st->q);
}

static void q_push(struct smtp *st, enum cmd c, size_t line, struct mt_credential *cred)
{
	struct pend *e = mt_ring_push(&st->q);
	e->cmd = (uint8_t)c;
	e->line = line;
	e->cred = cred;
}

static struct pend q_pop(struct smtp *st)
{
	struct pend e = { 0 };
	mt_ring_pop(&st->q, &e);
	return e;
}

/* ---- server software from the greeting ---- */

static const struct {
	const char *needle;   /* matched case-insensitively as a whole word */
	const char *name;
} sw_table[] = {
	{ "Microsoft ESMTP MAIL Service", "Microsoft ESMTP MAIL Service" },
	{ "Microsoft Exchange", "Microsoft Exchange" },
	{ "Exim", "Exim" },
	{ "Postfix", "Postfix" },
	{ "Sendmail", "Sendmail" },
	{ "gsmtp", "Gmail (gsmtp)" },
	{ "qmail", "qmail" },
	{ "OpenSMTPD", "OpenSMTPD" },
	{ "hMailServer", "hMailServer" },
	{ "Mercury/32", "Mercury/32" },
	{ "MailEnable", "MailEnable" },
	{ "MDaemon", "MDaemon" },
	{ "CommuniGate Pro", "CommuniGate Pro" },
	{ "Kerio Connect", "Kerio Connect" },
	{ "IceWarp", "IceWarp" },
	{ "Zimbra", "Zimbra" },
	{ "Haraka", "Haraka" },
	{ "Courier", "Courier" },
	{ "Lotus Domino", "Lotus Domino" },
	{ "Axigen", "Axigen" },
	{ "ArGoSoft", "ArGoSoft" },
	{ "Dovecot", "Dovecot" },
	{ "Smail", "Smail" },
};

static bool is_alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Finds a known product name in a greeting line, with the version that
 * follows it ("Exim 4.96", "Sendmail 8.8.7/8.8.7" -> "Sendmail 8.8.7",
 * "Service, Version: 5.0.2195.6713"). */
static bool detect_software(struct mt_session *s, const uint8_t *p, size_t n)
{
	for (size_t t = 0; t < sizeof(sw_table) / sizeof(sw_table[0]); t++) {
		size_t k = strlen(sw_table[t].needle);
		for (size_t i = 0; i + k <= n; i++) {
			if (!mt_kw_prefix(p + i, n - i, sw_table[t].needle))
				continue;
			if (i && (is_alnum(p[i - 1]) || p[i - 1] == '.' || p[i - 1] == '-'))
				continue;   /* part of a host name or word */
			if (i + k < n && (is_alnum(p[i + k]) || p[i + k] == '.'))
				continue;
			size_t j = i + k;
			for (;;) {
				while (j < n && (p[j] == ' ' || p[j] == ',' || p[j] == ':' || p[j] == '/'))
					j++;
				if (j + 7 <= n && mt_kw_prefix(p + j, n - j, "version")) {
					j += 7;
					continue;
				}
				break;
			}
			if (j + 1 < n && (p[j] == 'v' || p[j] == 'V') && p[j + 1] >= '0' && p[j + 1] <= '9')
				j++;
			size_t v = j;
			while (v < n && v - j < 32 && (is_alnum(p[v]) || p[v] == '.' || p[v] == '-' || p[v] == '_'))
				v++;
			char name[64];
			if (j < n && p[j] >= '0' && p[j] <= '9' && v > j) {
				char ver[40];
				mt_ascii_copy(ver, sizeof(ver), p + j, v - j);
				snprintf(name, sizeof(name), "%s %s", sw_table[t].name, ver);
			} else {
				snprintf(name, sizeof(name), "%s", sw_table[t].name);
			}
			sess_set_software(s, name);
			return true;
		}
	}
	return false;
}

/* ---- enhanced status codes (RFC 3463, RFC 4954 §6) ---- */

static bool parse_enh(const uint8_t *p, size_t n, char *out, size_t outsz, int cls[3])
{
	size_t i = 0;
	for (int part = 0; part < 3; part++) {
		size_t d = 0;
		int v = 0;
		while (i < n && p[i] >= '0' && p[i] <= '9' && d < 3) {
			v = v * 10 + (p[i] - '0');
			i++;
			d++;
		}
		if (!d)
			return false;
		cls[part] = v;
		if (part < 2) {
			if (i >= n || p[i] != '.')
				return false;
			i++;
		}
	}
	if (i < n && p[i] != ' ' && p[i] != '\t')
		return false;
	if (cls[0] != 2 && cls[0] != 4 && cls[0] != 5)
		return false;
	mt_ascii_copy(out, outsz, p, i);
	return true;
}

static const char *enh_detail(int subj, int det, int cls)
{
	static const struct { int s, d; const char *t; } tab[] = {
		{ 0, 0, "other" },
		{ 1, 0, "other address status" },
		{ 1, 1, "bad destination mailbox address" },
		{ 1, 2, "bad destination system address" },
		{ 1, 3, "bad destination mailbox address syntax" },
		{ 1, 5, "destination address valid" },
		{ 1, 6, "destination mailbox has moved" },
		{ 1, 7, "bad sender's mailbox address syntax" },
		{ 1, 8, "bad sender's system address" },
		{ 1, 10, "recipient address has null MX" },
		{ 2, 0, "other mailbox status" },
		{ 2, 1, "mailbox disabled" },
		{ 2, 2, "mailbox full" },
		{ 2, 3, "message length exceeds administrative limit" },
		{ 3, 0, "other mail system status" },
		{ 3, 4, "message too big for system" },
		{ 4, 0, "other network or routing status" },
		{ 4, 7, "delivery time expired" },
		{ 5, 0, "other protocol status" },
		{ 5, 1, "invalid command" },
		{ 5, 2, "syntax error" },
		{ 5, 3, "too many recipients" },
		{ 5, 4, "invalid command arguments" },
		{ 5, 6, "authentication exchange line too long" },
		{ 6, 0, "other media error" },
		{ 7, 1, "delivery not authorized, message refused" },
		{ 7, 8, "authentication credentials invalid" },
		{ 7, 9, "authentication mechanism too weak" },
		{ 7, 10, "encryption needed" },
		{ 7, 11, "encryption required for the authentication mechanism" },
		{ 7, 12, "a password transition is needed" },
		{ 7, 13, "user account disabled" },
	};
	if (subj == 7 && det == 0)
		return cls == 2 ? "authentication succeeded" : "other security or policy status";
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (tab[i].s == subj && tab[i].d == det)
			return tab[i].t;
	static const char *const subjects[] = {
		"other", "addressing", "mailbox", "mail system", "network or routing",
		"mail delivery protocol", "message content or media", "security or policy",
	};
	return subj >= 0 && subj < 8 ? subjects[subj] : "unknown subject";
}

static void add_enh(struct mt_sbuf *b, const char *code, const int cls[3])
{
	const char *c = cls[0] == 2 ? "success" : cls[0] == 4 ? "temporary failure" : "permanent failure";
	if (b->len)
		mt_sbuf_addc(b, ' ');
	mt_sbuf_printf(b, "[%s %s: %s]", code, c, enh_detail(cls[1], cls[2], cls[0]));
}

/* ---- SASL (RFC 4954 and the mechanisms' RFCs) ---- */

/* Client messages each mechanism sends in a successful exchange, used
 * only when the server side is not in the capture. */
static unsigned mech_steps(enum mt_sasl_mech m)
{
	switch (m) {
	case MT_SASL_LOGIN: case MT_SASL_NTLM: case MT_SASL_SCRAM: case MT_SASL_DIGEST_MD5:
		return 2;
	default:
		return 1;
	}
}

/* Decodes an NTLMSSP message ([MS-NLMP] §2.2.1) into the decoded text and,
 * for the server challenge and the client's AUTHENTICATE, the credential. */
static void ntlm_decode(const uint8_t *p, size_t n, struct mt_credential *c, struct mt_sbuf *d)
{
	struct mt_ntlm m;
	if (!mt_ntlm_parse(p, n, &m)) {
		add_blob(d, p, n);
		return;
	}
	if (m.type == 1) {
		mt_sbuf_adds(d, "[NTLM negotiate]");
	} else if (m.type == 2 && m.challenge) {
		mt_sbuf_adds(d, "[NTLM challenge ");
		mt_sbuf_add_hex(d, m.challenge, 8);
		mt_sbuf_addc(d, ']');
		if (c) {
			struct mt_sbuf h;
			mt_sbuf_init(&h);
			mt_sbuf_add_hex(&h, m.challenge, 8);
			bytes_set(&c->challenge, h.s, h.len);
			mt_sbuf_free(&h);
		}
	} else if (m.type == 3) {
		/* without NegotiateFlags (old 52-byte headers) strings are Unicode */
		bool unicode = m.has_flags ? (m.flags & MT_NTLM_NEGOTIATE_UNICODE) != 0 : true;
		struct mt_sbuf user, ws;
		mt_sbuf_init(&user);
		mt_sbuf_init(&ws);
		mt_ntlm_who(&user, &m, unicode);
		mt_ntlm_add_str(&ws, &m.workstation, unicode);
		mt_sbuf_adds(d, "[NTLM authenticate user=");
		mt_sbuf_add_quoted(d, user.s ? user.s : "", user.len, MT_QUOTE_HEX_CTL);
		mt_sbuf_adds(d, " workstation=");
		mt_sbuf_add_quoted(d, ws.s ? ws.s : "", ws.len, MT_QUOTE_HEX_CTL);
		mt_sbuf_addc(d, ']');
		if (c) {
			if (user.len)
				bytes_set(&c->username, user.s, user.len);
			if (m.nt.ok && m.nt.n) {
				struct mt_sbuf h;
				mt_sbuf_init(&h);
				mt_sbuf_add_hex(&h, m.nt.p, m.nt.n < NTLM_RESP_MAX ? m.nt.n : NTLM_RESP_MAX);
				bytes_set(&c->response, h.s, h.len);
				c->response.truncated = m.nt.n > NTLM_RESP_MAX;
				mt_sbuf_free(&h);
			}
		}
		mt_sbuf_free(&user);
		mt_sbuf_free(&ws);
	} else {
		mt_sbuf_printf(d, "[NTLM message type %u]", m.type);
	}
}

/* Shows an XOAUTH2/OAUTHBEARER initial response (user given unescaped)
 * and takes the bearer token as the credential's secret (RFC 7628 §3.1). */
static void oauth_decode(struct mt_credential *c, const uint8_t *u, size_t un, const struct mt_sasl_oauth *oa,
                         const struct mt_line_meta *m, struct out *o)
{
	mt_sbuf_adds(&o->dec, "user=");
	mt_sbuf_adds(&o->masked, "user=");
	mt_sbuf_add_quoted(&o->dec, u, oa->has_user ? un : 0, MT_QUOTE_HEX_CTL);
	mt_sbuf_add_quoted(&o->masked, u, oa->has_user ? un : 0, MT_QUOTE_HEX_CTL);
	if (oa->has_user && c)
		bytes_set(&c->username, u, un);
	if (oa->has_auth) {
		mt_sbuf_adds(&o->dec, " auth=");
		mt_sbuf_adds(&o->masked, " auth=");
		mt_sbuf_add_quoted(&o->dec, oa->auth.p, oa->auth.n, MT_QUOTE_HEX_CTL);
		mt_sbuf_adds(&o->masked, oa->bearer ? "\"Bearer ********\"" : "\"********\"");
		if (c) {
			bytes_set(&c->password, oa->token.p, oa->token.n);
			c->frame = m->frame;
		}
	} else {
		out_both(o, " [no auth= field]");
	}
}

/* One client SASL message (initial response or an answer to 334), given
 * as the base64 token at line offset toff. Fills the credential and the
 * decoded text; the whole token is the secret where it carries one. */
static void auth_step(struct mt_session *s, struct smtp *st, const uint8_t *tok, size_t tn, size_t toff,
                      const struct mt_line_meta *m, struct out *o)
{
	struct auth *a = &st->a;
	struct mt_credential *c = a->cred;
	unsigned step = a->steps++;
	size_t len = 0;
	uint8_t *buf = NULL;
	bool empty = tn == 0 || (tn == 1 && tok[0] == '=');  /* RFC 4954 §4: "=" is empty */

	if (c && m->typed)
		c->typed = true;
	if (!empty) {
		buf = mt_xmalloc(mt_b64_decoded_max(tn) + 1);
		long r = mt_b64_decode(tok, tn, buf);
		if (r < 0) {
			free(buf);
			buf = NULL;
		} else {
			len = (size_t)r;
			buf[len] = 0;
		}
	}
	bool secret_step = (a->mech == MT_SASL_LOGIN && step == 1) || a->mech == MT_SASL_PLAIN ||
	                   ((a->mech == MT_SASL_XOAUTH2 || a->mech == MT_SASL_OAUTHBEARER) && step == 0);
	if (secret_step && tn && !empty) {
		o->secret = true;
		o->soff = toff;
		o->slen = tn;
	}
	if (empty) {
		out_both(o, "[empty response]");
		goto done;
	}
	if (!buf) {
		out_both(o, "[not base64]");
		if (m->truncated && c)
			c->password.truncated = true;
		goto done;
	}
	switch (a->mech) {
	case MT_SASL_LOGIN:
		/* user name, then password; a third message is not LOGIN's */
		if (step >= 2) {
			add_blob(&o->dec, buf, len);
			add_blob(&o->masked, buf, len);
		} else if (mt_sasl_login_role(step, NULL, 0) == MT_SASL_LOGIN_USER) {
			mt_sbuf_add_escaped(&o->dec, buf, len);
			mt_sbuf_add_escaped(&o->masked, buf, len);
			if (c)
				bytes_set(&c->username, buf, len);
		} else {
			mt_sbuf_add_escaped(&o->dec, buf, len);
			mt_sbuf_adds(&o->masked, "********");
			if (c) {
				bytes_set(&c->password, buf, len);
				c->password.truncated = m->truncated;
				c->frame = m->frame;
			}
		}
		break;
	case MT_SASL_PLAIN: {
		/* RFC 4616 §2: [authzid] NUL authcid NUL passwd */
		struct mt_sasl_plain pl;
		if (!mt_sasl_plain_split(buf, len, &pl)) {
			out_both(o, "[malformed PLAIN message]");
			break;
		}
		mt_sasl_plain_text(&o->dec, &o->masked, &pl, MT_QUOTE_HEX_CTL);
		if (c) {
			if (pl.authzid.n)
				bytes_set(&c->authzid, pl.authzid.p, pl.authzid.n);
			bytes_set(&c->username, pl.authcid.p, pl.authcid.n);
			bytes_set(&c->password, pl.passwd.p, pl.passwd.n);
			c->password.truncated = m->truncated;
			c->frame = m->frame;
		}
		break;
	}
	case MT_SASL_CRAM_MD5: {
		/* RFC 2195 §2: "user SP digest" (the digest is 32 hex digits) */
		struct mt_span u, dg;
		if (!mt_sasl_cram_split(buf, len, &u, &dg)) {
			add_blob(&o->dec, buf, len);
			add_blob(&o->masked, buf, len);
			break;
		}
		mt_sasl_cram_text(&o->dec, u, dg, MT_QUOTE_HEX_CTL);
		mt_sasl_cram_text(&o->masked, u, dg, MT_QUOTE_HEX_CTL);
		if (c) {
			bytes_set(&c->username, u.p, u.n);
			bytes_set(&c->response, dg.p, dg.n);
			c->frame = m->frame;
		}
		break;
	}
	case MT_SASL_XOAUTH2:
		if (step == 0) {
			/* "user=" u ^A "auth=Bearer " token ^A ^A */
			struct mt_sasl_oauth oa;
			mt_sasl_xoauth2_parse(buf, len, &oa);
			oauth_decode(c, oa.user.p, oa.user.n, &oa, m, o);
		} else {
			add_blob(&o->dec, buf, len);
			add_blob(&o->masked, buf, len);
		}
		break;
	case MT_SASL_OAUTHBEARER:
		if (step == 0) {
			/* RFC 7628 §3.1: gs2-header "n,a=user," then ^A-separated pairs */
			struct mt_sasl_oauth oa;
			struct mt_sbuf user;
			mt_sbuf_init(&user);
			mt_sasl_oauthbearer_parse(buf, len, &oa);
			if (oa.has_user)
				mt_sasl_saslname_unescape(&user, oa.user.p, oa.user.n);
			oauth_decode(c, (const uint8_t *)(user.s ? user.s : ""), user.len, &oa, m, o);
			mt_sbuf_free(&user);
		} else {
			out_both(o, len == 1 && buf[0] == 1 ? "[acknowledges the error]" : "[unexpected message]");
		}
		break;
	case MT_SASL_NTLM:
		ntlm_decode(buf, len, c, &o->dec);
		mt_sbuf_add(&o->masked, o->dec.s, o->dec.len);
		if (c && c->username.len)
			c->frame = m->frame;
		break;
	case MT_SASL_SCRAM: {
		/* RFC 5802 §7: client-first "n,,n=user,r=nonce" */
		struct mt_span u;
		add_blob(&o->dec, buf, len);
		add_blob(&o->masked, buf, len);
		if (step == 0 && c && mt_sasl_find_kv(buf, len, ',', "n=", &u)) {
			struct mt_sbuf user;
			mt_sbuf_init(&user);
			mt_sasl_saslname_unescape(&user, u.p, u.n);
			bytes_set(&c->username, user.s ? user.s : "", user.len);
			mt_sbuf_free(&user);
		}
		break;
	}
	case MT_SASL_DIGEST_MD5: {
		/* RFC 2831 §2.1.2: username="...",...,response=<32 hex> */
		struct mt_span v;
		add_blob(&o->dec, buf, len);
		add_blob(&o->masked, buf, len);
		if (c && mt_sasl_find_kv(buf, len, ',', "username=", &v)) {
			if (v.n >= 2 && v.p[0] == '"' && v.p[v.n - 1] == '"') {
				v.p++;
				v.n -= 2;
			}
			bytes_set(&c->username, v.p, v.n);
			c->frame = m->frame;
		}
		if (c && mt_sasl_find_kv(buf, len, ',', "response=", &v))
			bytes_set(&c->response, v.p, v.n);
		break;
	}
	default:
		add_blob(&o->dec, buf, len);
		add_blob(&o->masked, buf, len);
		break;
	}
done:
	free(buf);
	if (!st->server_seen && a->steps >= a->expect)
		a->active = false;   /* no server to tell us: the mechanism is done */
}

/* Does this client line belong to the SASL exchange? */
static bool auth_wants(const struct smtp *st)
{
	const struct auth *a = &st->a;
	if (!a->active)
		return false;
	if (a->prompts > a->answers)
		return true;        /* the server asked (334) */
	if (st->server_seen)
		return false;       /* no prompt pending: a command */
	return a->steps < a->expect;
}

/* A 334 from the server: decode its challenge for the mechanism. */
static void auth_prompt(struct mt_session *s, struct smtp *st, const uint8_t *p, size_t n, bool ours,
                        struct out *o)
{
	struct auth *a = &st->a;
	struct mt_credential *c = ours ? a->cred : NULL;
	struct mt_span sp = { p, n };
	mt_skip_ws(&sp);
	mt_trim_right(&sp);
	if (ours)
		a->prompts++;
	if (!sp.n) {
		out_both(o, "[go ahead]");   /* RFC 4954 §4: empty challenge */
		return;
	}
	size_t len;
	uint8_t *buf = mt_b64_decode_alloc(sp.p, sp.n, s->model->limits.line_max, &len);
	if (!buf) {
		out_both(o, "[not base64]");
		return;
	}
	enum mt_sasl_mech mech = ours ? a->mech : MT_SASL_OTHER;
	switch (mech) {
	case MT_SASL_CRAM_MD5:
		mt_sbuf_adds(&o->dec, "[challenge ");
		mt_sbuf_add_escaped(&o->dec, buf, len);
		mt_sbuf_addc(&o->dec, ']');
		if (c)
			bytes_set(&c->challenge, buf, len);
		break;
	case MT_SASL_NTLM:
		ntlm_decode(buf, len, c, &o->dec);
		break;
	case MT_SASL_DIGEST_MD5:
		add_blob(&o->dec, buf, len);
		if (c && a->steps == 0)
			bytes_set(&c->challenge, buf, len);
		break;
	case MT_SASL_XOAUTH2: case MT_SASL_OAUTHBEARER:
		mt_sbuf_adds(&o->dec, "[error ");
		mt_sbuf_add_escaped(&o->dec, buf, len);
		mt_sbuf_addc(&o->dec, ']');
		break;
	default:
		add_blob(&o->dec, buf, len);   /* "[Username:]", "[Password:]" */
		break;
	}
	mt_sbuf_add(&o->masked, o->dec.s, o->dec.len);
	free(buf);
}

/* ---- messages ---- */

static void data_end(struct mt_session *s, struct smtp *st, bool complete)
{
	if (st->msg)
		sess_msg_end(s, st->msg, complete && !st->msg_bad);
	st->msg = NULL;
	st->msg_bad = false;
	st->data_mode = false;
	st->data_354 = false;
	st->data_body = false;
	st->ln[DIR_C2S].nvt = MT_NVT_AUTO;
}

static void bdat_end(struct mt_session *s, struct smtp *st, bool complete)
{
	if (st->bmsg)
		sess_msg_end(s, st->bmsg, complete && !st->bmsg_bad);
	st->bmsg = NULL;
	st->bmsg_bad = false;
}

/* A line of the message body (RFC 5321 §4.1.1.4, §4.5.2). */
static void data_line(struct mt_session *s, struct smtp *st, const uint8_t *p, size_t n,
                      const struct mt_line_meta *m)
{
	if (n == 1 && p[0] == '.' && m->eol) {
		struct out o;
		char t[64];
		out_init(&o);
		if (!st->msg)
			st->msg = sess_msg_begin(s, DIR_C2S, "DATA", m->first_frame);
		snprintf(t, sizeof(t), "[end of message, %llu bytes]", (unsigned long long)st->msg->size);
		out_both(&o, t);
		size_t idx = emit(s, DIR_C2S, LINE_TEXT, p, n, m, &o);
		out_free(&o);
		data_end(s, st, true);
		q_push(st, CMD_DOT, idx, NULL);
		return;
	}
	if (!st->msg)
		st->msg = sess_msg_begin(s, DIR_C2S, "DATA", m->first_frame);
	st->data_body = true;
	emit(s, DIR_C2S, LINE_DATA, p, n, m, NULL);
	/* RFC 5321 §4.5.2: a leading dot was doubled by the sender */
	const uint8_t *b = p;
	size_t k = n;
	if (k && b[0] == '.') {
		b++;
		k--;
	}
	sess_msg_data(s, st->msg, b, k, m->frame);
	if (m->eol)
		sess_msg_data(s, st->msg, (const uint8_t *)(m->bare_lf ? "\n" : "\r\n"), m->bare_lf ? 1 : 2, m->frame);
	if (m->truncated) {
		/* The splitter kept line_max bytes: the message lost bytes. */
		st->msg_bad = true;
		emit_note(s, DIR_C2S, LINE_NOTE, m->frame, m->ts_ns,
		          "[message line longer than the line limit: the rest of it was not kept]");
	}
}

/* Cuts BDAT chunk bytes into transcript lines. */
static void bline_flush(struct mt_session *s, struct smtp *st, const struct mt_seg_info *info)
{
	if (!st->bline.len)
		return;
	size_t n = st->bline.len;
	if (n && st->bline.s[n - 1] == '\r')
		n--;
	sess_line(s, DIR_C2S, LINE_DATA, st->bline_frame, info->frame, info->ts_ns,
	          (const uint8_t *)st->bline.s, n, NULL);
	mt_sbuf_reset(&st->bline);
	st->bline_frame = 0;
}

static void bdat_bytes(struct mt_session *s, struct smtp *st, const uint8_t *p, size_t n,
                       const struct mt_seg_info *info)
{
	if (st->bmsg)
		sess_msg_data(s, st->bmsg, p, n, info->frame);
	if (!s->model->keep_lines)
		return;
	size_t cap = s->model->limits.line_max;
	for (size_t i = 0; i < n;) {
		const uint8_t *lf = memchr(p + i, '\n', n - i);
		size_t e = lf ? (size_t)(lf - p) : n;
		if (!st->bline_frame)
			st->bline_frame = info->frame;
		size_t room = cap > st->bline.len ? cap - st->bline.len : 0;
		size_t k = e - i < room ? e - i : room;
		if (k)
			mt_sbuf_add(&st->bline, p + i, k);
		if (lf) {
			bline_flush(s, st, info);
			i = e + 1;
		} else {
			i = n;
		}
	}
}

static void bdat_chunk_done(struct mt_session *s, struct smtp *st, const struct mt_seg_info *info)
{
	bline_flush(s, st, info);
	st->bdat_active = false;
	if (st->bdat_last)
		bdat_end(s, st, true);   /* RFC 3030 §2: LAST ends the message */
}

/* ---- client commands ---- */

static const char *const known_verbs[] = {
	"HELO", "EHLO", "MAIL", "RCPT", "DATA", "BDAT", "AUTH", "STARTTLS", "RSET", "QUIT",
	"NOOP", "VRFY", "EXPN", "HELP", "ETRN", "TURN", "ATRN", "XCLIENT", "XFORWARD", "LHLO",
};

static bool known_verb(const char *v)
{
	for (size_t i = 0; i < sizeof(known_verbs) / sizeof(known_verbs[0]); i++)
		if (!strcmp(v, known_verbs[i]))
			return true;
	return false;
}

/* "FROM:<path> params" / "TO:<path> params" (RFC 5321 §4.1.1.2-3). */
static void decode_path(struct out *o, const char *key, const char *label, struct mt_span rest)
{
	mt_skip_ws(&rest);
	size_t k = strlen(key);
	if (!mt_kw_prefix(rest.p, rest.n, key))
		return;
	rest.p += k;
	rest.n -= k;
	mt_skip_ws(&rest);
	if (!rest.n || rest.p[0] != ':')
		return;   /* the server will say what it thinks of it */
	rest.p++;
	rest.n--;
	mt_skip_ws(&rest);
	size_t e = 0;
	if (rest.n && rest.p[0] == '<') {
		while (e < rest.n && rest.p[e] != '>')
			e++;
		if (e < rest.n)
			e++;
	} else {
		while (e < rest.n && rest.p[e] != ' ')
			e++;
	}
	mt_sbuf_printf(&o->dec, "%s=", label);
	mt_sbuf_add_escaped(&o->dec, rest.p, e);
	rest.p += e;
	rest.n -= e;
	mt_skip_ws(&rest);
	mt_trim_right(&rest);
	if (rest.n) {
		mt_sbuf_addc(&o->dec, ' ');
		mt_sbuf_add_escaped(&o->dec, rest.p, rest.n);
	}
	mt_sbuf_add(&o->masked, o->dec.s, o->dec.len);
}

static void cmd_auth(struct mt_session *s, struct smtp *st, const uint8_t *line, size_t n, struct mt_span rest,
                     const struct mt_line_meta *m)
{
	struct mt_span mw, ir;
	struct out o;
	out_init(&o);
	if (!mt_next_word(&rest, &mw)) {
		size_t idx = emit(s, DIR_C2S, LINE_TEXT, line, n, m, NULL);
		q_push(st, CMD_OTHER, idx, NULL);
		return;
	}
	char up[32], mech[32];
	mt_sasl_mech_name(up, sizeof(up), mw.p, mw.n);
	mt_sasl_cred_mech(mech, sizeof(mech), "AUTH", up);

	struct auth *a = &st->a;
	memset(a, 0, sizeof(*a));
	a->active = true;
	a->mech = mt_sasl_mech_of(up);
	a->expect = mech_steps(a->mech);
	a->cred = sess_cred_new(s, mech, m->frame);
	a->cred->typed = m->typed;

	if (mt_next_word(&rest, &ir))   /* RFC 4954 §4: initial response on the command line */
		auth_step(s, st, ir.p, ir.n, (size_t)(ir.p - line), m, &o);
	size_t idx = emit(s, DIR_C2S, LINE_TEXT, line, n, m, &o);
	out_free(&o);
	q_push(st, CMD_AUTH, idx, a->cred);
}

static void cmd_bdat(struct mt_session *s, struct smtp *st, const uint8_t *line, size_t n, struct mt_span rest,
                     const struct mt_line_meta *m)
{
	struct mt_span w;
	uint64_t size = 0;
	size_t used = 0;
	bool last = false;
	char t[96];
	struct out o;
	out_init(&o);
	if (!mt_next_word(&rest, &w) || !mt_parse_u64(w.p, w.n, &size, &used) || used != w.n) {
		out_both(&o, "[malformed BDAT: no chunk size]");
		size_t idx = emit(s, DIR_C2S, LINE_TEXT, line, n, m, &o);
		out_free(&o);
		q_push(st, CMD_OTHER, idx, NULL);
		return;
	}
	if (mt_next_word(&rest, &w) && mt_kw_eq(w.p, w.n, "LAST"))
		last = true;
	if (st->data_mode || st->msg)
		data_end(s, st, false);
	bool trusted = size <= BDAT_TRUST_MAX;
	if (trusted)
		snprintf(t, sizeof(t), "[chunk of %llu bytes%s]", (unsigned long long)size, last ? ", last" : "");
	else
		snprintf(t, sizeof(t), "[chunk size %llu not followed: larger than %llu]",
		         (unsigned long long)size, (unsigned long long)BDAT_TRUST_MAX);
	out_both(&o, t);
	size_t idx = emit(s, DIR_C2S, LINE_TEXT, line, n, m, &o);
	out_free(&o);
	q_push(st, CMD_BDAT, idx, NULL);
	if (!trusted) {
		if (st->bmsg)
			st->bmsg_bad = true;
		return;
	}
	if (!st->bmsg)
		st->bmsg = sess_msg_begin(s, DIR_C2S, "BDAT", m->first_frame);
	st->bdat_last = last;
	if (size) {
		st->bdat_active = true;
		st->bdat_left = size;
		mt_lines_raw(&st->ln[DIR_C2S], size);
	} else if (last) {
		bdat_end(s, st, true);
	}
}

static void client_command(struct mt_session *s, struct smtp *st, const uint8_t *p, size_t n,
                           const struct mt_line_meta *m)
{
	struct mt_span rest = { p, n }, verb = { p, 0 };
	char v[16];
	struct out o;
	out_init(&o);
	mt_next_word(&rest, &verb);
	mt_upper_copy(v, sizeof(v), verb.p, verb.n < sizeof(v) ? verb.n : 0);

	if (m->after_gap && !known_verb(v)) {
		/* The start of this line may be lost in the gap: not a command. */
		out_both(&o, "[partial line after a gap]");
		emit(s, DIR_C2S, LINE_TEXT, p, n, m, &o);
		out_free(&o);
		return;
	}
	enum cmd c = CMD_OTHER;
	if (!strcmp(v, "AUTH")) {
		out_free(&o);
		cmd_auth(s, st, p, n, rest, m);
		return;
	}
	if (!strcmp(v, "BDAT")) {
		out_free(&o);
		cmd_bdat(s, st, p, n, rest, m);
		return;
	}
	if (!strcmp(v, "HELO")) {
		c = CMD_HELO;
	} else if (!strcmp(v, "EHLO") || !strcmp(v, "LHLO")) {
		c = CMD_EHLO;
	} else if (!strcmp(v, "MAIL")) {
		c = CMD_MAIL;
		bdat_end(s, st, false);   /* a new transaction ends an unfinished one */
		decode_path(&o, "FROM", "from", rest);
	} else if (!strcmp(v, "RCPT")) {
		c = CMD_RCPT;
		decode_path(&o, "TO", "to", rest);
	} else if (!strcmp(v, "DATA")) {
		c = CMD_DATA;
	} else if (!strcmp(v, "STARTTLS")) {
		c = CMD_STARTTLS;
	} else if (!strcmp(v, "RSET")) {
		c = CMD_RSET;
		bdat_end(s, st, false);   /* RFC 5321 §4.1.1.5: the transaction is aborted */
	} else if (!strcmp(v, "QUIT")) {
		c = CMD_QUIT;
	} else if (!strcmp(v, "VRFY") || !strcmp(v, "EXPN")) {
		struct mt_span arg = rest;
		mt_skip_ws(&arg);
		mt_trim_right(&arg);
		if (arg.n) {
			mt_sbuf_adds(&o.dec, !strcmp(v, "VRFY") ? "[verify address " : "[expand list ");
			mt_sbuf_add_escaped(&o.dec, arg.p, arg.n);
			mt_sbuf_addc(&o.dec, ']');
		}
	}
	size_t idx = emit(s, DIR_C2S, LINE_TEXT, p, n, m, &o);
	out_free(&o);
	q_push(st, c, idx, NULL);

	if (c == CMD_DATA) {
		/* RFC 5321 §4.1.1.4: the body follows the 354. It is taken at once,
		 * not after the 354, so pipelined blasts and one-sided captures
		 * keep their message; a refusal of DATA before any body undoes it. */
		bdat_end(s, st, false);
		st->data_mode = true;
		st->data_354 = false;
		st->data_body = false;
		st->msg = NULL;
		st->msg_bad = false;
		if (!st->ln[DIR_C2S].nvt_seen)
			st->ln[DIR_C2S].nvt = MT_NVT_OFF;   /* 8-bit bodies may hold 0xFF */
	} else if (c == CMD_STARTTLS) {
		sess_starttls_requested(s, m->frame);
		if (st->ehlo_reply_seen && s->starttls.offered != TRI_TRUE)
			sess_warn(s, W_STARTTLS_NOT_OFFERED);
		st->starttls_wait = true;
	}
}

static void client_line(struct mt_session *s, struct smtp *st, const uint8_t *p, size_t n,
                        const struct mt_line_meta *m)
{
	line_flags(s, m);
	if (st->data_mode) {
		data_line(s, st, p, n, m);
		return;
	}
	if (st->starttls_wait) {
		/* RFC 3207 §4.2 / CVE-2011-0411: commands pipelined after STARTTLS
		 * would be run by a careless server inside the TLS session. */
		struct out o;
		out_init(&o);
		out_both(&o, "[sent before the STARTTLS reply: command injection]");
		emit(s, DIR_C2S, LINE_TEXT, p, n, m, &o);
		out_free(&o);
		sess_warn(s, W_STARTTLS_INJECTION);
		return;
	}
	if (auth_wants(st)) {
		struct auth *a = &st->a;
		struct out o;
		out_init(&o);
		if (a->prompts > a->answers)
			a->answers++;
		struct mt_span sp = { p, n };
		mt_trim_right(&sp);
		if (sp.n == 1 && sp.p[0] == '*') {
			/* RFC 4954 §4: the client cancels; the server answers 501 */
			if (a->cred)
				a->cred->cancelled = true;
			a->active = false;
			out_both(&o, "[authentication cancelled]");
		} else {
			auth_step(s, st, sp.p, sp.n, 0, m, &o);
		}
		emit(s, DIR_C2S, LINE_TEXT, p, n, m, &o);
		out_free(&o);
		return;
	}
	client_command(s, st, p, n, m);
}

/* ---- server replies ---- */

static bool parse_code(const uint8_t *p, size_t n, int *code, bool *more)
{
	if (n < 3)
		return false;
	for (int i = 0; i < 3; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	if (n > 3 && p[3] != ' ' && p[3] != '-' && p[3] != '\t')
		return false;
	*code = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
	*more = n > 3 && p[3] == '-';
	return true;
}

/* One line of an EHLO reply after the first: a service extension. */
static void capability(struct mt_session *s, const uint8_t *p, size_t n, struct out *o)
{
	struct mt_span rest = { p, n }, kw, w;
	if (!mt_next_word(&rest, &kw))
		return;
	if (mt_kw_eq(kw.p, kw.n, "STARTTLS")) {
		sess_starttls_offered(s);
		out_both(o, "[offers STARTTLS, RFC 3207]");
	} else if (mt_kw_eq(kw.p, kw.n, "AUTH") || mt_kw_prefix(kw.p, kw.n, "AUTH=")) {
		/* RFC 4954 §3; "AUTH=LOGIN PLAIN" is the pre-standard form */
		struct mt_span first = kw;
		mt_sbuf_adds(&o->dec, "[auth mechanisms:");
		if (kw.n > 5 && kw.p[4] == '=') {
			first.p += 5;
			first.n -= 5;
			sess_add_auth_mech(s, first.p, first.n);
			mt_sbuf_addc(&o->dec, ' ');
			mt_sbuf_add_escaped(&o->dec, first.p, first.n);
		}
		while (mt_next_word(&rest, &w)) {
			sess_add_auth_mech(s, w.p, w.n);
			mt_sbuf_addc(&o->dec, ' ');
			mt_sbuf_add_escaped(&o->dec, w.p, w.n);
		}
		mt_sbuf_addc(&o->dec, ']');
		mt_sbuf_add(&o->masked, o->dec.s, o->dec.len);
	} else if (mt_kw_eq(kw.p, kw.n, "SIZE")) {
		uint64_t v = 0;
		if (mt_next_word(&rest, &w) && mt_parse_u64(w.p, w.n, &v, NULL) && v) {
			char t[64];
			snprintf(t, sizeof(t), "[message size limit %llu bytes, RFC 1870]", (unsigned long long)v);
			out_both(o, t);
		} else {
			out_both(o, "[message size declared, no fixed limit, RFC 1870]");
		}
	} else if (mt_kw_eq(kw.p, kw.n, "PIPELINING")) {
		out_both(o, "[pipelining, RFC 2920]");
	} else if (mt_kw_eq(kw.p, kw.n, "SMTPUTF8")) {
		out_both(o, "[UTF-8 addresses and headers, RFC 6531]");
	} else if (mt_kw_eq(kw.p, kw.n, "CHUNKING")) {
		out_both(o, "[BDAT chunking, RFC 3030]");
	} else if (mt_kw_eq(kw.p, kw.n, "8BITMIME")) {
		out_both(o, "[8-bit message bodies, RFC 6152]");
	} else if (mt_kw_eq(kw.p, kw.n, "ENHANCEDSTATUSCODES")) {
		out_both(o, "[enhanced status codes, RFC 2034]");
	} else if (mt_kw_eq(kw.p, kw.n, "BINARYMIME")) {
		out_both(o, "[binary message bodies, RFC 3030]");
	} else if (mt_kw_eq(kw.p, kw.n, "DSN")) {
		out_both(o, "[delivery status notifications, RFC 3461]");
	}
}

static bool syntax_error_reply(int code, const char *enh)
{
	/* RFC 5321 §4.2.2: 500 and 501 are syntax errors; 555 is RFC 5321
	 * §4.1.1.11's "parameters not recognized"; RFC 3463 x.5.2 says syntax. */
	if (code == 500 || code == 501 || code == 555)
		return true;
	size_t k = strlen(enh);
	return k >= 5 && !strcmp(enh + 1, ".5.2");
}

static void start_tls(struct mt_session *s, struct smtp *st)
{
	st->tls_mode = true;
	st->starttls_wait = false;
	mt_lines_raw_forever(&st->ln[DIR_C2S]);
	mt_lines_raw_forever(&st->ln[DIR_S2C]);
}

/* A complete reply: settle the command it answers. */
static void reply_done(struct mt_session *s, struct smtp *st, const struct mt_line_meta *m)
{
	struct reply *r = &st->r;
	int code = r->code;
	r->active = false;
	st->greeted = true;
	if (r->ctx == RC_GREETING || r->ctx == RC_NONE)
		return;
	if (r->ctx == RC_LOST_DOT) {
		/* The server answered the end of a message whose "." we never saw. */
		data_end(s, st, false);
		if (st->q.len && q_head(st)->cmd == CMD_DOT)
			q_pop(st);
		return;
	}
	if (code == 334)
		return;   /* an intermediate step of AUTH: the command stays open */
	struct pend e = q_pop(st);
	char note[NOTE_MAX + 48];
	switch (e.cmd) {
	case CMD_AUTH:
		if (e.cred) {
			if (e.cred->cancelled)
				e.cred->reply_frame = m->frame;   /* the 501 to "*" is no verdict */
			else if (code == 235)
				sess_cred_outcome(s, e.cred, OUTCOME_SUCCESS, m->frame);   /* RFC 4954 §6 */
			else if (code >= 400)
				sess_cred_outcome(s, e.cred, OUTCOME_FAILURE, m->frame);
		}
		if (st->a.cred == e.cred)
			st->a.active = false;
		break;
	case CMD_STARTTLS:
		st->starttls_wait = false;
		if (code == 220) {
			sess_starttls_reply(s, true, m->frame);   /* RFC 3207 §4 */
			start_tls(s, st);
		} else {
			sess_starttls_reply(s, false, m->frame);   /* 454 / 501 / ... */
		}
		break;
	case CMD_DATA:
		if (code == 354) {
			st->data_354 = true;
		} else if (st->data_mode && !st->data_body) {
			/* DATA refused (RFC 5321 §3.3: e.g. 554 no valid recipients):
			 * what the client sends next are commands again. */
			data_end(s, st, false);
			snprintf(note, sizeof(note), "[refused: %s]", r->text);
			annotate(s, e.line, note);
		}
		break;
	case CMD_EHLO:
		if (code == 500 || code == 502) {
			/* An RFC 821 server: the client falls back to HELO (RFC 5321 §3.2). */
			snprintf(note, sizeof(note), "[EHLO not supported: %s]", r->text);
			annotate(s, e.line, note);
			break;
		}
		/* fall through */
	default:
		if (e.cmd != CMD_DOT && syntax_error_reply(code, r->enh)) {
			snprintf(note, sizeof(note), "[syntax error: %s]", r->text);
			annotate(s, e.line, note);
			sess_warn(s, W_SYNTAX_ERROR);
		} else if (code >= 400 && e.cmd != CMD_QUIT) {
			snprintf(note, sizeof(note), "[%s: %s]", code >= 500 ? "rejected" : "deferred", r->text);
			annotate(s, e.line, note);
		}
		break;
	}
}

static void server_line(struct mt_session *s, struct smtp *st, const uint8_t *p, size_t n,
                        const struct mt_line_meta *m)
{
	struct reply *r = &st->r;
	int code = 0, cls[3];
	bool more = false;
	char enh[16];
	struct out o;
	out_init(&o);
	line_flags(s, m);
	bool coded = parse_code(p, n, &code, &more);
	/* Where the text (and an enhanced status code) starts. */
	const uint8_t *txt = coded ? p + (n > 4 ? 4 : n) : p;
	size_t tn = coded ? (n > 4 ? n - 4 : 0) : n;
	bool has_enh = parse_enh(txt, tn, enh, sizeof(enh), cls);

	if (!coded && !r->active && has_enh) {
		/* Some servers (Yahoo) answer "4.7.0 text" with no reply code:
		 * the enhanced code's class stands in for it, so the reply still
		 * answers its command and the FIFO stays in step. */
		code = cls[0] * 100;
		out_both(&o, "[reply without a reply code]");
	} else if (!coded) {
		if (!r->active) {
			out_both(&o, "[not an SMTP reply]");
			emit(s, DIR_S2C, LINE_TEXT, p, n, m, &o);
			out_free(&o);
			return;
		}
		/* A line without its code inside a multi-line reply: keep going. */
		code = r->code;
		more = true;
	}
	if (!r->active) {
		struct pend *h = q_head(st);
		memset(r, 0, sizeof(*r));
		r->active = true;
		r->code = code;
		mt_ascii_copy(r->text, sizeof(r->text), p, n);
		if (has_enh)
			snprintf(r->enh, sizeof(r->enh), "%s", enh);
		if (st->data_mode && st->data_354)
			r->ctx = RC_LOST_DOT;
		else if (code == 220 && (!h || h->cmd != CMD_STARTTLS))
			r->ctx = RC_GREETING;   /* also a repeated banner: it answers nothing */
		else if (!st->greeted && (code == 554 || code == 421) && (!h || h->cmd != CMD_STARTTLS))
			r->ctx = RC_GREETING;   /* RFC 5321 §3.1: a refusing greeting */
		else if (h)
			r->ctx = RC_CMD, r->cmd = h->cmd;
		else
			r->ctx = RC_NONE;
	}
	unsigned idx = r->nlines++;

	if (r->ctx == RC_GREETING) {
		if (idx == 0)
			sess_set_greeting(s, p, n);
		if (!r->sw_found && !s->server_software[0])
			r->sw_found = detect_software(s, txt, tn);
	}
	if (code == 334 && idx == 0) {
		struct pend *h = q_head(st);
		bool ours = r->ctx == RC_CMD && r->cmd == CMD_AUTH && h && st->a.cred && h->cred == st->a.cred;
		auth_prompt(s, st, txt, tn, ours, &o);
	}
	if (code == 250 && idx >= 1 && (r->ctx == RC_NONE || (r->ctx == RC_CMD && r->cmd == CMD_EHLO)))
		capability(s, txt, tn, &o);
	if (r->ctx == RC_CMD && r->cmd == CMD_EHLO && code == 250)
		st->ehlo_reply_seen = true;
	/* RFC 3463: failures say why; of the successes only 2.7.0 says more
	 * than the reply code. Server lines hold no secret: dec only. */
	if (code != 334 && has_enh && (cls[0] != 2 || (cls[1] == 7 && cls[2] == 0)))
		add_enh(&o.dec, enh, cls);
	emit(s, DIR_S2C, LINE_TEXT, p, n, m, &o);
	out_free(&o);
	if (!more)
		reply_done(s, st, m);
}

/* ---- the splitter's callbacks ---- */

/* Bytes after the TLS upgrade: the sniffer looks for the ClientHello. */
static void tls_bytes(struct mt_session *s, struct mt_tls_sniff *t, int dir, const uint8_t *p, size_t n,
                      const struct mt_seg_info *info)
{
	mt_tls_session_bytes(s, t, dir, p, n, info);
}

static void on_line(void *ctx, int dir, const uint8_t *line, size_t len, const struct mt_line_meta *m)
{
	struct mt_session *s = ctx;
	struct smtp *st = state(s);
	if (dir == DIR_C2S)
		client_line(s, st, line, len, m);
	else
		server_line(s, st, line, len, m);
}

static void on_raw(void *ctx, int dir, const uint8_t *p, size_t n, const struct mt_seg_info *info, bool done)
{
	struct mt_session *s = ctx;
	struct smtp *st = state(s);
	if (st->tls_mode) {
		tls_bytes(s, &st->tls, dir, p, n, info);
		return;
	}
	if (dir != DIR_C2S || !st->bdat_active)
		return;
	bdat_bytes(s, st, p, n, info);
	st->bdat_left = st->bdat_left > n ? st->bdat_left - n : 0;
	if (done || !st->bdat_left)
		bdat_chunk_done(s, st, info);
}

/* ---- the dissector interface ---- */

static int smtp_open(struct mt_session *s)
{
	struct smtp *st = mt_xcalloc(1, sizeof(*st));
	size_t lm = s->model->limits.line_max;
	mt_lines_init(&st->ln[DIR_C2S], lm);
	mt_lines_init(&st->ln[DIR_S2C], lm);
	st->ln[DIR_C2S].edit = true;
	st->ln[DIR_S2C].nvt = MT_NVT_OFF;   /* servers do not negotiate telnet options */
	mt_tls_sniff_init(&st->tls);
	mt_sbuf_init(&st->bline);
	mt_ring_init(&st->q, sizeof(struct pend), PEND_MAX);
	s->dissector_state = st;
	return 0;
}

static size_t smtp_data(struct mt_session *s, int dir, const uint8_t *p, size_t n, const struct mt_seg_info *info)
{
	struct smtp *st = state(s);
	if (!st || !n)
		return n;
	if (dir == DIR_S2C)
		st->server_seen = true;
	else
		st->client_seen = true;
	/* A ClientHello right after STARTTLS, its reply not seen (one-sided
	 * capture, or the reply lost): TLS has started all the same. */
	if (dir == DIR_C2S && st->starttls_wait && !st->tls_mode && st->ln[DIR_C2S].len == 0 &&
	    n >= 3 && p[0] == 0x16 && p[1] == 0x03 && p[2] <= 4) {
		emit_note(s, DIR_C2S, LINE_NOTE, info->frame, info->ts_ns,
		          "[TLS handshake without a visible reply to STARTTLS]");
		start_tls(s, st);
	}
	mt_lines_feed(&st->ln[dir], dir, p, n, info, on_line, on_raw, s);
	return n;
}

static void smtp_gap(struct mt_session *s, int dir, uint64_t len, const struct mt_seg_info *info)
{
	struct smtp *st = state(s);
	char t[64];
	if (!st)
		return;
	uint64_t swallowed = mt_lines_gap(&st->ln[dir], dir, len, info, on_line, s);
	if (dir == DIR_C2S && !st->tls_mode) {
		if (st->bdat_active) {
			st->bmsg_bad = true;
			st->bdat_left = st->bdat_left > swallowed ? st->bdat_left - swallowed : 0;
			if (!st->bdat_left)
				bdat_chunk_done(s, st, info);
		}
		if (st->data_mode) {
			/* hacking.md: the message goes on to CRLF.CRLF, marked incomplete */
			if (!st->msg)
				st->msg = sess_msg_begin(s, DIR_C2S, "DATA", info->frame);
			st->msg_bad = true;
		}
	}
	snprintf(t, sizeof(t), "[gap of %llu bytes]", (unsigned long long)len);
	emit_note(s, dir, LINE_GAP, info->frame, info->ts_ns, t);
	sess_warn(s, W_STREAM_GAP);
}

static void smtp_fin(struct mt_session *s, int dir, const struct mt_seg_info *info)
{
	struct smtp *st = state(s);
	if (st && !st->tls_mode)
		mt_lines_flush(&st->ln[dir], dir, info, on_line, s);
}

static void smtp_close(struct mt_session *s)
{
	struct smtp *st = state(s);
	if (!st)
		return;
	struct mt_seg_info info = { .frame = s->last_frame, .ts_ns = s->end_ns };
	if (!st->tls_mode) {
		mt_lines_flush(&st->ln[DIR_C2S], DIR_C2S, &info, on_line, s);
		mt_lines_flush(&st->ln[DIR_S2C], DIR_S2C, &info, on_line, s);
	}
	bline_flush(s, st, &info);
	if (st->msg)
		sess_msg_end(s, st->msg, false);
	if (st->bmsg)
		sess_msg_end(s, st->bmsg, false);
	if (st->client_seen != st->server_seen)
		sess_warn(s, W_ONE_SIDED);
	/* Credentials without a verdict keep outcome unknown. */
	mt_lines_free(&st->ln[DIR_C2S]);
	mt_lines_free(&st->ln[DIR_S2C]);
	mt_tls_sniff_free(&st->tls);
	mt_ring_free(&st->q);
	mt_sbuf_free(&st->bline);
	free(st);
	s->dissector_state = NULL;
}

const struct mt_dissector mt_dissector_smtp = {
	.name = "smtp",
	.proto = PROTO_SMTP,
	.open = smtp_open,
	.data = smtp_data,
	.gap = smtp_gap,
	.fin = smtp_fin,
	.close = smtp_close,
};
