/* pop3.c - the POP3 dissector: RFC 1939 (commands, multi-line replies,
 * byte-stuffing, APOP), RFC 2449 (CAPA, response codes, PIPELINING),
 * RFC 2595 (STLS), RFC 5034 and RFC 1734 (SASL AUTH), RFC 1460 (LAST).
 *
 * Client lines become commands in a bounded FIFO; each server status line
 * (+OK / -ERR) answers the oldest pending command, and the command says
 * whether +OK opens a multi-line, dot-terminated reply. Credentials are
 * recorded when the secret is sent and settled by the server's verdict. */
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

/* Pending commands followed at once (RFC 2449 §6.6 PIPELINING). A client
 * that pipelines more than this is still decoded; the oldest entries are
 * dropped and their replies show up as unmatched. */
#define QMAX 64
/* Longest APOP timestamp kept (RFC 1939 §7: a msg-id, in practice < 100). */
#define APOP_TS_MAX 512

enum cmd {
	C_NONE = 0, C_USER, C_PASS, C_APOP, C_AUTH, C_CAPA, C_STLS, C_STAT, C_LIST, C_UIDL,
	C_RETR, C_TOP, C_DELE, C_RSET, C_NOOP, C_LAST, C_QUIT, C_OTHER
};

struct pend {
	uint8_t cmd;                 /* enum cmd */
	bool multi;                  /* +OK opens a multi-line reply */
	uint64_t frame;
	struct mt_credential *cred;  /* attempt settled by this reply */
	char label[64];              /* "RETR 1", "TOP 1 5" for message records */
};

struct pop3 {
	struct mt_session *s;
	struct mt_lines ln[2];
	struct mt_tls_sniff tls;

	struct mt_ring q;            /* of struct pend, up to QMAX */

	/* a multi-line reply being read */
	bool multi;
	struct pend cur;
	struct mt_message *msg;
	bool msg_bad;                /* a gap or a cut line inside the message */
	bool multi_gap;
	unsigned cmds_since;         /* client commands sent after the reply began */

	bool greeted, seen_s2c;
	struct mt_bytes apop_ts;     /* RFC 1939 §7 timestamp from the greeting */

	/* USER/PASS (RFC 1939 §7) */
	struct mt_bytes user;
	bool have_user, user_typed;
	struct mt_credential *user_cred; /* attempt that uses the last USER */

	/* SASL exchange (RFC 5034 §4) */
	bool sasl;
	bool sasl_expect;            /* the next client line is a SASL response */
	enum mt_sasl_mech mech;
	unsigned step;
	struct mt_credential *sasl_cred;
	struct mt_bytes challenge;   /* last decoded server challenge */

	bool stls_pending, tls_on;
	bool capa_seen;              /* a CAPA listing was read (STLS offered or not) */
};

/* ---- small helpers ---- */

static bool is_ok(const uint8_t *p, size_t n)
{
	return mt_kw_prefix(p, n, "+OK") && (n == 3 || p[3] == ' ' || p[3] == '\t');
}

static bool is_err(const uint8_t *p, size_t n)
{
	return mt_kw_prefix(p, n, "-ERR") && (n == 4 || p[4] == ' ' || p[4] == '\t');
}

/* A SASL continuation: "+" alone or "+ " and base64 (RFC 5034 §4). */
static bool is_cont(const uint8_t *p, size_t n)
{
	return n >= 1 && p[0] == '+' && (n == 1 || p[1] == ' ') && !is_ok(p, n);
}

static struct mt_line *tline(struct pop3 *st, int dir, enum mt_line_kind kind, const uint8_t *p, size_t n,
                             const struct mt_line_meta *m, const char *decoded)
{
	if (m->bare_lf)
		sess_warn(st->s, W_BARE_LF);
	if (m->truncated) {
		sess_warn(st->s, W_LINE_TOO_LONG);
		st->s->model->counters.lines_truncated++;
	}
	struct mt_line *l = sess_line(st->s, dir, kind, m->first_frame, m->frame, m->ts_ns, p, n, decoded);
	if (m->typed && dir == DIR_C2S)   /* server echo is not keystrokes */
		sess_line_keys(l, m->keys, m->nkeys);
	return l;
}

static void note(struct pop3 *st, int dir, const struct mt_line_meta *m, const char *text)
{
	sess_line(st->s, dir, LINE_NOTE, m->frame, m->frame, m->ts_ns, (const uint8_t *)text, strlen(text), NULL);
}

static void settle(struct pop3 *st, struct mt_credential *c, bool ok, uint64_t frame)
{
	if (!c || c->reply_frame)
		return;   /* already settled (a pipelined USER -ERR settles its PASS) */
	sess_cred_outcome(st->s, c, ok ? OUTCOME_SUCCESS : OUTCOME_FAILURE, frame);
}

/* ---- greeting ---- */

/* Server software from the greeting: name and, where the banner has one,
 * version. Banners as the servers write them. */
