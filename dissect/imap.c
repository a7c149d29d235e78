/* imap.c - the IMAP dissector (RFC 3501, RFC 9051).
 *
 * Both directions go through the shared line splitter. A line that ends in a
 * literal marker `{n}` / `{n+}` / `~{n}` switches its splitter to raw mode
 * for n bytes (RFC 3501 §4.3); the command or response then continues on the
 * next line. Client commands are assembled (lines plus literal bytes, in wire
 * form, bounded by limits.max_literal) and parsed with the IMAP tokenizer
 * (imap_token.h) once complete, so LOGIN with quoted strings or literals
 * yields the exact user and password. Message literals (FETCH bodies,
 * APPEND) are streamed to the session model, never kept here.
 *
 * Tags are matched to their tagged replies through a small bounded table,
 * which settles credentials, STARTTLS and COMPRESS. After STARTTLS is
 * accepted both directions are raw (TLS sniffing only); after COMPRESS
 * DEFLATE (RFC 4978) both directions are inflated and decoding goes on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base64.h"
#include "dissector.h"
#include "imap_token.h"
#include "lines.h"
#include "sasl.h"
#include "sbuf.h"
#include "session.h"
#include "strutil.h"
#include "tls_sniff.h"

#define TAGS_MAX 32         /* outstanding tagged commands remembered */
#define TAG_LEN 40
#define LITS_MAX 16         /* literals described per command (more still parse) */
#define ASM_SLACK (64 * 1024) /* command text beyond the kept literal bytes */
#define SASL_MAX (64 * 1024)  /* longest SASL response decoded */
#define ZBUF 16384

enum cmd_kind {
	CK_OTHER = 0, CK_LOGIN, CK_AUTH, CK_STARTTLS, CK_CAPABILITY, CK_SELECT, CK_STATUS, CK_LIST,
	CK_FETCH, CK_APPEND, CK_IDLE, CK_LOGOUT, CK_ID, CK_COMPRESS, CK_MAILBOX,
};

/* What a literal is: command text (kept), a LOGIN user or password (kept),
 * a message (streamed to the model), a short server string (one transcript
 * line) or a long server string (transcript data lines). */
enum lit_role { LIT_NONE = 0, LIT_CMD, LIT_USER, LIT_PASS, LIT_APPEND, LIT_FETCH, LIT_SERVER, LIT_SDATA };
#define SHORT_LITERAL 256
enum raw_mode { RM_LINES = 0, RM_TLS, RM_DEFLATE, RM_OFF };

struct tag_ent {
	bool used;
	uint8_t kind;
	char tag[TAG_LEN];
	char name[24];          /* command name, upper case ("UID FETCH") */
	char cmd[64];           /* command text as sent, cut (message records) */
	struct mt_credential *cred;
	unsigned seq;           /* age, for eviction and "latest FETCH" */
};

/* A literal in the command being assembled. */
struct lit_info {
	size_t voff;            /* where its data starts in the assembly */
	uint64_t declared, got;
	bool gap;
};

struct dir_state {
	struct mt_lines lines;  /* the wire */
	struct mt_lines zlines; /* inflated bytes after COMPRESS DEFLATE */
	bool z;
	z_stream zs;
	bool zs_init;
	int raw;                /* enum raw_mode of the outer splitter */
	/* the literal being received */
	int lit_role;
	int lit_idx;            /* its entry in st->lits (client), -1 if none */
	uint64_t lit_len, lit_got;
	size_t lit_keep;        /* bytes of it kept (assembly or display) */
	bool lit_gap;
	uint64_t lit_first_frame, lit_frame, lit_ts;
	struct mt_message *msg;
	uint8_t *show; size_t show_len; /* a server literal kept for the transcript */
	/* message body lines for the transcript (LINE_DATA) */
	uint8_t *dline; size_t dline_len;
	uint64_t dline_first;
	bool dline_over;
	/* server: the response continues after a literal */
	bool cont;
};

struct imap_state {
	struct dir_state d[2];
	struct mt_tls_sniff tls;
	/* client command being assembled (wire form) */
	uint8_t *asmb; size_t asm_len, asm_cap, asm_max;
	bool asm_active, asm_trunc, asm_typed;
	size_t part_off;        /* where the current line part starts */
	struct lit_info lits[LITS_MAX];
	unsigned nlits;
	uint64_t pass_frame;    /* frame that carried a password literal */
	/* tags */
	struct tag_ent *tags;   /* grown on demand up to TAGS_MAX (pointers into it
	                         * are never kept across a tag_add) */
	unsigned tags_cap;
	unsigned tag_seq;
	/* SASL exchange (RFC 3501 §6.2.2) */
	struct {
		bool active;
		char tag[TAG_LEN];
		char mech[24];
		enum mt_sasl_mech kind;
		int step;
		struct mt_credential *cred;
	} auth;
	bool starttls_pending;
	bool caps_seen;         /* a capability list was seen (greeting or CAPABILITY) */
	bool idle;
	bool greeted;
	bool in_gap;            /* mt_lines_gap() is flushing a cut line */
	uint64_t fetch_seq;     /* message number of the FETCH response being read */
};

/* ---- small helpers ---- */

static struct mt_lines *cur_lines(struct imap_state *st, int dir)
{
	return st->d[dir].z ? &st->d[dir].zlines : &st->d[dir].lines;
}

static void line_flags(struct mt_session *s, const struct mt_line_meta *m)
{
	if (m->bare_lf)
		sess_warn(s, W_BARE_LF);
	if (m->truncated) {
		sess_warn(s, W_LINE_TOO_LONG);
		s->model->counters.lines_truncated++;
	}
}

static struct mt_line *text_line(struct mt_session *s, int dir, const struct mt_line_meta *m,
                                 const uint8_t *p, size_t n, const char *decoded)
{
	struct mt_line *l = sess_line(s, dir, LINE_TEXT, m->first_frame, m->frame, m->ts_ns, p, n, decoded);
	if (l && m->typed && m->nkeys)
		sess_line_keys(l, m->keys, m->nkeys);
	return l;
}

static void note(struct mt_session *s, int dir, uint64_t frame, uint64_t ts, const char *text)
{
	sess_line(s, dir, LINE_NOTE, frame, frame, ts, (const uint8_t *)text, strlen(text), NULL);
}

static void copy_tag(char *out, const uint8_t *p, size_t n)
{
	if (n >= TAG_LEN)
		n = TAG_LEN - 1;
	memcpy(out, p, n);
	out[n] = 0;
}

static bool tag_eq(const char *tag, const uint8_t *p, size_t n)
{
	/* Tags are case-sensitive strings chosen by the client (RFC 3501 §2.2.1). */
	return strlen(tag) == (n < TAG_LEN ? n : TAG_LEN - 1) && !memcmp(tag, p, strlen(tag));
}

/* ---- tag table ---- */

static struct tag_ent *tag_add(struct imap_state *st, const uint8_t *tag, size_t n, int kind, const char *name)
{
	struct tag_ent *e = NULL;
	for (unsigned i = 0; i < st->tags_cap; i++) {
		if (!st->tags[i].used) {
			e = &st->tags[i];
			break;
		}
		if (!e || st->tags[i].seq < e->seq)
			e = &st->tags[i];   /* the oldest, if the table is full */
	}
	if ((!e || e->used) && st->tags_cap < TAGS_MAX) {
		/* start at 4, double up to TAGS_MAX: an idle session stays small */
		unsigned cap = st->tags_cap ? st->tags_cap * 2 : 4;
		if (cap > TAGS_MAX)
			cap = TAGS_MAX;
		st->tags = mt_xrealloc(st->tags, cap * sizeof(*st->tags));
		memset(st->tags + st->tags_cap, 0, (cap - st->tags_cap) * sizeof(*st->tags));
		e = &st->tags[st->tags_cap];
		st->tags_cap = cap;
	}
	memset(e, 0, sizeof(*e));
	e->used = true;
	e->kind = (uint8_t)kind;
	e->seq = ++st->tag_seq;
	copy_tag(e->tag, tag, n);
	snprintf(e->name, sizeof(e->name), "%s", name);
	return e;
}

static struct tag_ent *tag_find(struct imap_state *st, const uint8_t *tag, size_t n)
{
	struct tag_ent *best = NULL;
	for (unsigned i = 0; i < st->tags_cap; i++)
		if (st->tags[i].used && tag_eq(st->tags[i].tag, tag, n) && (!best || st->tags[i].seq > best->seq))
			best = &st->tags[i];
	return best;
}

static struct tag_ent *latest_fetch(struct imap_state *st)
{
	struct tag_ent *best = NULL;
	for (unsigned i = 0; i < st->tags_cap; i++)
		if (st->tags[i].used && st->tags[i].kind == CK_FETCH && (!best || st->tags[i].seq > best->seq))
			best = &st->tags[i];
	return best;
}

static bool resp_code(struct mt_span text, struct mt_span *code, struct mt_span *after);

/* ---- server software from the greeting ---- */

static const struct {
	const char *needle, *name;
	int ver;   /* 0 none, 1 the next word if it looks like a version, 2 after "version" */
} software[] = {
	{ "Dovecot", "Dovecot", 0 },
	{ "Courier-IMAP", "Courier-IMAP", 0 },
	{ "Cyrus IMAP", "Cyrus IMAP", 1 },
	{ "Microsoft Exchange", "Microsoft Exchange", 2 },
	{ "Gimap", "Gimap", 0 },
	{ "Mercury/32", "Mercury/32", 1 },
	{ "Zimbra", "Zimbra", 0 },
	{ "hMailServer", "hMailServer", 0 },
	{ "MDaemon", "MDaemon", 1 },
	{ "Kerio", "Kerio Connect", 0 },
	{ "IceWarp", "IceWarp", 0 },
	{ "Domino", "Lotus Domino", 0 },
	{ "Zarafa", "Zarafa", 0 },
	{ "Openwave", "Openwave", 0 },
	{ "UW IMAP", "UW IMAP", 0 },
	{ "uwimapd", "UW IMAP", 0 },
	{ "migmx", "GMX", 0 },
	{ "Yahoo", "Yahoo", 0 },
	{ "Citadel", "Citadel", 0 },
	{ "Archiveopteryx", "Archiveopteryx", 0 },
	{ "Stalwart", "Stalwart", 0 },
	{ "Groupwise", "GroupWise", 0 },
	{ "SmarterMail", "SmarterMail", 0 },
};

