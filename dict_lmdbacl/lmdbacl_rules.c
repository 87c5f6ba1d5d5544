/*++
/* NAME
/*	lmdbacl_rules 3
/* SUMMARY
/*	the in-memory rule set of a build or an update
/* SYNOPSIS
/*	#include "lmdbacl.h"
/*
/*	LMDBACL_RULES *lmdbacl_rules_create()
/*
/*	void	lmdbacl_rules_free(rules)
/*
/*	int	lmdbacl_rules_add(rules, key, value, line, mode, first)
/*
/*	int	lmdbacl_rules_delete(rules, key)
/*
/*	size_t	lmdbacl_rules_count(rules)
/*
/*	int	lmdbacl_rules_walk(rules, fn, ctx)
/* INTERNAL INTERFACES
/*	#include "lmdbacl_int.h"
/*
/*	int	lmdbacl_rules_append(rules, key, value, line, raw)
/*
/*	int	lmdbacl_rules_settle(rules, mode, fn, ctx)
/*
/*	const LMDBACL_RULE *const *lmdbacl_rules_order(rules, np)
/*
/*	char	*lmdbacl_rules_save(rules, text, len)
/*
/*	int	lmdbacl_rules_adopt(rules, mem)
/*
/*	int	lmdbacl_rules_presort(rules)
/*
/*	int	lmdbacl_rules_merge(rules, part, line_offset)
/* DESCRIPTION
/*	A rule set maps (kind, key) to a value and the source line it came
/*	from. "*.x" and ".x" parse to the same key, so they are duplicates
/*	of each other. Adding a key that is present keeps the first value
/*	(LMDBACL_ADD_KEEP, as postmap does) or replaces it
/*	(LMDBACL_ADD_REPLACE, postmap -r and updates).
/*
/*	lmdbacl_rules_walk() visits the live rules in storage order:
/*	networks, then exact keys, then wildcards, each sorted by key
/*	bytes. The order of addition never matters.
/*
/*	The bulk interface is for a whole source at once (a build of a
/*	million lines): lmdbacl_rules_append() adds a rule without looking
/*	for duplicates and without copying the value, which must live as
/*	long as the rule set (lmdbacl_rules_adopt() hands over the buffer
/*	it lives in, lmdbacl_rules_save() copies text into the set's own
/*	arena). lmdbacl_rules_settle() then sorts everything into storage
/*	order once; duplicates are adjacent after the sort, and the one
/*	added first is kept (LMDBACL_ADD_KEEP; fn is called with each later
/*	one, its raw key, and the kept one, in the order they were added)
/*	or the one added last (LMDBACL_ADD_REPLACE, quietly). The hash that
/*	serves lmdbacl_rules_add(), _delete() and _find() is built only if
/*	one of them is called afterwards.
/*
/*	lmdbacl_rules_merge() moves every rule of part, and the memory
/*	that part owns, to the end of rules, as if they had been appended
/*	there in the same order, with line_offset added to their source
/*	lines; part is left empty. Two threads can so append the two
/*	halves of one source to two rule sets, the second one counting
/*	lines from the start of its half. lmdbacl_rules_presort() sorts a
/*	bulk rule set ahead of lmdbacl_rules_settle(), on the caller's
/*	thread; when both sets were presorted and nothing changed since,
/*	the merge joins the two sorted runs, and settle needs no sort.
/*	lmdbacl_rules_presort() and lmdbacl_rules_merge() return -1 when
/*	memory runs out (a failed presort only costs the later sort).
/*
/*	lmdbacl_rules_order() is lmdbacl_rules_sorted() without the copy:
/*	the array belongs to the rule set and is valid until it changes.
/* DIAGNOSTICS
/*	lmdbacl_rules_add() returns -1 when memory runs out.
/* LICENSE
/* .ad
/* .fi
/*	See the COPYING file in the top-level directory.
/*--*/

 /*
  * System library.
  */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE			/* qsort_r() */
#endif
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

 /*
  * Application-specific.
  */
#include "lmdbacl_int.h"

typedef struct RULE_SLOT {
    LMDBACL_RULE rule;
    char   *mem;			/* key and value, or null (arena) */
    const char *raw;			/* bulk: the key as written */
    int     deleted;
} RULE_SLOT;

 /*
  * Bulk rules keep their key text in large blocks, not one malloc() per
  * key: a million small allocations cost more than the whole sort.
  */
#define ARENA_BLOCK	(1 << 20)

