#!/bin/bash
# NAME
#	test-postmap.sh - lmdbacl tables through the real postmap(1)
# SYNOPSIS
#	LMDBACL_PLUGIN=... LMDBACL=... tests/postmap/test-postmap.sh
# DESCRIPTION
#	Runs the installed postmap with "-c DIR/etc", where DIR is a private
#	(never started) instance made by tests/lib/postfix-instance.sh whose
#	dynamicmaps.cf loads the built plugin. Every question is also put to
#	Postfix's own types built from the same source file in the same
#	run, and the answers are compared:
#
#	- plain keys (user@example.com, example.com, user@, 192.0.2, <>,
#	  quoted keys, continuation lines, CRLF lines, duplicates, case
#	  folding): postmap -q, -q -, -s, -i, -d give the same output and
#	  exit status with lmdbacl:, hash:, lmdb: and cdb:;
#	- wildcards: *.example.info answers for mx.example.info where hash:
#	  does not, and as pcre: does;
#	- CIDR keys: longest-prefix answers, as a cidr: table in
#	  most-specific-first order does;
#	- a bad key makes "postmap lmdbacl:F" fail and leaves the previous
#	  F.lmdbacl serving, byte for byte, with no file left behind.
# ENVIRONMENT
#	LMDBACL_PLUGIN	the built postfix-lmdbacl.so (default
#			$top_builddir/dict_lmdbacl/.libs/postfix-lmdbacl.so)
#	LMDBACL		the built command (default $top_builddir/tools/lmdbacl)
#	TMPDIR		where the files live (default /tmp)
#	LMDBACL_TEST_KEEP	set: keep the temporary directory (tables, maillog)
# DIAGNOSTICS
#	One "PASS: case" or "FAIL: case (expected X got Y)" line per case,
#	then "N passed, M failed". Exit 0 when all pass, 1 on a failure,
#	77 (skip) when not root or the plugin is missing.
set -u

. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/postfix-instance.sh"
harness_init

work=$(mktemp -d "${TMPDIR:-/tmp}/lmdbacl-postmap.XXXXXX") || exit 99
trap '[ -n "${LMDBACL_TEST_KEEP:-}" ] || rm -rf "$work"' EXIT
trap 'exit 130' INT TERM HUP
# postmap needs only the configuration; the instance is never started.
pfi_create "$work" 10099 "$LMDBACL_PLUGIN" || exit 99
T=$work/tables
mkdir -m 0755 "$T"

# pmc ARGS... MAP - postmap with the private configuration. Postfix's
# own types are the reference and run as they are; only lmdbacl: runs
# under $LMDBACL_VALGRIND or $LMDBACL_PRELOAD (pm, tests/lib/common.sh).
pmc() {
	case ${!#} in
	lmdbacl:*) pm -c "$work/etc" "$@" ;;
	*) postmap -c "$work/etc" "$@" ;;
	esac
}

# ask TYPE:FILE KEY - "rc=N" and postmap -q's output
ask() {
	local out rc
	out=$(pmc -q "$2" "$1" 2>/dev/null)
	rc=$?
	printf 'rc=%s %s' "$rc" "$out"
}

# build TYPE:FILE [postmap options] - report a failed build as a case
build() {
	local map=$1 err
	shift
	err=$(pmc "$@" "$map" 2>&1) || {
		fail "build_$map" "exit 0" "failure: $err"
		return 1
	}
}

# same_everywhere NAME KEY FILE TYPES... - one query, every type agrees
same_everywhere() {
	local name=$1 key=$2 file=$3 type ref got ok=1
	shift 3
	ref=$(ask "lmdbacl:$file" "$key")
	for type in "$@"; do
		got=$(ask "$type:$file" "$key")
		if [ "$got" != "$ref" ]; then
			fail "$name" "$type: $got" "lmdbacl: $ref"
			ok=
			break
		fi
	done
	[ -n "$ok" ] && pass "$name"
}

