/* view_sessions.c - one row per TCP session: endpoints, protocol (and
 * nDPI's name), TLS state, user, login outcome, credentials (exposed ones
 * highlighted), messages, bytes, warnings. Sortable (< > I); rows read the
 * live session objects at draw time, so they update in place. */
#include "tui_view.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../dissect/sanitize.h"

enum { C_ID, C_CLIENT, C_SERVER, C_PROTO, C_TLS, C_USER, C_LOGIN, C_CREDS, C_MSGS, C_BYTES, C_WARN, C__N };

/* column -> sort key */
static const enum tui_sort col_sort[C__N] = {
	SORT_ID, SORT_CLIENT, SORT_SERVER, SORT_PROTO, SORT_TLS, SORT_USER, SORT_LOGIN,
	SORT_CREDS, SORT_MSGS, SORT_BYTES, SORT_WARN,
};

static struct tui *sort_tui;   /* qsort has no context argument */

static int row_cmp(const void *a, const void *b)
{
	const struct mt_session *x = sort_tui->m->sessions[*(const uint32_t *)a];
	const struct mt_session *y = sort_tui->m->sessions[*(const uint32_t *)b];
	return tui_session_cmp(x, y, sort_tui->sort, sort_tui->sort_desc);
}

static void refresh_rows(struct tui *t)
{
	const struct mt_model *m = t->m;
	uint32_t keep = 0;
	if (t->se.cur < t->se_n && t->se_rows[t->se.cur] < m->nsessions && m->sessions[t->se_rows[t->se.cur]])
		keep = m->sessions[t->se_rows[t->se.cur]]->id;
	t->se_rows = mt_xrealloc(t->se_rows, (m->nsessions + 1) * sizeof(*t->se_rows));
	t->se_n = 0;
	for (size_t i = 0; i < m->nsessions; i++) {
		const struct mt_session *s = m->sessions[i];
		if (s && tui_session_visible(t, s))
			t->se_rows[t->se_n++] = (uint32_t)i;
	}
	if (t->sort != SORT_ID || t->sort_desc) {
		sort_tui = t;
		qsort(t->se_rows, t->se_n, sizeof(*t->se_rows), row_cmp);
	}
	/* the selection follows its session through re-sorting */
	if (keep && !t->se.follow) {
		for (size_t r = 0; r < t->se_n; r++) {
			if (m->sessions[t->se_rows[r]]->id == keep) {
				t->se.cur = r;
				break;
			}
		}
	}
}

static void proto_text(struct mt_sbuf *b, const struct mt_session *s)
{
	mt_sbuf_adds(b, mt_proto_name(s->proto));
	if (s->ndpi[0] && strcasecmp(s->ndpi, mt_proto_name(s->proto))) {
		mt_sbuf_addc(b, '/');
		mt_sanitize_term(b, s->ndpi, strnlen(s->ndpi, sizeof(s->ndpi)));
		if (s->ndpi_guessed)
			mt_sbuf_addc(b, '?');
	}
}