typedef struct ARENA {
    char  **blocks;			/* owned memory: arena blocks and
					 * adopted buffers */
    size_t  nblocks;
    size_t  size;
    char   *next;			/* free space in the current block */
    size_t  left;
} ARENA;

 /*
  * The hash keeps each key's hash beside its slot number, so that a probe
  * touches the rule (another cache line) only when the hashes agree.
  */
typedef struct HASH_ENTRY {
    size_t  slot;			/* slot index + 1, 0 = empty */
    uint64_t h;
} HASH_ENTRY;

struct LMDBACL_RULES {
    RULE_SLOT *slots;			/* in order of addition */
    size_t  used;
    size_t  size;
    size_t  live;
    HASH_ENTRY *hash;			/* open addressing, linear probes */
    size_t  hash_size;
    size_t  hashed;			/* slots [0, hashed) are in the hash */
    const LMDBACL_RULE **order;		/* storage order of the live rules */
    size_t  norder;			/* valid when order is not null */
    struct SORT_REC *presort;		/* bulk: every rule, sorted */
    size_t  npresort;			/* valid when presort is not null */
    ARENA   arena;
};

/* rules_hash - FNV-1a over kind and key */

static uint64_t rules_hash(int kind, const char *key)
{
    uint64_t h = 1469598103934665603ULL ^ (unsigned) kind;

    for (; *key; key++) {
	h ^= (unsigned char) *key;
	h *= 1099511628211ULL;
    }
    return (h ^ (h >> 31));
}

/* kind_rank - storage order of kinds: C(net) < E(exact) < W(wild) */

static int kind_rank(int kind)
{
    return (kind == LMDBACL_KIND_NET ? 0 : kind == LMDBACL_KIND_EXACT ? 1 : 2);
}

LMDBACL_RULES *lmdbacl_rules_create(void)
{
    return (calloc(1, sizeof(LMDBACL_RULES)));
}

void    lmdbacl_rules_free(LMDBACL_RULES *rules)
{
    size_t  i;

    if (rules == 0)
	return;
    for (i = 0; i < rules->used; i++)
	free(rules->slots[i].mem);
    for (i = 0; i < rules->arena.nblocks; i++)
	free(rules->arena.blocks[i]);
    free(rules->arena.blocks);
    free(rules->slots);
    free(rules->hash);
    free((void *) rules->order);
    free(rules->presort);
    free(rules);
}

/* rules_changed - the cached storage order no longer holds */

static void rules_changed(LMDBACL_RULES *rules)
{
    if (rules->order) {
	free((void *) rules->order);
	rules->order = 0;
    }
    if (rules->presort) {
	free(rules->presort);
	rules->presort = 0;
    }
}

/* lmdbacl_rules_adopt - free mem with the rule set */

int     lmdbacl_rules_adopt(LMDBACL_RULES *rules, void *mem)
{
    ARENA  *a = &rules->arena;

    if (a->nblocks == a->size) {
	size_t  nsize = a->size ? 2 * a->size : 16;
	char  **nb = realloc(a->blocks, nsize * sizeof(*nb));

	if (nb == 0)
	    return (-1);
	a->blocks = nb;
	a->size = nsize;
    }
    a->blocks[a->nblocks++] = mem;
    return (0);
}

/* lmdbacl_rules_save - copy len bytes of text, null-terminated */

char   *lmdbacl_rules_save(LMDBACL_RULES *rules, const char *text, size_t len)
{
    ARENA  *a = &rules->arena;
    char   *copy;

    if (len + 1 > a->left) {
	size_t  bsize = len + 1 > ARENA_BLOCK / 4 ? len + 1 : ARENA_BLOCK;
	char   *block = malloc(bsize);

	if (block == 0 || lmdbacl_rules_adopt(rules, block) < 0) {
	    free(block);
	    return (0);
	}
	/* An oversized piece gets a block of its own. */
	if (bsize != ARENA_BLOCK) {
	    memcpy(block, text, len);
	    block[len] = 0;
	    return (block);
	}
	a->next = block;
	a->left = bsize;
    }
    copy = a->next;
    memcpy(copy, text, len);
    copy[len] = 0;
    a->next += len + 1;
    a->left -= len + 1;
    return (copy);
}

/* rules_find - hash entry for (kind, key) with hash h */

static HASH_ENTRY *rules_find(LMDBACL_RULES *rules, int kind, const char *key,
			              uint64_t h)
{
    size_t  mask = rules->hash_size - 1;
    size_t  pos = (size_t) h & mask;
    HASH_ENTRY *he;
    RULE_SLOT *slot;

    for (;;) {
	he = &rules->hash[pos];
	if (he->slot == 0)
	    return (he);
	if (he->h == h) {
	    slot = &rules->slots[he->slot - 1];
	    if (slot->rule.kind == kind && strcmp(slot->rule.key, key) == 0)
		return (he);
	}
	pos = (pos + 1) & mask;
    }
}

