/* tui_format.c - cell text for the ncurses views (see tui_format.h). */
/* wcwidth(): X/Open (the Makefile gets it from pkg-config's flags) */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE 1
#endif
#include "tui_format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <wchar.h>

#include "../dissect/sanitize.h"
#include "filter.h"

void tui_tcp_flags(struct mt_sbuf *out, uint8_t flags)
{
	static const struct { uint8_t bit; const char *name; } names[] = {
		{ TF_FIN, "FIN" }, { TF_SYN, "SYN" }, { TF_RST, "RST" }, { TF_PSH, "PSH" },
		{ TF_ACK, "ACK" }, { TF_URG, "URG" }, { TF_ECE, "ECE" }, { TF_CWR, "CWR" },
	};
	bool first = true;
	mt_sbuf_addc(out, '[');
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(flags & names[i].bit))
			continue;
		mt_sbuf_printf(out, "%s%s", first ? "" : ", ", names[i].name);
		first = false;
	}
	if (first)
		mt_sbuf_adds(out, "<None>");
	mt_sbuf_addc(out, ']');
}

/* ---- frame -> line index ---- */

void tui_lindex_free(struct tui_lindex *ix)
{
	free(ix->order);
	memset(ix, 0, sizeof(*ix));
}

static const struct mt_session *sort_sess; /* qsort has no context argument */

static int order_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	uint64_t fx = sort_sess->lines[x].frame, fy = sort_sess->lines[y].frame;
	if (fx != fy)
		return fx < fy ? -1 : 1;
	return x < y ? -1 : x > y;
}

static void lindex_update(struct tui_lindex *ix, const struct mt_session *s)
{
	if (ix->n > s->nlines)    /* cannot happen with a live model; be safe */
		ix->n = 0;
	if (ix->n == s->nlines)
		return;
	if (s->nlines > ix->cap) {
		ix->cap = s->nlines * 2;
		ix->order = mt_xrealloc(ix->order, ix->cap * sizeof(*ix->order));
	}
	bool sorted = true;
	uint64_t last = ix->n ? s->lines[ix->order[ix->n - 1]].frame : 0;
	for (size_t i = ix->n; i < s->nlines; i++) {
		if (s->lines[i].frame < last)
			sorted = false;
		last = s->lines[i].frame;
		ix->order[i] = (uint32_t)i;
	}
	ix->n = s->nlines;
	if (!sorted) {
		sort_sess = s;
		qsort(ix->order, ix->n, sizeof(*ix->order), order_cmp);
	}
}

/* First position in order[] whose line frame >= frame. */
static size_t lower_bound(const struct tui_lindex *ix, const struct mt_session *s, uint64_t frame)
{
	size_t lo = 0, hi = ix->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->lines[ix->order[mid]].frame < frame)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

long tui_lindex_find(struct tui_lindex *ix, const struct mt_session *s, uint64_t frame, size_t *count)
{
	*count = 0;
	if (!s || !s->nlines)
		return -1;
	lindex_update(ix, s);
	size_t i = lower_bound(ix, s, frame);
	if (i >= ix->n || s->lines[ix->order[i]].frame != frame)
		return -1;
	size_t j = i;
	while (j < ix->n && s->lines[ix->order[j]].frame == frame)
		j++;
	*count = j - i;
	return ix->order[i];
}

size_t tui_lindex_at_or_after(struct tui_lindex *ix, const struct mt_session *s, uint64_t frame)
{
	if (!s || !s->nlines)
		return 0;
	lindex_update(ix, s);
	size_t i = lower_bound(ix, s, frame);
	return i < ix->n ? ix->order[i] : s->nlines;
}

/* ---- columns ---- */

static bool frame_in_tls(const struct mt_session *s, uint64_t frame)
{
	if (s->proto == PROTO_TLS || s->tls == TLS_IMPLICIT)
		return true;
	if (s->starttls.accepted == TRI_TRUE && s->starttls.reply_frame && frame > s->starttls.reply_frame)
		return true;
	return false;
}

const char *tui_proto_label(const struct mt_session *s, uint64_t frame, uint8_t tcp_flags)
{
	if (!s)
		return tcp_flags ? "TCP" : "IP";
	if (frame == TUI_FRAME_EMPTY)
		return "TCP";
	if (frame && frame_in_tls(s, frame))
		return "TLS";
	switch (s->proto) {
	case PROTO_SMTP: return "SMTP";
	case PROTO_POP3: return "POP";
	case PROTO_IMAP: return "IMAP";
	case PROTO_TELNET: return "TELNET";
	case PROTO_TLS: return "TLS";
	default: return "TCP";
	}
}

