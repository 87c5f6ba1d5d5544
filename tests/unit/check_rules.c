/*++
/* NAME
/*	check_rules 1t
/* SUMMARY
/*	unit tests for lmdbacl_rules.c
/* SYNOPSIS
/*	check_rules
/* DESCRIPTION
/*	Pins the in-memory rule set: duplicates keep the first value (as
/*	postmap does) or replace it (postmap -r, updates), "*.x" and ".x"
/*	are one key, a kind is part of the key, deletes, and the storage
/*	order that makes builds independent of the order of lines.
/* LICENSE
/* .ad
/* .fi
/*	See the COPYING file in the top-level directory.
/*--*/

#include "unit.h"

 /*
  * key_of - parse a key that must be valid.
  */
static LMDBACL_KEY *key_of(const char *raw)
{
    static LMDBACL_KEY keys[8];
    static int next;
    LMDBACL_KEY *key = keys + (next++ % 8);
    char    why[LMDBACL_ERR_SIZE];

    ck_assert_msg(lmdbacl_key_parse(raw, key, why, sizeof(why)) == LMDBACL_OK,
		  "\"%s\": %s", raw, why);
    return (key);
}

 /*
  * add - add a rule that must be new.
  */
static void add(LMDBACL_RULES *rules, const char *raw, const char *value,
		        unsigned line)
{
    ck_assert_int_eq(lmdbacl_rules_add(rules, key_of(raw), value, line,
				       LMDBACL_ADD_KEEP, 0), LMDBACL_OK);
}

 /*
  * Walk order capture.
  */
typedef struct ORDER {
    char    text[4096];
    int     visits;
    int     stop_after;			/* 0: never */
} ORDER;

static int order_fn(void *ctx, const LMDBACL_RULE *rule)
{
    ORDER  *o = ctx;
    size_t  len = strlen(o->text);

    snprintf(o->text + len, sizeof(o->text) - len, "%s%c:%s",
	     len ? " " : "", rule->kind == LMDBACL_KIND_NET ? 'C' :
	     rule->kind == LMDBACL_KIND_EXACT ? 'E' : 'W', rule->key);
    o->visits++;
    return (o->stop_after && o->visits >= o->stop_after ? 42 : 0);
}

START_TEST(new_rule_set_is_empty)
{
    LMDBACL_RULES *rules = lmdbacl_rules_create();
    ORDER   o;

    ck_assert_ptr_nonnull(rules);
    ck_assert_uint_eq(lmdbacl_rules_count(rules), 0);
    memset(&o, 0, sizeof(o));
    ck_assert_int_eq(lmdbacl_rules_walk(rules, order_fn, &o), 0);
    ck_assert_int_eq(o.visits, 0);
    lmdbacl_rules_free(rules);
}
END_TEST

START_TEST(free_of_null_is_harmless)
{
    lmdbacl_rules_free(0);
    /* Still alive: a real free must work after it. */
    lmdbacl_rules_free(lmdbacl_rules_create());
}
END_TEST

START_TEST(added_rule_keeps_key_value_line_and_network)
{
    LMDBACL_RULES *rules = lmdbacl_rules_create();
    const LMDBACL_RULE *r;
    static const unsigned char net[4] = {192, 0, 2, 0};

    add(rules, "192.0.2.0/24", "REJECT no", 7);
    ck_assert_uint_eq(lmdbacl_rules_count(rules), 1);
    r = unit_find(rules, LMDBACL_KIND_NET, "192.0.2.0/24");
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(r->value, "REJECT no");
    ck_assert_uint_eq(r->line, 7);
    ck_assert_int_eq(r->is_net, 1);
    ck_assert_int_eq(r->family, LMDBACL_AF_INET);
    ck_assert_int_eq(r->plen, 24);
    ck_assert_mem_eq(r->addr, net, 4);
    lmdbacl_rules_free(rules);
}
END_TEST

