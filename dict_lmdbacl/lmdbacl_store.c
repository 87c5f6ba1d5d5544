/*++
/* NAME
/*	lmdbacl_store 3
/* SUMMARY
/*	lmdbacl snapshot files: build, atomic replace, open, probes
/* SYNOPSIS
/*	#include "lmdbacl.h"
/*
/*	char	*lmdbacl_path(name)
/*
/*	LMDBACL_WRITER *lmdbacl_writer_begin(path, load, rules, err)
/*
/*	int	lmdbacl_writer_build(writer, rules, err)
/*
/*	int	lmdbacl_writer_commit(writer, rules, diag, ctx, err)
/*
/*	void	lmdbacl_writer_abort(writer)
/*
/*	LMDBACL	*lmdbacl_open(path, err)
/*
/*	void	lmdbacl_close(table)
/*
/*	int	lmdbacl_load_rules(table, rules, err)
/*
/*	int	lmdbacl_stats(table, stats)
/* DESCRIPTION
/*	A table file is an immutable snapshot: one LMDB file (no
/*	subdirectory, no lock file) whose records are described in
/*	lmdbacl_int.h. Every change writes a complete new file beside the
/*	old one, PATH.new, syncs it, and renames it over PATH; readers
/*	never lock and never see a partial table.
/*
/*	A build inserts its records in key order with MDB_APPEND, into a
/*	map written through MDB_WRITEMAP: pages never hold stale heap
/*	bytes, so the same rules give a byte-identical file. The file is
/*	truncated to the pages in use before it is renamed into place.
/*
/*	Networks (CIDR keys, address keys, smtpd's truncated addresses)
/*	are flattened at build time into disjoint address ranges, each
/*	labelled with the most specific network that covers it. Format 3
/*	keeps the ranges of each family in one sorted 'R' record: a lookup
/*	is a search of its fences (a few kilobytes that stay in the cache)
/*	and of one block of 16 ranges, whatever the number of networks.
/*
/*	lmdbacl_writer_begin() serialises writers with an exclusive fcntl
/*	lock (an open file description lock on Linux) on the current file, then checks that the path still names
/*	the file that was locked (another writer may have replaced it
/*	while this one waited). When no table exists, an empty placeholder
/*	is created to carry the lock; readers treat an empty file as an
/*	unavailable table, as they treat a missing one. A stale PATH.new
/*	left by a killed build is removed by the next commit.
/*
/*	lmdbacl_writer_build() is commit without the rename: it writes and
/*	syncs PATH.new, so that a caller can build on one thread and decide
/*	on another, once its diagnostics are out, whether to install it
/*	(commit) or drop it (abort).
/*
/*	lmdbacl_open() opens a snapshot read-only and keeps one read
/*	transaction for the life of the handle. The file size is checked
/*	against the last page the header claims before any page is
/*	touched, so a truncated file is refused instead of faulting.
/*
/*	Exact and wildcard rules (format 2) live in one index record, a
/*	hash table in consecutive overflow pages that the read
/*	transaction keeps mapped: a probe asks the blocked Bloom filter
/*	(one cache line), then reads one slot and one entry, where a
/*	B-tree descent took some twenty cache misses in a table of a
/*	million keys. lmdbacl_open() checks the index header against the
/*	record size and refuses a table whose index fails; each slot and
/*	entry is checked again when it is read. A format 1 file, without
/*	an index, is answered from its 'E' and 'W' records.
/* DIAGNOSTICS
/*	LMDBACL_EUNAVAIL: missing, empty, truncated file. LMDBACL_EFORMAT:
/*	not an lmdbacl table, newer format, damaged record.
/*	LMDBACL_ESYSTEM: I/O, lock, memory or LMDB errors; the message
/*	names the file and the cause. A failed commit removes PATH.new and
/*	leaves PATH as it was.
/* LICENSE
/* .ad
/* .fi
/*	See the COPYING file in the top-level directory.
/*--*/

 /*
  * System library. _GNU_SOURCE for F_OFD_SETLKW and fallocate().
  */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sys/mman.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

 /*
  * Application-specific.
  */
#include "lmdbacl_int.h"

struct LMDBACL_WRITER {
    char   *path;
    char   *tmp;
    int     fd;				/* locked descriptor of path */
    struct stat st;			/* of the locked file */
    int     created;			/* we made the empty placeholder */
    int     built;			/* tmp holds the finished snapshot */
};

typedef unsigned __int128 U128;

#ifdef F_OFD_SETLKW
#define LMDBACL_SETLKW	F_OFD_SETLKW
#else
#define LMDBACL_SETLKW	F_SETLKW
#endif

/* lmdbacl_path - table name to file name */

char   *lmdbacl_path(const char *name)
{
    size_t  len = strlen(name);
    char   *path = malloc(len + sizeof(".lmdbacl"));

    if (path != 0) {
	memcpy(path, name, len);
	memcpy(path + len, ".lmdbacl", sizeof(".lmdbacl"));
    }
    return (path);
}

 /*
  * Big-endian helpers for lmdbacl's own fields. (LMDB's page headers
  * are native-endian: a table file is portable between machines of the
  * same byte order and word size, like every LMDB file.)
  */
static void put32(unsigned char *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

static uint32_t get32(const unsigned char *p)
{
    return ((uint32_t) p[0] << 24 | (uint32_t) p[1] << 16
	    | (uint32_t) p[2] << 8 | p[3]);
}

static U128 addr_to_u128(int family, const unsigned char *addr)
{
    U128    v = 0;
    size_t  i;

    for (i = 0; i < lmdbacl_addr_len(family); i++)
	v = (v << 8) | addr[i];
    return (v);
}

static void u128_to_addr(int family, U128 v, unsigned char *addr)
{
    size_t  i = lmdbacl_addr_len(family);

    while (i-- > 0) {
	addr[i] = (unsigned char) v;
	v >>= 8;
    }
}

/* lmdbacl_record_decode - check and split a rule value */

int     lmdbacl_record_decode(const unsigned char *data, size_t len,
			              LMDBACL_MATCH *m)
{
    size_t  rlen;

    if (len < 7 || data[len - 1] != 0)
	return (LMDBACL_EFORMAT);
    rlen = (size_t) data[4] << 8 | data[5];
    if (6 + rlen + 1 > len)
	return (LMDBACL_EFORMAT);
    m->line = get32(data);
    m->rule = rlen ? (const char *) data + 6 : 0;
    m->rule_len = rlen;
    m->value = (const char *) data + 6 + rlen;
    return (LMDBACL_OK);
}

 /*
  * Build-time buffers.
  */
typedef struct BUF {
    unsigned char *data;
    size_t  len;
    size_t  size;
} BUF;

static int buf_space(BUF *b, size_t need)
{
    if (b->len + need > b->size) {
	size_t  nsize = (b->len + need) * 2;
	unsigned char *nd = realloc(b->data, nsize);

	if (nd == 0)
	    return (-1);
	b->data = nd;
	b->size = nsize;
    }
    return (0);
}

static int buf_add(BUF *b, const void *data, size_t len)
{
    if (len == 0)
	return (0);
    if (buf_space(b, len) < 0)
	return (-1);
    memcpy(b->data + b->len, data, len);
    b->len += len;
    return (0);
}

/* encode_rule - line, rule text, value, null */

static int encode_rule(BUF *b, unsigned line, const char *rule,
		               const char *value)
{
    unsigned char hdr[6];
    size_t  rlen = rule ? strlen(rule) : 0;

    put32(hdr, line);
    hdr[4] = rlen >> 8;
    hdr[5] = rlen & 0xff;
    if (buf_add(b, hdr, 6) < 0 || buf_add(b, rule, rlen) < 0
	|| buf_add(b, value, strlen(value) + 1) < 0)
	return (-1);
    return (0);
}

 /*
  * Network flattening.
  */
typedef struct NET {
    U128    start;
    U128    end;
    int     plen;
    const LMDBACL_RULE *rule;
} NET;

typedef struct SEG {
    U128    start;
    U128    end;
    const NET *net;
} SEG;

static int net_cmp(const void *a, const void *b)
{
    const NET *na = a;
    const NET *nb = b;

    if (na->start != nb->start)
	return (na->start < nb->start ? -1 : 1);
    if (na->plen != nb->plen)
	return (na->plen - nb->plen);
    if (na->rule->line != nb->rule->line)
	return (na->rule->line < nb->rule->line ? -1 : 1);
    return (strcmp(na->rule->key, nb->rule->key));
}

/* flatten - disjoint ranges, most specific network wins */

static SEG *flatten(NET *nets, size_t n, size_t *nseg)
{
    SEG    *segs;
    const NET **stack;
    size_t  sp = 0;
    size_t  ns = 0;
    size_t  i;
    U128    pos = 0;
    int     done = 0;			/* pos wrapped past the last address */
    if ((segs = malloc((2 * n + 1) * sizeof(*segs))) == 0)
	return (0);
    if ((stack = malloc((n + 1) * sizeof(*stack))) == 0) {
	free(segs);
	return (0);
    }
    qsort(nets, n, sizeof(*nets), net_cmp);

#define EMIT(s, e, np) do { \
	segs[ns].start = (s); segs[ns].end = (e); segs[ns].net = (np); ns++; \
    } while (0)

    /*
     * Close the innermost open network: what is left of it after its
     * children is one range. The end of the address space cannot be
     * stepped past.
     */
#define POP_EMIT() do { \
	const NET *t = stack[--sp]; \
	if (!done && pos <= t->end) \
	    EMIT(pos, t->end, t); \
	if (t->end == ~(U128) 0) \
	    done = 1; \
	else \
	    pos = t->end + 1; \
    } while (0)

    for (i = 0; i < n; i++) {
	const NET *np = nets + i;

	/*
	 * The same network written twice in different forms (192.0.2 and
	 * 192.0.2.0/24): keep the earlier line, as postmap keeps the first
	 * of duplicate keys. The source reader has already said so.
	 */
	if (i > 0 && np->start == nets[i - 1].start
	    && np->plen == nets[i - 1].plen)
	    continue;
	while (sp > 0 && stack[sp - 1]->end < np->start)
	    POP_EMIT();
	if (sp > 0 && !done && pos < np->start)
	    EMIT(pos, np->start - 1, stack[sp - 1]);
	stack[sp++] = np;
	pos = np->start;
	done = 0;
    }
    while (sp > 0)
	POP_EMIT();
    free(stack);
    *nseg = ns;
    return (segs);
}

 /*
  * The build proper.
  */
