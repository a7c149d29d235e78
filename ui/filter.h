/* filter.h - the display filter of the Packets and Sessions views.
 *
 * Grammar (words are case-insensitive):
 *   expr    := and { ("or" | "||") and }
 *   and     := unary { ("and" | "&&") unary }
 *   unary   := ("not" | "!") unary | primary
 *   primary := "(" expr ")" | "smtp" | "pop" | "pop3" | "imap" | "telnet"
 *            | "tls" | "tcp" | "creds" | "starttls" | "warn"
 *            | "host" ADDR | "port" N
 * Semantics on a session: smtp/pop/imap/telnet: its mail protocol (also when
 * inside TLS); tls: TLS of any kind (implicit, STARTTLS'd, TLS proto); tcp:
 * any followed TCP session; creds: at least one credential; starttls: offered
 * or requested; warn: any warning; host/port: either endpoint. A packet that
 * belongs to no session is matched by host/port on its own endpoints only.
 * Pure code, no curses: tests/unit/test_ui_filter.c. */
#ifndef MT_UI_FILTER_H
#define MT_UI_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "../dissect/session.h"

struct mt_filter;

/* Compiles text. Returns NULL with a one-line message in err on a syntax
 * error, and NULL with err[0] == 0 for an empty (all-blank) filter, which
 * matches everything. The filter is bounded (at most 256 terms). */
struct mt_filter *mt_filter_compile(const char *text, char *err, size_t errsz);
void mt_filter_free(struct mt_filter *f);

/* s may be NULL (a packet outside any session): then ep_a/ep_b ("addr:port",
 * "[v6]:port") are the packet's endpoints. With a session, its client and
 * server are used. A NULL filter matches everything. */
bool mt_filter_match(const struct mt_filter *f, const struct mt_session *s,
                     const char *ep_a, const char *ep_b);

/* Splits "10.0.0.1:110" / "[::1]:110" / "10.0.0.1" into address and port
 * (port -1 when absent). addr gets at most asz-1 bytes. */
void mt_endpoint_split(const char *ep, char *addr, size_t asz, int *port);

#endif
