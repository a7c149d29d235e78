/* keys.c - the key table and the help text generated from it. */
#include "keys.h"

#include <curses.h>
#include <string.h>

#define ESC 27
#define TR TV_BIT(TV_TRANSCRIPT)
#define SE TV_BIT(TV_SESSIONS)
#define FILT TV_LISTS
#define SAVE (TV_LISTS | TV_BIT(TV_TRANSCRIPT))
#define MOVE (TV_LISTS | TR | TV_BIT(TV_HELP))

/* View-specific entries first: lookup takes the first match. An entry with
 * help == NULL is an alias, listed on the line of the entry it follows. */
const struct tui_key tui_keys[] = {
	/* transcript */
	{ '/', "/", ACT_SEARCH, TR, "search the transcript" },
	{ 'n', "n", ACT_SEARCH_NEXT, TR, "next match" },
	{ 'N', "N", ACT_SEARCH_PREV, TR, "previous match" },
	{ 'f', "f", ACT_DIR_FILTER, TR, "show Entire / Client / Server side" },
	{ 't', "t", ACT_TOGGLE_KEYS, TR, "show keystrokes (with timing) under typed lines" },
	{ 'J', "J", ACT_JUMP, TR, "jump to the packet that carried the line" },
	{ '\n', "Enter", ACT_JUMP, TR, NULL },
	{ '\r', "Enter", ACT_JUMP, TR, NULL },
	{ KEY_ENTER, "Enter", ACT_JUMP, TR, NULL },
	{ KEY_LEFT, "Left", ACT_LEFT, TR, "scroll left" },
	{ 'h', "h", ACT_LEFT, TR, NULL },
	{ KEY_RIGHT, "Right", ACT_RIGHT, TR, "scroll right" },
	{ 'l', "l", ACT_RIGHT, TR, NULL },
	/* lists */
	{ '/', "/", ACT_FILTER, FILT, "display filter: smtp pop imap telnet tls creds starttls, host ADDR, port N; and or not ( )" },
	{ '\n', "Enter", ACT_OPEN, TV_LISTS, "open the session's transcript" },
	{ '\r', "Enter", ACT_OPEN, TV_LISTS, NULL },
	{ KEY_ENTER, "Enter", ACT_OPEN, TV_LISTS, NULL },
	{ '>', ">", ACT_SORT_NEXT, SE, "sort by the next column" },
	{ '.', ".", ACT_SORT_NEXT, SE, NULL },
	{ '<', "<", ACT_SORT_PREV, SE, "sort by the previous column" },
	{ ',', ",", ACT_SORT_PREV, SE, NULL },
	{ 'I', "I", ACT_SORT_INVERT, SE, "invert the sort order" },
	{ 'w', "w", ACT_SAVE, SAVE, "save the session as .pcap and its messages as .eml" },
	/* movement */
	{ KEY_UP, "Up", ACT_UP, MOVE, "move up" },
	{ 'k', "k", ACT_UP, MOVE, NULL },
	{ KEY_DOWN, "Down", ACT_DOWN, MOVE, "move down" },
	{ 'j', "j", ACT_DOWN, MOVE, NULL },
	{ KEY_PPAGE, "PgUp", ACT_PGUP, MOVE, "page up" },
	{ KEY_NPAGE, "PgDn", ACT_PGDN, MOVE, "page down" },
	{ ' ', "Space", ACT_PGDN, MOVE, NULL },
	{ 'g', "g", ACT_HOME, MOVE, "first row" },
	{ KEY_HOME, "Home", ACT_HOME, MOVE, NULL },
	{ 'G', "G", ACT_END, MOVE, "last row (follows new rows)" },
	{ KEY_END, "End", ACT_END, MOVE, NULL },
	/* everywhere */
	{ '\t', "Tab", ACT_NEXT_PANE, TV_ALL, "next view" },
	{ KEY_BTAB, "Shift-Tab", ACT_PREV_PANE, TV_ALL, "previous view" },
	{ 'p', "p", ACT_VIEW_PACKETS, TV_ALL, "packets" },
	{ 's', "s", ACT_VIEW_SESSIONS, TV_ALL, "sessions" },
	{ 'c', "c", ACT_VIEW_CREDS, TV_ALL, "credentials" },
	{ '?', "?", ACT_HELP, TV_ALL, "this help" },
	{ KEY_F(1), "F1", ACT_HELP, TV_ALL, NULL },
	{ 'r', "r", ACT_REVEAL, TV_ALL, "reveal / mask secrets" },
	{ 'q', "q", ACT_BACK, TV_ALL, "back; quit from the top view" },
	{ ESC, "Esc", ACT_BACK, TV_ALL, NULL },
	{ 'Q', "Q", ACT_QUIT, TV_ALL, "quit" },
	{ 12, "Ctrl-L", ACT_REDRAW, TV_ALL, "redraw the screen" },
	{ 0, NULL, ACT_NONE, 0, NULL },
};

