/*++
/* NAME
/*	lmdbacl_key 3
/* SUMMARY
/*	parse and normalise access(5) keys
/* SYNOPSIS
/*	#include "lmdbacl.h"
/*
/*	int	lmdbacl_key_parse(raw, key, why, why_len)
/*	const char *raw;
/*	LMDBACL_KEY *key;
/*	char	*why;
/*	size_t	why_len;
/*
/*	void	lmdbacl_fold(text)
/*	char	*text;
/* DESCRIPTION
/*	lmdbacl_key_parse() decides what one key means (SPEC section 3):
/* .IP "*.example.com, .example.com"
/*	LMDBACL_KIND_WILD with text "example.com": every strict subdomain.
/* .IP "192.0.2.0/24, 2001:db8::/32, [2001:db8::]/32"
/*	LMDBACL_KIND_NET with the canonical text "192.0.2.0/24".
/* .IP "anything else Postfix accepts"
/*	LMDBACL_KIND_EXACT, the folded key exactly as a hash: table holds
/*	it. Keys that are addresses or smtpd's truncated addresses
/*	(192.0.2.10, 192.0.2, 192, 2001:db8:1, 2001:db8::1) are flagged
/*	is_net so that they take part in longest-prefix matching too.
/* .PP
/*	lmdbacl_fold() lower-cases ASCII letters in place, as postmap does
/*	for fixed-case tables.
/*
/*	lmdbacl_fold_utf8() folds text that holds non-ASCII characters as
/*	Postfix's casefold() does with smtputf8_enable = yes (ICU full case
/*	folding, U_FOLD_CASE_DEFAULT): "BÜCHER" and "bücher" become "bücher",
/*	"straße" becomes "strasse". Keys are stored folded that way, and
/*	the matcher folds non-ASCII queries the same way, so that a table
/*	answers alike whether Postfix folds UTF-8 (smtputf8_enable = yes)
/*	or ASCII only.
/* DIAGNOSTICS
/*	LMDBACL_ESYNTAX with a message in why that says what to write
/*	instead: a '*' anywhere but as the whole first label, "*@domain",
/*	a leading '@', host bits set in a network, a bad prefix length, a
/*	key longer than LMDBACL_KEY_MAX bytes.
/* LICENSE
/* .ad
/* .fi
/*	See the COPYING file in the top-level directory.
/*--*/

 /*
  * System library.
  */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

 /*
  * Utility library.
  */
#include <unicode/ucasemap.h>

 /*
  * Application-specific.
  */
#include "lmdbacl.h"

/* lmdbacl_fold - ASCII lower case in place */

void    lmdbacl_fold(char *text)
{
    for (; *text; text++)
	if (*text >= 'A' && *text <= 'Z')
	    *text += 'a' - 'A';
}

/* lmdbacl_fold_utf8 - full case folding of non-ASCII text */

static UCaseMap *fold_csm;

/* fold_init - the case map, made once */

static void fold_init(void)
{
    UErrorCode error = U_ZERO_ERROR;

    fold_csm = ucasemap_open("en_US", U_FOLD_CASE_DEFAULT, &error);
    if (U_FAILURE(error) && fold_csm != 0) {
	ucasemap_close(fold_csm);
	fold_csm = 0;
    }
}

int     lmdbacl_fold_utf8(const char *src, char *dst, size_t dst_len)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    const UCaseMap *csm;
    UErrorCode error = U_ZERO_ERROR;
    int32_t len;

    /*
     * The two halves of a large source are parsed on two threads: the
     * map is made once, and only read after that (ICU allows concurrent
     * use of a const UCaseMap).
     */
    (void) pthread_once(&once, fold_init);
    if ((csm = fold_csm) == 0)
	return (-1);
    len = ucasemap_utf8FoldCase(csm, dst, (int32_t) dst_len, src, -1, &error);
    if (U_FAILURE(error) || len < 0 || (size_t) len >= dst_len)
	return (-1);
    dst[len] = 0;
    return (len);
}

/* key_error - format a parse error */

static int key_error(char *why, size_t why_len, const char *fmt, const char *arg)
{
    snprintf(why, why_len, fmt, arg);
    return (LMDBACL_ESYNTAX);
}

/* is_ipv4_label - one decimal label as inet_ntop writes it */

static int is_ipv4_label(const char *cp, size_t len)
{
    size_t  i;
    int     val = 0;

    if (len == 0 || len > 3 || (len > 1 && cp[0] == '0'))
	return (0);
    for (i = 0; i < len; i++) {
	if (cp[i] < '0' || cp[i] > '9')
	    return (0);
	val = val * 10 + cp[i] - '0';
    }
    return (val <= 255);
}