START_TEST(rule_copies_key_and_value)
{
    LMDBACL_RULES *rules = lmdbacl_rules_create();
    LMDBACL_KEY key;
    char    why[LMDBACL_ERR_SIZE];
    char    value[] = "OK";
    const LMDBACL_RULE *r;

    ck_assert_int_eq(lmdbacl_key_parse("example.com", &key, why, sizeof(why)),
		     LMDBACL_OK);
    ck_assert_int_eq(lmdbacl_rules_add(rules, &key, value, 1,
				       LMDBACL_ADD_KEEP, 0), LMDBACL_OK);
    strcpy(key.text, "changed.org");
    strcpy(value, "NO");
    r = unit_find(rules, LMDBACL_KIND_EXACT, "example.com");
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(r->value, "OK");
    ck_assert_ptr_null(unit_find(rules, LMDBACL_KIND_EXACT, "changed.org"));
    lmdbacl_rules_free(rules);
}
END_TEST

START_TEST(duplicate_keeps_first_value_and_reports_first_line)
{
    LMDBACL_RULES *rules = lmdbacl_rules_create();
    const LMDBACL_RULE *r;
    unsigned first = 0;

    add(rules, "example.com", "OK", 3);
    ck_assert_int_eq(lmdbacl_rules_add(rules, key_of("example.com"), "REJECT",
				       9, LMDBACL_ADD_KEEP, &first),
		     LMDBACL_DUP);
    ck_assert_uint_eq(first, 3);
    ck_assert_uint_eq(lmdbacl_rules_count(rules), 1);
    r = unit_find(rules, LMDBACL_KIND_EXACT, "example.com");
    ck_assert_str_eq(r->value, "OK");
    ck_assert_uint_eq(r->line, 3);
    lmdbacl_rules_free(rules);
}
END_TEST

START_TEST(duplicate_with_replace_takes_new_value_and_line)
{
    LMDBACL_RULES *rules = lmdbacl_rules_create();
    const LMDBACL_RULE *r;
    unsigned first = 0;

    add(rules, "example.com", "OK", 3);
    ck_assert_int_eq(lmdbacl_rules_add(rules, key_of("example.com"), "REJECT",
				       9, LMDBACL_ADD_REPLACE, &first),
		     LMDBACL_DUP);
    ck_assert_uint_eq(first, 3);
    ck_assert_uint_eq(lmdbacl_rules_count(rules), 1);
    r = unit_find(rules, LMDBACL_KIND_EXACT, "example.com");
    ck_assert_str_eq(r->value, "REJECT");
    ck_assert_uint_eq(r->line, 9);
    lmdbacl_rules_free(rules);
}
END_TEST

START_TEST(duplicate_after_folding_is_duplicate)
{
    LMDBACL_RULES *rules = lmdbacl_rules_create();

    add(rules, "Example.COM", "OK", 1);
    ck_assert_int_eq(lmdbacl_rules_add(rules, key_of("example.com"), "NO", 2,
				       LMDBACL_ADD_KEEP, 0), LMDBACL_DUP);
    ck_assert_uint_eq(lmdbacl_rules_count(rules), 1);
    lmdbacl_rules_free(rules);
}
END_TEST

START_TEST(dot_and_star_wildcards_are_one_key)
{
    LMDBACL_RULES *rules = lmdbacl_rules_create();
    unsigned first = 0;

    add(rules, ".example.com", "A", 4);
    ck_assert_int_eq(lmdbacl_rules_add(rules, key_of("*.example.com"), "B", 5,
				       LMDBACL_ADD_KEEP, &first), LMDBACL_DUP);
    ck_assert_uint_eq(first, 4);
    ck_assert_str_eq(unit_find(rules, LMDBACL_KIND_WILD, "example.com")->value, "A");
    lmdbacl_rules_free(rules);
}
END_TEST

START_TEST(same_text_of_different_kinds_are_two_rules)
{
    LMDBACL_RULES *rules = lmdbacl_rules_create();

    add(rules, "example.com", "EXACT", 1);
    add(rules, "*.example.com", "WILD", 2);
    ck_assert_uint_eq(lmdbacl_rules_count(rules), 2);
    ck_assert_str_eq(unit_find(rules, LMDBACL_KIND_EXACT, "example.com")->value,
		     "EXACT");
    ck_assert_str_eq(unit_find(rules, LMDBACL_KIND_WILD, "example.com")->value,
		     "WILD");
    lmdbacl_rules_free(rules);
}
END_TEST