static bool looks_like_version(const uint8_t *p, size_t n)
{
	if (!n)
		return false;
	size_t i = (p[0] == 'v' || p[0] == 'V') ? 1 : 0;
	return i < n && p[i] >= '0' && p[i] <= '9';
}

static void detect_software(struct mt_session *s, const uint8_t *p, size_t n)
{
	char out[64];
	struct mt_span text = { p, n }, code, after;
	if (resp_code(text, &code, &after)) {
		/* the capability list names standards, not the server */
		p = after.p;
		n = after.n;
	}
	for (size_t k = 0; k < sizeof(software) / sizeof(software[0]); k++) {
		long at = mt_find_ci(p, n, software[k].needle);
		if (at < 0)
			continue;
		snprintf(out, sizeof(out), "%s", software[k].name);
		struct mt_span rest = { p + at + strlen(software[k].needle), n - (size_t)at - strlen(software[k].needle) };
		struct mt_span w;
		if (software[k].ver == 1 && mt_next_word(&rest, &w) && looks_like_version(w.p, w.n)) {
			size_t o = strlen(out);
			snprintf(out + o, sizeof(out) - o, " %.*s", (int)(w.n > 24 ? 24 : w.n), (const char *)w.p);
		} else if (software[k].ver == 2) {
			long v = mt_find_ci(rest.p, rest.n, "version ");
			if (v >= 0) {
				struct mt_span r2 = { rest.p + v + 8, rest.n - (size_t)v - 8 };
				if (mt_next_word(&r2, &w) && looks_like_version(w.p, w.n)) {
					size_t o = strlen(out);
					snprintf(out + o, sizeof(out) - o, " %.*s", (int)(w.n > 24 ? 24 : w.n),
					         (const char *)w.p);
				}
			}
		} else if (!strcmp(software[k].name, "Dovecot")) {
			/* "Dovecot (Ubuntu) ready.": keep the packager's name */
			mt_skip_ws(&rest);
			if (rest.n > 2 && rest.p[0] == '(') {
				const uint8_t *e = memchr(rest.p, ')', rest.n < 32 ? rest.n : 32);
				if (e) {
					size_t o = strlen(out);
					snprintf(out + o, sizeof(out) - o, " %.*s", (int)(e - rest.p + 1),
					         (const char *)rest.p);
				}
			}
		}
		for (char *c = out; *c; c++)
			if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
				*c = '?';
		sess_set_software(s, out);
		return;
	}
	/* UW IMAP names only its version: "IMAP4rev1 2007f.404 at <date>" */
	long at = mt_find_ci(p, n, "IMAP4rev1 ");
	if (at >= 0) {
		struct mt_span rest = { p + at + 10, n - (size_t)at - 10 }, w;
		if (mt_next_word(&rest, &w) && w.n >= 6 && w.n <= 24 && (w.p[0] == '1' || w.p[0] == '2') &&
		    w.p[1] >= '0' && w.p[1] <= '9' && w.p[2] >= '0' && w.p[2] <= '9' && w.p[3] >= '0' &&
		    w.p[3] <= '9' && memchr(w.p, '.', w.n) && mt_printable(w.p, w.n)) {
			snprintf(out, sizeof(out), "UW IMAP %.*s", (int)w.n, (const char *)w.p);
			sess_set_software(s, out);
		}
	}
}

/* ---- capabilities (RFC 3501 §7.2.1, §7.1 CAPABILITY response code) ---- */

static void parse_caps(struct mt_session *s, const uint8_t *p, size_t n)
{
	struct imap_state *st = s->dissector_state;
	if (st)
		st->caps_seen = true;
	struct mt_span rest = { p, n }, w;
	while (mt_next_word(&rest, &w)) {
		if (w.n && w.p[w.n - 1] == ']')
			w.n--;
		if (mt_kw_eq(w.p, w.n, "STARTTLS"))
			sess_starttls_offered(s);
		else if (mt_kw_eq(w.p, w.n, "LOGINDISABLED"))
			s->logindisabled = true;   /* RFC 3501 §6.2.3: LOGIN must not be used */
		else if (w.n > 5 && mt_kw_prefix(w.p, w.n, "AUTH="))
			sess_add_auth_mech(s, w.p + 5, w.n - 5);
	}
}

/* Finds a response code `[...]` at the start of text; returns its span (without brackets). */
static bool resp_code(struct mt_span text, struct mt_span *code, struct mt_span *after)
{
	mt_skip_ws(&text);
	if (!text.n || text.p[0] != '[')
		return false;
	const uint8_t *e = memchr(text.p, ']', text.n);
	if (!e)
		return false;
	code->p = text.p + 1;
	code->n = (size_t)(e - text.p) - 1;
	after->p = e + 1;
	after->n = text.n - (size_t)(e + 1 - text.p);
	mt_skip_ws(after);
	return true;
}

/* Explains a response code (RFC 3501 §7.1, RFC 5530) into why (plain text,
 * "; "-separated) and handles CAPABILITY. */
static void explain_code(struct mt_session *s, struct mt_span text, struct mt_sbuf *dec)
{
	struct mt_span code, after;
	if (!resp_code(text, &code, &after))
		return;
	if (mt_kw_word(code.p, code.n, "CAPABILITY")) {
		parse_caps(s, code.p + 10, code.n - 10);
		return;
	}
	static const struct { const char *code, *why; } codes[] = {
		{ "AUTHENTICATIONFAILED", "authentication failed" },
		{ "AUTHORIZATIONFAILED", "authorization failed" },
		{ "EXPIRED", "credentials expired" },
		{ "PRIVACYREQUIRED", "server requires TLS for this" },
		{ "CONTACTADMIN", "contact the administrator" },
		{ "UNAVAILABLE", "server temporarily unavailable" },
		{ "NOPERM", "no permission" },
		{ "INUSE", "in use" },
		{ "TRYCREATE", "mailbox does not exist" },
		{ "READ-WRITE", "mailbox opened read-write" },
		{ "READ-ONLY", "mailbox opened read-only" },
		{ "LIMIT", "limit reached" },
		{ "OVERQUOTA", "over quota" },
		{ "SERVERBUG", "server bug" },
		{ "CLIENTBUG", "client bug" },
		{ "CANNOT", "cannot be done" },
	};
	if (mt_kw_word(code.p, code.n, "ALERT")) {
		if (dec->len)
			mt_sbuf_adds(dec, "; ");
		mt_sbuf_adds(dec, "ALERT: ");
		mt_sbuf_add(dec, after.p, after.n > 200 ? 200 : after.n);
		return;
	}
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		if (mt_kw_word(code.p, code.n, codes[i].code)) {
			if (dec->len)
				mt_sbuf_adds(dec, "; ");
			mt_sbuf_adds(dec, codes[i].why);
			return;
		}
	}
}

/* ---- message body lines (LINE_DATA) ---- */

static void dline_flush(struct mt_session *s, int dir, uint64_t frame, uint64_t ts)
{
	struct dir_state *d = &((struct imap_state *)s->dissector_state)->d[dir];
	if (!d->dline_len && !d->dline_over)
		return;
	size_t n = d->dline_len;
	if (n && d->dline[n - 1] == '\r')
		n--;
	sess_line(s, dir, LINE_DATA, d->dline_first, frame, ts, d->dline ? d->dline : (const uint8_t *)"", n, NULL);
	d->dline_len = 0;
	d->dline_over = false;
	d->dline_first = 0;
}

static void dline_feed(struct mt_session *s, int dir, const uint8_t *p, size_t n, const struct mt_seg_info *info)
{
	struct dir_state *d = &((struct imap_state *)s->dissector_state)->d[dir];
	size_t max = s->model->limits.line_max ? s->model->limits.line_max : 16384;
	if (!s->model->keep_lines)
		return;
	while (n) {
		if (!d->dline_len && !d->dline_over)
			d->dline_first = info->frame;
		const uint8_t *lf = memchr(p, '\n', n);
		size_t k = lf ? (size_t)(lf - p) + 1 : n;
		size_t take = lf ? k - 1 : k;
		if (d->dline_len + take > max) {
			take = max > d->dline_len ? max - d->dline_len : 0;
			d->dline_over = true;
		}
		if (take) {
			if (!d->dline)
				d->dline = mt_xmalloc(max + 1);
			memcpy(d->dline + d->dline_len, p, take);
			d->dline_len += take;
		}
		if (lf)
			dline_flush(s, dir, info->frame, info->ts_ns);
		p += k;
		n -= k;
	}
}

/* ---- the command assembly ---- */

static void asm_reset(struct imap_state *st)
{
	st->asm_len = 0;
	st->asm_active = false;
	st->asm_trunc = false;
	st->asm_typed = false;
	st->part_off = 0;
	st->nlits = 0;
	st->pass_frame = 0;
}

static void asm_add(struct imap_state *st, const uint8_t *p, size_t n)
{
	size_t room = st->asm_max > st->asm_len ? st->asm_max - st->asm_len : 0;
	if (n > room) {
		n = room;
		st->asm_trunc = true;
	}
	if (!n)
		return;
	if (st->asm_len + n > st->asm_cap) {
		size_t cap = st->asm_cap ? st->asm_cap : 256;
		while (cap < st->asm_len + n)
			cap *= 2;
		if (cap > st->asm_max)
			cap = st->asm_max;
		st->asmb = mt_xrealloc(st->asmb, cap);
		st->asm_cap = cap;
	}
	memcpy(st->asmb + st->asm_len, p, n);
	st->asm_len += n;
}