static void detect_software(struct pop3 *st, const uint8_t *p, size_t n)
{
	static const struct { const char *needle, *name; } tab[] = {
		{ "Qpopper", "Qpopper" },
		{ "Dovecot", "Dovecot" },
		{ "Gpop", "Gpop" },
		{ "Courier-POP3", "Courier" },
		{ "Hello there.", "Courier" },
		{ "Cyrus POP3", "Cyrus" },
		{ "Cyrus", "Cyrus" },
		{ "Microsoft Exchange", "Microsoft Exchange" },
		{ "Mercury/32", "Mercury/32" },
		{ "Mercury", "Mercury" },
		{ "Zimbra", "Zimbra" },
		{ "MDaemon", "MDaemon" },
		{ "hMailServer", "hMailServer" },
		{ "Kerio", "Kerio Connect" },
		{ "CommuniGate", "CommuniGate Pro" },
		{ "GroupWise", "GroupWise" },
		{ "Lotus", "Lotus Domino" },
		{ "Domino", "Lotus Domino" },
		{ "Apache James", "Apache James" },
		{ "JAMES", "Apache James" },
		{ "Citadel", "Citadel" },
		{ "popa3d", "popa3d" },
		{ "tpop3d", "tpop3d" },
		{ "teapop", "teapop" },
		{ "UW POP3", "UW ipop3d" },
		{ "InterMail", "InterMail" },
		{ "Zarafa", "Zarafa" },
		{ "POP3 Server ready", NULL },
	};
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		long at = mt_find_ci(p, n, tab[i].needle);
		if (at < 0 || !tab[i].name)
			continue;
		/* Version: "(version 4.1.0)", " v2.4.17", " 4.1" right after the name. */
		size_t j = (size_t)at + strlen(tab[i].needle);
		while (j < n && (p[j] == ' ' || p[j] == '(' || p[j] == '/'))
			j++;
		if (mt_kw_prefix(p + j, n - j, "version "))
			j += 8;
		else if (j < n && (p[j] == 'v' || p[j] == 'V') && j + 1 < n && p[j + 1] >= '0' && p[j + 1] <= '9')
			j++;
		size_t k = j;
		while (k < n && k - j < 24 && ((p[k] >= '0' && p[k] <= '9') || p[k] == '.' || p[k] == '-' ||
		                               (p[k] >= 'a' && p[k] <= 'z' && k > j)))
			k++;
		while (k > j && (p[k - 1] == '.' || p[k - 1] == '-'))
			k--;
		char out[64];
		if (k > j && p[j] >= '0' && p[j] <= '9')
			snprintf(out, sizeof(out), "%s %.*s", tab[i].name, (int)(k - j), (const char *)p + j);
		else
			snprintf(out, sizeof(out), "%s", tab[i].name);
		sess_set_software(st->s, out);
		return;
	}
}

/* RFC 1939 §7: the APOP timestamp is a msg-id "<...@...>" in the greeting. */
static void find_apop_ts(struct pop3 *st, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != '<')
			continue;
		const uint8_t *e = memchr(p + i, '>', n - i);
		if (!e)
			return;
		size_t len = (size_t)(e - (p + i)) + 1;
		if (memchr(p + i, '@', len) && len <= APOP_TS_MAX) {
			mt_bytes_set(&st->apop_ts, p + i, len, 0);
			return;
		}
		i = (size_t)(e - p);
	}
}

/* ---- response codes (RFC 2449 §8, RFC 3206) ---- */

static void resp_code_text(const uint8_t *p, size_t n, struct mt_sbuf *b)
{
	size_t i = is_ok(p, n) ? 3 : 4;
	while (i < n && p[i] == ' ')
		i++;
	if (i >= n || p[i] != '[')
		return;
	const uint8_t *e = memchr(p + i, ']', n - i);
	if (!e)
		return;
	const uint8_t *c = p + i + 1;
	size_t cn = (size_t)(e - c);
	static const struct { const char *code, *meaning; } tab[] = {
		{ "AUTH", "authentication failed: wrong credentials (RFC 3206)" },
		{ "SYS/TEMP", "temporary server problem (RFC 3206)" },
		{ "SYS/PERM", "permanent server problem (RFC 3206)" },
		{ "IN-USE", "mailbox in use by another session (RFC 2449)" },
		{ "LOGIN-DELAY", "logged in too recently (RFC 2449)" },
		{ "UTF8", "UTF-8 mode (RFC 6856)" },
	};
	char code[40];
	mt_upper_copy(code, sizeof(code), c, cn < sizeof(code) ? cn : sizeof(code) - 1);
	for (size_t k = 0; k < sizeof(tab) / sizeof(tab[0]); k++) {
		if (!strcmp(code, tab[k].code)) {
			mt_sbuf_printf(b, "[%s: %s]", tab[k].code, tab[k].meaning);
			return;
		}
	}
	mt_sbuf_printf(b, "[response code %s]", code);
}

