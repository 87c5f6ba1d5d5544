/*++
/* NAME
/*	check_key 1t
/* SUMMARY
/*	unit tests for lmdbacl_key.c
/* SYNOPSIS
/*	check_key
/* DESCRIPTION
/*	Pins the key forms of SPEC section 3: every plain key Postfix
/*	accepts, *.domain and its .domain synonym, CIDR networks in v4,
/*	v6 and [v6]/n form, smtpd's truncated addresses, and every error
/*	with a message that says what to write instead.
/* LICENSE
/* .ad
/* .fi
/*	See the COPYING file in the top-level directory.
/*--*/

#include "unit.h"

 /*
  * parse_ok - parse a key that must be accepted.
  */
static void parse_ok(const char *raw, LMDBACL_KEY *key)
{
    char    why[LMDBACL_ERR_SIZE];

    why[0] = 0;
    ck_assert_msg(lmdbacl_key_parse(raw, key, why, sizeof(why)) == LMDBACL_OK,
		  "\"%s\" refused: %s", raw, why);
}

 /*
  * parse_bad - parse a key that must be refused; the message is left in
  * why.
  */
static void parse_bad(const char *raw, char *why, size_t len)
{
    LMDBACL_KEY key;

    why[0] = 0;
    ck_assert_msg(lmdbacl_key_parse(raw, &key, why, len) == LMDBACL_ESYNTAX,
		  "\"%s\" accepted as kind %d \"%s\"", raw, key.kind, key.text);
    ck_assert_msg(why[0] != 0, "\"%s\": no message", raw);
}

 /*
  * expect_exact - a plain key that takes no part in network matching.
  */
static void expect_exact(const char *raw, const char *text)
{
    LMDBACL_KEY key;

    parse_ok(raw, &key);
    ck_assert_int_eq(key.kind, LMDBACL_KIND_EXACT);
    ck_assert_str_eq(key.text, text);
    ck_assert_int_eq(key.is_net, 0);
}

 /*
  * expect_net_exact - a plain key that is also a network.
  */
static void expect_net_exact(const char *raw, const char *text, int family,
			             int plen, const char *addr_text)
{
    LMDBACL_KEY key;
    unsigned char want[16];

    parse_ok(raw, &key);
    ck_assert_int_eq(key.kind, LMDBACL_KIND_EXACT);
    ck_assert_str_eq(key.text, text);
    ck_assert_int_eq(key.is_net, 1);
    ck_assert_int_eq(key.family, family);
    ck_assert_int_eq(key.plen, plen);
    memset(want, 0, sizeof(want));
    ck_assert_int_eq(lmdbacl_addr_parse(addr_text, want), family);
    ck_assert_mem_eq(key.addr, want, lmdbacl_addr_len(family));
}

 /*
  * expect_cidr - a CIDR key.
  */
static void expect_cidr(const char *raw, const char *text, int family,
			        int plen, const char *addr_text)
{
    LMDBACL_KEY key;
    unsigned char want[16];

    parse_ok(raw, &key);
    ck_assert_int_eq(key.kind, LMDBACL_KIND_NET);
    ck_assert_str_eq(key.text, text);
    ck_assert_int_eq(key.is_net, 1);
    ck_assert_int_eq(key.family, family);
    ck_assert_int_eq(key.plen, plen);
    memset(want, 0, sizeof(want));
    ck_assert_int_eq(lmdbacl_addr_parse(addr_text, want), family);
    ck_assert_mem_eq(key.addr, want, lmdbacl_addr_len(family));
}

 /*
  * expect_wild - a wildcard key for the subdomains of parent.
  */
static void expect_wild(const char *raw, const char *parent)
{
    LMDBACL_KEY key;

    parse_ok(raw, &key);
    ck_assert_int_eq(key.kind, LMDBACL_KIND_WILD);
    ck_assert_str_eq(key.text, parent);
    ck_assert_int_eq(key.is_net, 0);
}

 /*
  * suggests - does the message propose text, apart from quoting the key?
  */