########################################################################
# Plain keys: lmdbacl: must be indistinguishable from hash:, lmdb:, cdb:.
cat >"$T/plain" <<'EOF'
# Plain access(5) keys, as postmap(1) reads them.
user@example.com	OK user entry
example.com		REJECT domain entry
user@			OK localpart entry
192.0.2			REJECT truncated network
2001:db8:1:2		REJECT truncated ipv6
<>			OK null sender
"with space@example.com"	OK quoted key with a space
"quo\"te@example.com"	OK quoted key with an escaped quote
multi.example.com	REJECT first line
	second line

# A comment inside a continuation does not end the entry.
	third line
dup.example.com		OK first value
dup.example.com		REJECT second value
MiXeD.Example.COM	Value Keeps Its Case
tab.example.com	 	  OK   inner   spaces   kept  
EOF
printf '%s\r\n' '# CRLF lines: CR before LF is whitespace.' \
    'crlf.example.com	OK crlf value' 'crlfcont.example.com	OK first' \
    '	continued' '' 'crlfaddr@example.com	REJECT crlf address' \
    >"$T/crlf"
chmod 0644 "$T"/*

plain_keys=(user@example.com example.com user@ 192.0.2 2001:db8:1:2 "<>"
    "with space@example.com" 'quo"te@example.com' multi.example.com
    dup.example.com mixed.example.com MIXED.EXAMPLE.COM MiXeD.Example.COM
    tab.example.com nothere@example.com nothere.example.org
    mixed.example.coM mixed.example.COM mixed.exaMPle.com USER@EXAMPLE.COM
    user@EXAMPLE.com dup.example.coM "WITH SPACE@EXAMPLE.COM")
crlf_keys=(crlf.example.com crlfcont.example.com crlfaddr@example.com
    "crlf.example.com"$'\r')
plain_types=(hash lmdb cdb)
seq_types=(hash lmdb)	# cdb: has no sequence operation

for f in plain crlf; do
	for type in lmdbacl "${plain_types[@]}"; do
		build "$type:$T/$f" -w
	done
done

for k in "${plain_keys[@]}"; do
	same_everywhere "plain_query_${k}_same_as_hash_lmdb_cdb" "$k" \
	    "$T/plain" "${plain_types[@]}"
done
for k in "${crlf_keys[@]}"; do
	same_everywhere "crlf_query_${k%$'\r'}_same_as_hash_lmdb_cdb" "$k" \
	    "$T/crlf" "${plain_types[@]}"
done

# The found/not-found pattern itself, in case every type were wrong.
expect_same plain_query_finds_first_duplicate "rc=0 OK first value" \
    "$(ask "lmdbacl:$T/plain" dup.example.com)"
expect_same plain_query_keeps_value_case "rc=0 Value Keeps Its Case" \
    "$(ask "lmdbacl:$T/plain" MIXED.example.com)"
expect_same plain_query_joins_continuation_lines \
    "rc=0 REJECT first line"$'\t'"second line"$'\t'"third line" \
    "$(ask "lmdbacl:$T/plain" multi.example.com)"
expect_same plain_query_missing_key_exits_1 "rc=1 " \
    "$(ask "lmdbacl:$T/plain" nothere@example.com)"

# Where lmdbacl answers what smtpd would conclude and hash: answers only
# the literal key (SPEC 4): a host name under a plain parent domain
# (parent_domain_matches_subdomains holds smtpd_access_maps by default)
# and an address under a truncated network key.
expect_same parent_domain_key_answers_subdomain_query \
    "rc=0 REJECT domain entry" "$(ask "lmdbacl:$T/plain" mx.sub.example.com)"
expect_same hash_answers_only_the_literal_subdomain_query "rc=1 " \
    "$(ask "hash:$T/plain" mx.sub.example.com)"
expect_same truncated_network_key_answers_full_address \
    "rc=0 REJECT truncated network" "$(ask "lmdbacl:$T/plain" 192.0.2.1)"
expect_same truncated_network_key_does_not_answer_other_network "rc=1 " \
    "$(ask "lmdbacl:$T/plain" 192.0.20.1)"
pfi_conf "$work" "parent_domain_matches_subdomains =" || exit 99
expect_same dot_style_parent_domain_key_does_not_answer_subdomain "rc=1 " \
    "$(ask "lmdbacl:$T/plain" mx.sub.example.com)"
postconf -c "$work/etc" -X parent_domain_matches_subdomains || exit 99

# postmap -q - : keys on stdin, "key<TAB>value" for each found one.
printf '%s\n' "${plain_keys[@]}" >"$T/plain.keys"
ref=$(pmc -q - "lmdbacl:$T/plain" <"$T/plain.keys" 2>&1; echo "rc=$?")
for type in "${plain_types[@]}"; do
	expect_same "plain_stdin_query_same_as_$type" \
	    "$(pmc -q - "$type:$T/plain" <"$T/plain.keys" 2>&1; echo "rc=$?")" \
	    "$ref"
done

# postmap -s: the same entries (sequence order is the table's own).
ref=$(pmc -s "lmdbacl:$T/plain" 2>&1 | LC_ALL=C sort)
for type in "${seq_types[@]}"; do
	expect_same "plain_dump_same_as_$type" \
	    "$(pmc -s "$type:$T/plain" 2>&1 | LC_ALL=C sort)" "$ref"
done
[ -n "$ref" ] || fail plain_dump_not_empty "entries" "nothing"

# Duplicates: both warn; -w silences; -r keeps the last value.
declare -A count
for type in lmdbacl hash; do
	err=$(pmc "$type:$T/plain" 2>&1 >/dev/null)
	if [[ $err == *duplicate* && $err == *dup.example.com* ]]; then
		pass "duplicate_key_warns_with_$type"
	else
		fail "duplicate_key_warns_with_$type" "a duplicate warning" "'$err'"
	fi
	count[$type]=$(printf "%s\n" "$err" | grep -c duplicate)
	err=$(pmc -w "$type:$T/plain" 2>&1 >/dev/null)
	expect_same "duplicate_warning_silenced_by_-w_with_$type" "" "$err"
done
expect_same duplicate_key_warns_once_as_hash "${count[hash]}" "${count[lmdbacl]}"
cp "$T/plain" "$T/plain_r"
build "lmdbacl:$T/plain_r" -r
build "hash:$T/plain_r" -r
expect_same "duplicate_key_-r_keeps_last_value_as_hash" \
    "$(ask "hash:$T/plain_r" dup.example.com)" \
    "$(ask "lmdbacl:$T/plain_r" dup.example.com)"

# Updates: -i (stdin "key value"), -i -r, -d; cdb: cannot be updated.
update_types=(hash lmdb)
for type in lmdbacl "${update_types[@]}"; do
	cp "$T/plain" "$T/upd_$type"
	build "$type:$T/upd_$type" -w
done
upd_out() { # TYPE: the effect of a fixed sequence of updates
	local type=$1 map=$1:$T/upd_$1
	printf 'new@example.com OK added\nexample.com OK not replaced\n' |
	    pmc -i -w "$map" 2>/dev/null
	echo "i=$? $(ask "$map" new@example.com) / $(ask "$map" example.com)"
	printf 'example.com OK replaced\n' | pmc -i -r "$map" 2>/dev/null
	echo "ir=$? $(ask "$map" example.com)"
	pmc -d user@example.com "$map" 2>/dev/null
	echo "d=$? $(ask "$map" user@example.com) / $(ask "$map" user@)"
	pmc -d nothere@example.com "$map" 2>/dev/null
	echo "dmissing=$?"
	printf 'new@example.com\n192.0.2\n' | pmc -d - "$map" 2>/dev/null
	echo "dstdin=$? $(ask "$map" new@example.com) / $(ask "$map" 192.0.2)"
	pmc -s "$map" 2>/dev/null | LC_ALL=C sort
}
ref=$(upd_out lmdbacl)
for type in "${update_types[@]}"; do
	expect_same "updates_-i_-r_-d_same_as_$type" "$(upd_out "$type")" "$ref"
done
expect_same update_-i_adds_key "rc=0 OK added" \
    "$(printf 'x@example.net OK added\n' | pmc -i "lmdbacl:$T/upd_lmdbacl";
    ask "lmdbacl:$T/upd_lmdbacl" x@example.net)"

########################################################################
# Wildcards and CIDR keys: what lmdbacl adds.
cat >"$T/wild" <<'EOF'
# Wildcard and network keys.
*.example.info		OK wildcard info
.example.biz		OK leading dot biz
bad.example.info	REJECT exact inside wildcard
example.net		REJECT plain net
192.0.2.0/24		REJECT net 24
192.0.2.128/25		OK net 25
192.0.2.200		REJECT host 200
2001:db8::/32		REJECT v6 net 32
[2001:db8:1::]/48	OK v6 net 48
EOF
cat >"$T/wild.pcre" <<'EOF'
# wild's names in first-match order, for pcre:
/^bad\.example\.info$/	REJECT exact inside wildcard
/\.bad\.example\.info$/	REJECT exact inside wildcard
/\.example\.info$/	OK wildcard info
/\.example\.biz$/	OK leading dot biz
EOF
cat >"$T/wild.cidr" <<'EOF'
# wild's networks in most-specific-first order, for cidr:
192.0.2.200/32		REJECT host 200
192.0.2.128/25		OK net 25
192.0.2.0/24		REJECT net 24
[2001:db8:1::]/48	OK v6 net 48
2001:db8::/32		REJECT v6 net 32
EOF
chmod 0644 "$T"/wild*
build "lmdbacl:$T/wild"
build "hash:$T/wild"

expect_same wildcard_matches_one_level_down "rc=0 OK wildcard info" \
    "$(ask "lmdbacl:$T/wild" mx.example.info)"
expect_same wildcard_matches_three_levels_down "rc=0 OK wildcard info" \
    "$(ask "lmdbacl:$T/wild" a.b.mx.example.info)"
expect_same hash_wildcard_key_is_a_literal_string "rc=1 " \
    "$(ask "hash:$T/wild" mx.example.info)"
expect_same wildcard_does_not_match_its_own_domain "rc=1 " \
    "$(ask "lmdbacl:$T/wild" example.info)"
expect_same leading_dot_is_wildcard "rc=0 OK leading dot biz" \
    "$(ask "lmdbacl:$T/wild" www.example.biz)"
expect_same exact_key_beats_wildcard "rc=0 REJECT exact inside wildcard" \
    "$(ask "lmdbacl:$T/wild" bad.example.info)"
for k in mx.example.info a.b.mx.example.info example.info www.example.biz \
    example.biz bad.example.info x.bad.example.info notexample.info \
    MX.EXAMPLE.INFO; do
	expect_same "wildcard_query_${k}_same_as_pcre" \
	    "$(ask "pcre:$T/wild.pcre" "$k")" "$(ask "lmdbacl:$T/wild" "$k")"
done

expect_same cidr_key_matches_address_inside "rc=0 REJECT net 24" \
    "$(ask "lmdbacl:$T/wild" 192.0.2.77)"
expect_same cidr_longest_prefix_wins "rc=0 OK net 25" \
    "$(ask "lmdbacl:$T/wild" 192.0.2.129)"
expect_same cidr_exact_address_beats_networks "rc=0 REJECT host 200" \
    "$(ask "lmdbacl:$T/wild" 192.0.2.200)"
expect_same hash_cidr_key_is_a_literal_string "rc=1 " \
    "$(ask "hash:$T/wild" 192.0.2.77)"
for k in 192.0.2.0 192.0.2.77 192.0.2.127 192.0.2.128 192.0.2.200 \
    192.0.2.255 192.0.3.0 192.0.1.255 2001:db8::1 2001:DB8:0:0::1 \
    2001:db8:1::5 2001:db8:2::5 2001:db9::1 ::ffff:192.0.2.77; do
	expect_same "cidr_query_${k}_same_as_cidr" \
	    "$(ask "cidr:$T/wild.cidr" "$k")" "$(ask "lmdbacl:$T/wild" "$k")"
done

########################################################################
# Bad keys: the build fails and the previous table keeps serving.
before_sum=$(sha256sum <"$T/wild.lmdbacl")
before_ls=$(ls -a "$T")
n=$(($(wc -l <"$T/wild") + 1))
cp "$T/wild" "$work/wild.good"
for bad in 'foo*bar OK' '@example.com OK' '*@example.com OK' \
    '192.0.2.1/24 OK' 'novalue.example.com'; do
	cp "$work/wild.good" "$T/wild"
	printf '%s\n' "$bad" >>"$T/wild"
	err=$(pmc "lmdbacl:$T/wild" 2>&1)
	rc=$?
	name="bad_key_${bad%% *}"
	if [ "$rc" -eq 0 ]; then
		fail "${name}_fails_the_build" "non-zero exit" "exit 0"
	elif [[ $err != *"wild"*"$n"* ]]; then
		fail "${name}_fails_the_build" "a message naming wild line $n" "'$err'"
	else
		pass "${name}_fails_the_build"
	fi
	expect_same "${name}_leaves_previous_table_serving" \
	    "rc=0 OK wildcard info" "$(ask "lmdbacl:$T/wild" mx.example.info)"
done
cp "$work/wild.good" "$T/wild"
expect_same failed_builds_leave_table_file_unchanged "$before_sum" \
    "$(sha256sum <"$T/wild.lmdbacl")"
expect_same failed_builds_leave_no_file_behind "$before_ls" "$(ls -a "$T")"

########################################################################
# The bundled examples (tools/demo serves them) build without a word.
mkdir -m 0755 "$work/examples"
for t in helo_access sender_access client_access; do
	cp "$top_srcdir/examples/$t" "$work/examples/$t"
	err=$(pmc "lmdbacl:$work/examples/$t" 2>&1)
	expect_same "example_${t}_builds_without_warnings" "rc=0 " "rc=$? $err"
done

########################################################################
# postmap and the command build the same file.
if [ -x "$LMDBACL" ]; then
	cp "$T/wild" "$T/wild2"
	lmdbacl compile "$T/wild2" >/dev/null 2>&1 ||
	    fail command_compile_succeeds "exit 0" "exit $?"
	expect_same postmap_and_command_build_identical_files \
	    "$(sha256sum <"$T/wild.lmdbacl")" "$(sha256sum <"$T/wild2.lmdbacl")"
fi

# A table whose file is missing is an error, never "not found".
out=$(pmc -q example.net "lmdbacl:$T/nosuchtable" 2>"$work/err")
rc=$?
if [ "$rc" -ne 0 ] && [ -z "$out" ] && [ -s "$work/err" ]; then
	pass missing_table_query_fails_with_a_message
else
	fail missing_table_query_fails_with_a_message \
	    "non-zero exit, a message" "exit $rc, '$out', '$(cat "$work/err")'"
fi


########################################################################
# UTF-8 keys: Postfix folds them fully (ICU) when smtputf8_enable = yes
# and ASCII only when no; an lmdbacl table answers alike under both, and
# postmap lmdbacl: writes what lmdbacl compile writes under both.
printf 'B\303\234CHER.example OK upper\nstra\303\237e.example REJECT sharp s\n' >"$T/utf8"
for mode in yes no; do
	postconf -c "$work/etc" -e "smtputf8_enable = $mode"
	cp "$T/utf8" "$T/utf8_$mode"
	build "lmdbacl:$T/utf8_$mode"
	"$LMDBACL" compile "$T/utf8_$mode" "$T/utf8c_$mode" 2>/dev/null
	expect_same "utf8_postmap_build_equals_compile_smtputf8_$mode" same \
	    "$(cmp -s "$T/utf8_$mode.lmdbacl" "$T/utf8c_$mode.lmdbacl" && echo same)"
	expect_same "utf8_upper_key_matches_any_case_smtputf8_$mode" \
	    "rc=0 OK upper rc=0 OK upper" \
	    "$(ask "lmdbacl:$T/utf8_$mode" $'b\303\274cher.example') $(ask "lmdbacl:$T/utf8_$mode" $'B\303\234CHER.EXAMPLE')"
	expect_same "utf8_sharp_s_folds_to_ss_smtputf8_$mode" "rc=0 REJECT sharp s" \
	    "$(ask "lmdbacl:$T/utf8_$mode" 'strasse.example')"
done

# Under smtputf8_enable = yes the plugin is not wrapped in dict_utf8: it
# does the wrapper's checks itself. A non-UTF-8 query gets lmdb:'s
# warning and outcome, a valid one its answer.
postconf -c "$work/etc" -e "smtputf8_enable = yes"
printf 'good.example OK fine\n' >"$T/u8chk"
build "lmdbacl:$T/u8chk" && build "lmdb:$T/u8chk"
declare -A u8q
for t in lmdbacl lmdb; do
	out=$(pmc -q $'bad\377.example' "$t:$T/u8chk" 2>&1)
	u8q[$t]="rc=$? $(printf '%s' "$out" | sed -n 's/.*warning: [a-z]*:[^:]*: //p')"
done
expect_same utf8_bad_query_warns_as_lmdb_does "${u8q[lmdb]}" "${u8q[lmdbacl]}"
expect_same utf8_bad_query_warning_says_non_utf8 yes \
    "$(case ${u8q[lmdbacl]} in rc=1\ non-UTF-8\ key*) echo yes ;; *) echo "no: ${u8q[lmdbacl]}" ;; esac)"
expect_same utf8_checked_query_still_answers "rc=0 fine" \
    "$(ask "lmdbacl:$T/u8chk" GOOD.example | sed 's/OK //')"
postconf -c "$work/etc" -e "smtputf8_enable = no"

########################################################################
# A large source (1 MB and more): the plugin reads and writes it on a
# thread while postmap reads it, and installs it at close. The file is
# the one lmdbacl compile writes; bad lines anywhere are reported in
# line order, fail the build, and leave the previous table serving with
# no file left behind; postmap -r still makes the later duplicate win.
perl -e 'for my $i (1 .. 40000) { printf "h%06d.example.net OK big %06d\n", $i, $i; }' >"$T/big"
build "lmdbacl:$T/big"
expect_same big_source_first_and_last_rules "rc=0 OK big 000001 rc=0 OK big 040000" \
    "$(ask "lmdbacl:$T/big" h000001.example.net) $(ask "lmdbacl:$T/big" h040000.example.net)"
if [ -x "$LMDBACL" ]; then
	"$LMDBACL" compile "$T/big" "$work/bigc" >/dev/null 2>&1
	expect_same big_source_postmap_and_command_identical_files same \
	    "$(cmp -s "$T/big.lmdbacl" "$work/bigc.lmdbacl" && echo same)"
fi
before_sum=$(sha256sum <"$T/big.lmdbacl")
before_ls=$(ls -a "$T")
cp "$T/big" "$work/big.good"
perl -pi -e 'print "bad*one.example OK\n" if $. == 3;
    print "novalue.example\n" if $. == 39000;
    print "h000007.example.net REJECT dup\n" if $. == 39500' "$T/big"
err=$(pmc "lmdbacl:$T/big" 2>&1)
expect_same big_source_bad_lines_fail_the_build 1 "$?"
expect_same big_source_bad_lines_reported_in_line_order \
    "postmap: warning: $T/big, line 39001: expected format: key whitespace value
postmap: warning: $T/big, line 3: \"bad*one.example\": '*' is allowed only as the whole first label, as in *.example.com
postmap: warning: $T/big, line 39001: expected format: key whitespace value
postmap: warning: $T/big, line 39502: duplicate entry for \"h000007.example.net\" (first at line 8); keeping the value of line 8
postmap: fatal: lmdbacl:$T/big: $T/big: 2 errors; the table was not changed" "$err"
expect_same big_source_failed_build_leaves_table_file_unchanged "$before_sum" \
    "$(sha256sum <"$T/big.lmdbacl")"
cp "$work/big.good" "$T/big"
expect_same big_source_failed_build_leaves_no_file_behind "$before_ls" "$(ls -a "$T")"
printf 'h000007.example.net REJECT later\n' >>"$T/big"
build "lmdbacl:$T/big" -r
expect_same big_source_postmap_r_later_duplicate_wins "rc=0 REJECT later" \
    "$(ask "lmdbacl:$T/big" h000007.example.net)"

harness_finish
