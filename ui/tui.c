/* tui.c - the ncurses UI: terminal set-up and restore, the poll() loop that
 * feeds the pipeline between refreshes, the tab bar, message line, prompt
 * and status bar, and the dispatch of key-table actions to the views. */
#include "tui_view.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../dissect/sanitize.h"

#define ESC 27

static volatile sig_atomic_t got_signal;
static struct mt_pipeline *volatile sig_pipeline;
static bool curses_active;

/* SIGINT/SIGTERM/SIGHUP end the UI like a quit: the loop sees the flag
 * within one poll timeout; the pipeline is told to stop its batch. */
static void on_signal(int sig)
{
	got_signal = sig;
	if (sig_pipeline)
		mt_pipeline_stop(sig_pipeline);
}

static void restore_terminal(void)
{
	if (curses_active) {
		curses_active = false;
		endwin();
	}
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const struct tui_view_ops *const views[TV__COUNT] = {
	[TV_PACKETS] = &tui_view_packets,
	[TV_SESSIONS] = &tui_view_sessions,
	[TV_CREDS] = &tui_view_creds,
	[TV_TRANSCRIPT] = &tui_view_transcript,
	[TV_HELP] = &tui_view_help,
};

/* ---- drawing helpers ---- */

int tui_put(struct tui *t, int y, int x, int w, attr_t a, const char *utf8, int skip, bool pad)
{
	if (w <= 0 || y < 0 || y >= LINES || x >= COLS)
		return 0;
	if (x + w > COLS)
		w = COLS - x;
	mt_sbuf_reset(&t->tmp);
	int n = tui_fit(&t->tmp, utf8 ? utf8 : "", skip, w, pad);
	attrset(a);
	mvaddstr(y, x, t->tmp.s ? t->tmp.s : "");
	attrset(A_NORMAL);
	return n;
}

void tui_header(struct tui *t, int y, const char *text)
{
	tui_put(t, y, 0, COLS, t->attr[TA_HEADER], text, 0, true);
}

void tui_cell(struct tui *t, int y, const struct tui_col *c, attr_t a, const char *text)
{
	if (!c->w)
		return;
	if (c->right) {
		int tw = tui_text_width(text);
		int pad = c->w - tw;
		if (pad > 0) {
			tui_put(t, y, c->x, pad, a, "", 0, true);
			tui_put(t, y, c->x + pad, tw, a, text, 0, false);
			return;
		}
	}
	tui_put(t, y, c->x, c->w, a, text, 0, true);
}

void tui_col_header(struct tui *t, int y, const struct tui_col *c, int n)
{
	tui_header(t, y, "");
	for (int i = 0; i < n; i++)
		if (c[i].w)
			tui_cell(t, y, &c[i], t->attr[TA_HEADER], c[i].title);
}

void tui_message(struct tui *t, bool err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof(t->msg), fmt, ap);
	va_end(ap);
	t->msg_err = err;
}

struct mt_session *tui_session(struct tui *t, uint32_t id)
{
	/* ids are handed out in order and sessions appended (session.c) */
	if (!id || id > t->m->nsessions)
		return NULL;
	struct mt_session *s = t->m->sessions[id - 1];
	if (s && s->id == id)
		return s;
	for (size_t i = 0; i < t->m->nsessions; i++)
		if (t->m->sessions[i] && t->m->sessions[i]->id == id)
			return t->m->sessions[i];
	return NULL;
}

static void grow_session_state(struct tui *t)
{
	size_t n = t->m->nsessions;
	if (n <= t->nsess_state)
		return;
	size_t cap = n + n / 2 + 16;
	t->lix = mt_xrealloc(t->lix, cap * sizeof(*t->lix));
	memset(t->lix + t->nsess_state, 0, (cap - t->nsess_state) * sizeof(*t->lix));
	t->sess_match = mt_xrealloc(t->sess_match, cap);
	memset(t->sess_match + t->nsess_state, 2, cap - t->nsess_state);   /* 2: not yet known */
	t->nsess_state = cap;
}

struct tui_lindex *tui_lindex(struct tui *t, uint32_t id)
{
	grow_session_state(t);
	if (!id || id > t->nsess_state)
		return NULL;
	return &t->lix[id - 1];
}

bool tui_session_visible(struct tui *t, const struct mt_session *s)
{
	if (!t->filter)
		return true;
	grow_session_state(t);
	if (s->id && s->id <= t->nsess_state && t->sess_match[s->id - 1] != 2)
		return t->sess_match[s->id - 1];
	return mt_filter_match(t->filter, s, NULL, NULL);
}

