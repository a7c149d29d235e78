/* view_help.c - the help screen, generated from the key table (keys.c). */
#include "tui_view.h"

#include <stdlib.h>
#include <string.h>

static void refresh_rows(struct tui *t)
{
	if (t->help_lines)
		return;
	struct mt_sbuf b;
	mt_sbuf_init(&b);
	mt_sbuf_adds(&b, "mailtap - keys (generated from the key table)\n\n");
	tui_help_text(&b);
	mt_sbuf_adds(&b, "Secrets are masked as ******** until r reveals them; the status bar shows the state.\n"
	                 "Captured text is shown escaped (\\r \\e \\xNN): nothing from the wire reaches the terminal.\n");
	size_t n = 0;
	for (size_t i = 0; i < b.len; i++)
		n += b.s[i] == '\n';
	t->help_lines = mt_xcalloc(n + 1, sizeof(char *));
	char *p = b.s;
	while (p && *p) {
		char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		t->help_lines[t->help_n++] = mt_xstrndup(p, len);
		p = nl ? nl + 1 : NULL;
	}
	mt_sbuf_free(&b);
}

static void draw(struct tui *t, int y0, int h)
{
	int rows = h - 1;
	/* the cursor is the top line: help scrolls rather than selects */
	if (t->help_n > (size_t)rows && t->hp.cur > t->help_n - (size_t)rows)
		t->hp.cur = t->help_n - (size_t)rows;
	if (t->help_n <= (size_t)rows)
		t->hp.cur = 0;
	t->hp.top = t->hp.cur;
	tui_header(t, y0, "Help  (q or ? closes)");
	for (int r = 0; r < rows; r++) {
		size_t i = t->hp.top + (size_t)r;
		if (i >= t->help_n)
			break;
		const char *l = t->help_lines[i];
		bool title = l[0] && l[0] != ' ';
		tui_put(t, y0 + 1 + r, 1, COLS - 1, title ? A_BOLD : t->attr[TA_NORMAL], l, 0, false);
	}
}

static bool action(struct tui *t, enum tui_action a)
{
	return false;
}

static struct tui_list *list(struct tui *t)
{
	return &t->hp;
}

static size_t nrows(struct tui *t)
{
	return t->help_n;
}

const struct tui_view_ops tui_view_help = {
	.id = TV_HELP, .sync = refresh_rows, .draw = draw, .action = action, .list = list, .nrows = nrows,
};
