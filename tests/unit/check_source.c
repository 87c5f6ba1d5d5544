/*++
/* NAME
/*	check_source 1t
/* SUMMARY
/*	unit tests for lmdbacl_source.c
/* SYNOPSIS
/*	check_source
/* DESCRIPTION
/*	Pins the access(5) source syntax of SPEC section 3, as postmap(1)
/*	reads it: comments, blank lines, continuation lines (also across
/*	comment and blank lines), quoted keys with backslash escapes, CR
/*	before LF, key folding but not value folding, UTF-8 validation,
/*	file:line of the first physical line in every diagnostic,
/*	duplicates (first wins, warning with both lines; ".x" and "*.x"
/*	are one key) and --strict.
/* LICENSE
/* .ad
/* .fi
/*	See the COPYING file in the top-level directory.
/*--*/

#include "unit.h"

 /*
  * A source read in a fresh directory.
  */
typedef struct READ {
    char   *dir;
    char   *path;				/* of the source file */
    LMDBACL_RULES *rules;
    UNIT_DIAGS diags;
    LMDBACL_ERR err;
    int     status;
} READ;

static READ *read_text(const char *text, int strict)
{
    READ   *r = calloc(1, sizeof(*r));

    ck_assert_ptr_nonnull(r);
    r->dir = unit_tmpdir();
    r->path = unit_join(r->dir, "source");
    r->rules = lmdbacl_rules_create();
    ck_assert_ptr_nonnull(r->rules);
    r->status = unit_read_source(r->dir, text, strict, r->rules, &r->diags,
				 &r->err);
    return (r);
}

static void read_free(READ *r)
{
    lmdbacl_rules_free(r->rules);
    free(r->path);
    free(r->dir);
    free(r);
}

 /*
  * value_of - the value of an exact key, which must exist.
  */
static const char *value_of(READ *r, const char *key)
{
    const LMDBACL_RULE *rule = unit_find(r->rules, LMDBACL_KIND_EXACT, key);

    ck_assert_msg(rule != 0, "no rule for \"%s\"", key);
    return (rule->value);
}

static unsigned line_of(READ *r, int kind, const char *key)
{
    const LMDBACL_RULE *rule = unit_find(r->rules, kind, key);

    ck_assert_msg(rule != 0, "no rule for \"%s\"", key);
    return (rule->line);
}

 /*
  * expect_clean - read succeeded with no diagnostic at all.
  */
static void expect_clean(READ *r, size_t count)
{
    ck_assert_msg(r->status == LMDBACL_OK, "status %d: %s (%s)", r->status,
		  r->err.msg, r->diags.count ? r->diags.d[0].msg : "");
    ck_assert_int_eq(r->diags.count, 0);
    ck_assert_uint_eq(lmdbacl_rules_count(r->rules), count);
}

 /*
  * expect_one_diag - exactly one diagnostic, of this severity and line,
  * naming the source file.
  */
static const char *expect_one_diag(READ *r, int severity, unsigned line)
{
    ck_assert_msg(r->diags.count == 1, "%d diagnostics, first: %s",
		  r->diags.count, r->diags.count ? r->diags.d[0].msg : "");
    ck_assert_int_eq(r->diags.d[0].severity, severity);
    ck_assert_uint_eq(r->diags.d[0].line, line);
    ck_assert_str_eq(r->diags.d[0].file, r->path);
    return (r->diags.d[0].msg);
}

/* Comments and blank lines. */

START_TEST(comment_lines_are_skipped)
{
    READ   *r = read_text("# first\nexample.com OK\n   # indented comment\n"
			  "#example.org OK\n", 0);

    expect_clean(r, 1);
    ck_assert_str_eq(value_of(r, "example.com"), "OK");
    ck_assert_uint_eq(line_of(r, LMDBACL_KIND_EXACT, "example.com"), 2);
    read_free(r);
}
END_TEST

START_TEST(hash_after_the_key_is_part_of_the_value)
{
    READ   *r = read_text("example.com OK # not a comment\n", 0);

    expect_clean(r, 1);
    ck_assert_str_eq(value_of(r, "example.com"), "OK # not a comment");
    read_free(r);
}
END_TEST

START_TEST(blank_lines_are_skipped_and_counted)
{
    READ   *r = read_text("\n\nexample.com OK\n \t \n\r\nexample.org NO\n", 0);

    expect_clean(r, 2);
    ck_assert_uint_eq(line_of(r, LMDBACL_KIND_EXACT, "example.com"), 3);
    ck_assert_uint_eq(line_of(r, LMDBACL_KIND_EXACT, "example.org"), 6);
    read_free(r);
}
END_TEST

START_TEST(last_line_without_newline_is_read)
{
    READ   *r = read_text("a.example OK\nb.example LAST", 0);

    expect_clean(r, 2);
    ck_assert_str_eq(value_of(r, "b.example"), "LAST");
    read_free(r);
}
END_TEST

START_TEST(empty_source_gives_no_rules)
{
    READ   *r = read_text("", 0);

    expect_clean(r, 0);
    read_free(r);
}
END_TEST