/* The literal of the assembly whose data starts at voff, if described. */
static const struct lit_info *lit_at(const struct imap_state *st, size_t voff)
{
	for (unsigned i = 0; i < st->nlits; i++)
		if (st->lits[i].voff == voff)
			return &st->lits[i];
	return NULL;
}

/* A token's value, allocated (NUL-terminated); *cut when it is not whole. */
static uint8_t *tok_dup(const struct imap_state *st, const struct mt_imap_tokenizer *tz,
                        const struct mt_imap_tok *t, size_t *len, bool *cut)
{
	size_t n = mt_imap_tok_value(tz, t, NULL, 0);
	uint8_t *v = mt_xmalloc(n + 1);
	mt_imap_tok_value(tz, t, v, n);
	v[n] = 0;
	*len = n;
	*cut = false;
	if (t->kind == IMAP_TOK_LITERAL) {
		const struct lit_info *li = lit_at(st, t->voff);
		if (t->short_by || (li && (t->vlen < li->declared || li->got < li->declared || li->gap)))
			*cut = true;
	}
	return v;
}

/* Up to max top-level arguments of the assembled command. */
static unsigned split_args(struct mt_imap_tokenizer *tz, struct mt_imap_tok *a, unsigned max, bool lists)
{
	unsigned n = 0;
	while (n < max) {
		enum mt_imap_tok_kind k = lists ? mt_imap_tok_next_arg(tz, &a[n]) : mt_imap_tok_next(tz, &a[n]);
		if (k == IMAP_TOK_END || k == IMAP_TOK_ERROR)
			break;
		n++;
	}
	return n;
}

/* ---- SASL (RFC 4422) inside AUTHENTICATE ---- */

/* Splits b[0..n) at the first byte c; returns the length before it. */
static size_t upto(const uint8_t *b, size_t n, uint8_t c)
{
	const uint8_t *e = memchr(b, c, n);
	return e ? (size_t)(e - b) : n;
}

/* NTLMSSP messages ([MS-NLMP] §2.2.1): name the message; from the
 * AUTHENTICATE message (type 3) take the user name, domain and workstation. */
static bool ntlm_message(struct mt_credential *c, const uint8_t *b, size_t n, size_t cap, struct mt_sbuf *dec)
{
	struct mt_ntlm m;
	if (!mt_ntlm_parse(b, n, &m))
		return false;
	if (m.type == 1) {
		mt_sbuf_adds(dec, "[NTLM negotiate]");
		return true;
	}
	if (m.type == 2) {
		mt_sbuf_adds(dec, "[NTLM challenge]");
		return true;
	}
	if (m.type != 3 || !m.has_flags) {
		mt_sbuf_printf(dec, "[NTLM message type %u]", m.type);
		return true;
	}
	bool unicode = m.flags & MT_NTLM_NEGOTIATE_UNICODE;
	struct mt_sbuf who, ws;
	mt_sbuf_init(&who);
	mt_sbuf_init(&ws);
	mt_ntlm_who(&who, &m, unicode);
	mt_ntlm_add_str(&ws, &m.workstation, unicode);
	if (c && who.len)
		mt_bytes_set(&c->username, who.s, who.len, cap);
	mt_sbuf_adds(dec, "[NTLM authenticate] user=");
	mt_sbuf_add_quoted(dec, who.s ? who.s : "", who.len, MT_QUOTE_KEEP_CTL);
	mt_sbuf_adds(dec, " workstation=");
	mt_sbuf_add_quoted(dec, ws.s ? ws.s : "", ws.len, MT_QUOTE_KEEP_CTL);
	mt_sbuf_free(&who);
	mt_sbuf_free(&ws);
	return true;
}

/* Decodes one client SASL response (already base64-decoded into b) for the
 * active mechanism. Fills the credential and the decoded texts; returns true
 * when the response holds a secret. */
static bool sasl_response(struct mt_session *s, struct imap_state *st, const uint8_t *b, size_t n,
                          struct mt_sbuf *dec, struct mt_sbuf *masked)
{
	struct mt_credential *c = st->auth.cred;
	size_t cap = s->model->limits.line_max;
	switch (st->auth.kind) {
	case MT_SASL_PLAIN: {
		/* RFC 4616 §2: [authzid] NUL authcid NUL passwd */
		struct mt_sasl_plain pl;
		if (!mt_sasl_plain_split(b, n, &pl))
			break;
		if (c) {
			mt_bytes_set(&c->authzid, pl.authzid.p, pl.authzid.n, cap);
			mt_bytes_set(&c->username, pl.authcid.p, pl.authcid.n, cap);
			mt_bytes_set(&c->password, pl.passwd.p, pl.passwd.n, 0);
		}
		mt_sasl_plain_text(dec, masked, &pl, MT_QUOTE_KEEP_CTL);
		return true;
	}
	case MT_SASL_LOGIN:
		/* draft-murchison-sasl-login: username, then password */
		if (mt_sasl_login_role((unsigned)st->auth.step, NULL, 0) == MT_SASL_LOGIN_USER) {
			if (c)
				mt_bytes_set(&c->username, b, n, cap);
			mt_sbuf_adds(dec, "user=");
			mt_sbuf_add_quoted(dec, b, n, MT_QUOTE_KEEP_CTL);
			return false;
		}
		if (c)
			mt_bytes_set(&c->password, b, n, 0);
		mt_sbuf_adds(dec, "pass=");
		mt_sbuf_add_quoted(dec, b, n, MT_QUOTE_KEEP_CTL);
		mt_sbuf_adds(masked, "pass=\"********\"");
		return true;
	case MT_SASL_CRAM_MD5: {
		/* RFC 2195 §2: "user SP digest"; the digest is crackable, not a secret */
		struct mt_span u, dg;
		if (!mt_sasl_cram_split(b, n, &u, &dg)) {
			u = (struct mt_span){ b, 0 };   /* no space: all of it is the digest */
			dg = (struct mt_span){ b, n };
		}
		if (c) {
			mt_bytes_set(&c->username, u.p, u.n, cap);
			mt_bytes_set(&c->response, dg.p, dg.n, cap);   /* the digest alone */
		}
		mt_sasl_cram_text(dec, u, dg, MT_QUOTE_KEEP_CTL);
		return false;
	}
	case MT_SASL_XOAUTH2:
	case MT_SASL_OAUTHBEARER: {
		/* XOAUTH2: "user=" u ^A "auth=Bearer " tok ^A ^A;
		 * OAUTHBEARER (RFC 7628 §3.1): gs2 header "n,a=u," ^A kvpairs ^A */
		struct mt_sasl_oauth oa;
		if (st->auth.kind == MT_SASL_XOAUTH2)
			mt_sasl_xoauth2_parse(b, n, &oa);
		else
			mt_sasl_oauthbearer_parse(b, n, &oa);
		if (!oa.has_user && !oa.has_auth)
			break;
		if (c) {
			if (oa.has_user)
				mt_bytes_set(&c->username, oa.user.p, oa.user.n, cap);
			if (oa.has_auth)
				mt_bytes_set(&c->password, oa.token.p, oa.token.n, 0);
		}
		for (int j = 0; j < 2; j++) {
			struct mt_sbuf *o = j ? masked : dec;
			mt_sbuf_adds(o, "user=");
			mt_sbuf_add_quoted(o, oa.user.p, oa.user.n, MT_QUOTE_KEEP_CTL);
			if (oa.has_auth) {
				mt_sbuf_adds(o, " token=");
				if (j)
					mt_sbuf_adds(o, "\"********\"");
				else
					mt_sbuf_add_quoted(o, oa.token.p, oa.token.n, MT_QUOTE_KEEP_CTL);
			}
		}
		return oa.has_auth;
	}
	case MT_SASL_NTLM:
		if (ntlm_message(c, b, n, cap, dec))
			return false;
		break;
	default:
		break;
	}
	/* not decoded: short printable text as it is, else its size */
	if (n && mt_printable(b, n) && n <= 200) {
		mt_sbuf_addc(dec, '[');
		mt_sbuf_add(dec, b, n);
		mt_sbuf_addc(dec, ']');
	} else {
		mt_sbuf_printf(dec, "[%zu bytes of %s data]", n, st->auth.mech);
	}
	return false;
}

/* A client line during AUTHENTICATE: a base64 response or "*" (RFC 3501 §6.2.2). */
static void auth_client_line(struct mt_session *s, struct imap_state *st, const uint8_t *line, size_t len,
                             const struct mt_line_meta *m)
{
	struct mt_span t = { line, len };
	mt_trim_right(&t);
	if (t.n == 1 && t.p[0] == '*') {
		if (st->auth.cred)
			st->auth.cred->cancelled = true;
		text_line(s, DIR_C2S, m, line, len, "[authentication cancelled by the client]");
		return;
	}
	struct mt_sbuf dec, masked;
	mt_sbuf_init(&dec);
	mt_sbuf_init(&masked);
	bool secret = false;
	size_t bn = 0;
	uint8_t *b = NULL;
	struct mt_credential *c = st->auth.cred;
	const char *before[3] = { c ? c->username.data : NULL, c ? c->password.data : NULL,
	                          c ? c->response.data : NULL };
	if (t.n == 0) {
		mt_sbuf_adds(&dec, "[empty response]");
	} else if ((b = mt_b64_decode_alloc(t.p, t.n, SASL_MAX, &bn)) != NULL) {
		secret = sasl_response(s, st, b, bn, &dec, &masked);
	} else {
		mt_sbuf_adds(&dec, "[not base64]");
	}
	if (c) {
		/* the credential's frame is the one that carried what it holds */
		if (c->username.data != before[0] || c->password.data != before[1] || c->response.data != before[2])
			c->frame = m->frame;
		if (m->typed)
			c->typed = true;
	}
	st->auth.step++;
	struct mt_line *l = text_line(s, DIR_C2S, m, line, len, dec.s);
	if (secret)
		sess_line_secret(l, 0, t.n, masked.s);
	free(b);
	mt_sbuf_free(&dec);
	mt_sbuf_free(&masked);
}