void tui_line_text(struct mt_sbuf *out, const struct mt_line *l, bool reveal)
{
	const char *t = l->text.data ? l->text.data : "";
	size_t n = l->text.len;
	if (!l->secret || reveal || l->secret_len == 0) {
		mt_sanitize_term(out, t, n);
		return;
	}
	size_t off = l->secret_off <= n ? l->secret_off : n;
	size_t len = l->secret_len <= n - off ? l->secret_len : n - off;
	mt_sanitize_term(out, t, off);
	mt_sbuf_adds(out, TUI_MASK);
	mt_sanitize_term(out, t + off + len, n - off - len);
}

const char *tui_line_decoded(const struct mt_line *l, bool reveal)
{
	if (!l->decoded)
		return NULL;
	if (l->secret && !reveal)
		return l->decoded_masked ? l->decoded_masked : NULL;
	return l->decoded;
}

/* A symbol, or its ASCII stand-in on a terminal that is not UTF-8. */
static const char *glyph(const char *utf8, const char *ascii)
{
	return tui_ascii_only ? ascii : utf8;
}

void tui_keys_text(struct mt_sbuf *out, const struct mt_line *l, bool reveal)
{
	if (!l->nkeys || !l->keys)
		return;
	if (l->secret && !reveal) {
		mt_sbuf_printf(out, "%u keys over %u ms (masked: r reveals)", l->nkeys,
		               l->keys[l->nkeys - 1].ms);
		return;
	}
	for (uint32_t i = 0; i < l->nkeys; i++) {
		uint8_t b = l->keys[i].byte;
		if (i)
			mt_sbuf_addc(out, ' ');
		if (b == 0x08 || b == 0x7f)
			mt_sbuf_adds(out, glyph("\xe2\x8c\xab", "<BS>"));          /* ⌫ */
		else if (b == '\r')
			mt_sbuf_adds(out, glyph("\xe2\x8f\x8e", "<CR>"));          /* ⏎ */
		else if (b == '\n')
			mt_sbuf_adds(out, "\\n");
		else if (b == ' ')
			mt_sbuf_adds(out, glyph("\xe2\x90\xa3", "<SP>"));          /* ␣ */
		else
			mt_sanitize_term(out, &b, 1);
		mt_sbuf_printf(out, "+%u", l->keys[i].ms);
	}
	mt_sbuf_adds(out, " (ms)");
}

static void ports_arrow(struct mt_sbuf *out, const struct mt_packet *p)
{
	char a[64];
	int sp, dp;
	mt_endpoint_split(p->src, a, sizeof(a), &sp);
	mt_endpoint_split(p->dst, a, sizeof(a), &dp);
	if (sp >= 0 && dp >= 0)
		mt_sbuf_printf(out, "%d %s %d ", sp, glyph("\xe2\x86\x92", "->"), dp);   /* → */
}

/* The line of direction dir that frame belongs to (first_frame <= frame <=
 * line frame), looking a few lines ahead; NULL if none is known yet. */
static const struct mt_line *line_spanning(struct tui_lindex *ix, const struct mt_session *s,
                                           uint64_t frame, int dir)
{
	size_t i = 0, k;
	if (!s->nlines)
		return NULL;
	lindex_update(ix, s);
	i = lower_bound(ix, s, frame);
	for (k = 0; i + k < ix->n && k < 16; k++) {
		const struct mt_line *l = &s->lines[ix->order[i + k]];
		if (l->dir == dir)
			return l->first_frame <= frame ? l : NULL;
	}
	return NULL;
}

