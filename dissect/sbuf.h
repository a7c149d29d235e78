/* sbuf.h - a growable NUL-terminated string buffer for renderers.
 * Allocation failure aborts (mailtap cannot continue without memory). */
#ifndef MT_SBUF_H
#define MT_SBUF_H

#include <stdarg.h>
#include <stddef.h>

struct mt_sbuf { char *s; size_t len, cap; };

void mt_sbuf_init(struct mt_sbuf *b);
void mt_sbuf_free(struct mt_sbuf *b);
void mt_sbuf_reset(struct mt_sbuf *b);               /* len = 0, keeps memory */
void mt_sbuf_add(struct mt_sbuf *b, const void *p, size_t n);
void mt_sbuf_adds(struct mt_sbuf *b, const char *s);
void mt_sbuf_addc(struct mt_sbuf *b, char c);
void mt_sbuf_printf(struct mt_sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *mt_sbuf_steal(struct mt_sbuf *b);               /* caller frees; b is reset */

/* Decoded-text helpers shared by the dissectors (docs/hacking.md: decoded
 * meaning is `key="value"` text). They read exactly p[0..n), NULs included. */

/* How mt_sbuf_add_quoted writes C0 control bytes and DEL. */
enum mt_quote {
	MT_QUOTE_HEX_CTL,   /* as \xNN, so the text shows what was sent (SMTP, POP3) */
	MT_QUOTE_KEEP_CTL,  /* as they are: the renderers sanitise (IMAP) */
};
/* Appends p[0..n) between double quotes, '"' and '\' escaped with a
 * backslash, control bytes as q says; bytes >= 0x80 (UTF-8) kept. */
void mt_sbuf_add_quoted(struct mt_sbuf *b, const void *p, size_t n, enum mt_quote q);
/* Appends p[0..n) unquoted, C0 controls and DEL as \xNN. */
void mt_sbuf_add_escaped(struct mt_sbuf *b, const void *p, size_t n);
/* Appends p[0..n) as lower-case hex, two digits a byte. */
void mt_sbuf_add_hex(struct mt_sbuf *b, const void *p, size_t n);

/* Called once before an out-of-memory abort (the UI restores the terminal). */
void mt_set_oom_hook(void (*hook)(void));

/* xmalloc family: abort with a message on failure. */
void *mt_xmalloc(size_t n);
void *mt_xcalloc(size_t n, size_t sz);
void *mt_xrealloc(void *p, size_t n);
char *mt_xstrdup(const char *s);
char *mt_xstrndup(const char *s, size_t n);

#endif
