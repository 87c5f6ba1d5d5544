/*++
/* NAME
/*	check_match 1t
/* SUMMARY
/*	unit tests for lmdbacl_match.c
/* SYNOPSIS
/*	check_match
/* DESCRIPTION
/*	Pins the lookup semantics of SPEC section 4 on real tables built
/*	from source text: exact first; the domain walk, nearest ancestor
/*	first, with *.p (or .p) and, under parent style only, plain p;
/*	*.p before p at one ancestor; queries that start with a dot; one
/*	trailing dot; smtpd's truncated numeric queries; IPv4 and IPv6
/*	longest prefix with the native truncated keys; %scope; address
/*	queries; independence of line order. Every promise has a hit and
/*	a near miss beside it.
/* LICENSE
/* .ad
/* .fi
/*	See the COPYING file in the top-level directory.
/*--*/

#include "unit.h"
#include "lmdbacl_int.h"

#define DOT	0			/* parent_style off: smtpd dot style */
#define PARENT	1			/* parent_style on */

#define EXPECT	UNIT_EXPECT

 /*
  * EXPECT_BOTH - the same answer whatever the parent style.
  */
#define EXPECT_BOTH(t, q, want) do { \
	EXPECT((t), (q), DOT, (want)); \
	EXPECT((t), (q), PARENT, (want)); \
    } while (0)

 /*
  * expect_how - the answer came by this path, with this prefix length.
  */
static void expect_how(LMDBACL *t, const char *query, int parent_style,
		               int how, int plen, const char *rule)
{
    LMDBACL_MATCH m;

    ck_assert_msg(unit_lookup_match(t, query, parent_style, &m) == LMDBACL_OK,
		  "\"%s\": not found", query);
    ck_assert_int_eq(m.how, how);
    if (how == LMDBACL_HOW_NET)
	ck_assert_int_eq(m.plen, plen);
    ck_assert_ptr_nonnull(m.rule);
    ck_assert_uint_eq(m.rule_len, strlen(rule));
    ck_assert_mem_eq(m.rule, rule, m.rule_len);
}

/* 1. Exact key. */

START_TEST(exact_key_matches_itself_only)
{
    LMDBACL *t = unit_table("example.com EXACT\n");

    EXPECT_BOTH(t, "example.com", "EXACT");
    EXPECT_BOTH(t, "Example.COM", "EXACT");
    EXPECT_BOTH(t, "example.co", 0);
    EXPECT_BOTH(t, "example.com.au", 0);
    EXPECT_BOTH(t, "xexample.com", 0);
    lmdbacl_close(t);
}
END_TEST

START_TEST(exact_key_beats_wildcard)
{
    LMDBACL *t = unit_table("*.example.com WILD\nmail.example.com EXACT\n");

    EXPECT_BOTH(t, "mail.example.com", "EXACT");
    EXPECT_BOTH(t, "www.example.com", "WILD");
    expect_how(t, "mail.example.com", DOT, LMDBACL_HOW_EXACT, 0,
	       "mail.example.com");
    lmdbacl_close(t);
}
END_TEST

START_TEST(exact_key_beats_plain_parent)
{
    LMDBACL *t = unit_table("example.com PARENT\nmail.example.com EXACT\n");

    EXPECT(t, "mail.example.com", PARENT, "EXACT");
    EXPECT(t, "www.example.com", PARENT, "PARENT");
    lmdbacl_close(t);
}
END_TEST

START_TEST(exact_address_key_beats_network)
{
    LMDBACL *t = unit_table("192.0.2.0/24 NET\n192.0.2.10 EXACT\n");

    EXPECT_BOTH(t, "192.0.2.10", "EXACT");
    expect_how(t, "192.0.2.10", DOT, LMDBACL_HOW_EXACT, 0, "192.0.2.10");
    EXPECT_BOTH(t, "192.0.2.11", "NET");
    EXPECT_BOTH(t, "192.0.2.9", "NET");
    lmdbacl_close(t);
}
END_TEST

START_TEST(exact_address_key_beats_same_host_cidr)
{
    LMDBACL *t = unit_table("192.0.2.10/32 CIDR\n192.0.2.10 EXACT\n");

    EXPECT_BOTH(t, "192.0.2.10", "EXACT");
    EXPECT_BOTH(t, "192.0.2.11", 0);
    lmdbacl_close(t);
}
END_TEST

START_TEST(plain_keys_of_every_postfix_form_match_exactly)
{
    LMDBACL *t = unit_table("user@example.com USER\n"
			    "postmaster@ LOCALPART\n"
			    "<> NULLSENDER\n"
			    "\"a b\" QUOTED\n"
			    "b\xc3\xbc" "cher.example UTF8\n");

    EXPECT_BOTH(t, "user@example.com", "USER");
    EXPECT_BOTH(t, "User@Example.COM", "USER");
    EXPECT_BOTH(t, "user@example.org", 0);
    EXPECT_BOTH(t, "postmaster@", "LOCALPART");
    EXPECT_BOTH(t, "postmaster@example.com", 0);
    EXPECT_BOTH(t, "<>", "NULLSENDER");
    EXPECT_BOTH(t, "<x>", 0);
    EXPECT_BOTH(t, "\"a b\"", "QUOTED");
    EXPECT_BOTH(t, "a b", 0);
    EXPECT_BOTH(t, "b\xc3\xbc" "cher.example", "UTF8");
    EXPECT_BOTH(t, "bucher.example", 0);
    lmdbacl_close(t);
}
END_TEST

/* 2. Domain walk. */

START_TEST(helo_wildcard_matches_one_level_down)
{
    LMDBACL *t = unit_table("*.example.com OK\n");

    EXPECT_BOTH(t, "mail.example.com", "OK");
    EXPECT_BOTH(t, "mail.example.org", 0);
    lmdbacl_close(t);
}
END_TEST

START_TEST(helo_wildcard_matches_three_levels_down)
{
    LMDBACL *t = unit_table("*.example.com OK\n");

    EXPECT_BOTH(t, "sppim501.ipc.us.example.com", "OK");
    EXPECT_BOTH(t, "SPPIM501.IPC.US.EXAMPLE.COM", "OK");
    EXPECT_BOTH(t, "sppim501.ipc.us.example.co", 0);
    EXPECT_BOTH(t, "sppim501.ipc.us.notexample.com", 0);
    lmdbacl_close(t);
}
END_TEST

START_TEST(wildcard_does_not_match_parent_itself)
{
    LMDBACL *t = unit_table("*.example.com OK\n");

    EXPECT_BOTH(t, "example.com", 0);
    EXPECT_BOTH(t, "a.example.com", "OK");
    lmdbacl_close(t);
}
END_TEST

START_TEST(wildcard_respects_label_boundaries)
{
    LMDBACL *t = unit_table("*.example.com OK\n");

    EXPECT_BOTH(t, "xexample.com", 0);
    EXPECT_BOTH(t, "mail.xexample.com", 0);
    EXPECT_BOTH(t, "x.example.com", "OK");
    lmdbacl_close(t);
}
END_TEST

START_TEST(dot_key_matches_like_star_key)
{
    LMDBACL *t = unit_table(".example.com DOTKEY\n");

    EXPECT_BOTH(t, "a.b.example.com", "DOTKEY");
    EXPECT_BOTH(t, "b.example.com", "DOTKEY");
    EXPECT_BOTH(t, "example.com", 0);
    EXPECT_BOTH(t, "bexample.com", 0);
    lmdbacl_close(t);
}
END_TEST