static int suggests(const char *why, const char *raw, const char *text)
{
    char    copy[LMDBACL_ERR_SIZE];
    char   *cp;
    size_t  rlen = strlen(raw);

    snprintf(copy, sizeof(copy), "%s", why);
    if ((cp = strstr(copy, raw)) != 0)
	memset(cp, '#', rlen);
    return (strstr(copy, text) != 0);
}

/* Plain keys: exactly what they mean in a hash: table. */

START_TEST(domain_key_is_exact)
{
    expect_exact("example.com", "example.com");
    expect_exact("com", "com");
}
END_TEST

START_TEST(key_is_folded_to_lower_case)
{
    expect_exact("Mail.EXAMPLE.Com", "mail.example.com");
    expect_wild("*.EXAMPLE.com", "example.com");
    expect_cidr("2001:DB8::/32", "2001:db8::/32", LMDBACL_AF_INET6, 32,
		"2001:db8::");
}
END_TEST

START_TEST(fold_changes_ascii_letters_only)
{
    char    text[] = "AZaz09-_.@\xc3\x9c\xc3\xbc";

    lmdbacl_fold(text);
    ck_assert_str_eq(text, "azaz09-_.@\xc3\x9c\xc3\xbc");
}
END_TEST

START_TEST(user_at_domain_key_is_exact)
{
    expect_exact("User@Example.com", "user@example.com");
}
END_TEST

START_TEST(user_at_key_is_exact)
{
    expect_exact("postmaster@", "postmaster@");
}
END_TEST

START_TEST(null_sender_key_is_exact)
{
    expect_exact("<>", "<>");
}
END_TEST

START_TEST(quoted_key_keeps_its_quotes)
{
    /* postmap stores the key with its quotes and backslashes. */
    expect_exact("\"A B\"", "\"a b\"");
    expect_exact("a\\ b", "a\\ b");
}
END_TEST

START_TEST(utf8_domain_key_is_exact_and_fully_case_folded)
{
    /* As Postfix's casefold() with smtputf8_enable = yes: U+00DC -> U+00FC. */
    expect_exact("B\xc3\x9c" "cher.example", "b\xc3\xbc" "cher.example");
    /* Near miss: folding is not transliteration. */
    expect_exact("b\xc3\xbc" "cher.example", "b\xc3\xbc" "cher.example");
}
END_TEST

START_TEST(utf8_sharp_s_folds_to_ss)
{
    expect_exact("stra\xc3\x9f" "e.example", "strasse.example");
    expect_exact("strase.example", "strase.example");
}
END_TEST

START_TEST(ipv4_address_key_is_exact_and_a_host_network)
{
    expect_net_exact("192.0.2.10", "192.0.2.10", LMDBACL_AF_INET, 32,
		     "192.0.2.10");
}
END_TEST

START_TEST(truncated_ipv4_three_labels_is_slash_24)
{
    expect_net_exact("192.0.2", "192.0.2", LMDBACL_AF_INET, 24, "192.0.2.0");
}
END_TEST

START_TEST(truncated_ipv4_two_labels_is_slash_16)
{
    expect_net_exact("192.0", "192.0", LMDBACL_AF_INET, 16, "192.0.0.0");
}
END_TEST

START_TEST(truncated_ipv4_one_label_is_slash_8)
{
    expect_net_exact("192", "192", LMDBACL_AF_INET, 8, "192.0.0.0");
}
END_TEST

START_TEST(numeric_keys_smtpd_never_sends_are_not_networks)
{
    /* smtpd writes labels as inet_ntop does: no leading zero, <= 255. */
    expect_exact("192.01", "192.01");
    expect_exact("192.0.256", "192.0.256");
    expect_exact("1000", "1000");
    expect_exact("192.0.2.", "192.0.2.");
}
END_TEST

START_TEST(ipv6_address_key_is_exact_and_a_host_network)
{
    expect_net_exact("2001:DB8::1", "2001:db8::1", LMDBACL_AF_INET6, 128,
		     "2001:db8::1");
}
END_TEST

START_TEST(truncated_ipv6_key_is_network_of_whole_groups)
{
    expect_net_exact("2001:db8:1:2", "2001:db8:1:2", LMDBACL_AF_INET6, 64,
		     "2001:db8:1:2::");
    expect_net_exact("2001:db8", "2001:db8", LMDBACL_AF_INET6, 32,
		     "2001:db8::");
}
END_TEST

