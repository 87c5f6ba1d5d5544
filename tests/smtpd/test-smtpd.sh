#!/bin/bash
# NAME
#	test-smtpd.sh - lmdbacl tables behind a real, private smtpd
# SYNOPSIS
#	LMDBACL_PLUGIN=... LMDBACL=... tests/smtpd/test-smtpd.sh
# DESCRIPTION
#	Starts a private Postfix instance (tests/lib/postfix-instance.sh)
#	whose dynamicmaps.cf loads the built plugin, and drives its smtpd
#	over SMTP, with XCLIENT standing in for many clients. Each group of
#	cases sets one restriction list, reloads, and asks smtpd; the
#	same questions are put to Postfix's own table types (hash:, cidr:,
#	pcre:) built from the same source, in the same run, so that
#	every difference is one the SPEC intends:
#
#	- HELO: check_helo_access lmdbacl:, then reject. *.example.com
#	  lets sppim501.ipc.us.example.com through, which hash: cannot.
#	- sender: check_sender_access lmdbacl:, then defer, so that "no
#	  entry" (450) differs from REJECT (5xx) and OK (250).
#	- client: check_client_access lmdbacl:, then defer, driven by
#	  XCLIENT ADDR= and NAME=[UNAVAILABLE]; CIDR keys against cidr:.
#	- unavailable tables (missing, empty, foreign file) answer
#	  451 4.3.5, as a missing hash: table does.
#	- a table rebuilt under a running smtpd is seen by the next
#	  session (dict_changed_name), as with hash:.
#
#	Tables are compiled with "$LMDBACL compile FILE" (or, without the
#	command, "postmap lmdbacl:FILE"). Restrictions decide at RCPT TO
#	(smtpd_delay_reject=yes), so every case reports the RCPT reply.
# ENVIRONMENT
#	LMDBACL_PLUGIN	the built postfix-lmdbacl.so (default
#			$top_builddir/dict_lmdbacl/.libs/postfix-lmdbacl.so)
#	LMDBACL		the built command (default $top_builddir/tools/lmdbacl)
#	TMPDIR		where the instance lives (default /tmp)
#	LMDBACL_TEST_KEEP	set: keep the temporary directory (tables, maillog)
# DIAGNOSTICS
#	One "PASS: case" or "FAIL: case (expected X got Y)" line per case,
#	then "N passed, M failed". Exit 0 when all pass, 1 on a failure,
#	77 (skip) when not root or the plugin is missing.
set -u

. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/postfix-instance.sh"
harness_init
: "${PFI_SMTP_TIMEOUT:=10}"
export PFI_SMTP_TIMEOUT

work=$(mktemp -d "${TMPDIR:-/tmp}/lmdbacl-smtpd.XXXXXX") || exit 99
trap 'pfi_stop "$work"; [ -n "${LMDBACL_TEST_KEEP:-}" ] || rm -rf "$work"' EXIT
trap 'exit 130' INT TERM HUP
port=$(pfi_free_port) || exit 99
pfi_create "$work" "$port" "$LMDBACL_PLUGIN" || exit 99
# Under tools/run-tests --asan the daemons get the sanitizer runtimes;
# the last case looks for their reports.
pfi_sanitizers "$work" || exit 99
T=$work/tables
mkdir -m 0755 "$T"

# compile_lmdbacl FILE - FILE.lmdbacl from access(5) text
compile_lmdbacl() {
	local out
	if [ -x "$LMDBACL" ]; then
		out=$(lmdbacl compile "$1" 2>&1)
	else
		out=$(pm -c "$work/etc" "lmdbacl:$1" 2>&1)
	fi || {
		fail "compile_$(basename "$1")" "exit 0" "failure: $out"
		return 1
	}
}

# postmap_build TYPE:FILE - Postfix's own types, the reference
postmap_build() {
	postmap -c "$work/etc" "$1" || fail "postmap_$1" "exit 0" "failure"
}

# restrict CLIENT HELO SENDER - set the three lists, and reload
restrict() {
	pfi_conf "$work" "smtpd_client_restrictions = $1" \
	    "smtpd_helo_restrictions = $2" \
	    "smtpd_sender_restrictions = $3" || exit 99
	rm -f "$work/stuck"
	pfi_reload "$work" || exit 99
}