/* Re-evaluates the filter on every session (sessions change as packets
 * arrive: a credential or a STARTTLS shows up later); bumps filter_gen when
 * a verdict flips so the packet list is rebuilt. O(sessions) per refresh. */
static void update_matches(struct tui *t)
{
	grow_session_state(t);
	bool flipped = false;
	for (size_t i = 0; i < t->m->nsessions; i++) {
		const struct mt_session *s = t->m->sessions[i];
		if (!s || s->id == 0 || s->id > t->nsess_state)
			continue;
		uint8_t v = t->filter ? mt_filter_match(t->filter, s, NULL, NULL) : 1;
		uint8_t *old = &t->sess_match[s->id - 1];
		if (*old != 2 && *old != v)
			flipped = true;
		*old = v;
	}
	if (flipped)
		t->filter_gen++;
}

void tui_list_clamp(struct tui_list *l, size_t n, int h)
{
	if (h < 1)
		h = 1;
	if (n == 0) {
		l->cur = l->top = 0;
		return;
	}
	if (l->follow || l->cur >= n)
		l->cur = n - 1;
	if (l->cur < l->top)
		l->top = l->cur;
	if (l->cur >= l->top + (size_t)h)
		l->top = l->cur - (size_t)h + 1;
	if (l->top + (size_t)h > n)
		l->top = n > (size_t)h ? n - (size_t)h : 0;
}

void tui_set_view(struct tui *t, enum tui_view_id v)
{
	if (v == TV_HELP && t->view != TV_HELP)
		t->help_from = t->view;
	if (v == TV_TRANSCRIPT && !t->tr_session) {
		tui_message(t, false, "No transcript open: Enter on a session, credential or packet opens one");
		return;
	}
	t->view = v;
}

void tui_open_transcript(struct tui *t, uint32_t id, size_t line)
{
	if (!tui_session(t, id)) {
		tui_message(t, true, "No session for this row (not a followed TCP connection)");
		return;
	}
	if (t->view != TV_TRANSCRIPT && t->view != TV_HELP)
		t->tr_from = t->view;
	if (t->tr_session != id) {
		t->tr_session = id;
		t->tr_dir = -1;
		t->tr_hscroll = 0;
	}
	t->tr_open = true;
	t->tr_dirty = true;
	t->view = TV_TRANSCRIPT;
	tui_view_transcript.sync(t);
	/* the row of that line */
	t->tr.follow = false;
	t->tr.cur = 0;
	for (size_t i = 0; i < t->tr_n; i++) {
		if (t->tr_rows[i].line >= line) {
			t->tr.cur = i;
			break;
		}
		t->tr.cur = i;
	}
	t->tr.top = t->tr.cur > 3 ? t->tr.cur - 3 : 0;
}

void tui_goto_frame(struct tui *t, uint64_t frame)
{
	/* packets are kept in frame order: binary search */
	size_t lo = 0, hi = t->m->npackets;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->m->packets[mid].frame < frame)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= t->m->npackets) {
		tui_message(t, true, "Frame %llu is not in the packet list", (unsigned long long)frame);
		return;
	}
	const struct mt_packet *pk = &t->m->packets[lo];
	if (t->filter) {
		const struct mt_session *s = tui_session(t, pk->session);
		if (!mt_filter_match(t->filter, s, pk->src, pk->dst)) {
			mt_filter_free(t->filter);
			t->filter = NULL;
			t->filter_text[0] = 0;
			t->filter_gen++;
			tui_message(t, false, "Display filter cleared to show frame %llu", (unsigned long long)frame);
		}
	}
	t->view = TV_PACKETS;
	tui_view_packets.sync(t);
	t->pk.follow = false;
	/* rows are packet indices in order: binary search again */
	lo = 0;
	hi = t->pk_n;
	size_t target = (size_t)(pk - t->m->packets);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->pk_rows[mid] < target)
			lo = mid + 1;
		else
			hi = mid;
	}
	t->pk.cur = lo < t->pk_n ? lo : (t->pk_n ? t->pk_n - 1 : 0);
	int h = t->list_h > 0 ? t->list_h : 10;
	t->pk.top = t->pk.cur > (size_t)h / 2 ? t->pk.cur - (size_t)h / 2 : 0;
}

