/* view_transcript.c - Follow TCP Stream, understood: the session's lines,
 * client and server in two colours, the decoded meaning beside the raw
 * line, secrets masked until r, keystrokes of typed lines under them (t),
 * TLS/STARTTLS dividers, gaps and notes where they occur, Entire / Client /
 * Server (f), search (/ n N), jump to the packet (J or Enter), save (w). */
#include "tui_view.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../dissect/sanitize.h"

#define FRAME_W 7

static bool line_shown(const struct tui *t, const struct mt_line *l)
{
	if (t->tr_dir < 0 || l->kind == LINE_TLS || l->kind == LINE_GAP || l->kind == LINE_NOTE)
		return true;
	return l->dir == t->tr_dir;
}

/* The server's answer to STARTTLS/STLS: a divider follows it, drawn by the
 * UI from the model's STARTTLS record, whatever the dissector emits after
 * (a LINE_TLS line when a ClientHello was seen). */
static bool is_starttls_reply(const struct mt_session *s, size_t i)
{
	const struct mt_line *l = &s->lines[i];
	if (s->starttls.requested != TRI_TRUE || s->starttls.accepted == TRI_NULL || !s->starttls.reply_frame)
		return false;
	if (l->dir != DIR_S2C || l->frame != s->starttls.reply_frame || l->kind != LINE_TEXT)
		return false;
	/* the first server line of that frame only */
	return i == 0 || s->lines[i - 1].dir != DIR_S2C || s->lines[i - 1].frame != l->frame;
}

static void add_row(struct tui *t, uint32_t line, uint8_t sub)
{
	if (t->tr_n == t->tr_cap) {
		t->tr_cap = t->tr_cap ? t->tr_cap * 2 : 256;
		t->tr_rows = mt_xrealloc(t->tr_rows, t->tr_cap * sizeof(*t->tr_rows));
	}
	t->tr_rows[t->tr_n].line = line;
	t->tr_rows[t->tr_n].sub = sub;
	t->tr_n++;
}

static void add_lines(struct tui *t, const struct mt_session *s, size_t from)
{
	for (size_t i = from; i < s->nlines; i++) {
		const struct mt_line *l = &s->lines[i];
		if (!line_shown(t, l))
			continue;
		add_row(t, (uint32_t)i, 0);
		if (t->tr_keys && l->nkeys)
			add_row(t, (uint32_t)i, 1);
		if (is_starttls_reply(s, i))
			add_row(t, (uint32_t)i, 2);
	}
	t->tr_built_lines = s->nlines;
}

static void refresh_rows(struct tui *t)
{
	const struct mt_session *s = tui_session(t, t->tr_session);
	if (!s) {
		t->tr_n = 0;
		return;
	}
	if (!t->tr_dirty && s->nlines >= t->tr_built_lines) {
		add_lines(t, s, t->tr_built_lines);   /* new lines only */
		return;
	}
	/* full rebuild; the cursor stays on its line */
	uint32_t keep = t->tr.cur < t->tr_n ? t->tr_rows[t->tr.cur].line : 0;
	t->tr_n = 0;
	add_lines(t, s, 0);
	t->tr_dirty = false;
	t->tr.cur = 0;
	for (size_t r = 0; r < t->tr_n; r++) {
		if (t->tr_rows[r].line > keep)
			break;
		t->tr.cur = r;
	}
}

/* The row's text as displayed (sanitised, masked), without the frame
 * column: what is drawn and what search looks at. *decoded_at gets the
 * offset where the decoded part starts (or the length). */
