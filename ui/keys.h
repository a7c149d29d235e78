/* keys.h - the one key table of the ncurses UI.
 *
 * Every key maps to an action through this table (per view, or global), and
 * the help screen is generated from it, so help and behaviour cannot drift
 * apart (htop's Action.c idea). Pure data and lookups: no curses calls, so
 * tests/unit/test_ui_keys.c checks it without a terminal. */
#ifndef MT_UI_KEYS_H
#define MT_UI_KEYS_H

#include <stdbool.h>

#include "../dissect/sbuf.h"

/* The views; a key entry applies to a set of them (bit 1 << view). */
enum tui_view_id { TV_PACKETS = 0, TV_SESSIONS, TV_CREDS, TV_TRANSCRIPT, TV_HELP, TV__COUNT };
#define TV_BIT(v) (1u << (v))
#define TV_ALL ((1u << TV__COUNT) - 1)
#define TV_LISTS (TV_BIT(TV_PACKETS) | TV_BIT(TV_SESSIONS) | TV_BIT(TV_CREDS))

enum tui_action {
	ACT_NONE = 0,
	ACT_UP, ACT_DOWN, ACT_PGUP, ACT_PGDN, ACT_HOME, ACT_END, ACT_LEFT, ACT_RIGHT,
	ACT_OPEN,          /* Enter: open the transcript / jump to the packet */
	ACT_BACK,          /* Esc/q: back, quit from the top level */
	ACT_QUIT,          /* Q: quit at once */
	ACT_NEXT_PANE, ACT_PREV_PANE,
	ACT_FILTER,        /* / on lists: display filter */
	ACT_SEARCH,        /* / in the transcript */
	ACT_SEARCH_NEXT, ACT_SEARCH_PREV,
	ACT_VIEW_PACKETS, ACT_VIEW_SESSIONS, ACT_VIEW_CREDS, ACT_HELP,
	ACT_REVEAL,
	ACT_SAVE,
	ACT_DIR_FILTER,    /* f: Entire / Client / Server */
	ACT_TOGGLE_KEYS,   /* t: keystrokes under typed lines */
	ACT_JUMP,          /* J: packet of the line */
	ACT_SORT_NEXT, ACT_SORT_PREV, ACT_SORT_INVERT,
	ACT_REDRAW,
	ACT__COUNT
};

/* Key codes are curses key codes (KEY_UP ...) or characters; the table is
 * filled in keys.c, which includes curses only for the KEY_ constants. */
struct tui_key {
	int key;
	const char *label;     /* as shown in help: "Enter", "PgDn", "j" */
	enum tui_action action;
	unsigned views;        /* TV_BIT set the entry applies to */
	const char *help;      /* NULL: an alias not listed separately */
};

/* The table, terminated by an entry with key 0. */
extern const struct tui_key tui_keys[];

/* The action of key in view; the first matching entry wins (view-specific
 * entries come before global ones). ACT_NONE if the key is unbound. */
enum tui_action tui_key_action(enum tui_view_id view, int key);

/* Title of a view: "Packets", "Sessions", ... */
const char *tui_view_name(enum tui_view_id v);

/* Appends the help text generated from the table to out: one line per entry
 * ("  j Down      move down"), grouped by the views it applies to, lines
 * separated by '\n'. Aliases of the same action in the same group are
 * joined on one line ("k, Up"). */
void tui_help_text(struct mt_sbuf *out);

#endif