/* truncated_ipv4 - "192", "192.0", "192.0.2": smtpd's parent networks */

static int truncated_ipv4(const char *text, unsigned char *addr)
{
    const char *cp = text;
    const char *end;
    int     labels = 0;

    memset(addr, 0, 16);
    for (;;) {
	end = strchr(cp, '.');
	if (end == 0)
	    end = cp + strlen(cp);
	if (labels == 3 || !is_ipv4_label(cp, end - cp))
	    return (0);
	addr[labels++] = (unsigned char) atoi(cp);
	if (*end == 0)
	    break;
	cp = end + 1;
    }
    return (labels * 8);
}

/* truncated_ipv6 - "2001:db8:1": two to seven whole groups, no "::" */

static int truncated_ipv6(const char *text, unsigned char *addr)
{
    const char *cp = text;
    int     groups = 0;
    int     digits;
    unsigned val;

    memset(addr, 0, 16);
    for (;;) {
	val = 0;
	for (digits = 0; digits < 5; digits++, cp++) {
	    if (*cp >= '0' && *cp <= '9')
		val = val * 16 + *cp - '0';
	    else if (*cp >= 'a' && *cp <= 'f')
		val = val * 16 + *cp - 'a' + 10;
	    else
		break;
	}
	if (digits == 0 || digits > 4 || groups == 7)
	    return (0);
	addr[2 * groups] = val >> 8;
	addr[2 * groups + 1] = val & 0xff;
	groups++;
	if (*cp == 0)
	    break;
	if (*cp++ != ':')
	    return (0);
    }
    return (groups >= 2 ? groups * 16 : 0);
}

/* parse_net - "addr/len" or "[addr]/len" */

static int parse_net(const char *text, LMDBACL_KEY *key, char *why,
		             size_t why_len)
{
    const char *slash = strrchr(text, '/');
    char    abuf[LMDBACL_KEY_MAX + 1];
    char    canon[64];
    const char *cp;
    int     plen = 0;
    int     max;

    memcpy(abuf, text, slash - text);
    abuf[slash - text] = 0;
    if (strchr(abuf, '%') != 0
	|| (key->family = lmdbacl_addr_parse(abuf, key->addr)) == 0)
	return (key_error(why, why_len, "\"%s\" is not a network: write an"
			  " address and a prefix length, as in 192.0.2.0/24"
			  " or 2001:db8::/32", text));
    max = key->family == LMDBACL_AF_INET ? 32 : 128;
    if (slash[1] == 0 || strlen(slash + 1) > 3)
	return (key_error(why, why_len, "\"%s\": bad prefix length", text));
    for (cp = slash + 1; *cp; cp++) {
	if (*cp < '0' || *cp > '9')
	    return (key_error(why, why_len, "\"%s\": bad prefix length",
			      text));
	plen = plen * 10 + *cp - '0';
    }
    if (plen > max)
	return (key_error(why, why_len, "\"%s\": prefix length is larger"
			  " than the address", text));
    lmdbacl_addr_format(key->family, key->addr, canon, sizeof(canon));
    if (!lmdbacl_addr_host_bits_zero(key->family, key->addr, plen)) {
	unsigned char net[16];
	char    fixed[64];
	int     i;

	memcpy(net, key->addr, 16);
	for (i = plen; i < max; i++)
	    net[i / 8] &= ~(0x80 >> (i % 8));
	lmdbacl_addr_format(key->family, net, fixed, sizeof(fixed));
	snprintf(why, why_len, "\"%s\" has host bits set: write %s/%d",
		 text, fixed, plen);
	return (LMDBACL_ESYNTAX);
    }
    key->kind = LMDBACL_KIND_NET;
    key->is_net = 1;
    key->plen = plen;
    snprintf(key->text, sizeof(key->text), "%s/%d", canon, plen);
    return (LMDBACL_OK);
}

/* parse_wild - the parent p of "*.p" or ".p" */

static int parse_wild(const char *raw, const char *parent, LMDBACL_KEY *key,
		              char *why, size_t why_len)
{
    if (*parent == 0 || *parent == '.' || strchr(parent, '*') != 0)
	return (key_error(why, why_len, "\"%s\": '*' is allowed only as the"
			  " whole first label, as in *.example.com", raw));
    if (strchr(parent, '@') != 0)
	return (key_error(why, why_len, "\"%s\": a wildcard key names"
			  " subdomains of a domain, as in *.example.com;"
			  " it cannot contain '@'", raw));
    if (parent[strlen(parent) - 1] == '.')
	return (key_error(why, why_len, "\"%s\": write the domain without"
			  " a trailing dot", raw));
    key->kind = LMDBACL_KIND_WILD;
    memmove(key->text, parent, strlen(parent) + 1);	/* parent is in text */
    return (LMDBACL_OK);
}