START_TEST(wildcard_of_top_level_domain_matches_below_it)
{
    LMDBACL *t = unit_table("*.test TLD\n");

    EXPECT_BOTH(t, "a.b.c.test", "TLD");
    EXPECT_BOTH(t, "test", 0);
    EXPECT_BOTH(t, "a.b.c.testing", 0);
    lmdbacl_close(t);
}
END_TEST

START_TEST(plain_parent_matches_subdomain_only_under_parent_style)
{
    LMDBACL *t = unit_table("example.com PLAIN\n");

    EXPECT(t, "mail.example.com", PARENT, "PLAIN");
    EXPECT(t, "a.b.c.example.com", PARENT, "PLAIN");
    EXPECT(t, "mail.example.com", DOT, 0);
    EXPECT(t, "a.b.c.example.com", DOT, 0);
    expect_how(t, "a.b.example.com", PARENT, LMDBACL_HOW_PARENT, 0,
	       "example.com");
    lmdbacl_close(t);
}
END_TEST

START_TEST(plain_parent_respects_label_boundaries)
{
    LMDBACL *t = unit_table("example.com PLAIN\n");

    EXPECT(t, "xexample.com", PARENT, 0);
    EXPECT(t, "mail.xexample.com", PARENT, 0);
    lmdbacl_close(t);
}
END_TEST

START_TEST(wildcard_beats_plain_parent_at_same_ancestor)
{
    LMDBACL *t = unit_table("example.com PLAIN\n*.example.com WILD\n");

    EXPECT(t, "mail.example.com", PARENT, "WILD");
    expect_how(t, "mail.example.com", PARENT, LMDBACL_HOW_WILD, 0,
	       "example.com");
    EXPECT(t, "mail.example.com", DOT, "WILD");
    /* The domain itself is the exact key. */
    EXPECT_BOTH(t, "example.com", "PLAIN");
    lmdbacl_close(t);
}
END_TEST

START_TEST(nearest_wildcard_wins)
{
    LMDBACL *t = unit_table("*.example.com FAR\n*.us.example.com NEAR\n");

    EXPECT_BOTH(t, "a.us.example.com", "NEAR");
    EXPECT_BOTH(t, "x.a.us.example.com", "NEAR");
    EXPECT_BOTH(t, "a.eu.example.com", "FAR");
    /* *.us.example.com is not us.example.com: the farther one answers. */
    EXPECT_BOTH(t, "us.example.com", "FAR");
    lmdbacl_close(t);
}
END_TEST

START_TEST(nearer_plain_parent_beats_farther_wildcard)
{
    LMDBACL *t = unit_table("us.example.com PLAIN\n*.example.com WILD\n");

    EXPECT(t, "a.us.example.com", PARENT, "PLAIN");
    EXPECT(t, "a.us.example.com", DOT, "WILD");
    EXPECT(t, "a.eu.example.com", PARENT, "WILD");
    lmdbacl_close(t);
}
END_TEST

START_TEST(nearer_wildcard_beats_farther_plain_parent)
{
    LMDBACL *t = unit_table("example.com PLAIN\n*.us.example.com WILD\n");

    EXPECT(t, "a.us.example.com", PARENT, "WILD");
    EXPECT(t, "a.eu.example.com", PARENT, "PLAIN");
    EXPECT(t, "a.eu.example.com", DOT, 0);
    lmdbacl_close(t);
}
END_TEST

START_TEST(single_label_query_has_no_ancestor)
{
    LMDBACL *t = unit_table("*.localhost WILD\nlocalhost EXACT\n");

    EXPECT_BOTH(t, "localhost", "EXACT");
    EXPECT_BOTH(t, "localhosts", 0);
    EXPECT_BOTH(t, "mail.localhost", "WILD");
    lmdbacl_close(t);
}
END_TEST

START_TEST(digits_in_inner_labels_still_walk)
{
    LMDBACL *t = unit_table("*.123.example WILD\n");

    EXPECT_BOTH(t, "host.123.example", "WILD");
    EXPECT_BOTH(t, "host.124.example", 0);
    lmdbacl_close(t);
}
END_TEST

START_TEST(numeric_last_label_query_gets_no_walk)
{
    LMDBACL *t = unit_table("*.example.123 WILD\nexample.123 PLAIN\n");

    EXPECT_BOTH(t, "host.example.123", 0);
    EXPECT_BOTH(t, "example.123", "PLAIN");
    lmdbacl_close(t);
}
END_TEST

/* Queries that start with a dot (smtpd's dot style). */

START_TEST(dot_query_is_answered_by_wildcard_of_its_domain)
{
    LMDBACL *t = unit_table("*.example.com WILD\n");

    EXPECT_BOTH(t, ".example.com", "WILD");
    expect_how(t, ".example.com", DOT, LMDBACL_HOW_WILD, 0, "example.com");
    EXPECT_BOTH(t, ".example.org", 0);
    lmdbacl_close(t);
}
END_TEST

START_TEST(dot_query_is_not_answered_by_plain_domain_in_dot_style)
{
    LMDBACL *t = unit_table("example.com PLAIN\n");

    EXPECT(t, ".example.com", DOT, 0);
    EXPECT(t, "example.com", DOT, "PLAIN");
    lmdbacl_close(t);
}
END_TEST

START_TEST(dot_query_walks_above_its_domain)
{
    LMDBACL *t = unit_table("*.com TLD\n");

    EXPECT_BOTH(t, ".example.com", "TLD");
    EXPECT_BOTH(t, ".com", "TLD");
    EXPECT_BOTH(t, ".example.org", 0);
    lmdbacl_close(t);
}
END_TEST

START_TEST(dot_query_is_not_answered_by_wildcard_below_it)
{
    LMDBACL *t = unit_table("*.mail.example.com BELOW\n");

    EXPECT_BOTH(t, ".example.com", 0);
    EXPECT_BOTH(t, ".mail.example.com", "BELOW");
    lmdbacl_close(t);
}
END_TEST

START_TEST(lone_dots_and_empty_query_match_nothing)
{
    LMDBACL *t = unit_table("*.com TLD\ncom PLAIN\n");

    EXPECT_BOTH(t, "", 0);
    EXPECT_BOTH(t, ".", 0);
    EXPECT_BOTH(t, "..", 0);
    EXPECT_BOTH(t, "a.com", "TLD");
    lmdbacl_close(t);
}
END_TEST

/* Trailing dots. */

START_TEST(one_trailing_dot_is_ignored)
{
    LMDBACL *t = unit_table("mail.example.com EXACT\n*.example.org WILD\n"
			    "example.net PLAIN\n");

    EXPECT_BOTH(t, "mail.example.com.", "EXACT");
    EXPECT_BOTH(t, "www.example.org.", "WILD");
    EXPECT(t, "a.example.net.", PARENT, "PLAIN");
    EXPECT(t, "a.example.net.", DOT, 0);
    EXPECT_BOTH(t, "example.org.", 0);
    EXPECT_BOTH(t, "mail.example.co.", 0);
    lmdbacl_close(t);
}
END_TEST

START_TEST(two_trailing_dots_match_nothing)
{
    LMDBACL *t = unit_table("mail.example.com EXACT\n*.example.org WILD\n"
			    "example.net PLAIN\n");

    EXPECT_BOTH(t, "mail.example.com..", 0);
    EXPECT_BOTH(t, "www.example.org..", 0);
    EXPECT(t, "a.example.net..", PARENT, 0);
    lmdbacl_close(t);
}
END_TEST