typedef struct BUILD {
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    BUF     key;
    BUF     val;
    size_t  bytes;			/* estimate, for the map size */
    int     mdb_status;
} BUILD;

static int build_put(BUILD *b)
{
    MDB_val k;
    MDB_val v;

    k.mv_data = b->key.data;
    k.mv_size = b->key.len;
    v.mv_data = b->val.data;
    v.mv_size = b->val.len;
    if ((b->mdb_status = mdb_put(b->txn, b->dbi, &k, &v, MDB_APPEND)) != 0)
	return (-1);
    return (0);
}

static int build_rule(BUILD *b, int tag, const LMDBACL_RULE *r)
{
    unsigned char *vp;
    size_t  klen = strlen(r->key);
    size_t  vlen = strlen(r->value);
    MDB_val k;
    MDB_val v;

    /*
     * The value is written straight into its page (MDB_RESERVE): one
     * copy of each value instead of two.
     */
    b->key.len = 0;
    if (buf_space(&b->key, klen + 1) < 0) {
	b->mdb_status = ENOMEM;
	return (-1);
    }
    b->key.data[0] = tag;
    memcpy(b->key.data + 1, r->key, klen);
    k.mv_data = b->key.data;
    k.mv_size = klen + 1;
    v.mv_data = 0;
    v.mv_size = 6 + vlen + 1;
    if ((b->mdb_status = mdb_put(b->txn, b->dbi, &k, &v,
				 MDB_APPEND | MDB_RESERVE)) != 0)
	return (-1);
    vp = v.mv_data;
    put32(vp, r->line);
    vp[4] = vp[5] = 0;				/* the record key is the rule */
    memcpy(vp + 6, r->value, vlen + 1);
    return (0);
}

/* RANGES_FIXED - bytes of an 'R' record of n ranges, rules area apart */

#define RANGES_FENCES(n)	(((n) + LMDBACL_RANGES_BLOCK - 1) \
				 / LMDBACL_RANGES_BLOCK)
#define RANGES_FIXED(n, alen)	(LMDBACL_RANGES_HDR + (n) * (alen) \
				 + RANGES_FENCES(n) * (alen) \
				 + (n) * ((alen) + 5))

/* build_ranges - the 'R' record of one family, written into its pages */

static int build_ranges(BUILD *b, int family, const NET *nets, size_t nnets,
			        const SEG *segs, size_t n)
{
    size_t  alen = lmdbacl_addr_len(family);
    unsigned char key[2];
    uint32_t *roff;
    BUF     rules;
    MDB_val k;
    MDB_val v;
    unsigned char *blob;
    unsigned char *ends;
    unsigned char *fences;
    unsigned char *info;
    size_t  fixed = RANGES_FIXED(n, alen);
    size_t  i;

    if (n == 0)
	return (0);

    /*
     * The rules area first: one rule per network, in the order the
     * ranges first name them (a network split by a nested one has
     * several ranges).
     */
    memset(&rules, 0, sizeof(rules));
    if ((roff = malloc((nnets + 1) * sizeof(*roff))) == 0)
	goto nomem;
    for (i = 0; i < nnets; i++)
	roff[i] = UINT32_MAX;
    for (i = 0; i < n; i++) {
	size_t  ni = (size_t) (segs[i].net - nets);
	size_t  at = rules.len;
	const LMDBACL_RULE *r = segs[i].net->rule;

	if (roff[ni] != UINT32_MAX)
	    continue;
	if (at > UINT32_MAX - 8 || buf_add(&rules, "\0\0\0\0", 4) < 0
	    || encode_rule(&rules, r->line, r->key, r->value) < 0)
	    goto nomem;
	put32(rules.data + at, (uint32_t) (rules.len - at - 4));
	roff[ni] = (uint32_t) at;
    }
    if (fixed + rules.len > 0xffffffffUL)
	goto nomem;
    key[0] = LMDBACL_TAG_RANGES;
    key[1] = family;
    k.mv_data = key;
    k.mv_size = 2;
    v.mv_data = 0;
    v.mv_size = fixed + rules.len;
    if ((b->mdb_status = mdb_put(b->txn, b->dbi, &k, &v,
				 MDB_APPEND | MDB_RESERVE)) != 0) {
	free(roff);
	free(rules.data);
	return (-1);
    }
    blob = v.mv_data;
    memcpy(blob, LMDBACL_RANGES_MAGIC, 4);
    put32(blob + 4, LMDBACL_RANGES_LAYOUT);
    put32(blob + 8, (uint32_t) n);
    put32(blob + 12, (uint32_t) rules.len);
    ends = blob + LMDBACL_RANGES_HDR;
    fences = ends + n * alen;
    info = fences + RANGES_FENCES(n) * alen;
    for (i = 0; i < n; i++) {
	unsigned char *ip = info + i * (alen + 5);

	u128_to_addr(family, segs[i].end, ends + i * alen);
	if (i % LMDBACL_RANGES_BLOCK == LMDBACL_RANGES_BLOCK - 1 || i == n - 1)
	    u128_to_addr(family, segs[i].end,
			 fences + (i / LMDBACL_RANGES_BLOCK) * alen);
	u128_to_addr(family, segs[i].start, ip);
	ip[alen] = segs[i].net->plen;
	put32(ip + alen + 1, roff[segs[i].net - nets]);
    }
    if (rules.len > 0)
	memcpy(blob + fixed, rules.data, rules.len);
    free(roff);
    free(rules.data);
    return (0);

nomem:
    free(roff);
    free(rules.data);
    b->mdb_status = ENOMEM;
    return (-1);
}

/* lmdbacl_filter_hash - 64-bit hash of a probe key (tag and text) */

uint64_t lmdbacl_filter_hash(const unsigned char *key, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    size_t  i;

    for (i = 0; i < len; i++)
	h = (h ^ key[i]) * 0x100000001b3ULL;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return (h);
}

/* probe_hash - lmdbacl_filter_hash() of tag and key, not assembled */

static uint64_t probe_hash(int tag, const char *key)
{
    const unsigned char *cp = (const unsigned char *) key;
    uint64_t h = 0xcbf29ce484222325ULL;

    h = (h ^ (unsigned char) tag) * 0x100000001b3ULL;
    for (; *cp; cp++)
	h = (h ^ *cp) * 0x100000001b3ULL;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return (h);
}

/* filter_add - set the bits of one probe key */

static void filter_add(unsigned char *bits, uint64_t blocks, uint64_t h)
{
    unsigned char *blk = bits + 64 * (h & (blocks - 1));
    int     i;

    /*
     * Blocked: all bits of a key in one 64-byte block, so that a probe
     * reads one cache line of the filter, hit or miss.
     */
    for (i = 0; i < LMDBACL_FILTER_HASHES; i++) {
	unsigned b = LMDBACL_FILTER_BIT(h, i);

	blk[b >> 3] |= 1 << (b & 7);
    }
}

 /*
  * Index slots: where a hash starts its probe sequence, and the
  * fingerprint that a slot holds (0 marks an empty slot).
  */
 /*
  * The size of one records-area entry: header, tag and key, the rule's
  * line and no key of its own (6 bytes), the value and its NUL. The
  * plan and the build count it the same way.
  */
#define INDEX_ENTRY_SIZE(klen, vlen) \
	(LMDBACL_INDEX_ENTRY_HDR + 1 + (klen) + 6 + (vlen) + 1)

#define INDEX_SLOT(h, log2)	(((h) * LMDBACL_INDEX_MULT) >> (64 - (log2)))

static uint32_t index_fp(uint64_t h)
{
    uint32_t fp = (uint32_t) (h >> 32);

    return (fp ? fp : 1);
}

typedef struct PLAN {
    const LMDBACL_RULE *const *order;	/* the rule set's, not a copy */
    size_t  n;
    size_t  kind_end[3];		/* end of nets, exact, wildcards */
    NET    *nets[2];			/* IPv4, IPv6 */
    size_t  nnets[2];
    SEG    *segs[2];
    size_t  nsegs[2];
    unsigned long counts[4];
    size_t  bytes;
    unsigned char *filter;		/* 8-byte header, then the bits */
    size_t  filter_size;
    uint64_t *hashes;			/* probe hash of each E and W rule */
    unsigned index_log2;
    size_t  index_recs;			/* size of the records area */
    size_t  index_size;			/* of the whole 'H' value */
    size_t  half;			/* E and W rules: the second half */
    size_t  half_off;			/* its offset in the records area */
} PLAN;

 /*
  * A large build does the work that is one loop over the exact and
  * wildcard rules (their hashes, the filter, the index entries) on two
  * threads, each on its own half of the rules or of the filter; every
  * byte still has one writer, and the file is the same.
  */
#define PLAN_SPLIT_MIN	65536		/* E and W rules; fewer: one thread */

