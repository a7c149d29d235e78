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

/* xmalloc family: abort with a message on failure. */
void *mt_xmalloc(size_t n);
void *mt_xcalloc(size_t n, size_t sz);
void *mt_xrealloc(void *p, size_t n);
char *mt_xstrdup(const char *s);
char *mt_xstrndup(const char *s, size_t n);

#endif
