/*++
/* NAME
/*	check_addr 1t
/* SUMMARY
/*	unit tests for lmdbacl_addr.c
/* SYNOPSIS
/*	check_addr
/* DESCRIPTION
/*	Pins the address handling that key parsing and IP-address queries
/*	rest on: IPv4 dotted quads only (smtpd's truncated 192.0.2 is not
/*	an address here), IPv6 in any text form, [brackets] and %scope,
/*	canonical formatting, and the host-bits test behind "host bits set
/*	is an error".
/* LICENSE
/* .ad
/* .fi
/*	See the COPYING file in the top-level directory.
/*--*/

#include "unit.h"
#include <arpa/inet.h>

static const unsigned char v4_192_0_2_10[4] = {192, 0, 2, 10};
static const unsigned char v6_2001_db8__1[16] = {
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
};
static const unsigned char v6_fe80__1[16] = {
    0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
};

START_TEST(ipv4_dotted_quad_parses_to_network_bytes)
{
    unsigned char addr[16];

    memset(addr, 0xaa, sizeof(addr));
    ck_assert_int_eq(lmdbacl_addr_parse("192.0.2.10", addr), LMDBACL_AF_INET);
    ck_assert_mem_eq(addr, v4_192_0_2_10, 4);
}
END_TEST

START_TEST(ipv4_extremes_parse)
{
    unsigned char addr[16];
    static const unsigned char zero[4] = {0, 0, 0, 0};
    static const unsigned char ones[4] = {255, 255, 255, 255};

    ck_assert_int_eq(lmdbacl_addr_parse("0.0.0.0", addr), LMDBACL_AF_INET);
    ck_assert_mem_eq(addr, zero, 4);
    ck_assert_int_eq(lmdbacl_addr_parse("255.255.255.255", addr),
		     LMDBACL_AF_INET);
    ck_assert_mem_eq(addr, ones, 4);
}
END_TEST

START_TEST(truncated_ipv4_is_not_an_address)
{
    unsigned char addr[16];

    /* smtpd's partial keys are exact-only queries, never addresses. */
    ck_assert_int_eq(lmdbacl_addr_parse("192.0.2", addr), 0);
    ck_assert_int_eq(lmdbacl_addr_parse("192.0", addr), 0);
    ck_assert_int_eq(lmdbacl_addr_parse("192", addr), 0);
}
END_TEST

START_TEST(ipv4_with_five_labels_is_not_an_address)
{
    unsigned char addr[16];

    ck_assert_int_eq(lmdbacl_addr_parse("192.0.2.10.1", addr), 0);
}
END_TEST

START_TEST(ipv4_octet_over_255_is_not_an_address)
{
    unsigned char addr[16];

    ck_assert_int_eq(lmdbacl_addr_parse("192.0.2.256", addr), 0);
    ck_assert_int_eq(lmdbacl_addr_parse("192.0.2.255", addr),
		     LMDBACL_AF_INET);
}
END_TEST

START_TEST(host_names_are_not_addresses)
{
    unsigned char addr[16];

    ck_assert_int_eq(lmdbacl_addr_parse("mail.example.com", addr), 0);
    ck_assert_int_eq(lmdbacl_addr_parse("192.0.2.a", addr), 0);
    ck_assert_int_eq(lmdbacl_addr_parse("1.2.3.example", addr), 0);
    ck_assert_int_eq(lmdbacl_addr_parse("", addr), 0);
}
END_TEST

START_TEST(ipv6_compressed_parses_to_network_bytes)
{
    unsigned char addr[16];

    ck_assert_int_eq(lmdbacl_addr_parse("2001:db8::1", addr),
		     LMDBACL_AF_INET6);
    ck_assert_mem_eq(addr, v6_2001_db8__1, 16);
}
END_TEST

START_TEST(ipv6_uncompressed_upper_case_gives_same_bytes)
{
    unsigned char addr[16];

    ck_assert_int_eq(lmdbacl_addr_parse(
			  "2001:0DB8:0000:0000:0000:0000:0000:0001", addr),
		     LMDBACL_AF_INET6);
    ck_assert_mem_eq(addr, v6_2001_db8__1, 16);
}
END_TEST