START_TEST(trailing_dot_on_dot_query_is_ignored)
{
    LMDBACL *t = unit_table("*.example.com WILD\n");

    EXPECT_BOTH(t, ".example.com.", "WILD");
    EXPECT_BOTH(t, ".example.com..", 0);
    lmdbacl_close(t);
}
END_TEST

/* smtpd's truncated numeric queries. */

START_TEST(truncated_numeric_query_gets_exact_match)
{
    LMDBACL *t = unit_table("192.0.2 EXACT\n");

    EXPECT_BOTH(t, "192.0.2", "EXACT");
    expect_how(t, "192.0.2", DOT, LMDBACL_HOW_EXACT, 0, "192.0.2");
    EXPECT_BOTH(t, "192.0.3", 0);
    lmdbacl_close(t);
}
END_TEST

START_TEST(truncated_numeric_query_gets_no_walk_and_no_prefix)
{
    LMDBACL *t = unit_table("*.0.2 WILD\n0.2 PLAIN\n192.0.2.0/24 NET\n"
			    "192.0 SHORTER\n");

    EXPECT_BOTH(t, "192.0.2", 0);
    EXPECT_BOTH(t, "192.0", "SHORTER");
    EXPECT_BOTH(t, "192.0.2.1", "NET");
    lmdbacl_close(t);
}
END_TEST

START_TEST(truncated_ipv6_query_gets_exact_only)
{
    LMDBACL *t = unit_table("2001:db8::/32 NET\n2001:db8:1 EXACT\n");

    EXPECT_BOTH(t, "2001:db8:1", "EXACT");
    EXPECT_BOTH(t, "2001:db8:2", 0);
    EXPECT_BOTH(t, "2001:db8:2::1", "NET");
    lmdbacl_close(t);
}
END_TEST

/* 3. IPv4 longest prefix. */

START_TEST(cidr_ipv4_matches_every_address_in_network)
{
    LMDBACL *t = unit_table("192.0.2.0/24 NET\n");

    EXPECT_BOTH(t, "192.0.2.0", "NET");
    EXPECT_BOTH(t, "192.0.2.77", "NET");
    EXPECT_BOTH(t, "192.0.2.255", "NET");
    expect_how(t, "192.0.2.77", DOT, LMDBACL_HOW_NET, 24, "192.0.2.0/24");
    EXPECT_BOTH(t, "192.0.1.255", 0);
    EXPECT_BOTH(t, "192.0.3.0", 0);
    lmdbacl_close(t);
}
END_TEST

START_TEST(cidr_does_not_answer_domain_queries)
{
    LMDBACL *t = unit_table("192.0.2.0/24 NET\n");

    EXPECT_BOTH(t, "mail.example.com", 0);
    EXPECT_BOTH(t, "192.0.2.0/24", 0);
    EXPECT_BOTH(t, "[192.0.2.1]", 0);
    lmdbacl_close(t);
}
END_TEST

START_TEST(native_truncated_key_192_0_2_is_slash_24)
{
    LMDBACL *t = unit_table("192.0.2 T24\n");

    EXPECT_BOTH(t, "192.0.2.0", "T24");
    EXPECT_BOTH(t, "192.0.2.255", "T24");
    expect_how(t, "192.0.2.9", DOT, LMDBACL_HOW_NET, 24, "192.0.2");
    EXPECT_BOTH(t, "192.0.3.0", 0);
    EXPECT_BOTH(t, "192.0.1.255", 0);
    lmdbacl_close(t);
}
END_TEST

START_TEST(native_truncated_key_192_0_is_slash_16)
{
    LMDBACL *t = unit_table("192.0 T16\n");

    EXPECT_BOTH(t, "192.0.0.0", "T16");
    EXPECT_BOTH(t, "192.0.255.255", "T16");
    expect_how(t, "192.0.7.9", DOT, LMDBACL_HOW_NET, 16, "192.0");
    EXPECT_BOTH(t, "192.1.0.0", 0);
    EXPECT_BOTH(t, "191.255.255.255", 0);
    lmdbacl_close(t);
}
END_TEST

START_TEST(native_truncated_key_192_is_slash_8)
{
    LMDBACL *t = unit_table("192 T8\n");

    EXPECT_BOTH(t, "192.0.0.0", "T8");
    EXPECT_BOTH(t, "192.255.255.255", "T8");
    expect_how(t, "192.168.1.1", DOT, LMDBACL_HOW_NET, 8, "192");
    EXPECT_BOTH(t, "193.0.0.0", 0);
    EXPECT_BOTH(t, "191.255.255.255", 0);
    lmdbacl_close(t);
}
END_TEST

START_TEST(address_key_matches_that_host_only)
{
    LMDBACL *t = unit_table("192.0.2.10 HOST\n");

    EXPECT_BOTH(t, "192.0.2.10", "HOST");
    EXPECT_BOTH(t, "192.0.2.11", 0);
    EXPECT_BOTH(t, "192.0.2.9", 0);
    lmdbacl_close(t);
}
END_TEST

START_TEST(nested_networks_most_specific_wins)
{
    LMDBACL *t = unit_table("10.0.0.0/8 A8\n"
			    "10.1.0.0/16 B16\n"
			    "10.1.2.0/24 C24\n"
			    "10.1.2.128/25 D25\n"
			    "10.1.2.200 E32\n");

    EXPECT_BOTH(t, "10.1.2.200", "E32");
    EXPECT_BOTH(t, "10.1.2.201", "D25");
    EXPECT_BOTH(t, "10.1.2.199", "D25");
    EXPECT_BOTH(t, "10.1.2.128", "D25");
    EXPECT_BOTH(t, "10.1.2.255", "D25");
    EXPECT_BOTH(t, "10.1.2.127", "C24");
    EXPECT_BOTH(t, "10.1.2.0", "C24");
    EXPECT_BOTH(t, "10.1.3.0", "B16");
    EXPECT_BOTH(t, "10.1.1.255", "B16");
    EXPECT_BOTH(t, "10.1.255.255", "B16");
    EXPECT_BOTH(t, "10.2.0.0", "A8");
    EXPECT_BOTH(t, "10.0.255.255", "A8");
    EXPECT_BOTH(t, "10.255.255.255", "A8");
    EXPECT_BOTH(t, "11.0.0.0", 0);
    EXPECT_BOTH(t, "9.255.255.255", 0);
    lmdbacl_close(t);
}
END_TEST

START_TEST(truncated_keys_and_cidr_nest_by_prefix_length)
{
    LMDBACL *t = unit_table("192.0.2.0/25 D25\n192 A8\n192.0.2 C24\n"
			    "192.0 B16\n");

    EXPECT_BOTH(t, "192.0.2.1", "D25");
    EXPECT_BOTH(t, "192.0.2.200", "C24");
    EXPECT_BOTH(t, "192.0.3.1", "B16");
    EXPECT_BOTH(t, "192.1.1.1", "A8");
    EXPECT_BOTH(t, "193.0.0.1", 0);
    lmdbacl_close(t);
}
END_TEST

START_TEST(same_network_in_two_spellings_keeps_earlier_line)
{
    LMDBACL *a = unit_table("192.0.2 FIRST\n192.0.2.0/24 SECOND\n");
    LMDBACL *b = unit_table("192.0.2.0/24 FIRST\n192.0.2 SECOND\n");

    EXPECT_BOTH(a, "192.0.2.5", "FIRST");
    EXPECT_BOTH(b, "192.0.2.5", "FIRST");
    EXPECT_BOTH(a, "192.0.3.5", 0);
    lmdbacl_close(a);
    lmdbacl_close(b);
}
END_TEST