void tui_save(struct tui *t, const struct mt_session *s)
{
	if (!s) {
		tui_message(t, true, "Nothing to save: select a session");
		return;
	}
	/* the file to copy frames from (not the label, which may carry a filter) */
	const char *src = NULL;
	if (!t->o->live && t->m->source_path[0])
		src = t->m->source_path;
	char msg[256];
	int n = tui_save_session(s, src, t->o->save_dir, msg, sizeof(msg));
	tui_message(t, n < 0, "%s", msg);
}

/* ---- bars ---- */

static void draw_tabs(struct tui *t)
{
	int x = 0;
	x += tui_put(t, 0, x, COLS - x, t->attr[TA_TAB] | A_BOLD, " mailtap ", 0, false);
	for (int v = 0; v < TV__COUNT; v++) {
		char lab[32];
		if (v == TV_TRANSCRIPT && !t->tr_open) {
			t->tab_x[v] = -1;
			continue;
		}
		snprintf(lab, sizeof(lab), " %s ", tui_view_name(v));
		t->tab_x[v] = x;
		x += tui_put(t, 0, x, COLS - x, t->attr[v == (int)t->view ? TA_TAB_ACTIVE : TA_TAB], lab, 0, false);
	}
	t->tab_x[TV__COUNT] = x;
	const char *hint = t->ascii ? " Tab:views ?:help q:back " : " Tab:views  ?:help  q:back ";
	int hw = tui_text_width(hint);
	if (x < COLS)
		tui_put(t, 0, x, COLS - x, t->attr[TA_TAB], "", 0, true);
	if (COLS - x > hw)
		tui_put(t, 0, COLS - hw, hw, t->attr[TA_TAB], hint, 0, false);
}

static void draw_message_line(struct tui *t, int y)
{
	struct mt_sbuf b;
	mt_sbuf_init(&b);
	if (t->prompt) {
		char err[160] = "";
		bool bad = false;
		mt_sbuf_adds(&b, t->prompt == 'f' ? "Filter: " : "Search: ");
		size_t plen = b.len;
		mt_sbuf_add(&b, t->pbuf, t->plen);
		if (t->prompt == 'f') {
			struct mt_filter *f = mt_filter_compile(t->pbuf, err, sizeof(err));
			bad = !f && err[0];
			mt_filter_free(f);
		}
		int x = tui_put(t, y, 0, COLS, bad ? t->attr[TA_ERROR] : t->attr[TA_NORMAL], b.s, 0, false);
		if (bad) {
			mt_sbuf_reset(&b);
			mt_sbuf_printf(&b, "  invalid filter: %s", err);
			tui_put(t, y, x, COLS - x, t->attr[TA_ERROR], b.s, 0, false);
		} else if (t->prompt == 'f') {
			tui_put(t, y, x, COLS - x, t->attr[TA_DIM],
			        "  (smtp pop imap telnet tls creds starttls warn, host A, port N; and or not ( ))", 0, false);
		}
		/* the cursor sits after the typed text */
		int cx = (int)(plen + t->plen);
		move(y, cx < COLS ? cx : COLS - 1);
		mt_sbuf_free(&b);
		return;
	}
	if (t->msg[0]) {
		tui_put(t, y, 0, COLS, t->msg_err ? t->attr[TA_ERROR] : t->attr[TA_NORMAL], t->msg, 0, false);
	} else if (t->filter_text[0]) {
		size_t shown = 0;
		for (size_t i = 0; i < t->m->nsessions && i < t->nsess_state; i++)
			shown += t->sess_match[i] == 1;
		mt_sbuf_printf(&b, "Filter: %s   (%zu of %zu sessions", t->filter_text, shown, t->m->nsessions);
		if (t->view == TV_PACKETS)
			mt_sbuf_printf(&b, ", %zu of %zu packets", t->pk_n, t->m->npackets);
		mt_sbuf_adds(&b, "; / edits, empty clears)");
		tui_put(t, y, 0, COLS, t->attr[TA_DIM] | A_BOLD, b.s, 0, false);
	}
	mt_sbuf_free(&b);
}