/* ---- the pending-command FIFO ---- */

static void q_push(struct pop3 *st, const struct pend *p)
{
	/* full at QMAX: the oldest is dropped and will show as unmatched */
	struct pend *e = mt_ring_push(&st->q);
	*e = *p;
}

static bool q_pop(struct pop3 *st, struct pend *out)
{
	return mt_ring_pop(&st->q, out);
}

/* ---- SASL (RFC 5034) ---- */

/* NTLM type 3 (MS-NLMP §2.2.1.3): user and domain from their security
 * buffers; nothing else (the responses are not a password). */
static void ntlm_user(struct mt_credential *c, const uint8_t *p, size_t n)
{
	struct mt_ntlm m;
	char out[256];
	size_t o;
	if (!mt_ntlm_parse(p, n, &m) || m.type != 3)
		return;
	if (mt_ntlm_who_8bit(&m, out, sizeof(out), &o))
		mt_bytes_set(&c->username, out, o, 0);
}

static void sasl_begin(struct pop3 *st, const char *name, uint64_t frame, bool typed)
{
	char mechname[32];
	mt_sasl_cred_mech(mechname, sizeof(mechname), "AUTH", name);
	st->sasl = true;
	st->sasl_expect = true;
	st->mech = mt_sasl_mech_of(name);
	st->step = 0;
	mt_bytes_free(&st->challenge);
	st->sasl_cred = sess_cred_new(st->s, mechname, frame);
	st->sasl_cred->typed = typed;
}

/* One client SASL response (the initial response or a line after "+").
 * Fills the credential and the transcript line's decoded text. */
static void sasl_response(struct pop3 *st, const uint8_t *tok, size_t tn, size_t tok_off,
                          const struct mt_line_meta *m, struct mt_line *l)
{
	struct mt_credential *c = st->sasl_cred;
	struct mt_sbuf d, dm;
	if (!c)
		return;
	if (m->typed)
		c->typed = true;
	if (tn == 1 && tok[0] == '*') {   /* RFC 5034 §4: the client cancels */
		c->cancelled = true;
		if (l) {
			free(l->decoded);
			l->decoded = mt_xstrdup("[cancel]");
		}
		return;
	}
	if (tn == 1 && tok[0] == '=')     /* RFC 5034 §4: empty initial response */
		tn = 0;
	size_t dn = 0;
	uint8_t *dec = mt_b64_decode_alloc(tok, tn, st->s->model->limits.line_max + 4, &dn);
	if (!dec) {
		if (l && tn) {
			free(l->decoded);
			l->decoded = mt_xstrdup("[not base64]");
		}
		return;
	}
	mt_sbuf_init(&d);
	mt_sbuf_init(&dm);
	bool secret = false;
	switch (st->mech) {
	case MT_SASL_PLAIN: {
		/* RFC 4616 §2: [authzid] NUL authcid NUL passwd */
		struct mt_sasl_plain pl;
		if (!mt_sasl_plain_split(dec, dn, &pl)) {
			mt_sbuf_adds(&d, "[malformed PLAIN response]");
			mt_sbuf_adds(&dm, "[malformed PLAIN response]");
			mt_bytes_set(&c->password, dec, dn, 0);
			secret = dn > 0;
			break;
		}
		mt_bytes_set(&c->authzid, pl.authzid.p, pl.authzid.n, 0);
		mt_bytes_set(&c->username, pl.authcid.p, pl.authcid.n, 0);
		mt_bytes_set(&c->password, pl.passwd.p, pl.passwd.n, 0);
		c->frame = m->frame;
		mt_sasl_plain_text(&d, &dm, &pl, MT_QUOTE_HEX_CTL);
		secret = true;
		break;
	}
	case MT_SASL_LOGIN:
		/* The server's prompt says which field this is; if it is not
		 * readable, the order is user then password. An initial
		 * response (RFC 5034 §4) is the user name. */
		if (mt_sasl_login_role(st->step, (const uint8_t *)st->challenge.data, st->challenge.len) ==
		    MT_SASL_LOGIN_PASS) {
			mt_bytes_set(&c->password, dec, dn, 0);
			c->frame = m->frame;
			mt_sbuf_adds(&d, "pass=");
			mt_sbuf_add_quoted(&d, dec, dn, MT_QUOTE_HEX_CTL);
			mt_sbuf_adds(&dm, "pass=\"********\"");
			secret = true;
		} else {
			mt_bytes_set(&c->username, dec, dn, 0);
			mt_sbuf_adds(&d, "user=");
			mt_sbuf_add_quoted(&d, dec, dn, MT_QUOTE_HEX_CTL);
		}
		break;
	case MT_SASL_CRAM_MD5: {
		/* RFC 2195 §2: "user SP digest" */
		struct mt_span u, dg;
		mt_sasl_cram_split(dec, dn, &u, &dg);
		mt_bytes_set(&c->username, u.p, u.n, 0);
		/* the response field is the digest alone, as in smtp.c and imap.c */
		if (dg.n)
			mt_bytes_set(&c->response, dg.p, dg.n, 0);
		else
			mt_bytes_set(&c->response, dec, dn, 0);
		if (st->challenge.len)
			mt_bytes_set(&c->challenge, st->challenge.data, st->challenge.len, 0);
		c->frame = m->frame;
		mt_sasl_cram_text(&d, u, dg, MT_QUOTE_HEX_CTL);
		break;
	}
	case MT_SASL_XOAUTH2:
	case MT_SASL_OAUTHBEARER: {
		/* RFC 7628 §3.1 (XOAUTH2 has the same pairs, user= for the gs2 header) */
		struct mt_sasl_oauth oa;
		if (st->step > 0 && dn == 0)
			break;   /* the empty reply to an error challenge (RFC 7628 §3.2.3) */
		if (st->mech == MT_SASL_XOAUTH2)
			mt_sasl_xoauth2_parse(dec, dn, &oa);
		else
			mt_sasl_oauthbearer_parse(dec, dn, &oa);
		if (oa.has_user)
			mt_bytes_set(&c->username, oa.user.p, oa.user.n, 0);
		if (oa.has_auth) {
			mt_bytes_set(&c->password, oa.token.p, oa.token.n, 0);
			c->frame = m->frame;
			secret = true;
		}
		for (int k = 0; k < 2; k++) {
			struct mt_sbuf *b = k ? &dm : &d;
			mt_sbuf_adds(b, "user=");
			mt_sbuf_add_quoted(b, c->username.data ? c->username.data : "", c->username.len,
			                   MT_QUOTE_HEX_CTL);
			mt_sbuf_adds(b, " token=");
			if (k)
				mt_sbuf_adds(b, "\"********\"");
			else
				mt_sbuf_add_quoted(b, c->password.data ? c->password.data : "", c->password.len,
				                   MT_QUOTE_HEX_CTL);
		}
		break;
	}
	case MT_SASL_NTLM:
		ntlm_user(c, dec, dn);
		if (dn >= 9 && !memcmp(dec, "NTLMSSP\0", 8))
			mt_sbuf_printf(&d, "[NTLMSSP type %u%s%s]", dec[8], c->username.len ? ", user " : "",
			               c->username.len ? c->username.data : "");
		break;
	default:
		break;   /* shown as the raw line only */
	}
	if (l && d.len) {
		free(l->decoded);
		l->decoded = mt_xstrndup(d.s, d.len);
		if (secret)
			sess_line_secret(l, tok_off, tn, dm.s ? dm.s : "");
	} else if (l && secret) {
		sess_line_secret(l, tok_off, tn, NULL);
	}
	mt_sbuf_free(&d);
	mt_sbuf_free(&dm);
	free(dec);
	st->step++;
}