/* Continuation lines. */

START_TEST(continuation_line_continues_the_value)
{
    READ   *r = read_text("a.example REJECT\n  go away\n\tnow\nb.example OK\n",
			  0);

    expect_clean(r, 2);
    /* postmap keeps the whitespace that starts the continuation. */
    ck_assert_str_eq(value_of(r, "a.example"), "REJECT  go away\tnow");
    ck_assert_uint_eq(line_of(r, LMDBACL_KIND_EXACT, "a.example"), 1);
    ck_assert_uint_eq(line_of(r, LMDBACL_KIND_EXACT, "b.example"), 4);
    read_free(r);
}
END_TEST

START_TEST(continuation_line_may_carry_the_whole_value)
{
    READ   *r = read_text("a.example\n  OK\n", 0);

    expect_clean(r, 1);
    ck_assert_str_eq(value_of(r, "a.example"), "OK");
    read_free(r);
}
END_TEST

START_TEST(comment_and_blank_lines_do_not_end_an_entry)
{
    READ   *r = read_text("a.example REJECT\n# comment\n\n   \n  more text\n"
			  "b.example OK\n", 0);

    expect_clean(r, 2);
    ck_assert_str_eq(value_of(r, "a.example"), "REJECT  more text");
    ck_assert_uint_eq(line_of(r, LMDBACL_KIND_EXACT, "b.example"), 6);
    read_free(r);
}
END_TEST

START_TEST(unindented_line_starts_a_new_entry)
{
    READ   *r = read_text("a.example REJECT\ngo away\n", 0);

    ck_assert_uint_eq(lmdbacl_rules_count(r->rules), 2);
    ck_assert_str_eq(value_of(r, "a.example"), "REJECT");
    ck_assert_str_eq(value_of(r, "go"), "away");
    read_free(r);
}
END_TEST

START_TEST(continuation_without_an_entry_is_error)
{
    READ   *r = read_text("# header\n  lead OK\nx.example OK\n", 0);
    const char *msg;

    ck_assert_int_eq(r->status, LMDBACL_ESYNTAX);
    msg = expect_one_diag(r, LMDBACL_DIAG_ERROR, 2);
    ck_assert_ptr_nonnull(strstr(msg, "whitespace"));
    /* The bad line does not stop the good ones. */
    ck_assert_uint_eq(lmdbacl_rules_count(r->rules), 1);
    ck_assert_str_eq(value_of(r, "x.example"), "OK");
    read_free(r);
}
END_TEST

/* Quoting. */

START_TEST(quoted_key_may_contain_whitespace)
{
    READ   *r = read_text("\"A B\" OK\n", 0);

    expect_clean(r, 1);
    /* postmap keeps the quotes; folding still applies. */
    ck_assert_str_eq(value_of(r, "\"a b\""), "OK");
    read_free(r);
}
END_TEST

START_TEST(backslash_escapes_whitespace_in_key)
{
    READ   *r = read_text("a\\ b OK\n", 0);

    expect_clean(r, 1);
    ck_assert_str_eq(value_of(r, "a\\ b"), "OK");
    read_free(r);
}
END_TEST

START_TEST(backslash_escapes_quote_inside_quotes)
{
    READ   *r = read_text("\"x\\\" y\" VALUE\n", 0);

    expect_clean(r, 1);
    ck_assert_str_eq(value_of(r, "\"x\\\" y\""), "VALUE");
    read_free(r);
}
END_TEST

START_TEST(unbalanced_quote_is_error)
{
    READ   *r = read_text("ok.example OK\n\"a b OK\n", 0);
    const char *msg;

    ck_assert_int_eq(r->status, LMDBACL_ESYNTAX);
    msg = expect_one_diag(r, LMDBACL_DIAG_ERROR, 2);
    ck_assert_ptr_nonnull(strstr(msg, "unbalanced"));
    ck_assert_uint_eq(lmdbacl_rules_count(r->rules), 1);
    read_free(r);
}
END_TEST

/* Line ends, case, trimming. */

START_TEST(cr_before_lf_is_whitespace)
{
    READ   *r = read_text("a.example OK\r\nb.example\r\n  NO\r\n", 0);

    expect_clean(r, 2);
    ck_assert_str_eq(value_of(r, "a.example"), "OK");
    ck_assert_str_eq(value_of(r, "b.example"), "NO");
    read_free(r);
}
END_TEST

START_TEST(cr_after_key_alone_is_missing_value)
{
    READ   *r = read_text("a.example\r\n", 0);

    ck_assert_int_eq(r->status, LMDBACL_ESYNTAX);
    expect_one_diag(r, LMDBACL_DIAG_ERROR, 1);
    ck_assert_uint_eq(lmdbacl_rules_count(r->rules), 0);
    read_free(r);
}
END_TEST