/* lmdbacl_key_parse - what one key means */

int     lmdbacl_key_parse(const char *raw, LMDBACL_KEY *key, char *why,
			          size_t why_len)
{
    size_t  len;
    char   *text = key->text;
    int     plen;
    unsigned char c;
    int     high = 0;
    int     special = 0;

    key->kind = 0;
    key->text[0] = 0;
    key->is_net = 0;
    key->family = 0;
    key->plen = 0;
    memset(key->addr, 0, sizeof(key->addr));

    /*
     * One pass copies and folds the key and notes what it may be.
     */
    for (len = 0; (c = raw[len]) != 0; len++) {
	if (len <= LMDBACL_KEY_MAX)
	    text[len] = (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
	if (c & 0x80)
	    high = 1;
	else if (c == '*' || c == '/' || c == ':')
	    special = 1;
    }
    if (len == 0)
	return (key_error(why, why_len, "%sempty key", ""));
    if (len > LMDBACL_KEY_MAX) {
	snprintf(why, why_len, "key of %zu bytes is longer than the limit"
		 " of %d bytes", len, LMDBACL_KEY_MAX);
	return (LMDBACL_ESYNTAX);
    }
    text[len] = 0;

    /*
     * The common key of a large table, a host or domain name: ASCII,
     * starting with a letter, no '*', '/' or ':'. It is no wildcard, no
     * network, no address (an IPv4 address starts with a digit, IPv6
     * needs ':') and no truncated address: what the checks below would
     * conclude, without them.
     */
    if (!high && !special && text[0] >= 'a' && text[0] <= 'z') {
	key->kind = LMDBACL_KIND_EXACT;
	return (LMDBACL_OK);
    }
    if (high) {
	char    folded[3 * LMDBACL_KEY_MAX + 1];
	int     flen = lmdbacl_fold_utf8(text, folded, sizeof(folded));

	if (flen > LMDBACL_KEY_MAX) {
	    snprintf(why, why_len, "key of %d bytes after case folding is"
		     " longer than the limit of %d bytes", flen,
		     LMDBACL_KEY_MAX);
	    return (LMDBACL_ESYNTAX);
	}
	if (flen > 0)
	    memcpy(text, folded, flen + 1);
    }

    if (text[0] == '@') {
	snprintf(why, why_len, "\"%s\": access(5) has no @domain key; write"
		 " %s alone to match every address in that domain", raw,
		 text[1] ? text + 1 : "the domain");
	return (LMDBACL_ESYNTAX);
    }
    if (text[0] == '*' && text[1] == '@') {
	snprintf(why, why_len, "\"%s\": write %s alone to match every"
		 " address in that domain, or *.%s for its subdomains", raw,
		 text[2] ? text + 2 : "the domain", text[2] ? text + 2 : "domain");
	return (LMDBACL_ESYNTAX);
    }
    if (text[0] == '*' && text[1] == '.')
	return (parse_wild(raw, text + 2, key, why, why_len));
    if (strchr(text, '*') != 0)
	return (key_error(why, why_len, "\"%s\": '*' is allowed only as the"
			  " whole first label, as in *.example.com", raw));
    if (text[0] == '.')
	return (parse_wild(raw, text + 1, key, why, why_len));
    if (strchr(text, '/') != 0 && strchr(text, '@') == 0)
	return (parse_net(text, key, why, why_len));

    /*
     * A plain key. Addresses and smtpd's truncated addresses also take
     * part in longest-prefix matching.
     */
    key->kind = LMDBACL_KIND_EXACT;
    if (text[0] != '[' && strchr(text, '%') == 0
	&& (key->family = lmdbacl_addr_parse(text, key->addr)) != 0) {
	key->is_net = 1;
	key->plen = key->family == LMDBACL_AF_INET ? 32 : 128;
    } else if ((plen = truncated_ipv4(text, key->addr)) != 0) {
	key->is_net = 1;
	key->family = LMDBACL_AF_INET;
	key->plen = plen;
    } else if (strchr(text, ':') != 0
	       && (plen = truncated_ipv6(text, key->addr)) != 0) {
	key->is_net = 1;
	key->family = LMDBACL_AF_INET6;
	key->plen = plen;
    } else {
	key->family = 0;
	memset(key->addr, 0, sizeof(key->addr));
    }
    return (LMDBACL_OK);
}