static void sasl_end(struct pop3 *st)
{
	st->sasl = false;
	st->sasl_expect = false;
	st->sasl_cred = NULL;
	mt_bytes_free(&st->challenge);
}

/* ---- client lines ---- */

static void client_command(struct pop3 *st, const uint8_t *p, size_t n, const struct mt_line_meta *m)
{
	struct mt_session *s = st->s;
	struct mt_span rest = { p, n }, w;
	struct pend pd = { 0 };
	char kw[16];
	const char *decoded = NULL;

	if (st->stls_pending)
		sess_warn(s, W_STARTTLS_INJECTION);   /* RFC 2595 §4: nothing may follow STLS before its reply */
	if (st->multi)
		st->cmds_since++;
	if (!mt_next_word(&rest, &w)) {
		tline(st, DIR_C2S, LINE_TEXT, p, n, m, NULL);
		pd.cmd = C_OTHER;
		q_push(st, &pd);
		return;
	}
	mt_upper_copy(kw, sizeof(kw), w.p, w.n < sizeof(kw) ? w.n : sizeof(kw) - 1);
	pd.frame = m->frame;
	mt_skip_ws(&rest);
	struct mt_span arg = rest;
	mt_trim_right(&arg);
	if (st->stls_pending)
		decoded = "[sent after STLS before its reply: command injection]";

	if (!strcmp(kw, "USER")) {
		pd.cmd = C_USER;
		mt_bytes_set(&st->user, arg.p, arg.n, 0);
		st->have_user = true;
		st->user_typed = m->typed;
		st->user_cred = NULL;
		tline(st, DIR_C2S, LINE_TEXT, p, n, m, decoded);
	} else if (!strcmp(kw, "PASS")) {
		/* RFC 1939 §7: the password is the rest of the line, spaces included. */
		pd.cmd = C_PASS;
		size_t off = (size_t)(rest.p - p);
		size_t pn = n - off;
		struct mt_credential *c = sess_cred_new(s, "USER/PASS", m->frame);
		if (st->have_user)
			mt_bytes_set(&c->username, st->user.data, st->user.len, 0);
		mt_bytes_set(&c->password, p + off, pn, 0);
		c->typed = m->typed || (st->have_user && st->user_typed);
		pd.cred = c;
		st->user_cred = c;
		struct mt_line *l = tline(st, DIR_C2S, LINE_TEXT, p, n, m, decoded);
		sess_line_secret(l, off, pn, NULL);
	} else if (!strcmp(kw, "APOP")) {
		/* RFC 1939 §7: APOP name digest; the digest is MD5(timestamp + secret). */
		struct mt_span r2 = arg, name = { 0 }, dig = { 0 };
		pd.cmd = C_APOP;
		mt_next_word(&r2, &name);
		mt_next_word(&r2, &dig);
		struct mt_credential *c = sess_cred_new(s, "APOP", m->frame);
		mt_bytes_set(&c->username, name.p, name.n, 0);
		mt_bytes_set(&c->response, dig.p, dig.n, 0);
		if (st->apop_ts.len)
			mt_bytes_set(&c->challenge, st->apop_ts.data, st->apop_ts.len, 0);
		c->typed = m->typed;
		pd.cred = c;
		tline(st, DIR_C2S, LINE_TEXT, p, n, m, decoded);
	} else if (!strcmp(kw, "AUTH")) {
		struct mt_span r2 = arg, mech, ir;
		pd.cmd = C_AUTH;
		if (!mt_next_word(&r2, &mech)) {
			/* Bare AUTH lists the mechanisms (RFC 1734 practice): multi-line. */
			pd.multi = true;
			tline(st, DIR_C2S, LINE_TEXT, p, n, m, decoded);
		} else {
			char name[32];
			mt_sasl_mech_name(name, sizeof(name), mech.p, mech.n);
			sasl_begin(st, name, m->frame, m->typed);
			pd.cred = st->sasl_cred;
			struct mt_line *l = tline(st, DIR_C2S, LINE_TEXT, p, n, m, decoded);
			if (mt_next_word(&r2, &ir)) {   /* RFC 5034 §4: initial response */
				sasl_response(st, ir.p, ir.n, (size_t)(ir.p - p), m, l);
				/* more comes only after a "+" challenge; until then
				 * client lines are (pipelined) commands */
				st->sasl_expect = false;
			}
		}
	} else {
		static const struct { const char *kw; uint8_t cmd; bool multi; } tab[] = {
			{ "CAPA", C_CAPA, true },   /* RFC 2449 §5 */
			{ "STLS", C_STLS, false },
			{ "STAT", C_STAT, false },
			{ "LIST", C_LIST, true },   /* RFC 1939 §5: multi-line without an argument */
			{ "UIDL", C_UIDL, true },   /* RFC 1939 §7: likewise */
			{ "RETR", C_RETR, true },
			{ "TOP", C_TOP, true },
			{ "DELE", C_DELE, false },
			{ "RSET", C_RSET, false },
			{ "NOOP", C_NOOP, false },
			{ "LAST", C_LAST, false },  /* RFC 1460 §4: "+OK n" */
			{ "QUIT", C_QUIT, false },
		};
		pd.cmd = C_OTHER;   /* unknown commands get a single-line reply */
		for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
			if (!strcmp(kw, tab[i].kw)) {
				pd.cmd = tab[i].cmd;
				pd.multi = tab[i].multi;
				break;
			}
		}
		if ((pd.cmd == C_LIST || pd.cmd == C_UIDL) && arg.n)
			pd.multi = false;
		if (pd.cmd == C_RETR || pd.cmd == C_TOP)
			snprintf(pd.label, sizeof(pd.label), "%s %.*s", kw, (int)(arg.n < 48 ? arg.n : 48),
			         (const char *)arg.p);
		if (pd.cmd == C_STLS) {
			sess_starttls_requested(s, m->frame);
			if (st->capa_seen && s->starttls.offered != TRI_TRUE)
				sess_warn(s, W_STARTTLS_NOT_OFFERED);
			st->stls_pending = true;
		}
		tline(st, DIR_C2S, LINE_TEXT, p, n, m, decoded);
	}
	q_push(st, &pd);
}