START_TEST(same_network_in_two_spellings_are_two_rules_here)
{
    LMDBACL_RULES *rules = lmdbacl_rules_create();

    /* The build, not the rule set, merges 192.0.2 and 192.0.2.0/24. */
    add(rules, "192.0.2", "A", 1);
    add(rules, "192.0.2.0/24", "B", 2);
    ck_assert_uint_eq(lmdbacl_rules_count(rules), 2);
    lmdbacl_rules_free(rules);
}
END_TEST

START_TEST(delete_removes_rule_once)
{
    LMDBACL_RULES *rules = lmdbacl_rules_create();

    add(rules, "example.com", "OK", 1);
    add(rules, "example.org", "OK", 2);
    ck_assert_int_eq(lmdbacl_rules_delete(rules, key_of("example.com")),
		     LMDBACL_OK);
    ck_assert_uint_eq(lmdbacl_rules_count(rules), 1);
    ck_assert_ptr_null(unit_find(rules, LMDBACL_KIND_EXACT, "example.com"));
    ck_assert_ptr_nonnull(unit_find(rules, LMDBACL_KIND_EXACT, "example.org"));
    ck_assert_int_eq(lmdbacl_rules_delete(rules, key_of("example.com")),
		     LMDBACL_NOTFOUND);
    ck_assert_uint_eq(lmdbacl_rules_count(rules), 1);
    lmdbacl_rules_free(rules);
}
END_TEST

START_TEST(delete_of_missing_key_is_notfound)
{
    LMDBACL_RULES *rules = lmdbacl_rules_create();

    ck_assert_int_eq(lmdbacl_rules_delete(rules, key_of("example.com")),
		     LMDBACL_NOTFOUND);
    add(rules, "example.com", "OK", 1);
    /* Same text, other kind. */
    ck_assert_int_eq(lmdbacl_rules_delete(rules, key_of("*.example.com")),
		     LMDBACL_NOTFOUND);
    ck_assert_uint_eq(lmdbacl_rules_count(rules), 1);
    lmdbacl_rules_free(rules);
}
END_TEST

START_TEST(add_after_delete_is_new_rule)
{
    LMDBACL_RULES *rules = lmdbacl_rules_create();
    const LMDBACL_RULE *r;

    add(rules, "example.com", "OLD", 1);
    ck_assert_int_eq(lmdbacl_rules_delete(rules, key_of("example.com")),
		     LMDBACL_OK);
    add(rules, "example.com", "NEW", 8);
    ck_assert_uint_eq(lmdbacl_rules_count(rules), 1);
    r = unit_find(rules, LMDBACL_KIND_EXACT, "example.com");
    ck_assert_str_eq(r->value, "NEW");
    ck_assert_uint_eq(r->line, 8);
    lmdbacl_rules_free(rules);
}
END_TEST

START_TEST(walk_order_is_networks_exact_wildcards_sorted)
{
    LMDBACL_RULES *rules = lmdbacl_rules_create();
    ORDER   o;

    add(rules, "*.b.example", "1", 1);
    add(rules, "b.example", "2", 2);
    add(rules, "192.0.2.0/24", "3", 3);
    add(rules, "*.a.example", "4", 4);
    add(rules, "a.example", "5", 5);
    add(rules, "10.0.0.0/8", "6", 6);
    memset(&o, 0, sizeof(o));
    ck_assert_int_eq(lmdbacl_rules_walk(rules, order_fn, &o), 0);
    ck_assert_str_eq(o.text, "C:10.0.0.0/8 C:192.0.2.0/24 E:a.example"
		     " E:b.example W:a.example W:b.example");
    lmdbacl_rules_free(rules);
}
END_TEST