START_TEST(keys_are_folded_values_are_not)
{
    READ   *r = read_text("Mail.Example.COM Reject Because\n"
			  "*.Sub.Example.COM Hold It\n", 0);
    const LMDBACL_RULE *w;

    expect_clean(r, 2);
    ck_assert_str_eq(value_of(r, "mail.example.com"), "Reject Because");
    w = unit_find(r->rules, LMDBACL_KIND_WILD, "sub.example.com");
    ck_assert_ptr_nonnull(w);
    ck_assert_str_eq(w->value, "Hold It");
    read_free(r);
}
END_TEST

START_TEST(value_is_trimmed_but_inner_whitespace_kept)
{
    READ   *r = read_text("example.com \t  REJECT  go   away \t \n", 0);

    expect_clean(r, 1);
    ck_assert_str_eq(value_of(r, "example.com"), "REJECT  go   away");
    read_free(r);
}
END_TEST

START_TEST(tab_separates_key_and_value)
{
    READ   *r = read_text("example.com\tOK\n", 0);

    expect_clean(r, 1);
    ck_assert_str_eq(value_of(r, "example.com"), "OK");
    read_free(r);
}
END_TEST

/* UTF-8 and NUL. */

START_TEST(valid_utf8_is_accepted)
{
    READ   *r = read_text("b\xc3\xbc" "cher.example OK \xe2\x9c\x93 \xf0\x9f\x93\xa7\n",
			  0);

    expect_clean(r, 1);
    ck_assert_str_eq(value_of(r, "b\xc3\xbc" "cher.example"),
		     "OK \xe2\x9c\x93 \xf0\x9f\x93\xa7");
    read_free(r);
}
END_TEST

START_TEST(latin1_key_is_rejected)
{
    READ   *r = read_text("ok.example OK\nb\xfc" "cher.example OK\n", 0);
    const char *msg;

    ck_assert_int_eq(r->status, LMDBACL_ESYNTAX);
    msg = expect_one_diag(r, LMDBACL_DIAG_ERROR, 2);
    ck_assert_ptr_nonnull(strstr(msg, "UTF-8"));
    ck_assert_uint_eq(lmdbacl_rules_count(r->rules), 1);
    read_free(r);
}
END_TEST

START_TEST(non_utf8_value_is_rejected)
{
    READ   *r = read_text("example.com OK\xff\n", 0);

    ck_assert_int_eq(r->status, LMDBACL_ESYNTAX);
    expect_one_diag(r, LMDBACL_DIAG_ERROR, 1);
    ck_assert_uint_eq(lmdbacl_rules_count(r->rules), 0);
    read_free(r);
}
END_TEST

START_TEST(malformed_utf8_sequences_are_rejected)
{
    /* Overlong, surrogate, above U+10FFFF, cut short, stray byte. */
    READ   *r = read_text("a.example \xc0\xaf\n"
			  "b.example \xed\xa0\x80\n"
			  "c.example \xf4\x90\x80\x80\n"
			  "d.example \xe2\x9c\n"
			  "e.example \x80\n"
			  "f.example \xe0\x80\xaf\n"
			  "good.example \xef\xbf\xbd\n", 0);
    int     i;

    ck_assert_int_eq(r->status, LMDBACL_ESYNTAX);
    ck_assert_int_eq(r->diags.count, 6);
    for (i = 0; i < 6; i++) {
	ck_assert_int_eq(r->diags.d[i].severity, LMDBACL_DIAG_ERROR);
	ck_assert_uint_eq(r->diags.d[i].line, i + 1);
    }
    ck_assert_uint_eq(lmdbacl_rules_count(r->rules), 1);
    ck_assert_str_eq(value_of(r, "good.example"), "\xef\xbf\xbd");
    read_free(r);
}
END_TEST

START_TEST(nul_byte_is_error)
{
    static const char text[] = "ok.example OK\nbad.example O\0K\n";
    char   *dir = unit_tmpdir();
    char   *src = unit_join(dir, "source");
    LMDBACL_RULES *rules = lmdbacl_rules_create();
    LMDBACL_SOURCE_OPTS opts;
    UNIT_DIAGS diags;
    LMDBACL_ERR err;

    unit_write(src, text, sizeof(text) - 1);
    memset(&opts, 0, sizeof(opts));
    memset(&diags, 0, sizeof(diags));
    opts.diag = unit_diag;
    opts.diag_ctx = &diags;
    ck_assert_int_eq(lmdbacl_source_read(src, rules, &opts, &err),
		     LMDBACL_ESYNTAX);
    ck_assert_int_eq(diags.count, 1);
    ck_assert_uint_eq(diags.d[0].line, 2);
    ck_assert_ptr_nonnull(strstr(diags.d[0].msg, "NUL"));
    ck_assert_uint_eq(lmdbacl_rules_count(rules), 1);
    lmdbacl_rules_free(rules);
    free(src);
    free(dir);
}
END_TEST

/* Diagnostics. */

START_TEST(diagnostic_names_first_physical_line_of_the_entry)
{
    READ   *r = read_text("a.example OK\n"
			  "b.example\n"
			  "# comment\n"
			  "\n"
			  "  REJECT \xff\n"
			  "c.example OK\n", 0);

    ck_assert_int_eq(r->status, LMDBACL_ESYNTAX);
    expect_one_diag(r, LMDBACL_DIAG_ERROR, 2);
    ck_assert_uint_eq(line_of(r, LMDBACL_KIND_EXACT, "c.example"), 6);
    read_free(r);
}
END_TEST

