#ifndef _LMDBACL_INT_H_INCLUDED_
#define _LMDBACL_INT_H_INCLUDED_

/*++
/* NAME
/*	lmdbacl_int 3h
/* SUMMARY
/*	engine internals shared by the store, the matcher and import
/* SYNOPSIS
/*	#include "lmdbacl_int.h"
/* DESCRIPTION
/*	Record layout of a table file (one LMDB main database, keys in
/*	memcmp order, every key starts with a one-byte tag):
/* .IP "'B' \"filter\""
/*	a Bloom filter over the probe keys of every exact and wildcard
/*	record (3 bits each, about 10 bits per key): most probes of a
/*	domain walk are for ancestors that the table does not hold, and
/*	the filter answers those without a probe of the table. An 8-byte
/*	header: log2 of the bit count, and the number of bits set per key
/*	(3).
/*	Format 1 spreads a key's bits over the whole filter (bit i at
/*	h + i * ((h >> 32) | 1)); format 2 sets the flag 0x100 in the
/*	second word and keeps them in one 512-bit block, h modulo the
/*	number of blocks, at bits 32 + 9 * i of h.
/* .IP "'C' network-text"
/*	a CIDR rule as written canonically (192.0.2.0/24).
/* .IP "'E' key"
/*	an exact key. Format 1 only: format 2 keeps exact and wildcard
/*	rules in the index record instead.
/* .IP "'H' \"index\""
/*	format 2: a hash index that holds every exact and wildcard rule,
/*	so that a probe reads one slot and one entry instead of descending
/*	the B-tree. LMDB stores the value in consecutive overflow pages,
/*	so it is one contiguous stretch of the map. All numbers are
/*	big-endian. A 32-byte header: "LAIX", layout version (4 bytes, 1),
/*	log2 of the slot count (4..31), number of entries, size of the
/*	records area (8 bytes), 8 reserved bytes (zero). Then the slots,
/*	8 bytes each: a 32-bit fingerprint of the probe key's hash (never
/*	0; 0 is an empty slot) and the 32-bit offset of the entry in the
/*	records area; open addressing, linear probing, at most half the
/*	slots used. Then the records area: per entry, the length of the
/*	probe key (2 bytes), the length of the value (4 bytes), the probe
/*	key (tag 'E' or 'W', then the key text), the value as a rule
/*	record's value (below). Entries are in key order (every 'E', then
/*	every 'W'), so a listing reads them in the order the B-tree had.
/*	The hash is lmdbacl_filter_hash() of the probe key: the slot is
/*	the top bits of h * 0x9e3779b97f4a7c15, the fingerprint the
/*	upper 32 bits of h. Readers check every offset and length against
/*	the value size.
/* .IP "'M' \"lmdbacl\""
/*	the header: format version and counts.
/* .IP "'N' family end-address"
/*	one disjoint address range of the flattened network set; the
/*	value starts with the range's first address and the prefix length
/*	of the most specific network that covers it.
/* .IP "'R' family"
/*	(format 3) every range of the flattened network set of one family
/*	(4 or 6), replacing its 'N' records: a 16-byte header ("LARX",
/*	layout, number of ranges n, size of the rules area), the end
/*	addresses of the ranges in increasing order, the fences (the end of
/*	the last range of each block of LMDBACL_RANGES_BLOCK ranges), per
/*	range its first address, the prefix length and the offset of its
/*	network's rule in the rules area, then the rules area: per network,
/*	a 4-byte length and a rule value (below). Addresses are
/*	big-endian, 4 or 16 bytes. A probe searches the fences (a few
/*	kilobytes that stay in the cache), then one block.
/* .IP "'W' parent"
/*	a wildcard rule *.parent (format 1 only; see 'H').
/* .PP
/*	The file ends with a 32-byte trailer (length and checksum of the
/*	pages) that lmdbacl_open() verifies before LMDB reads a page.
/*
/*	Rule values are: 4-byte big-endian source line, 2-byte big-endian
/*	length of the rule text (0: the record key is the rule), the rule
/*	text, the value, a terminating null byte. Nothing read from a file
/*	is trusted: every length is checked against the record size.
/* LICENSE
/* .ad
/* .fi
/*	See the COPYING file in the top-level directory.
/*--*/