/* Starts AUTHENTICATE mech [initial-response] (RFC 3501 §6.2.2, RFC 4959). */
static void start_auth(struct mt_session *s, struct imap_state *st, const uint8_t *tag, size_t tagn,
                       const uint8_t *mech, size_t mechn, struct tag_ent *e, uint64_t frame, bool typed)
{
	char name[32];
	st->auth.active = true;
	copy_tag(st->auth.tag, tag, tagn);
	mt_sasl_mech_name(st->auth.mech, sizeof(st->auth.mech), mech, mechn);
	st->auth.kind = mt_sasl_mech_of(st->auth.mech);
	st->auth.step = 0;
	mt_sasl_cred_mech(name, sizeof(name), "AUTHENTICATE", st->auth.mech);
	st->auth.cred = sess_cred_new(s, name, frame);
	st->auth.cred->typed = typed;
	if (e)
		e->cred = st->auth.cred;
}

/* ---- client commands ---- */

static int command_kind(const char *name)
{
	static const struct { const char *name; int kind; } kinds[] = {
		{ "LOGIN", CK_LOGIN }, { "AUTHENTICATE", CK_AUTH }, { "STARTTLS", CK_STARTTLS },
		{ "CAPABILITY", CK_CAPABILITY }, { "SELECT", CK_SELECT }, { "EXAMINE", CK_SELECT },
		{ "STATUS", CK_STATUS }, { "LIST", CK_LIST }, { "LSUB", CK_LIST }, { "XLIST", CK_LIST },
		{ "FETCH", CK_FETCH }, { "UID FETCH", CK_FETCH }, { "APPEND", CK_APPEND }, { "IDLE", CK_IDLE },
		{ "LOGOUT", CK_LOGOUT }, { "ID", CK_ID }, { "COMPRESS", CK_COMPRESS },
		{ "CREATE", CK_MAILBOX }, { "DELETE", CK_MAILBOX }, { "SUBSCRIBE", CK_MAILBOX },
		{ "UNSUBSCRIBE", CK_MAILBOX }, { "RENAME", CK_MAILBOX },
	};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kinds[i].name, name))
			return kinds[i].kind;
	return CK_OTHER;
}

/* Decoded text for an ID parameter list (RFC 2971 §3.3): `who name="x" ...`. */
static void id_params(struct mt_sbuf *dec, const char *who, const uint8_t *p, size_t n)
{
	struct mt_imap_tokenizer tz;
	struct mt_imap_tok k, v;
	mt_imap_tok_init(&tz, p, n);
	mt_sbuf_adds(dec, who);
	unsigned pairs = 0;
	while (pairs < 16 && mt_imap_tok_next(&tz, &k) != IMAP_TOK_END && k.kind != IMAP_TOK_ERROR) {
		if (k.kind == IMAP_TOK_LPAREN || k.kind == IMAP_TOK_RPAREN)
			continue;
		if (mt_imap_tok_next(&tz, &v) == IMAP_TOK_END || v.kind == IMAP_TOK_ERROR)
			break;
		uint8_t kb[64], vb[128];
		size_t kn = mt_imap_tok_value(&tz, &k, kb, sizeof(kb));
		size_t vn = mt_imap_tok_value(&tz, &v, vb, sizeof(vb));
		if (kn > sizeof(kb))
			kn = sizeof(kb);
		if (vn > sizeof(vb))
			vn = sizeof(vb);
		mt_sbuf_addc(dec, ' ');
		mt_sbuf_add(dec, kb, kn);
		mt_sbuf_addc(dec, '=');
		if (v.kind == IMAP_TOK_NIL)
			mt_sbuf_adds(dec, "NIL");
		else
			mt_sbuf_add_quoted(dec, vb, vn, MT_QUOTE_KEEP_CTL);
		pairs++;
	}
	if (!pairs)
		mt_sbuf_adds(dec, " (none)");
}

/* A complete command in st->asmb. The final line part is line[0..len) at
 * st->part_off; its transcript line is written here, with the decoded
 * meaning and secret mask that parsing produced. */
static void process_command(struct mt_session *s, struct imap_state *st, const uint8_t *line, size_t len,
                            const struct mt_line_meta *m)
{
	struct mt_imap_tokenizer tz;
	struct mt_imap_tok a[8];
	mt_imap_tok_init(&tz, st->asmb, st->asm_len);
	unsigned na = split_args(&tz, a, 8, true);
	struct mt_sbuf dec, masked;
	mt_sbuf_init(&dec);
	mt_sbuf_init(&masked);
	bool secret = false;
	size_t sec_off = 0, sec_len = 0;
	char name[24] = "";
	unsigned arg0 = 2;   /* index of the first argument */

	if (na >= 2 && a[0].kind == IMAP_TOK_ATOM && a[1].kind == IMAP_TOK_ATOM) {
		mt_upper_copy(name, sizeof(name), st->asmb + a[1].off, a[1].len);
		if (!strcmp(name, "UID") && na >= 3 && a[2].kind == IMAP_TOK_ATOM) {
			/* RFC 3501 §6.4.8: UID FETCH/SEARCH/COPY/STORE */
			char sub[16];
			mt_upper_copy(sub, sizeof(sub), st->asmb + a[2].off, a[2].len);
			snprintf(name, sizeof(name), "UID %s", sub);
			arg0 = 3;
		}
	} else if (na == 1 && a[0].kind == IMAP_TOK_ATOM) {
		mt_sbuf_adds(&dec, "[command without a tag]");
	}
	unsigned nargs = na > arg0 ? na - arg0 : 0;
	const struct mt_imap_tok *arg = a + arg0;
	int kind = name[0] ? command_kind(name) : CK_OTHER;
	struct tag_ent *e = NULL;
	if (name[0]) {
		e = tag_add(st, st->asmb + a[0].off, a[0].len, kind, name);
		/* The command text as sent, for message records: up to the first CRLF. */
		size_t cl = upto(st->asmb, st->asm_len, '\r');
		cl = upto(st->asmb, cl, '\n');
		size_t j = 0;
		for (size_t i = 0; i < cl && j + 1 < sizeof(e->cmd); i++)
			e->cmd[j++] = (char)st->asmb[i];
		e->cmd[j] = 0;
	}

	switch (kind) {
	case CK_LOGIN: {
		/* RFC 3501 §6.2.3: LOGIN userid password, both astrings */
		if (!nargs)
			break;
		size_t un = 0, pn = 0;
		bool ucut = false, pcut = false;
		uint8_t *u = mt_imap_tok_is_string(&arg[0]) ? tok_dup(st, &tz, &arg[0], &un, &ucut) : NULL;
		uint8_t *p = nargs >= 2 && mt_imap_tok_is_string(&arg[1]) ? tok_dup(st, &tz, &arg[1], &pn, &pcut) : NULL;
		bool lit_pass = p && arg[1].kind == IMAP_TOK_LITERAL;
		struct mt_credential *c = sess_cred_new(s, "LOGIN", lit_pass && st->pass_frame ? st->pass_frame : m->frame);
		c->typed = st->asm_typed || m->typed;
		if (u) {
			mt_bytes_set(&c->username, u, un, s->model->limits.line_max);
			c->username.truncated |= ucut;
		}
		if (p) {
			mt_bytes_set(&c->password, p, pn, 0);
			c->password.truncated = pcut;
		}
		if (st->asm_trunc && (!p || pcut))
			c->password.truncated = true;
		if (e)
			e->cred = c;
		for (int i = 0; i < 2; i++) {
			struct mt_sbuf *o = i ? &masked : &dec;
			mt_sbuf_adds(o, "user=");
			mt_sbuf_add_quoted(o, u ? u : (const uint8_t *)"", un, MT_QUOTE_KEEP_CTL);
			if (ucut)
				mt_sbuf_adds(o, " (cut)");
			mt_sbuf_adds(o, " pass=");
			if (!p)
				mt_sbuf_adds(o, "(none)");
			else if (i)
				mt_sbuf_adds(o, "\"********\"");
			else
				mt_sbuf_add_quoted(o, p, pn, MT_QUOTE_KEEP_CTL);
			if (p && pcut)
				mt_sbuf_adds(o, " (cut)");
		}
		/* Mask the password where it sits in this line (a literal
		 * password was masked on its own line already). */
		if (p && arg[1].off >= st->part_off && !lit_pass) {
			secret = true;
			sec_off = (arg[1].kind == IMAP_TOK_QUOTED ? arg[1].voff : arg[1].off) - st->part_off;
			sec_len = arg[1].kind == IMAP_TOK_QUOTED ? arg[1].vlen : arg[1].len;
		} else if (p) {
			secret = true;   /* decoded text holds it; nothing on this line */
			sec_off = len;
			sec_len = 0;
		}
		free(u);
		free(p);
		break;
	}
	case CK_AUTH:
		if (!nargs || arg[0].kind != IMAP_TOK_ATOM)
			break;
		start_auth(s, st, st->asmb + a[0].off, a[0].len, st->asmb + arg[0].off, arg[0].len, e, m->frame,
		           st->asm_typed || m->typed);
		if (nargs >= 2 && arg[1].kind == IMAP_TOK_ATOM && arg[1].off >= st->part_off) {
			/* RFC 4959 §3: the initial response; "=" is an empty one */
			const uint8_t *ir = st->asmb + arg[1].off;
			size_t irn = arg[1].len;
			size_t bn = 0;
			uint8_t *b = NULL;
			if (irn == 1 && ir[0] == '=') {
				mt_sbuf_adds(&dec, "[empty initial response]");
				st->auth.step++;
			} else if ((b = mt_b64_decode_alloc(ir, irn, SASL_MAX, &bn)) != NULL) {
				secret = sasl_response(s, st, b, bn, &dec, &masked);
				st->auth.step++;
				if (secret) {
					sec_off = arg[1].off - st->part_off;
					sec_len = irn;
				}
			} else {
				mt_sbuf_adds(&dec, "[initial response is not base64]");
			}
			free(b);
		} else {
			mt_sbuf_printf(&dec, "[SASL %s]", st->auth.mech);
		}
		break;
	case CK_STARTTLS:
		sess_starttls_requested(s, m->frame);
		if (st->caps_seen && s->starttls.offered != TRI_TRUE)
			sess_warn(s, W_STARTTLS_NOT_OFFERED);
		st->starttls_pending = true;
		break;
	case CK_IDLE:
		st->idle = true;   /* RFC 2177: until the client sends DONE */
		break;
	case CK_SELECT:
	case CK_STATUS:
	case CK_MAILBOX:
	case CK_APPEND:
		if (nargs && mt_imap_tok_is_string(&arg[0])) {
			uint8_t mb[256];
			size_t n = mt_imap_tok_value(&tz, &arg[0], mb, sizeof(mb));
			mt_sbuf_adds(&dec, "mailbox=");
			mt_sbuf_add_quoted(&dec, mb, n < sizeof(mb) ? n : sizeof(mb), MT_QUOTE_KEEP_CTL);
			if (kind == CK_STATUS && nargs >= 2 && arg[1].kind == IMAP_TOK_LIST) {
				mt_sbuf_adds(&dec, " items=");
				mt_sbuf_add(&dec, st->asmb + arg[1].off, arg[1].len > 200 ? 200 : arg[1].len);
			}
		}
		break;
	case CK_FETCH:
		/* RFC 3501 §6.4.5: sequence set, then the items */
		if (nargs >= 2) {
			mt_sbuf_adds(&dec, "messages=");
			mt_sbuf_add(&dec, st->asmb + arg[0].off, arg[0].len > 64 ? 64 : arg[0].len);
			mt_sbuf_adds(&dec, " items=");
			mt_sbuf_add(&dec, st->asmb + arg[1].off, arg[1].len > 200 ? 200 : arg[1].len);
		}
		break;
	case CK_LIST:
		if (nargs >= 2 && mt_imap_tok_is_string(&arg[0]) && mt_imap_tok_is_string(&arg[1])) {
			uint8_t r[256], pat[256];
			size_t rn = mt_imap_tok_value(&tz, &arg[0], r, sizeof(r));
			size_t pn = mt_imap_tok_value(&tz, &arg[1], pat, sizeof(pat));
			mt_sbuf_adds(&dec, "reference=");
			mt_sbuf_add_quoted(&dec, r, rn < sizeof(r) ? rn : sizeof(r), MT_QUOTE_KEEP_CTL);
			mt_sbuf_adds(&dec, " pattern=");
			mt_sbuf_add_quoted(&dec, pat, pn < sizeof(pat) ? pn : sizeof(pat), MT_QUOTE_KEEP_CTL);
		}
		break;
	case CK_ID:
		if (nargs && arg[0].kind == IMAP_TOK_LIST)
			id_params(&dec, "client", st->asmb + arg[0].voff, arg[0].vlen);
		break;
	case CK_COMPRESS:
		if (nargs && !mt_kw_eq(st->asmb + arg[0].off, arg[0].len, "DEFLATE"))
			mt_sbuf_adds(&dec, "[unknown compression]");
		break;
	default:
		break;
	}

	if (len || dec.len || !st->nlits) {
		struct mt_line *l = text_line(s, DIR_C2S, m, line, len, dec.len ? dec.s : NULL);
		if (secret)
			sess_line_secret(l, sec_off, sec_len, masked.len ? masked.s : NULL);
	}
	mt_sbuf_free(&dec);
	mt_sbuf_free(&masked);
	asm_reset(st);
}

