/*++
/* NAME
/*	lmdbacl_match 3
/* SUMMARY
/*	answer one access(5) query
/* SYNOPSIS
/*	#include "lmdbacl.h"
/*
/*	int	lmdbacl_lookup(table, query, parent_style, match)
/*	LMDBACL	*table;
/*	const char *query;
/*	int	parent_style;
/*	LMDBACL_MATCH *match;
/* DESCRIPTION
/*	lmdbacl_lookup() answers one folded query (SPEC section 4):
/* .IP 1.
/*	The exact key, always first.
/* .IP 2.
/*	An address query (contains '@') gets nothing more: smtpd asks for
/*	the domain part itself.
/* .IP 3.
/*	An IPv4 or IPv6 address (any text form, %scope dropped): the
/*	longest-prefix network among CIDR keys, address keys and smtpd's
/*	truncated addresses (192.0.2 is 192.0.2.0/24), one range probe.
/* .IP 4.
/*	A domain-shaped query (no ':', last label not all digits: smtpd's
/*	truncated addresses such as 192.0.2 get the exact lookup only):
/*	one trailing dot is ignored; the ancestors are walked nearest
/*	first, and at ancestor p the answer is *.p, or else plain p when
/*	parent_style is set. A query ".p" (smtpd's dot style) asks about
/*	the subdomains of p: *.p, then the walk above p.
/* .PP
/*	The answer points into the mapped file and needs no copy. Nothing
/*	here makes a system call or allocates memory.
/*
/*	smtpd asks again for each parent domain (or truncated address)
/*	after a miss. The walk of the first query already proved those
/*	absent, so the last miss is remembered, and a query for one of its
/*	ancestors ("p" under parent style, ".p" always; "a.b.c" after an
/*	IPv4 miss on "a.b.c.d"; "2001:db8:1" after an IPv6 miss on
/*	"2001:db8:1:2::7") is answered without touching the tree.
/* DIAGNOSTICS
/*	LMDBACL_EFORMAT when a record fails its checks.
/* LICENSE
/* .ad
/* .fi
/*	See the COPYING file in the top-level directory.
/*--*/

 /*
  * System library. _GNU_SOURCE for memmem().
  */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <string.h>

 /*
  * Application-specific.
  */
#include "lmdbacl_int.h"

/* last_label_numeric - "192.0.2", "example.123" */

static int last_label_numeric(const char *name, size_t len)
{
    size_t  i = len;

    while (i > 0 && name[i - 1] != '.') {
	if (name[i - 1] < '0' || name[i - 1] > '9')
	    return (0);
	i--;
    }
    return (i < len);
}

#define MISS_DOMAIN	1
#define MISS_IPV4	2
#define MISS_IPV6	3

/* remember_miss - a query whose ancestors are now known to be absent */

static void remember_miss(LMDBACL *t, const char *q, size_t len, int kind,
			          int parent_style)
{
    if (len > LMDBACL_KEY_MAX)
	return;
    memcpy(t->miss, q, len);
    t->miss[len] = 0;
    t->miss_len = len;
    t->miss_kind = kind;
    t->miss_style = parent_style;
}

/* proven_absent - is q an ancestor query of the last miss? */

static int proven_absent(const LMDBACL *t, const char *q, size_t len,
			         int parent_style)
{
    const char *anc;

    if (t->miss_len == 0 || len == 0 || len >= t->miss_len)
	return (0);
    if (t->miss_kind == MISS_IPV4) {
	/* "192.0.2" after "192.0.2.77": the /24 would have matched. */
	return (memcmp(t->miss, q, len) == 0 && t->miss[len] == '.');
    }
    if (t->miss_kind == MISS_IPV6) {

	/*
	 * "2001:db8:1" after "2001:db8:1:2::7": two or more whole groups
	 * without "::" are a network key, which would have matched. One
	 * group ("2001"), a "::" or a trailing ':' ("2001:db8:1:" after
	 * "2001:db8:1::7") can only be an exact key: those are probed.
	 */
	return (memcmp(t->miss, q, len) == 0 && t->miss[len] == ':'
		&& q[len - 1] != ':' && memchr(q, ':', len) != 0
		&& memmem(q, len, "::", 2) == 0);
    }
    anc = t->miss + t->miss_len - len;
    if (t->miss_style != parent_style)
	return (0);
    if (q[0] == '.')			/* ".p": *.p and the walk above p */
	return (memcmp(anc, q, len) == 0);
    /* "p": plain p was probed only under parent style */
    return (parent_style && memcmp(anc, q, len) == 0 && anc[-1] == '.');
}