/* rules_grow_hash - keep the load factor under one half */

static int rules_grow_hash(LMDBACL_RULES *rules)
{
    HASH_ENTRY *old = rules->hash;
    size_t  old_size = rules->hash_size;
    size_t  i;
    size_t  mask;
    size_t  pos;

    rules->hash_size = old_size ? old_size * 2 : 1024;
    if ((rules->hash = calloc(rules->hash_size, sizeof(HASH_ENTRY))) == 0) {
	rules->hash = old;
	rules->hash_size = old_size;
	return (-1);
    }
    mask = rules->hash_size - 1;
    for (i = 0; i < old_size; i++) {
	if (old[i].slot) {
	    for (pos = (size_t) old[i].h & mask; rules->hash[pos].slot;
		 pos = (pos + 1) & mask)
		 /* void */ ;
	    rules->hash[pos] = old[i];
	}
    }
    free(old);
    return (0);
}

/* rules_sync_hash - enter bulk-appended rules into the hash */

static int rules_sync_hash(LMDBACL_RULES *rules)
{
    HASH_ENTRY *hp;
    RULE_SLOT *slot;
    uint64_t h;

    while (rules->hashed < rules->used) {
	if (2 * (rules->hashed + 1) > rules->hash_size
	    && rules_grow_hash(rules) < 0)
	    return (-1);
	slot = &rules->slots[rules->hashed++];
	if (slot->deleted)
	    continue;				/* a duplicate that was dropped */
	h = rules_hash(slot->rule.kind, slot->rule.key);
	hp = rules_find(rules, slot->rule.kind, slot->rule.key, h);
	hp->slot = rules->hashed;
	hp->h = h;
    }
    return (0);
}

/* rules_grow - room for one more slot */

static int rules_grow(LMDBACL_RULES *rules)
{
    size_t  nsize;
    RULE_SLOT *ns;

    if (rules->used < rules->size)
	return (0);
    nsize = rules->size ? rules->size * 2 : 256;
    if ((ns = realloc(rules->slots, nsize * sizeof(*ns))) == 0)
	return (-1);
    rules->slots = ns;
    rules->size = nsize;
    return (0);
}

/* rules_fill - copy key and value into a slot */

static int rules_fill(RULE_SLOT *slot, const LMDBACL_KEY *key,
		              const char *value, unsigned line)
{
    size_t  klen = strlen(key->text);
    size_t  vlen = strlen(value);
    char   *mem;

    if ((mem = malloc(klen + vlen + 2)) == 0)
	return (-1);
    memcpy(mem, key->text, klen + 1);
    memcpy(mem + klen + 1, value, vlen + 1);
    free(slot->mem);
    slot->mem = mem;
    slot->deleted = 0;
    slot->rule.kind = key->kind;
    slot->rule.key = mem;
    slot->rule.value = mem + klen + 1;
    slot->rule.line = line;
    slot->rule.is_net = key->is_net;
    slot->rule.family = key->family;
    slot->rule.plen = key->plen;
    memcpy(slot->rule.addr, key->addr, 16);
    return (0);
}

int     lmdbacl_rules_add(LMDBACL_RULES *rules, const LMDBACL_KEY *key,
			          const char *value, unsigned line, int mode,
			          unsigned *first)
{
    HASH_ENTRY *hp;
    RULE_SLOT *slot;
    uint64_t h = rules_hash(key->kind, key->text);

    if (rules_sync_hash(rules) < 0)
	return (-1);
    if (2 * (rules->used + 1) > rules->hash_size && rules_grow_hash(rules) < 0)
	return (-1);
    rules_changed(rules);
    hp = rules_find(rules, key->kind, key->text, h);
    if (hp->slot != 0) {
	slot = &rules->slots[hp->slot - 1];
	if (!slot->deleted) {
	    if (first)
		*first = slot->rule.line;
	    if (mode == LMDBACL_ADD_REPLACE
		&& rules_fill(slot, key, value, line) < 0)
		return (-1);
	    return (LMDBACL_DUP);
	}
	if (rules_fill(slot, key, value, line) < 0)
	    return (-1);
	rules->live++;
	return (LMDBACL_OK);
    }
    if (rules_grow(rules) < 0)
	return (-1);
    slot = &rules->slots[rules->used];
    slot->mem = 0;
    slot->raw = 0;
    if (rules_fill(slot, key, value, line) < 0)
	return (-1);
    hp->slot = ++rules->used;
    rules->hashed = rules->used;
    hp->h = h;
    rules->live++;
    return (LMDBACL_OK);
}