static void row_text(struct tui *t, const struct mt_session *s, const struct tui_tr_row *row,
                     struct mt_sbuf *out, size_t *decoded_at)
{
	const struct mt_line *l = &s->lines[row->line];
	if (row->sub == 2) {
		mt_sbuf_adds(out, t->ascii ? "---- " : "\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80 ");
		if (s->starttls.accepted == TRI_TRUE)
			mt_sbuf_printf(out, "STARTTLS accepted: TLS from here on%s ",
			               s->starttls.tls_seen ? "" : " (but no TLS handshake was seen)");
		else
			mt_sbuf_adds(out, "STARTTLS refused: the session stays in clear ");
		*decoded_at = out->len;
		return;
	}
	if (row->sub == 1) {
		mt_sbuf_adds(out, "  keys: ");
		tui_keys_text(out, l, t->reveal);
		*decoded_at = out->len;
		return;
	}
	switch (l->kind) {
	case LINE_TLS:
		mt_sbuf_adds(out, t->ascii ? "---- " : "\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80 ");
		mt_sanitize_term(out, l->text.data ? l->text.data : "", l->text.len);
		mt_sbuf_adds(out, " ");
		break;
	case LINE_GAP:
		mt_sbuf_adds(out, t->ascii ? "~~~~ " : "\xe2\x89\x88\xe2\x89\x88\xe2\x89\x88\xe2\x89\x88 ");
		mt_sanitize_term(out, l->text.data ? l->text.data : "", l->text.len);
		mt_sbuf_adds(out, t->ascii ? " ~~~~" : " \xe2\x89\x88\xe2\x89\x88\xe2\x89\x88\xe2\x89\x88");
		break;
	case LINE_NOTE:
		mt_sbuf_adds(out, "!! ");
		mt_sanitize_term(out, l->text.data ? l->text.data : "", l->text.len);
		break;
	case LINE_DATA:
		mt_sbuf_adds(out, "  ");
		tui_line_text(out, l, t->reveal);
		break;
	default:
		tui_line_text(out, l, t->reveal);
		break;
	}
	*decoded_at = out->len;
	const char *d = tui_line_decoded(l, t->reveal);
	if (d && l->kind != LINE_TLS) {
		mt_sbuf_adds(out, "   ");
		mt_sanitize_term(out, d, strlen(d));
	}
	if (l->nkeys && !t->tr_keys)
		mt_sbuf_adds(out, "   (typed)");
}

static const char *dir_name(int d)
{
	return d < 0 ? "Entire" : d == DIR_C2S ? "Client" : "Server";
}

static void draw_header(struct tui *t, int y, const struct mt_session *s)
{
	struct mt_sbuf b;
	mt_sbuf_init(&b);
	mt_sbuf_printf(&b, "#%u ", s->id);
	mt_sanitize_term(&b, s->client, strnlen(s->client, sizeof(s->client)));
	mt_sbuf_adds(&b, t->ascii ? " -> " : " \xe2\x86\x92 ");
	mt_sanitize_term(&b, s->server, strnlen(s->server, sizeof(s->server)));
	mt_sbuf_printf(&b, "  %s  %s", tui_proto_label(s, 0, 0), tui_tls_state(s));
	if (s->server_software[0]) {
		mt_sbuf_adds(&b, "  ");
		mt_sanitize_term(&b, s->server_software, strnlen(s->server_software, sizeof(s->server_software)));
	}
	if (s->sni) {
		mt_sbuf_adds(&b, "  SNI ");
		mt_sanitize_term(&b, s->sni, strlen(s->sni));
	}
	mt_sbuf_printf(&b, "  | %s (f)  keys %s (t)", dir_name(t->tr_dir), t->tr_keys ? "shown" : "hidden");
	if (t->search[0]) {
		mt_sbuf_adds(&b, "  /");
		mt_sbuf_adds(&b, t->search);
	}
	tui_header(t, y, b.s);
	mt_sbuf_free(&b);
}

static void draw(struct tui *t, int y0, int h)
{
	const struct mt_session *s = tui_session(t, t->tr_session);
	if (!s) {
		tui_header(t, y0, "Transcript");
		tui_put(t, y0 + 1, 1, COLS - 1, t->attr[TA_DIM], "No session selected", 0, false);
		return;
	}
	int rows = h - 1;
	tui_list_clamp(&t->tr, t->tr_n, rows);
	draw_header(t, y0, s);
	if (!t->tr_n) {
		tui_put(t, y0 + 1, 1, COLS - 1, t->attr[TA_DIM],
		        s->nlines ? "No line from this side" : "No transcript lines (yet) for this session", 0, false);
		return;
	}
	int tx = FRAME_W + 3;     /* frame column, space, side marker, space */
	struct mt_sbuf b, fr;
	mt_sbuf_init(&b);
	mt_sbuf_init(&fr);
	for (int r = 0; r < rows; r++) {
		size_t ri = t->tr.top + (size_t)r;
		if (ri >= t->tr_n)
			break;
		const struct tui_tr_row *row = &t->tr_rows[ri];
		const struct mt_line *l = &s->lines[row->line];
		int y = y0 + 1 + r;
		bool sel = ri == t->tr.cur;
		attr_t side = t->attr[l->dir == DIR_S2C ? TA_SERVER : TA_CLIENT];
		attr_t sa = sel ? t->attr[TA_SELECTED] : 0;
		size_t dec_at = 0;
		mt_sbuf_reset(&b);
		row_text(t, s, row, &b, &dec_at);

		if ((l->kind == LINE_TLS && row->sub == 0) || row->sub == 2) {
			/* a divider across the whole width */
			int w = tui_put(t, y, 0, COLS, t->attr[TA_DIVIDER] | sa, b.s, t->tr_hscroll, false);
			const char *fill = t->ascii ? "-" : "\xe2\x94\x80";
			for (int x = w; x < COLS; x++)
				tui_put(t, y, x, 1, t->attr[TA_DIVIDER] | sa, fill, 0, false);
			continue;
		}
		tui_put(t, y, 0, COLS, sa, "", 0, true);
		mt_sbuf_reset(&fr);
		if (row->sub == 0)
			mt_sbuf_printf(&fr, "%*llu", FRAME_W, (unsigned long long)l->frame);
		tui_put(t, y, 0, FRAME_W, t->attr[TA_DIM] | sa, fr.s ? fr.s : "", 0, true);
		if (row->sub == 0 && l->kind != LINE_GAP && l->kind != LINE_NOTE)
			tui_put(t, y, FRAME_W + 1, 1, side | A_BOLD | sa, l->dir == DIR_S2C ? "S" : "C", 0, false);
		attr_t ta = l->kind == LINE_GAP || l->kind == LINE_NOTE ? t->attr[TA_GAP]
		          : row->sub == 1 ? t->attr[TA_DIM] : side;
		if (row->sub == 0 && l->secret && t->reveal)
			ta |= A_BOLD;
		/* raw part, then the decoded part in its own colour */
		char save = b.s[dec_at];
		b.s[dec_at] = 0;
		int rawcols = tui_text_width(b.s);
		int w = tui_put(t, y, tx, COLS - tx, ta | sa, b.s, t->tr_hscroll, false);
		b.s[dec_at] = save;
		if (dec_at < b.len && tx + w < COLS) {
			int skip = t->tr_hscroll > rawcols ? t->tr_hscroll - rawcols : 0;
			tui_put(t, y, tx + w, COLS - tx - w, t->attr[TA_DECODED] | sa, b.s + dec_at, skip, false);
		}
	}
	mt_sbuf_free(&b);
	mt_sbuf_free(&fr);
}