START_TEST(bad_key_in_continued_entry_reports_first_line)
{
    READ   *r = read_text("ok.example OK\n*.*.example.com\n\n  OK\n", 0);
    const char *msg;

    msg = expect_one_diag(r, LMDBACL_DIAG_ERROR, 2);
    ck_assert_ptr_nonnull(strstr(msg, "*.*.example.com"));
    read_free(r);
}
END_TEST

START_TEST(star_at_domain_line_is_error)
{
    READ   *r = read_text("\n*@example.com OK\n", 0);
    const char *msg;

    ck_assert_int_eq(r->status, LMDBACL_ESYNTAX);
    msg = expect_one_diag(r, LMDBACL_DIAG_ERROR, 2);
    ck_assert_ptr_nonnull(strstr(msg, "*@example.com"));
    ck_assert_uint_eq(lmdbacl_rules_count(r->rules), 0);
    read_free(r);
}
END_TEST

START_TEST(host_bits_line_is_error)
{
    READ   *r = read_text("192.0.2.1/24 REJECT\n", 0);
    const char *msg;

    msg = expect_one_diag(r, LMDBACL_DIAG_ERROR, 1);
    ck_assert_ptr_nonnull(strstr(msg, "192.0.2.0/24"));
    ck_assert_uint_eq(lmdbacl_rules_count(r->rules), 0);
    read_free(r);
}
END_TEST

START_TEST(missing_value_is_error)
{
    READ   *r = read_text("example.com\n", 0);
    const char *msg;

    ck_assert_int_eq(r->status, LMDBACL_ESYNTAX);
    msg = expect_one_diag(r, LMDBACL_DIAG_ERROR, 1);
    ck_assert_ptr_nonnull(strstr(msg, "key whitespace value"));
    ck_assert_uint_eq(lmdbacl_rules_count(r->rules), 0);
    read_free(r);
}
END_TEST

START_TEST(whitespace_only_value_is_error)
{
    READ   *r = read_text("example.com  \t \r\n", 0);

    ck_assert_int_eq(r->status, LMDBACL_ESYNTAX);
    expect_one_diag(r, LMDBACL_DIAG_ERROR, 1);
    ck_assert_uint_eq(lmdbacl_rules_count(r->rules), 0);
    read_free(r);
}
END_TEST

START_TEST(key_longer_than_limit_is_error_not_truncation)
{
    char    text[2 * LMDBACL_KEY_MAX];
    READ   *r;
    const char *msg;

    memset(text, 'a', LMDBACL_KEY_MAX + 1);
    strcpy(text + LMDBACL_KEY_MAX + 1, " OK\n");
    r = read_text(text, 0);
    ck_assert_int_eq(r->status, LMDBACL_ESYNTAX);
    msg = expect_one_diag(r, LMDBACL_DIAG_ERROR, 1);
    ck_assert_ptr_nonnull(strstr(msg, "longer"));
    /* Nothing was stored under a shortened key. */
    ck_assert_uint_eq(lmdbacl_rules_count(r->rules), 0);
    read_free(r);
}
END_TEST

START_TEST(key_of_the_limit_is_stored_whole)
{
    char    text[2 * LMDBACL_KEY_MAX];
    READ   *r;

    memset(text, 'a', LMDBACL_KEY_MAX);
    strcpy(text + LMDBACL_KEY_MAX, " OK\n");
    r = read_text(text, 0);
    expect_clean(r, 1);
    text[LMDBACL_KEY_MAX] = 0;
    ck_assert_str_eq(value_of(r, text), "OK");
    read_free(r);
}
END_TEST

START_TEST(every_error_is_reported)
{
    READ   *r = read_text("@a.example OK\n"
			  "good.example OK\n"
			  "mail.*.example OK\n"
			  "lonely.example\n"
			  "also.example OK\n", 0);

    ck_assert_int_eq(r->status, LMDBACL_ESYNTAX);
    ck_assert_int_eq(r->diags.count, 3);
    ck_assert_int_eq(r->diags.errors, 3);
    ck_assert_uint_eq(r->diags.d[0].line, 1);
    ck_assert_uint_eq(r->diags.d[1].line, 3);
    ck_assert_uint_eq(r->diags.d[2].line, 4);
    ck_assert_uint_eq(lmdbacl_rules_count(r->rules), 2);
    read_free(r);
}
END_TEST

START_TEST(error_summary_names_file_and_count)
{
    READ   *one = read_text("@a.example OK\n", 0);
    READ   *two = read_text("@a.example OK\n@b.example OK\n", 0);

    ck_assert_ptr_nonnull(strstr(one->err.msg, one->path));
    ck_assert_ptr_nonnull(strstr(one->err.msg, "1 error"));
    ck_assert_ptr_null(strstr(one->err.msg, "1 errors"));
    ck_assert_int_eq(one->err.code, LMDBACL_ESYNTAX);
    ck_assert_ptr_nonnull(strstr(two->err.msg, "2 errors"));
    read_free(one);
    read_free(two);
}
END_TEST