void tui_packet_info(struct mt_sbuf *out, const struct mt_packet *p, const struct mt_session *s,
                     struct tui_lindex *ix, bool reveal)
{
	const char *side = p->dir == DIR_S2C ? "S: " : "C: ";
	if (s && ix) {
		size_t count = 0;
		long li = tui_lindex_find(ix, s, p->frame, &count);
		if (li >= 0) {
			const struct mt_line *l = &s->lines[li];
			switch (l->kind) {
			case LINE_TLS: mt_sbuf_adds(out, "TLS: "); break;
			case LINE_GAP: break;
			case LINE_NOTE: mt_sbuf_adds(out, "Note: "); break;
			default: mt_sbuf_adds(out, l->dir == DIR_S2C ? "S: " : "C: "); break;
			}
			tui_line_text(out, l, reveal);
			if (l->nkeys)
				mt_sbuf_adds(out, "  (typed)");
			if (count > 1)
				mt_sbuf_printf(out, "  (+%zu)", count - 1);
			return;
		}
	}
	if (s && p->payload_len && s->proto != PROTO_OTHER) {
		mt_sbuf_adds(out, side);
		if (frame_in_tls(s, p->frame)) {
			mt_sbuf_printf(out, "[TLS] %u bytes", p->payload_len);
			return;
		}
		const struct mt_line *l = ix ? line_spanning(ix, s, p->frame, p->dir) : NULL;
		if (l && l->secret && !reveal) {
			/* a piece of a secret typed or sent in parts */
			for (unsigned i = 0; i < p->payload_len && i < 8; i++)
				mt_sbuf_addc(out, '*');
			return;
		}
		if (p->payload_len == 1 && p->preview_len == 1 && p->preview[0] == ' ') {
			mt_sbuf_adds(out, glyph("\xe2\x90\xa3", "<SP>"));   /* a typed space: ␣ */
			return;
		}
		mt_sanitize_term(out, p->preview, p->preview_len < sizeof(p->preview) ? p->preview_len : sizeof(p->preview));
		if (p->payload_len > p->preview_len)
			mt_sbuf_printf(out, "%s (%u bytes)", glyph("\xe2\x80\xa6", "..."), p->payload_len);   /* … */
		return;
	}
	ports_arrow(out, p);
	tui_tcp_flags(out, p->tcp_flags);
	if (p->payload_len)
		mt_sbuf_printf(out, " Len=%u", p->payload_len);
}

void tui_rel_time(struct mt_sbuf *out, uint64_t ts_ns, uint64_t first_ns)
{
	uint64_t d = ts_ns >= first_ns ? ts_ns - first_ns : 0;
	mt_sbuf_printf(out, "%llu.%06llu", (unsigned long long)(d / 1000000000ull),
	               (unsigned long long)(d % 1000000000ull / 1000));
}

void tui_abs_time(struct mt_sbuf *out, uint64_t ts_ns)
{
	time_t t = (time_t)(ts_ns / 1000000000ull);
	struct tm tm;
	char buf[32];
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
	mt_sbuf_printf(out, "%s.%03llu", buf, (unsigned long long)(ts_ns % 1000000000ull / 1000000));
}

const char *tui_tls_state(const struct mt_session *s)
{
	if (s->tls == TLS_IMPLICIT)
		return "implicit TLS";
	if (s->proto == PROTO_TLS)
		return "TLS";
	if (s->starttls.requested == TRI_TRUE) {
		if (s->starttls.accepted == TRI_FALSE)
			return "STARTTLS refused";
		if (s->starttls.accepted == TRI_TRUE)
			return s->starttls.tls_seen ? glyph("STARTTLS\xe2\x86\x92TLS", "STARTTLS->TLS") : "STARTTLS, no TLS";
		return "STARTTLS asked";
	}
	if (s->starttls.offered == TRI_TRUE)
		return "plain (offered)";
	return "plain";
}

const char *tui_login_label(const struct mt_session *s)
{
	if (!s->ncreds)
		return "";
	switch (s->login) {
	case OUTCOME_SUCCESS: return "ok";
	case OUTCOME_FAILURE: return "FAILED";
	default: return "?";
	}
}

bool tui_cred_exposed(const struct mt_credential *c)
{
	return c->tls == TLS_NONE && (c->password.len > 0 || c->response.len > 0);
}

bool tui_session_exposed(const struct mt_session *s)
{
	if (sess_has_warning(s, W_CLEARTEXT_CREDENTIALS))
		return true;
	for (size_t i = 0; i < s->ncreds; i++)
		if (tui_cred_exposed(s->creds[i]))
			return true;
	return false;
}

void tui_warnings_text(struct mt_sbuf *out, uint32_t warnings)
{
	bool first = true;
	for (int w = 0; w < W__COUNT; w++) {
		if (!((warnings >> w) & 1u))
			continue;
		mt_sbuf_printf(out, "%s%s", first ? "" : ",", mt_warning_name((enum mt_warning)w));
		first = false;
	}
}

