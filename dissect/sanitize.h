/* sanitize.h - captured text made safe where it meets a terminal or JSON.
 *
 * Terminal: printable ASCII and valid UTF-8 pass (C1 controls and bidi
 * overrides do not); everything else is shown escaped: \r \n \t \e \\ and
 * \xNN. No byte from the wire reaches a terminal as a control sequence.
 *
 * JSON: a valid JSON string body (no quotes added): ", \ and controls are
 * escaped, valid UTF-8 is kept, and each byte of invalid UTF-8 is written
 * as the code point U+00NN (so no information is lost and the output is
 * always valid UTF-8). */
#ifndef MT_SANITIZE_H
#define MT_SANITIZE_H

#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"

void mt_sanitize_term(struct mt_sbuf *out, const void *p, size_t n);
void mt_sanitize_json(struct mt_sbuf *out, const void *p, size_t n);
/* Length in bytes of a valid UTF-8 sequence at p (1..4), or 0 if invalid. */
size_t mt_utf8_seq_len(const uint8_t *p, size_t n);

#endif