typedef struct PLAN_PART {
    PLAN   *p;
    size_t  from;			/* rules, as offsets from kind_end[0] */
    size_t  to;
    uint64_t blk_from;			/* filter blocks */
    uint64_t blk_to;
    size_t  recs;			/* result: records-area bytes */
    struct BUILD *b;			/* build_index(): where to write */
    unsigned char *recs_area;
    struct IXSLOT *ix;
    unsigned char *zero;		/* index slots to clear first */
    size_t  zero_len;
} PLAN_PART;

/* lmdbacl_run_two - fn(b) on a thread and fn(a) here, or both here */

void    lmdbacl_run_two(void *(*fn) (void *), void *a, void *b)
{
    pthread_t thread;
    int     threaded = (pthread_create(&thread, 0, fn, b) == 0);

    (void) fn(a);
    if (threaded)
	(void) pthread_join(thread, 0);
    else
	(void) fn(b);
}

/* plan_two - run fn on part[1] on a thread and on part[0] here */

static void plan_two(void *(*fn) (void *), PLAN_PART *part)
{
    lmdbacl_run_two(fn, part, part + 1);
}

static void plan_free(PLAN *p)
{
    free(p->filter);
    free(p->hashes);
    free(p->nets[0]);
    free(p->nets[1]);
    free(p->segs[0]);
    free(p->segs[1]);
}

/* plan_hash_run - probe hashes and index bytes of part of the E and W rules */

static void *plan_hash_run(void *ctx)
{
    PLAN_PART *pp = ctx;
    const PLAN *p = pp->p;
    const LMDBACL_RULE *const *order = p->order + p->kind_end[0];
    size_t  i;
    size_t  recs = 0;

    for (i = pp->from; i < pp->to; i++) {
	const LMDBACL_RULE *r = order[i];

	p->hashes[i] = probe_hash(r->kind == LMDBACL_KIND_EXACT ?
				  LMDBACL_TAG_EXACT : LMDBACL_TAG_WILD, r->key);
	recs += INDEX_ENTRY_SIZE(strlen(r->key), strlen(r->value));
    }
    pp->recs = recs;
    return (0);
}

/* plan_filter_run - the bits of every key whose block is in the part */

static void *plan_filter_run(void *ctx)
{
    PLAN_PART *pp = ctx;
    const PLAN *p = pp->p;
    uint64_t blocks = (uint64_t) (p->filter_size - 8) * 8 / 512;
    size_t  n = p->kind_end[2] - p->kind_end[0];
    size_t  i;

    for (i = 0; i < n; i++) {
	uint64_t h = p->hashes[i];
	uint64_t blk = h & (blocks - 1);

	if (blk >= pp->blk_from && blk < pp->blk_to)
	    filter_add(p->filter + 8, blocks, h);
    }
    return (0);
}

/* plan_make - sort rules, flatten networks, estimate the size */

static int plan_make(PLAN *p, LMDBACL_RULES *rules)
{
    size_t  i;
    int     f;
    size_t  nnets[2] = {0, 0};
    uint64_t nbits = 8192;
    unsigned log2 = 13;

    memset(p, 0, sizeof(*p));
    if ((p->order = lmdbacl_rules_order(rules, &p->n)) == 0)
	return (-1);

    /*
     * Storage order is by kind first: each kind is one stretch of the
     * order, and each pass below walks only its own.
     */
    for (i = 0; i < p->n; i++) {
	const LMDBACL_RULE *r = p->order[i];

	if (r->kind == LMDBACL_KIND_NET)
	    p->kind_end[0] = i + 1;
	else if (r->kind == LMDBACL_KIND_EXACT)
	    p->kind_end[1] = i + 1;
	if (r->is_net)
	    nnets[r->family == LMDBACL_AF_INET ? 0 : 1]++;
    }
    if (p->kind_end[1] < p->kind_end[0])
	p->kind_end[1] = p->kind_end[0];
    p->kind_end[2] = p->n;
    for (f = 0; f < 2; f++)
	if ((p->nets[f] = malloc((nnets[f] + 1) * sizeof(NET))) == 0)
	    return (-1);

    /*
     * The filter: a power of two of at least 10 bits per key.
     */
    p->counts[0] = p->kind_end[1] - p->kind_end[0];
    p->counts[1] = p->kind_end[2] - p->kind_end[1];
    while (nbits < 10 * (uint64_t) (p->counts[0] + p->counts[1]) && log2 < 31) {
	nbits <<= 1;
	log2++;
    }
    p->filter_size = 8 + (size_t) (nbits / 8);
    if ((p->filter = calloc(1, p->filter_size)) == 0)
	return (-1);
    if ((p->hashes = malloc((p->counts[0] + p->counts[1] + 1)
			    * sizeof(*p->hashes))) == 0)
	return (-1);

    /*
     * The index: at least twice as many slots as entries.
     */
    p->index_log2 = 4;
    while (((uint64_t) 1 << p->index_log2) < 2 * (uint64_t) (p->counts[0]
							 + p->counts[1])
	   && p->index_log2 < 31)
	p->index_log2++;
    put32(p->filter, log2);
    put32(p->filter + 4, LMDBACL_FILTER_HASHES | LMDBACL_FILTER_BLOCKED);
    p->bytes += p->filter_size + 4096;

    /*
     * Exact and wildcard rules: hashes and index size, then the filter
     * bits, each on two threads when there are many.
     */
    {
	PLAN_PART part[2];
	size_t  ew = p->kind_end[2] - p->kind_end[0];
	uint64_t blocks = nbits / 512;

	memset(part, 0, sizeof(part));
	part[0].p = part[1].p = p;
	part[0].blk_from = 0;
	part[1].blk_from = part[0].blk_to = blocks / 2;
	part[1].blk_to = blocks;
	part[0].from = 0;
	part[1].from = part[0].to = ew / 2;
	part[1].to = ew;
	if (ew >= PLAN_SPLIT_MIN) {
	    plan_two(plan_hash_run, part);
	    plan_two(plan_filter_run, part);
	} else {
	    part[0].to = part[1].from = ew;
	    part[0].blk_to = blocks;
	    (void) plan_hash_run(part);
	    (void) plan_filter_run(part);
	}
	p->half = part[1].from;
	p->half_off = part[0].recs;
	p->index_recs = part[0].recs + part[1].recs;
    }

    /*
     * One pass: size estimate, networks.
     */
    for (i = 0; i < p->n; i++) {
	const LMDBACL_RULE *r = p->order[i];
	size_t  rsize;

	if (r->kind != LMDBACL_KIND_NET && !r->is_net)
	    continue;
	rsize = strlen(r->key) + strlen(r->value) + 24;
	/* Exact and wildcard rules are counted in the index size below. */
	if (r->kind == LMDBACL_KIND_NET)
	    p->bytes += rsize;
	if (r->is_net) {
	    int     bits = r->family == LMDBACL_AF_INET ? 32 : 128;
	    NET    *np;
	    U128    mask;

	    f = r->family == LMDBACL_AF_INET ? 0 : 1;
	    np = p->nets[f] + p->nnets[f]++;
	    np->start = addr_to_u128(r->family, r->addr);
	    mask = r->plen == 0 ? ~(U128) 0 : r->plen >= bits ? 0 :
		(((U128) 1 << (bits - r->plen)) - 1);
	    if (bits == 32)
		mask &= 0xffffffffU;
	    np->end = np->start | mask;
	    np->plen = r->plen;
	    np->rule = r;
	    p->counts[2]++;
	    p->bytes += rsize + 8;	/* its rule in the 'R' record */
	}
    }
    for (f = 0; f < 2; f++) {
	if ((p->segs[f] = flatten(p->nets[f], p->nnets[f], &p->nsegs[f])) == 0)
	    return (-1);
	p->counts[3] += p->nsegs[f];
	p->bytes += RANGES_FIXED(p->nsegs[f], (size_t) (f ? 16 : 4)) + 4096;
    }
    p->index_size = LMDBACL_INDEX_HDR + ((size_t) 8 << p->index_log2)
	+ p->index_recs;
    p->bytes += p->index_size + 4096;

    /*
     * Slot offsets are 32 bits, and LMDB's values are limited to 4 GiB.
     */
    if (p->index_recs > 0xffffffffUL - 1 || p->index_size > 0xffffffffUL)
	return (-1);
    return (0);
}

/* build_index - the 'H' record, written straight into its pages */

typedef struct IXSLOT {
    uint32_t pos;			/* home slot */
    uint32_t fp;			/* fingerprint */
    uint32_t off;			/* entry offset in the records area */
} IXSLOT;

/* index_entries_run - the records-area entries of part of the rules */

static void *index_entries_run(void *ctx)
{
    PLAN_PART *pp = ctx;
    const PLAN *p = pp->p;
    const LMDBACL_RULE *const *order = p->order + p->kind_end[0];
    size_t  exact = p->kind_end[1] - p->kind_end[0];
    size_t  off = pp->recs;		/* in: where the part starts */
    IXSLOT *ix = pp->ix;
    size_t  i;

    if (pp->zero_len > 0)
	memset(pp->zero, 0, pp->zero_len);
    for (i = pp->from; i < pp->to; i++) {
	const LMDBACL_RULE *r = order[i];
	uint64_t h = p->hashes[i];
	size_t  klen = strlen(r->key);
	size_t  vlen = strlen(r->value);
	unsigned char *ep = pp->recs_area + off;

	ix[i].pos = (uint32_t) INDEX_SLOT(h, p->index_log2);
	ix[i].fp = index_fp(h);
	ix[i].off = (uint32_t) off;
	ep[0] = (klen + 1) >> 8;
	ep[1] = (klen + 1) & 0xff;
	put32(ep + 2, (uint32_t) (6 + vlen + 1));
	ep += LMDBACL_INDEX_ENTRY_HDR;
	*ep++ = i < exact ? LMDBACL_TAG_EXACT : LMDBACL_TAG_WILD;
	memcpy(ep, r->key, klen);
	ep += klen;
	put32(ep, r->line);
	ep[4] = ep[5] = 0;			/* the entry key is the rule */
	memcpy(ep + 6, r->value, vlen + 1);
	off += INDEX_ENTRY_SIZE(klen, vlen);
    }
    pp->recs = off;				/* out: where it ends */
    return (0);
}