static void status_text(struct tui *t, struct mt_sbuf *b, bool brief, size_t ncreds, size_t exposed,
                        size_t nwarn)
{
	const struct mt_model *m = t->m;
	mt_sbuf_adds(b, " ");
	const char *src = t->o->source_label ? t->o->source_label : m->source;
	struct mt_sbuf sb;
	mt_sbuf_init(&sb);
	mt_sanitize_term(&sb, src, strlen(src));
	/* a long path keeps its end: the file name */
	int sw = tui_text_width(sb.s ? sb.s : "");
	int room = brief ? 14 : 48;
	if (sw > room) {
		mt_sbuf_adds(b, "...");
		tui_fit(b, sb.s, sw - room + 3, room - 3, false);
	} else if (sb.s) {
		mt_sbuf_adds(b, sb.s);
	}
	mt_sbuf_free(&sb);
	mt_sbuf_printf(b, brief ? " | %llu pk | %zu sess | %zu cred" : " | %llu packets | %zu sessions | %zu creds",
	               (unsigned long long)m->counters.packets, m->nsessions, ncreds);
	if (exposed)
		mt_sbuf_printf(b, brief ? " (%zu clear)" : " (%zu in clear)", exposed);
	mt_sbuf_printf(b, brief ? " | %zu warn" : " | %zu warnings", nwarn);
	if (t->o->live) {
		mt_sbuf_printf(b, brief ? " | rx %llu drop %llu %.0f/s" : " | recv %llu drop %llu | %.0f pkt/s",
		               (unsigned long long)m->counters.kernel_recv,
		               (unsigned long long)m->counters.kernel_drop, t->rate);
		if (t->p && mt_pipeline_done(t->p))
			mt_sbuf_adds(b, " | stopped");
	} else if (t->loading) {
		if (t->progress >= 0)
			mt_sbuf_printf(b, " | loading %.0f%%", t->progress * 100);
		else
			mt_sbuf_adds(b, " | loading");
	}
	if (t->load_err[0])
		mt_sbuf_printf(b, " | read error: %s", t->load_err);
	mt_sbuf_adds(b, " | ");
}

static void draw_status(struct tui *t, int y)
{
	const struct mt_model *m = t->m;
	size_t ncreds = 0, exposed = 0, nwarn = 0;
	for (size_t i = 0; i < m->nsessions; i++) {
		const struct mt_session *s = m->sessions[i];
		if (!s)
			continue;
		ncreds += s->ncreds;
		for (size_t c = 0; c < s->ncreds; c++)
			exposed += tui_cred_exposed(s->creds[c]);
		nwarn += (size_t)__builtin_popcount(s->warnings);
	}
	const char *rev = t->reveal ? " SECRETS REVEALED (r) " : "secrets masked (r)";
	int rw = tui_text_width(rev);
	struct mt_sbuf b;
	mt_sbuf_init(&b);
	status_text(t, &b, false, ncreds, exposed, nwarn);
	if (tui_text_width(b.s) + rw > COLS) {
		mt_sbuf_reset(&b);
		status_text(t, &b, true, ncreds, exposed, nwarn);
		rev = t->reveal ? " REVEALED (r) " : "masked (r)";
		rw = tui_text_width(rev);
	}
	int x = tui_put(t, y, 0, COLS, t->attr[TA_STATUS], b.s, 0, false);
	/* the reveal state must stay visible: cut the counters if needed */
	if (x + rw > COLS) {
		x = COLS - rw - 1 > 0 ? COLS - rw - 1 : 0;
		tui_put(t, y, x, 1, t->attr[TA_STATUS], " ", 0, false);
		x++;
	}
	x += tui_put(t, y, x, COLS - x, t->reveal ? t->attr[TA_ALERT] : t->attr[TA_STATUS], rev, 0, false);
	if (x < COLS)
		tui_put(t, y, x, COLS - x, t->attr[TA_STATUS], "", 0, true);
	mt_sbuf_free(&b);
}

static void draw(struct tui *t)
{
	erase();
	if (LINES < 5 || COLS < 20) {
		tui_put(t, 0, 0, COLS, A_BOLD, "mailtap: terminal too small", 0, false);
		refresh();
		return;
	}
	update_matches(t);
	const struct tui_view_ops *v = views[t->view];
	int h = LINES - 3;
	t->list_h = h - 1;    /* the view's header row */
	v->sync(t);
	draw_tabs(t);
	v->draw(t, 1, h);
	draw_status(t, LINES - 1);
	draw_message_line(t, LINES - 2);   /* last: it places the prompt cursor */
	curs_set(t->prompt ? 1 : 0);
	refresh();
}

/* ---- input ---- */