START_TEST(malformed_truncated_ipv6_is_not_a_network)
{
    expect_exact("2001:db8:", "2001:db8:");
    expect_exact("2001:db8:12345", "2001:db8:12345");
}
END_TEST

START_TEST(address_literal_key_is_exact_only)
{
    expect_exact("[192.0.2.10]", "[192.0.2.10]");
}
END_TEST

/* Wildcards. */

START_TEST(star_dot_key_is_wildcard_of_parent)
{
    expect_wild("*.example.com", "example.com");
    expect_wild("*.com", "com");
}
END_TEST

START_TEST(leading_dot_key_is_wildcard_synonym)
{
    LMDBACL_KEY star;
    LMDBACL_KEY dot;

    expect_wild(".example.com", "example.com");
    parse_ok("*.example.com", &star);
    parse_ok(".Example.com", &dot);
    ck_assert_int_eq(dot.kind, star.kind);
    ck_assert_str_eq(dot.text, star.text);
}
END_TEST

START_TEST(wildcard_parent_of_every_length_is_kept_intact)
{
    char    raw[LMDBACL_KEY_MAX + 1];
    char    want[LMDBACL_KEY_MAX + 1];
    LMDBACL_KEY key;
    size_t  n;
    size_t  i;
    int     form;

    for (form = 0; form < 2; form++) {
	const char *prefix = form ? "." : "*.";
	size_t  plen = strlen(prefix);

	for (n = 1; n + plen <= LMDBACL_KEY_MAX; n++) {
	    for (i = 0; i < n; i++)
		want[i] = 'a' + (i * 7) % 26;
	    want[n] = 0;
	    memcpy(raw, prefix, plen);
	    memcpy(raw + plen, want, n + 1);
	    parse_ok(raw, &key);
	    ck_assert_int_eq(key.kind, LMDBACL_KIND_WILD);
	    ck_assert_msg(strcmp(key.text, want) == 0, "\"%s\" + %zu-byte"
			  " parent: got \"%.40s...\", want \"%.40s...\"",
			  prefix, n, key.text, want);
	}
    }
}
END_TEST

START_TEST(wildcard_with_trailing_dot_is_error)
{
    char    why[LMDBACL_ERR_SIZE];

    parse_bad("*.example.com.", why, sizeof(why));
    ck_assert_ptr_nonnull(strstr(why, "trailing dot"));
    parse_bad(".example.com.", why, sizeof(why));
}
END_TEST

START_TEST(star_in_a_later_label_is_error_saying_what_to_write)
{
    char    why[LMDBACL_ERR_SIZE];

    parse_bad("mail.*.example.com", why, sizeof(why));
    ck_assert_ptr_nonnull(strstr(why, "*.example.com"));
    parse_bad("example.*", why, sizeof(why));
    ck_assert_ptr_nonnull(strstr(why, "first label"));
}
END_TEST

START_TEST(star_glued_to_label_is_error)
{
    char    why[LMDBACL_ERR_SIZE];

    parse_bad("*example.com", why, sizeof(why));
    ck_assert_ptr_nonnull(strstr(why, "*.example.com"));
    parse_bad("mail*.example.com", why, sizeof(why));
    parse_bad("**.example.com", why, sizeof(why));
}
END_TEST

START_TEST(star_alone_or_without_parent_is_error)
{
    char    why[LMDBACL_ERR_SIZE];

    parse_bad("*", why, sizeof(why));
    parse_bad("*.", why, sizeof(why));
    parse_bad(".", why, sizeof(why));
    parse_bad("*..example.com", why, sizeof(why));
    parse_bad("..example.com", why, sizeof(why));
}
END_TEST

START_TEST(two_stars_are_error)
{
    char    why[LMDBACL_ERR_SIZE];

    parse_bad("*.*.example.com", why, sizeof(why));
    ck_assert_ptr_nonnull(strstr(why, "first label"));
    parse_bad(".*.example.com", why, sizeof(why));
}
END_TEST