START_TEST(walk_order_does_not_depend_on_order_of_addition)
{
    static const char *keys[] = {
	"z.example", "*.m.example", "2001:db8::/32", "a.example", "192.0.2",
	"user@a.example", "*.a.example", "192.0.2.0/25",
    };
    LMDBACL_RULES *fwd = lmdbacl_rules_create();
    LMDBACL_RULES *rev = lmdbacl_rules_create();
    ORDER   of;
    ORDER   orv;
    size_t  i;
    size_t  n = sizeof(keys) / sizeof(keys[0]);

    for (i = 0; i < n; i++) {
	add(fwd, keys[i], "V", i + 1);
	add(rev, keys[n - 1 - i], "V", i + 1);
    }
    memset(&of, 0, sizeof(of));
    memset(&orv, 0, sizeof(orv));
    lmdbacl_rules_walk(fwd, order_fn, &of);
    lmdbacl_rules_walk(rev, order_fn, &orv);
    ck_assert_int_eq(of.visits, (int) n);
    ck_assert_str_eq(of.text, orv.text);
    lmdbacl_rules_free(fwd);
    lmdbacl_rules_free(rev);
}
END_TEST

START_TEST(walk_skips_deleted_rules)
{
    LMDBACL_RULES *rules = lmdbacl_rules_create();
    ORDER   o;

    add(rules, "a.example", "1", 1);
    add(rules, "b.example", "2", 2);
    add(rules, "c.example", "3", 3);
    lmdbacl_rules_delete(rules, key_of("b.example"));
    memset(&o, 0, sizeof(o));
    lmdbacl_rules_walk(rules, order_fn, &o);
    ck_assert_str_eq(o.text, "E:a.example E:c.example");
    lmdbacl_rules_free(rules);
}
END_TEST

START_TEST(walk_stops_at_first_non_zero_status)
{
    LMDBACL_RULES *rules = lmdbacl_rules_create();
    ORDER   o;

    add(rules, "a.example", "1", 1);
    add(rules, "b.example", "2", 2);
    add(rules, "c.example", "3", 3);
    memset(&o, 0, sizeof(o));
    o.stop_after = 2;
    ck_assert_int_eq(lmdbacl_rules_walk(rules, order_fn, &o), 42);
    ck_assert_int_eq(o.visits, 2);
    ck_assert_str_eq(o.text, "E:a.example E:b.example");
    lmdbacl_rules_free(rules);
}
END_TEST

START_TEST(sorted_array_matches_walk_and_count)
{
    LMDBACL_RULES *rules = lmdbacl_rules_create();
    const LMDBACL_RULE **order;
    size_t  n = 99;

    add(rules, "*.example", "W", 1);
    add(rules, "example", "E", 2);
    add(rules, "192.0.2.0/24", "C", 3);
    add(rules, "gone.example", "X", 4);
    lmdbacl_rules_delete(rules, key_of("gone.example"));
    order = lmdbacl_rules_sorted(rules, &n);
    ck_assert_ptr_nonnull(order);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(n, lmdbacl_rules_count(rules));
    ck_assert_str_eq(order[0]->value, "C");
    ck_assert_str_eq(order[1]->value, "E");
    ck_assert_str_eq(order[2]->value, "W");
    free(order);
    lmdbacl_rules_free(rules);
}
END_TEST

START_TEST(many_rules_survive_table_growth)
{
    LMDBACL_RULES *rules = lmdbacl_rules_create();
    char    raw[64];
    char    value[64];
    unsigned first;
    unsigned i;
    const unsigned n = 5000;

    for (i = 0; i < n; i++) {
	snprintf(raw, sizeof(raw), "host%u.example", i);
	snprintf(value, sizeof(value), "V%u", i);
	add(rules, raw, value, i + 1);
    }
    ck_assert_uint_eq(lmdbacl_rules_count(rules), n);
    for (i = 0; i < n; i += 7) {
	snprintf(raw, sizeof(raw), "host%u.example", i);
	first = 0;
	ck_assert_int_eq(lmdbacl_rules_add(rules, key_of(raw), "DUP", 0,
					   LMDBACL_ADD_KEEP, &first),
			 LMDBACL_DUP);
	ck_assert_uint_eq(first, i + 1);
    }
    ck_assert_str_eq(unit_find(rules, LMDBACL_KIND_EXACT, "host4999.example")->value,
		     "V4999");
    ck_assert_uint_eq(lmdbacl_rules_count(rules), n);
    lmdbacl_rules_free(rules);
}
END_TEST

