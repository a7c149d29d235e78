/* test_ui_keys.c - the UI key table and the help generated from it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <curses.h>
#include <string.h>

#include "../../ui/keys.h"

static void test_spec_keys(void **state)
{
	/* issue 5's vocabulary, view by view */
	for (int v = TV_PACKETS; v <= TV_CREDS; v++) {
		assert_int_equal(tui_key_action(v, '\t'), ACT_NEXT_PANE);
		assert_int_equal(tui_key_action(v, KEY_UP), ACT_UP);
		assert_int_equal(tui_key_action(v, 'k'), ACT_UP);
		assert_int_equal(tui_key_action(v, KEY_DOWN), ACT_DOWN);
		assert_int_equal(tui_key_action(v, 'j'), ACT_DOWN);
		assert_int_equal(tui_key_action(v, KEY_PPAGE), ACT_PGUP);
		assert_int_equal(tui_key_action(v, KEY_NPAGE), ACT_PGDN);
		assert_int_equal(tui_key_action(v, 'g'), ACT_HOME);
		assert_int_equal(tui_key_action(v, 'G'), ACT_END);
		assert_int_equal(tui_key_action(v, '\r'), ACT_OPEN);
		assert_int_equal(tui_key_action(v, '\n'), ACT_OPEN);
		assert_int_equal(tui_key_action(v, 27), ACT_BACK);
		assert_int_equal(tui_key_action(v, 'q'), ACT_BACK);
		assert_int_equal(tui_key_action(v, '/'), ACT_FILTER);
		assert_int_equal(tui_key_action(v, 'c'), ACT_VIEW_CREDS);
		assert_int_equal(tui_key_action(v, 's'), ACT_VIEW_SESSIONS);
		assert_int_equal(tui_key_action(v, 'p'), ACT_VIEW_PACKETS);
		assert_int_equal(tui_key_action(v, 'r'), ACT_REVEAL);
		assert_int_equal(tui_key_action(v, '?'), ACT_HELP);
		assert_int_equal(tui_key_action(v, 'w'), ACT_SAVE);
	}
	/* the transcript gives some keys their own meaning */
	assert_int_equal(tui_key_action(TV_TRANSCRIPT, '/'), ACT_SEARCH);
	assert_int_equal(tui_key_action(TV_TRANSCRIPT, 'n'), ACT_SEARCH_NEXT);
	assert_int_equal(tui_key_action(TV_TRANSCRIPT, 'N'), ACT_SEARCH_PREV);
	assert_int_equal(tui_key_action(TV_TRANSCRIPT, 'f'), ACT_DIR_FILTER);
	assert_int_equal(tui_key_action(TV_TRANSCRIPT, 't'), ACT_TOGGLE_KEYS);
	assert_int_equal(tui_key_action(TV_TRANSCRIPT, 'J'), ACT_JUMP);
	assert_int_equal(tui_key_action(TV_TRANSCRIPT, '\r'), ACT_JUMP);
	assert_int_equal(tui_key_action(TV_TRANSCRIPT, 'w'), ACT_SAVE);
	assert_int_equal(tui_key_action(TV_TRANSCRIPT, 'q'), ACT_BACK);
	/* sorting belongs to the sessions view only */
	assert_int_equal(tui_key_action(TV_SESSIONS, '>'), ACT_SORT_NEXT);
	assert_int_equal(tui_key_action(TV_PACKETS, '>'), ACT_NONE);
	assert_int_equal(tui_key_action(TV_HELP, 'w'), ACT_NONE);
	assert_int_equal(tui_key_action(TV_PACKETS, 'x'), ACT_NONE);
	assert_int_equal(tui_key_action(TV__COUNT, 'q'), ACT_NONE);
}

static void test_no_shadowed_entries(void **state)
{
	/* every entry must be reachable: no earlier entry with the same key
	 * covers all of its views (it would never fire, yet show in help) */
	for (const struct tui_key *k = tui_keys; k->key; k++) {
		unsigned left = k->views;
		for (const struct tui_key *e = tui_keys; e < k; e++)
			if (e->key == k->key)
				left &= ~e->views;
		if (!left)
			fail_msg("key %s (%s) is shadowed", k->label, k->help ? k->help : "alias");
	}
}

static void test_help_lists_every_entry(void **state)
{
	struct mt_sbuf b;
	mt_sbuf_init(&b);
	tui_help_text(&b);
	for (const struct tui_key *k = tui_keys; k->key; k++) {
		if (k->help && !strstr(b.s, k->help))
			fail_msg("help lacks '%s'", k->help);
		if (!strstr(b.s, k->label))
			fail_msg("help lacks the key '%s'", k->label);
	}
	/* aliases share a line; Enter (bound three times) appears once per group */
	assert_non_null(strstr(b.s, "Up, k"));
	assert_non_null(strstr(b.s, "q, Esc"));
	assert_non_null(strstr(b.s, "J, Enter"));
	assert_null(strstr(b.s, "Enter, Enter"));
	assert_non_null(strstr(b.s, "Everywhere\n"));
	assert_non_null(strstr(b.s, "Transcript\n"));
	assert_non_null(strstr(b.s, "Sessions\n"));
	mt_sbuf_free(&b);
}

static void test_view_names(void **state)
{
	assert_string_equal(tui_view_name(TV_PACKETS), "Packets");
	assert_string_equal(tui_view_name(TV_CREDS), "Credentials");
	assert_string_equal(tui_view_name(TV__COUNT), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_keys),
		cmocka_unit_test(test_no_shadowed_entries),
		cmocka_unit_test(test_help_lists_every_entry),
		cmocka_unit_test(test_view_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
