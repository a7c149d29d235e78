/* view_packets.c - the Wireshark-style packet list: No., Time, Source,
 * Destination, Protocol, Length, Info. Rows are indices into m->packets
 * that pass the display filter, kept incrementally; only visible rows are
 * formatted, so a million packets scroll as fast as ten. */
#include "tui_view.h"

#include <string.h>

#include "../dissect/sanitize.h"

enum { C_NO, C_TIME, C_SRC, C_DST, C_PROTO, C_LEN, C_INFO, C__N };

static void refresh_rows(struct tui *t)
{
	const struct mt_model *m = t->m;
	if (t->pk_gen != t->filter_gen || t->pk_scanned > m->npackets) {
		t->pk_gen = t->filter_gen;
		t->pk_scanned = 0;
		t->pk_n = 0;
	}
	if (t->pk_scanned == m->npackets)
		return;
	if (m->npackets > t->pk_cap) {
		t->pk_cap = m->npackets + m->npackets / 2 + 1024;
		t->pk_rows = mt_xrealloc(t->pk_rows, t->pk_cap * sizeof(*t->pk_rows));
	}
	for (size_t i = t->pk_scanned; i < m->npackets; i++) {
		const struct mt_packet *pk = &m->packets[i];
		bool ok;
		if (!t->filter) {
			ok = true;
		} else if (pk->session) {
			const struct mt_session *s = tui_session(t, pk->session);
			ok = s ? tui_session_visible(t, s) : mt_filter_match(t->filter, NULL, pk->src, pk->dst);
		} else {
			ok = mt_filter_match(t->filter, NULL, pk->src, pk->dst);
		}
		if (ok)
			t->pk_rows[t->pk_n++] = (uint32_t)i;
	}
	t->pk_scanned = m->npackets;
}

static void layout(struct tui *t, struct tui_col *c, size_t first, size_t last)
{
	/* endpoints as wide as the widest visible one */
	int ep = 12;
	for (size_t r = first; r < last && r < t->pk_n; r++) {
		const struct mt_packet *pk = &t->m->packets[t->pk_rows[r]];
		ep = tui_endpoint_width(pk->src, tui_endpoint_width(pk->dst, ep));
	}
	struct tui_col def[C__N] = {
		[C_NO] = { "No.", 7, 5, 1, true, 0, 0 },
		[C_TIME] = { "Time", 11, 9, 3, true, 0, 0 },
		[C_SRC] = { "Source", ep, ep, 2, false, 0, 0 },
		[C_DST] = { "Destination", ep, ep, 2, false, 0, 0 },
		[C_PROTO] = { COLS < 100 ? "Proto" : "Protocol", 8, 6, 2, false, 0, 0 },
		[C_LEN] = { COLS < 100 ? "Len" : "Length", 6, 5, 4, true, 0, 0 },
		[C_INFO] = { "Info", 30, 18, 0, false, 0, 0 },
	};
	memcpy(c, def, sizeof(def));
	tui_layout(c, C__N, COLS);
}

static void draw(struct tui *t, int y0, int h)
{
	const struct mt_model *m = t->m;
	int rows = h - 1;
	tui_list_clamp(&t->pk, t->pk_n, rows);
	struct tui_col c[C__N];
	layout(t, c, t->pk.top, t->pk.top + (size_t)rows);

	tui_col_header(t, y0, c, C__N);

	if (!t->pk_n) {
		tui_put(t, y0 + 1, 1, COLS - 1, t->attr[TA_DIM],
		        m->npackets ? "No packet matches the display filter" :
		        m->keep_packets ? "No packets yet" : "Packets are not kept in this mode", 0, false);
		return;
	}
	uint64_t first_ns = m->npackets ? m->packets[0].ts_ns : 0;
	struct mt_sbuf b;
	mt_sbuf_init(&b);
	for (int r = 0; r < rows; r++) {
		size_t row = t->pk.top + (size_t)r;
		if (row >= t->pk_n)
			break;
		const struct mt_packet *pk = &m->packets[t->pk_rows[row]];
		const struct mt_session *s = pk->session ? tui_session(t, pk->session) : NULL;
		int y = y0 + 1 + r;
		bool sel = row == t->pk.cur;
		attr_t base = sel ? t->attr[TA_SELECTED] : t->attr[TA_NORMAL];

		mt_sbuf_reset(&b);
		mt_sbuf_printf(&b, "%llu", (unsigned long long)pk->frame);
		tui_cell(t, y, &c[C_NO], base, b.s);
		mt_sbuf_reset(&b);
		tui_rel_time(&b, pk->ts_ns, first_ns);
		tui_cell(t, y, &c[C_TIME], base, b.s);
		mt_sbuf_reset(&b);
		mt_sanitize_term(&b, pk->src, strlen(pk->src));
		tui_cell(t, y, &c[C_SRC], base, b.s);
		mt_sbuf_reset(&b);
		mt_sanitize_term(&b, pk->dst, strlen(pk->dst));
		tui_cell(t, y, &c[C_DST], base, b.s);
		size_t nl = 0;
		bool empty = !pk->payload_len && (!s || tui_lindex_find(tui_lindex(t, s->id), s, pk->frame, &nl) < 0);
		tui_cell(t, y, &c[C_PROTO], base, tui_proto_label(s, empty ? TUI_FRAME_EMPTY : pk->frame, pk->tcp_flags));
		mt_sbuf_reset(&b);
		mt_sbuf_printf(&b, "%u", pk->len);
		tui_cell(t, y, &c[C_LEN], base, b.s);
		mt_sbuf_reset(&b);
		tui_packet_info(&b, pk, s, s ? tui_lindex(t, s->id) : NULL, t->reveal);
		attr_t ia = base;
		if (!sel && s && s->proto != PROTO_OTHER && pk->payload_len)
			ia = t->attr[pk->dir == DIR_S2C ? TA_SERVER : TA_CLIENT];
		tui_cell(t, y, &c[C_INFO], ia, b.s);
		/* the separators between cells keep the selection bar whole */
		if (sel)
			for (int i = 0; i < C__N; i++)
				if (c[i].w && c[i].x + c[i].w < COLS)
					tui_put(t, y, c[i].x + c[i].w, 1, base, " ", 0, false);
	}
	mt_sbuf_free(&b);
}

static bool action(struct tui *t, enum tui_action a)
{
	if (a == ACT_OPEN) {
		if (t->pk.cur >= t->pk_n)
			return true;
		const struct mt_packet *pk = &t->m->packets[t->pk_rows[t->pk.cur]];
		struct mt_session *s = tui_session(t, pk->session);
		if (!s) {
			tui_message(t, true, "Frame %llu is not part of a followed TCP session",
			            (unsigned long long)pk->frame);
			return true;
		}
		tui_open_transcript(t, s->id, tui_lindex_at_or_after(tui_lindex(t, s->id), s, pk->frame));
		return true;
	}
	if (a == ACT_SAVE) {
		if (t->pk.cur < t->pk_n)
			tui_save(t, tui_session(t, t->m->packets[t->pk_rows[t->pk.cur]].session));
		return true;
	}
	return false;
}

static struct tui_list *list(struct tui *t)
{
	return &t->pk;
}

static size_t nrows(struct tui *t)
{
	refresh_rows(t);
	return t->pk_n;
}

const struct tui_view_ops tui_view_packets = {
	.id = TV_PACKETS, .sync = refresh_rows, .draw = draw, .action = action, .list = list, .nrows = nrows,
};