START_TEST(adjacent_networks_split_at_their_boundary)
{
    LMDBACL *t = unit_table("192.0.2.128/25 HIGH\n192.0.2.0/25 LOW\n");

    EXPECT_BOTH(t, "192.0.2.127", "LOW");
    EXPECT_BOTH(t, "192.0.2.128", "HIGH");
    EXPECT_BOTH(t, "192.0.3.0", 0);
    lmdbacl_close(t);
}
END_TEST

START_TEST(gap_between_networks_matches_nothing)
{
    LMDBACL *t = unit_table("10.0.0.0/24 A\n10.0.2.0/24 B\n");

    EXPECT_BOTH(t, "10.0.0.255", "A");
    EXPECT_BOTH(t, "10.0.1.0", 0);
    EXPECT_BOTH(t, "10.0.1.255", 0);
    EXPECT_BOTH(t, "10.0.2.0", "B");
    lmdbacl_close(t);
}
END_TEST

START_TEST(default_route_matches_what_nothing_else_does)
{
    LMDBACL *t = unit_table("0.0.0.0/0 ANY\n192.0.2.0/24 NET\n");

    EXPECT_BOTH(t, "0.0.0.0", "ANY");
    EXPECT_BOTH(t, "8.8.8.8", "ANY");
    EXPECT_BOTH(t, "255.255.255.255", "ANY");
    EXPECT_BOTH(t, "192.0.2.1", "NET");
    EXPECT_BOTH(t, "192.0.3.1", "ANY");
    /* The other family is not covered. */
    EXPECT_BOTH(t, "2001:db8::1", 0);
    lmdbacl_close(t);
}
END_TEST

START_TEST(network_at_top_of_address_space_matches)
{
    LMDBACL *t = unit_table("255.255.255.0/24 TOP4\nffff::/16 TOP6\n");

    EXPECT_BOTH(t, "255.255.255.255", "TOP4");
    EXPECT_BOTH(t, "255.255.254.255", 0);
    EXPECT_BOTH(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "TOP6");
    EXPECT_BOTH(t, "fffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 0);
    lmdbacl_close(t);
}
END_TEST

/* 3. IPv6 longest prefix. */

START_TEST(cidr_ipv6_matches_every_address_in_network)
{
    LMDBACL *t = unit_table("2001:db8::/32 V6\n");

    EXPECT_BOTH(t, "2001:db8::", "V6");
    EXPECT_BOTH(t, "2001:db8::1", "V6");
    EXPECT_BOTH(t, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "V6");
    expect_how(t, "2001:db8::1", DOT, LMDBACL_HOW_NET, 32, "2001:db8::/32");
    EXPECT_BOTH(t, "2001:db9::", 0);
    EXPECT_BOTH(t, "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", 0);
    lmdbacl_close(t);
}
END_TEST

START_TEST(bracketed_ipv6_cidr_key_matches)
{
    LMDBACL *t = unit_table("[2001:db8::]/32 BRACKETED\n");

    EXPECT_BOTH(t, "2001:db8:5::1", "BRACKETED");
    EXPECT_BOTH(t, "2001:db9:5::1", 0);
    lmdbacl_close(t);
}
END_TEST

START_TEST(non_canonical_ipv6_query_matches)
{
    LMDBACL *t = unit_table("2001:db8::1 HOST\n2001:db8:1::/48 NET\n");

    EXPECT_BOTH(t, "2001:0DB8:0000:0000:0000:0000:0000:0001", "HOST");
    EXPECT_BOTH(t, "2001:db8:0:0:0:0:0:1", "HOST");
    EXPECT_BOTH(t, "2001:db8:0:0:0:0:0:2", 0);
    EXPECT_BOTH(t, "2001:DB8:1:0::abcd", "NET");
    EXPECT_BOTH(t, "2001:0db8:0001:ffff:ffff:ffff:ffff:ffff", "NET");
    EXPECT_BOTH(t, "2001:db8:2::", 0);
    lmdbacl_close(t);
}
END_TEST

START_TEST(ipv6_scope_suffix_is_dropped_from_query)
{
    LMDBACL *t = unit_table("fe80::/10 LINKLOCAL\nfe80::1 HOST\n");

    EXPECT_BOTH(t, "fe80::1%eth0", "HOST");
    EXPECT_BOTH(t, "fe80::2%eth0", "LINKLOCAL");
    EXPECT_BOTH(t, "FE80::2%ETH0", "LINKLOCAL");
    EXPECT_BOTH(t, "febf:ffff::1%eth0", "LINKLOCAL");
    EXPECT_BOTH(t, "fec0::1%eth0", 0);
    EXPECT_BOTH(t, "fe80::2%", 0);
    lmdbacl_close(t);
}
END_TEST

START_TEST(nested_ipv6_networks_most_specific_wins)
{
    LMDBACL *t = unit_table("2001:db8::/32 A32\n2001:db8:1::/48 B48\n"
			    "2001:db8:1:2 C64\n2001:db8:1:2::5 D128\n");

    EXPECT_BOTH(t, "2001:db8:1:2::5", "D128");
    EXPECT_BOTH(t, "2001:db8:1:2::6", "C64");
    EXPECT_BOTH(t, "2001:db8:1:3::5", "B48");
    EXPECT_BOTH(t, "2001:db8:1:1:ffff:ffff:ffff:ffff", "B48");
    EXPECT_BOTH(t, "2001:db8:2::1", "A32");
    EXPECT_BOTH(t, "2001:db9::1", 0);
    expect_how(t, "2001:db8:1:2::6", DOT, LMDBACL_HOW_NET, 64,
	       "2001:db8:1:2");
    lmdbacl_close(t);
}
END_TEST

START_TEST(ipv4_and_ipv6_networks_are_separate)
{
    LMDBACL *t = unit_table("::/0 ANY6\n192.0.2.0/24 NET4\n");

    EXPECT_BOTH(t, "::1", "ANY6");
    EXPECT_BOTH(t, "192.0.2.1", "NET4");
    EXPECT_BOTH(t, "198.51.100.1", 0);
    lmdbacl_close(t);
}
END_TEST

/* 4. Address queries. */

START_TEST(address_query_is_exact_only)
{
    LMDBACL *t = unit_table("*.example.com WILD\nexample.com PLAIN\n"
			    "user@example.com USER\n192.0.2.0/24 NET\n"
			    "postmaster@ LOCAL\n");

    EXPECT_BOTH(t, "user@example.com", "USER");
    EXPECT_BOTH(t, "other@example.com", 0);
    EXPECT_BOTH(t, "user@mail.example.com", 0);
    EXPECT_BOTH(t, "user@192.0.2.1", 0);
    EXPECT_BOTH(t, "postmaster@", "LOCAL");
    EXPECT_BOTH(t, "user@", 0);
    lmdbacl_close(t);
}
END_TEST

/* Line order. */

static const char *order_lines[] = {
    "example.com PLAIN\n",
    "*.example.com WILD\n",
    "*.us.example.com US\n",
    "mail.us.example.com MAIL\n",
    "10.0.0.0/8 A8\n",
    "10.1 B16\n",
    "10.1.2.0/24 C24\n",
    "10.1.2.3 HOST\n",
    "2001:db8::/32 V6\n",
    "2001:db8:1::/48 V6SUB\n",
    "user@example.com USER\n",
};

static const char *order_queries[] = {
    "example.com", "a.example.com", "a.us.example.com", "mail.us.example.com",
    "x.mail.us.example.com", "us.example.com", "example.org", ".example.com",
    "10.0.0.1", "10.1.0.1", "10.1.2.1", "10.1.2.3", "11.0.0.0",
    "2001:db8::1", "2001:db8:1::1", "user@example.com", "10.1",
};

START_TEST(matching_does_not_depend_on_line_order)
{
    char    fwd[1024] = "";
    char    rev[1024] = "";
    size_t  nl = sizeof(order_lines) / sizeof(order_lines[0]);
    size_t  nq = sizeof(order_queries) / sizeof(order_queries[0]);
    size_t  i;
    LMDBACL *tf;
    LMDBACL *tr;
    int     ps;
    int     found = 0;

    for (i = 0; i < nl; i++) {
	strcat(fwd, order_lines[i]);
	strcat(rev, order_lines[nl - 1 - i]);
    }
    tf = unit_table(fwd);
    tr = unit_table(rev);
    for (ps = 0; ps < 2; ps++) {
	for (i = 0; i < nq; i++) {
	    const char *a = unit_lookup(tf, order_queries[i], ps);
	    const char *b = unit_lookup(tr, order_queries[i], ps);

	    ck_assert_msg((a == 0 && b == 0)
			  || (a != 0 && b != 0 && strcmp(a, b) == 0),
			  "\"%s\" (parent_style %d): %s in file order,"
			  " %s in reverse order", order_queries[i], ps,
			  a ? a : "not found", b ? b : "not found");
	    found += (a != 0);
	}
    }
    /* The comparison is not vacuous. */
    ck_assert_int_ge(found, 20);
    EXPECT(tr, "x.mail.us.example.com", PARENT, "MAIL");
    EXPECT(tr, "10.1.2.1", DOT, "C24");
    lmdbacl_close(tf);
    lmdbacl_close(tr);
}
END_TEST

 /*
  * Longest prefix against a linear scan, on many random nested networks.
  */
typedef struct REFNET {
    uint32_t addr;
    int     plen;
} REFNET;

static uint32_t rnd_state = 20240601;

static uint32_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 17;
    rnd_state ^= rnd_state << 5;
    return (rnd_state);
}