static void draw(struct tui *t, int y0, int h)
{
	int rows = h - 1;
	tui_list_clamp(&t->se, t->se_n, rows);
	static const char *const titles[C__N] = {
		"ID", "Client", "Server", "Proto", "TLS", "User", "Login", "Creds", "Msgs", "Bytes", "Warnings",
	};
	char tbuf[C__N][24];
	for (int i = 0; i < C__N; i++) {
		bool sorted = col_sort[i] == t->sort;
		snprintf(tbuf[i], sizeof(tbuf[i]), "%s%s", titles[i],
		         !sorted ? "" : t->ascii ? (t->sort_desc ? "-" : "+")
		                      : (t->sort_desc ? "\xe2\x96\xbc" : "\xe2\x96\xb2"));
	}
	int ep = 15;
	for (int r = 0; r < rows && t->se.top + (size_t)r < t->se_n; r++) {
		const struct mt_session *s = t->m->sessions[t->se_rows[t->se.top + (size_t)r]];
		ep = tui_endpoint_width(s->client, tui_endpoint_width(s->server, ep));
	}
	struct tui_col c[C__N] = {
		[C_ID] = { tbuf[C_ID], 4, 3, 1, true, 0, 0 },
		[C_CLIENT] = { tbuf[C_CLIENT], ep, ep, 1, false, 0, 0 },
		[C_SERVER] = { tbuf[C_SERVER], ep, ep, 1, false, 0, 0 },
		[C_PROTO] = { tbuf[C_PROTO], 9, 4, 3, false, 0, 0 },
		[C_TLS] = { tbuf[C_TLS], 15, 8, 4, false, 0, 0 },
		[C_USER] = { tbuf[C_USER], 12, 8, 2, false, 0, 0 },
		[C_LOGIN] = { tbuf[C_LOGIN], 6, 6, 3, false, 0, 0 },
		[C_CREDS] = { tbuf[C_CREDS], 8, 7, 1, false, 0, 0 },
		[C_MSGS] = { tbuf[C_MSGS], 5, 4, 6, true, 0, 0 },
		[C_BYTES] = { tbuf[C_BYTES], 8, 7, 5, true, 0, 0 },
		[C_WARN] = { tbuf[C_WARN], 40, 14, 3, false, 0, 0 },
	};
	tui_layout(c, C__N, COLS);
	tui_col_header(t, y0, c, C__N);
	if (!t->se_n) {
		tui_put(t, y0 + 1, 1, COLS - 1, t->attr[TA_DIM],
		        t->m->nsessions ? "No session matches the display filter" : "No TCP sessions yet", 0, false);
		return;
	}
	struct mt_sbuf b;
	mt_sbuf_init(&b);
	for (int r = 0; r < rows; r++) {
		size_t row = t->se.top + (size_t)r;
		if (row >= t->se_n)
			break;
		const struct mt_session *s = t->m->sessions[t->se_rows[row]];
		int y = y0 + 1 + r;
		bool sel = row == t->se.cur, exposed = tui_session_exposed(s);
		attr_t base = exposed ? t->attr[TA_EXPOSED] : t->attr[TA_NORMAL];
		if (sel)
			base |= t->attr[TA_SELECTED];
		tui_put(t, y, 0, COLS, base, "", 0, true);   /* the whole bar */

		mt_sbuf_reset(&b);
		mt_sbuf_printf(&b, "%u", s->id);
		tui_cell(t, y, &c[C_ID], base, b.s);
		mt_sbuf_reset(&b);
		mt_sanitize_term(&b, s->client, strnlen(s->client, sizeof(s->client)));
		tui_cell(t, y, &c[C_CLIENT], base, b.s);
		mt_sbuf_reset(&b);
		mt_sanitize_term(&b, s->server, strnlen(s->server, sizeof(s->server)));
		tui_cell(t, y, &c[C_SERVER], base, b.s);
		mt_sbuf_reset(&b);
		proto_text(&b, s);
		tui_cell(t, y, &c[C_PROTO], base, b.s);
		tui_cell(t, y, &c[C_TLS], base, tui_tls_state(s));
		mt_sbuf_reset(&b);
		if (s->user)
			mt_sanitize_term(&b, s->user, strlen(s->user));
		else if (s->ncreds && s->creds[s->ncreds - 1]->username.len)
			mt_sanitize_term(&b, s->creds[s->ncreds - 1]->username.data, s->creds[s->ncreds - 1]->username.len);
		tui_cell(t, y, &c[C_USER], base, b.s);
		tui_cell(t, y, &c[C_LOGIN], base, tui_login_label(s));
		mt_sbuf_reset(&b);
		if (s->ncreds)
			mt_sbuf_printf(&b, "%zu%s", s->ncreds, exposed ? " CLEAR" : "");
		tui_cell(t, y, &c[C_CREDS], base, b.s);
		mt_sbuf_reset(&b);
		if (s->nmsgs)
			mt_sbuf_printf(&b, "%zu", s->nmsgs);
		tui_cell(t, y, &c[C_MSGS], base, b.s);
		mt_sbuf_reset(&b);
		tui_bytes_text(&b, s->bytes_c2s + s->bytes_s2c);
		tui_cell(t, y, &c[C_BYTES], base, b.s);
		mt_sbuf_reset(&b);
		tui_warnings_text(&b, s->warnings);
		tui_cell(t, y, &c[C_WARN], base | (s->warnings && !exposed ? A_BOLD : 0), b.s);
	}
	mt_sbuf_free(&b);
}

static const struct mt_session *selected(struct tui *t)
{
	if (t->se.cur >= t->se_n)
		return NULL;
	return t->m->sessions[t->se_rows[t->se.cur]];
}

static bool action(struct tui *t, enum tui_action a)
{
	const struct mt_session *s;
	switch (a) {
	case ACT_OPEN:
		s = selected(t);
		if (s)
			tui_open_transcript(t, s->id, 0);
		return true;
	case ACT_SAVE:
		tui_save(t, selected(t));
		return true;
	case ACT_SORT_NEXT:
		t->sort = (enum tui_sort)((t->sort + 1) % SORT__COUNT);
		tui_message(t, false, "Sorted by %s", tui_sort_name(t->sort));
		return true;
	case ACT_SORT_PREV:
		t->sort = (enum tui_sort)((t->sort + SORT__COUNT - 1) % SORT__COUNT);
		tui_message(t, false, "Sorted by %s", tui_sort_name(t->sort));
		return true;
	case ACT_SORT_INVERT:
		t->sort_desc = !t->sort_desc;
		return true;
	default:
		return false;
	}
}

static struct tui_list *list(struct tui *t)
{
	return &t->se;
}

static size_t nrows(struct tui *t)
{
	return t->se_n;
}

const struct tui_view_ops tui_view_sessions = {
	.id = TV_SESSIONS, .sync = refresh_rows, .draw = draw, .action = action, .list = list, .nrows = nrows,
};