static bool known_keyword(const uint8_t *p, size_t n)
{
	static const char *const kws[] = { "USER", "PASS", "APOP", "AUTH", "CAPA", "STLS", "STAT", "LIST",
	                                   "UIDL", "RETR", "TOP", "DELE", "RSET", "NOOP", "LAST", "QUIT" };
	for (size_t i = 0; i < sizeof(kws) / sizeof(kws[0]); i++)
		if (mt_kw_word(p, n, kws[i]))
			return true;
	return false;
}

static void client_line(struct pop3 *st, const uint8_t *p, size_t n, const struct mt_line_meta *m)
{
	/* A line cut by a gap or by the end of the capture was never a whole
	 * command: show it, do not act on it (nothing is guessed). A line
	 * right after a gap is parsed only if it starts with a command. */
	if (!m->eol || (m->after_gap && !known_keyword(p, n) && !st->sasl_expect)) {
		tline(st, DIR_C2S, LINE_TEXT, p, n, m, m->eol ? "[after a gap: not parsed]" : "[incomplete line]");
		return;
	}
	if (st->sasl && st->sasl_expect) {
		/* RFC 5034 §4: the client's answer to a challenge (or the response
		 * it sends without waiting for the empty "+"). */
		st->sasl_expect = false;
		struct mt_span tok = { p, n };
		mt_skip_ws(&tok);
		mt_trim_right(&tok);
		struct mt_line *l = tline(st, DIR_C2S, LINE_TEXT, p, n, m, NULL);
		sasl_response(st, tok.p, tok.n, (size_t)(tok.p - p), m, l);
		return;
	}
	client_command(st, p, n, m);
}