START_TEST(errors_count_without_a_diag_callback)
{
    char   *dir = unit_tmpdir();
    char   *src = unit_join(dir, "source");
    LMDBACL_RULES *rules = lmdbacl_rules_create();
    LMDBACL_SOURCE_OPTS opts;
    LMDBACL_ERR err;

    unit_write_text(src, "@a.example OK\nb.example OK\nb.example NO\n");
    memset(&opts, 0, sizeof(opts));
    ck_assert_int_eq(lmdbacl_source_read(src, rules, &opts, &err),
		     LMDBACL_ESYNTAX);
    ck_assert_uint_eq(lmdbacl_rules_count(rules), 1);
    lmdbacl_rules_free(rules);
    free(src);
    free(dir);
}
END_TEST

START_TEST(missing_source_is_system_error_naming_file)
{
    char   *dir = unit_tmpdir();
    char   *src = unit_join(dir, "no-such-source");
    LMDBACL_RULES *rules = lmdbacl_rules_create();
    LMDBACL_SOURCE_OPTS opts;
    LMDBACL_ERR err;

    memset(&opts, 0, sizeof(opts));
    memset(&err, 0, sizeof(err));
    ck_assert_int_eq(lmdbacl_source_read(src, rules, &opts, &err),
		     LMDBACL_ESYSTEM);
    ck_assert_int_eq(err.code, LMDBACL_ESYSTEM);
    ck_assert_ptr_nonnull(strstr(err.msg, src));
    lmdbacl_rules_free(rules);
    free(src);
    free(dir);
}
END_TEST

/* Duplicates and strict. */

START_TEST(duplicate_keeps_first_and_warns_with_both_lines)
{
    READ   *r = read_text("x.example FIRST\ny.example B\nX.Example SECOND\n", 0);
    const char *msg;

    /* Warnings alone do not fail a read. */
    ck_assert_int_eq(r->status, LMDBACL_OK);
    msg = expect_one_diag(r, LMDBACL_DIAG_WARNING, 3);
    ck_assert_ptr_nonnull(strstr(msg, "line 1"));
    ck_assert_ptr_nonnull(strstr(msg, "duplicate"));
    ck_assert_uint_eq(lmdbacl_rules_count(r->rules), 2);
    ck_assert_str_eq(value_of(r, "x.example"), "FIRST");
    ck_assert_uint_eq(line_of(r, LMDBACL_KIND_EXACT, "x.example"), 1);
    read_free(r);
}
END_TEST

START_TEST(dot_and_star_wildcards_are_duplicates)
{
    READ   *r = read_text(".example.com FIRST\n\n*.Example.com SECOND\n", 0);
    const LMDBACL_RULE *w;
    const char *msg;

    ck_assert_int_eq(r->status, LMDBACL_OK);
    msg = expect_one_diag(r, LMDBACL_DIAG_WARNING, 3);
    ck_assert_ptr_nonnull(strstr(msg, "line 1"));
    ck_assert_uint_eq(lmdbacl_rules_count(r->rules), 1);
    w = unit_find(r->rules, LMDBACL_KIND_WILD, "example.com");
    ck_assert_ptr_nonnull(w);
    ck_assert_str_eq(w->value, "FIRST");
    read_free(r);
}
END_TEST

START_TEST(wildcard_and_plain_key_are_not_duplicates)
{
    READ   *r = read_text("example.com PLAIN\n*.example.com WILD\n", 0);

    expect_clean(r, 2);
    read_free(r);
}
END_TEST

START_TEST(duplicates_and_other_diagnostics_come_in_line_order)
{
    /*
     * Duplicates are found after the last line; they are still reported
     * at their line, after any other diagnostic of that line.
     */
    READ   *r = read_text("a.example ONE\n*bad X\na.example TWO\n"
			  "k: V\nk: W\n@x Y\nA.EXAMPLE THREE\n", 0);
    static const unsigned lines[] = {2, 3, 4, 5, 5, 6, 7};
    static const char *const words[] = {"'*'", "line 1", "alias",
    "alias", "duplicate", "@domain", "line 1"};
    int     i;

    ck_assert_int_eq(r->status, LMDBACL_ESYNTAX);
    ck_assert_int_eq(r->diags.count, 7);
    for (i = 0; i < 7; i++) {
	ck_assert_uint_eq(r->diags.d[i].line, lines[i]);
	ck_assert_msg(strstr(r->diags.d[i].msg, words[i]) != 0,
		      "diagnostic %d: %s", i, r->diags.d[i].msg);
    }
    ck_assert_str_eq(value_of(r, "a.example"), "ONE");
    read_free(r);
}
END_TEST

