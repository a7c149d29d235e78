/* view_creds.c - every credential of the capture: protocol, client, server,
 * mechanism, user, secret (masked until r), outcome, typed, TLS state,
 * frame. Rows whose secret crossed the wire in clear are red. */
#include "tui_view.h"

#include <string.h>

#include "../dissect/sanitize.h"

enum { C_PROTO, C_CLIENT, C_SERVER, C_MECH, C_USER, C_SECRET, C_OUTCOME, C_TYPED, C_TLS, C_FRAME, C__N };

static void refresh_rows(struct tui *t)
{
	const struct mt_model *m = t->m;
	t->cr_n = 0;
	for (size_t i = 0; i < m->nsessions; i++) {
		const struct mt_session *s = m->sessions[i];
		if (!s || !s->ncreds || !tui_session_visible(t, s))
			continue;
		for (size_t k = 0; k < s->ncreds; k++) {
			if (t->cr_n == t->cr_cap) {
				t->cr_cap = t->cr_cap ? t->cr_cap * 2 : 64;
				t->cr_rows = mt_xrealloc(t->cr_rows, t->cr_cap * sizeof(*t->cr_rows));
			}
			t->cr_rows[t->cr_n].sess = (uint32_t)i;
			t->cr_rows[t->cr_n].cred = (uint32_t)k;
			t->cr_n++;
		}
	}
}

static const char *tls_label(enum mt_tls tls)
{
	return tls == TLS_IMPLICIT ? "implicit" : tls == TLS_STARTTLS ? "STARTTLS" : "none";
}

static void draw(struct tui *t, int y0, int h)
{
	int rows = h - 1;
	tui_list_clamp(&t->cr, t->cr_n, rows);
	int ep = 15;
	for (int r = 0; r < rows && t->cr.top + (size_t)r < t->cr_n; r++) {
		const struct mt_session *s = t->m->sessions[t->cr_rows[t->cr.top + (size_t)r].sess];
		ep = tui_endpoint_width(s->client, tui_endpoint_width(s->server, ep));
	}
	struct tui_col c[C__N] = {
		[C_PROTO] = { "Proto", 6, 4, 2, false, 0, 0 },
		[C_CLIENT] = { "Client", ep, ep, 2, false, 0, 0 },
		[C_SERVER] = { "Server", ep, ep, 2, false, 0, 0 },
		[C_MECH] = { "Mechanism", 14, 9, 1, false, 0, 0 },
		[C_USER] = { "User", 16, 7, 1, false, 0, 0 },
		[C_SECRET] = { "Secret", 16, 8, 1, false, 0, 0 },
		[C_OUTCOME] = { "Outcome", 7, 7, 1, false, 0, 0 },
		[C_TYPED] = { "Typed", 5, 5, 4, false, 0, 0 },
		[C_TLS] = { "TLS", 8, 4, 3, false, 0, 0 },
		[C_FRAME] = { "Frame", 6, 5, 2, true, 0, 0 },
	};
	tui_layout(c, C__N, COLS);
	tui_col_header(t, y0, c, C__N);
	if (!t->cr_n) {
		tui_put(t, y0 + 1, 1, COLS - 1, t->attr[TA_DIM],
		        t->filter ? "No credential in the sessions the filter shows" : "No credentials seen (yet)",
		        0, false);
		return;
	}
	struct mt_sbuf b;
	mt_sbuf_init(&b);
	for (int r = 0; r < rows; r++) {
		size_t row = t->cr.top + (size_t)r;
		if (row >= t->cr_n)
			break;
		const struct mt_session *s = t->m->sessions[t->cr_rows[row].sess];
		const struct mt_credential *cr = s->creds[t->cr_rows[row].cred];
		int y = y0 + 1 + r;
		bool sel = row == t->cr.cur, exposed = tui_cred_exposed(cr);
		attr_t base = exposed ? t->attr[TA_EXPOSED] : t->attr[TA_NORMAL];
		if (sel)
			base |= t->attr[TA_SELECTED];
		tui_put(t, y, 0, COLS, base, "", 0, true);

		tui_cell(t, y, &c[C_PROTO], base, tui_proto_label(s, 0, 0));
		mt_sbuf_reset(&b);
		mt_sanitize_term(&b, s->client, strnlen(s->client, sizeof(s->client)));
		tui_cell(t, y, &c[C_CLIENT], base, b.s);
		mt_sbuf_reset(&b);
		mt_sanitize_term(&b, s->server, strnlen(s->server, sizeof(s->server)));
		tui_cell(t, y, &c[C_SERVER], base, b.s);
		mt_sbuf_reset(&b);
		mt_sanitize_term(&b, cr->mechanism, strnlen(cr->mechanism, sizeof(cr->mechanism)));
		tui_cell(t, y, &c[C_MECH], base, b.s);
		mt_sbuf_reset(&b);
		mt_sanitize_term(&b, cr->username.data ? cr->username.data : "", cr->username.len);
		tui_cell(t, y, &c[C_USER], base, b.s);
		mt_sbuf_reset(&b);
		tui_cred_secret(&b, cr, t->reveal);
		tui_cell(t, y, &c[C_SECRET], base | (t->reveal && !sel ? A_BOLD : 0), b.s);
		const char *oc = cr->cancelled ? "cancel" : mt_outcome_name(cr->outcome);
		tui_cell(t, y, &c[C_OUTCOME], base | (cr->outcome == OUTCOME_FAILURE ? A_BOLD : 0), oc);
		tui_cell(t, y, &c[C_TYPED], base, cr->typed ? "typed" : "");
		tui_cell(t, y, &c[C_TLS], base, tls_label(cr->tls));
		mt_sbuf_reset(&b);
		mt_sbuf_printf(&b, "%llu", (unsigned long long)cr->frame);
		tui_cell(t, y, &c[C_FRAME], base, b.s);
	}
	mt_sbuf_free(&b);
}

static bool action(struct tui *t, enum tui_action a)
{
	if (t->cr.cur >= t->cr_n)
		return a == ACT_OPEN || a == ACT_SAVE;
	struct mt_session *s = t->m->sessions[t->cr_rows[t->cr.cur].sess];
	const struct mt_credential *cr = s->creds[t->cr_rows[t->cr.cur].cred];
	if (a == ACT_OPEN) {
		/* the transcript at the line that carried the credential */
		tui_open_transcript(t, s->id, tui_lindex_at_or_after(tui_lindex(t, s->id), s, cr->frame));
		return true;
	}
	if (a == ACT_SAVE) {
		tui_save(t, s);
		return true;
	}
	return false;
}

static struct tui_list *list(struct tui *t)
{
	return &t->cr;
}

static size_t nrows(struct tui *t)
{
	return t->cr_n;
}

const struct tui_view_ops tui_view_creds = {
	.id = TV_CREDS, .sync = refresh_rows, .draw = draw, .action = action, .list = list, .nrows = nrows,
};