/* walk - ancestors of name[0..len), nearest first */

static int walk(LMDBACL *t, const char *name, size_t len, int parent_style,
		        LMDBACL_MATCH *m)
{
    const char *p = name;
    const char *end = name + len;
    int     rc;

    while ((p = memchr(p, '.', end - p)) != 0) {
	p++;
	if (p == end)
	    break;
	if ((rc = lmdbacl_store_get(t, LMDBACL_TAG_WILD, p, end - p, m))
	    != LMDBACL_NOTFOUND) {
	    m->how = LMDBACL_HOW_WILD;
	    return (rc);
	}
	if (parent_style
	    && (rc = lmdbacl_store_get(t, LMDBACL_TAG_EXACT, p, end - p, m))
	    != LMDBACL_NOTFOUND) {
	    m->how = LMDBACL_HOW_PARENT;
	    return (rc);
	}
    }
    return (LMDBACL_NOTFOUND);
}

int     lmdbacl_lookup(LMDBACL *t, const char *query, int parent_style,
		               LMDBACL_MATCH *m)
{
    size_t  len = strlen(query);
    unsigned char addr[16];
    int     family;
    int     rc;

    const char *cp;

    memset(m, 0, sizeof(*m));
    if (len == 0)
	return (LMDBACL_NOTFOUND);

    /*
     * Keys are stored with full case folding. Postfix folds non-ASCII
     * queries that way only with smtputf8_enable = yes: fold them here,
     * so both settings get the same answers. ASCII queries (nearly all)
     * skip this.
     */
    for (cp = query; *cp && *(const unsigned char *) cp < 0x80; cp++)
	 /* void */ ;
    if (*cp) {
	int     flen = lmdbacl_fold_utf8(query, t->qbuf, sizeof(t->qbuf));

	if (flen > 0) {
	    query = t->qbuf;
	    len = (size_t) flen;
	}
    }

    /*
     * A query longer than any key gets no exact match (the probes say
     * not found), but its shorter ancestors may still match.
     */

    if (proven_absent(t, query, len, parent_style))
	return (LMDBACL_NOTFOUND);

    /*
     * 1. Exact key.
     */
    if ((rc = lmdbacl_store_get(t, LMDBACL_TAG_EXACT, query, len, m))
	!= LMDBACL_NOTFOUND) {
	m->how = LMDBACL_HOW_EXACT;
	return (rc);
    }

    /*
     * 2. Addresses: exact only.
     */
    if (memchr(query, '@', len) != 0)
	return (LMDBACL_NOTFOUND);

    /*
     * 3. IP addresses: longest prefix.
     */
    if (query[0] != '[' && (family = lmdbacl_addr_parse(query, addr)) != 0) {
	if ((rc = lmdbacl_store_range(t, family, addr, m)) == LMDBACL_OK)
	    m->how = LMDBACL_HOW_NET;
	else if (rc == LMDBACL_NOTFOUND)
	    remember_miss(t, query, len, family == LMDBACL_AF_INET ?
			  MISS_IPV4 : MISS_IPV6, parent_style);
	return (rc);
    }

    /*
     * 4. Domain names.
     */
    if (memchr(query, ':', len) != 0)
	return (LMDBACL_NOTFOUND);
    if (query[len - 1] == '.') {
	len--;
	if (len == 0 || query[len - 1] == '.')
	    return (LMDBACL_NOTFOUND);
	if ((rc = lmdbacl_store_get(t, LMDBACL_TAG_EXACT, query, len, m))
	    != LMDBACL_NOTFOUND) {
	    m->how = LMDBACL_HOW_EXACT;
	    return (rc);
	}
    }
    if (last_label_numeric(query, len))
	return (LMDBACL_NOTFOUND);
    /*
     * A query ".p" (smtpd's dot style) asks about the subdomains of p:
     * the walk from its leading dot starts with *.p (and plain p under
     * parent style), as for any name below p.
     */
    rc = walk(t, query, len, parent_style, m);
    if (rc == LMDBACL_NOTFOUND)
	remember_miss(t, query, len, MISS_DOMAIN, parent_style);
    return (rc);
}