START_TEST(leading_at_is_error_saying_write_the_domain)
{
    char    why[LMDBACL_ERR_SIZE];

    parse_bad("@Lists.Example.org", why, sizeof(why));
    ck_assert_msg(suggests(why, "@Lists.Example.org", "lists.example.org"),
		  "message does not say to write lists.example.org: %s", why);
    parse_bad("@", why, sizeof(why));
}
END_TEST

START_TEST(star_at_domain_is_error_saying_what_to_write)
{
    char    why[LMDBACL_ERR_SIZE];

    parse_bad("*@Lists.Example.org", why, sizeof(why));
    ck_assert_msg(suggests(why, "*@Lists.Example.org", "lists.example.org"),
		  "message does not say to write lists.example.org: %s", why);
    ck_assert_msg(suggests(why, "*@Lists.Example.org", "*.lists.example.org"),
		  "message does not offer *.lists.example.org: %s", why);
}
END_TEST

START_TEST(wildcard_with_at_is_error)
{
    char    why[LMDBACL_ERR_SIZE];

    parse_bad("*.user@example.com", why, sizeof(why));
    ck_assert_ptr_nonnull(strstr(why, "'@'"));
    parse_bad(".user@example.com", why, sizeof(why));
    ck_assert_ptr_nonnull(strstr(why, "'@'"));
}
END_TEST

START_TEST(star_in_local_part_is_error)
{
    char    why[LMDBACL_ERR_SIZE];

    parse_bad("user*@example.com", why, sizeof(why));
    parse_bad("user@*.example.com", why, sizeof(why));
}
END_TEST

/* Networks. */

START_TEST(cidr_ipv4_key_is_network)
{
    expect_cidr("192.0.2.0/24", "192.0.2.0/24", LMDBACL_AF_INET, 24,
		"192.0.2.0");
    expect_cidr("192.0.2.128/25", "192.0.2.128/25", LMDBACL_AF_INET, 25,
		"192.0.2.128");
    expect_cidr("192.0.2.10/32", "192.0.2.10/32", LMDBACL_AF_INET, 32,
		"192.0.2.10");
}
END_TEST

START_TEST(cidr_zero_length_prefix_is_everything)
{
    expect_cidr("0.0.0.0/0", "0.0.0.0/0", LMDBACL_AF_INET, 0, "0.0.0.0");
    expect_cidr("::/0", "::/0", LMDBACL_AF_INET6, 0, "::");
}
END_TEST

START_TEST(cidr_ipv6_key_is_stored_canonically)
{
    expect_cidr("2001:db8::/32", "2001:db8::/32", LMDBACL_AF_INET6, 32,
		"2001:db8::");
    expect_cidr("2001:0DB8:0000:0000::/64", "2001:db8::/64",
		LMDBACL_AF_INET6, 64, "2001:db8::");
}
END_TEST

START_TEST(cidr_ipv6_bracketed_key_is_network)
{
    expect_cidr("[2001:db8::]/32", "2001:db8::/32", LMDBACL_AF_INET6, 32,
		"2001:db8::");
}
END_TEST

START_TEST(cidr_host_bits_set_is_error)
{
    char    why[LMDBACL_ERR_SIZE];

    parse_bad("192.0.2.1/24", why, sizeof(why));
    ck_assert_ptr_nonnull(strstr(why, "host bits"));
    ck_assert_ptr_nonnull(strstr(why, "write 192.0.2.0/24"));
    parse_bad("192.0.2.128/24", why, sizeof(why));
    ck_assert_ptr_nonnull(strstr(why, "write 192.0.2.0/24"));
}
END_TEST

START_TEST(cidr_ipv6_host_bits_set_is_error)
{
    char    why[LMDBACL_ERR_SIZE];

    parse_bad("2001:db8::1/32", why, sizeof(why));
    ck_assert_ptr_nonnull(strstr(why, "write 2001:db8::/32"));
    parse_bad("[2001:db9::]/31", why, sizeof(why));
    ck_assert_ptr_nonnull(strstr(why, "write 2001:db8::/31"));
}
END_TEST