/* ---- server lines ---- */

static void end_multi(struct pop3 *st, bool complete)
{
	if (st->msg)
		sess_msg_end(st->s, st->msg, complete && !st->msg_bad);
	st->msg = NULL;
	st->multi = false;
	st->msg_bad = false;
	st->multi_gap = false;
	st->cmds_since = 0;
	memset(&st->cur, 0, sizeof(st->cur));
}

static void capa_line(struct pop3 *st, const uint8_t *p, size_t n)
{
	struct mt_span rest = { p, n }, w;
	if (!mt_next_word(&rest, &w))
		return;
	if (mt_kw_eq(w.p, w.n, "STLS")) {
		sess_starttls_offered(st->s);    /* RFC 2595 §4 */
	} else if (mt_kw_eq(w.p, w.n, "SASL")) {   /* RFC 2449 §6.3 */
		while (mt_next_word(&rest, &w))
			sess_add_auth_mech(st->s, w.p, w.n);
	} else if (mt_kw_eq(w.p, w.n, "IMPLEMENTATION") && !st->s->server_software[0]) {
		struct mt_span v = rest;           /* RFC 2449 §6.9 */
		mt_skip_ws(&v);
		mt_trim_right(&v);
		char out[64];
		size_t k = v.n < sizeof(out) - 1 ? v.n : sizeof(out) - 1;
		for (size_t i = 0; i < k; i++)
			out[i] = (v.p[i] >= 0x20 && v.p[i] < 0x7f) ? (char)v.p[i] : '?';
		out[k] = 0;
		if (k)
			sess_set_software(st->s, out);
	}
}

static void multi_line(struct pop3 *st, const uint8_t *p, size_t n, const struct mt_line_meta *m)
{
	if (n == 1 && p[0] == '.' && m->eol) {   /* RFC 1939 §3: the terminating line */
		tline(st, DIR_S2C, LINE_TEXT, p, n, m, NULL);
		end_multi(st, true);
		return;
	}
	const uint8_t *q = p;
	size_t qn = n;
	if (qn && q[0] == '.') {   /* RFC 1939 §3: byte-stuffed line */
		q++;
		qn--;
	}
	tline(st, DIR_S2C, LINE_DATA, p, n, m, NULL);
	switch (st->cur.cmd) {
	case C_CAPA:
		capa_line(st, q, qn);
		break;
	case C_AUTH: {
		struct mt_span r = { q, qn }, w;
		if (mt_next_word(&r, &w))
			sess_add_auth_mech(st->s, w.p, w.n);
		break;
	}
	case C_RETR:
	case C_TOP:
		if (m->truncated)
			st->msg_bad = true;   /* bytes of an overlong line were not kept */
		sess_msg_data(st->s, st->msg, q, qn, m->frame);
		if (m->eol)
			sess_msg_data(st->s, st->msg, (const uint8_t *)"\r\n" + (m->bare_lf ? 1 : 0),
			              m->bare_lf ? 1 : 2, m->frame);
		break;
	default:
		break;
	}
}

/* Does a status line inside a multi-line reply mean the terminator was lost?
 * Listings never hold "+OK"/"-ERR" lines; a message may, so there only
 * after a gap or when the client has moved on to the next command. */
static bool multi_lost(struct pop3 *st, const uint8_t *p, size_t n)
{
	if (!is_ok(p, n) && !is_err(p, n))
		return false;
	if (st->cur.cmd == C_RETR || st->cur.cmd == C_TOP || st->cur.cmd == C_NONE)
		return st->multi_gap || st->cmds_since > 0;
	return true;
}