#define NNET	400
#define NQUERY	4000

static uint32_t mask_of(int plen)
{
    return (plen == 0 ? 0 : 0xffffffffU << (32 - plen));
}

START_TEST(longest_prefix_agrees_with_linear_scan)
{
    static REFNET nets[NNET];
    static char text[NNET * 40];
    char    query[32];
    char    want[32];
    size_t  len = 0;
    int     n = 0;
    int     i;
    int     j;
    int     hits = 0;
    LMDBACL *t;

    /* Everything inside 10.0.0.0/12, so that networks nest deeply. */
    while (n < NNET) {
	int     plen = 12 + rnd() % 21;
	uint32_t addr = (0x0a000000U | (rnd() & 0x000fffffU)) & mask_of(plen);
	int     dup = 0;

	for (j = 0; j < n; j++)
	    if (nets[j].addr == addr && nets[j].plen == plen)
		dup = 1;
	if (dup)
	    continue;
	nets[n].addr = addr;
	nets[n].plen = plen;
	len += snprintf(text + len, sizeof(text) - len, "%u.%u.%u.%u/%d N%d\n",
			addr >> 24, (addr >> 16) & 255, (addr >> 8) & 255,
			addr & 255, plen, n);
	n++;
    }
    t = unit_table(text);
    for (i = 0; i < NQUERY; i++) {
	uint32_t q;
	int     best = -1;

	/* Half near a network boundary, half anywhere in the block. */
	if (i % 2) {
	    REFNET *r = nets + rnd() % NNET;

	    q = r->addr + (rnd() % 2 ? ~mask_of(r->plen) + (rnd() % 3) - 1
			   : (uint32_t) (rnd() % 3) - 1);
	} else {
	    q = 0x0a000000U | (rnd() & 0x000fffffU);
	}
	for (j = 0; j < NNET; j++)
	    if ((q & mask_of(nets[j].plen)) == nets[j].addr
		&& (best < 0 || nets[j].plen > nets[best].plen))
		best = j;
	snprintf(query, sizeof(query), "%u.%u.%u.%u", q >> 24,
		 (q >> 16) & 255, (q >> 8) & 255, q & 255);
	snprintf(want, sizeof(want), "N%d", best);
	EXPECT(t, query, DOT, best < 0 ? 0 : want);
	hits += (best >= 0);
    }
    ck_assert_int_ge(hits, NQUERY / 4);
    lmdbacl_close(t);
}
END_TEST

/* The answer itself. */

START_TEST(match_reports_source_line_of_the_rule)
{
    LMDBACL *t = unit_table("# header\n\nexample.com PLAIN\n*.example.org WILD\n"
			    "192.0.2.0/24 NET\n");
    LMDBACL_MATCH m;

    ck_assert_int_eq(unit_lookup_match(t, "a.example.com", PARENT, &m),
		     LMDBACL_OK);
    ck_assert_uint_eq(m.line, 3);
    ck_assert_int_eq(unit_lookup_match(t, "a.example.org", DOT, &m),
		     LMDBACL_OK);
    ck_assert_uint_eq(m.line, 4);
    ck_assert_int_eq(unit_lookup_match(t, "192.0.2.1", DOT, &m), LMDBACL_OK);
    ck_assert_uint_eq(m.line, 5);
    lmdbacl_close(t);
}
END_TEST

START_TEST(value_stays_valid_across_lookups)
{
    LMDBACL *t = unit_table("a.example FIRST VALUE\nb.example SECOND\n");
    const char *first = unit_lookup(t, "a.example", DOT);

    ck_assert_pstr_eq(first, "FIRST VALUE");
    ck_assert_pstr_eq(unit_lookup(t, "b.example", DOT), "SECOND");
    ck_assert_pstr_eq(unit_lookup(t, "c.example", DOT), 0);
    ck_assert_pstr_eq(first, "FIRST VALUE");
    lmdbacl_close(t);
}
END_TEST

START_TEST(value_is_stored_verbatim)
{
    LMDBACL *t = unit_table("example.com REJECT  Go   Away, \"Spammer\"\n");

    EXPECT_BOTH(t, "example.com", "REJECT  Go   Away, \"Spammer\"");
    lmdbacl_close(t);
}
END_TEST

static void long_domain(char *buf, size_t len)
{
    size_t  i;

    /* Labels of 49 bytes and dots, no short period in the text. */
    for (i = 0; i < len; i++)
	buf[i] = (i % 50 == 49 && i < len - 1) ? '.' : 'a' + (i * 7) % 26;
    buf[len] = 0;
}

START_TEST(longest_exact_key_matches)
{
    char    key[LMDBACL_KEY_MAX + 1];
    char    src[2 * LMDBACL_KEY_MAX];
    LMDBACL *t;

    long_domain(key, LMDBACL_KEY_MAX);
    snprintf(src, sizeof(src), "%s LONG\n", key);
    t = unit_table(src);
    EXPECT_BOTH(t, key, "LONG");
    key[LMDBACL_KEY_MAX - 1] = key[LMDBACL_KEY_MAX - 1] == 'z' ? 'y' : 'z';
    EXPECT_BOTH(t, key, 0);
    lmdbacl_close(t);
}
END_TEST

