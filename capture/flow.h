/* flow.h - the flow table: one entry per TCP connection, keyed on the
 * bidirectional 5-tuple, with a least-recently-used list for idle expiry
 * (by packet time) and for eviction when max_flows is reached.
 *
 * Client choice (documented heuristic, in this order):
 *   1. the sender of a SYN without ACK is the client;
 *   2. the sender of a SYN+ACK is the server;
 *   3. picked up mid-stream: the side on a well-known mail port (25, 465, 587,
 *      2525, 110, 995, 1110, 143, 993, 1143, 23) is the server; otherwise the
 *      lower port is;
 *   4. then, before any byte was delivered, if the supposed client speaks
 *      first with a server greeting ("220", "+OK", "* OK", "* PREAUTH"),
 *      the two sides are swapped (mt_flow_swap). */
#ifndef MT_FLOW_H
#define MT_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "limits.h"
#include "ndpi_glue.h"
#include "reasm.h"

struct mt_session;

struct mt_flow {
	struct mt_flow *hnext;               /* hash chain */
	struct mt_flow *lprev, *lnext;       /* LRU: head = least recently used */
	uint32_t hash;
	struct mt_addr addr[2];              /* [0] client, [1] server */
	uint16_t port[2];
	uint64_t last_ts_ns;
	uint64_t lru_ts_ns;                  /* packet time of its last move in the LRU list */
	struct mt_reasm r[2];                /* r[0]: client->server bytes */
	struct mt_session *s;                /* NULL once the session is finished */
	struct mt_ndpi_flow nd;
	bool syn_seen;                       /* the client's SYN was captured */
	bool client_by_syn;                  /* sides decided by SYN/SYN-ACK */
	bool fin[2], rst;
	bool closed;                         /* finished; kept to absorb stragglers */
	bool decided;                        /* a dissector (or none) was chosen */
	bool data_seen[2];
	uint64_t max_end[2];                 /* highest stream offset delivered */
	uint64_t gap[2];
	uint32_t undecided_bytes;
};

struct mt_flow_table {
	struct mt_flow **bucket; size_t nbuckets;
	struct mt_flow *lru_head, *lru_tail;
	size_t count;
	const struct mt_limits *lim;
	struct mt_counters *cnt;
};

void mt_flow_table_init(struct mt_flow_table *t, const struct mt_limits *l, struct mt_counters *c);
void mt_flow_table_free(struct mt_flow_table *t);   /* frees flow structs only */
/* Finds the flow of a segment; *dir gets 0 if it goes client->server. */
struct mt_flow *mt_flow_lookup(struct mt_flow_table *t, const struct mt_tcp_seg *seg, int *dir);
/* Creates a flow for a segment (sides chosen by rules 1-3); *dir as above.
 * The caller must make room first (mt_flow_table_full / evict). */
struct mt_flow *mt_flow_create(struct mt_flow_table *t, const struct mt_tcp_seg *seg, int *dir);
bool mt_flow_table_full(const struct mt_flow_table *t);
/* Marks f most recently used at ts. */
void mt_flow_touch(struct mt_flow_table *t, struct mt_flow *f, uint64_t ts_ns);
/* Unlinks f from the table (the caller frees what it holds, then free(f)). */
void mt_flow_remove(struct mt_flow_table *t, struct mt_flow *f);
/* Swaps client and server (rule 4). */
void mt_flow_swap(struct mt_flow *f);
/* True for the ports of rule 3. */
bool mt_port_is_mail_server(uint16_t port);

#endif