START_TEST(cidr_prefix_longer_than_address_is_error)
{
    char    why[LMDBACL_ERR_SIZE];

    parse_bad("192.0.2.0/33", why, sizeof(why));
    ck_assert_ptr_nonnull(strstr(why, "prefix length"));
    parse_bad("2001:db8::/129", why, sizeof(why));
    ck_assert_ptr_nonnull(strstr(why, "prefix length"));
    expect_cidr("2001:db8::1/128", "2001:db8::1/128", LMDBACL_AF_INET6, 128,
		"2001:db8::1");
}
END_TEST

START_TEST(cidr_bad_prefix_length_is_error)
{
    char    why[LMDBACL_ERR_SIZE];

    parse_bad("192.0.2.0/", why, sizeof(why));
    parse_bad("192.0.2.0/2x", why, sizeof(why));
    parse_bad("192.0.2.0/-1", why, sizeof(why));
    parse_bad("192.0.2.0/0024", why, sizeof(why));
    parse_bad("192.0.2.0/24/24", why, sizeof(why));
}
END_TEST

START_TEST(cidr_of_non_address_is_error_saying_what_to_write)
{
    char    why[LMDBACL_ERR_SIZE];

    parse_bad("example.com/24", why, sizeof(why));
    ck_assert_ptr_nonnull(strstr(why, "192.0.2.0/24"));
    /* smtpd's truncated form is no network address. */
    parse_bad("192.0.2/24", why, sizeof(why));
    parse_bad("/24", why, sizeof(why));
}
END_TEST

START_TEST(cidr_with_scope_is_error)
{
    char    why[LMDBACL_ERR_SIZE];

    parse_bad("fe80::%eth0/64", why, sizeof(why));
}
END_TEST

START_TEST(slash_in_address_key_is_exact)
{
    /* RFC 5321 local parts may contain '/': not a network. */
    expect_exact("a/b@example.com", "a/b@example.com");
}
END_TEST

/* Length. */

START_TEST(key_of_the_limit_is_accepted)
{
    char    raw[LMDBACL_KEY_MAX + 1];
    LMDBACL_KEY key;

    memset(raw, 'a', LMDBACL_KEY_MAX);
    raw[LMDBACL_KEY_MAX] = 0;
    parse_ok(raw, &key);
    ck_assert_int_eq(key.kind, LMDBACL_KIND_EXACT);
    ck_assert_uint_eq(strlen(key.text), LMDBACL_KEY_MAX);
}
END_TEST

START_TEST(key_longer_than_limit_is_error)
{
    char    raw[LMDBACL_KEY_MAX + 2];
    char    why[LMDBACL_ERR_SIZE];
    char    limit[32];

    memset(raw, 'a', LMDBACL_KEY_MAX + 1);
    raw[LMDBACL_KEY_MAX + 1] = 0;
    parse_bad(raw, why, sizeof(why));
    snprintf(limit, sizeof(limit), "%d", LMDBACL_KEY_MAX);
    ck_assert_ptr_nonnull(strstr(why, limit));
}
END_TEST

START_TEST(wildcard_longer_than_limit_is_error)
{
    char    raw[LMDBACL_KEY_MAX + 2];
    char    why[LMDBACL_ERR_SIZE];

    memset(raw, 'a', LMDBACL_KEY_MAX + 1);
    raw[0] = '*';
    raw[1] = '.';
    raw[LMDBACL_KEY_MAX + 1] = 0;
    parse_bad(raw, why, sizeof(why));
}
END_TEST

START_TEST(empty_key_is_error)
{
    char    why[LMDBACL_ERR_SIZE];

    parse_bad("", why, sizeof(why));
}
END_TEST

START_TEST(error_message_is_cut_to_the_buffer)
{
    LMDBACL_KEY key;
    char    why[16];

    memset(why, 'x', sizeof(why));
    ck_assert_int_eq(lmdbacl_key_parse("*@example.com", &key, why,
				       sizeof(why)), LMDBACL_ESYNTAX);
    ck_assert_uint_eq(strlen(why), sizeof(why) - 1);
}
END_TEST