START_TEST(find_returns_live_rule_of_kind_and_key)
{
    LMDBACL_RULES *rules = lmdbacl_rules_create();
    const LMDBACL_RULE *r;

    ck_assert_ptr_null(lmdbacl_rules_find(rules, LMDBACL_KIND_EXACT, "a"));
    add(rules, "example.com", "EXACT", 1);
    add(rules, "*.example.com", "WILD", 2);
    r = lmdbacl_rules_find(rules, LMDBACL_KIND_WILD, "example.com");
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(r->value, "WILD");
    r = lmdbacl_rules_find(rules, LMDBACL_KIND_EXACT, "example.com");
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(r->value, "EXACT");
    ck_assert_ptr_null(lmdbacl_rules_find(rules, LMDBACL_KIND_NET,
					  "example.com"));
    ck_assert_ptr_null(lmdbacl_rules_find(rules, LMDBACL_KIND_EXACT,
					  "example.org"));
    lmdbacl_rules_delete(rules, key_of("example.com"));
    ck_assert_ptr_null(lmdbacl_rules_find(rules, LMDBACL_KIND_EXACT,
					  "example.com"));
    lmdbacl_rules_free(rules);
}
END_TEST

 /*
  * Same-network reports, as "later-key<first-key" pairs.
  */
typedef struct SAME {
    char    text[1024];
    int     calls;
} SAME;

static void same_fn(void *ctx, const LMDBACL_RULE *later,
		            const LMDBACL_RULE *first)
{
    SAME   *s = ctx;
    size_t  len = strlen(s->text);

    snprintf(s->text + len, sizeof(s->text) - len, "%s%s<%s",
	     len ? " " : "", later->key, first->key);
    s->calls++;
}

START_TEST(same_nets_reports_each_later_spelling_against_lowest_line)
{
    LMDBACL_RULES *rules = lmdbacl_rules_create();
    SAME    same;

    add(rules, "192.0.2.0/24", "B", 7);
    add(rules, "192.0.2", "A", 3);
    add(rules, "192.0.2.10/32", "C", 9);
    add(rules, "192.0.2.10", "D", 12);
    memset(&same, 0, sizeof(same));
    ck_assert_int_eq(lmdbacl_rules_same_nets(rules, same_fn, &same), 2);
    ck_assert_int_eq(same.calls, 2);
    ck_assert_str_eq(same.text, "192.0.2.0/24<192.0.2 192.0.2.10<192.0.2.10/32");
    lmdbacl_rules_free(rules);
}
END_TEST

START_TEST(same_nets_ignores_other_lengths_families_and_non_networks)
{
    LMDBACL_RULES *rules = lmdbacl_rules_create();
    SAME    same;

    add(rules, "192.0.2", "A", 1);
    add(rules, "192.0.2.0/25", "B", 2);
    add(rules, "192.0.2.0/23", "C", 3);
    add(rules, "::/0", "D", 4);
    add(rules, "0.0.0.0/0", "E", 5);
    add(rules, "example.com", "F", 6);
    add(rules, "*.example.com", "G", 7);
    memset(&same, 0, sizeof(same));
    ck_assert_int_eq(lmdbacl_rules_same_nets(rules, same_fn, &same), 0);
    ck_assert_int_eq(same.calls, 0);
    lmdbacl_rules_free(rules);
}
END_TEST