START_TEST(read_into_rules_that_hold_rules_reports_in_line_order)
{
    READ   *r = read_text("a.example ONE\n", 0);
    UNIT_DIAGS diags;
    LMDBACL_ERR err;

    expect_clean(r, 1);
    memset(&diags, 0, sizeof(diags));
    ck_assert_int_eq(unit_read_source(r->dir, "a.example TWO\n*bad X\n"
				      "b.example B\nb.example C\n", 0,
				      r->rules, &diags, &err),
		     LMDBACL_ESYNTAX);
    ck_assert_int_eq(diags.count, 3);
    ck_assert_uint_eq(diags.d[0].line, 1);
    ck_assert_ptr_nonnull(strstr(diags.d[0].msg, "duplicate"));
    ck_assert_uint_eq(diags.d[1].line, 2);
    ck_assert_uint_eq(diags.d[2].line, 4);
    ck_assert_ptr_nonnull(strstr(diags.d[2].msg, "line 3"));
    ck_assert_str_eq(value_of(r, "a.example"), "ONE");
    ck_assert_str_eq(value_of(r, "b.example"), "B");
    read_free(r);
}
END_TEST

START_TEST(strict_turns_duplicate_into_error)
{
    READ   *r = read_text("x.example FIRST\nx.example SECOND\n", 1);

    ck_assert_int_eq(r->status, LMDBACL_ESYNTAX);
    expect_one_diag(r, LMDBACL_DIAG_ERROR, 2);
    ck_assert_int_eq(r->diags.warnings, 0);
    read_free(r);
}
END_TEST

START_TEST(alias_style_key_warns)
{
    READ   *r = read_text("postmaster: root\n", 0);
    const char *msg;

    ck_assert_int_eq(r->status, LMDBACL_OK);
    msg = expect_one_diag(r, LMDBACL_DIAG_WARNING, 1);
    ck_assert_ptr_nonnull(strstr(msg, "key: value"));
    /* postmap stores it anyway. */
    ck_assert_str_eq(value_of(r, "postmaster:"), "root");
    read_free(r);
}
END_TEST

START_TEST(strict_turns_alias_style_warning_into_error)
{
    READ   *r = read_text("postmaster: root\n", 1);

    ck_assert_int_eq(r->status, LMDBACL_ESYNTAX);
    expect_one_diag(r, LMDBACL_DIAG_ERROR, 1);
    read_free(r);
}
END_TEST

START_TEST(strict_clean_source_is_ok)
{
    READ   *r = read_text("a.example OK\n*.a.example OK\n192.0.2.0/24 OK\n", 1);

    expect_clean(r, 3);
    read_free(r);
}
END_TEST

START_TEST(same_network_in_two_forms_warns_with_both_lines)
{
    READ   *r = read_text("example.com OK\n192.0.2 FIRST\n"
			  "192.0.2.0/24 SECOND\n", 0);
    const char *msg;

    ck_assert_int_eq(r->status, LMDBACL_OK);
    msg = expect_one_diag(r, LMDBACL_DIAG_WARNING, 3);
    ck_assert_ptr_nonnull(strstr(msg, "line 2"));
    ck_assert_ptr_nonnull(strstr(msg, "192.0.2.0/24"));
    read_free(r);
}
END_TEST

START_TEST(same_host_in_two_forms_warns)
{
    READ   *r = read_text("2001:db8::1/128 FIRST\n\n2001:DB8:0::1 SECOND\n", 0);
    const char *msg;

    msg = expect_one_diag(r, LMDBACL_DIAG_WARNING, 3);
    ck_assert_ptr_nonnull(strstr(msg, "line 1"));
    read_free(r);
}
END_TEST

START_TEST(networks_of_other_length_or_family_are_not_duplicates)
{
    READ   *r = read_text("192.0.2 A\n192.0.2.0/25 B\n192.0.2.0/23 C\n"
			  "192.0.3 D\n::/0 E\n0.0.0.0/0 F\n", 0);

    expect_clean(r, 6);
    read_free(r);
}
END_TEST

START_TEST(strict_turns_same_network_into_error)
{
    READ   *r = read_text("192.0.2.0/24 FIRST\n192.0.2 SECOND\n", 1);

    ck_assert_int_eq(r->status, LMDBACL_ESYNTAX);
    expect_one_diag(r, LMDBACL_DIAG_ERROR, 2);
    read_free(r);
}
END_TEST

/* opts.replace (postmap -r): the later duplicate wins, without a word. */

START_TEST(replace_option_makes_later_duplicate_win_quietly)
{
    LMDBACL_SOURCE_OPTS opts;
    LMDBACL_RULES *rules = lmdbacl_rules_create();
    LMDBACL_ERR err;
    char   *dir = unit_tmpdir();
    char   *path = unit_join(dir, "source");
    FILE   *fp = fopen(path, "w");
    const LMDBACL_RULE *r;

    ck_assert_ptr_nonnull(fp);
    fputs("a.example FIRST\nb.example B\na.example SECOND\n", fp);
    fclose(fp);
    memset(&opts, 0, sizeof(opts));
    opts.replace = 1;
    opts.strict = 1;		/* a warning would be an error */
    ck_assert_int_eq(lmdbacl_source_read(path, rules, &opts, &err), LMDBACL_OK);
    r = unit_find(rules, LMDBACL_KIND_EXACT, "a.example");
    ck_assert_str_eq(r->value, "SECOND");
    ck_assert_uint_eq(r->line, 3);
    /* Near miss: without replace, the first value stays. */
    lmdbacl_rules_free(rules);
    rules = lmdbacl_rules_create();
    opts.replace = 0;
    opts.strict = 0;
    ck_assert_int_eq(lmdbacl_source_read(path, rules, &opts, &err), LMDBACL_OK);
    ck_assert_str_eq(unit_find(rules, LMDBACL_KIND_EXACT, "a.example")->value,
		     "FIRST");
    lmdbacl_rules_free(rules);
    unlink(path);
    free(path);
    free(dir);
}
END_TEST

