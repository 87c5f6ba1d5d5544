/*++
/* NAME
/*	conf-gen 1
/* SUMMARY
/*	inputs for the differential tests against Postfix's own tables
/* SYNOPSIS
/*	conf-gen nets <geoip-ranges
/*	conf-gen addr-queries SEED COUNT <networks
/*	conf-gen domain-queries SEED COUNT <domains
/*	conf-gen sample SEED COUNT <lines
/*	conf-gen cidr-table <networks
/* DESCRIPTION
/*	A helper of tests/conformance/run-conformance. It writes what the
/*	harness feeds to postmap; it computes no answer.
/*
/*	nets reads tor-geoipdb ranges, "FIRST,LAST,CC" (IPv4 as 32-bit
/*	integers, IPv6 as text), and writes each range as the networks
/*	that cover it exactly, one "network/length CC" per line. The
/*	ranges do not overlap, so neither do the networks.
/*
/*	addr-queries writes COUNT client addresses for the networks read
/*	(the first field of each line): the first, the last and a random
/*	address of a network, its neighbours just outside, and random
/*	addresses. IPv6 addresses come in canonical, upper-case and fully
/*	expanded text, as clients and logs write them.
/*
/*	domain-queries writes COUNT names for the domains read: the domain
/*	itself, one and two labels more, one label less, near misses (one
/*	letter changed, a letter added to the first label), upper case,
/*	and user@domain.
/*
/*	sample writes COUNT of the lines read, in their order, chosen
/*	without replacement.
/*
/*	cidr-table copies "network value" lines, sorted by address, into a
/*	cidr: table whose networks are grouped in nested "if" blocks (IPv4
/*	by /8 and /16, IPv6 by /16 and /32). A cidr: table is a linear
/*	scan; the blocks let Postfix skip a whole group with one test, so
/*	that a million networks can be queried a hundred thousand times.
/*	The blocks change no answer: the networks do not overlap.
/*
/*	The same SEED and input give the same output on every machine.
/* DIAGNOSTICS
/*	Exit 2 on usage errors or unreadable input lines, with a message
/*	naming the line.
/*--*/

 /*
  * System library.
  */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned __int128 u128;

static uint64_t rng_state;

/* rng - splitmix64: the same sequence everywhere for one seed */