/* radix sort of index slots, in two parts */

typedef struct RADIX_PART {
    const IXSLOT *src;
    IXSLOT *dst;
    size_t  from;
    size_t  to;
    int     shift;
    size_t  count[2048];		/* per digit: count, then position */
} RADIX_PART;

static void *radix_count_run(void *ctx)
{
    RADIX_PART *rp = ctx;
    size_t  i;

    memset(rp->count, 0, sizeof(rp->count));
    for (i = rp->from; i < rp->to; i++)
	rp->count[(rp->src[i].pos >> rp->shift) & 2047]++;
    return (0);
}

static void *radix_move_run(void *ctx)
{
    RADIX_PART *rp = ctx;
    size_t  i;

    for (i = rp->from; i < rp->to; i++)
	rp->dst[rp->count[(rp->src[i].pos >> rp->shift) & 2047]++] = rp->src[i];
    return (0);
}

static int build_index(BUILD *b, const PLAN *p)
{
    MDB_val k;
    MDB_val v;
    unsigned char *blob;
    unsigned char *slots;
    unsigned char *recs;
    uint64_t mask = ((uint64_t) 1 << p->index_log2) - 1;
    size_t  n = p->kind_end[2] - p->kind_end[0];
    IXSLOT *ix;
    IXSLOT *tmp;
    size_t  off = 0;
    size_t  i;
    int     shift;
    PLAN_PART part[2];

    /*
     * Slots are filled in the order of their home slot, not in key
     * order: a million random writes into a 16 MB slot array were a
     * third of a build (cache misses); sorted, they are a sweep. The
     * order is a stable sort of key order: the same input still gives
     * the same file.
     */
    if ((ix = malloc((n + 1) * sizeof(*ix))) == 0
	|| (tmp = malloc((n + 1) * sizeof(*tmp))) == 0) {
	free(ix);
	b->mdb_status = ENOMEM;
	return (-1);
    }
    k.mv_data = LMDBACL_INDEX_KEY;
    k.mv_size = strlen(LMDBACL_INDEX_KEY);
    v.mv_data = 0;
    v.mv_size = p->index_size;
    if ((b->mdb_status = mdb_put(b->txn, b->dbi, &k, &v,
				 MDB_APPEND | MDB_RESERVE)) != 0) {
	free(ix);
	free(tmp);
	return (-1);
    }
    blob = v.mv_data;
    memset(blob, 0, LMDBACL_INDEX_HDR);
    memcpy(blob, LMDBACL_INDEX_MAGIC, 4);
    put32(blob + 4, LMDBACL_INDEX_LAYOUT);
    put32(blob + 8, p->index_log2);
    put32(blob + 12, (uint32_t) n);
    put32(blob + 16, (uint32_t) ((uint64_t) p->index_recs >> 32));
    put32(blob + 20, (uint32_t) p->index_recs);
    slots = blob + LMDBACL_INDEX_HDR;
    recs = slots + ((size_t) 8 << p->index_log2);

    /*
     * Exact rules, then wildcards: key order, as the B-tree had them.
     * The second half of the entries starts where the plan counted it.
     */
    memset(part, 0, sizeof(part));
    part[0].p = part[1].p = (PLAN *) p;
    part[0].from = 0;
    part[1].from = part[0].to = p->half;
    part[1].to = n;
    part[1].recs = p->half_off;
    part[0].recs_area = part[1].recs_area = recs;
    part[0].ix = part[1].ix = ix;

    /*
     * Each part also clears half of the slots: their first touch (page
     * faults in a fresh file) is most of the cost.
     */
    part[0].zero = slots;
    part[0].zero_len = n >= PLAN_SPLIT_MIN ? (size_t) 4 << p->index_log2 :
	(size_t) 8 << p->index_log2;
    part[1].zero = slots + part[0].zero_len;
    part[1].zero_len = ((size_t) 8 << p->index_log2) - part[0].zero_len;
    if (n >= PLAN_SPLIT_MIN)
	plan_two(index_entries_run, part);
    else {
	(void) index_entries_run(part);
	(void) index_entries_run(part + 1);
    }
    off = part[1].recs;
    if ((size_t) (recs - blob) + off < p->index_size)
	memset(recs + off, 0, p->index_size - (size_t) (recs - blob) - off);

    /*
     * LSD radix sort on the home slot, 11 bits a pass; a large index is
     * counted and moved in two halves at once, the first half's records
     * of each digit before the second's (stable, so the same file).
     */
    for (shift = 0; shift < (int) p->index_log2; shift += 11) {
	RADIX_PART rp[2];
	IXSLOT *swap;
	size_t  h = n >= PLAN_SPLIT_MIN ? n / 2 : n;
	size_t  sum = 0;
	size_t  c;

	rp[0].src = rp[1].src = ix;
	rp[0].dst = rp[1].dst = tmp;
	rp[0].shift = rp[1].shift = shift;
	rp[0].from = 0;
	rp[1].from = rp[0].to = h;
	rp[1].to = n;
	if (h < n)
	    lmdbacl_run_two(radix_count_run, rp, rp + 1);
	else {
	    (void) radix_count_run(rp);
	    (void) radix_count_run(rp + 1);
	}
	for (i = 0; i < 2048; i++) {
	    c = rp[0].count[i];
	    rp[0].count[i] = sum;
	    sum += c;
	    c = rp[1].count[i];
	    rp[1].count[i] = sum;
	    sum += c;
	}
	if (h < n)
	    lmdbacl_run_two(radix_move_run, rp, rp + 1);
	else {
	    (void) radix_move_run(rp);
	    (void) radix_move_run(rp + 1);
	}
	swap = ix;
	ix = tmp;
	tmp = swap;
    }
    for (i = 0; i < n; i++) {
	uint64_t pos = ix[i].pos;

	while (get32(slots + 8 * pos) != 0)
	    pos = (pos + 1) & mask;
	put32(slots + 8 * pos, ix[i].fp);
	put32(slots + 8 * pos + 4, ix[i].off);
    }
    free(ix);
    free(tmp);
    return (0);
}

/* build_records - every record, in key order */

static int build_records(BUILD *b, const PLAN *p)
{
    size_t  i;
    int     f;
    unsigned char meta[LMDBACL_META_SIZE];

    b->key.len = b->val.len = 0;
    if (buf_add(&b->key, LMDBACL_FILTER_KEY, strlen(LMDBACL_FILTER_KEY)) < 0
	|| buf_add(&b->val, p->filter, p->filter_size) < 0) {
	b->mdb_status = ENOMEM;
	return (-1);
    }
    if (build_put(b) < 0)
	return (-1);
    for (i = 0; i < p->kind_end[0]; i++)
	if (build_rule(b, LMDBACL_TAG_NET, p->order[i]) < 0)
	    return (-1);
    if (build_index(b, p) < 0)
	return (-1);
    memset(meta, 0, sizeof(meta));
    put32(meta, LMDBACL_FORMAT_VERSION);
    for (i = 0; i < 4; i++)
	put32(meta + 8 + 8 * i + 4, (uint32_t) p->counts[i]);
    b->key.len = b->val.len = 0;
    if (buf_add(&b->key, LMDBACL_META_KEY, strlen(LMDBACL_META_KEY)) < 0
	|| buf_add(&b->val, meta, sizeof(meta)) < 0) {
	b->mdb_status = ENOMEM;
	return (-1);
    }
    if (build_put(b) < 0)
	return (-1);
    /* Family byte 4 sorts before 6. */
    for (f = 0; f < 2; f++)
	if (build_ranges(b, f ? LMDBACL_AF_INET6 : LMDBACL_AF_INET,
			 p->nets[f], p->nnets[f], p->segs[f],
			 p->nsegs[f]) < 0)
	    return (-1);
    return (0);
}

/* file_sum - 64-bit checksum of the table pages */

static uint64_t file_sum(const unsigned char *p, size_t n)
{
    uint64_t h = 0x6c6d646261636c31ULL ^ n;	/* "lmdbacl1" */
    uint64_t w;
    size_t  i;

    for (i = 0; i + 8 <= n; i += 8) {
	memcpy(&w, p + i, 8);
	h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
	h ^= h >> 29;
    }
    for (; i < n; i++)
	h = (h ^ p[i]) * 0x100000001b3ULL;
    return (h ^ (h >> 32));
}

static void put64(unsigned char *p, uint64_t v)
{
    put32(p, (uint32_t) (v >> 32));
    put32(p + 4, (uint32_t) v);
}

static uint64_t get64(const unsigned char *p)
{
    return ((uint64_t) get32(p) << 32 | get32(p + 4));
}

/* lmdbacl_store_seal - append the trailer: magic, length, checksum */

int     lmdbacl_store_seal(const char *path, LMDBACL_ERR *err)
{
    unsigned char trailer[LMDBACL_TRAILER_SIZE];
    struct stat st;
    void   *map;
    int     fd;
    int     saved;

    if ((fd = open(path, O_RDWR | O_CLOEXEC)) < 0 || fstat(fd, &st) < 0)
	goto fail;
    map = st.st_size ? mmap(0, (size_t) st.st_size, PROT_READ, MAP_SHARED,
			    fd, 0) : 0;
    if (map == MAP_FAILED)
	goto fail;
    memset(trailer, 0, sizeof(trailer));
    memcpy(trailer, LMDBACL_TRAILER_MAGIC, 8);
    put64(trailer + 8, (uint64_t) st.st_size);
    put64(trailer + 16, file_sum(map, (size_t) st.st_size));
    if (map)
	munmap(map, (size_t) st.st_size);
    if (pwrite(fd, trailer, sizeof(trailer), st.st_size) != sizeof(trailer)
	|| fsync(fd) < 0)
	goto fail;
    if (close(fd) < 0) {
	fd = -1;
	goto fail;
    }
    return (LMDBACL_OK);

fail:
    saved = errno;
    if (fd >= 0)
	close(fd);
    return (lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: cannot finish: %s",
			    path, strerror(saved)));
}