START_TEST(parse_resets_previous_key)
{
    LMDBACL_KEY key;

    parse_ok("192.0.2.0/24", &key);
    parse_ok("example.com", &key);
    ck_assert_int_eq(key.kind, LMDBACL_KIND_EXACT);
    ck_assert_int_eq(key.is_net, 0);
    ck_assert_int_eq(key.family, 0);
    ck_assert_int_eq(key.plen, 0);
}
END_TEST

static Suite *key_suite(void)
{
    Suite  *s = suite_create("lmdbacl_key");

    UNIT_ADD(s, domain_key_is_exact);
    UNIT_ADD(s, key_is_folded_to_lower_case);
    UNIT_ADD(s, fold_changes_ascii_letters_only);
    UNIT_ADD(s, user_at_domain_key_is_exact);
    UNIT_ADD(s, user_at_key_is_exact);
    UNIT_ADD(s, null_sender_key_is_exact);
    UNIT_ADD(s, quoted_key_keeps_its_quotes);
    UNIT_ADD(s, utf8_domain_key_is_exact_and_fully_case_folded);
    UNIT_ADD(s, utf8_sharp_s_folds_to_ss);
    UNIT_ADD(s, ipv4_address_key_is_exact_and_a_host_network);
    UNIT_ADD(s, truncated_ipv4_three_labels_is_slash_24);
    UNIT_ADD(s, truncated_ipv4_two_labels_is_slash_16);
    UNIT_ADD(s, truncated_ipv4_one_label_is_slash_8);
    UNIT_ADD(s, numeric_keys_smtpd_never_sends_are_not_networks);
    UNIT_ADD(s, ipv6_address_key_is_exact_and_a_host_network);
    UNIT_ADD(s, truncated_ipv6_key_is_network_of_whole_groups);
    UNIT_ADD(s, malformed_truncated_ipv6_is_not_a_network);
    UNIT_ADD(s, address_literal_key_is_exact_only);
    UNIT_ADD(s, star_dot_key_is_wildcard_of_parent);
    UNIT_ADD(s, leading_dot_key_is_wildcard_synonym);
    UNIT_ADD(s, wildcard_parent_of_every_length_is_kept_intact);
    UNIT_ADD(s, wildcard_with_trailing_dot_is_error);
    UNIT_ADD(s, star_in_a_later_label_is_error_saying_what_to_write);
    UNIT_ADD(s, star_glued_to_label_is_error);
    UNIT_ADD(s, star_alone_or_without_parent_is_error);
    UNIT_ADD(s, two_stars_are_error);
    UNIT_ADD(s, leading_at_is_error_saying_write_the_domain);
    UNIT_ADD(s, star_at_domain_is_error_saying_what_to_write);
    UNIT_ADD(s, wildcard_with_at_is_error);
    UNIT_ADD(s, star_in_local_part_is_error);
    UNIT_ADD(s, cidr_ipv4_key_is_network);
    UNIT_ADD(s, cidr_zero_length_prefix_is_everything);
    UNIT_ADD(s, cidr_ipv6_key_is_stored_canonically);
    UNIT_ADD(s, cidr_ipv6_bracketed_key_is_network);
    UNIT_ADD(s, cidr_host_bits_set_is_error);
    UNIT_ADD(s, cidr_ipv6_host_bits_set_is_error);
    UNIT_ADD(s, cidr_prefix_longer_than_address_is_error);
    UNIT_ADD(s, cidr_bad_prefix_length_is_error);
    UNIT_ADD(s, cidr_of_non_address_is_error_saying_what_to_write);
    UNIT_ADD(s, cidr_with_scope_is_error);
    UNIT_ADD(s, slash_in_address_key_is_exact);
    UNIT_ADD(s, key_of_the_limit_is_accepted);
    UNIT_ADD(s, key_longer_than_limit_is_error);
    UNIT_ADD(s, wildcard_longer_than_limit_is_error);
    UNIT_ADD(s, empty_key_is_error);
    UNIT_ADD(s, error_message_is_cut_to_the_buffer);
    UNIT_ADD(s, parse_resets_previous_key);
    return (s);
}

int     main(void)
{
    return (unit_run(key_suite()));
}