void tui_bytes_text(struct mt_sbuf *out, uint64_t n)
{
	if (n < 1000)
		mt_sbuf_printf(out, "%llu B", (unsigned long long)n);
	else if (n < 1000000)
		mt_sbuf_printf(out, "%.1f kB", n / 1e3);
	else if (n < 1000000000ull)
		mt_sbuf_printf(out, "%.1f MB", n / 1e6);
	else
		mt_sbuf_printf(out, "%.1f GB", n / 1e9);
}

void tui_cred_secret(struct mt_sbuf *out, const struct mt_credential *c, bool reveal)
{
	if (c->password.len) {
		if (reveal)
			mt_sanitize_term(out, c->password.data, c->password.len);
		else
			mt_sbuf_adds(out, TUI_MASK);
		if (c->password.truncated)
			mt_sbuf_adds(out, " [cut]");
		return;
	}
	if (c->response.len) {
		/* a digest is not the password, but it is crackable offline */
		mt_sbuf_adds(out, "resp ");
		if (reveal)
			mt_sanitize_term(out, c->response.data, c->response.len);
		else
			mt_sbuf_adds(out, TUI_MASK);
	}
}

/* ---- sort ---- */

static const char *const sort_names[SORT__COUNT] = {
	[SORT_ID] = "id", [SORT_CLIENT] = "client", [SORT_SERVER] = "server", [SORT_PROTO] = "proto",
	[SORT_TLS] = "tls", [SORT_USER] = "user", [SORT_LOGIN] = "login", [SORT_CREDS] = "creds",
	[SORT_MSGS] = "msgs", [SORT_BYTES] = "bytes", [SORT_WARN] = "warnings",
};

const char *tui_sort_name(enum tui_sort k)
{
	return (unsigned)k < SORT__COUNT ? sort_names[k] : "?";
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* Endpoints compare as (address, port numerically), so 10.0.0.5:9 < :10. */
static int cmp_ep(const char *a, const char *b)
{
	char aa[64], ab[64];
	int pa, pb;
	mt_endpoint_split(a, aa, sizeof(aa), &pa);
	mt_endpoint_split(b, ab, sizeof(ab), &pb);
	int c = strcmp(aa, ab);
	return c ? c : (pa > pb) - (pa < pb);
}

static int popcount32(uint32_t v)
{
	return __builtin_popcount(v);
}

int tui_session_cmp(const struct mt_session *a, const struct mt_session *b, enum tui_sort key, bool desc)
{
	int c = 0;
	switch (key) {
	case SORT_CLIENT: c = cmp_ep(a->client, b->client); break;
	case SORT_SERVER: c = cmp_ep(a->server, b->server); break;
	case SORT_PROTO: c = strcmp(tui_proto_label(a, 0, 0), tui_proto_label(b, 0, 0)); break;
	case SORT_TLS: c = strcmp(tui_tls_state(a), tui_tls_state(b)); break;
	case SORT_USER: c = strcmp(a->user ? a->user : "", b->user ? b->user : ""); break;
	case SORT_LOGIN: c = (int)a->login - (int)b->login; break;
	case SORT_CREDS:
		c = (int)tui_session_exposed(a) - (int)tui_session_exposed(b);
		if (!c)
			c = cmp_u64(a->ncreds, b->ncreds);
		break;
	case SORT_MSGS: c = cmp_u64(a->nmsgs, b->nmsgs); break;
	case SORT_BYTES: c = cmp_u64(a->bytes_c2s + a->bytes_s2c, b->bytes_c2s + b->bytes_s2c); break;
	case SORT_WARN: c = popcount32(a->warnings) - popcount32(b->warnings); break;
	default: break;
	}
	if (!c)
		c = cmp_u64(a->id, b->id);
	return desc ? -c : c;
}

/* ---- width ---- */

static uint32_t utf8_cp(const char *s, size_t *len)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t l = mt_utf8_seq_len(p, strnlen(s, 4));
	if (!l) {
		*len = 1;
		return 0xfffd;
	}
	*len = l;
	if (l == 1)
		return p[0];
	uint32_t cp = p[0] & (l == 2 ? 0x1f : l == 3 ? 0x0f : 0x07);
	for (size_t i = 1; i < l; i++)
		cp = (cp << 6) | (p[i] & 0x3f);
	return cp;
}