START_TEST(ipv6_embedded_ipv4_tail_parses)
{
    unsigned char addr[16];
    static const unsigned char mapped[16] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1,
    };

    ck_assert_int_eq(lmdbacl_addr_parse("::ffff:192.0.2.1", addr),
		     LMDBACL_AF_INET6);
    ck_assert_mem_eq(addr, mapped, 16);
}
END_TEST

START_TEST(ipv6_scope_suffix_is_dropped)
{
    unsigned char addr[16];

    ck_assert_int_eq(lmdbacl_addr_parse("fe80::1%eth0", addr),
		     LMDBACL_AF_INET6);
    ck_assert_mem_eq(addr, v6_fe80__1, 16);
}
END_TEST

START_TEST(ipv6_empty_scope_is_not_an_address)
{
    unsigned char addr[16];

    ck_assert_int_eq(lmdbacl_addr_parse("fe80::1%", addr), 0);
}
END_TEST

START_TEST(ipv6_malformed_is_not_an_address)
{
    unsigned char addr[16];

    ck_assert_int_eq(lmdbacl_addr_parse("2001:db8:::1", addr), 0);
    ck_assert_int_eq(lmdbacl_addr_parse("2001:db8::g", addr), 0);
    ck_assert_int_eq(lmdbacl_addr_parse("2001:db8::1::2", addr), 0);
    ck_assert_int_eq(lmdbacl_addr_parse("1:2:3:4:5:6:7:8:9", addr), 0);
    /* smtpd's truncated IPv6 (whole groups, no "::") is no address. */
    ck_assert_int_eq(lmdbacl_addr_parse("2001:db8:1", addr), 0);
}
END_TEST

START_TEST(bracketed_addresses_parse)
{
    unsigned char addr[16];

    ck_assert_int_eq(lmdbacl_addr_parse("[2001:db8::1]", addr),
		     LMDBACL_AF_INET6);
    ck_assert_mem_eq(addr, v6_2001_db8__1, 16);
    ck_assert_int_eq(lmdbacl_addr_parse("[192.0.2.10]", addr),
		     LMDBACL_AF_INET);
    ck_assert_mem_eq(addr, v4_192_0_2_10, 4);
}
END_TEST

START_TEST(unbalanced_or_empty_brackets_are_not_addresses)
{
    unsigned char addr[16];

    ck_assert_int_eq(lmdbacl_addr_parse("[2001:db8::1", addr), 0);
    ck_assert_int_eq(lmdbacl_addr_parse("2001:db8::1]", addr), 0);
    ck_assert_int_eq(lmdbacl_addr_parse("[]", addr), 0);
}
END_TEST

START_TEST(longest_address_texts_parse)
{
    unsigned char addr[16];
    static const unsigned char ones[16] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    };

    /* INET6_ADDRSTRLEN - 1 characters, and a 15-character interface. */
    ck_assert_int_eq(lmdbacl_addr_parse(
			  "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255",
					addr), LMDBACL_AF_INET6);
    ck_assert_mem_eq(addr, ones, 16);
    ck_assert_int_eq(lmdbacl_addr_parse("fe80::1%abcdefghijklmno", addr),
		     LMDBACL_AF_INET6);
    ck_assert_mem_eq(addr, v6_fe80__1, 16);
}
END_TEST

START_TEST(address_length_follows_family)
{
    ck_assert_uint_eq(lmdbacl_addr_len(LMDBACL_AF_INET), 4);
    ck_assert_uint_eq(lmdbacl_addr_len(LMDBACL_AF_INET6), 16);
}
END_TEST

START_TEST(format_writes_canonical_text)
{
    char    buf[64];
    unsigned char addr[16];

    lmdbacl_addr_format(LMDBACL_AF_INET, v4_192_0_2_10, buf, sizeof(buf));
    ck_assert_str_eq(buf, "192.0.2.10");
    lmdbacl_addr_format(LMDBACL_AF_INET6, v6_2001_db8__1, buf, sizeof(buf));
    ck_assert_str_eq(buf, "2001:db8::1");

    /* Round trip of a non-canonical form gives the canonical one. */
    ck_assert_int_eq(lmdbacl_addr_parse("2001:DB8:0:0:1:0:0:0", addr),
		     LMDBACL_AF_INET6);
    lmdbacl_addr_format(LMDBACL_AF_INET6, addr, buf, sizeof(buf));
    ck_assert_str_eq(buf, "2001:db8:0:0:1::");
}
END_TEST