#include <lmdb.h>
#include "lmdbacl.h"

#define LMDBACL_TAG_FILTER	'B'
#define LMDBACL_TAG_INDEX	'H'
#define LMDBACL_TAG_NET		'C'
#define LMDBACL_TAG_EXACT	'E'
#define LMDBACL_TAG_META	'M'
#define LMDBACL_TAG_RANGE	'N'
#define LMDBACL_TAG_RANGES	'R'
#define LMDBACL_TAG_WILD	'W'

#define LMDBACL_META_KEY	"Mlmdbacl"

 /*
  * After the LMDB pages: "LMDBACL1", the length of the pages and their
  * checksum (big-endian 64-bit each), 8 bytes reserved. lmdbacl_open()
  * verifies it before LMDB reads anything.
  */
#define LMDBACL_TRAILER_MAGIC	"LMDBACL1"
#define LMDBACL_TRAILER_SIZE	32

extern int lmdbacl_store_seal(const char *path, LMDBACL_ERR *err);

 /*
  * fn(b) on a thread and fn(a) on the caller's, both done on return; both
  * on the caller's when no thread can be started (lmdbacl_store.c).
  */
extern void lmdbacl_run_two(void *(*fn) (void *), void *a, void *b);

 /*
  * Bulk rule sets (lmdbacl_rules.c), for a whole source at once: append
  * without a duplicate check, then sort once and drop the duplicates,
  * which the sort makes adjacent. lmdbacl_rules_settle() calls fn for
  * each duplicate, in the order of addition, with the key as written
  * (raw) and the rule that is kept. Values and raw keys passed to
  * lmdbacl_rules_append() are not copied: they must live in memory that
  * the rule set owns (lmdbacl_rules_adopt(), lmdbacl_rules_save()).
  */
typedef void (*LMDBACL_SETTLE_FN) (void *ctx, const LMDBACL_RULE *later,
				           const char *raw,
				           const LMDBACL_RULE *kept);
extern int lmdbacl_rules_append(LMDBACL_RULES *, const LMDBACL_KEY *,
				        const char *value, unsigned line,
				        const char *raw);
extern int lmdbacl_rules_settle(LMDBACL_RULES *, int mode,
				        LMDBACL_SETTLE_FN fn, void *ctx);
extern const LMDBACL_RULE *const *lmdbacl_rules_order(LMDBACL_RULES *,
						              size_t *n);
extern char *lmdbacl_rules_save(LMDBACL_RULES *, const char *text,
				        size_t len);
extern int lmdbacl_rules_adopt(LMDBACL_RULES *, void *mem);
extern int lmdbacl_rules_presort(LMDBACL_RULES *);
extern int lmdbacl_rules_merge(LMDBACL_RULES *, LMDBACL_RULES *part,
				       unsigned line_offset);

#define LMDBACL_FILTER_KEY	"Bfilter"
#define LMDBACL_FILTER_HASHES	3
#define LMDBACL_FILTER_BLOCKED	0x100	/* flag in the hash count word */
 /* Bit i (0..2) of a key in its 512-bit block: 9 bits of h each. */
#define LMDBACL_FILTER_BIT(h, i)	((unsigned) ((h) >> (32 + 9 * (i))) & 511)
extern uint64_t lmdbacl_filter_hash(const unsigned char *key, size_t len);
#define LMDBACL_META_SIZE	40

