/* json_out.h - JSON lines renderer of the session model (docs/json.md). */
#ifndef MT_JSON_OUT_H
#define MT_JSON_OUT_H

#include <stdbool.h>
#include <stdio.h>

#include "../dissect/sbuf.h"
#include "../dissect/session.h"

struct mt_json_opts {
	bool reveal;       /* secrets in clear */
	bool transcript;   /* add "line" records */
};

/* Appends the records of one finished session (session, credential*,
 * message*, line*) to out, one JSON object per line. */
void mt_json_session(struct mt_sbuf *out, const struct mt_session *s, const struct mt_json_opts *o);
/* Appends the final summary record. */
void mt_json_summary(struct mt_sbuf *out, const struct mt_model *m);
/* "2023-05-07T06:41:15.123456Z" */
void mt_format_time(char *buf, size_t sz, uint64_t ts_ns);
/* The text of a line as shown: the secret range masked unless reveal. */
void mt_line_shown_text(struct mt_sbuf *raw_out, const struct mt_line *l, bool reveal);

#define MT_MASK "********"

#endif
