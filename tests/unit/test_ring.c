/* test_ring.c - the growing FIFO behind the pipelining queues. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../dissect/ring.h"

static void test_fifo_grows_and_drops(void **st)
{
	(void)st;
	struct mt_ring r;
	mt_ring_init(&r, sizeof(int), 10);
	assert_null(mt_ring_head(&r));
	assert_false(mt_ring_pop(&r, NULL));
	for (int i = 0; i < 3; i++)
		*(int *)mt_ring_push(&r) = i;
	int v;
	assert_true(mt_ring_pop(&r, &v));
	assert_int_equal(v, 0);
	/* wrap, then grow past 4 while wrapped: order is kept */
	for (int i = 3; i < 9; i++)
		*(int *)mt_ring_push(&r) = i;
	assert_int_equal(r.len, 8);
	assert_int_equal(*(int *)mt_ring_head(&r), 1);
	/* past the cap of 10: the oldest go */
	for (int i = 9; i < 15; i++)
		*(int *)mt_ring_push(&r) = i;
	assert_int_equal(r.len, 10);
	assert_int_equal(r.dropped, 4);
	for (int want = 5; want < 15; want++) {
		assert_true(mt_ring_pop(&r, &v));
		assert_int_equal(v, want);
	}
	assert_false(mt_ring_pop(&r, &v));
	mt_ring_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fifo_grows_and_drops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