#define LMDBACL_RANGES_MAGIC	"LARX"
#define LMDBACL_RANGES_LAYOUT	1
#define LMDBACL_RANGES_HDR	16
#define LMDBACL_RANGES_BLOCK	16

 /*
  * A range index that passed the size checks of lmdbacl_ranges_check();
  * rule offsets are checked when they are read.
  */
typedef struct LMDBACL_RANGES {
    size_t  n;				/* 0: no ranges of this family */
    size_t  alen;			/* 4 or 16 */
    const unsigned char *ends;
    const unsigned char *fences;
    size_t  nfences;
    const unsigned char *info;		/* start, plen, rule offset */
    const unsigned char *rules;
    size_t  rules_size;
} LMDBACL_RANGES;

extern int lmdbacl_ranges_check(const unsigned char *, size_t, size_t alen,
				        LMDBACL_RANGES *);

#define LMDBACL_INDEX_KEY	"Hindex"
#define LMDBACL_INDEX_MAGIC	"LAIX"
#define LMDBACL_INDEX_LAYOUT	1
#define LMDBACL_INDEX_HDR	32
#define LMDBACL_INDEX_ENTRY_HDR	6
#define LMDBACL_INDEX_MULT	0x9e3779b97f4a7c15ULL

 /*
  * An index that passed the header checks of lmdbacl_index_check(); its
  * slots and entries are still checked when they are read.
  */
typedef struct LMDBACL_INDEX {
    const unsigned char *slots;		/* 0: the file has no index */
    uint64_t mask;			/* slots - 1 */
    unsigned log2;
    uint32_t entries;
    const unsigned char *recs;		/* the records area */
    size_t  recs_size;
} LMDBACL_INDEX;

extern int lmdbacl_index_check(const unsigned char *blob, size_t size,
			               LMDBACL_INDEX *);
extern int lmdbacl_index_get(const LMDBACL_INDEX *, uint64_t hash,
			             const unsigned char *key, size_t len,
			             const unsigned char **val, size_t *vlen);
extern int lmdbacl_index_entry(const LMDBACL_INDEX *, size_t off,
			               const unsigned char **key, size_t *klen,
			               const unsigned char **val, size_t *vlen);

struct LMDBACL {
    char   *path;
    MDB_env *env;
    MDB_txn *txn;			/* one read transaction, for life */
    MDB_dbi dbi;
    MDB_cursor *cursor;			/* for range probes */
    int     fd;				/* the environment's descriptor */
    time_t  mtime;
    off_t   size;
    unsigned format;
    unsigned long counts[4];		/* exact, wild, nets, segments */
    const unsigned char *filter;	/* Bloom filter of E and W keys */
    uint64_t filter_mask;		/* bits (blocked: blocks) - 1 */
    int     filter_blocked;		/* bits of a key in one block */
    LMDBACL_INDEX index;		/* exact and wildcard rules */
    LMDBACL_RANGES ranges[2];		/* format 3: IPv4, IPv6 networks */
    unsigned char kbuf[LMDBACL_KEY_MAX + 2];	/* probe key scratch */
    char    qbuf[3 * LMDBACL_KEY_MAX + 1];	/* folded non-ASCII query */
    char    miss[LMDBACL_KEY_MAX + 1];	/* last query proven absent */
    size_t  miss_len;			/* 0: none */
    int     miss_kind;			/* MISS_DOMAIN or MISS_IPV4 */
    int     miss_style;			/* parent style of that walk */
};

 /*
  * Probes (lmdbacl_store.c). Return LMDBACL_OK, LMDBACL_NOTFOUND, or
  * LMDBACL_EFORMAT when a record fails its checks.
  */
extern int lmdbacl_store_get(LMDBACL *, int tag, const char *key,
			             size_t len, LMDBACL_MATCH *);
extern int lmdbacl_store_range(LMDBACL *, int family,
			               const unsigned char *addr,
			               LMDBACL_MATCH *);
extern int lmdbacl_record_decode(const unsigned char *data, size_t len,
				         LMDBACL_MATCH *);

#endif