/* lmdbacl_rules_append - add without a duplicate check or a value copy */

int     lmdbacl_rules_append(LMDBACL_RULES *rules, const LMDBACL_KEY *key,
			             const char *value, unsigned line,
			             const char *raw)
{
    RULE_SLOT *slot;
    const char *text;

    if (rules_grow(rules) < 0)
	return (-1);
    /*
     * Most keys are written as they are stored (lower case, no "*."):
     * those need no copy, the raw key in the source buffer is the key.
     */
    if (raw != 0 && strcmp(raw, key->text) == 0)
	text = raw;
    else if ((text = lmdbacl_rules_save(rules, key->text,
					strlen(key->text))) == 0)
	return (-1);
    rules_changed(rules);
    slot = &rules->slots[rules->used++];
    slot->mem = 0;
    slot->raw = raw;
    slot->deleted = 0;
    slot->rule.kind = key->kind;
    slot->rule.key = text;
    slot->rule.value = value;
    slot->rule.line = line;
    slot->rule.is_net = key->is_net;
    slot->rule.family = key->family;
    slot->rule.plen = key->plen;
    memcpy(slot->rule.addr, key->addr, 16);
    rules->live++;
    return (LMDBACL_OK);
}

int     lmdbacl_rules_delete(LMDBACL_RULES *rules, const LMDBACL_KEY *key)
{
    HASH_ENTRY *hp;
    RULE_SLOT *slot;

    if (rules_sync_hash(rules) < 0 || rules->hash_size == 0)
	return (LMDBACL_NOTFOUND);
    hp = rules_find(rules, key->kind, key->text, rules_hash(key->kind, key->text));
    if (hp->slot == 0)
	return (LMDBACL_NOTFOUND);
    slot = &rules->slots[hp->slot - 1];
    if (slot->deleted)
	return (LMDBACL_NOTFOUND);
    rules_changed(rules);
    slot->deleted = 1;
    rules->live--;
    return (LMDBACL_OK);
}

const LMDBACL_RULE *lmdbacl_rules_find(LMDBACL_RULES *rules, int kind,
				               const char *key)
{
    HASH_ENTRY *hp;

    if (rules_sync_hash(rules) < 0 || rules->hash_size == 0)
	return (0);
    hp = rules_find(rules, kind, key, rules_hash(kind, key));
    if (hp->slot == 0 || rules->slots[hp->slot - 1].deleted)
	return (0);
    return (&rules->slots[hp->slot - 1].rule);
}

size_t  lmdbacl_rules_count(const LMDBACL_RULES *rules)
{
    return (rules->live);
}

 /*
  * Storage order: kind (networks, exact, wildcards), then key bytes as
  * strcmp() compares them. Sorting a million keys with qsort() and
  * strcmp() chases two pointers per comparison, twenty times per key;
  * instead the keys are sorted by their first eight bytes (the kind
  * rank, then seven key bytes, zero-padded: a shorter key sorts first,
  * as with strcmp()) with a stable LSD radix sort, and only runs that
  * share those bytes are sorted again by the next eight. Equal keys
  * keep the order in which they were added, which is the order of the
  * slots in memory; that is how duplicates from a source are told
  * apart (lmdbacl_rules_settle()).
  */
typedef struct SORT_REC {
    uint64_t pfx;			/* eight bytes of the sort string */
    const LMDBACL_RULE *rule;
} SORT_REC;

#define SORT_SMALL	64		/* below this, a comparison sort */
#define SORT_BITS	11		/* radix digit */
#define SORT_PASSES	6		/* ceil(64 / SORT_BITS) */
#define SORT_BUCKETS	(1 << SORT_BITS)

/* sort_pfx - bytes [d, d + 8) of rank byte + key, zero-padded */

static uint64_t sort_pfx(const LMDBACL_RULE *r, size_t d)
{
    const unsigned char *k = (const unsigned char *) r->key;
    uint64_t v = 0;
    int     i = 0;

    if (d == 0) {
	v = kind_rank(r->kind);
	i = 1;
    } else {
	k += d - 1;
    }
    for (; i < 8 && *k; i++, k++)
	v = v << 8 | *k;
    return (i == 0 ? 0 : i == 8 ? v : v << (8 * (8 - i)));
}

/* sort_cmp_from - storage order of two rules equal before byte d */