static void reply(struct pop3 *st, const struct pend *pd, bool ok, const uint8_t *p, size_t n,
                  const struct mt_line_meta *m, const char *decoded)
{
	struct mt_session *s = st->s;
	tline(st, DIR_S2C, LINE_TEXT, p, n, m, decoded);
	switch (pd->cmd) {
	case C_USER:
		if (!ok) {
			/* A rejected user name is a failed attempt even if no PASS follows. */
			struct mt_credential *c = st->user_cred;
			if (!c) {
				c = sess_cred_new(s, "USER/PASS", pd->frame);
				mt_bytes_set(&c->username, st->user.data, st->user.len, 0);
				c->typed = st->user_typed;
				st->user_cred = c;
			}
			settle(st, c, false, m->frame);
		}
		break;
	case C_PASS:
	case C_APOP:
		settle(st, pd->cred, ok, m->frame);
		break;
	case C_AUTH:
		if (pd->cred) {
			if (st->sasl_cred == pd->cred)
				sasl_end(st);
			settle(st, pd->cred, ok, m->frame);
		}
		break;
	case C_CAPA:
		st->capa_seen = ok;
		break;
	case C_STLS:
		st->stls_pending = false;
		sess_starttls_reply(s, ok, m->frame);
		if (ok) {
			/* RFC 2595 §4: the TLS negotiation starts right after +OK. */
			st->tls_on = true;
			mt_lines_raw_forever(&st->ln[DIR_C2S]);
			mt_lines_raw_forever(&st->ln[DIR_S2C]);
		}
		break;
	default:
		break;
	}
	if (ok && pd->multi) {
		st->multi = true;
		st->cur = *pd;
		st->cmds_since = 0;
		if (pd->cmd == C_RETR || pd->cmd == C_TOP)
			st->msg = sess_msg_begin(s, DIR_S2C, pd->label, m->frame);
	}
}

static bool greeting_like(const uint8_t *p, size_t n)
{
	static const char *const words[] = { "ready", "pop", "server", "service", "hello", "welcome", "@" };
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (mt_find_ci(p, n, words[i]) >= 0)
			return true;
	return false;
}

static void server_line(struct pop3 *st, const uint8_t *p, size_t n, const struct mt_line_meta *m)
{
	struct mt_session *s = st->s;
	bool first = !st->seen_s2c;
	st->seen_s2c = true;

	if (st->multi) {
		if (!multi_lost(st, p, n)) {
			multi_line(st, p, n, m);
			return;
		}
		note(st, DIR_S2C, m, "[multi-line reply ended without its \".\" line]");
		end_multi(st, false);
	}
	if (!m->eol) {
		tline(st, DIR_S2C, LINE_TEXT, p, n, m, "[incomplete line]");
		return;
	}
	bool ok = is_ok(p, n), err = is_err(p, n);
	struct mt_sbuf d;
	mt_sbuf_init(&d);
	if (ok || err)
		resp_code_text(p, n, &d);

	/* RFC 1939 §4: the server speaks first. With no command pending the
	 * first status line is the greeting; if the client spoke first (or the
	 * greeting was not captured) it must also read like one. */
	if (!st->greeted && (ok || err) && (st->q.len == 0 || (first && s->syn_seen && greeting_like(p, n)))) {
		st->greeted = true;
		sess_set_greeting(s, p, n);
		if (ok) {
			detect_software(st, p, n);
			find_apop_ts(st, p, n);
		}
		if (st->apop_ts.len)
			mt_sbuf_printf(&d, "%s[APOP challenge %.*s]", d.len ? " " : "", (int)st->apop_ts.len,
			               st->apop_ts.data);
		tline(st, DIR_S2C, LINE_TEXT, p, n, m, d.len ? d.s : NULL);
		mt_sbuf_free(&d);
		return;
	}
	if (st->sasl && is_cont(p, n)) {
		/* RFC 5034 §4: "+ " base64 challenge; decoded beside the line. */
		struct mt_span tok = { p + 1, n - 1 };
		mt_skip_ws(&tok);
		mt_trim_right(&tok);
		size_t dn = 0;
		uint8_t *dec = tok.n ? mt_b64_decode_alloc(tok.p, tok.n, s->model->limits.line_max + 4, &dn) : NULL;
		mt_bytes_free(&st->challenge);
		st->sasl_expect = true;
		if (dec) {
			mt_bytes_set(&st->challenge, dec, dn, 0);
			mt_sbuf_adds(&d, "[");
			mt_sbuf_add_escaped(&d, dec, dn);
			mt_sbuf_adds(&d, "]");
			if (st->mech == MT_SASL_NTLM && dn >= 9 && !memcmp(dec, "NTLMSSP\0", 8)) {
				mt_sbuf_reset(&d);
				mt_sbuf_printf(&d, "[NTLMSSP type %u]", dec[8]);
			}
			free(dec);
		}
		tline(st, DIR_S2C, LINE_TEXT, p, n, m, d.len ? d.s : NULL);
		mt_sbuf_free(&d);
		return;
	}
	if (ok || err) {
		struct pend pd;
		if (q_pop(st, &pd)) {
			reply(st, &pd, ok, p, n, m, d.len ? d.s : NULL);
		} else {
			/* Nothing pending: a reply to a command we did not see. */
			tline(st, DIR_S2C, LINE_TEXT, p, n, m, d.len ? d.s : "[reply to a command not captured]");
		}
		mt_sbuf_free(&d);
		return;
	}
	mt_sbuf_free(&d);
	if (!st->greeted && st->q.len == 0 && !s->syn_seen) {
		/* Picked up in the middle of a multi-line reply: data up to ".". */
		st->multi = true;
		memset(&st->cur, 0, sizeof(st->cur));
		st->cur.cmd = C_NONE;
		note(st, DIR_S2C, m, "[capture starts inside a multi-line reply]");
		multi_line(st, p, n, m);
		return;
	}
	/* Not a status line where one was due: shown, not interpreted. */
	tline(st, DIR_S2C, LINE_TEXT, p, n, m, "[not a POP3 reply]");
}

