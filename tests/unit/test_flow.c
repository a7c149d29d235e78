/* test_flow.c - the flow table: both directions find one flow, the client
 * is chosen by the documented rules, swapping sides, and removal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../../capture/flow.h"

static struct mt_tcp_seg seg(uint8_t a, uint16_t sp, uint8_t b, uint16_t dp, uint8_t flags)
{
	struct mt_tcp_seg s;
	memset(&s, 0, sizeof(s));
	s.src.family = s.dst.family = 4;
	s.src.a[0] = 10; s.src.a[3] = a;
	s.dst.a[0] = 10; s.dst.a[3] = b;
	s.sport = sp;
	s.dport = dp;
	s.flags = flags;
	return s;
}

struct fx { struct mt_limits l; struct mt_counters c; struct mt_flow_table t; };

static int setup(void **st)
{
	struct fx *f = calloc(1, sizeof(*f));
	mt_limits_default(&f->l);
	f->l.max_flows = 3;
	mt_flow_table_init(&f->t, &f->l, &f->c);
	*st = f;
	return 0;
}

static int teardown(void **st)
{
	struct fx *f = *st;
	while (f->t.lru_head) {
		struct mt_flow *x = f->t.lru_head;
		mt_flow_remove(&f->t, x);
		free(x);
	}
	mt_flow_table_free(&f->t);
	free(f);
	return 0;
}

static void test_syn_sender_is_client(void **st)
{
	struct fx *f = *st;
	int dir;
	struct mt_tcp_seg s = seg(5, 40000, 1, 8080, TH_SYN);
	struct mt_flow *fl = mt_flow_create(&f->t, &s, &dir);
	assert_int_equal(dir, 0);
	assert_int_equal(fl->port[0], 40000);
	assert_int_equal(fl->port[1], 8080);
	assert_true(fl->client_by_syn);
	struct mt_tcp_seg back = seg(1, 8080, 5, 40000, TH_SYN | TH_ACK);
	assert_ptr_equal(mt_flow_lookup(&f->t, &back, &dir), fl);
	assert_int_equal(dir, 1);
	assert_ptr_equal(mt_flow_lookup(&f->t, &s, &dir), fl);
	assert_int_equal(dir, 0);
}

static void test_synack_sender_is_server(void **st)
{
	struct fx *f = *st;
	int dir;
	struct mt_tcp_seg s = seg(1, 3000, 5, 2000, TH_SYN | TH_ACK);
	struct mt_flow *fl = mt_flow_create(&f->t, &s, &dir);
	assert_int_equal(dir, 1);
	assert_int_equal(fl->port[1], 3000);
}

static void test_midstream_mail_port(void **st)
{
	struct fx *f = *st;
	int dir;
	/* a reply from port 110 to a low client port: 110 is the server */
	struct mt_tcp_seg s = seg(1, 110, 5, 80, TH_ACK);
	struct mt_flow *fl = mt_flow_create(&f->t, &s, &dir);
	assert_int_equal(dir, 1);
	assert_int_equal(fl->port[1], 110);
	assert_false(fl->client_by_syn);
	/* no mail port: the lower port is the server */
	struct mt_tcp_seg u = seg(7, 5555, 8, 60000, TH_ACK);
	fl = mt_flow_create(&f->t, &u, &dir);
	assert_int_equal(fl->port[1], 5555);
	assert_int_equal(dir, 1);
	mt_flow_swap(fl);
	assert_int_equal(fl->port[1], 60000);
	assert_int_equal(fl->r[0].dir, 0);
	assert_ptr_equal(mt_flow_lookup(&f->t, &u, &dir), fl);
	assert_int_equal(dir, 0);
}

static void test_table_full_and_remove(void **st)
{
	struct fx *f = *st;
	int dir;
	for (int i = 0; i < 3; i++) {
		struct mt_tcp_seg s = seg((uint8_t)(20 + i), 1000, 1, 25, TH_SYN);
		mt_flow_create(&f->t, &s, &dir);
	}
	assert_true(mt_flow_table_full(&f->t));
	struct mt_flow *oldest = f->t.lru_head;
	struct mt_tcp_seg s0 = seg(20, 1000, 1, 25, TH_SYN);
	assert_ptr_equal(mt_flow_lookup(&f->t, &s0, &dir), oldest);
	mt_flow_touch(&f->t, oldest, 5000000000ull);   /* beyond the LRU grain */
	assert_ptr_equal(f->t.lru_tail, oldest);
	/* within the grain a flow does not move again (no LRU write per packet) */
	struct mt_flow *head = f->t.lru_head;
	mt_flow_touch(&f->t, head, 5000000000ull + 1000);   /* its first move */
	assert_ptr_equal(f->t.lru_tail, head);
	mt_flow_touch(&f->t, oldest, 5000000000ull + 2000);
	assert_ptr_equal(f->t.lru_tail, head);              /* oldest stayed */
	assert_int_equal(oldest->last_ts_ns, 5000000000ull + 2000);
	mt_flow_remove(&f->t, oldest);
	free(oldest);
	assert_null(mt_flow_lookup(&f->t, &s0, &dir));
	assert_false(mt_flow_table_full(&f->t));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_syn_sender_is_client, setup, teardown),
		cmocka_unit_test_setup_teardown(test_synack_sender_is_server, setup, teardown),
		cmocka_unit_test_setup_teardown(test_midstream_mail_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_full_and_remove, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
