#!/bin/bash
# NAME
#	test-cli.sh - the lmdbacl command, end to end
# DESCRIPTION
#	compile (atomic, every error listed, old table untouched), check,
#	query (keys, stdin, --explain, --as), dump round trip, add/del as
#	snapshots, import of cdb: and lmdb: maps built by the real postmap,
#	stats, exit statuses, --help and --version.
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/common.sh"
mktest_dir
cd "$T" || exit 1

cat > access <<'SRC'
# HELO, sender and client rules in one table
*.example.com		OK
example.org		OK
spam1.example.net	REJECT spam source
.example.info		OK
baduser@example.edu	REJECT
192.0.2.0/24		REJECT
192.0.2.10		OK
198.51.100		REJECT
2001:db8::/32		REJECT
SRC

lmdbacl compile access; check compile_succeeds 0 $?
check compile_writes_name_lmdbacl yes "$([ -s access.lmdbacl ] && echo yes)"
check compile_leaves_no_temporary_file "" "$(ls access.lmdbacl.* 2>/dev/null)"

q() { lmdbacl query --parent-style=yes access "$@" 2>&1; echo "rc=$?"; }
check query_wildcard_three_levels_down "OK rc=0" "$(q sppim501.ipc.us.example.com | tr '\n' ' ' | sed 's/ $//')"
check query_wildcard_not_parent_itself "rc=1" "$(q example.com)"
check query_dot_synonym_matches_subdomain "OK rc=0" "$(q mx.example.info | tr '\n' ' ' | sed 's/ $//')"
check query_value_kept_verbatim "REJECT spam source rc=0" "$(q SPAM1.Example.NET | tr '\n' ' ' | sed 's/ $//')"
check query_address_exact_only "rc=1" "$(q gooduser@example.edu)"
check query_cidr_most_specific_wins "OK rc=0" "$(q 192.0.2.10 | tr '\n' ' ' | sed 's/ $//')"
check query_cidr_neighbour_rejected "REJECT rc=0" "$(q 192.0.2.11 | tr '\n' ' ' | sed 's/ $//')"
check query_truncated_ipv4_key_is_network "REJECT rc=0" "$(q 198.51.100.200 | tr '\n' ' ' | sed 's/ $//')"
check query_outside_networks_not_found "rc=1" "$(q 198.51.101.1)"
check query_ipv6_noncanonical "REJECT rc=0" "$(q 2001:DB8:0:0::1 | tr '\n' ' ' | sed 's/ $//')"
check query_ipv6_outside "rc=1" "$(q 2001:db9::1)"

out=$(printf 'a.example.com\nnothing.test\n192.0.2.1\n' | lmdbacl query --parent-style=yes access -)
check query_stdin_prints_key_tab_value "$(printf 'a.example.com\tOK\n192.0.2.1\tREJECT')" "$out"

out=$(lmdbacl query --explain --parent-style=yes access sppim501.ipc.us.example.com)
case $out in *'rule "*.example.com" (line 2): wildcard'*) r=yes ;; *) r=no ;; esac
check explain_names_rule_and_line yes "$r"
out=$(lmdbacl query --explain --parent-style=yes access 192.0.2.77)
case $out in *'rule "192.0.2.0/24" (line 7): longest-prefix network, /24'*) r=yes ;; *) r=no ;; esac
check explain_names_network "yes" "$r"

# --as runs smtpd's whole sequence.
check as_helo_accepts "helo sppim501.ipc.us.example.com: OK" \
	"$(lmdbacl query --parent-style=yes --as helo access sppim501.ipc.us.example.com)"
check as_helo_parent_not_matched "helo example.com: DUNNO (no rule matched)" \
	"$(lmdbacl query --parent-style=yes --as helo access example.com)"
check as_client_by_address "client unknown[192.0.2.10]: OK" \
	"$(lmdbacl query --parent-style=yes --as client access 'unknown[192.0.2.10]')"
check as_client_name_first "client host.example.com[192.0.2.11]: OK" \
	"$(lmdbacl query --parent-style=yes --as client access 'host.example.com[192.0.2.11]')"
check as_sender_domain "sender a@mx.example.info: OK" \
	"$(lmdbacl query --parent-style=yes --as sender access a@mx.example.info)"
check as_sender_full_address "sender baduser@example.edu: REJECT" \
	"$(lmdbacl query --parent-style=yes --as sender access baduser@example.edu)"
check as_sender_no_rule "sender gooduser@example.edu: DUNNO (no rule matched)" \
	"$(lmdbacl query --parent-style=yes --as sender access gooduser@example.edu)"