/* What the next client literal is, from the command so far: a LOGIN
 * argument, an APPEND message (RFC 3501 §6.3.11), or other command text. */
static int client_literal_role(struct imap_state *st)
{
	struct mt_imap_tokenizer tz;
	struct mt_imap_tok a[5];
	mt_imap_tok_init(&tz, st->asmb, st->asm_len);
	unsigned n = split_args(&tz, a, 5, false);   /* never more: this runs per literal */
	if (n < 2 || a[1].kind != IMAP_TOK_ATOM)
		return LIT_CMD;
	if (mt_kw_eq(st->asmb + a[1].off, a[1].len, "LOGIN"))
		return n == 2 ? LIT_USER : n == 3 ? LIT_PASS : LIT_CMD;
	if (mt_kw_eq(st->asmb + a[1].off, a[1].len, "APPEND") && n >= 3)
		return LIT_APPEND;
	return LIT_CMD;
}

/* ---- literals ---- */

static void finish_literal(struct mt_session *s, struct imap_state *st, int dir, bool complete);

static void start_literal(struct mt_session *s, struct imap_state *st, int dir, int role, uint64_t n,
                          const struct mt_line_meta *m)
{
	struct dir_state *d = &st->d[dir];
	if (dir == DIR_S2C)
		d->lit_idx = -1;
	d->lit_role = role;
	d->lit_len = n;
	d->lit_got = 0;
	d->lit_gap = false;
	d->lit_first_frame = d->lit_frame = m->frame;
	d->lit_ts = m->ts_ns;
	d->show_len = 0;
	if (n == 0) {
		finish_literal(s, st, dir, true);
		return;
	}
	mt_lines_raw(cur_lines(st, dir), n);
}

/* "[literal of N bytes, M received]" when the stream cut it, "[... first
 * K kept]" when we kept less than all of it; nothing when whole. */
static void lit_note(const struct dir_state *d, size_t shown, struct mt_sbuf *sb)
{
	if (d->lit_gap || d->lit_got < d->lit_len)
		mt_sbuf_printf(sb, "%s[literal of %llu bytes, %llu received]", sb->len ? " " : "",
		               (unsigned long long)d->lit_len, (unsigned long long)d->lit_got);
	else if (shown < d->lit_len)
		mt_sbuf_printf(sb, "%s[literal of %llu bytes, first %zu kept]", sb->len ? " " : "",
		               (unsigned long long)d->lit_len, shown);
}

static void lit_transcript(struct mt_session *s, struct imap_state *st, int dir, const uint8_t *p, size_t n,
                           const char *decoded, bool secret, const char *masked)
{
	struct dir_state *d = &st->d[dir];
	struct mt_sbuf dec;
	mt_sbuf_init(&dec);
	if (decoded)
		mt_sbuf_adds(&dec, decoded);
	lit_note(d, n, &dec);
	struct mt_line *l = sess_line(s, dir, LINE_TEXT, d->lit_first_frame, d->lit_frame, d->lit_ts, p, n,
	                              dec.len ? dec.s : NULL);
	if (secret) {
		struct mt_sbuf mk;
		mt_sbuf_init(&mk);
		if (masked)
			mt_sbuf_adds(&mk, masked);
		lit_note(d, n, &mk);
		sess_line_secret(l, 0, n, mk.len ? mk.s : NULL);
		mt_sbuf_free(&mk);
	}
	mt_sbuf_free(&dec);
}

static void finish_literal(struct mt_session *s, struct imap_state *st, int dir, bool complete)
{
	struct dir_state *d = &st->d[dir];
	int role = d->lit_role;
	bool cut = !complete || d->lit_gap || d->lit_got < d->lit_len;
	d->lit_role = LIT_NONE;
	switch (role) {
	case LIT_CMD:
	case LIT_USER:
	case LIT_PASS: {
		size_t voff = st->asm_len;
		if (d->lit_idx >= 0) {
			struct lit_info *li = &st->lits[d->lit_idx];
			li->got = d->lit_got;
			li->gap = d->lit_gap;
			voff = li->voff;
		}
		size_t n = st->asm_len > voff ? st->asm_len - voff : 0;
		const uint8_t *p = st->asmb ? st->asmb + voff : (const uint8_t *)"";
		if (role == LIT_PASS) {
			st->pass_frame = d->lit_frame;
			lit_transcript(s, st, dir, p, n, "[password]", true, "[password]");
		} else {
			lit_transcript(s, st, dir, p, n, role == LIT_USER ? "[user name]" : NULL, false, NULL);
		}
		st->part_off = st->asm_len;
		break;
	}
	case LIT_APPEND:
	case LIT_FETCH:
		dline_flush(s, dir, d->lit_frame, d->lit_ts);
		sess_msg_end(s, d->msg, !cut);
		d->msg = NULL;
		d->cont = true;
		break;
	case LIT_SERVER:
		lit_transcript(s, st, dir, d->show, d->show_len, NULL, false, NULL);
		d->show_len = 0;
		d->cont = true;
		break;
	case LIT_SDATA:
		dline_flush(s, dir, d->lit_frame, d->lit_ts);
		if (cut) {
			struct mt_sbuf nb;
			mt_sbuf_init(&nb);
			lit_note(d, (size_t)d->lit_got, &nb);
			note(s, dir, d->lit_frame, d->lit_ts, nb.s);
			mt_sbuf_free(&nb);
		}
		d->cont = true;
		break;
	default:
		break;
	}
}