/* Progress. */

typedef struct PROGRESS {
    unsigned long calls[64];
    int     n;
} PROGRESS;

static void progress_fn(void *ctx, unsigned long lines)
{
    PROGRESS *p = ctx;

    if (p->n < 64)
	p->calls[p->n] = lines;
    p->n++;
}

START_TEST(progress_every_65536_lines_and_at_the_end)
{
    char   *dir = unit_tmpdir();
    char   *src = unit_join(dir, "source");
    LMDBACL_RULES *rules = lmdbacl_rules_create();
    LMDBACL_SOURCE_OPTS opts;
    LMDBACL_ERR err;
    PROGRESS p;
    FILE   *fp;
    unsigned long i;

    ck_assert_ptr_nonnull(fp = fopen(src, "w"));
    fputs("a.example OK\n", fp);
    for (i = 1; i < 65540; i++)
	fputs("#\n", fp);
    ck_assert_int_eq(fclose(fp), 0);
    memset(&opts, 0, sizeof(opts));
    memset(&p, 0, sizeof(p));
    opts.progress = progress_fn;
    opts.progress_ctx = &p;
    ck_assert_int_eq(lmdbacl_source_read(src, rules, &opts, &err), LMDBACL_OK);
    ck_assert_int_eq(p.n, 2);
    ck_assert_uint_eq(p.calls[0], 65536);
    ck_assert_uint_eq(p.calls[1], 65540);
    lmdbacl_rules_free(rules);
    free(src);
    free(dir);
}
END_TEST

START_TEST(progress_of_a_two_thread_read_rises_to_every_line)
{
    char   *dir = unit_tmpdir();
    char   *src = unit_join(dir, "source");
    LMDBACL_RULES *rules = lmdbacl_rules_create();
    LMDBACL_SOURCE_OPTS opts;
    LMDBACL_ERR err;
    PROGRESS p;
    FILE   *fp;
    unsigned long i;
    int     k;

    /*
     * 400,000 lines (6 MB: read in two halves). Reports never decrease
     * and end with every line; the first half alone gives three before
     * the last. (How much of the second half an early report includes
     * depends on the threads' pace, so it is not asserted.)
     */
    ck_assert_ptr_nonnull(fp = fopen(src, "w"));
    for (i = 0; i < 400000; i++)
	fprintf(fp, "h%lu.example OK\n", i);
    ck_assert_int_eq(fclose(fp), 0);
    memset(&opts, 0, sizeof(opts));
    memset(&p, 0, sizeof(p));
    opts.progress = progress_fn;
    opts.progress_ctx = &p;
    ck_assert_int_eq(lmdbacl_source_read(src, rules, &opts, &err), LMDBACL_OK);
    ck_assert_int_ge(p.n, 4);
    ck_assert_int_le(p.n, 64);
    for (k = 1; k < p.n; k++)
	ck_assert_uint_gt(p.calls[k], p.calls[k - 1]);
    ck_assert_uint_eq(p.calls[p.n - 1], 400000);
    ck_assert_uint_eq(lmdbacl_rules_count(rules), 400000);
    lmdbacl_rules_free(rules);
    free(src);
    free(dir);
}
END_TEST

/* lmdbacl_source_split. */

static void split_ok(const char *line, const char *key, const char *value)
{
    char    buf[256];
    char   *kp = 0;
    char   *vp = 0;
    const char *why = 0;

    snprintf(buf, sizeof(buf), "%s", line);
    ck_assert_msg(lmdbacl_source_split(buf, &kp, &vp, &why) == 0,
		  "\"%s\": %s", line, why ? why : "?");
    ck_assert_str_eq(kp, key);
    ck_assert_str_eq(vp, value);
}

static const char *split_bad(const char *line)
{
    char    buf[256];
    char   *kp = 0;
    char   *vp = 0;
    const char *why = 0;

    snprintf(buf, sizeof(buf), "%s", line);
    ck_assert_int_eq(lmdbacl_source_split(buf, &kp, &vp, &why), -1);
    ck_assert_ptr_nonnull(why);
    return (why);
}

START_TEST(split_key_ends_at_first_unquoted_whitespace)
{
    split_ok("example.com OK", "example.com", "OK");
    split_ok("example.com\t\tREJECT no way  ", "example.com", "REJECT no way");
    split_ok("\"a b\" c d", "\"a b\"", "c d");
    split_ok("a\\ b c", "a\\ b", "c");
    split_ok("\"a\\\"b c\" d", "\"a\\\"b c\"", "d");
    split_ok("a\"b c\"d e", "a\"b c\"d", "e");
}
END_TEST