START_TEST(same_nets_compares_canonical_networks)
{
    LMDBACL_RULES *rules = lmdbacl_rules_create();
    SAME    same;

    add(rules, "2001:db8:0:0:0:0:0:0/32", "X", 8);
    add(rules, "2001:db8", "Y", 4);
    /* "2001:db8:0:0:0:0:0:0/32" and "2001:db8::/32" are one key. */
    ck_assert_int_eq(lmdbacl_rules_add(rules, key_of("2001:db8::/32"), "Z", 6,
				       LMDBACL_ADD_KEEP, 0), LMDBACL_DUP);
    memset(&same, 0, sizeof(same));
    ck_assert_uint_eq(lmdbacl_rules_count(rules), 2);
    ck_assert_int_eq(lmdbacl_rules_same_nets(rules, same_fn, &same), 1);
    ck_assert_str_eq(same.text, "2001:db8::/32<2001:db8");
    ck_assert_str_eq(unit_find(rules, LMDBACL_KIND_NET, "2001:db8::/32")->value,
		     "X");
    lmdbacl_rules_free(rules);
}
END_TEST

 /*
  * dup_line - settle callback: the line of the last duplicate seen.
  */
static void dup_line(void *ctx, const LMDBACL_RULE *later, const char *raw,
		             const LMDBACL_RULE *kept)
{
    (void) raw;
    (void) kept;
    *(unsigned *) ctx = later->line;
}

START_TEST(merge_appends_part_after_rules_with_lines_renumbered)
{
    LMDBACL_RULES *rules = lmdbacl_rules_create();
    LMDBACL_RULES *part = lmdbacl_rules_create();
    const LMDBACL_RULE *r;
    unsigned line = 0;

    /*
     * A bulk read of two halves: the part counts lines from its start,
     * and a key in both is a duplicate whose later copy is the part's.
     */
    ck_assert_int_eq(lmdbacl_rules_append(rules, key_of("a.example"), "A1",
					  3, 0), 0);
    ck_assert_int_eq(lmdbacl_rules_append(rules, key_of("b.example"), "B1",
					  7, 0), 0);
    ck_assert_int_eq(lmdbacl_rules_append(part, key_of("*.c.example"),
					  "C2", 2, 0), 0);
    ck_assert_int_eq(lmdbacl_rules_append(part, key_of("a.example"), "A2",
					  5, 0), 0);
    ck_assert_int_eq(lmdbacl_rules_merge(rules, part, 10), 0);
    ck_assert_uint_eq(lmdbacl_rules_count(rules), 4);
    ck_assert_uint_eq(lmdbacl_rules_count(part), 0);
    ck_assert_int_eq(lmdbacl_rules_settle(rules, LMDBACL_ADD_KEEP, dup_line,
					  &line), 0);
    ck_assert_uint_eq(line, 15);
    ck_assert_uint_eq(lmdbacl_rules_count(rules), 3);
    r = lmdbacl_rules_find(rules, LMDBACL_KIND_EXACT, "a.example");
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(r->value, "A1");
    ck_assert_uint_eq(r->line, 3);
    r = lmdbacl_rules_find(rules, LMDBACL_KIND_WILD, "c.example");
    ck_assert_ptr_nonnull(r);
    ck_assert_uint_eq(r->line, 12);
    lmdbacl_rules_free(part);
    lmdbacl_rules_free(rules);
}
END_TEST

