/*++
/* NAME
/*	lmdbacl_addr 3
/* SUMMARY
/*	IPv4 and IPv6 address handling
/* SYNOPSIS
/*	#include "lmdbacl.h"
/*
/*	int	lmdbacl_addr_parse(text, addr)
/*	const char *text;
/*	unsigned char addr[16];
/*
/*	size_t	lmdbacl_addr_len(family)
/*
/*	void	lmdbacl_addr_format(family, addr, buf, len)
/*
/*	int	lmdbacl_addr_host_bits_zero(family, addr, plen)
/* DESCRIPTION
/*	lmdbacl_addr_parse() converts IPv4 dotted-quad text, or IPv6 text
/*	in any form inet_pton(3) accepts (upper or lower case, with or
/*	without "::", with an embedded IPv4 tail), to network-order bytes.
/*	The text may be enclosed in [brackets] and may carry a %scope suffix
/*	(link-local client addresses: smtpd may see "fe80::1%eth0"); the
/*	scope is dropped. Returns LMDBACL_AF_INET, LMDBACL_AF_INET6, or 0.
/*
/*	lmdbacl_addr_format() writes the canonical text (inet_ntop).
/*
/*	lmdbacl_addr_host_bits_zero() tells whether the bits past plen are
/*	all zero.
/* LICENSE
/* .ad
/* .fi
/*	See the COPYING file in the top-level directory.
/*--*/

 /*
  * System library.
  */
#include <arpa/inet.h>
#include <string.h>

 /*
  * Application-specific.
  */
#include "lmdbacl.h"

/* lmdbacl_addr_len - bytes in an address of this family */

size_t  lmdbacl_addr_len(int family)
{
    return (family == LMDBACL_AF_INET ? 4 : 16);
}

/* lmdbacl_addr_parse - address text to bytes */

int     lmdbacl_addr_parse(const char *text, unsigned char addr[16])
{
    char    buf[64];
    size_t  len = strlen(text);
    const char *start = text;
    const char *pct;

    /*
     * Strip [brackets] (address literals, CIDR keys such as
     * [2001:db8::]/32).
     */
    if (len >= 2 && text[0] == '[' && text[len - 1] == ']') {
	start = text + 1;
	len -= 2;
    }
    if (len == 0 || len >= sizeof(buf))
	return (0);
    memcpy(buf, start, len);
    buf[len] = 0;

    /*
     * Cheap rejection first: lookups of host names come through here.
     */
    if (strchr(buf, ':') == 0) {
	const char *cp;
	int     octets = 0;
	int     digits = 0;
	unsigned val = 0;

	/*
	 * inet_pton(3)'s dotted quad, without its cost: four decimal
	 * octets of at most 255, no empty octet, no leading zero.
	 */
	memset(addr, 0, 16);
	for (cp = buf;; cp++) {
	    if (*cp >= '0' && *cp <= '9') {
		if (digits > 0 && val == 0)
		    return (0);			/* "01" */
		val = val * 10 + (*cp - '0');
		if (val > 255)
		    return (0);
		digits++;
	    } else if ((*cp == '.' || *cp == 0) && digits > 0 && octets < 4) {
		addr[octets++] = (unsigned char) val;
		if (*cp == 0)
		    break;
		val = 0;
		digits = 0;
	    } else {
		return (0);
	    }
	}
	return (octets == 4 ? LMDBACL_AF_INET : 0);
    }

    /*
     * Link-local scope: the zone says which interface, not which address.
     */
    if ((pct = strchr(buf, '%')) != 0) {
	if (pct[1] == 0)
	    return (0);
	buf[pct - buf] = 0;
    }
    return (inet_pton(AF_INET6, buf, addr) == 1 ? LMDBACL_AF_INET6 : 0);
}

/* lmdbacl_addr_format - canonical address text */

void    lmdbacl_addr_format(int family, const unsigned char *addr,
			            char *buf, size_t len)
{
    if (inet_ntop(family == LMDBACL_AF_INET ? AF_INET : AF_INET6,
		  addr, buf, len) == 0 && len > 0)
	buf[0] = 0;
}

/* lmdbacl_addr_host_bits_zero - are the bits past plen clear? */

int     lmdbacl_addr_host_bits_zero(int family, const unsigned char *addr,
				            int plen)
{
    int     bits = (int) lmdbacl_addr_len(family) * 8;
    int     i;

    for (i = plen; i < bits; i++)
	if (addr[i / 8] & (0x80 >> (i % 8)))
	    return (0);
    return (1);
}