/* verify_file - the trailer says the pages are what the build wrote */

static int verify_file(const char *path, struct stat *st, LMDBACL_ERR *err)
{
    const unsigned char *map;
    const unsigned char *tr;
    size_t  size;
    uint64_t len;
    int     fd;
    int     status = LMDBACL_OK;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, st) < 0) {
	int     saved = errno;

	if (fd >= 0)
	    close(fd);
	return (lmdbacl_err_set(err, saved == ENOENT ? LMDBACL_EUNAVAIL :
				LMDBACL_ESYSTEM, "%s: %s", path,
				strerror(saved)));
    }
    size = (size_t) st->st_size;
    if (size == 0) {
	close(fd);
	return (lmdbacl_err_set(err, LMDBACL_EUNAVAIL, "%s: empty file: not a"
				" table (yet)", path));
    }
    if (size < LMDBACL_TRAILER_SIZE + 2 * 512) {
	close(fd);
	return (lmdbacl_err_set(err, LMDBACL_EUNAVAIL, "%s: %zu bytes: a"
				" truncated table, or not a table", path,
				size));
    }
    if ((map = mmap(0, size, PROT_READ, MAP_SHARED, fd, 0)) == MAP_FAILED) {
	int     saved = errno;

	close(fd);
	return (lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: mmap: %s", path,
				strerror(saved)));
    }
    close(fd);
    tr = map + size - LMDBACL_TRAILER_SIZE;
    len = get64(tr + 8);
    if (memcmp(tr, LMDBACL_TRAILER_MAGIC, 8) != 0)
	status = lmdbacl_err_set(err, LMDBACL_EFORMAT, "%s: not an lmdbacl"
				 " table, or a truncated one (no lmdbacl"
				 " trailer; to convert a Postfix lmdb: or cdb:"
				 " map, use \"lmdbacl import\")", path);
    else if (len != size - LMDBACL_TRAILER_SIZE)
	status = lmdbacl_err_set(err, LMDBACL_EUNAVAIL, "%s: truncated or"
				 " extended table file (%zu bytes, the build"
				 " wrote %llu)", path, size,
				 (unsigned long long) len + LMDBACL_TRAILER_SIZE);
    else if (get64(tr + 16) != file_sum(map, (size_t) len))
	status = lmdbacl_err_set(err, LMDBACL_EFORMAT, "%s: damaged table"
				 " file: checksum mismatch; rebuild it", path);
    munmap((void *) map, size);
    return (status);
}

/* build_file - write a complete snapshot to tmp */

static int build_file(const char *tmp, const PLAN *p, LMDBACL_ERR *err)
{
    BUILD   b;
    size_t  mapsize;
    int     rc;
    MDB_envinfo info;
    MDB_stat mst;
    unsigned char trailer[LMDBACL_TRAILER_SIZE];
    size_t  used;
    void   *map;
    int     fd;
    int     attempt;
    const char *start;

    mapsize = (p->bytes * 3 / 2 + (1 << 20) + 0xfffff) & ~(size_t) 0xfffff;

    /*
     * The estimate is generous, so a build rarely has to grow its map:
     * LMDBACL_BUILD_MAP_SIZE (for tests) starts with a smaller one.
     */
    if ((start = getenv("LMDBACL_BUILD_MAP_SIZE")) != 0) {
	unsigned long long want = strtoull(start, 0, 10);

	if (want >= (1 << 20) && want < mapsize)
	    mapsize = (size_t) want & ~(size_t) 0xfffff;
    }
    for (attempt = 0; attempt < 8; attempt++, mapsize *= 2) {
	memset(&b, 0, sizeof(b));
	(void) unlink(tmp);

	/*
	 * Reserve the whole map on disk first: with MDB_WRITEMAP a full
	 * disk would otherwise surface as SIGBUS on a page write, with no
	 * message and a large temporary file left behind.
	 */
	if ((fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0)
	    return (lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: cannot create:"
				    " %s", tmp, strerror(errno)));
	if (fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, (off_t) mapsize) < 0
	    && errno != EOPNOTSUPP && errno != ENOSYS) {
	    rc = errno;
	    close(fd);
	    (void) unlink(tmp);
	    return (lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: cannot reserve"
				    " %zu bytes for the new table: %s", tmp,
				    mapsize, strerror(rc)));
	}
	close(fd);
	if ((rc = mdb_env_create(&b.env)) != 0
	    || (rc = mdb_env_set_mapsize(b.env, mapsize)) != 0
	    || (rc = mdb_env_open(b.env, tmp, MDB_NOSUBDIR | MDB_NOLOCK
				  | MDB_WRITEMAP | MDB_NOSYNC, 0644)) != 0) {
	    if (b.env)
		mdb_env_close(b.env);
	    (void) unlink(tmp);
	    return (lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: cannot create:"
				    " %s", tmp, mdb_strerror(rc)));
	}
	if ((rc = mdb_txn_begin(b.env, 0, 0, &b.txn)) != 0
	    || (rc = mdb_dbi_open(b.txn, 0, 0, &b.dbi)) != 0) {
	    b.mdb_status = rc;
	} else if (build_records(&b, p) == 0) {
	    rc = mdb_txn_commit(b.txn);
	    b.txn = 0;
	    b.mdb_status = rc;
	}
	if (b.txn)
	    mdb_txn_abort(b.txn);
	free(b.key.data);
	free(b.val.data);
	if (b.mdb_status == MDB_MAP_FULL) {
	    mdb_env_close(b.env);
	    continue;
	}
	if (b.mdb_status != 0) {
	    mdb_env_close(b.env);
	    (void) unlink(tmp);
	    return (lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: write error:"
				    " %s", tmp, mdb_strerror(b.mdb_status)));
	}
	break;
    }
    if (attempt == 8) {
	(void) unlink(tmp);
	return (lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: table too large"
				" for a map of %zu bytes", tmp, mapsize / 2));
    }

    /*
     * Trim the sparse map to the pages in use, append the trailer, make
     * it durable. One fsync() covers the pages (dirty in the page cache
     * since they were written through the map), the new size and the
     * trailer: the msync() of the whole map and the two extra fsync()
     * calls that separate steps made cost more than the rest of the
     * finish. The checksum reads the pages from the page cache.
     */
    if ((rc = mdb_env_info(b.env, &info)) != 0
	|| (rc = mdb_env_stat(b.env, &mst)) != 0) {
	mdb_env_close(b.env);
	(void) unlink(tmp);
	return (lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: sync: %s", tmp,
				mdb_strerror(rc)));
    }
    used = (size_t) (info.me_last_pgno + 1) * mst.ms_psize;
    mdb_env_close(b.env);
    map = MAP_FAILED;
    if ((fd = open(tmp, O_RDWR | O_CLOEXEC)) < 0
	|| ftruncate(fd, (off_t) used) < 0
	|| (map = mmap(0, used, PROT_READ, MAP_SHARED, fd, 0)) == MAP_FAILED)
	goto finish_fail;

    /*
     * Start writing the pages out now, so that the disk works while the
     * checksum reads them, and the fsync() below waits for less.
     */
#ifdef SYNC_FILE_RANGE_WRITE
    (void) sync_file_range(fd, 0, (off_t) used, SYNC_FILE_RANGE_WRITE);
#endif
    memset(trailer, 0, sizeof(trailer));
    memcpy(trailer, LMDBACL_TRAILER_MAGIC, 8);
    put64(trailer + 8, (uint64_t) used);
    put64(trailer + 16, file_sum(map, used));
    (void) munmap(map, used);
    map = MAP_FAILED;
    errno = EIO;				/* for a short write */
    if (pwrite(fd, trailer, sizeof(trailer), (off_t) used) != sizeof(trailer)
	|| fsync(fd) < 0)
	goto finish_fail;
    if (close(fd) < 0) {
	int     saved = errno;

	(void) unlink(tmp);
	return (lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: close: %s",
				tmp, strerror(saved)));
    }
    return (LMDBACL_OK);

finish_fail:
    {
	int     saved = errno;

	if (map != MAP_FAILED)
	    (void) munmap(map, used);
	if (fd >= 0)
	    close(fd);
	(void) unlink(tmp);
	return (lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: cannot finish: %s",
				tmp, strerror(saved)));
    }
}

/* lmdbacl_writer_begin - lock the table for a change */