/* Case-insensitive (ASCII) substring search: strcasestr is a GNU extension. */
static bool contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return true;
	return n == 0;
}

static void search(struct tui *t, int dir)
{
	const struct mt_session *s = tui_session(t, t->tr_session);
	if (!s || !t->search[0] || !t->tr_n) {
		if (!t->search[0])
			tui_message(t, false, "No search: / starts one");
		return;
	}
	struct mt_sbuf b;
	mt_sbuf_init(&b);
	size_t n = t->tr_n, at = t->tr.cur;
	for (size_t k = 1; k <= n; k++) {
		size_t r = dir > 0 ? (at + k) % n : (at + n - k % n) % n;
		size_t dec;
		mt_sbuf_reset(&b);
		row_text(t, s, &t->tr_rows[r], &b, &dec);
		if (b.s && contains_ci(b.s, t->search)) {
			t->tr.cur = r;
			t->tr.follow = false;
			if (dir > 0 ? r <= at : r >= at)
				tui_message(t, false, "Search wrapped");
			mt_sbuf_free(&b);
			return;
		}
	}
	mt_sbuf_free(&b);
	tui_message(t, true, "Not found: %s", t->search);
}

static bool action(struct tui *t, enum tui_action a)
{
	struct mt_session *s = tui_session(t, t->tr_session);
	switch (a) {
	case ACT_DIR_FILTER:
		t->tr_dir = t->tr_dir < 0 ? DIR_C2S : t->tr_dir == DIR_C2S ? DIR_S2C : -1;
		t->tr_dirty = true;
		tui_message(t, false, "Showing: %s", dir_name(t->tr_dir));
		return true;
	case ACT_TOGGLE_KEYS:
		t->tr_keys = !t->tr_keys;
		t->tr_dirty = true;
		return true;
	case ACT_SEARCH_NEXT:
		search(t, 1);
		return true;
	case ACT_SEARCH_PREV:
		search(t, -1);
		return true;
	case ACT_LEFT:
		t->tr_hscroll = t->tr_hscroll > 8 ? t->tr_hscroll - 8 : 0;
		return true;
	case ACT_RIGHT:
		if (t->tr_hscroll < 100000)
			t->tr_hscroll += 8;
		return true;
	case ACT_JUMP:
	case ACT_OPEN:
		if (s && t->tr.cur < t->tr_n)
			tui_goto_frame(t, s->lines[t->tr_rows[t->tr.cur].line].frame);
		return true;
	case ACT_SAVE:
		tui_save(t, s);
		return true;
	default:
		return false;
	}
}

static struct tui_list *list(struct tui *t)
{
	return &t->tr;
}

static size_t nrows(struct tui *t)
{
	return t->tr_n;
}

const struct tui_view_ops tui_view_transcript = {
	.id = TV_TRANSCRIPT, .sync = refresh_rows, .draw = draw, .action = action, .list = list, .nrows = nrows,
};