static void apply_filter(struct tui *t, const char *text)
{
	char err[160];
	struct mt_filter *f = mt_filter_compile(text, err, sizeof(err));
	if (!f && err[0]) {
		tui_message(t, true, "invalid filter: %s", err);
		return;
	}
	mt_filter_free(t->filter);
	t->filter = f;
	snprintf(t->filter_text, sizeof(t->filter_text), "%s", f ? text : "");
	t->filter_gen++;
	memset(t->sess_match, 2, t->nsess_state);
	t->pk.cur = t->pk.top = 0;
	t->se.cur = t->se.top = 0;
	t->cr.cur = t->cr.top = 0;
	t->msg[0] = 0;
}

static void prompt_key(struct tui *t, int ch)
{
	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		t->pbuf[t->plen] = 0;
		if (t->prompt == 'f') {
			char err[160];
			struct mt_filter *f = mt_filter_compile(t->pbuf, err, sizeof(err));
			if (!f && err[0]) {
				mt_filter_free(f);
				return;   /* stays open, shown as invalid */
			}
			mt_filter_free(f);
			apply_filter(t, t->pbuf);
		} else {
			snprintf(t->search, sizeof(t->search), "%s", t->pbuf);
			t->prompt = 0;
			views[TV_TRANSCRIPT]->action(t, ACT_SEARCH_NEXT);
		}
		t->prompt = 0;
		return;
	}
	if (ch == ESC) {
		t->prompt = 0;
		return;
	}
	if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		if (t->plen)
			t->plen--;
	} else if (ch == 21) {            /* Ctrl-U */
		t->plen = 0;
	} else if (ch >= 0x20 && ch < 0x7f && t->plen + 1 < sizeof(t->pbuf)) {
		t->pbuf[t->plen++] = (char)ch;
	}
	t->pbuf[t->plen] = 0;
}

static void start_prompt(struct tui *t, int kind)
{
	t->prompt = kind;
	const char *init = kind == 'f' ? t->filter_text : t->search;
	snprintf(t->pbuf, sizeof(t->pbuf), "%s", init);
	t->plen = strlen(t->pbuf);
}

static void move_list(struct tui *t, enum tui_action a)
{
	const struct tui_view_ops *v = views[t->view];
	struct tui_list *l = v->list(t);
	size_t n = v->nrows(t);
	size_t page = t->list_h > 1 ? (size_t)t->list_h - 1 : 1;
	if (!l || !n)
		return;
	if (l->cur >= n)
		l->cur = n - 1;
	switch (a) {
	case ACT_UP: l->follow = false; if (l->cur) l->cur--; break;
	case ACT_DOWN: if (l->cur + 1 < n) l->cur++; break;
	case ACT_PGUP: l->follow = false; l->cur = l->cur > page ? l->cur - page : 0; break;
	case ACT_PGDN: l->cur = l->cur + page < n ? l->cur + page : n - 1; break;
	case ACT_HOME: l->follow = false; l->cur = 0; break;
	case ACT_END: l->cur = n - 1; l->follow = true; break;
	default: break;
	}
}

static enum tui_view_id next_view(const struct tui *t, int dir)
{
	static const enum tui_view_id ring[] = { TV_PACKETS, TV_SESSIONS, TV_CREDS, TV_TRANSCRIPT };
	int n = 4, i;
	for (i = 0; i < n; i++)
		if (ring[i] == t->view)
			break;
	if (i == n)
		i = 0;
	for (int k = 0; k < n; k++) {
		i = (i + dir + n) % n;
		if (ring[i] != TV_TRANSCRIPT || t->tr_open)
			return ring[i];
	}
	return TV_PACKETS;
}