LMDBACL_WRITER *lmdbacl_writer_begin(const char *path, int load,
				             LMDBACL_RULES **rules,
				             LMDBACL_ERR *err)
{
    LMDBACL_WRITER *w;
    struct flock lk;
    struct stat pst;
    int     fd;
    int     created;

    for (;;) {
	created = 0;
	if ((fd = open(path, O_RDWR | O_CLOEXEC)) < 0 && errno == ENOENT) {
	    fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	    created = (fd >= 0);
	}
	if (fd < 0) {
	    if (errno == EEXIST)
		continue;
	    lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: cannot open for"
			    " update: %s", path, strerror(errno));
	    return (0);
	}
	/*
	 * An open-file-description lock where there is one: a classic
	 * POSIX lock would be dropped as soon as this process closes any
	 * other descriptor of the file, such as the one LMDB opens to load
	 * the current rules.
	 */
	memset(&lk, 0, sizeof(lk));
	lk.l_type = F_WRLCK;
	lk.l_whence = SEEK_SET;
	while (fcntl(fd, LMDBACL_SETLKW, &lk) < 0) {
	    if (errno != EINTR) {
		lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: cannot lock: %s",
				path, strerror(errno));
		close(fd);
		return (0);
	    }
	}

	/*
	 * Another writer may have renamed a new snapshot over the file we
	 * waited for. Lock whatever the path names now.
	 */
	if ((w = calloc(1, sizeof(*w))) == 0) {
	    close(fd);
	    lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: out of memory", path);
	    return (0);
	}
	if (fstat(fd, &w->st) == 0 && stat(path, &pst) == 0
	    && pst.st_dev == w->st.st_dev && pst.st_ino == w->st.st_ino)
	    break;
	free(w);
	close(fd);
    }
    w->fd = fd;
    w->created = created;
    w->path = strdup(path);
    w->tmp = malloc(strlen(path) + sizeof(".new"));
    if (w->path == 0 || w->tmp == 0) {
	lmdbacl_writer_abort(w);
	lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: out of memory", path);
	return (0);
    }
    sprintf(w->tmp, "%s.new", path);
    *rules = lmdbacl_rules_create();
    if (*rules == 0) {
	lmdbacl_writer_abort(w);
	lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: out of memory", path);
	return (0);
    }
    if (load && w->st.st_size > 0) {
	LMDBACL *t;

	if ((t = lmdbacl_open(path, err)) == 0
	    || lmdbacl_load_rules(t, *rules, err) != LMDBACL_OK) {
	    if (t)
		lmdbacl_close(t);
	    lmdbacl_rules_free(*rules);
	    *rules = 0;
	    lmdbacl_writer_abort(w);
	    return (0);
	}
	lmdbacl_close(t);
    }
    return (w);
}

/* lmdbacl_writer_abort - release the lock, change nothing */

void    lmdbacl_writer_abort(LMDBACL_WRITER *w)
{
    struct stat pst;

    if (w == 0)
	return;

    /*
     * A snapshot that was built but is not to be installed goes.
     */
    if (w->built && w->tmp)
	(void) unlink(w->tmp);

    /*
     * A failed first build leaves nothing behind: remove the placeholder
     * we created, if the path still names it and it is still empty.
     */
    if (w->created && w->path && stat(w->path, &pst) == 0
	&& pst.st_dev == w->st.st_dev && pst.st_ino == w->st.st_ino
	&& pst.st_size == 0)
	(void) unlink(w->path);
    if (w->fd >= 0)
	close(w->fd);
    free(w->path);
    free(w->tmp);
    free(w);
}

/* fsync_dir - make the rename durable */

static void fsync_dir(const char *path)
{
    char   *copy = strdup(path);
    int     fd;

    if (copy == 0)
	return;
    if ((fd = open(dirname(copy), O_RDONLY | O_DIRECTORY)) >= 0) {
	(void) fsync(fd);
	close(fd);
    }
    free(copy);
}

/* lmdbacl_writer_build - write the new snapshot, short of installing it */

int     lmdbacl_writer_build(LMDBACL_WRITER *w, LMDBACL_RULES *rules,
			             LMDBACL_ERR *err)
{
    PLAN    plan;
    int     status;

    /*
     * Everything but the rename: the plugin runs this on a thread of its
     * own while postmap reads the source, and installs (or drops) the
     * result once the diagnostics are out. No callback, no global state
     * but the environment (LMDBACL_BUILD_MAP_SIZE, read with getenv();
     * Postfix changes no variable while the table is open).
     */
    if (w->built) {
	(void) unlink(w->tmp);
	w->built = 0;
    }
    if (plan_make(&plan, rules) < 0) {
	plan_free(&plan);
	return (lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: out of memory",
				w->path));
    }
    status = build_file(w->tmp, &plan, err);
    plan_free(&plan);
    if (status == LMDBACL_OK)
	w->built = 1;
    return (status);
}

/* lmdbacl_writer_commit - write the new snapshot and rename it in */

int     lmdbacl_writer_commit(LMDBACL_WRITER *w, LMDBACL_RULES *rules,
			              LMDBACL_DIAG_FN diag, void *ctx,
			              LMDBACL_ERR *err)
{
    int     status;
    mode_t  mode;

    (void) diag;
    (void) ctx;
    if (!w->built && (status = lmdbacl_writer_build(w, rules, err))
	!= LMDBACL_OK) {
	lmdbacl_writer_abort(w);
	return (status);
    }

    /*
     * Keep the owner and mode of the table being replaced, but never
     * group or world write permission (Postfix's security model).
     */
    mode = (w->st.st_mode & 0777 & ~(mode_t) 022) | 0400;
    if (chmod(w->tmp, mode) < 0
	|| (geteuid() == 0 && chown(w->tmp, w->st.st_uid, w->st.st_gid) < 0)
	|| rename(w->tmp, w->path) < 0) {
	int     saved = errno;

	lmdbacl_writer_abort(w);
	return (lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: cannot install"
				" the new table: %s", w->path,
				strerror(saved)));
    }
    w->built = 0;
    fsync_dir(w->path);
    w->created = 0;
    lmdbacl_writer_abort(w);
    return (LMDBACL_OK);
}

/* lmdbacl_index_check - the index header fits the value it came in */

int     lmdbacl_index_check(const unsigned char *blob, size_t size,
			            LMDBACL_INDEX *ix)
{
    unsigned log2;
    uint64_t recs;
    size_t  slots_size;

    memset(ix, 0, sizeof(*ix));
    if (size < LMDBACL_INDEX_HDR || memcmp(blob, LMDBACL_INDEX_MAGIC, 4) != 0
	|| get32(blob + 4) != LMDBACL_INDEX_LAYOUT)
	return (LMDBACL_EFORMAT);
    log2 = get32(blob + 8);
    if (log2 < 4 || log2 > 31)
	return (LMDBACL_EFORMAT);
    slots_size = (size_t) 8 << log2;
    recs = get64(blob + 16);
    if (slots_size > size - LMDBACL_INDEX_HDR
	|| recs != size - LMDBACL_INDEX_HDR - slots_size
	|| recs > 0xffffffffUL
	|| get32(blob + 12) > ((uint32_t) 1 << log2) / 2)
	return (LMDBACL_EFORMAT);
    ix->slots = blob + LMDBACL_INDEX_HDR;
    ix->mask = ((uint64_t) 1 << log2) - 1;
    ix->log2 = log2;
    ix->entries = get32(blob + 12);
    ix->recs = ix->slots + slots_size;
    ix->recs_size = (size_t) recs;
    return (LMDBACL_OK);
}

/* lmdbacl_index_entry - one entry of the records area, checked */

int     lmdbacl_index_entry(const LMDBACL_INDEX *ix, size_t off,
			            const unsigned char **key, size_t *klen,
			            const unsigned char **val, size_t *vlen)
{
    const unsigned char *ep;
    size_t  left;
    size_t  kl;
    size_t  vl;

    if (off > ix->recs_size || ix->recs_size - off < LMDBACL_INDEX_ENTRY_HDR)
	return (LMDBACL_EFORMAT);
    ep = ix->recs + off;
    left = ix->recs_size - off - LMDBACL_INDEX_ENTRY_HDR;
    kl = (size_t) ep[0] << 8 | ep[1];
    vl = get32(ep + 2);
    if (kl < 2 || kl > LMDBACL_KEY_MAX + 1 || kl > left || vl > left - kl)
	return (LMDBACL_EFORMAT);
    *key = ep + LMDBACL_INDEX_ENTRY_HDR;
    *klen = kl;
    *val = *key + kl;
    *vlen = vl;
    return (LMDBACL_OK);
}

/* lmdbacl_index_get - the value of one probe key, by its hash */

int     lmdbacl_index_get(const LMDBACL_INDEX *ix, uint64_t h,
			          const unsigned char *key, size_t len,
			          const unsigned char **val, size_t *vlen)
{
    uint64_t pos = INDEX_SLOT(h, ix->log2);
    uint32_t fp = index_fp(h);
    uint64_t n;
    const unsigned char *sp;
    const unsigned char *kp;
    size_t  klen;
    uint32_t sfp;

    /*
     * At most one pass over the slots: a damaged index with no empty
     * slot must not loop.
     */
    for (n = 0; n <= ix->mask; n++, pos = (pos + 1) & ix->mask) {
	sp = ix->slots + 8 * pos;
	if ((sfp = get32(sp)) == 0)
	    return (LMDBACL_NOTFOUND);
	if (sfp != fp)
	    continue;
	if (lmdbacl_index_entry(ix, get32(sp + 4), &kp, &klen, val, vlen) != 0)
	    return (LMDBACL_EFORMAT);
	if (klen == len && memcmp(kp, key, len) == 0)
	    return (LMDBACL_OK);
    }
    return (LMDBACL_NOTFOUND);
}

/* lmdbacl_ranges_check - the sizes of an 'R' record */

int     lmdbacl_ranges_check(const unsigned char *blob, size_t size,
			             size_t alen, LMDBACL_RANGES *rx)
{
    size_t  n;
    size_t  rules;

    memset(rx, 0, sizeof(*rx));
    if (size < LMDBACL_RANGES_HDR
	|| memcmp(blob, LMDBACL_RANGES_MAGIC, 4) != 0
	|| get32(blob + 4) != LMDBACL_RANGES_LAYOUT)
	return (LMDBACL_EFORMAT);
    n = get32(blob + 8);
    rules = get32(blob + 12);
    if (n == 0 || n > (size - LMDBACL_RANGES_HDR) / (3 * alen + 5)
	|| RANGES_FIXED(n, alen) + rules != size)
	return (LMDBACL_EFORMAT);
    rx->n = n;
    rx->alen = alen;
    rx->ends = blob + LMDBACL_RANGES_HDR;
    rx->nfences = RANGES_FENCES(n);
    rx->fences = rx->ends + n * alen;
    rx->info = rx->fences + rx->nfences * alen;
    rx->rules = rx->info + n * (alen + 5);
    rx->rules_size = rules;
    return (LMDBACL_OK);
}

