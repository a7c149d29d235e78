/* dispatch.h - choosing a session's dissector, and the path from the
 * reassembler's events to it.
 *
 * The choice uses, in order: the server port (25/587/2525 SMTP, 465 SMTP over
 * implicit TLS, 110/1110 POP3, 995 POP3 over TLS, 143/1143 IMAP, 993 IMAP
 * over TLS, 23 telnet), then a content probe of the first bytes (a server
 * greeting, a client command, a TLS record, telnet negotiation), then nDPI's
 * verdict. Undecided bytes stay with the reassembler (bounded) until then. */
#ifndef MT_DISPATCH_H
#define MT_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissector.h"
#include "session.h"

/* nDPI's view, translated by the capture layer (dissectors never see nDPI). */
struct mt_proto_hint {
	enum mt_proto proto;   /* PROTO_OTHER when nDPI has nothing to say */
	bool tls;              /* implicit TLS (SMTPS/POPS/IMAPS/TLS) */
	bool final;            /* nDPI will not change its mind */
};

/* Decides from the server port alone (called when the session opens).
 * Returns true if decided. */
bool mt_dispatch_by_port(struct mt_session *s, uint16_t server_port);
/* Decides from the first bytes of one direction and the hint. force: decide
 * now (as "other" if nothing matched). Returns true if decided. */
bool mt_dispatch_probe(struct mt_session *s, int dir, const uint8_t *p, size_t n,
                       const struct mt_proto_hint *hint, bool force);
/* Bytes for the chosen dissector; returns bytes used (all, with no dissector). */
size_t mt_dispatch_data(struct mt_session *s, int dir, const uint8_t *p, size_t n,
                        const struct mt_seg_info *info);
void mt_dispatch_gap(struct mt_session *s, int dir, uint64_t len, const struct mt_seg_info *info);
void mt_dispatch_conflict(struct mt_session *s, int dir, uint64_t offset, uint64_t len,
                          uint64_t a_frame, uint64_t b_frame, uint64_t ts_ns);
void mt_dispatch_fin(struct mt_session *s, int dir, const struct mt_seg_info *info);

#endif