static void do_action(struct tui *t, enum tui_action a)
{
	const struct tui_view_ops *v = views[t->view];
	/* keys may come before the view was ever drawn: rows must be current */
	update_matches(t);
	v->sync(t);
	if (v->action(t, a))
		return;
	switch (a) {
	case ACT_UP: case ACT_DOWN: case ACT_PGUP: case ACT_PGDN: case ACT_HOME: case ACT_END:
		move_list(t, a);
		break;
	case ACT_FILTER: start_prompt(t, 'f'); break;
	case ACT_SEARCH: start_prompt(t, '/'); break;
	case ACT_NEXT_PANE: t->view = next_view(t, 1); break;
	case ACT_PREV_PANE: t->view = next_view(t, -1); break;
	case ACT_VIEW_PACKETS: t->view = TV_PACKETS; break;
	case ACT_VIEW_SESSIONS: t->view = TV_SESSIONS; break;
	case ACT_VIEW_CREDS: t->view = TV_CREDS; break;
	case ACT_HELP:
		if (t->view == TV_HELP)
			t->view = t->help_from;
		else
			tui_set_view(t, TV_HELP);
		break;
	case ACT_REVEAL:
		t->reveal = !t->reveal;
		tui_message(t, false, t->reveal ? "Secrets revealed: r masks them again"
		                                 : "Secrets masked");
		break;
	case ACT_BACK:
		if (t->view == TV_HELP)
			t->view = t->help_from;
		else if (t->view == TV_TRANSCRIPT)
			t->view = t->tr_from;
		else
			t->quit = true;
		break;
	case ACT_QUIT: t->quit = true; break;
	case ACT_REDRAW: clearok(curscr, TRUE); break;
	default: break;
	}
}

static void mouse_event(struct tui *t)
{
	MEVENT ev;
	if (getmouse(&ev) != OK)
		return;
	if (ev.bstate & BUTTON4_PRESSED) {
		for (int i = 0; i < 3; i++)
			do_action(t, ACT_UP);
		return;
	}
#ifdef BUTTON5_PRESSED
	if (ev.bstate & BUTTON5_PRESSED) {
		for (int i = 0; i < 3; i++)
			do_action(t, ACT_DOWN);
		return;
	}
#endif
	if (!(ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED)))
		return;
	if (ev.y == 0) {   /* the tab bar */
		for (int v = TV__COUNT - 1; v >= 0; v--) {
			if (t->tab_x[v] >= 0 && ev.x >= t->tab_x[v] && ev.x < t->tab_x[TV__COUNT]) {
				tui_set_view(t, (enum tui_view_id)v);
				return;
			}
		}
		return;
	}
	const struct tui_view_ops *v = views[t->view];
	struct tui_list *l = v->list(t);
	size_t n = v->nrows(t);
	int row = ev.y - 2;   /* tab bar, view header */
	if (!l || row < 0 || row >= t->list_h)
		return;
	size_t idx = l->top + (size_t)row;
	if (idx >= n)
		return;
	bool again = l->cur == idx;
	l->cur = idx;
	l->follow = false;
	if ((ev.bstate & BUTTON1_DOUBLE_CLICKED) || (again && (ev.bstate & BUTTON1_CLICKED)))
		do_action(t, t->view == TV_TRANSCRIPT ? ACT_JUMP : ACT_OPEN);
}

static void handle_key(struct tui *t, int ch)
{
	if (ch == KEY_RESIZE) {
		/* ncurses already updated LINES/COLS; the next draw re-lays out */
		return;
	}
	if (t->prompt) {
		prompt_key(t, ch);
		return;
	}
	if (ch == KEY_MOUSE) {
		mouse_event(t);
		return;
	}
	t->msg[0] = 0;
	do_action(t, tui_key_action(t->view, ch));
}

/* Drains every pending key (ncurses may hold some already read). */
static bool read_keys(struct tui *t)
{
	bool any = false;
	int ch;
	while ((ch = getch()) != ERR) {
		handle_key(t, ch);
		any = true;
		if (t->quit)
			break;
	}
	return any;
}

/* ---- set-up ---- */