/* ranges_find - the first range whose end is at or above addr */

static size_t ranges_find(const LMDBACL_RANGES *rx, const unsigned char *addr)
{
    size_t  lo = 0;
    size_t  hi = rx->nfences;
    size_t  mid;
    size_t  i;
    size_t  last;

    /*
     * Compared as integers: a 4-byte address as one word, a 16-byte one
     * as two. The fences find the block, the block the range.
     */
#define FIND_RANGE(below, width) do { \
	while (lo < hi) { \
	    mid = lo + (hi - lo) / 2; \
	    if (below(rx->fences + (width) * mid)) \
		lo = mid + 1; \
	    else \
		hi = mid; \
	} \
	if (lo == rx->nfences) \
	    return (rx->n); \
	last = (lo + 1) * LMDBACL_RANGES_BLOCK; \
	if (last > rx->n) \
	    last = rx->n; \
	for (i = lo * LMDBACL_RANGES_BLOCK; i < last; i++) \
	    if (!below(rx->ends + (width) * i)) \
		return (i); \
    } while (0)

    if (rx->alen == 4) {
	uint32_t a = get32(addr);

#define BELOW4(p)	(get32(p) < a)
	FIND_RANGE(BELOW4, 4);
    } else {
	uint64_t ah = get64(addr);
	uint64_t al = get64(addr + 8);

#define BELOW16(p)	(get64(p) < ah || (get64(p) == ah && get64((p) + 8) < al))
	FIND_RANGE(BELOW16, 16);
    }
    return (rx->n);				/* a fence that lies: damaged */
}

/* lmdbacl_open - open a snapshot for lookups */

LMDBACL *lmdbacl_open(const char *path, LMDBACL_ERR *err)
{
    LMDBACL *t;
    struct stat st;
    MDB_envinfo info;
    MDB_stat mst;
    MDB_val k;
    MDB_val v;
    int     rc;
    int     i;
    const unsigned char *meta;

    struct stat vst;

    /*
     * Check every byte once before LMDB touches a page: LMDB trusts the
     * node offsets and page numbers it reads, and a damaged file would
     * crash every daemon that has the table open.
     */
    if (verify_file(path, &vst, err) != LMDBACL_OK)
	return (0);
    st = vst;
    if ((t = calloc(1, sizeof(*t))) == 0 || (t->path = strdup(path)) == 0) {
	free(t);
	lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: out of memory", path);
	return (0);
    }
    t->fd = -1;
    if ((rc = mdb_env_create(&t->env)) != 0
	|| (rc = mdb_env_set_mapsize(t->env, (size_t) st.st_size)) != 0
	|| (rc = mdb_env_open(t->env, path, MDB_RDONLY | MDB_NOSUBDIR
			      | MDB_NOLOCK, 0)) != 0) {
	if (rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH || rc == ENOENT
	    || rc == EINVAL)
	    lmdbacl_err_set(err, LMDBACL_EFORMAT, "%s: not an lmdbacl table"
			    " (not an LMDB file, or a truncated one: %s)",
			    path, mdb_strerror(rc));
	else
	    lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: cannot open: %s",
			    path, mdb_strerror(rc));
	lmdbacl_close(t);
	return (0);
    }
    if (mdb_env_get_fd(t->env, &t->fd) != 0 || fstat(t->fd, &st) < 0) {
	lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: fstat: %s", path,
			strerror(errno));
	t->fd = -1;
	lmdbacl_close(t);
	return (0);
    }
    if (st.st_dev != vst.st_dev || st.st_ino != vst.st_ino) {
	/* Replaced between the check and the open: open the new one. */
	t->fd = -1;
	lmdbacl_close(t);
	return (lmdbacl_open(path, err));
    }
    t->mtime = st.st_mtime;
    t->size = st.st_size;

    /*
     * Never touch a page past the end of the file: that is SIGBUS in
     * every daemon that has the table open.
     */
    if (mdb_env_info(t->env, &info) != 0 || mdb_env_stat(t->env, &mst) != 0
	|| (off_t) (info.me_last_pgno + 1) * mst.ms_psize > st.st_size) {
	lmdbacl_err_set(err, LMDBACL_EUNAVAIL, "%s: truncated table file"
			" (%lld bytes, header needs %lld)", path,
			(long long) st.st_size,
			(long long) (info.me_last_pgno + 1) * mst.ms_psize);
	t->fd = -1;
	lmdbacl_close(t);
	return (0);
    }
    if ((rc = mdb_txn_begin(t->env, 0, MDB_RDONLY, &t->txn)) != 0
	|| (rc = mdb_dbi_open(t->txn, 0, 0, &t->dbi)) != 0
	|| (rc = mdb_cursor_open(t->txn, t->dbi, &t->cursor)) != 0) {
	lmdbacl_err_set(err, LMDBACL_EFORMAT, "%s: damaged table: %s",
			path, mdb_strerror(rc));
	t->fd = -1;
	lmdbacl_close(t);
	return (0);
    }
    k.mv_data = LMDBACL_META_KEY;
    k.mv_size = strlen(LMDBACL_META_KEY);
    if ((rc = mdb_get(t->txn, t->dbi, &k, &v)) != 0
	|| v.mv_size < LMDBACL_META_SIZE) {
	lmdbacl_err_set(err, LMDBACL_EFORMAT, "%s: an LMDB file but not an"
			" lmdbacl table (no lmdbacl header; to convert a"
			" Postfix lmdb: map, use \"lmdbacl import\")", path);
	t->fd = -1;
	lmdbacl_close(t);
	return (0);
    }
    meta = v.mv_data;
    t->format = get32(meta);
    if (t->format > LMDBACL_FORMAT_VERSION || t->format == 0) {
	lmdbacl_err_set(err, LMDBACL_EFORMAT, "%s: table format version %u"
			" is newer than this lmdbacl supports (%d): rebuild the"
			" table with this lmdbacl, or upgrade lmdbacl", path,
			t->format, LMDBACL_FORMAT_VERSION);
	t->fd = -1;
	lmdbacl_close(t);
	return (0);
    }
    for (i = 0; i < 4; i++)
	t->counts[i] = get32(meta + 8 + 8 * i + 4);

    /*
     * The filter is optional; one of the wrong size is ignored (every
     * probe then goes to the tree), never trusted.
     */
    k.mv_data = LMDBACL_FILTER_KEY;
    k.mv_size = strlen(LMDBACL_FILTER_KEY);
    if (mdb_get(t->txn, t->dbi, &k, &v) == 0 && v.mv_size > 8) {
	const unsigned char *fp = v.mv_data;
	uint32_t log2 = get32(fp);

	uint32_t kind = get32(fp + 4);

	if (log2 >= 13 && log2 <= 31 && v.mv_size == 8 + ((size_t) 1 << log2) / 8
	    && (kind == LMDBACL_FILTER_HASHES
		|| kind == (LMDBACL_FILTER_HASHES | LMDBACL_FILTER_BLOCKED))) {
	    t->filter = fp + 8;
	    t->filter_blocked = (kind & LMDBACL_FILTER_BLOCKED) != 0;
	    t->filter_mask = t->filter_blocked ?
		((uint64_t) 1 << (log2 - 9)) - 1 : ((uint64_t) 1 << log2) - 1;
	}
    }

    /*
     * Format 2 keeps exact and wildcard rules in the index, not in the
     * tree: a damaged index cannot be worked around, so it refuses the
     * table. A file without one (format 1) is answered from the tree.
     */
    k.mv_data = LMDBACL_INDEX_KEY;
    k.mv_size = strlen(LMDBACL_INDEX_KEY);
    if ((rc = mdb_get(t->txn, t->dbi, &k, &v)) == 0) {
	if (lmdbacl_index_check(v.mv_data, v.mv_size, &t->index) != 0) {
	    lmdbacl_err_set(err, LMDBACL_EFORMAT, "%s: damaged table: bad"
			    " index record; rebuild it", path);
	    t->fd = -1;
	    lmdbacl_close(t);
	    return (0);
	}
    } else if (rc != MDB_NOTFOUND) {
	lmdbacl_err_set(err, LMDBACL_EFORMAT, "%s: damaged table: %s",
			path, mdb_strerror(rc));
	t->fd = -1;
	lmdbacl_close(t);
	return (0);
    }

    /*
     * Format 3 keeps the ranges of each family in one 'R' record (none:
     * no network of that family); older files in 'N' records.
     */
    for (i = 0; t->format >= 3 && i < 2; i++) {
	unsigned char rkey[2];

	rkey[0] = LMDBACL_TAG_RANGES;
	rkey[1] = i ? LMDBACL_AF_INET6 : LMDBACL_AF_INET;
	k.mv_data = rkey;
	k.mv_size = 2;
	if ((rc = mdb_get(t->txn, t->dbi, &k, &v)) == MDB_NOTFOUND)
	    continue;
	if (rc != 0 || lmdbacl_ranges_check(v.mv_data, v.mv_size,
					    i ? 16 : 4, t->ranges + i) != 0) {
	    lmdbacl_err_set(err, LMDBACL_EFORMAT, "%s: damaged table: bad"
			    " network range record; rebuild it", path);
	    t->fd = -1;
	    lmdbacl_close(t);
	    return (0);
	}
    }
    return (t);
}