static int sort_cmp_from(const LMDBACL_RULE *a, const LMDBACL_RULE *b,
			         size_t d)
{
    int     c;

    if (d == 0) {
	if ((c = kind_rank(a->kind) - kind_rank(b->kind)) != 0)
	    return (c);
	c = strcmp(a->key, b->key);
    } else {
	c = strcmp(a->key + d - 1, b->key + d - 1);
    }
    if (c != 0)
	return (c);
    return (a < b ? -1 : a > b);	/* order of addition */
}

static int sort_rec_cmp(const void *a, const void *b, void *ctx)
{
    return (sort_cmp_from(((const SORT_REC *) a)->rule,
			  ((const SORT_REC *) b)->rule, *(size_t *) ctx));
}

/* sort_radix - stable sort of recs by pfx, result in a */

static void sort_radix(SORT_REC *a, SORT_REC *tmp, size_t n, size_t *count)
{
    SORT_REC *src = a;
    SORT_REC *dst = tmp;
    SORT_REC *swap;
    size_t  i;
    size_t  sum;
    size_t  c;
    int     p;
    int     shift;

    memset(count, 0, SORT_PASSES * SORT_BUCKETS * sizeof(*count));
    for (i = 0; i < n; i++)
	for (p = 0; p < SORT_PASSES; p++)
	    count[p * SORT_BUCKETS
		  + ((a[i].pfx >> (p * SORT_BITS)) & (SORT_BUCKETS - 1))]++;
    for (p = 0; p < SORT_PASSES; p++) {
	size_t *cp = count + p * SORT_BUCKETS;

	shift = p * SORT_BITS;
	/* A digit that all keys share (the kind rank, mostly) moves nothing. */
	if (cp[(src[0].pfx >> shift) & (SORT_BUCKETS - 1)] == n)
	    continue;
	for (sum = 0, i = 0; i < SORT_BUCKETS; i++) {
	    c = cp[i];
	    cp[i] = sum;
	    sum += c;
	}
	for (i = 0; i < n; i++)
	    dst[cp[(src[i].pfx >> shift) & (SORT_BUCKETS - 1)]++] = src[i];
	swap = src;
	src = dst;
	dst = swap;
    }
    if (src != a)
	memcpy(a, src, n * sizeof(*a));
}

/* sort_run - storage order of n rules that agree before byte d */

static void sort_run(SORT_REC *a, SORT_REC *tmp, size_t n, size_t d,
		             size_t *count)
{
    size_t  i;
    size_t  j;

    if (n < 2)
	return;
    if (n < SORT_SMALL) {
	qsort_r(a, n, sizeof(*a), sort_rec_cmp, &d);
	return;
    }
    for (i = 0; i < n; i++)
	a[i].pfx = sort_pfx(a[i].rule, d);
    sort_radix(a, tmp, n, count);
    for (i = 0; i < n; i = j) {
	for (j = i + 1; j < n && a[j].pfx == a[i].pfx; j++)
	     /* void */ ;
	/* A last byte of zero: the keys ended, and they are equal. */
	if (j - i > 1 && (a[i].pfx & 0xff) != 0) {
	    uint64_t pfx = a[i].pfx;
	    size_t  k;

	    sort_run(a + i, tmp + i, j - i, d + 8, count);
	    /* The caller sees the bytes of its own level (rules_sort()). */
	    for (k = i; k < j; k++)
		a[k].pfx = pfx;
	}
    }
}

/* rules_sort - live rules in storage order, equal keys in slot order */

 /*
  * Each record comes back with the first eight bytes of its sort string
  * (the kind rank and seven key bytes) in pfx, so that neighbours can be
  * told apart without a look at their keys (lmdbacl_rules_settle()).
  */

static SORT_REC *rules_sort(LMDBACL_RULES *rules, size_t *np)
{
    SORT_REC *recs;
    SORT_REC *tmp;
    size_t *count;
    size_t  i;
    size_t  n = 0;

    if ((recs = malloc((rules->live + 1) * sizeof(*recs))) == 0)
	return (0);
    for (i = 0; i < rules->used; i++)
	if (!rules->slots[i].deleted)
	    recs[n++].rule = &rules->slots[i].rule;
    if (n >= SORT_SMALL) {
	tmp = malloc(n * sizeof(*tmp));
	count = malloc(SORT_PASSES * SORT_BUCKETS * sizeof(*count));
	if (tmp == 0 || count == 0) {
	    free(tmp);
	    free(count);
	    free(recs);
	    return (0);
	}
	sort_run(recs, tmp, n, 0, count);
	free(tmp);
	free(count);
    } else {
	sort_run(recs, 0, n, 0, 0);
	for (i = 0; i < n; i++)
	    recs[i].pfx = sort_pfx(recs[i].rule, 0);
    }
    *np = n;
    return (recs);
}