static void init_attrs(struct tui *t)
{
	attr_t *a = t->attr;
	if (has_colors() && start_color() == OK) {
		short bg = use_default_colors() == OK ? -1 : COLOR_BLACK;
		init_pair(1, COLOR_GREEN, bg);
		init_pair(2, COLOR_CYAN, bg);
		init_pair(3, COLOR_YELLOW, bg);
		init_pair(4, COLOR_RED, bg);
		init_pair(5, COLOR_BLACK, COLOR_MAGENTA);
		init_pair(6, COLOR_WHITE, COLOR_BLUE);
		init_pair(7, COLOR_WHITE, COLOR_RED);
		init_pair(8, COLOR_BLACK, COLOR_CYAN);
		init_pair(9, COLOR_BLACK, COLOR_GREEN);
		init_pair(10, COLOR_BLACK, COLOR_YELLOW);
		a[TA_NORMAL] = A_NORMAL;
		a[TA_HEADER] = COLOR_PAIR(8) | A_BOLD;
		a[TA_SELECTED] = A_REVERSE;
		a[TA_CLIENT] = COLOR_PAIR(1);
		a[TA_SERVER] = COLOR_PAIR(2);
		a[TA_DECODED] = COLOR_PAIR(3);
		a[TA_EXPOSED] = COLOR_PAIR(4) | A_BOLD;
		a[TA_DIVIDER] = COLOR_PAIR(5) | A_BOLD;
		a[TA_GAP] = COLOR_PAIR(3) | A_BOLD;
		a[TA_STATUS] = COLOR_PAIR(6);
		a[TA_ALERT] = COLOR_PAIR(7) | A_BOLD;
		a[TA_ERROR] = COLOR_PAIR(7) | A_BOLD;
		a[TA_TAB] = COLOR_PAIR(6);
		a[TA_TAB_ACTIVE] = COLOR_PAIR(9) | A_BOLD;
		a[TA_DIM] = A_DIM;
		a[TA_MATCH] = COLOR_PAIR(10);
		return;
	}
	/* monochrome: bold, reverse and underline carry the meaning */
	a[TA_NORMAL] = A_NORMAL;
	a[TA_HEADER] = A_REVERSE | A_BOLD;
	a[TA_SELECTED] = A_REVERSE;
	a[TA_CLIENT] = A_NORMAL;
	a[TA_SERVER] = A_BOLD;
	a[TA_DECODED] = A_UNDERLINE;
	a[TA_EXPOSED] = A_BOLD | A_UNDERLINE;
	a[TA_DIVIDER] = A_REVERSE;
	a[TA_GAP] = A_BOLD;
	a[TA_STATUS] = A_REVERSE;
	a[TA_ALERT] = A_BOLD | A_BLINK;
	a[TA_ERROR] = A_BOLD | A_REVERSE;
	a[TA_TAB] = A_REVERSE;
	a[TA_TAB_ACTIVE] = A_BOLD;
	a[TA_DIM] = A_DIM;
	a[TA_MATCH] = A_BOLD | A_UNDERLINE;
}

static void free_tui(struct tui *t)
{
	for (size_t i = 0; i < t->nsess_state; i++)
		tui_lindex_free(&t->lix[i]);
	free(t->lix);
	free(t->sess_match);
	free(t->pk_rows);
	free(t->se_rows);
	free(t->cr_rows);
	free(t->tr_rows);
	for (size_t i = 0; i < t->help_n; i++)
		free(t->help_lines[i]);
	free(t->help_lines);
	mt_filter_free(t->filter);
	mt_sbuf_free(&t->tmp);
}

/* Offline: read for at most ~40 ms, so keys and redraws stay responsive. */
static void load_some(struct tui *t)
{
	double t0 = now_s();
	char err[160];
	do {
		long n = mt_pipeline_dispatch(t->p, 2000, err, sizeof(err));
		if (n < 0) {
			snprintf(t->load_err, sizeof(t->load_err), "%s", err);
			t->loading = false;
			break;
		}
		if (mt_pipeline_done(t->p) || n == 0) {
			t->loading = false;
			break;
		}
	} while (now_s() - t0 < 0.04 && !got_signal);
	t->progress = mt_pipeline_progress(t->p);
	if (!t->loading && !t->finished && !got_signal) {
		mt_pipeline_finish(t->p);
		t->finished = true;
	}
}

static void live_stats(struct tui *t)
{
	double now = now_s();
	if (now - t->stats_t >= 1.0) {
		mt_pipeline_stats(t->p);
		if (t->rate_t > 0)
			t->rate = (t->m->counters.packets - t->rate_pkts) / (now - t->rate_t);
		t->rate_pkts = t->m->counters.packets;
		t->rate_t = now;
		t->stats_t = now;
	}
}