bool tui_ascii_only;

static int cp_width(uint32_t cp)
{
	if (cp < 0x80 || tui_ascii_only)
		return 1;
	int w = wcwidth((wchar_t)cp);
	return w < 0 ? 1 : w;
}

int tui_text_width(const char *s)
{
	int w = 0;
	size_t l;
	while (*s) {
		w += cp_width(utf8_cp(s, &l));
		s += l;
	}
	return w;
}

int tui_fit(struct mt_sbuf *out, const char *s, int skip, int width, bool pad)
{
	int col = 0, w = 0;
	size_t l;
	if (width <= 0)
		return 0;
	while (*s) {
		uint32_t cp = utf8_cp(s, &l);
		int cw = cp_width(cp);
		if (col < skip) {
			col += cw;
			s += l;
			if (col > skip) {   /* a wide character cut by the left edge */
				int n = col - skip;
				while (n-- > 0 && w < width) {
					mt_sbuf_addc(out, ' ');
					w++;
				}
			}
			continue;
		}
		if (w + cw > width)
			break;
		if ((cp >= 0x80 && tui_ascii_only) || cp < 0x20 || cp == 0x7f)
			mt_sbuf_addc(out, '?');   /* last line of defence: never a control byte */
		else if (cp == 0xfffd && (uint8_t)*s >= 0x80)
			mt_sbuf_addc(out, '?');   /* invalid UTF-8: never expected here */
		else
			mt_sbuf_add(out, s, l);
		w += cw;
		col += cw;
		s += l;
	}
	while (pad && w < width) {
		mt_sbuf_addc(out, ' ');
		w++;
	}
	return w;
}

void tui_safe_name(char *out, size_t outsz, const char *in)
{
	size_t n = 0;
	if (!outsz)
		return;
	for (; in && *in && n + 1 < outsz; in++) {
		char c = *in;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		          c == '.' || c == '_' || c == '-';
		if (n == 0 && c == '.')
			ok = false;       /* no hidden files, no "..": never a path */
		out[n++] = ok ? c : '_';
	}
	if (n == 0 && outsz > 1)
		out[n++] = '_';
	out[n] = 0;
}

/* ---- layout ---- */

int tui_endpoint_width(const char *a, int cur)
{
	int w = (int)strlen(a);
	if (w > 47)
		w = 47;
	return w > cur ? w : cur;
}

static int layout_total(const struct tui_col *c, int n)
{
	int t = 0, vis = 0;
	for (int i = 0; i < n; i++) {
		if (!c[i].w)
			continue;
		t += c[i].w;
		vis++;
	}
	return t + (vis > 1 ? vis - 1 : 0);
}

void tui_layout(struct tui_col *c, int n, int width)
{
	for (int i = 0; i < n; i++)
		c[i].w = c[i].pref > 0 ? c[i].pref : 1;
	while (layout_total(c, n) > width) {
		/* shrink the least important column first (one column at a
		 * time, so columns of equal importance shrink evenly) */
		int best = -1;
		for (int i = 0; i < n; i++) {
			int min = c[i].min > 0 ? c[i].min : 1;
			if (!c[i].w || c[i].w <= min)
				continue;
			if (best < 0 || c[i].prio > c[best].prio ||
			    (c[i].prio == c[best].prio && c[i].w - min > c[best].w - (c[best].min > 0 ? c[best].min : 1)))
				best = i;
		}
		if (best >= 0) {
			c[best].w--;
			continue;
		}
		/* nothing left to shrink: hide the least important column */
		int drop = -1, vis = 0;
		for (int i = 0; i < n; i++) {
			if (!c[i].w)
				continue;
			vis++;
			if (drop < 0 || c[i].prio >= c[drop].prio)
				drop = i;
		}
		if (vis <= 1) {
			/* one column left: cut it to the screen */
			for (int i = 0; i < n; i++)
				if (c[i].w)
					c[i].w = width > 0 ? width : 0;
			break;
		}
		c[drop].w = 0;
	}
	int last = -1;
	for (int i = 0; i < n; i++)
		if (c[i].w)
			last = i;
	int spare = width - layout_total(c, n);
	if (last >= 0 && spare > 0)
		c[last].w += spare;
	int x = 0;
	for (int i = 0; i < n; i++) {
		c[i].x = x;
		if (c[i].w)
			x += c[i].w + 1;
	}
}