START_TEST(split_without_value_is_error)
{
    ck_assert_ptr_nonnull(strstr(split_bad("example.com"), "value"));
    split_bad("example.com   \t");
    split_bad("");
}
END_TEST

START_TEST(split_unbalanced_quote_is_error)
{
    ck_assert_ptr_nonnull(strstr(split_bad("\"a b c"), "unbalanced"));
    ck_assert_ptr_nonnull(strstr(split_bad("a\"b c"), "unbalanced"));
}
END_TEST

START_TEST(split_trailing_backslash_has_no_value)
{
    split_bad("example.com\\");
}
END_TEST

static Suite *source_suite(void)
{
    Suite  *s = suite_create("lmdbacl_source");

    UNIT_ADD(s, comment_lines_are_skipped);
    UNIT_ADD(s, hash_after_the_key_is_part_of_the_value);
    UNIT_ADD(s, blank_lines_are_skipped_and_counted);
    UNIT_ADD(s, last_line_without_newline_is_read);
    UNIT_ADD(s, empty_source_gives_no_rules);
    UNIT_ADD(s, continuation_line_continues_the_value);
    UNIT_ADD(s, continuation_line_may_carry_the_whole_value);
    UNIT_ADD(s, comment_and_blank_lines_do_not_end_an_entry);
    UNIT_ADD(s, unindented_line_starts_a_new_entry);
    UNIT_ADD(s, continuation_without_an_entry_is_error);
    UNIT_ADD(s, quoted_key_may_contain_whitespace);
    UNIT_ADD(s, backslash_escapes_whitespace_in_key);
    UNIT_ADD(s, backslash_escapes_quote_inside_quotes);
    UNIT_ADD(s, unbalanced_quote_is_error);
    UNIT_ADD(s, cr_before_lf_is_whitespace);
    UNIT_ADD(s, cr_after_key_alone_is_missing_value);
    UNIT_ADD(s, keys_are_folded_values_are_not);
    UNIT_ADD(s, value_is_trimmed_but_inner_whitespace_kept);
    UNIT_ADD(s, tab_separates_key_and_value);
    UNIT_ADD(s, valid_utf8_is_accepted);
    UNIT_ADD(s, latin1_key_is_rejected);
    UNIT_ADD(s, non_utf8_value_is_rejected);
    UNIT_ADD(s, malformed_utf8_sequences_are_rejected);
    UNIT_ADD(s, nul_byte_is_error);
    UNIT_ADD(s, diagnostic_names_first_physical_line_of_the_entry);
    UNIT_ADD(s, bad_key_in_continued_entry_reports_first_line);
    UNIT_ADD(s, star_at_domain_line_is_error);
    UNIT_ADD(s, host_bits_line_is_error);
    UNIT_ADD(s, missing_value_is_error);
    UNIT_ADD(s, whitespace_only_value_is_error);
    UNIT_ADD(s, key_longer_than_limit_is_error_not_truncation);
    UNIT_ADD(s, key_of_the_limit_is_stored_whole);
    UNIT_ADD(s, every_error_is_reported);
    UNIT_ADD(s, error_summary_names_file_and_count);
    UNIT_ADD(s, errors_count_without_a_diag_callback);
    UNIT_ADD(s, missing_source_is_system_error_naming_file);
    UNIT_ADD(s, duplicate_keeps_first_and_warns_with_both_lines);
    UNIT_ADD(s, dot_and_star_wildcards_are_duplicates);
    UNIT_ADD(s, wildcard_and_plain_key_are_not_duplicates);
    UNIT_ADD(s, duplicates_and_other_diagnostics_come_in_line_order);
    UNIT_ADD(s, read_into_rules_that_hold_rules_reports_in_line_order);
    UNIT_ADD(s, strict_turns_duplicate_into_error);
    UNIT_ADD(s, alias_style_key_warns);
    UNIT_ADD(s, strict_turns_alias_style_warning_into_error);
    UNIT_ADD(s, strict_clean_source_is_ok);
    UNIT_ADD(s, same_network_in_two_forms_warns_with_both_lines);
    UNIT_ADD(s, same_host_in_two_forms_warns);
    UNIT_ADD(s, networks_of_other_length_or_family_are_not_duplicates);
    UNIT_ADD(s, strict_turns_same_network_into_error);
    UNIT_ADD(s, replace_option_makes_later_duplicate_win_quietly);
    UNIT_ADD(s, progress_every_65536_lines_and_at_the_end);
    UNIT_ADD(s, progress_of_a_two_thread_read_rises_to_every_line);
    UNIT_ADD(s, split_key_ends_at_first_unquoted_whitespace);
    UNIT_ADD(s, split_without_value_is_error);
    UNIT_ADD(s, split_unbalanced_quote_is_error);
    UNIT_ADD(s, split_trailing_backslash_has_no_value);
    return (s);
}

int     main(void)
{
    return (unit_run(source_suite()));
}