static void literal_bytes(struct mt_session *s, int dir, const uint8_t *p, size_t n, const struct mt_seg_info *info,
                          bool done)
{
	struct imap_state *st = s->dissector_state;
	struct dir_state *d = &st->d[dir];
	if (!d->lit_got && !d->lit_gap)
		d->lit_first_frame = info->frame;   /* the literal's first byte */
	d->lit_got += n;
	d->lit_frame = info->frame;
	d->lit_ts = info->ts_ns;
	switch (d->lit_role) {
	case LIT_CMD:
	case LIT_USER:
	case LIT_PASS: {
		/* keep up to lit_keep bytes of it in the assembly; skip the rest */
		size_t have = d->lit_idx >= 0 ? st->asm_len - st->lits[d->lit_idx].voff : 0;
		if (d->lit_idx >= 0 && have < d->lit_keep) {
			size_t k = d->lit_keep - have;
			asm_add(st, p, n < k ? n : k);
		}
		break;
	}
	case LIT_APPEND:
	case LIT_FETCH:
		sess_msg_data(s, d->msg, p, n, info->frame);
		dline_feed(s, dir, p, n, info);
		break;
	case LIT_SDATA:
		dline_feed(s, dir, p, n, info);
		break;
	case LIT_SERVER: {
		size_t max = s->model->limits.line_max;
		size_t k = max > d->show_len ? max - d->show_len : 0;
		if (k > n)
			k = n;
		if (k) {
			d->show = mt_xrealloc(d->show, d->show_len + k);
			memcpy(d->show + d->show_len, p, k);
			d->show_len += k;
		}
		break;
	}
	default:
		break;
	}
	if (done && d->lit_role != LIT_NONE)
		finish_literal(s, st, dir, true);
}

/* A client line ending in a literal marker: note the literal in the
 * assembly (as `{k}` CRLF with k the bytes we will keep) and go raw. */
static void client_literal(struct mt_session *s, struct imap_state *st, const uint8_t *line, size_t len,
                           size_t marker_off, uint64_t n, enum mt_imap_lit_kind lk, const struct mt_line_meta *m)
{
	int role = client_literal_role(st);
	struct dir_state *d = &st->d[DIR_C2S];
	/* the line part itself goes to the transcript now */
	text_line(s, DIR_C2S, m, line, len, NULL);
	size_t keep = 0;
	if (role != LIT_APPEND) {
		size_t room = st->asm_max > st->asm_len + 32 ? st->asm_max - st->asm_len - 32 : 0;
		keep = n < s->model->limits.max_literal ? (size_t)n : s->model->limits.max_literal;
		if (keep > room)
			keep = room;
	}
	char mk[40];
	snprintf(mk, sizeof(mk), "%s{%zu%s}\r\n", lk == IMAP_LIT_BINARY ? "~" : "", keep,
	         lk == IMAP_LIT_NONSYNC ? "+" : "");
	asm_add(st, (const uint8_t *)mk, strlen(mk));
	d->lit_idx = -1;
	if (st->nlits < LITS_MAX) {
		d->lit_idx = (int)st->nlits;
		struct lit_info *li = &st->lits[st->nlits++];
		li->voff = st->asm_len;
		li->declared = n;
		li->got = 0;
		li->gap = false;
	} else {
		keep = 0;   /* undescribed literals are skipped, never misattributed */
	}
	d->lit_keep = keep;
	if (role == LIT_APPEND) {
		char cmd[64];
		struct mt_span c = { line, marker_off };
		mt_trim_right(&c);
		size_t j = 0;
		for (size_t i = 0; i < c.n && j + 1 < sizeof(cmd); i++)
			cmd[j++] = (char)c.p[i];
		cmd[j] = 0;
		if (st->asm_len > st->part_off && st->part_off > 0) {
			/* MULTIAPPEND continuation: name the command by its first line */
			size_t cl = upto(st->asmb, st->asm_len, '\r');
			j = 0;
			for (size_t i = 0; i < cl && j + 1 < sizeof(cmd); i++)
				cmd[j++] = (char)st->asmb[i];
			cmd[j] = 0;
		}
		d->msg = sess_msg_begin(s, DIR_C2S, cmd, m->frame);
	}
	start_literal(s, st, DIR_C2S, role, n, m);
}

/* ---- client lines ---- */

static void c2s_line(struct mt_session *s, struct imap_state *st, const uint8_t *line, size_t len,
                     const struct mt_line_meta *m)
{
	line_flags(s, m);
	if (st->in_gap) {
		/* the rest of this line was lost: show it, do not act on it */
		text_line(s, DIR_C2S, m, line, len, "[incomplete line: gap follows]");
		return;
	}
	if (st->starttls_pending && !st->asm_active) {
		/* RFC 3501 §6.2.1 / RFC 3207 §5 style: nothing may follow STARTTLS
		 * before the reply; pipelined text is a command-injection attempt. */
		sess_warn(s, W_STARTTLS_INJECTION);
		note(s, DIR_C2S, m->frame, m->ts_ns, "cleartext command sent after STARTTLS before the reply (injection)");
	}
	if (st->auth.active && !st->asm_active) {
		/* base64 never holds a space: a line with one is a command again
		 * (we missed the tagged reply that ended the exchange) */
		if (!memchr(line, ' ', len)) {
			auth_client_line(s, st, line, len, m);
			return;
		}
		st->auth.active = false;
	}
	if (st->idle && !st->asm_active && mt_kw_eq(line, len, "DONE")) {
		st->idle = false;
		text_line(s, DIR_C2S, m, line, len, "[end of IDLE]");
		return;
	}
	if (!st->asm_active) {
		asm_reset(st);
		st->asm_active = true;
		st->asm_max = s->model->limits.max_literal + ASM_SLACK;
	}
	if (m->typed)
		st->asm_typed = true;
	st->part_off = st->asm_len;
	uint64_t n;
	enum mt_imap_lit_kind lk;
	size_t marker_off;
	if (mt_imap_literal_suffix(line, len, &n, &lk, &marker_off)) {
		asm_add(st, line, marker_off);
		client_literal(s, st, line, len, marker_off, n, lk, m);
		return;
	}
	asm_add(st, line, len);
	process_command(s, st, line, len, m);
}

/* ---- server lines ---- */

/* Is the FETCH item just before a literal marker a message (or its header)?
 * BODY[], BODY[HEADER...], BODY.PEEK echoes, RFC822, RFC822.HEADER, BINARY[]
 * (RFC 3501 §7.4.2, RFC 3516 §4.2). Parts and TEXT are not whole messages. */
static bool fetch_item_is_message(const uint8_t *line, size_t end, struct mt_span *item)
{
	size_t i = end;
	while (i > 0 && line[i - 1] == ' ')
		i--;
	size_t stop = i;
	if (i > 0 && line[i - 1] == '>') {   /* <origin> of a partial fetch */
		while (i > 0 && line[i - 1] != '<')
			i--;
		if (!i)
			return false;
		i--;
	}
	size_t sec_end = i, sec_start = i;
	if (i > 0 && line[i - 1] == ']') {
		int depth = 0;
		while (i > 0) {
			i--;
			if (line[i] == ']')
				depth++;
			else if (line[i] == '[' && --depth == 0)
				break;
		}
		if (depth)
			return false;
		sec_start = i;
	}
	size_t name_end = i;
	while (i > 0 && (line[i - 1] == '.' || (line[i - 1] >= 'A' && line[i - 1] <= 'Z') ||
	                 (line[i - 1] >= 'a' && line[i - 1] <= 'z') || (line[i - 1] >= '0' && line[i - 1] <= '9')))
		i--;
	const uint8_t *nm = line + i;
	size_t nn = name_end - i;
	item->p = nm;
	item->n = stop - i;
	if (sec_start == sec_end) {
		return mt_kw_eq(nm, nn, "RFC822") || mt_kw_eq(nm, nn, "RFC822.HEADER");
	}
	if (!mt_kw_eq(nm, nn, "BODY") && !mt_kw_eq(nm, nn, "BINARY") && !mt_kw_eq(nm, nn, "BODY.PEEK"))
		return false;
	const uint8_t *sec = line + sec_start + 1;
	size_t sn = sec_end - sec_start - 2;
	return sn == 0 || mt_kw_prefix(sec, sn, "HEADER");
}

static void server_literal(struct mt_session *s, struct imap_state *st, const uint8_t *line, size_t len,
                           size_t marker_off, uint64_t n, const struct mt_line_meta *m, struct mt_sbuf *dec)
{
	struct dir_state *d = &st->d[DIR_S2C];
	struct mt_span item;
	int role = n > SHORT_LITERAL ? LIT_SDATA : LIT_SERVER;
	if (fetch_item_is_message(line, marker_off, &item)) {
		role = LIT_FETCH;
		char cmd[64];
		struct tag_ent *e = latest_fetch(st);
		if (e && e->cmd[0])
			snprintf(cmd, sizeof(cmd), "%s", e->cmd);
		else
			snprintf(cmd, sizeof(cmd), "FETCH %llu %.*s", (unsigned long long)st->fetch_seq,
			         (int)(item.n > 40 ? 40 : item.n), (const char *)item.p);
		d->msg = sess_msg_begin(s, DIR_S2C, cmd, m->frame);
		if (dec->len)
			mt_sbuf_adds(dec, " ");
		mt_sbuf_printf(dec, "[message %llu: %llu bytes follow]", (unsigned long long)st->fetch_seq,
		               (unsigned long long)n);
	}
	(void)len;
	start_literal(s, st, DIR_S2C, role, n, m);
}