START_TEST(long_wildcard_and_parent_keys_match_below_them)
{
    char    parent[501];
    char    query[600];
    char    src[1200];
    LMDBACL *t;

    long_domain(parent, 500);
    snprintf(src, sizeof(src), "*.w%s WILD\np%s PLAIN\n", parent, parent);
    t = unit_table(src);
    snprintf(query, sizeof(query), "x.w%s", parent);
    ck_assert_uint_le(strlen(query), LMDBACL_KEY_MAX);
    EXPECT_BOTH(t, query, "WILD");
    snprintf(query, sizeof(query), "x.p%s", parent);
    EXPECT(t, query, PARENT, "PLAIN");
    EXPECT(t, query, DOT, 0);
    snprintf(query, sizeof(query), "x.q%s", parent);
    EXPECT_BOTH(t, query, 0);
    lmdbacl_close(t);
}
END_TEST

START_TEST(query_longer_than_key_limit_still_walks_to_wildcard)
{
    char    query[LMDBACL_KEY_MAX + 100];
    LMDBACL *t = unit_table("*.example.com WILD\nexample.com PLAIN\n");
    size_t  i;

    /* A bogus HELO name: labels of 60 bytes, well over the key limit. */
    memset(query, 'h', sizeof(query));
    for (i = 60; i < sizeof(query) - 20; i += 61)
	query[i] = '.';
    strcpy(query + sizeof(query) - 20, ".example.com");
    ck_assert_uint_gt(strlen(query), LMDBACL_KEY_MAX);
    EXPECT_BOTH(t, query, "WILD");
    strcpy(query + sizeof(query) - 20, ".example.org");
    EXPECT_BOTH(t, query, 0);
    lmdbacl_close(t);
}
END_TEST

/* Damaged records. */

/* crafted_path - a sealed table of these records, in this format */

static char *crafted_path(const UNIT_KV *extra, size_t n, int format)
{
    unsigned char meta[LMDBACL_META_SIZE];
    UNIT_KV kv[8];
    char   *dir = unit_tmpdir();
    char   *path = unit_join(dir, "crafted.lmdbacl");
    size_t  i;

    ck_assert_uint_le(n, 7);
    memset(meta, 0, sizeof(meta));
    meta[3] = format;
    kv[0].key = LMDBACL_META_KEY;
    kv[0].klen = strlen(LMDBACL_META_KEY);
    kv[0].val = meta;
    kv[0].vlen = sizeof(meta);
    for (i = 0; i < n; i++)
	kv[i + 1] = extra[i];
    unit_make_sealed(path, kv, n + 1);
    free(dir);
    return (path);
}

/* crafted_table - format 2 records: 'E', 'W' and 'N' in the tree */

static LMDBACL *crafted_table(const UNIT_KV *extra, size_t n)
{
    char   *path = crafted_path(extra, n, 2);
    LMDBACL *t = unit_open(path);

    free(path);
    return (t);
}

START_TEST(well_formed_crafted_record_is_answered)
{
    /* line 7, no rule text, value "OK", null. */
    static const unsigned char good[] = {0, 0, 0, 7, 0, 0, 'O', 'K', 0};
    UNIT_KV kv[] = {{"Egood.example", 13, good, sizeof(good)}};
    LMDBACL *t = crafted_table(kv, 1);
    LMDBACL_MATCH m;

    ck_assert_int_eq(unit_lookup_match(t, "good.example", DOT, &m), LMDBACL_OK);
    ck_assert_str_eq(m.value, "OK");
    ck_assert_uint_eq(m.line, 7);
    lmdbacl_close(t);
}
END_TEST

START_TEST(damaged_records_give_eformat_not_garbage)
{
    static const unsigned char shortv[] = {0, 0, 0, 7, 0, 0};
    static const unsigned char unterminated[] = {0, 0, 0, 7, 0, 0, 'O', 'K'};
    static const unsigned char overlong[] = {0, 0, 0, 7, 0, 200, 'O', 'K', 0};
    static const unsigned char range_short[] = {10, 0, 0};
    static const unsigned char range_key[] = {'N', 4, 10, 255, 255, 255};
    UNIT_KV kv[] = {
	{"Eshort.example", 14, shortv, sizeof(shortv)},
	{"Eunterminated.example", 21, unterminated, sizeof(unterminated)},
	{"Eoverlong.example", 17, overlong, sizeof(overlong)},
	{"Wwild.example", 13, shortv, sizeof(shortv)},
	{range_key, sizeof(range_key), range_short, sizeof(range_short)},
    };
    LMDBACL *t = crafted_table(kv, sizeof(kv) / sizeof(kv[0]));
    LMDBACL_MATCH m;

    ck_assert_int_eq(lmdbacl_lookup(t, "short.example", 0, &m),
		     LMDBACL_EFORMAT);
    ck_assert_int_eq(lmdbacl_lookup(t, "unterminated.example", 0, &m),
		     LMDBACL_EFORMAT);
    ck_assert_int_eq(lmdbacl_lookup(t, "overlong.example", 0, &m),
		     LMDBACL_EFORMAT);
    ck_assert_int_eq(lmdbacl_lookup(t, "a.wild.example", 0, &m),
		     LMDBACL_EFORMAT);
    ck_assert_int_eq(lmdbacl_lookup(t, "10.1.2.3", 0, &m), LMDBACL_EFORMAT);
    /* Undamaged paths of the same table still answer "not found". */
    ck_assert_int_eq(lmdbacl_lookup(t, "other.example", 0, &m),
		     LMDBACL_NOTFOUND);
    ck_assert_int_eq(lmdbacl_lookup(t, "11.0.0.1", 0, &m), LMDBACL_NOTFOUND);
    lmdbacl_close(t);
}
END_TEST


 /*
  * A format 3 range record: two ranges of 10.0.0.0/24 and 10.0.2.0/24,
  * the second pointing past the rules area.
  */
static const unsigned char ranges4[] = {
    'L', 'A', 'R', 'X', 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 28,
    10, 0, 0, 255, 10, 0, 2, 255,			/* ends */
    10, 0, 2, 255,					/* fence */
    10, 0, 0, 0, 24, 0, 0, 0, 0,			/* start, plen, rule */
    10, 0, 2, 0, 24, 0, 0, 3, 232,
    0, 0, 0, 24, 0, 0, 0, 3, 0, 11,			/* rule: line 3 */
    '1', '0', '.', '0', '.', '0', '.', '0', '/', '2', '4',
    'R', 'E', 'J', 'E', 'C', 'T', 0,
};
static const unsigned char ranges4_key[] = {'R', 4};

START_TEST(format3_range_record_is_answered_and_checked)
{
    UNIT_KV kv[] = {{ranges4_key, 2, ranges4, sizeof(ranges4)}};
    char   *path = crafted_path(kv, 1, 3);
    LMDBACL *t = unit_open(path);
    LMDBACL_MATCH m;

    ck_assert_int_eq(lmdbacl_lookup(t, "10.0.0.7", 0, &m), LMDBACL_OK);
    ck_assert_str_eq(m.value, "REJECT");
    ck_assert_uint_eq(m.line, 3);
    ck_assert_int_eq(m.plen, 24);
    ck_assert_int_eq(lmdbacl_lookup(t, "10.0.1.5", 0, &m), LMDBACL_NOTFOUND);
    ck_assert_int_eq(lmdbacl_lookup(t, "9.255.255.255", 0, &m),
		     LMDBACL_NOTFOUND);
    ck_assert_int_eq(lmdbacl_lookup(t, "11.0.0.1", 0, &m), LMDBACL_NOTFOUND);
    ck_assert_int_eq(lmdbacl_lookup(t, "10.0.2.5", 0, &m), LMDBACL_EFORMAT);
    ck_assert_int_eq(lmdbacl_lookup(t, "2001:db8::1", 0, &m),
		     LMDBACL_NOTFOUND);
    lmdbacl_close(t);
    free(path);
}
END_TEST