static uint64_t rng(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rng_below(uint64_t n)
{
    return n ? rng() % n : 0;
}

/* Lines of stdin, kept for random picks. */

static char **lines;
static size_t nlines;

static void read_lines(void)
{
    char   *buf = 0;
    size_t  cap = 0, alloc = 0;
    ssize_t len;

    while ((len = getline(&buf, &cap, stdin)) > 0) {
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
	    buf[--len] = 0;
	if (len == 0)
	    continue;
	if (nlines == alloc) {
	    alloc = alloc ? alloc * 2 : 4096;
	    if ((lines = realloc(lines, alloc * sizeof(*lines))) == 0) {
		perror("conf-gen");
		exit(2);
	    }
	}
	if ((lines[nlines++] = strdup(buf)) == 0) {
	    perror("conf-gen");
	    exit(2);
	}
    }
    free(buf);
}

/* Addresses: family 4 or 6 and a 128-bit value (IPv4 in the low bits). */

static u128 u128_from_bytes(const unsigned char *b, int n)
{
    u128    v = 0;
    int     i;

    for (i = 0; i < n; i++)
	v = (v << 8) | b[i];
    return v;
}

static void u128_to_bytes(u128 v, unsigned char *b, int n)
{
    int     i;

    for (i = n - 1; i >= 0; i--, v >>= 8)
	b[i] = (unsigned char) v;
}

static int addr_bits(int family)
{
    return family == 4 ? 32 : 128;
}

static void addr_text(int family, u128 v, char *out, size_t len)
{
    unsigned char b[16];

    u128_to_bytes(v, b, family == 4 ? 4 : 16);
    inet_ntop(family == 4 ? AF_INET : AF_INET6, b, out, (socklen_t) len);
}

/* nets - ranges to the networks that cover them exactly */

static int cmd_nets(void)
{
    char   *buf = 0;
    size_t  cap = 0;
    ssize_t len;
    long    lineno = 0;

    while ((len = getline(&buf, &cap, stdin)) > 0) {
	char   *first, *last, *cc, *save;
	int     family;
	u128    lo, hi;

	lineno++;
	buf[strcspn(buf, "\r\n")] = 0;
	if (buf[0] == '#' || buf[0] == 0)
	    continue;
	if ((first = strtok_r(buf, ",", &save)) == 0
	    || (last = strtok_r(0, ",", &save)) == 0
	    || (cc = strtok_r(0, ",", &save)) == 0) {
	    fprintf(stderr, "conf-gen: stdin:%ld: expected FIRST,LAST,CC\n",
		    lineno);
	    return 2;
	}
	if (strchr(first, ':')) {
	    unsigned char b[16];

	    family = 6;
	    if (inet_pton(AF_INET6, first, b) != 1)
		goto bad;
	    lo = u128_from_bytes(b, 16);
	    if (inet_pton(AF_INET6, last, b) != 1)
		goto bad;
	    hi = u128_from_bytes(b, 16);
	} else {
	    char   *end;

	    family = 4;
	    errno = 0;
	    lo = strtoull(first, &end, 10);
	    if (errno || *end || lo > 0xffffffffULL)
		goto bad;
	    hi = strtoull(last, &end, 10);
	    if (errno || *end || hi > 0xffffffffULL)
		goto bad;
	}
	if (hi < lo)
	    goto bad;
	for (;;) {
	    int     bits = addr_bits(family), len_bits = bits;
	    char    text[INET6_ADDRSTRLEN];

	    /* The largest aligned block that starts at lo and stays in range. */
	    while (len_bits > 0) {
		int     host = bits - len_bits + 1;
		u128    size = (u128) 1 << host;

		if (host >= 128 || (lo & (size - 1)) != 0
		    || lo + size - 1 > hi || lo + size - 1 < lo)
		    break;
		len_bits--;
	    }
	    addr_text(family, lo, text, sizeof(text));
	    printf("%s/%d %s\n", text, len_bits, cc);
	    {
		int     host = bits - len_bits;
		u128    end = host >= 128 ? ~(u128) 0 : lo + (((u128) 1 << host) - 1);

		if (end >= hi)
		    break;
		lo = end + 1;
	    }
	}
	continue;
bad:
	fprintf(stderr, "conf-gen: stdin:%ld: bad range\n", lineno);
	return 2;
    }
    free(buf);
    return 0;
}

/* print_v6 - one IPv6 address in one of the text forms clients use */

static void print_v6(u128 v)
{
    char    text[INET6_ADDRSTRLEN], *cp;
    unsigned char b[16];
    int     i;

    switch (rng_below(4)) {
    case 0:					/* fully expanded */
	u128_to_bytes(v, b, 16);
	for (i = 0; i < 16; i += 2)
	    printf("%s%02x%02x", i ? ":" : "", b[i], b[i + 1]);
	putchar('\n');
	return;
    case 1:					/* upper case */
	addr_text(6, v, text, sizeof(text));
	for (cp = text; *cp; cp++)
	    *cp = (char) toupper((unsigned char) *cp);
	puts(text);
	return;
    default:					/* canonical */
	addr_text(6, v, text, sizeof(text));
	puts(text);
	return;
    }
}

/* cmd_addr_queries - addresses in, at the edges of and outside networks */

static int cmd_addr_queries(long count)
{
    long    n;

    read_lines();
    if (nlines == 0) {
	fprintf(stderr, "conf-gen: no networks on stdin\n");
	return 2;
    }
    for (n = 0; n < count; n++) {
	char    net[INET6_ADDRSTRLEN + 8], *slash;
	unsigned char b[16];
	int     family, bits, plen, host;
	u128    lo, size, v;

	const char *line = lines[rng_below(nlines)];

	snprintf(net, sizeof(net), "%.*s", (int) strcspn(line, " \t"), line);
	if ((slash = strchr(net, '/')) == 0) {
	    fprintf(stderr, "conf-gen: not a network: %s\n", net);
	    return 2;
	}
	*slash = 0;
	plen = atoi(slash + 1);
	family = strchr(net, ':') ? 6 : 4;
	bits = addr_bits(family);
	if (inet_pton(family == 4 ? AF_INET : AF_INET6, net, b) != 1) {
	    fprintf(stderr, "conf-gen: not an address: %s\n", net);
	    return 2;
	}
	lo = u128_from_bytes(b, family == 4 ? 4 : 16);
	host = bits - plen;
	size = host >= 128 ? ~(u128) 0 : ((u128) 1 << host);
	switch (rng_below(7)) {
	case 0:
	    v = lo;
	    break;
	case 1:
	    v = lo + size - 1;
	    break;
	case 2:
	case 3:
	    v = lo + (((u128) rng() << 64 | rng()) % size);
	    break;
	case 4:
	    v = lo - 1;
	    break;
	case 5:
	    v = lo + size;
	    break;
	default:
	    v = (u128) rng() << 64 | rng();
	    break;
	}
	if (family == 4) {
	    char    text[INET_ADDRSTRLEN];

	    addr_text(4, v & 0xffffffffU, text, sizeof(text));
	    puts(text);
	} else {
	    print_v6(v);
	}
    }
    return 0;
}

/* random_label - a short lower-case label */

static void random_label(char *out, size_t max)
{
    size_t  len = 1 + rng_below(max - 1 < 10 ? max - 1 : 10), i;

    for (i = 0; i < len; i++)
	out[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[rng_below(i ? 36 : 26)];
    out[len] = 0;
}

/* cmd_domain_queries - names at, under, above and beside the domains */

static int cmd_domain_queries(long count)
{
    long    n;

    read_lines();
    if (nlines == 0) {
	fprintf(stderr, "conf-gen: no domains on stdin\n");
	return 2;
    }
    for (n = 0; n < count; n++) {
	const char *d = lines[rng_below(nlines)], *dot;
	char    l1[16], l2[16], *copy, *cp;
	size_t  pos;

	random_label(l1, sizeof(l1));
	random_label(l2, sizeof(l2));
	switch (rng_below(9)) {
	case 0:
	    puts(d);
	    break;
	case 1:
	case 2:
	    printf("%s.%s\n", l1, d);
	    break;
	case 3:
	    printf("%s.%s.%s\n", l2, l1, d);
	    break;
	case 4:				/* one label less */
	    if ((dot = strchr(d, '.')) != 0)
		puts(dot + 1);
	    else
		printf("%s.%s\n", l1, d);
	    break;
	case 5:				/* one ASCII letter changed */
	    copy = strdup(d);
	    pos = rng_below(strcspn(copy, "."));
	    /* Never inside a UTF-8 sequence: the name must stay valid. */
	    if (copy[pos] >= 'a' && copy[pos] <= 'z')
		copy[pos] = (char) ('a' + (copy[pos] - 'a' + 1) % 26);
	    else if ((copy[pos] & 0x80) == 0)
		copy[pos] = 'q';
	    printf("%s.%s%s\n", rng_below(2) ? l1 : "mx",
		   (copy[pos] & 0x80) ? "q" : "", copy);
	    free(copy);
	    break;
	case 6:				/* a letter added to the first label */
	    printf("x%s\n", d);
	    break;
	case 7:				/* upper case ASCII */
	    copy = malloc(strlen(l1) + strlen(d) + 2);
	    sprintf(copy, "%s.%s", l1, d);
	    for (cp = copy; *cp; cp++)
		if (rng_below(2))
		    *cp = (char) toupper((unsigned char) *cp);
	    puts(copy);
	    free(copy);
	    break;
	default:
	    printf("%s@%s%s\n", l1, rng_below(2) ? "" : "mail.", d);
	    break;
	}
    }
    return 0;
}

/* cmd_sample - COUNT lines, in order, without replacement */

static int cmd_sample(long count)
{
    size_t  i, left, want;

    read_lines();
    want = count < 0 ? 0 : (size_t) count;
    for (i = 0, left = nlines; i < nlines; i++, left--) {
	if (rng_below(left) < want) {
	    puts(lines[i]);
	    want--;
	}
    }
    return 0;
}

/* cidr_block - open or close one level of "if" blocks */

struct block {
    int     open;
    int     family;
    u128    key;
};

static void block_close(struct block *b)
{
    if (b->open)
	puts("endif");
    b->open = 0;
}

static void block_enter(struct block *b, int family, u128 addr, int plen)
{
    int     bits = addr_bits(family);
    u128    key = addr >> (bits - plen);
    char    text[INET6_ADDRSTRLEN];

    if (b->open && (b->family != family || b->key != key))
	block_close(b);
    if (!b->open) {
	addr_text(family, key << (bits - plen), text, sizeof(text));
	printf("if %s/%d\n", text, plen);
	b->open = 1;
	b->family = family;
	b->key = key;
    }
}

static int cmd_cidr_table(void)
{
    struct block outer = {0}, inner = {0};
    char   *buf = 0;
    size_t  cap = 0;
    ssize_t len;
    long    lineno = 0;

    while ((len = getline(&buf, &cap, stdin)) > 0) {
	char    net[INET6_ADDRSTRLEN + 8], *slash;
	unsigned char b[16];
	int     family, plen, p1, p2;
	u128    addr;

	lineno++;
	buf[strcspn(buf, "\r\n")] = 0;
	snprintf(net, sizeof(net), "%.*s", (int) strcspn(buf, " \t"), buf);
	if ((slash = strchr(net, '/')) == 0) {
	    fprintf(stderr, "conf-gen: stdin:%ld: not a network\n", lineno);
	    return 2;
	}
	*slash = 0;
	plen = atoi(slash + 1);
	family = strchr(net, ':') ? 6 : 4;
	if (inet_pton(family == 4 ? AF_INET : AF_INET6, net, b) != 1) {
	    fprintf(stderr, "conf-gen: stdin:%ld: not an address\n", lineno);
	    return 2;
	}
	addr = u128_from_bytes(b, family == 4 ? 4 : 16);
	p1 = family == 4 ? 8 : 16;
	p2 = family == 4 ? 16 : 32;
	if (plen < p1) {
	    block_close(&inner);
	    block_close(&outer);
	} else {
	    if (outer.open && (outer.family != family
			       || outer.key != addr >> (addr_bits(family) - p1)))
		block_close(&inner);
	    block_enter(&outer, family, addr, p1);
	    if (plen < p2)
		block_close(&inner);
	    else
		block_enter(&inner, family, addr, p2);
	}
	puts(buf);
    }
    block_close(&inner);
    block_close(&outer);
    free(buf);
    return 0;
}

int     main(int argc, char **argv)
{
    int     rc;

    if (argc == 2 && strcmp(argv[1], "nets") == 0)
	return cmd_nets();
    if (argc == 2 && strcmp(argv[1], "cidr-table") == 0)
	return cmd_cidr_table();
    if (argc != 4) {
	fprintf(stderr, "usage: conf-gen nets | cidr-table | addr-queries SEED COUNT"
		" | domain-queries SEED COUNT | sample SEED COUNT\n");
	return 2;
    }
    rng_state = strtoull(argv[2], 0, 10);
    if (strcmp(argv[1], "addr-queries") == 0)
	rc = cmd_addr_queries(atol(argv[3]));
    else if (strcmp(argv[1], "domain-queries") == 0)
	rc = cmd_domain_queries(atol(argv[3]));
    else if (strcmp(argv[1], "sample") == 0)
	rc = cmd_sample(atol(argv[3]));
    else {
	fprintf(stderr, "conf-gen: unknown command %s\n", argv[1]);
	rc = 2;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
	perror("conf-gen: stdout");
	rc = 2;
    }
    return rc;
}