static void untagged(struct mt_session *s, struct imap_state *st, const uint8_t *line, size_t len,
                     struct mt_sbuf *dec, bool first)
{
	struct mt_span rest = { line + 1, len - 1 }, w;
	if (!mt_next_word(&rest, &w))
		return;
	mt_skip_ws(&rest);
	if (mt_kw_eq(w.p, w.n, "OK") || mt_kw_eq(w.p, w.n, "PREAUTH") || mt_kw_eq(w.p, w.n, "BYE") ||
	    mt_kw_eq(w.p, w.n, "NO") || mt_kw_eq(w.p, w.n, "BAD")) {
		bool preauth = mt_kw_eq(w.p, w.n, "PREAUTH");
		bool bye = mt_kw_eq(w.p, w.n, "BYE");
		if (first) {
			/* RFC 3501 §7.1.1/§7.1.4/§7.1.5: the greeting */
			sess_set_greeting(s, line, len);
			detect_software(s, rest.p, rest.n);
		}
		struct mt_sbuf why;
		mt_sbuf_init(&why);
		explain_code(s, rest, &why);
		if (preauth) {
			if (why.len)
				mt_sbuf_adds(&why, "; ");
			mt_sbuf_adds(&why, "PREAUTH: the session is already authenticated, no credentials are exchanged");
		} else if (bye) {
			if (why.len)
				mt_sbuf_adds(&why, "; ");
			mt_sbuf_adds(&why, "server closes the connection");
		}
		if (why.len)
			mt_sbuf_printf(dec, "[%s]", why.s);
		mt_sbuf_free(&why);
		return;
	}
	if (mt_kw_eq(w.p, w.n, "CAPABILITY")) {
		parse_caps(s, rest.p, rest.n);
		return;
	}
	if (mt_kw_eq(w.p, w.n, "SEARCH")) {
		/* RFC 3501 §7.2.5: the matching message numbers */
		struct mt_span r = rest, x;
		unsigned long long k = 0;
		while (mt_next_word(&r, &x))
			k++;
		mt_sbuf_printf(dec, "[%llu match%s]", k, k == 1 ? "" : "es");
		return;
	}
	if (mt_kw_eq(w.p, w.n, "ID")) {
		mt_skip_ws(&rest);
		if (rest.n && rest.p[0] == '(')
			id_params(dec, "server", rest.p, rest.n);
		return;
	}
	if (mt_kw_eq(w.p, w.n, "STATUS") || mt_kw_eq(w.p, w.n, "LIST") || mt_kw_eq(w.p, w.n, "LSUB")) {
		/* RFC 3501 §7.2.2/§7.2.3/§7.2.4: decode mailbox and values */
		struct mt_imap_tokenizer tz;
		struct mt_imap_tok t[4];
		mt_imap_tok_init(&tz, rest.p, rest.n);
		unsigned n = split_args(&tz, t, 4, true);
		uint8_t mb[256];
		if (mt_kw_eq(w.p, w.n, "STATUS") && n >= 2 && mt_imap_tok_is_string(&t[0]) && t[1].kind == IMAP_TOK_LIST) {
			size_t mn = mt_imap_tok_value(&tz, &t[0], mb, sizeof(mb));
			mt_sbuf_adds(dec, "mailbox=");
			mt_sbuf_add_quoted(dec, mb, mn < sizeof(mb) ? mn : sizeof(mb), MT_QUOTE_KEEP_CTL);
			struct mt_span in = { rest.p + t[1].voff, t[1].vlen }, k, v;
			unsigned pairs = 0;
			while (pairs++ < 16 && mt_next_word(&in, &k) && mt_next_word(&in, &v)) {
				mt_sbuf_addc(dec, ' ');
				mt_sbuf_add(dec, k.p, k.n > 32 ? 32 : k.n);
				mt_sbuf_addc(dec, '=');
				mt_sbuf_add(dec, v.p, v.n > 20 ? 20 : v.n);
			}
		} else if (n >= 3 && t[0].kind == IMAP_TOK_LIST && mt_imap_tok_is_string(&t[2])) {
			size_t mn = mt_imap_tok_value(&tz, &t[2], mb, sizeof(mb));
			mt_sbuf_adds(dec, "mailbox=");
			mt_sbuf_add_quoted(dec, mb, mn < sizeof(mb) ? mn : sizeof(mb), MT_QUOTE_KEEP_CTL);
			if (t[0].vlen) {
				mt_sbuf_adds(dec, " flags=");
				mt_sbuf_add(dec, rest.p + t[0].off, t[0].len > 100 ? 100 : t[0].len);
			}
		}
		return;
	}
	/* "* n EXISTS|RECENT|EXPUNGE|FETCH" (RFC 3501 §7.3, §7.4) */
	uint64_t num;
	size_t used;
	if (mt_parse_u64(w.p, w.n, &num, &used) && used == w.n) {
		struct mt_span what;
		if (!mt_next_word(&rest, &what))
			return;
		if (mt_kw_eq(what.p, what.n, "EXISTS"))
			mt_sbuf_printf(dec, "[%llu message%s in the mailbox]", (unsigned long long)num, num == 1 ? "" : "s");
		else if (mt_kw_eq(what.p, what.n, "RECENT"))
			mt_sbuf_printf(dec, "[%llu recent]", (unsigned long long)num);
		else if (mt_kw_eq(what.p, what.n, "EXPUNGE"))
			mt_sbuf_printf(dec, "[message %llu expunged]", (unsigned long long)num);
		else if (mt_kw_eq(what.p, what.n, "FETCH"))
			st->fetch_seq = num;
	}
}

static void tagged(struct mt_session *s, struct imap_state *st, const uint8_t *line, size_t len,
                   const struct mt_line_meta *m, struct mt_sbuf *dec)
{
	struct mt_span rest = { line, len }, tag, status;
	if (!mt_next_word(&rest, &tag) || !mt_next_word(&rest, &status))
		return;
	mt_skip_ws(&rest);
	bool ok = mt_kw_eq(status.p, status.n, "OK");
	bool no = mt_kw_eq(status.p, status.n, "NO");
	bool bad = mt_kw_eq(status.p, status.n, "BAD");
	if (!ok && !no && !bad)
		return;
	struct mt_sbuf why;
	mt_sbuf_init(&why);
	explain_code(s, rest, &why);
	struct tag_ent *e = tag_find(st, tag.p, tag.n);
	const char *verdict = NULL;
	bool cancelled = false;
	if (e) {
		switch (e->kind) {
		case CK_LOGIN:
		case CK_AUTH:
			/* RFC 3501 §6.2.2/§6.2.3: OK = authenticated, NO = rejected,
			 * BAD = protocol error (or the client's "*" cancel) */
			if (e->kind == CK_AUTH && st->auth.active && st->auth.cred == e->cred)
				st->auth.active = false;
			cancelled = e->cred && e->cred->cancelled;
			if (e->cred && !cancelled)
				sess_cred_outcome(s, e->cred, ok ? OUTCOME_SUCCESS : OUTCOME_FAILURE, m->frame);
			verdict = cancelled ? "cancelled" : ok ? "succeeded" : "failed";
			break;
		case CK_STARTTLS:
			st->starttls_pending = false;
			sess_starttls_reply(s, ok, m->frame);
			verdict = ok ? "accepted: TLS follows" : "refused";
			if (ok) {
				/* RFC 3501 §6.2.1: TLS negotiation begins right after the OK */
				for (int dir = 0; dir < 2; dir++) {
					st->d[dir].raw = RM_TLS;
					mt_lines_raw_forever(&st->d[dir].lines);
				}
			}
			break;
		case CK_COMPRESS:
			verdict = ok ? "accepted: the rest is inflated" : "refused";
			if (ok) {
				/* RFC 4978 §3: compression starts right after the OK, both ways */
				for (int dir = 0; dir < 2; dir++) {
					struct dir_state *d = &st->d[dir];
					if (d->z || d->raw != RM_LINES)
						continue;
					memset(&d->zs, 0, sizeof(d->zs));
					if (inflateInit2(&d->zs, -15) != Z_OK) {
						d->raw = RM_OFF;
					} else {
						d->zs_init = true;
						d->raw = RM_DEFLATE;
					}
					mt_lines_raw_forever(&d->lines);
				}
			}
			break;
		case CK_IDLE:
			st->idle = false;
			break;
		case CK_SELECT:
			if (ok)
				verdict = "done";
			break;
		default:
			break;
		}
		if (!ok && !verdict)
			verdict = bad ? "rejected as bad syntax" : "failed";
	}
	if (verdict)
		mt_sbuf_printf(dec, "[%s %s%s%s]", e->name, verdict, why.len ? ": " : "", why.len ? why.s : "");
	else if (why.len)
		mt_sbuf_printf(dec, "[%s]", why.s);
	/* BAD is a protocol error (RFC 3501 §7.1.3), except the answer to a
	 * "*" cancel and servers saying BAD to a STARTTLS they do not offer */
	if (bad && !cancelled && !(e && e->kind == CK_STARTTLS))
		sess_warn(s, W_SYNTAX_ERROR);
	if (e)
		e->used = false;
	mt_sbuf_free(&why);
}

/* A server `+` continuation (RFC 3501 §7.5). */
static void continuation(struct mt_session *s, struct imap_state *st, const uint8_t *line, size_t len,
                         struct mt_sbuf *dec)
{
	struct mt_span t = { line + 1, len - 1 };
	mt_skip_ws(&t);
	mt_trim_right(&t);
	if (st->auth.active) {
		/* base64 server challenge (RFC 3501 §6.2.2) */
		size_t bn = 0;
		uint8_t *b = t.n ? mt_b64_decode_alloc(t.p, t.n, SASL_MAX, &bn) : NULL;
		if (!t.n) {
			mt_sbuf_adds(dec, "[send response]");
		} else if (b) {
			if (st->auth.kind == MT_SASL_CRAM_MD5 && st->auth.cred)
				mt_bytes_set(&st->auth.cred->challenge, b, bn, s->model->limits.line_max);
			if (st->auth.kind == MT_SASL_NTLM && ntlm_message(NULL, b, bn, 0, dec)) {
				/* named */
			} else if (bn <= 300 && mt_printable(b, bn)) {
				mt_sbuf_addc(dec, '[');
				mt_sbuf_add(dec, b, bn);
				mt_sbuf_addc(dec, ']');
			} else {
				mt_sbuf_printf(dec, "[%zu bytes of %s challenge]", bn, st->auth.mech);
			}
		}
		free(b);
		return;
	}
	if (st->idle)
		mt_sbuf_adds(dec, "[idling]");
	else
		mt_sbuf_adds(dec, "[go ahead]");
}