START_TEST(format3_range_record_of_wrong_size_refuses_the_table)
{
    unsigned char bad[sizeof(ranges4)];
    UNIT_KV kv[] = {{ranges4_key, 2, bad, sizeof(bad)}};
    LMDBACL_ERR err;
    char   *path;

    memcpy(bad, ranges4, sizeof(bad));
    bad[15] = 27;				/* rules area one byte short */
    path = crafted_path(kv, 1, 3);
    ck_assert_ptr_null(lmdbacl_open(path, &err));
    ck_assert_int_eq(err.code, LMDBACL_EFORMAT);
    ck_assert_msg(strstr(err.msg, "bad network range record") != 0,
		  "message: %s", err.msg);
    free(path);
}
END_TEST

 /*
  * Format 3 ranges against a brute-force longest-prefix match: nested
  * random networks of both families (many blocks of 16, a count that is
  * no multiple of 16, networks at both ends of the address space), and
  * probes at every network's first and last address and one beside.
  */
typedef struct RNET {
    unsigned __int128 start;
    unsigned __int128 end;
    int     plen;
} RNET;

static unsigned __int128 rnd128(unsigned long long *seed)
{
    unsigned __int128 v = 0;
    int     i;

    for (i = 0; i < 4; i++) {
	*seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
	v = (v << 32) | (*seed >> 32);
    }
    return (v);
}

#define NRANGE_NETS	700

static void rtext(int bits, unsigned __int128 a, char *buf, size_t len)
{
    unsigned char b[16];
    int     n = bits / 8;
    int     i;

    for (i = n - 1; i >= 0; i--, a >>= 8)
	b[i] = (unsigned char) a;
    lmdbacl_addr_format(bits == 32 ? LMDBACL_AF_INET : LMDBACL_AF_INET6,
			b, buf, len);
}

START_TEST(format3_ranges_agree_with_brute_force_prefix_match)
{
    static RNET nets[2][NRANGE_NETS];
    unsigned long long seed = 20261204;
    size_t  cap = 2 * NRANGE_NETS * 64 + 1;
    char   *src = malloc(cap);
    size_t  used = 0;
    char    text[64];
    char    want[32];
    LMDBACL *t;
    LMDBACL_MATCH m;
    int     f;
    int     i;
    int     j;
    int     k;
    int     hits = 0;
    int     probes = 0;

    ck_assert_ptr_nonnull(src);
    for (f = 0; f < 2; f++) {
	int     bits = f ? 128 : 32;
	unsigned __int128 all = f ? ~(unsigned __int128) 0 :
	    (unsigned __int128) 0xffffffffU;

	for (i = 0; i < NRANGE_NETS; i++) {
	    unsigned __int128 base;
	    unsigned __int128 mask;
	    int     plen;
	    int     dup;

	    do {
		/* Inside an earlier network half the time: nesting. */
		if (i > 0 && rnd128(&seed) % 2) {
		    RNET   *p = &nets[f][(size_t) (rnd128(&seed) % i)];

		    plen = p->plen + 1 + (int) (rnd128(&seed) % 8);
		    if (plen > bits)
			plen = bits;
		    base = p->start + rnd128(&seed) % (p->end - p->start + 1);
		} else {
		    plen = (f ? 16 : 8) + (int) (rnd128(&seed) % (f ? 100 : 25));
		    base = rnd128(&seed) & all;
		    if (i == 0)
			base = 0;			/* the first address */
		    if (i == 1)
			base = all;			/* the last one */
		}
		mask = plen >= bits ? 0 : (((unsigned __int128) 1 << (bits - plen)) - 1);
		base &= ~mask & all;
		dup = 0;
		for (j = 0; j < i; j++)
		    if (nets[f][j].start == base && nets[f][j].plen == plen)
			dup = 1;
	    } while (dup);
	    nets[f][i].start = base;
	    nets[f][i].end = base | mask;
	    nets[f][i].plen = plen;
	    rtext(bits, base, text, sizeof(text));
	    used += snprintf(src + used, cap - used, "%s/%d v%d.%d\n", text,
			     plen, f, i);
	}
    }
    t = unit_table(src);
    for (f = 0; f < 2; f++) {
	int     bits = f ? 128 : 32;
	unsigned __int128 all = f ? ~(unsigned __int128) 0 :
	    (unsigned __int128) 0xffffffffU;

	for (i = 0; i < NRANGE_NETS; i++) {
	    unsigned __int128 at[6];

	    at[0] = nets[f][i].start;
	    at[1] = nets[f][i].end;
	    at[2] = (nets[f][i].start - 1) & all;
	    at[3] = (nets[f][i].end + 1) & all;
	    at[4] = (nets[f][i].start + 1) & all;
	    at[5] = (nets[f][i].end - 1) & all;
	    for (k = 0; k < 6; k++) {
		int     best = -1;

		for (j = 0; j < NRANGE_NETS; j++)
		    if (nets[f][j].start <= at[k] && at[k] <= nets[f][j].end
			&& (best < 0 || nets[f][j].plen > nets[f][best].plen))
			best = j;
		rtext(bits, at[k], text, sizeof(text));
		probes++;
		if (best < 0) {
		    ck_assert_msg(lmdbacl_lookup(t, text, 0, &m)
				  == LMDBACL_NOTFOUND, "%s: found %s", text,
				  m.value);
		} else {
		    snprintf(want, sizeof(want), "v%d.%d", f, best);
		    ck_assert_msg(lmdbacl_lookup(t, text, 0, &m) == LMDBACL_OK,
				  "%s: not found, want %s", text, want);
		    ck_assert_msg(strcmp(m.value, want) == 0,
				  "%s: %s, want %s", text, m.value, want);
		    hits++;
		}
	    }
	}
    }
    /* Both outcomes must occur, or the probes say little. */
    ck_assert_int_gt(hits, probes / 2);
    ck_assert_int_lt(hits, probes);
    lmdbacl_close(t);
    free(src);
}
END_TEST

 /*
  * smtpd's follow-up queries after a miss are answered from the last
  * miss without probing: the answers must be those of a handle that
  * remembers nothing.
  */
static const char *fresh_answer(LMDBACL *t, const char *q, int style)
{
    LMDBACL_MATCH m;

    /* An unrelated miss first: nothing about q is remembered. */
    (void) lmdbacl_lookup(t, "unrelated.invalid", style, &m);
    return (lmdbacl_lookup(t, q, style, &m) == LMDBACL_OK ? m.value : 0);
}