# Parent style: plain keys match subdomains only when asked to.
printf 'example.net OK\n' > parent
lmdbacl compile parent
check parent_style_yes_matches_subdomain "OK" "$(lmdbacl query --parent-style=yes parent mail.example.net)"
check parent_style_no_ignores_subdomain "" "$(lmdbacl query --parent-style=no parent mail.example.net)"

# A bad source: every error listed with file:line, exit 3, old table kept.
cp access.lmdbacl before.lmdbacl
cat >> access <<'SRC'
foo*bar.example OK
@example.com REJECT
10.0.0.1/8 OK
novalue
SRC
err=$(lmdbacl compile access 2>&1); rc=$?
check compile_bad_input_exit_3 3 "$rc"
check compile_lists_every_error 4 "$(echo "$err" | grep -c '^lmdbacl: access:1[1-4]: ')"
case $err in *'access:13: "10.0.0.1/8" has host bits set: write 10.0.0.0/8'*) r=yes ;; *) r=no ;; esac
check compile_error_says_what_to_write yes "$r"
check compile_failure_keeps_old_table same "$(cmp -s access.lmdbacl before.lmdbacl && echo same)"
check compile_failure_leaves_no_temp "" "$(ls access.lmdbacl.* 2>/dev/null)"
lmdbacl check access >/dev/null 2>&1
check check_bad_source_exit_3 3 $?

# Quotes stay part of a key, as in postmap: a quoted host name is a
# literal that no query matches; a quoted network is refused.
printf '"quoted.example" OK\n' > quoted
lmdbacl compile quoted
check quoted_host_name_is_a_literal_key "rc=1" "$(lmdbacl query quoted quoted.example; echo "rc=$?")"
printf '"192.0.2.0/24" OK\n' > quotednet
err=$(lmdbacl compile quotednet 2>&1); rc=$?
case $err in *'quotednet:1: ""192.0.2.0/24"" is not a network'*) r=yes ;; *) r="no: $err" ;; esac
check quoted_network_is_an_error "3 yes" "$rc $r"

printf 'first.example OK\nfirst.example REJECT\n' > dups
out=$(lmdbacl compile dups 2>&1); rc=$?
check duplicate_is_warning 0 "$rc"
case $out in *'dups:2: warning: duplicate entry for "first.example" (first at line 1)'*) r=yes ;; *) r=no ;; esac
check duplicate_names_both_lines yes "$r"
check duplicate_keeps_first OK "$(lmdbacl query dups first.example)"
lmdbacl compile --strict dups >/dev/null 2>&1
check strict_makes_warning_error 3 $?

rm -f missing.lmdbacl
lmdbacl compile nosuchfile >/dev/null 2>&1
check compile_missing_source_exit_5 5 $?
check failed_first_build_leaves_nothing "" "$(ls nosuchfile.lmdbacl* 2>/dev/null)"
lmdbacl query missing x >/dev/null 2>&1
check query_missing_table_exit_4 4 $?
: > empty.lmdbacl
out=$(lmdbacl query empty x 2>&1); rc=$?
check query_empty_table_exit_4 4 "$rc"
case $out in *'empty.lmdbacl: empty file'*) r=yes ;; *) r=no ;; esac
check empty_table_message_names_file yes "$r"
head -c 6000 access.lmdbacl > trunc.lmdbacl
lmdbacl query trunc x >/dev/null 2>&1
check query_truncated_table_exit_4 4 $?
head -c 20000 /dev/urandom > junk.lmdbacl
lmdbacl query junk x >/dev/null 2>&1
check query_garbage_table_exit_4 4 $?

# Reproducible: the same input gives the same bytes.
cp before.lmdbacl access.lmdbacl
sed -i '/^foo\*bar/,$d' access
lmdbacl compile access access2
check reproducible_build same "$(cmp -s access.lmdbacl access2.lmdbacl && echo same)"

# dump compiles back to the same table.
lmdbacl dump access > dumped
lmdbacl compile dumped
check dump_round_trip_rules "$(lmdbacl dump access | sort)" "$(lmdbacl dump dumped | sort)"
check dump_round_trip_answers "$(printf 'x.example.com\n192.0.2.3\n' | lmdbacl query --parent-style=yes access -)" \
	"$(printf 'x.example.com\n192.0.2.3\n' | lmdbacl query --parent-style=yes dumped -)"