enum tui_action tui_key_action(enum tui_view_id view, int key)
{
	if ((unsigned)view >= TV__COUNT)
		return ACT_NONE;
	for (const struct tui_key *k = tui_keys; k->key; k++)
		if (k->key == key && (k->views & TV_BIT(view)))
			return k->action;
	return ACT_NONE;
}

static const char *const view_names[TV__COUNT] = {
	[TV_PACKETS] = "Packets",
	[TV_SESSIONS] = "Sessions",
	[TV_CREDS] = "Credentials",
	[TV_TRANSCRIPT] = "Transcript",
	[TV_HELP] = "Help",
};

const char *tui_view_name(enum tui_view_id v)
{
	return (unsigned)v < TV__COUNT ? view_names[v] : "?";
}

static void group_title(struct mt_sbuf *out, unsigned views)
{
	if (views == TV_ALL) {
		mt_sbuf_adds(out, "Everywhere");
		return;
	}
	bool first = true;
	for (int v = 0; v < TV__COUNT; v++) {
		if (!(views & TV_BIT(v)))
			continue;
		mt_sbuf_printf(out, "%s%s", first ? "" : ", ", view_names[v]);
		first = false;
	}
}

void tui_help_text(struct mt_sbuf *out)
{
	/* Groups in order of first appearance; inside a group, table order. */
	unsigned groups[32];
	int ngroups = 0;
	for (const struct tui_key *k = tui_keys; k->key; k++) {
		int g;
		for (g = 0; g < ngroups; g++)
			if (groups[g] == k->views)
				break;
		if (g == ngroups && ngroups < 32)
			groups[ngroups++] = k->views;
	}
	/* Movement and "everywhere" read best first. */
	for (int pass = 0; pass < 2; pass++) {
		for (int g = 0; g < ngroups; g++) {
			bool general = groups[g] == TV_ALL || groups[g] == MOVE;
			if (general != (pass == 0))
				continue;
			group_title(out, groups[g]);
			mt_sbuf_adds(out, "\n");
			for (const struct tui_key *k = tui_keys; k->key; k++) {
				if (k->views != groups[g] || !k->help)
					continue;
				struct mt_sbuf lab;
				mt_sbuf_init(&lab);
				mt_sbuf_adds(&lab, k->label);
				/* aliases: same action and views, no help of their own */
				for (const struct tui_key *a = tui_keys; a->key; a++) {
					if (a == k || a->help || a->action != k->action || a->views != k->views)
						continue;
					if (strstr(lab.s, a->label))
						continue;  /* Enter is bound three times */
					mt_sbuf_printf(&lab, ", %s", a->label);
				}
				mt_sbuf_printf(out, "  %-16s %s\n", lab.s, k->help);
				mt_sbuf_free(&lab);
			}
			mt_sbuf_adds(out, "\n");
		}
	}
}
