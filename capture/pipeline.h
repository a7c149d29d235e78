/* pipeline.h - capture -> decode -> flows -> reassembly -> dissectors.
 *
 * The one object the front ends (report, JSON, ncurses UI) drive. It owns
 * the libpcap handle, the flow table, the nDPI module and the IPv4
 * fragment table, and it writes only into the session model it is given.
 * It never blocks when the handle is non-blocking (live mode), so the UI
 * can poll its descriptor together with the keyboard. */
#ifndef MT_PIPELINE_H
#define MT_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../dissect/session.h"

struct mt_capture_opts {
	const char *read_file;     /* -r FILE ("-" = stdin) */
	const char *iface;         /* -i IFACE */
	const char *filter;        /* BPF expression or NULL */
	const char *write_file;    /* -w FILE: copy of every packet */
	bool force;                /* --force: -w may overwrite */
	uint64_t max_packets;      /* -c N (0 = no limit) */
	int snaplen;               /* -s SNAPLEN (0 = 262144) */
	bool promisc;              /* false with -p */
	bool immediate;            /* live: immediate mode (the UI) */
	int buffer_mb;             /* live: kernel capture buffer */
	bool no_ndpi;              /* --no-ndpi: skip classification */
};

struct mt_pipeline;

/* Opens the source and prepares every stage. On failure returns NULL with a
 * one-line message in err. Exit status 2 is the caller's business. */
struct mt_pipeline *mt_pipeline_open(const struct mt_capture_opts *o, struct mt_model *m,
                                     char *err, size_t errsz);
/* Pollable descriptor of a live capture, or -1 (offline: just dispatch). */
int mt_pipeline_fd(const struct mt_pipeline *p);
/* Processes up to budget packets (budget <= 0: until EOF or nothing ready).
 * Returns the number processed, or -1 on a read error (message in err). */
long mt_pipeline_dispatch(struct mt_pipeline *p, long budget, char *err, size_t errsz);
/* True once the file is exhausted, -c N reached, or mt_pipeline_stop() called. */
bool mt_pipeline_done(const struct mt_pipeline *p);
/* Asks a running dispatch to stop (safe from a signal handler). */
void mt_pipeline_stop(struct mt_pipeline *p);
/* Offline: fraction of the input file read so far (0..1), or -1 if unknown. */
double mt_pipeline_progress(const struct mt_pipeline *p);
/* Live: refreshes the kernel's received/dropped counters in the model. */
void mt_pipeline_stats(struct mt_pipeline *p);
/* Ends every open flow: reassembly flushed, sessions finished (in id order). */
void mt_pipeline_finish(struct mt_pipeline *p);
/* Frees everything (the model stays the caller's). */
void mt_pipeline_close(struct mt_pipeline *p);

/* Writes the frames of one session (by its addresses and frame range) from
 * the capture file `src` to a new pcap file `out`. Refuses to overwrite an
 * existing file unless force. Returns frames written, or -1 with err set. */
long mt_capture_save_session(const char *src, const struct mt_session *s, const char *out, bool force,
                             char *err, size_t errsz);

#endif
