/* tui_view.h - internals shared by the ncurses views (ui/tui*.c, ui/view_*.c).
 *
 * One struct tui holds the UI state; each view is a struct tui_view_ops
 * with sync (bring its rows up to date with the model, cheaply and
 * incrementally), draw (only the visible rows) and action (the keys of the
 * key table that are its own). Movement keys are handled once, in tui.c,
 * on the view's struct tui_list. Not a public interface: ui/tui.h is. */
#ifndef MT_UI_TUI_VIEW_H
#define MT_UI_TUI_VIEW_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../capture/pipeline.h"
#include "../dissect/sbuf.h"
#include "../dissect/session.h"
#include "filter.h"
#include "keys.h"
#include "tui.h"
#include "tui_format.h"

enum tui_attr {
	TA_NORMAL = 0, TA_HEADER, TA_SELECTED, TA_CLIENT, TA_SERVER, TA_DECODED, TA_EXPOSED,
	TA_DIVIDER, TA_GAP, TA_STATUS, TA_ALERT, TA_ERROR, TA_TAB, TA_TAB_ACTIVE, TA_DIM, TA_MATCH,
	TA__COUNT
};

struct tui_list {
	size_t cur, top;   /* selected row, first visible row */
	bool follow;       /* G pressed: stay on the last row as rows arrive */
};

struct tui;

struct tui_view_ops {
	enum tui_view_id id;
	void (*sync)(struct tui *t);
	/* Draws the view in screen rows y0 .. y0+h-1 (its header included). */
	void (*draw)(struct tui *t, int y0, int h);
	/* Handles an action; false if the view has nothing to do with it. */
	bool (*action)(struct tui *t, enum tui_action a);
	struct tui_list *(*list)(struct tui *t);
	size_t (*nrows)(struct tui *t);
};

extern const struct tui_view_ops tui_view_packets, tui_view_sessions, tui_view_creds,
                                 tui_view_transcript, tui_view_help;

struct tui_cred_row { uint32_t sess, cred; };
/* sub 0: the line; 1: its keystrokes; 2: the STARTTLS divider after it */
struct tui_tr_row { uint32_t line; uint8_t sub; };

struct tui {
	struct mt_pipeline *p;
	struct mt_model *m;
	const struct mt_tui_opts *o;
	bool reveal;
	bool ascii;                 /* locale is not UTF-8: draw ASCII only */
	attr_t attr[TA__COUNT];

	enum tui_view_id view;
	enum tui_view_id tr_from, help_from;  /* where q goes back to */
	bool tr_open;               /* a transcript has been opened (Tab visits it) */
	int list_h;                 /* visible rows of the current list */
	int tab_x[TV__COUNT + 1];   /* tab bar columns, for the mouse */

	char msg[256];              /* the message line */
	bool msg_err;

	/* prompt (filter or search) */
	int prompt;                 /* 0 none, 'f' filter, '/' search */
	char pbuf[256];
	size_t plen;

	/* display filter, shared by the lists */
	char filter_text[256];
	struct mt_filter *filter;
	uint64_t filter_gen;        /* bumped when the filter changes */

	/* per-session state, by session id - 1 */
	struct tui_lindex *lix;
	uint8_t *sess_match;        /* filter verdict per session */
	size_t nsess_state;

	/* packets */
	struct tui_list pk;
	uint32_t *pk_rows;          /* packet indices that pass the filter */
	size_t pk_n, pk_cap, pk_scanned;
	uint64_t pk_gen;

	/* sessions */
	struct tui_list se;
	uint32_t *se_rows;
	size_t se_n;
	enum tui_sort sort;
	bool sort_desc;

	/* credentials */
	struct tui_list cr;
	struct tui_cred_row *cr_rows;
	size_t cr_n, cr_cap;

	/* transcript */
	struct tui_list tr;
	uint32_t tr_session;        /* session id, 0 = none */
	struct tui_tr_row *tr_rows;
	size_t tr_n, tr_cap, tr_built_lines;
	bool tr_dirty;
	int tr_dir;                 /* -1 entire, DIR_C2S, DIR_S2C */
	bool tr_keys;
	int tr_hscroll;
	char search[256];

	/* help */
	struct tui_list hp;
	char **help_lines;
	size_t help_n;

	/* loading / live */
	bool loading;               /* offline file not read to the end yet */
	bool finished;              /* mt_pipeline_finish called */
	double progress;
	char load_err[160];
	uint64_t rate_pkts;         /* live capture rate */
	double rate_t, rate;
	double stats_t;
	bool quit;

	struct mt_sbuf tmp;         /* scratch, reused per cell */
};

/* ---- helpers in tui.c ---- */
/* Draws utf8 (already sanitised) at (y, x) in at most w columns with attr,
 * skipping `skip` columns; pads to w when pad. Returns columns drawn. */
int tui_put(struct tui *t, int y, int x, int w, attr_t a, const char *utf8, int skip, bool pad);
/* Draws the header row of a list. */
void tui_header(struct tui *t, int y, const char *text);
/* One cell of a laid-out row (right-aligned for numeric columns). */
void tui_cell(struct tui *t, int y, const struct tui_col *c, attr_t a, const char *text);
/* The header row of laid-out columns. */
void tui_col_header(struct tui *t, int y, const struct tui_col *c, int n);
void tui_message(struct tui *t, bool err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The session with that id, or NULL. */
struct mt_session *tui_session(struct tui *t, uint32_t id);
/* The line index of a session (created on demand). */
struct tui_lindex *tui_lindex(struct tui *t, uint32_t id);
/* Keeps cur within n rows and visible in h rows. */
void tui_list_clamp(struct tui_list *l, size_t n, int h);
/* Opens the transcript of session id with the cursor on line `line`. */
void tui_open_transcript(struct tui *t, uint32_t id, size_t line);
/* Shows the Packets view with the cursor on frame (clears a filter that hides it). */
void tui_goto_frame(struct tui *t, uint64_t frame);
/* Sets the current view. */
void tui_set_view(struct tui *t, enum tui_view_id v);
/* Saves a session (w): pcap and .eml files; result in the message line. */
void tui_save(struct tui *t, const struct mt_session *s);
/* Session filter verdict (cached per refresh). */
bool tui_session_visible(struct tui *t, const struct mt_session *s);

/* ---- tui_save.c ---- */
/* Writes s as a pcap (from src_file, when not NULL) and each message with
 * raw bytes as .eml into dir, with safe names that never overwrite (a
 * "-2", "-3" ... suffix is added). A summary goes to msg. Returns the number
 * of files written, or -1 if nothing could be written. */
int tui_save_session(const struct mt_session *s, const char *src_file, const char *dir,
                     char *msg, size_t msgsz);

#endif