static void s2c_line(struct mt_session *s, struct imap_state *st, const uint8_t *line, size_t len,
                     const struct mt_line_meta *m)
{
	struct dir_state *d = &st->d[DIR_S2C];
	line_flags(s, m);
	if (st->in_gap) {
		text_line(s, DIR_S2C, m, line, len, "[incomplete line: gap follows]");
		return;
	}
	struct mt_sbuf dec;
	mt_sbuf_init(&dec);
	bool first = !st->greeted;
	st->greeted = true;
	uint64_t n;
	enum mt_imap_lit_kind lk;
	size_t marker_off;
	bool lit = mt_imap_literal_suffix(line, len, &n, &lk, &marker_off);
	if (d->cont) {
		/* the rest of a response after a literal */
		d->cont = false;
	} else if (len && line[0] == '+') {
		continuation(s, st, line, len, &dec);
	} else if (len && line[0] == '*') {
		untagged(s, st, line, len, &dec, first);
	} else if (len) {
		tagged(s, st, line, len, m, &dec);
	}
	if (lit) {
		server_literal(s, st, line, len, marker_off, n, m, &dec);
		/* the transcript line goes before the literal's lines */
	}
	/* the literal may have finished at once ({0}): its line would then
	 * precede this one; rare enough to accept */
	text_line(s, DIR_S2C, m, line, len, dec.len ? dec.s : NULL);
	mt_sbuf_free(&dec);
}

/* ---- splitter callbacks ---- */

static void on_line(void *ctx, int dir, const uint8_t *line, size_t len, const struct mt_line_meta *m)
{
	struct mt_session *s = ctx;
	struct imap_state *st = s->dissector_state;
	if (dir == DIR_C2S)
		c2s_line(s, st, line, len, m);
	else
		s2c_line(s, st, line, len, m);
}

static void on_raw_inner(void *ctx, int dir, const uint8_t *p, size_t n, const struct mt_seg_info *info, bool done)
{
	literal_bytes(ctx, dir, p, n, info, done);
}

static void inflate_bytes(struct mt_session *s, struct imap_state *st, int dir, const uint8_t *p, size_t n,
                          const struct mt_seg_info *info)
{
	struct dir_state *d = &st->d[dir];
	uint8_t out[ZBUF];
	if (!d->z) {
		d->z = true;   /* from now on lines come from zlines */
		mt_lines_init(&d->zlines, s->model->limits.line_max);
		d->zlines.edit = d->lines.edit;
		d->zlines.nvt = d->lines.nvt;
	}
	d->zs.next_in = (Bytef *)(uintptr_t)p;
	d->zs.avail_in = (uInt)n;
	while (d->raw == RM_DEFLATE && d->zs.avail_in) {
		d->zs.next_out = out;
		d->zs.avail_out = sizeof(out);
		int r = inflate(&d->zs, Z_SYNC_FLUSH);
		size_t k = sizeof(out) - d->zs.avail_out;
		if (k)
			mt_lines_feed(&d->zlines, dir, out, k, info, on_line, on_raw_inner, s);
		if (r == Z_STREAM_END || (r != Z_OK && r != Z_BUF_ERROR)) {
			note(s, dir, info->frame, info->ts_ns,
			     r == Z_STREAM_END ? "deflate stream ended" : "deflate data is corrupt: decoding stops");
			d->raw = RM_OFF;
			break;
		}
		if (r == Z_BUF_ERROR && !k)
			break;
	}
}

/* Bytes after the TLS upgrade: the sniffer looks for the ClientHello. */
static void tls_bytes(struct mt_session *s, struct mt_tls_sniff *t, int dir, const uint8_t *p, size_t n,
                      const struct mt_seg_info *info)
{
	mt_tls_session_bytes(s, t, dir, p, n, info);
}

static void on_raw_outer(void *ctx, int dir, const uint8_t *p, size_t n, const struct mt_seg_info *info, bool done)
{
	struct mt_session *s = ctx;
	struct imap_state *st = s->dissector_state;
	switch (st->d[dir].raw) {
	case RM_TLS:
		tls_bytes(s, &st->tls, dir, p, n, info);
		return;
	case RM_DEFLATE:
		inflate_bytes(s, st, dir, p, n, info);
		return;
	case RM_OFF:
		return;
	default:
		literal_bytes(s, dir, p, n, info, done);
	}
}

/* ---- dissector interface ---- */

static int imap_open(struct mt_session *s)
{
	struct imap_state *st = mt_xcalloc(1, sizeof(*st));
	for (int dir = 0; dir < 2; dir++)
		mt_lines_init(&st->d[dir].lines, s->model->limits.line_max);
	st->d[DIR_C2S].lines.edit = true;        /* typed input is edited (docs/hacking.md) */
	st->d[DIR_S2C].lines.nvt = MT_NVT_OFF;   /* servers do not speak telnet */
	st->asm_max = s->model->limits.max_literal + ASM_SLACK;
	mt_tls_sniff_init(&st->tls);
	s->dissector_state = st;
	return 0;
}

static size_t imap_data(struct mt_session *s, int dir, const uint8_t *p, size_t n, const struct mt_seg_info *info)
{
	struct imap_state *st = s->dissector_state;
	if (!st || !n)
		return n;
	struct dir_state *d = &st->d[dir];
	struct mt_lines *l = cur_lines(st, dir);
	if (dir == DIR_C2S && st->starttls_pending && d->raw == RM_LINES && !d->z && l->len == 0 && !l->raw_left &&
	    p[0] == 0x16) {
		/* a TLS record before we saw the server's OK (capture order):
		 * the client went ahead with the handshake */
		d->raw = RM_TLS;
		mt_lines_raw_forever(l);
	}
	mt_lines_feed(&d->lines, dir, p, n, info, on_line, on_raw_outer, s);
	return n;
}

static void imap_gap(struct mt_session *s, int dir, uint64_t len, const struct mt_seg_info *info)
{
	struct imap_state *st = s->dissector_state;
	if (!st)
		return;
	struct dir_state *d = &st->d[dir];
	char text[64];
	sess_warn(s, W_STREAM_GAP);
	if (d->raw == RM_TLS || d->raw == RM_OFF) {
		snprintf(text, sizeof(text), "[gap of %llu bytes]", (unsigned long long)len);
		sess_line(s, dir, LINE_GAP, info->frame, info->frame, info->ts_ns, (const uint8_t *)text, strlen(text), NULL);
		return;
	}
	if (d->raw == RM_DEFLATE) {
		/* a deflate stream cannot be resumed after lost bytes */
		d->raw = RM_OFF;
		note(s, dir, info->frame, info->ts_ns, "compressed stream lost bytes: decoding stops");
	}
	st->in_gap = true;
	uint64_t swallowed = mt_lines_gap(cur_lines(st, dir), dir, len, info, on_line, s);
	st->in_gap = false;
	snprintf(text, sizeof(text), "[gap of %llu bytes]", (unsigned long long)len);
	sess_line(s, dir, LINE_GAP, info->frame, info->frame, info->ts_ns, (const uint8_t *)text, strlen(text), NULL);
	if (d->lit_role != LIT_NONE) {
		d->lit_gap = true;
		d->lit_got += swallowed;
		if (cur_lines(st, dir)->raw_left == 0)
			finish_literal(s, st, dir, false);
	}
	if (swallowed < len) {
		/* the gap reaches past any literal: we no longer know where a
		 * command or response stands; resynchronise at the next line */
		if (dir == DIR_C2S && st->asm_active)
			asm_reset(st);
		d->cont = false;
	}
}

static void imap_fin(struct mt_session *s, int dir, const struct mt_seg_info *info)
{
	struct imap_state *st = s->dissector_state;
	if (!st)
		return;
	if (st->d[dir].raw == RM_LINES || st->d[dir].z)
		mt_lines_flush(cur_lines(st, dir), dir, info, on_line, s);
}

static void imap_close(struct mt_session *s)
{
	struct imap_state *st = s->dissector_state;
	if (!st)
		return;
	struct mt_seg_info info = { .frame = s->last_frame, .ts_ns = s->end_ns, .offset = 0, .nsegs = 0 };
	for (int dir = 0; dir < 2; dir++) {
		if (st->d[dir].raw == RM_LINES || st->d[dir].z)
			mt_lines_flush(cur_lines(st, dir), dir, &info, on_line, s);
		/* a literal longer than the stream just ends here */
		if (st->d[dir].lit_role != LIT_NONE)
			finish_literal(s, st, dir, false);
	}
	if (st->asm_active && st->asm_len) {
		/* a command cut by the end of the stream: parse what arrived */
		struct mt_line_meta m = { 0 };
		m.first_frame = m.frame = info.frame;
		m.ts_ns = m.first_ts_ns = info.ts_ns;
		process_command(s, st, (const uint8_t *)"", 0, &m);
	}
	for (int dir = 0; dir < 2; dir++) {
		struct dir_state *d = &st->d[dir];
		mt_lines_free(&d->lines);
		if (d->z)
			mt_lines_free(&d->zlines);
		if (d->zs_init)
			inflateEnd(&d->zs);
		if (d->msg)
			sess_msg_end(s, d->msg, false);
		free(d->show);
		free(d->dline);
	}
	mt_tls_sniff_free(&st->tls);
	free(st->asmb);
	free(st->tags);
	free(st);
	s->dissector_state = NULL;
}

const struct mt_dissector mt_dissector_imap = {
	.name = "imap",
	.proto = PROTO_IMAP,
	.open = imap_open,
	.data = imap_data,
	.gap = imap_gap,
	.fin = imap_fin,
	.close = imap_close,
};