# add and del: one snapshot each, the old file replaced.
ino1=$(stat -c %i access.lmdbacl)
lmdbacl add access '*.new.test' REJECT new rule
check add_then_query "REJECT new rule" "$(lmdbacl query access a.b.new.test)"
check add_writes_new_snapshot yes "$([ "$(stat -c %i access.lmdbacl)" != "$ino1" ] && echo yes)"
printf 'one.test OK\ntwo.test OK\n' | lmdbacl add access -
check add_stdin_batch "OK OK" "$(lmdbacl query access one.test) $(lmdbacl query access two.test)"
lmdbacl del access one.test '*.new.test'
check del_removes "rc=1 rc=1" "$(lmdbacl query access one.test >/dev/null; echo rc=$?) $(lmdbacl query access a.new.test >/dev/null; echo rc=$?)"
check del_keeps_others OK "$(lmdbacl query access two.test)"
lmdbacl del access never.test
check del_missing_exit_1 1 $?

# import from maps built by the real postmap.
printf '*.imported.test REJECT\nplain.test OK\n192.0.2 REJECT\n' > legacy
postmap cdb:legacy 2>/dev/null && postmap lmdb:legacy 2>/dev/null
if [ -f legacy.cdb ] && [ -f legacy.lmdb ]; then
	lmdbacl import cdb:legacy fromcdb 2>/dev/null
	check import_cdb_wildcard_comes_alive REJECT "$(lmdbacl query fromcdb x.imported.test)"
	check import_cdb_plain OK "$(lmdbacl query fromcdb plain.test)"
	lmdbacl import lmdb:legacy fromlmdb 2>/dev/null
	check import_lmdb_network REJECT "$(lmdbacl query fromlmdb 192.0.2.99)"
	check import_lmdb_same_rules "$(lmdbacl dump fromcdb | sort)" "$(lmdbacl dump fromlmdb | sort)"
fi

out=$(lmdbacl stats access)
check stats_counts_wildcards "wildcard	2" "$(echo "$out" | grep '^wildcard')"
lmdbacl --help | grep -q '^Usage: lmdbacl'
check help_prints_usage 0 $?
lmdbacl --version | grep -q '^lmdbacl [0-9]'
check version_prints_version 0 $?
lmdbacl frobnicate >/dev/null 2>&1
check unknown_command_exit_2 2 $?
lmdbacl query >/dev/null 2>&1
check query_without_args_exit_2 2 $?

# A large source (1 MB and more) is read in two halves on two threads;
# rules, line numbers and diagnostics are those of one read in line
# order. Both halves have the same length, so that the middle of the
# file falls inside an entry continued across 3000 comment lines.
big_source() {
	perl -e '
	my $bad = shift;
	sub line { print $_[0], "\n"; }
	for my $i (1 .. 25000) {
		if ($bad && $i == 5) { line("bad*first.example OK"); next; }
		line(sprintf("h%06d.example.net OK first %06d", $i, $i));
	}
	line("mid.example OK start");
	for my $i (1 .. 3000) {
		line(sprintf("# filler %06d", $i));
		line("") if $i % 100 == 0;
	}
	line("  end");
	for my $i (1 .. 25000) {
		if ($bad && $i == 20000) { line("novalue.example"); next; }
		if ($bad && $i == 24000) { line("h000010.example.net REJECT again"); next; }
		line(sprintf("x%06d.example.net OK later %06d", $i, $i));
	}' "$1"
}
big_source 0 > big
lmdbacl compile big; check big_compile_succeeds 0 $?
check big_continued_entry_across_the_middle "OK start  end" \
	"$(lmdbacl query big mid.example)"
out=$(lmdbacl query --explain big x020000.example.net)
case $out in *'(line 48032)'*) r=yes ;; *) r="no: $out" ;; esac
check big_second_half_rule_keeps_its_line yes "$r"
check big_first_and_last_rules "OK first 000001 OK later 025000" \
	"$(lmdbacl query big h000001.example.net) $(lmdbacl query big x025000.example.net)"
check big_rule_count "exact	50001" "$(lmdbacl stats big | grep '^exact')"
cp big.lmdbacl big.before
big_source 1 > big
err=$(lmdbacl compile big 2>&1); rc=$?
check big_errors_in_both_halves_exit_3 3 "$rc"
check big_diagnostics_in_line_order \
	"lmdbacl: big:5: \"bad*first.example\": '*' is allowed only as the whole first label, as in *.example.com
lmdbacl: big:48032: expected format: key whitespace value
lmdbacl: big:52032: warning: duplicate entry for \"h000010.example.net\" (first at line 10); keeping the value of line 10
lmdbacl: big: 2 errors; big.lmdbacl left unchanged" "$err"
check big_failure_keeps_old_table same "$(cmp -s big.lmdbacl big.before && echo same)"
check big_failure_leaves_no_temp "" "$(ls big.lmdbacl.* 2>/dev/null)"

finish