int mt_tui_run(struct mt_pipeline *p, struct mt_model *m, const struct mt_tui_opts *o)
{
	static const struct mt_tui_opts defaults;
	struct tui *t = mt_xcalloc(1, sizeof(*t));
	t->p = p;
	t->m = m;
	t->o = o ? o : &defaults;
	t->reveal = t->o->reveal;
	t->view = TV_PACKETS;
	t->tr_from = t->help_from = TV_PACKETS;
	t->tr_dir = -1;
	t->loading = p && !t->o->live && !mt_pipeline_done(p);
	t->finished = !p || t->o->live;
	t->progress = -1;
	t->pk.follow = t->o->live;   /* live: the packet list scrolls with the capture until moved */
	mt_sbuf_init(&t->tmp);

	setlocale(LC_ALL, "");
	t->ascii = strcmp(nl_langinfo(CODESET), "UTF-8") != 0;
	tui_ascii_only = t->ascii;

	struct sigaction sa, old_int, old_term, old_hup;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sig_pipeline = p;
	got_signal = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	atexit(restore_terminal);   /* exit() from anywhere still restores */
	mt_set_oom_hook(restore_terminal);   /* and so does running out of memory */

	/* `-r -` reads the capture from stdin, and --tui may run with stdout
	 * redirected: the keyboard and the screen are then the controlling
	 * terminal, never the capture stream. */
	FILE *kbd = stdin, *scr_out = stdout;
	if (!isatty(STDIN_FILENO))
		kbd = fopen("/dev/tty", "r");
	if (!isatty(STDOUT_FILENO))
		scr_out = fopen("/dev/tty", "w");
	SCREEN *scr = kbd && scr_out ? newterm(NULL, scr_out, kbd) : NULL;
	if (!scr) {
		fprintf(stderr, "mailtap: cannot initialise the terminal (no tty for the UI)\n");
		if (kbd && kbd != stdin)
			fclose(kbd);
		if (scr_out && scr_out != stdout)
			fclose(scr_out);
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
		sigaction(SIGHUP, &old_hup, NULL);
		sig_pipeline = NULL;
		free_tui(t);
		free(t);
		return 2;
	}
	set_term(scr);
	int kbd_fd = fileno(kbd);
	curses_active = true;
	set_escdelay(25);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	mousemask(BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
	          | BUTTON5_PRESSED
#endif
	          , NULL);
	mouseinterval(200);
	init_attrs(t);

	int capfd = p && t->o->live ? mt_pipeline_fd(p) : -1;
	double last_draw = 0;
	bool dirty = true;
	uint64_t seen_pkts = (uint64_t)-1;
	size_t seen_sess = (size_t)-1;
	while (!t->quit && !got_signal) {
		if (t->loading) {
			load_some(t);
			if (!t->loading)
				dirty = true;   /* show "loaded", and what finish added */
		}
		if (p && t->o->live && capfd < 0 && !mt_pipeline_done(p)) {
			/* no selectable descriptor: short non-blocking batches */
			char err[160];
			if (mt_pipeline_dispatch(p, 1000, err, sizeof(err)) < 0)
				snprintf(t->load_err, sizeof(t->load_err), "%s", err);
		}
		if (p && t->o->live)
			live_stats(t);
		if (read_keys(t))
			dirty = true;
		if (t->quit || got_signal)
			break;
		if (m->counters.packets != seen_pkts || m->nsessions != seen_sess) {
			seen_pkts = m->counters.packets;
			seen_sess = m->nsessions;
			dirty = true;
		}
		double now = now_s();
		/* model changes redraw at most ~12 times a second; keys at once */
		if (dirty && (now - last_draw > 0.08 || !t->loading)) {
			draw(t);
			last_draw = now;
			dirty = false;
		}
		struct pollfd pf[2];
		int npf = 0;
		pf[npf].fd = kbd_fd;
		pf[npf].events = POLLIN;
		npf++;
		if (capfd >= 0 && !mt_pipeline_done(p)) {
			pf[npf].fd = capfd;
			pf[npf].events = POLLIN;
			npf++;
		}
		int timeout = t->loading ? 0 : t->o->live ? 250 : 1000;
		if (dirty)
			timeout = t->loading ? 0 : 50;
		int r = poll(pf, (nfds_t)npf, timeout);
		if (r < 0 && errno != EINTR) {
			snprintf(t->load_err, sizeof(t->load_err), "poll: %s", strerror(errno));
			break;
		}
		if (r > 0 && npf > 1 && (pf[1].revents & (POLLIN | POLLERR | POLLHUP))) {
			char err[160];
			if (mt_pipeline_dispatch(p, 10000, err, sizeof(err)) < 0) {
				snprintf(t->load_err, sizeof(t->load_err), "%s", err);
				capfd = -1;
			}
		}
		if (r > 0 && (pf[0].revents & (POLLHUP | POLLERR | POLLNVAL)) && !(pf[0].revents & POLLIN))
			break;   /* the terminal went away */
	}
	restore_terminal();
	delscreen(scr);
	if (kbd != stdin)
		fclose(kbd);
	if (scr_out != stdout)
		fclose(scr_out);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	sig_pipeline = NULL;
	free_tui(t);
	free(t);
	return 0;
}