/* rules_set_order - cache the storage order of sorted records */

static int rules_set_order(LMDBACL_RULES *rules, SORT_REC *recs, size_t n)
{
    unsigned char *bytes = (unsigned char *) recs;
    const LMDBACL_RULE **order;
    size_t  i;

    /*
     * The order array is made in the records' own memory (a pointer is
     * half a record; entry i never overwrites a record not yet read):
     * fresh memory costs a page fault per page on first touch.
     */
    for (i = 0; i < n; i++)
	memcpy(bytes + i * sizeof(*order), &recs[i].rule, sizeof(*order));
    if ((order = realloc(recs, (n + 1) * sizeof(*order))) == 0)
	order = (const LMDBACL_RULE **) recs;
    rules_changed(rules);
    rules->order = order;
    rules->norder = n;
    return (0);
}

/* rec_cmp0 - storage order of two records by level-0 bytes, then keys */

static int rec_cmp0(const SORT_REC *a, const SORT_REC *b)
{
    if (a->pfx != b->pfx)
	return (a->pfx < b->pfx ? -1 : 1);
    if ((a->pfx & 0xff) == 0)
	return (0);
    return (strcmp(a->rule->key + 7, b->rule->key + 7));
}

/* lmdbacl_rules_presort - sort a bulk rule set now, for settle or merge */

int     lmdbacl_rules_presort(LMDBACL_RULES *rules)
{
    SORT_REC *recs;
    size_t  n;

    /*
     * Each half of a large source is sorted on its own thread; merge
     * then joins the two sorted runs in one pass, and settle needs no
     * sort of its own.
     */
    if ((recs = rules_sort(rules, &n)) == 0)
	return (-1);
    rules_changed(rules);
    rules->presort = recs;
    rules->npresort = n;
    return (0);
}

/* rules_merge_runs - the presorted runs of rules and part, as one */

static SORT_REC *rules_merge_runs(LMDBACL_RULES *rules, LMDBACL_RULES *part,
				          uintptr_t old_slots, size_t base)
{
    SORT_REC *a = rules->presort;
    SORT_REC *b = part->presort;
    size_t  na = rules->npresort;
    size_t  nb = part->npresort;
    SORT_REC *out;
    SORT_REC rb;
    size_t  i;
    size_t  j = 0;
    size_t  k = 0;

    /*
     * The part's records move with its slots, to base and up. Equal keys
     * keep the order of addition: those of rules come first.
     */
    if (a == 0 || b == 0 || na != rules->live || nb != part->live
	|| (out = malloc((na + nb + 1) * sizeof(*out))) == 0)
	return (0);

    /*
     * The slots of rules may have moved to make room: the records follow
     * them (by address arithmetic only; the old memory is not read).
     */
    if (old_slots != (uintptr_t) rules->slots)
	for (i = 0; i < na; i++)
	    a[i].rule = &rules->slots[((uintptr_t) a[i].rule - old_slots)
				      / sizeof(RULE_SLOT)].rule;
#define PART_REC(r) ((const LMDBACL_RULE *) (rules->slots + base \
	+ ((const RULE_SLOT *) (r) - part->slots)))
    for (i = 0; i < na && j < nb; /* void */ ) {
	rb.pfx = b[j].pfx;
	rb.rule = b[j].rule;
	if (rec_cmp0(&rb, a + i) < 0) {
	    out[k].pfx = rb.pfx;
	    out[k++].rule = PART_REC(rb.rule);
	    j++;
	} else {
	    out[k++] = a[i++];
	}
    }
    while (i < na)
	out[k++] = a[i++];
    for (; j < nb; j++) {
	out[k].pfx = b[j].pfx;
	out[k++].rule = PART_REC(b[j].rule);
    }
    return (out);
}

 /*
  * Slots of a merge, copied in two parts: those below this count in one.
  */
#define MERGE_SPLIT_MIN	65536

typedef struct MERGE_COPY {
    RULE_SLOT *dst;			/* where slot 0 of the part goes */
    const RULE_SLOT *src;
    size_t  from;
    size_t  to;
    unsigned line_offset;
} MERGE_COPY;

/* merge_copy_run - copy and renumber slots [from, to) of a part */

static void *merge_copy_run(void *ctx)
{
    MERGE_COPY *mc = ctx;
    size_t  i;

    for (i = mc->from; i < mc->to; i++) {
	mc->dst[i] = mc->src[i];
	mc->dst[i].rule.line += mc->line_offset;
    }
    return (0);
}

/* lmdbacl_rules_merge - move the rules of part after those of rules */