# ask [pfi_smtp options] - one session; print its reply. After a
# session that got no answer (smtpd died at start-up, and the master
# throttles the service), the rest of the group is not waited for.
ask() {
	local r
	if [ -f "$work/stuck" ]; then
		echo "no answer (an earlier session timed out)"
		return
	fi
	r=$(pfi_smtp "$port" "$@")
	case $r in
	[0-9][0-9][0-9]*) ;;
	*:[0-9][0-9][0-9]*) ;;
	*)
		: >"$work/stuck"
		echo "smtpd gave no answer; recent maillog problems:" >&2
		grep -E 'fatal|panic|warning' "$work/maillog" | tail -n 5 >&2
		;;
	esac
	echo "$r"
}
helo() { ask --helo "$1"; }
sender() { ask --from "$1"; }
client() { ask --addr "$1" --name '[UNAVAILABLE]'; }


cat >"$T/helo_access" <<'EOF'
# A bank relays through hosts whose HELO names do not resolve.
*.example.com		OK
# One host inside the wildcard is not welcome: the exact key wins.
bad.example.com		REJECT bad host inside the wildcard
# A leading dot means the same as "*.".
.example.org		OK
EOF
cat >"$T/helo_access.pcre" <<'EOF'
# helo_access in first-match order, for pcre:
/^bad\.example\.com$/	REJECT bad host inside the wildcard
/\.bad\.example\.com$/	REJECT bad host inside the wildcard
/\.example\.com$/	OK
/\.example\.org$/	OK
EOF
cat >"$T/sender_access" <<'EOF'
# Sender domains and addresses.
example.org		OK
spam1.example.net	REJECT listed spammer
*.example.info		OK
baduser@example.edu	REJECT no such user
<>			REJECT null sender refused here
EOF
cat >"$T/client_access" <<'EOF'
# Client addresses: networks, one host excepted, a truncated key.
192.0.2.0/24		REJECT documentation net
192.0.2.10		OK
198.51.100		REJECT truncated net
2001:db8::/32		REJECT v6 documentation net
*.dyn.example.net	REJECT dynamic pool
EOF
# The non-overlapping part of client_access, as cidr: writes it.
cat >"$T/client_access.cidr" <<'EOF'
192.0.2.0/24		REJECT documentation net
198.51.100.0/24		REJECT truncated net
2001:db8::/32		REJECT v6 documentation net
EOF
chmod 0644 "$T"/*

compile_lmdbacl "$T/helo_access"
compile_lmdbacl "$T/sender_access"
compile_lmdbacl "$T/client_access"
postmap_build "hash:$T/helo_access"
postmap_build "hash:$T/sender_access"
postmap_build "hash:$T/client_access"

pfi_conf "$work" "smtpd_helo_required = yes" || exit 99
pfi_start "$work" || exit 99

# The smtpd sanity check: with no restrictions, the recipient passes.
expect_code instance_accepts_recipient 250 "$(helo mx.example.net)"

########################################################################
# HELO
helo_names="sppim501.ipc.us.example.com mx.example.com example.com
    mail.example.net bad.example.com x.bad.example.com
    SPPIM501.IPC.US.EXAMPLE.COM a.b.example.org example.org notexample.com"
declare -A by_lmdbacl by_hash by_pcre

restrict "" "check_helo_access lmdbacl:$T/helo_access, reject" ""
for h in $helo_names; do by_lmdbacl[$h]=$(helo "$h"); done
expect_code helo_wildcard_matches_three_levels_down 250 \
    "${by_lmdbacl[sppim501.ipc.us.example.com]}"
expect_code helo_wildcard_matches_one_level_down 250 \
    "${by_lmdbacl[mx.example.com]}"
expect_code helo_wildcard_does_not_match_its_own_domain 5xx \
    "${by_lmdbacl[example.com]}" "Access denied"
expect_code helo_unlisted_name_rejected 5xx \
    "${by_lmdbacl[mail.example.net]}" "Access denied"
expect_code helo_exact_key_beats_wildcard 5xx \
    "${by_lmdbacl[bad.example.com]}" "bad host inside the wildcard"
expect_code helo_nearer_parent_beats_wildcard 5xx \
    "${by_lmdbacl[x.bad.example.com]}" "bad host inside the wildcard"
expect_code helo_lookup_folds_case 250 \
    "${by_lmdbacl[SPPIM501.IPC.US.EXAMPLE.COM]}"
expect_code helo_leading_dot_is_wildcard 250 "${by_lmdbacl[a.b.example.org]}"
expect_code helo_leading_dot_does_not_match_its_own_domain 5xx \
    "${by_lmdbacl[example.org]}" "Access denied"
expect_code helo_wildcard_needs_label_boundary 5xx \
    "${by_lmdbacl[notexample.com]}" "Access denied"
expect_code helo_trailing_dot_ignored 250 "$(helo mx.example.com.)"

restrict "" "check_helo_access hash:$T/helo_access, reject" ""
for h in $helo_names; do by_hash[$h]=$(helo "$h"); done
# The motivating bug: in hash: "*.example.com" is a literal string.
expect_code hash_helo_wildcard_key_never_matches 5xx \
    "${by_hash[sppim501.ipc.us.example.com]}" "Access denied"
for h in example.com mail.example.net bad.example.com x.bad.example.com \
    example.org notexample.com; do
	expect_same_reply "helo_same_as_hash_for_$h" "${by_hash[$h]}" \
	    "${by_lmdbacl[$h]}"
done

restrict "" "check_helo_access pcre:$T/helo_access.pcre, reject" ""
for h in $helo_names; do by_pcre[$h]=$(helo "$h"); done
for h in $helo_names; do
	expect_same_reply "helo_same_as_pcre_for_$h" "${by_pcre[$h]}" \
	    "${by_lmdbacl[$h]}"
done

########################################################################
# Sender
senders="a@example.org a@spam1.example.net a@mx.example.info a@example.info
    baduser@example.edu gooduser@example.edu a@sub.example.org
    BadUser@Example.EDU <>"
unset by_lmdbacl by_hash
declare -A by_lmdbacl by_hash
from_of() { [ "$1" = "<>" ] && echo "" || echo "$1"; }

restrict "" "" "check_sender_access lmdbacl:$T/sender_access, defer"
for s in $senders; do by_lmdbacl[$s]=$(sender "$(from_of "$s")"); done
expect_code sender_domain_key_accepts 250 "${by_lmdbacl[a@example.org]}"
expect_code sender_domain_key_rejects 5xx \
    "${by_lmdbacl[a@spam1.example.net]}" "listed spammer"
expect_code sender_wildcard_matches_subdomain 250 \
    "${by_lmdbacl[a@mx.example.info]}"
expect_code sender_wildcard_does_not_match_its_own_domain 450 \
    "${by_lmdbacl[a@example.info]}"
expect_code sender_address_key_rejects 5xx \
    "${by_lmdbacl[baduser@example.edu]}" "no such user"
expect_code sender_unlisted_address_falls_through 450 \
    "${by_lmdbacl[gooduser@example.edu]}"
expect_code sender_parent_domain_matches_subdomain 250 \
    "${by_lmdbacl[a@sub.example.org]}"
expect_code sender_lookup_folds_case 5xx \
    "${by_lmdbacl[BadUser@Example.EDU]}" "no such user"
expect_code sender_null_sender_key 5xx "${by_lmdbacl[<>]}" \
    "null sender refused"

restrict "" "" "check_sender_access hash:$T/sender_access, defer"
for s in $senders; do by_hash[$s]=$(sender "$(from_of "$s")"); done
expect_code hash_sender_wildcard_key_never_matches 450 \
    "${by_hash[a@mx.example.info]}"
for s in a@example.org a@spam1.example.net a@example.info \
    baduser@example.edu gooduser@example.edu a@sub.example.org \
    BadUser@Example.EDU "<>"; do
	expect_same_reply "sender_same_as_hash_for_$s" "${by_hash[$s]}" \
	    "${by_lmdbacl[$s]}"
done

########################################################################
# Client
addrs="192.0.2.10 192.0.2.11 198.51.100.7 203.0.113.5 IPV6:2001:db8::1
    IPV6:2001:db9::1 192.0.3.1"
unset by_lmdbacl by_hash
declare -A by_lmdbacl by_hash by_cidr

restrict "check_client_access lmdbacl:$T/client_access, defer" "" ""
for a in $addrs; do by_lmdbacl[$a]=$(client "$a"); done
expect_code client_exact_address_beats_cidr 250 "${by_lmdbacl[192.0.2.10]}"
expect_code client_cidr_matches_other_address 5xx \
    "${by_lmdbacl[192.0.2.11]}" "documentation net"
expect_code client_truncated_key_matches 5xx \
    "${by_lmdbacl[198.51.100.7]}" "truncated net"
expect_code client_unlisted_address_falls_through 450 \
    "${by_lmdbacl[203.0.113.5]}"
expect_code client_ipv6_cidr_matches 5xx \
    "${by_lmdbacl[IPV6:2001:db8::1]}" "v6 documentation net"
expect_code client_ipv6_outside_cidr_falls_through 450 \
    "${by_lmdbacl[IPV6:2001:db9::1]}"
expect_code client_address_past_cidr_end_falls_through 450 \
    "${by_lmdbacl[192.0.3.1]}"
expect_code client_name_wildcard_matches 5xx \
    "$(ask --addr 203.0.113.9 --name host-1.dyn.example.net)" \
    "dynamic pool"

# A rebuilt table is noticed by the next session, without a reload.
printf '203.0.113.0/24\t\tREJECT rebuilt\n' >>"$T/client_access"
compile_lmdbacl "$T/client_access"
expect_code client_table_rebuild_seen_by_next_session 5xx \
    "$(client 203.0.113.5)" "rebuilt"
sed -i '/REJECT rebuilt/d' "$T/client_access"
compile_lmdbacl "$T/client_access"
expect_same_reply client_table_restored_after_rebuild \
    "${by_lmdbacl[203.0.113.5]}" "$(client 203.0.113.5)"

restrict "check_client_access cidr:$T/client_access.cidr, defer" "" ""
for a in $addrs; do by_cidr[$a]=$(client "$a"); done
for a in 192.0.2.11 198.51.100.7 203.0.113.5 IPV6:2001:db8::1 \
    IPV6:2001:db9::1 192.0.3.1; do
	expect_same_reply "client_same_as_cidr_for_$a" "${by_cidr[$a]}" \
	    "${by_lmdbacl[$a]}"
done

restrict "check_client_access hash:$T/client_access, defer" "" ""
for a in $addrs; do by_hash[$a]=$(client "$a"); done
expect_code hash_client_cidr_key_never_matches 450 "${by_hash[192.0.2.11]}"
for a in 192.0.2.10 198.51.100.7 203.0.113.5; do
	expect_same_reply "client_same_as_hash_for_$a" "${by_hash[$a]}" \
	    "${by_lmdbacl[$a]}"
done

# The same rebuild through hash:, to show it is the behaviour Postfix
# has with its own tables.
# postmap rewrites a hash: file in place and smtpd compares whole-second
# mtimes, so the rebuild must fall in a later second than the open.
sleep 1
printf '203.0.113.5\t\tREJECT rebuilt\n' >>"$T/client_access"
postmap_build "hash:$T/client_access"
expect_code hash_client_table_rebuild_seen_by_next_session 5xx \
    "$(client 203.0.113.5)" "rebuilt"
sed -i '/REJECT rebuilt/d' "$T/client_access"

########################################################################
# Unavailable tables
: >"$T/empty_access.lmdbacl"
printf 'this is not an lmdbacl table\n' >"$T/foreign_access.lmdbacl"
head -c 4096 /dev/urandom >"$T/random_access.lmdbacl"
chmod 0644 "$T"/*.lmdbacl
for t in missing empty foreign random; do
	restrict "check_client_access lmdbacl:$T/${t}_access, permit" "" ""
	r=$(ask)
	expect_code "${t}_table_answers_451_4.3.5" 451 "$r" "4.3.5"
	r2=$(ask)
	expect_code "${t}_table_stays_unavailable" 451 "$r2" "4.3.5"
done
restrict "check_client_access hash:$T/missing_access, permit" "" ""
hash_missing=$(ask)
restrict "check_client_access lmdbacl:$T/missing_access, permit" "" ""
expect_same_reply missing_table_answers_as_missing_hash_table "$hash_missing" \
    "$(ask)"

if [ -n "${LMDBACL_PRELOAD:-}" ]; then
	expect_same no_sanitizer_reports_from_the_daemons "" \
	    "$(pfi_sanitizer_reports "$work")"
fi

harness_finish
