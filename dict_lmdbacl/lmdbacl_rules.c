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
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

 /*
  * Application-specific.
  */
#include "lmdbacl_int.h"

typedef struct RULE_SLOT {
    LMDBACL_RULE rule;
    char   *mem;			/* key and value */
    int     deleted;
} RULE_SLOT;

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
    free(rules->slots);
    free(rules->hash);
    free(rules);
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

    if (2 * (rules->used + 1) > rules->hash_size && rules_grow_hash(rules) < 0)
	return (-1);
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
    if (rules->used == rules->size) {
	size_t  nsize = rules->size ? rules->size * 2 : 256;
	RULE_SLOT *ns = realloc(rules->slots, nsize * sizeof(*ns));

	if (ns == 0)
	    return (-1);
	rules->slots = ns;
	rules->size = nsize;
    }
    slot = &rules->slots[rules->used];
    slot->mem = 0;
    if (rules_fill(slot, key, value, line) < 0)
	return (-1);
    hp->slot = ++rules->used;
    hp->h = h;
    rules->live++;
    return (LMDBACL_OK);
}

int     lmdbacl_rules_delete(LMDBACL_RULES *rules, const LMDBACL_KEY *key)
{
    HASH_ENTRY *hp;
    RULE_SLOT *slot;

    if (rules->hash_size == 0)
	return (LMDBACL_NOTFOUND);
    hp = rules_find(rules, key->kind, key->text, rules_hash(key->kind, key->text));
    if (hp->slot == 0)
	return (LMDBACL_NOTFOUND);
    slot = &rules->slots[hp->slot - 1];
    if (slot->deleted)
	return (LMDBACL_NOTFOUND);
    slot->deleted = 1;
    rules->live--;
    return (LMDBACL_OK);
}

const LMDBACL_RULE *lmdbacl_rules_find(LMDBACL_RULES *rules, int kind,
				               const char *key)
{
    HASH_ENTRY *hp;

    if (rules->hash_size == 0)
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

/* rule_cmp - storage order */

static int rule_cmp(const void *a, const void *b)
{
    const LMDBACL_RULE *ra = *(const LMDBACL_RULE *const *) a;
    const LMDBACL_RULE *rb = *(const LMDBACL_RULE *const *) b;
    int     d = kind_rank(ra->kind) - kind_rank(rb->kind);

    return (d ? d : strcmp(ra->key, rb->key));
}

const LMDBACL_RULE **lmdbacl_rules_sorted(LMDBACL_RULES *rules, size_t *np)
{
    const LMDBACL_RULE **order;
    size_t  i;
    size_t  n = 0;

    if ((order = malloc((rules->live + 1) * sizeof(*order))) == 0)
	return (0);
    for (i = 0; i < rules->used; i++)
	if (!rules->slots[i].deleted)
	    order[n++] = &rules->slots[i].rule;
    qsort(order, n, sizeof(*order), rule_cmp);
    *np = n;
    return (order);
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
