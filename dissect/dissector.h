/* dissector.h - the interface between reassembly and the mail dissectors.
 *
 * dissect/dispatch.c picks a dissector for a session (port, nDPI verdict,
 * content probe) and then hands it, per direction and in stream order, the
 * reassembled bytes and the gap events. A dissector never sees libpcap,
 * never prints, and reports only through the session model (session.h).
 *
 * Delivery contract: data() is called with contiguous bytes of one
 * direction; it returns how many it used. Unused bytes are offered again,
 * with more appended, on the next call (bounded by limits.tail_per_dir; when
 * that is exceeded the dispatcher forces consumption and counts it). Most
 * dissectors use the shared line splitter (lines.h), which always consumes
 * everything and keeps partial lines itself. */
#ifndef MT_DISSECTOR_H
#define MT_DISSECTOR_H

#include <stddef.h>
#include <stdint.h>

#include "session.h"

/* What the reassembler knows about a delivery. */
struct mt_seg_info {
	uint64_t frame;      /* frame that made these bytes available (the last one) */
	uint64_t ts_ns;      /* its capture time */
	uint64_t offset;     /* stream offset of the first byte (0 = first byte after SYN) */
	uint32_t nsegs;      /* TCP segments that contributed new bytes to this delivery */
};

struct mt_dissector {
	const char *name;                 /* "smtp", "pop3", "imap", "telnet", "tls" */
	enum mt_proto proto;
	/* Allocates per-session state into s->dissector_state. Returns 0 or -1. */
	int (*open)(struct mt_session *s);
	/* Bytes for one direction; returns bytes used (<= n). */
	size_t (*data)(struct mt_session *s, int dir, const uint8_t *p, size_t n,
	               const struct mt_seg_info *info);
	/* A hole of len bytes in direction dir (never spliced over). */
	void (*gap)(struct mt_session *s, int dir, uint64_t len, const struct mt_seg_info *info);
	/* FIN (or RST) in direction dir. */
	void (*fin)(struct mt_session *s, int dir, const struct mt_seg_info *info);
	/* End of session: flush partial lines, settle open outcomes, free state. */
	void (*close)(struct mt_session *s);
};

extern const struct mt_dissector mt_dissector_smtp;
extern const struct mt_dissector mt_dissector_pop3;
extern const struct mt_dissector mt_dissector_imap;
extern const struct mt_dissector mt_dissector_telnet;
extern const struct mt_dissector mt_dissector_tls;   /* implicit TLS: SNI, nothing else */
extern const struct mt_dissector mt_dissector_socks; /* a SOCKS handshake, then the tunnel is probed */

#endif
