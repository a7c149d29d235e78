/* limits.c - default values of every bounded resource (limits.h).
 *
 * The defaults are sized for a busy lab interface or a capture of a few GB:
 * worst-case memory stays in the low hundreds of MB (flows x fixed state,
 * plus the global out-of-order, history and fragment caps), while a normal
 * mail session never comes near any of them. Each can be changed on the
 * command line; when one is hit, its counter in struct mt_counters says so. */
#include "limits.h"

#include <string.h>

#define KiB ((size_t)1024)
#define MiB (1024 * KiB)
#define NS_PER_S UINT64_C(1000000000)

/* Fills *l with the documented defaults (README.md, mailtap.1). */
void mt_limits_default(struct mt_limits *l)
{
	memset(l, 0, sizeof(*l));
	l->max_flows = 131072;           /* concurrent TCP flows; oldest idle evicted */
	l->ooo_per_dir = 256 * KiB;      /* a few full windows of reordering */
	l->ooo_total = 64 * MiB;         /* all out-of-order queues together */
	l->tail_per_dir = 64 * KiB;      /* unconsumed bytes kept for a consumer */
	l->line_max = 16 * KiB;          /* RFC 5321 §4.5.3.1.6 asks for 1000; be generous */
	l->frag_max_datagrams = 4096;    /* IPv4 datagrams being reassembled */
	l->frag_max_bytes = 16 * MiB;    /* bytes held in fragment buffers */
	l->frag_timeout_ns = 30 * NS_PER_S;   /* RFC 791 suggests 15 s; Linux uses 30 s */
	l->idle_timeout_ns = 300 * NS_PER_S;  /* a quiet IMAP IDLE may last minutes */
	l->max_message = 16 * MiB;       /* bytes of one mail message kept */
	l->max_literal = 1 * MiB;        /* IMAP literal bytes kept for parsing */
	l->max_transcript = 100000;      /* transcript lines per session */
	l->max_body_lines = 200;         /* message body lines in a row in a transcript */
	l->max_raw_total = (size_t)256 << 20; /* message bytes kept for export/UI, in all */
	l->max_report_sessions = 100000; /* finished sessions kept for the text report */
	l->brute_force_n = 5;            /* failed logins before the brute_force warning */
	l->history_per_dir = 4 * KiB;    /* delivered bytes kept to spot overlap conflicts */
	l->history_total = 32 * MiB;     /* all histories together */
}