int     lmdbacl_rules_merge(LMDBACL_RULES *rules, LMDBACL_RULES *part,
			            unsigned line_offset)
{
    ARENA  *a = &rules->arena;
    ARENA  *pa = &part->arena;
    size_t  need;
    size_t  nsize;
    RULE_SLOT *ns;
    char  **nb;
    SORT_REC *presort;
    uintptr_t old_slots = (uintptr_t) rules->slots;
    MERGE_COPY copy[2];
    pthread_t thread;
    int     threaded;

    /*
     * Room first, so that a failure changes neither set; the slots last,
     * as the presorted records of rules point into them.
     */
    if ((need = a->nblocks + pa->nblocks) > a->size) {
	for (nsize = a->size ? a->size : 16; nsize < need; nsize *= 2)
	     /* void */ ;
	if ((nb = realloc(a->blocks, nsize * sizeof(*nb))) == 0)
	    return (-1);
	a->blocks = nb;
	a->size = nsize;
    }
    if ((need = rules->used + part->used) > rules->size) {
	for (nsize = rules->size ? rules->size : 256; nsize < need; nsize *= 2)
	     /* void */ ;
	if ((ns = realloc(rules->slots, nsize * sizeof(*ns))) == 0)
	    return (-1);
	rules->slots = ns;
	rules->size = nsize;
    }

    /*
     * A large part is copied by two threads (most of the cost is the
     * first touch of the new memory), while this one merges the runs.
     */
    memset(copy, 0, sizeof(copy));
    copy[0].dst = copy[1].dst = rules->slots + rules->used;
    copy[0].src = copy[1].src = part->slots;
    copy[0].line_offset = copy[1].line_offset = line_offset;
    copy[1].from = part->used / 2;
    copy[1].to = part->used;
    copy[0].to = part->used / 2;
    if (part->used < MERGE_SPLIT_MIN
	|| pthread_create(&thread, 0, merge_copy_run, copy + 1) != 0) {
	copy[0].to = part->used;
	copy[1].from = part->used;
	threaded = 0;
    } else
	threaded = 1;
    (void) merge_copy_run(copy);
    if (pa->nblocks > 0)
	memcpy(a->blocks + a->nblocks, pa->blocks,
	       pa->nblocks * sizeof(*pa->blocks));
    presort = rules_merge_runs(rules, part, old_slots, rules->used);
    if (threaded)
	(void) pthread_join(thread, 0);
    rules_changed(rules);
    rules->presort = presort;
    rules->npresort = presort ? rules->live + part->live : 0;
    rules->used += part->used;
    rules->live += part->live;
    a->nblocks += pa->nblocks;
    rules_changed(part);
    part->used = part->live = part->hashed = 0;
    pa->nblocks = 0;
    pa->next = 0;
    pa->left = 0;
    if (part->hash)
	memset(part->hash, 0, part->hash_size * sizeof(*part->hash));
    return (0);
}

/* lmdbacl_rules_order - the cached storage order, made if need be */

const LMDBACL_RULE *const *lmdbacl_rules_order(LMDBACL_RULES *rules,
					               size_t *np)
{
    SORT_REC *recs;
    size_t  n;

    if (rules->order == 0) {
	if ((recs = rules_sort(rules, &n)) == 0)
	    return (0);
	(void) rules_set_order(rules, recs, n);
    }
    *np = rules->norder;
    return (rules->order);
}

const LMDBACL_RULE **lmdbacl_rules_sorted(LMDBACL_RULES *rules, size_t *np)
{
    const LMDBACL_RULE *const *order;
    const LMDBACL_RULE **copy;
    size_t  n;

    if ((order = lmdbacl_rules_order(rules, &n)) == 0
	|| (copy = malloc((n + 1) * sizeof(*copy))) == 0)
	return (0);
    memcpy(copy, order, n * sizeof(*copy));
    *np = n;
    return (copy);
}

 /*
  * A duplicate found by lmdbacl_rules_settle(), reported in the order
  * of addition after the sort.
  */
typedef struct DUP_PAIR {
    const RULE_SLOT *later;
    const RULE_SLOT *kept;
} DUP_PAIR;

static int dup_cmp(const void *a, const void *b)
{
    const RULE_SLOT *la = ((const DUP_PAIR *) a)->later;
    const RULE_SLOT *lb = ((const DUP_PAIR *) b)->later;

    return (la < lb ? -1 : la > lb);
}

/* lmdbacl_rules_settle - sort once, drop duplicates */