START_TEST(merge_of_presorted_halves_is_in_storage_order)
{
    LMDBACL_RULES *rules = lmdbacl_rules_create();
    LMDBACL_RULES *part = lmdbacl_rules_create();
    const LMDBACL_RULE **sorted;
    size_t  n;
    unsigned line = 0;
    char    key[32];
    int     i;

    /*
     * Both halves sorted on their own, then merged: the walk is that of
     * one sort, with equal keys (x.example) in the order of addition.
     * Enough rules that the first half's slots move to make room.
     */
    for (i = 0; i < 300; i += 2) {
	snprintf(key, sizeof(key), "k%03d.example", i);
	ck_assert_int_eq(lmdbacl_rules_append(rules, key_of(key), "A",
					      i + 1, 0), 0);
    }
    ck_assert_int_eq(lmdbacl_rules_append(rules, key_of("x.example"), "A",
					  400, 0), 0);
    for (i = 1; i < 300; i += 2) {
	snprintf(key, sizeof(key), "k%03d.example", i);
	ck_assert_int_eq(lmdbacl_rules_append(part, key_of(key), "B",
					      i + 1, 0), 0);
    }
    ck_assert_int_eq(lmdbacl_rules_append(part, key_of("x.example"), "B",
					  1, 0), 0);
    ck_assert_int_eq(lmdbacl_rules_append(part, key_of("*.a.example"), "B",
					  2, 0), 0);
    ck_assert_int_eq(lmdbacl_rules_presort(rules), 0);
    ck_assert_int_eq(lmdbacl_rules_presort(part), 0);
    ck_assert_int_eq(lmdbacl_rules_merge(rules, part, 1000), 0);
    ck_assert_int_eq(lmdbacl_rules_settle(rules, LMDBACL_ADD_KEEP, dup_line,
					  &line), 0);
    ck_assert_uint_eq(line, 1001);
    ck_assert_uint_eq(lmdbacl_rules_count(rules), 302);
    ck_assert_str_eq(lmdbacl_rules_find(rules, LMDBACL_KIND_EXACT,
					"x.example")->value, "A");
    sorted = lmdbacl_rules_sorted(rules, &n);
    ck_assert_ptr_nonnull(sorted);
    ck_assert_uint_eq(n, 302);
    for (i = 1; i < (int) n; i++)
	ck_assert_msg(sorted[i - 1]->kind < sorted[i]->kind
		      || (sorted[i - 1]->kind == sorted[i]->kind
			  && strcmp(sorted[i - 1]->key, sorted[i]->key) < 0),
		      "%s before %s", sorted[i - 1]->key, sorted[i]->key);
    ck_assert_str_eq(sorted[0]->key, "k000.example");
    ck_assert_uint_eq(sorted[1]->line, 1002);	/* k001, from the part */
    ck_assert_str_eq(sorted[n - 1]->key, "a.example");
    free((void *) sorted);
    lmdbacl_rules_free(part);
    lmdbacl_rules_free(rules);
}
END_TEST

static Suite *rules_suite(void)
{
    Suite  *s = suite_create("lmdbacl_rules");

    UNIT_ADD(s, new_rule_set_is_empty);
    UNIT_ADD(s, free_of_null_is_harmless);
    UNIT_ADD(s, added_rule_keeps_key_value_line_and_network);
    UNIT_ADD(s, rule_copies_key_and_value);
    UNIT_ADD(s, duplicate_keeps_first_value_and_reports_first_line);
    UNIT_ADD(s, duplicate_with_replace_takes_new_value_and_line);
    UNIT_ADD(s, duplicate_after_folding_is_duplicate);
    UNIT_ADD(s, dot_and_star_wildcards_are_one_key);
    UNIT_ADD(s, same_text_of_different_kinds_are_two_rules);
    UNIT_ADD(s, same_network_in_two_spellings_are_two_rules_here);
    UNIT_ADD(s, delete_removes_rule_once);
    UNIT_ADD(s, delete_of_missing_key_is_notfound);
    UNIT_ADD(s, add_after_delete_is_new_rule);
    UNIT_ADD(s, walk_order_is_networks_exact_wildcards_sorted);
    UNIT_ADD(s, walk_order_does_not_depend_on_order_of_addition);
    UNIT_ADD(s, walk_skips_deleted_rules);
    UNIT_ADD(s, walk_stops_at_first_non_zero_status);
    UNIT_ADD(s, sorted_array_matches_walk_and_count);
    UNIT_ADD(s, many_rules_survive_table_growth);
    UNIT_ADD(s, find_returns_live_rule_of_kind_and_key);
    UNIT_ADD(s, same_nets_reports_each_later_spelling_against_lowest_line);
    UNIT_ADD(s, same_nets_ignores_other_lengths_families_and_non_networks);
    UNIT_ADD(s, same_nets_compares_canonical_networks);
    UNIT_ADD(s, merge_appends_part_after_rules_with_lines_renumbered);
    UNIT_ADD(s, merge_of_presorted_halves_is_in_storage_order);
    return (s);
}

int     main(void)
{
    return (unit_run(rules_suite()));
}