void    lmdbacl_close(LMDBACL *t)
{
    if (t == 0)
	return;
    if (t->cursor)
	mdb_cursor_close(t->cursor);
    if (t->txn)
	mdb_txn_abort(t->txn);
    if (t->env)
	mdb_env_close(t->env);
    free(t->path);
    free(t);
}

int     lmdbacl_fd(const LMDBACL *t)
{
    return (t->fd);
}

time_t  lmdbacl_mtime(const LMDBACL *t)
{
    return (t->mtime);
}

/* lmdbacl_store_get - probe one tagged key */

int     lmdbacl_store_get(LMDBACL *t, int tag, const char *key, size_t len,
			          LMDBACL_MATCH *m)
{
    MDB_val k;
    MDB_val v;
    int     rc;
    uint64_t h = 0;

    if (len > LMDBACL_KEY_MAX)
	return (LMDBACL_NOTFOUND);
    t->kbuf[0] = tag;
    memcpy(t->kbuf + 1, key, len);
    if (t->filter || t->index.slots)
	h = lmdbacl_filter_hash(t->kbuf, len + 1);
    if (t->filter && t->filter_blocked) {
	const unsigned char *blk = t->filter + 64 * (h & t->filter_mask);
	int     i;

	for (i = 0; i < LMDBACL_FILTER_HASHES; i++) {
	    unsigned b = LMDBACL_FILTER_BIT(h, i);

	    if ((blk[b >> 3] & (1 << (b & 7))) == 0)
		return (LMDBACL_NOTFOUND);
	}
    } else if (t->filter) {
	uint64_t fh = h;
	uint64_t h2 = (h >> 32) | 1;
	int     i;

	for (i = 0; i < LMDBACL_FILTER_HASHES; i++, fh += h2)
	    if ((t->filter[(fh & t->filter_mask) >> 3] & (1 << (fh & 7))) == 0)
		return (LMDBACL_NOTFOUND);
    }
    if (t->index.slots) {
	const unsigned char *vp;
	size_t  vlen;

	if ((rc = lmdbacl_index_get(&t->index, h, t->kbuf, len + 1, &vp,
				    &vlen)) != LMDBACL_OK)
	    return (rc);
	if (lmdbacl_record_decode(vp, vlen, m) != 0)
	    return (LMDBACL_EFORMAT);
	if (m->rule == 0) {
	    m->rule = (const char *) vp - len;	/* the entry's key text */
	    m->rule_len = len;
	}
	return (LMDBACL_OK);
    }
    k.mv_data = t->kbuf;
    k.mv_size = len + 1;
    if ((rc = mdb_get(t->txn, t->dbi, &k, &v)) == MDB_NOTFOUND)
	return (LMDBACL_NOTFOUND);
    if (rc != 0 || lmdbacl_record_decode(v.mv_data, v.mv_size, m) != 0)
	return (LMDBACL_EFORMAT);
    if (m->rule == 0) {
	m->rule = (const char *) t->kbuf + 1;	/* until the next probe */
	m->rule_len = len;
    }
    return (LMDBACL_OK);
}

/* lmdbacl_store_range - the flattened range that holds addr */

int     lmdbacl_store_range(LMDBACL *t, int family, const unsigned char *addr,
			            LMDBACL_MATCH *m)
{
    MDB_val k;
    MDB_val v;
    size_t  alen = lmdbacl_addr_len(family);
    const unsigned char *kp;
    const unsigned char *vp;
    int     rc;

    if (t->format >= 3) {
	const LMDBACL_RANGES *rx = t->ranges + (family == LMDBACL_AF_INET6);
	const unsigned char *ip;
	const unsigned char *rp;
	size_t  i;
	size_t  off;
	size_t  rlen;

	if (rx->n == 0 || (i = ranges_find(rx, addr)) == rx->n)
	    return (LMDBACL_NOTFOUND);
	ip = rx->info + i * (alen + 5);
	if (memcmp(ip, addr, alen) > 0)
	    return (LMDBACL_NOTFOUND);		/* addr falls in a gap */
	off = get32(ip + alen + 1);
	if (off > rx->rules_size || rx->rules_size - off < 4
	    || (rlen = get32(rx->rules + off)) > rx->rules_size - off - 4)
	    return (LMDBACL_EFORMAT);
	rp = rx->rules + off + 4;
	m->plen = ip[alen];
	if (lmdbacl_record_decode(rp, rlen, m) != 0 || m->rule == 0)
	    return (LMDBACL_EFORMAT);
	return (LMDBACL_OK);
    }
    t->kbuf[0] = LMDBACL_TAG_RANGE;
    t->kbuf[1] = family;
    memcpy(t->kbuf + 2, addr, alen);
    k.mv_data = t->kbuf;
    k.mv_size = 2 + alen;
    if ((rc = mdb_cursor_get(t->cursor, &k, &v, MDB_SET_RANGE)) == MDB_NOTFOUND)
	return (LMDBACL_NOTFOUND);
    if (rc != 0)
	return (LMDBACL_EFORMAT);
    kp = k.mv_data;
    if (k.mv_size != 2 + alen || kp[0] != LMDBACL_TAG_RANGE || kp[1] != family)
	return (LMDBACL_NOTFOUND);
    vp = v.mv_data;
    if (v.mv_size < alen + 1)
	return (LMDBACL_EFORMAT);
    if (memcmp(vp, addr, alen) > 0)
	return (LMDBACL_NOTFOUND);		/* addr falls in a gap */
    m->plen = vp[alen];
    if (lmdbacl_record_decode(vp + alen + 1, v.mv_size - alen - 1, m) != 0
	|| m->rule == 0)
	return (LMDBACL_EFORMAT);
    return (LMDBACL_OK);
}

/* load_rule - one stored rule (probe key and value) into a rule set */

static int load_rule(LMDBACL *t, LMDBACL_RULES *rules,
		             const unsigned char *kp, size_t klen,
		             const unsigned char *vp, size_t vlen,
		             LMDBACL_ERR *err)
{
    LMDBACL_MATCH m;
    LMDBACL_KEY key;
    char    text[LMDBACL_KEY_MAX + 3];
    char    why[LMDBACL_ERR_SIZE];

    if (lmdbacl_record_decode(vp, vlen, &m) != 0)
	return (lmdbacl_err_set(err, LMDBACL_EFORMAT, "%s: damaged table",
				t->path));
    if (kp[0] == LMDBACL_TAG_WILD) {
	/* ".p" is the shorter spelling of "*.p": it fits the limit. */
	text[0] = '.';
	memcpy(text + 1, kp + 1, klen - 1);
	text[klen] = 0;
    } else {
	memcpy(text, kp + 1, klen - 1);
	text[klen - 1] = 0;
    }
    if (lmdbacl_key_parse(text, &key, why, sizeof(why)) != LMDBACL_OK)
	return (lmdbacl_err_set(err, LMDBACL_EFORMAT, "%s: damaged"
				" record: %s", t->path, why));
    if (lmdbacl_rules_add(rules, &key, m.value, m.line,
			  LMDBACL_ADD_REPLACE, 0) < 0)
	return (lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: out of memory",
				t->path));
    return (LMDBACL_OK);
}

/* lmdbacl_load_rules - every rule of a table, back into a rule set */

int     lmdbacl_load_rules(LMDBACL *t, LMDBACL_RULES *rules, LMDBACL_ERR *err)
{
    MDB_cursor *c;
    MDB_val k;
    MDB_val v;
    int     rc;
    int     status;
    const unsigned char *kp;
    const unsigned char *vp;
    size_t  klen;
    size_t  vlen;
    size_t  off;

    if ((rc = mdb_cursor_open(t->txn, t->dbi, &c)) != 0)
	return (lmdbacl_err_set(err, LMDBACL_EFORMAT, "%s: %s", t->path,
				mdb_strerror(rc)));
    for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	 rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
	kp = k.mv_data;
	if (k.mv_size < 2 || k.mv_size > LMDBACL_KEY_MAX + 1)
	    continue;
	if (kp[0] != LMDBACL_TAG_NET && kp[0] != LMDBACL_TAG_EXACT
	    && kp[0] != LMDBACL_TAG_WILD)
	    continue;
	if ((status = load_rule(t, rules, kp, k.mv_size, v.mv_data,
				v.mv_size, err)) != LMDBACL_OK) {
	    mdb_cursor_close(c);
	    return (status);
	}
    }
    mdb_cursor_close(c);
    if (rc != MDB_NOTFOUND)
	return (lmdbacl_err_set(err, LMDBACL_EFORMAT, "%s: damaged table",
				t->path));

    /*
     * Format 2: exact and wildcard rules are the index entries, in key
     * order.
     */
    if (t->index.slots == 0)
	return (LMDBACL_OK);
    for (off = 0; off < t->index.recs_size;
	 off += LMDBACL_INDEX_ENTRY_HDR + klen + vlen) {
	if (lmdbacl_index_entry(&t->index, off, &kp, &klen, &vp, &vlen) != 0
	    || (kp[0] != LMDBACL_TAG_EXACT && kp[0] != LMDBACL_TAG_WILD))
	    return (lmdbacl_err_set(err, LMDBACL_EFORMAT, "%s: damaged table:"
				    " bad index entry", t->path));
	if ((status = load_rule(t, rules, kp, klen, vp, vlen, err))
	    != LMDBACL_OK)
	    return (status);
    }
    return (LMDBACL_OK);
}

int     lmdbacl_stats(LMDBACL *t, LMDBACL_STATS *s)
{
    s->exact = t->counts[0];
    s->wild = t->counts[1];
    s->nets = t->counts[2];
    s->segments = t->counts[3];
    s->format = t->format;
    s->file_size = t->size;
    return (LMDBACL_OK);
}