int     lmdbacl_rules_settle(LMDBACL_RULES *rules, int mode,
			             LMDBACL_SETTLE_FN fn, void *ctx)
{
    SORT_REC *recs;
    DUP_PAIR *dups = 0;
    size_t  ndups = 0;
    size_t  dsize = 0;
    size_t  n;
    size_t  i;
    size_t  j;
    size_t  k;
    size_t  keep;
    size_t  out = 0;

    /*
     * A rule set merged from two presorted halves is in order already.
     */
    if (rules->presort != 0 && rules->npresort == rules->live) {
	recs = rules->presort;
	n = rules->npresort;
	rules->presort = 0;
    } else if ((recs = rules_sort(rules, &n)) == 0)
	return (-1);
    for (i = 0; i < n; i = j) {
	const LMDBACL_RULE *r = recs[i].rule;

	/*
	 * Neighbours with other first bytes differ; only those that share
	 * them (and did not end within them) need a look at their keys:
	 * most duplicate checks touch no key at all.
	 */
	for (j = i + 1; j < n && recs[j].pfx == recs[i].pfx
	     && ((recs[i].pfx & 0xff) == 0
		 || strcmp(recs[j].rule->key + 7, r->key + 7) == 0); j++)
	     /* void */ ;
	keep = (mode == LMDBACL_ADD_REPLACE ? j - 1 : i);
	for (k = i; k < j; k++) {
	    RULE_SLOT *slot = (RULE_SLOT *) recs[k].rule;

	    if (k == keep)
		continue;
	    slot->deleted = 1;
	    rules->live--;
	    if (mode == LMDBACL_ADD_REPLACE || fn == 0)
		continue;
	    if (ndups == dsize) {
		size_t  nsize = dsize ? 2 * dsize : 64;
		DUP_PAIR *nd = realloc(dups, nsize * sizeof(*nd));

		if (nd == 0) {
		    free(dups);
		    free(recs);
		    return (-1);
		}
		dups = nd;
		dsize = nsize;
	    }
	    dups[ndups].later = slot;
	    dups[ndups].kept = (const RULE_SLOT *) recs[keep].rule;
	    ndups++;
	}
	recs[out++] = recs[keep];
    }
    (void) rules_set_order(rules, recs, out);
    if (ndups > 1)
	qsort(dups, ndups, sizeof(*dups), dup_cmp);
    for (i = 0; i < ndups; i++)
	fn(ctx, &dups[i].later->rule, dups[i].later->raw ? dups[i].later->raw :
	   dups[i].later->rule.key, &dups[i].kept->rule);
    free(dups);
    return (0);
}

int     lmdbacl_rules_walk(LMDBACL_RULES *rules, LMDBACL_RULE_FN fn, void *ctx)
{
    const LMDBACL_RULE **order;
    size_t  i;
    size_t  n = 0;
    int     status = 0;

    if ((order = lmdbacl_rules_sorted(rules, &n)) == 0)
	return (-1);
    for (i = 0; i < n && status == 0; i++)
	status = fn(ctx, order[i]);
    free(order);
    return (status);
}

/* net_cmp - family, network, prefix length, then line */

static int net_cmp(const void *a, const void *b)
{
    const LMDBACL_RULE *ra = *(const LMDBACL_RULE *const *) a;
    const LMDBACL_RULE *rb = *(const LMDBACL_RULE *const *) b;
    int     d;

    if ((d = ra->family - rb->family) != 0)
	return (d);
    if ((d = memcmp(ra->addr, rb->addr, 16)) != 0)
	return (d);
    if ((d = ra->plen - rb->plen) != 0)
	return (d);
    if (ra->line != rb->line)
	return (ra->line < rb->line ? -1 : 1);
    return (strcmp(ra->key, rb->key));
}

int     lmdbacl_rules_same_nets(LMDBACL_RULES *rules, LMDBACL_SAME_NET_FN fn,
				        void *ctx)
{
    const LMDBACL_RULE **nets;
    size_t  i;
    size_t  n = 0;
    size_t  first = 0;
    int     count = 0;

    if ((nets = malloc((rules->live + 1) * sizeof(*nets))) == 0)
	return (-1);
    for (i = 0; i < rules->used; i++)
	if (!rules->slots[i].deleted && rules->slots[i].rule.is_net)
	    nets[n++] = &rules->slots[i].rule;
    qsort(nets, n, sizeof(*nets), net_cmp);
    for (i = 1; i < n; i++) {
	if (nets[i]->family == nets[first]->family
	    && nets[i]->plen == nets[first]->plen
	    && memcmp(nets[i]->addr, nets[first]->addr, 16) == 0) {
	    fn(ctx, nets[i], nets[first]);
	    count++;
	} else {
	    first = i;
	}
    }
    free(nets);
    return (count);
}