START_TEST(follow_up_queries_after_a_miss_answer_as_fresh)
{
    char   *dir = unit_tmpdir();
    char   *path = unit_build(dir, "access",
			      "*.example.com WILD\nexample.net PLAIN\n"
			      "b.example.org B\n.c.example.org C\n"
			      "192.0.2 NET24\n198.51.100.0/24 NET\n"
			      "2001:db8:1 NET48\n2001:db9:7: COLON\n"
			      "2002 ONEGROUP\n2003:0:0:1::/64 NET64\n");
    static const char *names[] = {
	"x.y.example.com", "x.y.example.org", "a.b.example.org",
	"q.c.example.org", "x.y.example.net", "nothing.invalid",
	"192.0.2.9", "192.0.3.9", "198.51.100.1", "198.51.101.1",
	"2001:db8:1::5", "2001:db8:2::5", "2001:db9:7::1",
	"2002:aa:bb:cc:dd:ee:ff:1", "2003:0:0:1:2:3:4:5",
	"2003:0:0:2:2:3:4:5", 0,
    };
    LMDBACL *seq = unit_open(path);
    LMDBACL *ref = unit_open(path);
    LMDBACL_MATCH m;
    const char **np;
    const char *name;
    const char *next;
    const char *want;
    const char *got;
    char    buf[256];
    char   *cp;
    int     style;
    int     asked = 0;

    for (style = 0; style < 2; style++) {
	for (np = names; *np; np++) {
	    if (lmdbacl_addr_parse(*np, (unsigned char[16]) {0})) {
		int     delim = strchr(*np, ':') ? ':' : '.';

		/* check_addr_access: the address, then its truncations */
		snprintf(buf, sizeof(buf), "%s", *np);
		do {
		    got = lmdbacl_lookup(seq, buf, style, &m) == LMDBACL_OK ? m.value : 0;
		    want = fresh_answer(ref, buf, style);
		    ck_assert_msg((got == 0) == (want == 0) && (!got || strcmp(got, want) == 0),
				  "%s (style %d): got %s want %s", buf, style,
				  got ? got : "none", want ? want : "none");
		    asked++;
		} while ((cp = strrchr(buf, delim)) != 0 && (*cp = 0, 1));
		continue;
	    }
	    /* check_domain_access: the name, then each parent */
	    for (name = *np; *name; name = next) {
		got = lmdbacl_lookup(seq, name, style, &m) == LMDBACL_OK ? m.value : 0;
		want = fresh_answer(ref, name, style);
		ck_assert_msg((got == 0) == (want == 0) && (!got || strcmp(got, want) == 0),
			      "%s (style %d): got %s want %s", name, style,
			      got ? got : "none", want ? want : "none");
		asked++;
		if ((next = strchr(name + 1, '.')) == 0)
		    break;
		if (style)
		    next++;
	    }
	}
    }
    ck_assert_int_gt(asked, 80);
    lmdbacl_close(seq);
    lmdbacl_close(ref);
    free(path);
    free(dir);
}
END_TEST

static Suite *match_suite(void)
{
    Suite  *s = suite_create("lmdbacl_match");

    UNIT_ADD(s, exact_key_matches_itself_only);
    UNIT_ADD(s, exact_key_beats_wildcard);
    UNIT_ADD(s, exact_key_beats_plain_parent);
    UNIT_ADD(s, exact_address_key_beats_network);
    UNIT_ADD(s, exact_address_key_beats_same_host_cidr);
    UNIT_ADD(s, plain_keys_of_every_postfix_form_match_exactly);
    UNIT_ADD(s, helo_wildcard_matches_one_level_down);
    UNIT_ADD(s, helo_wildcard_matches_three_levels_down);
    UNIT_ADD(s, wildcard_does_not_match_parent_itself);
    UNIT_ADD(s, wildcard_respects_label_boundaries);
    UNIT_ADD(s, dot_key_matches_like_star_key);
    UNIT_ADD(s, wildcard_of_top_level_domain_matches_below_it);
    UNIT_ADD(s, plain_parent_matches_subdomain_only_under_parent_style);
    UNIT_ADD(s, plain_parent_respects_label_boundaries);
    UNIT_ADD(s, wildcard_beats_plain_parent_at_same_ancestor);
    UNIT_ADD(s, nearest_wildcard_wins);
    UNIT_ADD(s, nearer_plain_parent_beats_farther_wildcard);
    UNIT_ADD(s, nearer_wildcard_beats_farther_plain_parent);
    UNIT_ADD(s, single_label_query_has_no_ancestor);
    UNIT_ADD(s, digits_in_inner_labels_still_walk);
    UNIT_ADD(s, numeric_last_label_query_gets_no_walk);
    UNIT_ADD(s, dot_query_is_answered_by_wildcard_of_its_domain);
    UNIT_ADD(s, dot_query_is_not_answered_by_plain_domain_in_dot_style);
    UNIT_ADD(s, dot_query_walks_above_its_domain);
    UNIT_ADD(s, dot_query_is_not_answered_by_wildcard_below_it);
    UNIT_ADD(s, lone_dots_and_empty_query_match_nothing);
    UNIT_ADD(s, one_trailing_dot_is_ignored);
    UNIT_ADD(s, two_trailing_dots_match_nothing);
    UNIT_ADD(s, trailing_dot_on_dot_query_is_ignored);
    UNIT_ADD(s, truncated_numeric_query_gets_exact_match);
    UNIT_ADD(s, truncated_numeric_query_gets_no_walk_and_no_prefix);
    UNIT_ADD(s, truncated_ipv6_query_gets_exact_only);
    UNIT_ADD(s, cidr_ipv4_matches_every_address_in_network);
    UNIT_ADD(s, cidr_does_not_answer_domain_queries);
    UNIT_ADD(s, native_truncated_key_192_0_2_is_slash_24);
    UNIT_ADD(s, native_truncated_key_192_0_is_slash_16);
    UNIT_ADD(s, native_truncated_key_192_is_slash_8);
    UNIT_ADD(s, address_key_matches_that_host_only);
    UNIT_ADD(s, nested_networks_most_specific_wins);
    UNIT_ADD(s, truncated_keys_and_cidr_nest_by_prefix_length);
    UNIT_ADD(s, same_network_in_two_spellings_keeps_earlier_line);
    UNIT_ADD(s, adjacent_networks_split_at_their_boundary);
    UNIT_ADD(s, gap_between_networks_matches_nothing);
    UNIT_ADD(s, default_route_matches_what_nothing_else_does);
    UNIT_ADD(s, network_at_top_of_address_space_matches);
    UNIT_ADD(s, cidr_ipv6_matches_every_address_in_network);
    UNIT_ADD(s, bracketed_ipv6_cidr_key_matches);
    UNIT_ADD(s, non_canonical_ipv6_query_matches);
    UNIT_ADD(s, ipv6_scope_suffix_is_dropped_from_query);
    UNIT_ADD(s, nested_ipv6_networks_most_specific_wins);
    UNIT_ADD(s, ipv4_and_ipv6_networks_are_separate);
    UNIT_ADD(s, address_query_is_exact_only);
    UNIT_ADD(s, matching_does_not_depend_on_line_order);
    UNIT_ADD(s, longest_prefix_agrees_with_linear_scan);
    UNIT_ADD(s, match_reports_source_line_of_the_rule);
    UNIT_ADD(s, value_stays_valid_across_lookups);
    UNIT_ADD(s, value_is_stored_verbatim);
    UNIT_ADD(s, longest_exact_key_matches);
    UNIT_ADD(s, long_wildcard_and_parent_keys_match_below_them);
    UNIT_ADD(s, query_longer_than_key_limit_still_walks_to_wildcard);
    UNIT_ADD(s, well_formed_crafted_record_is_answered);
    UNIT_ADD(s, damaged_records_give_eformat_not_garbage);
    UNIT_ADD(s, format3_range_record_is_answered_and_checked);
    UNIT_ADD(s, format3_range_record_of_wrong_size_refuses_the_table);
    UNIT_ADD(s, format3_ranges_agree_with_brute_force_prefix_match);
    UNIT_ADD(s, follow_up_queries_after_a_miss_answer_as_fresh);
    return (s);
}

int     main(void)
{
    return (unit_run(match_suite()));
}
