/* limits.h - every bounded resource in mailtap, its default, and its counter.
 *
 * Each limit has a command-line option (see ui/options.c) and a counter in
 * struct mt_counters that is reported in the summary when the limit is hit.
 * Nothing read from the wire can make mailtap allocate past these. */
#ifndef MT_LIMITS_H
#define MT_LIMITS_H

#include <stddef.h>
#include <stdint.h>

struct mt_limits {
	size_t max_flows;          /* --max-flows: concurrent TCP flows; oldest idle evicted */
	size_t ooo_per_dir;        /* --max-ooo: out-of-order bytes queued per direction */
	size_t ooo_total;          /* --max-ooo-total: out-of-order bytes over all flows */
	size_t tail_per_dir;       /* --max-tail: unconsumed bytes kept for a consumer */
	size_t line_max;           /* --max-line: longest protocol line kept whole */
	size_t frag_max_datagrams; /* --max-frags: IPv4 datagrams being reassembled */
	size_t frag_max_bytes;     /* --max-frag-bytes: bytes held in fragment buffers */
	uint64_t frag_timeout_ns;  /* --frag-timeout: fragments older than this (packet time) are dropped */
	uint64_t idle_timeout_ns;  /* --idle-timeout: flow expiry by packet time */
	size_t max_message;        /* --max-message: bytes of one mail message kept */
	size_t max_literal;        /* --max-literal: IMAP literal bytes kept for parsing */
	size_t max_transcript;     /* --max-transcript: transcript lines kept per session */
	size_t max_body_lines;     /* --max-body-lines: message body lines kept in a row in a
	                            * transcript (the message record has all of it) */
	size_t max_raw_total;      /* --max-raw-total: message bytes kept over all sessions */
	size_t max_report_sessions; /* --max-report-sessions: finished sessions the text report
	                            * keeps for its tables (JSON streams them all) */
	unsigned brute_force_n;    /* --brute-force N: failed logins before the warning */
	size_t history_per_dir;    /* --max-history: delivered bytes kept to spot overlap conflicts */
	size_t history_total;      /* --max-history-total: global cap on that history memory */
};

/* Defaults, documented in README.md and mailtap.1. */
void mt_limits_default(struct mt_limits *l);

/* Counters of anomalies and limits hit. Reported in the summary record. */
struct mt_counters {
	uint64_t packets, bytes;
	uint64_t truncated_packets;   /* caplen < len, or a header cut short */
	uint64_t malformed_packets;   /* lengths or fields that cannot be right */
	uint64_t non_tcp_packets;
	uint64_t bad_ip_checksum, bad_tcp_checksum;
	uint64_t ip_fragments, frags_reassembled, frags_dropped, frag_overlaps;
	uint64_t flows_evicted;       /* max_flows hit */
	uint64_t flows_expired;       /* idle timeout */
	uint64_t ooo_dropped_bytes;   /* out-of-order limit hit (became a gap) */
	uint64_t gaps, gap_bytes;
	uint64_t overlap_conflicts;
	uint64_t retransmissions;
	uint64_t lines_truncated;     /* line_max hit */
	uint64_t messages_truncated;  /* max_message hit */
	uint64_t mime_limits_hit;     /* MIME header/depth/name caps hit (dissect/mime.h) */
	uint64_t transcript_dropped;  /* max_transcript or max_body_lines hit */
	uint64_t raw_not_kept;        /* message bytes not kept: max_raw_total hit */
	uint64_t history_unavailable; /* history_total hit: conflicts not checkable */
	uint64_t file_damaged;        /* the capture file ended in a read error */
	uint64_t kernel_recv, kernel_drop, kernel_ifdrop; /* live only */
};

#endif