/* ---- splitter callbacks and the dissector interface ---- */

static void on_line(void *ctx, int dir, const uint8_t *p, size_t n, const struct mt_line_meta *m)
{
	struct pop3 *st = ctx;
	if (dir == DIR_C2S)
		client_line(st, p, n, m);
	else
		server_line(st, p, n, m);
}

static void on_raw(void *ctx, int dir, const uint8_t *p, size_t n, const struct mt_seg_info *info, bool done)
{
	struct pop3 *st = ctx;
	(void)done;
	if (!st->tls_on)
		return;
	mt_tls_session_bytes(st->s, &st->tls, dir, p, n, info);
}

static int pop3_open(struct mt_session *s)
{
	struct pop3 *st = mt_xcalloc(1, sizeof(*st));
	st->s = s;
	for (int d = 0; d < 2; d++)
		mt_lines_init(&st->ln[d], s->model->limits.line_max);
	/* A person may telnet into port 110: the client side strips telnet
	 * negotiation and applies backspace editing. POP3 servers do not speak
	 * telnet, and message bodies may hold 0xFF bytes: no NVT there. */
	st->ln[DIR_C2S].edit = true;
	st->ln[DIR_S2C].nvt = MT_NVT_OFF;
	mt_tls_sniff_init(&st->tls);
	mt_ring_init(&st->q, sizeof(struct pend), QMAX);
	s->dissector_state = st;
	return 0;
}

static size_t pop3_data(struct mt_session *s, int dir, const uint8_t *p, size_t n, const struct mt_seg_info *info)
{
	struct pop3 *st = s->dissector_state;
	if (!st || (dir != DIR_C2S && dir != DIR_S2C))
		return n;
	mt_lines_feed(&st->ln[dir], dir, p, n, info, on_line, on_raw, st);
	return n;
}

static void pop3_gap(struct mt_session *s, int dir, uint64_t len, const struct mt_seg_info *info)
{
	struct pop3 *st = s->dissector_state;
	char text[64];
	if (!st || (dir != DIR_C2S && dir != DIR_S2C))
		return;
	uint64_t raw = mt_lines_gap(&st->ln[dir], dir, len, info, on_line, st);
	sess_warn(s, W_STREAM_GAP);
	snprintf(text, sizeof(text), "[gap of %llu bytes]", (unsigned long long)len);
	sess_line(s, dir, LINE_GAP, info->frame, info->frame, info->ts_ns, (const uint8_t *)text, strlen(text), NULL);
	if (raw == len && st->tls_on)
		return;
	if (dir == DIR_S2C && st->multi) {
		st->multi_gap = true;
		st->msg_bad = true;   /* the message misses bytes: complete = false */
	}
}

static void pop3_fin(struct mt_session *s, int dir, const struct mt_seg_info *info)
{
	struct pop3 *st = s->dissector_state;
	if (!st || (dir != DIR_C2S && dir != DIR_S2C))
		return;
	mt_lines_flush(&st->ln[dir], dir, info, on_line, st);
}

static void pop3_close(struct mt_session *s)
{
	struct pop3 *st = s->dissector_state;
	if (!st)
		return;
	struct mt_seg_info info = { .frame = s->last_frame, .ts_ns = s->end_ns, .offset = 0, .nsegs = 0 };
	for (int d = 0; d < 2; d++)
		mt_lines_flush(&st->ln[d], d, &info, on_line, st);
	if (st->multi)
		end_multi(st, false);   /* no terminator seen */
	/* Credentials without a verdict keep OUTCOME_UNKNOWN. */
	for (int d = 0; d < 2; d++)
		mt_lines_free(&st->ln[d]);
	mt_tls_sniff_free(&st->tls);
	mt_bytes_free(&st->apop_ts);
	mt_bytes_free(&st->user);
	mt_bytes_free(&st->challenge);
	mt_ring_free(&st->q);
	free(st);
	s->dissector_state = NULL;
}

const struct mt_dissector mt_dissector_pop3 = {
	.name = "pop3",
	.proto = PROTO_POP3,
	.open = pop3_open,
	.data = pop3_data,
	.gap = pop3_gap,
	.fin = pop3_fin,
	.close = pop3_close,
};
