/* ipfrag.h - IPv4 fragment reassembly (RFC 791 §3.2), bounded in datagrams,
 * bytes and time. Overlapping fragments keep the first copy (counted). */
#ifndef MT_IPFRAG_H
#define MT_IPFRAG_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "limits.h"

struct mt_ipfrag;

struct mt_ipfrag *mt_ipfrag_new(const struct mt_limits *l, struct mt_counters *c);
void mt_ipfrag_free(struct mt_ipfrag *f);
/* Adds a fragment seen at ts_ns. When it completes a datagram, returns the
 * whole datagram (IPv4 header without fragment flags + payload), valid until
 * the next call, with its length in *outlen. Otherwise NULL. */
const uint8_t *mt_ipfrag_add(struct mt_ipfrag *f, const struct mt_ipv4_frag *fr, uint64_t ts_ns, size_t *outlen);

#endif