START_TEST(format_into_short_buffer_gives_empty_string)
{
    char    buf[8];

    memset(buf, 'x', sizeof(buf));
    lmdbacl_addr_format(LMDBACL_AF_INET6, v6_2001_db8__1, buf, sizeof(buf));
    ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(host_bits_zero_for_network_address)
{
    static const unsigned char net[4] = {192, 0, 2, 0};
    static const unsigned char half[4] = {192, 0, 2, 128};

    ck_assert_int_eq(lmdbacl_addr_host_bits_zero(LMDBACL_AF_INET, net, 24), 1);
    ck_assert_int_eq(lmdbacl_addr_host_bits_zero(LMDBACL_AF_INET, half, 25), 1);
    ck_assert_int_eq(lmdbacl_addr_host_bits_zero(LMDBACL_AF_INET,
						 v4_192_0_2_10, 32), 1);
}
END_TEST

START_TEST(host_bits_set_detected_next_to_prefix)
{
    static const unsigned char half[4] = {192, 0, 2, 128};
    static const unsigned char one[4] = {192, 0, 2, 1};

    /* The first host bit and the last one. */
    ck_assert_int_eq(lmdbacl_addr_host_bits_zero(LMDBACL_AF_INET, half, 24), 0);
    ck_assert_int_eq(lmdbacl_addr_host_bits_zero(LMDBACL_AF_INET, one, 31), 0);
    ck_assert_int_eq(lmdbacl_addr_host_bits_zero(LMDBACL_AF_INET, one, 24), 0);
}
END_TEST

START_TEST(host_bits_zero_length_prefix_covers_every_bit)
{
    static const unsigned char zero[4] = {0, 0, 0, 0};
    static const unsigned char top[4] = {128, 0, 0, 0};

    ck_assert_int_eq(lmdbacl_addr_host_bits_zero(LMDBACL_AF_INET, zero, 0), 1);
    ck_assert_int_eq(lmdbacl_addr_host_bits_zero(LMDBACL_AF_INET, top, 0), 0);
}
END_TEST

START_TEST(host_bits_ipv6)
{
    unsigned char addr[16];

    ck_assert_int_eq(lmdbacl_addr_parse("2001:db8::", addr), LMDBACL_AF_INET6);
    ck_assert_int_eq(lmdbacl_addr_host_bits_zero(LMDBACL_AF_INET6, addr, 32), 1);
    ck_assert_int_eq(lmdbacl_addr_parse("2001:db9::", addr), LMDBACL_AF_INET6);
    ck_assert_int_eq(lmdbacl_addr_host_bits_zero(LMDBACL_AF_INET6, addr, 31), 0);
    ck_assert_int_eq(lmdbacl_addr_host_bits_zero(LMDBACL_AF_INET6, addr, 32), 1);
    ck_assert_int_eq(lmdbacl_addr_host_bits_zero(LMDBACL_AF_INET6,
						 v6_2001_db8__1, 127), 0);
    ck_assert_int_eq(lmdbacl_addr_host_bits_zero(LMDBACL_AF_INET6,
						 v6_2001_db8__1, 128), 1);
}
END_TEST

START_TEST(ipv4_leading_zero_is_not_an_address)
{
    unsigned char addr[16];

    /* inet_pton(3) refuses these; so does the parser's own path. */
    ck_assert_int_eq(lmdbacl_addr_parse("192.0.2.010", addr), 0);
    ck_assert_int_eq(lmdbacl_addr_parse("00.0.0.0", addr), 0);
    ck_assert_int_eq(lmdbacl_addr_parse("192..2.1", addr), 0);
    ck_assert_int_eq(lmdbacl_addr_parse("192.0.2.1.", addr), 0);
    ck_assert_int_eq(lmdbacl_addr_parse(".192.0.2", addr), 0);
    ck_assert_int_eq(lmdbacl_addr_parse("192.0.2.100", addr),
		     LMDBACL_AF_INET);
}
END_TEST

START_TEST(ipv4_parser_agrees_with_inet_pton)
{
    static const char alphabet[] = "0123456789.";
    char    text[24];
    unsigned char addr[16];
    unsigned char want[4];
    unsigned seed = 12345;
    int     agree_yes = 0;
    int     i;
    int     j;
    int     len;
    int     ok;

    /*
     * Random strings of digits and dots, weighted towards dotted quads:
     * the hand-written IPv4 path must accept exactly what inet_pton()
     * accepts, with the same bytes.
     */
    for (i = 0; i < 200000; i++) {
	seed = seed * 1103515245 + 12345;
	if (i % 2) {
	    len = 1 + (seed >> 16) % 18;
	    for (j = 0; j < len; j++) {
		seed = seed * 1103515245 + 12345;
		text[j] = ((seed >> 16) % 4 == 0) ? '.' :
		    alphabet[(seed >> 16) % 10];
	    }
	    text[len] = 0;
	} else {
	    /* Four numbers up to 299, some with a leading zero. */
	    len = 0;
	    for (j = 0; j < 4; j++) {
		seed = seed * 1103515245 + 12345;
		len += sprintf(text + len, "%s%s%u", j ? "." : "",
			       (seed >> 16) % 16 == 0 ? "0" : "",
			       (seed >> 20) % 300);
	    }
	}
	ok = inet_pton(AF_INET, text, want) == 1;
	ck_assert_msg((lmdbacl_addr_parse(text, addr) == LMDBACL_AF_INET) == ok,
		      "\"%s\": inet_pton says %d", text, ok);
	if (ok) {
	    ck_assert_mem_eq(addr, want, 4);
	    agree_yes++;
	}
    }
    /* The generator must reach valid addresses, or the test says little. */
    ck_assert_int_gt(agree_yes, 10000);
}
END_TEST

static Suite *addr_suite(void)
{
    Suite  *s = suite_create("lmdbacl_addr");

    UNIT_ADD(s, ipv4_dotted_quad_parses_to_network_bytes);
    UNIT_ADD(s, ipv4_extremes_parse);
    UNIT_ADD(s, truncated_ipv4_is_not_an_address);
    UNIT_ADD(s, ipv4_with_five_labels_is_not_an_address);
    UNIT_ADD(s, ipv4_octet_over_255_is_not_an_address);
    UNIT_ADD(s, host_names_are_not_addresses);
    UNIT_ADD(s, ipv4_leading_zero_is_not_an_address);
    UNIT_ADD(s, ipv4_parser_agrees_with_inet_pton);
    UNIT_ADD(s, ipv6_compressed_parses_to_network_bytes);
    UNIT_ADD(s, ipv6_uncompressed_upper_case_gives_same_bytes);
    UNIT_ADD(s, ipv6_embedded_ipv4_tail_parses);
    UNIT_ADD(s, ipv6_scope_suffix_is_dropped);
    UNIT_ADD(s, ipv6_empty_scope_is_not_an_address);
    UNIT_ADD(s, ipv6_malformed_is_not_an_address);
    UNIT_ADD(s, bracketed_addresses_parse);
    UNIT_ADD(s, unbalanced_or_empty_brackets_are_not_addresses);
    UNIT_ADD(s, longest_address_texts_parse);
    UNIT_ADD(s, address_length_follows_family);
    UNIT_ADD(s, format_writes_canonical_text);
    UNIT_ADD(s, format_into_short_buffer_gives_empty_string);
    UNIT_ADD(s, host_bits_zero_for_network_address);
    UNIT_ADD(s, host_bits_set_detected_next_to_prefix);
    UNIT_ADD(s, host_bits_zero_length_prefix_covers_every_bit);
    UNIT_ADD(s, host_bits_ipv6);
    return (s);
}

int     main(void)
{
    return (unit_run(addr_suite()));
}
