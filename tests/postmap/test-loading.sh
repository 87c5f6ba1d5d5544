#!/bin/bash
# NAME
#	test-loading.sh - what Postfix says when it cannot load the plugin
# SYNOPSIS
#	LMDBACL_PLUGIN=... tests/postmap/test-loading.sh
# DESCRIPTION
#	Postfix (src/global/dynamicmaps.c) reads $meta_directory/dynamicmaps.cf
#	and every file in dynamicmaps.cf.d, skips a file that is not owned by
#	root or is group- or world-writable, and refuses a plugin .so with
#	the same faults. Each case below breaks one thing in a private
#	instance (tests/lib/postfix-instance.sh) and pins what the real
#	postmap says, and its exit status, both for a lookup
#	("postmap -q KEY lmdbacl:FILE") and for a build
#	("postmap lmdbacl:FILE"):
#
#	- the .so owned by a non-root user, group-writable, world-writable;
#	- the private dynamicmaps.cf (where pfi_create registers the
#	  plugin) owned by a non-root user or group-writable;
#	- dynamicmaps.cf.d/lmdbacl (where make install registers it) owned
#	  by a non-root user, group-writable, world-writable, or absent;
#	- the entry without its mkmap field, with only two fields, naming
#	  a missing .so, a relative so-name, a wrong dict or mkmap function,
#	  and the entry registered twice;
#	- control cases: the correct setup, in both places, works.
#
#	Then the instance is started and its smtpd is asked, with the
#	table in check_helo_access: what it answers and what it logs in
#	DIR/maillog with the .so owned by a non-root user, with a
#	group-writable dynamicmaps.cf.d/lmdbacl, with the entry without its
#	mkmap field (smtpd does not need it), and with a wrong dict function
#	name (smtpd dies at start-up and the master throttles it).
#
#	Every message quoted in the TROUBLESHOOTING section of
#	lmdbacl_table(5) is asserted here.
# ENVIRONMENT
#	LMDBACL_PLUGIN	the built postfix-lmdbacl.so (default
#			$top_builddir/dict_lmdbacl/.libs/postfix-lmdbacl.so)
#	TMPDIR		where the instance lives (default /tmp)
#	LMDBACL_TEST_KEEP	set: keep the temporary directory (maillog)
# DIAGNOSTICS
#	One "PASS: case" or "FAIL: case" line (with the expected and the
#	actual text) per case, then "N passed, M failed". Exit 0 when all
#	pass, 1 on a failure, 77 (skip) when not root, without Postfix or
#	without the plugin.
set -u
# harness.sh brings common.sh (check, finish) and harness_init (root,
# Postfix and the plugin, or exit 77).
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/postfix-instance.sh"
harness_init
: "${PFI_SMTP_TIMEOUT:=5}"
export PFI_SMTP_TIMEOUT

work=$(mktemp -d "${TMPDIR:-/tmp}/lmdbacl-loading.XXXXXX") || exit 99
trap 'pfi_stop "$work"; [ -n "${LMDBACL_TEST_KEEP:-}" ] || rm -rf "$work"' EXIT
trap 'exit 130' INT TERM HUP
port=$(pfi_free_port) || exit 99
pfi_create "$work" "$port" "$LMDBACL_PLUGIN" || exit 99
# Under tools/run-tests --asan the plugin needs the sanitizer runtimes
# in smtpd too.
pfi_sanitizers "$work" || exit 99

cf=$work/etc/dynamicmaps.cf
dfile=$work/etc/dynamicmaps.cf.d/lmdbacl
so=$work/lib/postfix-lmdbacl.so
T=$work/tables
mkdir -m 0755 "$T"
printf '*.example.org\tREJECT wild\n' >"$T/access"
chmod 0644 "$T/access"
map=lmdbacl:$T/access

# The system's entries, as pfi_create copied them, and the right entry.
sys_lines=$(grep -v '^lmdbacl[[:space:]]' "$cf")
entry() { local IFS=$'\t'; printf '%s' "$*"; }
good=$(entry lmdbacl "$so" dict_lmdbacl_open mkmap_lmdbacl_open)

# register private|installed [LINE] - put LINE (default: the right
# entry; "" for none) in the private dynamicmaps.cf, as pfi_create
# does, or in dynamicmaps.cf.d/lmdbacl beside the system's entries, as
# make install does. Every file is reset to root-owned, not writable.
register() {
	local where=$1 line=${2-$good}
	rm -f "$dfile"
	case $where in
	private)
		printf '%s\n' "$sys_lines" ${line:+"$line"} >"$cf"
		;;
	installed)
		printf '%s\n' "$sys_lines" >"$cf"
		if [ -n "$line" ]; then
			printf '%s\n' "# dict-type	so-name (pathname)	dict-function	mkmap-function" \
			    "$line" >"$dfile"
			chown root:root "$dfile" && chmod 0644 "$dfile"
		fi
		;;
	esac
	chown root:root "$cf" "$so" && chmod 0644 "$cf" && chmod 0755 "$so"
}

# pm_to NAME ARGS... - the real postmap with the private configuration;
# its stdout, stderr and exit status go to $work/NAME.{out,err,rc}. Not
# under valgrind: the cases end in Postfix's own fatal exits, whose
# memory is Postfix's; the sanitizer runtimes stay preloaded, or an
# ASan plugin cannot load.
pm_to() {
	local name=$1
	shift
	LMDBACL_VALGRIND='' pm -c "$work/etc" "$@" >"$work/$name.out" \
	    2>"$work/$name.err"
	echo $? >"$work/$name.rc"
}

# got NAME - rc, out and err of the postmap run NAME
got() {
	rc=$(cat "$work/$1.rc")
	out=$(cat "$work/$1.out")
	err=$(cat "$work/$1.err")
}

# ask - "postmap -q" for a key that the table answers (the run named
# lookup) and "postmap lmdbacl:FILE" (build), at once: every fatal error
# costs a second, because Postfix's msg_fatal() sleeps before it exits.
ask() {
	pm_to lookup -q x.example.org "$map" &
	pm_to build "$map" &
	wait
}

# like NAME PATTERN TEXT - a case that passes when TEXT matches the
# glob PATTERN (for messages that end in the C library's own words)
like() {
	# shellcheck disable=SC2053
	if [[ $3 == $2 ]]; then
		check "$1" "$2" "$2"
	else
		check "$1" "$2" "$3"
	fi
}

W="postmap: warning:"
F="postmap: fatal:"
unsupported="unsupported dictionary type: lmdbacl"
nonroot="file is owned or writable by non-root users"

########################################################################
# Control: the right entry, in either place, looks up and builds.
for where in private installed; do
	register "$where"
	pm_to build "$map"; got build
	check "${where}_entry_builds" "rc=0 " "rc=$rc $err"
	pm_to lookup -q x.example.org "$map"; got lookup
	check "${where}_entry_looks_up" "rc=0 REJECT wild " "rc=$rc $out $err"
done
cp "$T/access.lmdbacl" "$T/saved.lmdbacl"

########################################################################
# The .so: owned by a non-root user, group-writable, world-writable.
for fault in owned_by_nobody group_writable world_writable; do
	register private
	case $fault in
	owned_by_nobody) chown 65534 "$so" ;;
	group_writable) chmod 0775 "$so" ;;
	world_writable) chmod 0757 "$so" ;;
	esac
	ask; got lookup
	check "so_${fault}_lookup_fails" "rc=1" "rc=$rc"
	check "so_${fault}_lookup_says" \
	    "$W $unsupported ($so: $nonroot)"$'\n'"$F $unsupported" "$err"
	got build
	check "so_${fault}_build_fails" "rc=1" "rc=$rc"
	check "so_${fault}_build_says" "$F $unsupported ($so: $nonroot)" "$err"
done

########################################################################
# The private dynamicmaps.cf, the only file: skipped, and with it every
# dynamic type, so that the build does not even reach the plugin hook.
for fault in owned_by_nobody group_writable; do
	register private
	case $fault in
	owned_by_nobody) chown 65534 "$cf" ;;
	group_writable) chmod 0664 "$cf" ;;
	esac
	skip="$W $cf: $nonroot -- skipping this file"
	ask; got lookup
	check "dynamicmaps_cf_${fault}_lookup_fails" "rc=1" "rc=$rc"
	check "dynamicmaps_cf_${fault}_lookup_says" \
	    "$skip"$'\n'"$F $unsupported" "$err"
	got build
	check "dynamicmaps_cf_${fault}_build_fails" "rc=1" "rc=$rc"
	check "dynamicmaps_cf_${fault}_build_says" \
	    "$skip"$'\n'"$F unsupported map type for this operation: lmdbacl" \
	    "$err"
done

########################################################################
# dynamicmaps.cf.d/lmdbacl, as make install writes it: skipped, while
# the system's entries in dynamicmaps.cf still load.
for fault in owned_by_nobody group_writable world_writable absent; do
	register installed
	skip="$W $dfile: $nonroot -- skipping this file"$'\n'
	case $fault in
	owned_by_nobody) chown 65534 "$dfile" ;;
	group_writable) chmod 0664 "$dfile" ;;
	world_writable) chmod 0646 "$dfile" ;;
	absent) rm -f "$dfile"; skip= ;;
	esac
	ask; got lookup
	check "dynamicmaps_d_${fault}_lookup_fails" "rc=1" "rc=$rc"
	check "dynamicmaps_d_${fault}_lookup_says" "$skip$F $unsupported" "$err"
	got build
	check "dynamicmaps_d_${fault}_build_fails" "rc=1" "rc=$rc"
	check "dynamicmaps_d_${fault}_build_says" \
	    "$skip$F $unsupported. Is the postfix-lmdbacl package installed?" \
	    "$err"
done

########################################################################
# The entry itself.

# Three fields: lookups work, builds do not, the old table stays.
register installed "$(entry lmdbacl "$so" dict_lmdbacl_open)"
ask; got lookup
check entry_without_mkmap_lookup_works "rc=0 REJECT wild " "rc=$rc $out $err"
got build
check entry_without_mkmap_build_fails "rc=1" "rc=$rc"
check entry_without_mkmap_build_says \
    "$F $unsupported does not support bulk-mode creation." "$err"
check entry_without_mkmap_build_keeps_table same \
    "$(cmp -s "$T/saved.lmdbacl" "$T/access.lmdbacl" && echo same)"

# Two fields: the whole file is refused, for every program.
register installed "$(entry lmdbacl "$so")"
expected="$F $dfile, line 2: Expected \"dict-type .so-name dict-function [mkmap-function]\""
ask; got lookup
check entry_with_two_fields_lookup_fails "rc=1" "rc=$rc"
check entry_with_two_fields_lookup_says "$expected" "$err"
got build
check entry_with_two_fields_build_fails "rc=1" "rc=$rc"
check entry_with_two_fields_build_says "$expected" "$err"

# A .so that is not there.
missing=$work/lib/postfix-lmdbacl-missing.so
register installed "$(entry lmdbacl "$missing" dict_lmdbacl_open mkmap_lmdbacl_open)"
ask; got lookup
check entry_missing_so_lookup_fails "rc=1" "rc=$rc"
check entry_missing_so_lookup_says \
    "$W $unsupported ($missing: No such file or directory)"$'\n'"$F $unsupported" \
    "$err"
got build
check entry_missing_so_build_fails "rc=1" "rc=$rc"
check entry_missing_so_build_says \
    "$F $unsupported ($missing: No such file or directory). Is the postfix-lmdbacl package installed?" \
    "$err"

# A so-name without a directory is looked up in $shlib_directory.
register installed "$(entry lmdbacl postfix-lmdbacl.so dict_lmdbacl_open mkmap_lmdbacl_open)"
pfi_conf "$work" "shlib_directory = $work/lib" || exit 99
pm_to lookup -q x.example.org "$map"; got lookup
check entry_relative_so_found_in_shlib_directory "rc=0 REJECT wild " \
    "rc=$rc $out $err"
pfi_conf "$work" "shlib_directory = $work/nolib" || exit 99
pm_to lookup -q x.example.org "$map"; got lookup
check entry_relative_so_not_in_shlib_directory_lookup_fails "rc=1" "rc=$rc"
check entry_relative_so_not_in_shlib_directory_lookup_says \
    "$W $unsupported ($work/nolib/postfix-lmdbacl.so: No such file or directory)"$'\n'"$F $unsupported" \
    "$err"
postconf -c "$work/etc" -X shlib_directory || exit 99

# A wrong dict function: lookups die in the run-time linker; a build
# looks up only the mkmap function, and works.
register installed "$(entry lmdbacl "$so" dict_lmdbacl_opn mkmap_lmdbacl_open)"
ask; got lookup
check entry_wrong_dict_function_lookup_fails "rc=1" "rc=$rc"
like entry_wrong_dict_function_lookup_says \
    "$F load_library_symbols: dlsym failure looking up dict_lmdbacl_opn in $so: *undefined symbol: dict_lmdbacl_opn" \
    "$err"
got build
check entry_wrong_dict_function_build_works "rc=0 " "rc=$rc $err"

# A wrong mkmap function: the reverse.
register installed "$(entry lmdbacl "$so" dict_lmdbacl_open mkmap_lmdbacl_opn)"
ask; got lookup
check entry_wrong_mkmap_function_lookup_works "rc=0 REJECT wild " \
    "rc=$rc $out $err"
got build
check entry_wrong_mkmap_function_build_fails "rc=1" "rc=$rc"
like entry_wrong_mkmap_function_build_says \
    "$F load_library_symbols: dlsym failure looking up mkmap_lmdbacl_opn in $so: *undefined symbol: mkmap_lmdbacl_opn" \
    "$err"

# Registered twice (pfi_create's private line, and make install's
# file): the first one read wins, with a warning from every program.
register installed
printf '%s\n' "$sys_lines" "$good" >"$cf"
dup="$W $dfile: ignoring duplicate entry for \"lmdbacl\""
ask; got lookup
check entry_registered_twice_lookup_works "rc=0 REJECT wild" "rc=$rc $out"
check entry_registered_twice_lookup_warns "$dup" "$err"
got build
check entry_registered_twice_build_works "rc=0" "rc=$rc"
check entry_registered_twice_build_warns "$dup" "$err"

########################################################################
# smtpd: the same faults behind a running instance.

# log_mark - the number of lines in the maillog now
log_mark() { wc -l <"$work/maillog" 2>/dev/null || echo 0; }

# logged MARK PROGRAM TEXT - the first message (without the time, host
# and pid) that PROGRAM logged after line MARK and that contains TEXT;
# waits up to 5 s for postlogd to write it.
logged() {
	local mark=$1 prog=$2 text=$3 line
	for _ in $(seq 1 50); do
		line=$(tail -n "+$((mark + 1))" "$work/maillog" 2>/dev/null |
		    grep -F "postfix/${prog}[" | grep -F -m 1 -- "$text")
		if [ -n "$line" ]; then
			printf '%s' "${line#*"postfix/${prog}["*"]: "}"
			return
		fi
		sleep 0.1
	done
	printf 'nothing logged by %s with "%s"' "$prog" "$text"
}

helo() { pfi_smtp "$port" --helo x.example.org; }
reload() { pfi_reload "$work" || exit 99; }

register installed
pfi_conf "$work" "smtpd_helo_restrictions = check_helo_access $map, permit" ||
    exit 99
pfi_start "$work" || exit 99
check smtpd_control_answers_from_table \
    "554 5.7.1 <x.example.org>: Helo command rejected: wild" "$(helo)"

# The .so owned by a non-root user: the table is unavailable, 451.
register installed
chown 65534 "$so"
reload
mark=$(log_mark)
check smtpd_so_owned_by_nobody_answers_451 \
    "451 4.3.5 <x.example.org>: Helo command rejected: Server configuration error" \
    "$(helo)"
check smtpd_so_owned_by_nobody_logs_refusal \
    "warning: $unsupported ($so: $nonroot)" \
    "$(logged "$mark" smtpd "($so:")"
check smtpd_so_owned_by_nobody_logs_unavailable_table \
    "warning: $map is unavailable. $unsupported" \
    "$(logged "$mark" smtpd "is unavailable")"

# dynamicmaps.cf.d/lmdbacl group-writable: skipped, 451.
register installed
chmod 0664 "$dfile"
reload
mark=$(log_mark)
check smtpd_dynamicmaps_d_group_writable_answers_451 \
    "451 4.3.5 <x.example.org>: Helo command rejected: Server configuration error" \
    "$(helo)"
check smtpd_dynamicmaps_d_group_writable_logs_skip \
    "warning: $dfile: $nonroot -- skipping this file" \
    "$(logged "$mark" smtpd "skipping this file")"
check smtpd_dynamicmaps_d_group_writable_logs_unavailable_table \
    "warning: $map is unavailable. $unsupported" \
    "$(logged "$mark" smtpd "is unavailable")"

# The entry without its mkmap field: smtpd needs only the dict function.
register installed "$(entry lmdbacl "$so" dict_lmdbacl_open)"
reload
check smtpd_entry_without_mkmap_answers_from_table \
    "554 5.7.1 <x.example.org>: Helo command rejected: wild" "$(helo)"

# A wrong dict function: smtpd dies before it greets; nobody answers.
register installed "$(entry lmdbacl "$so" dict_lmdbacl_opn mkmap_lmdbacl_open)"
reload
mark=$(log_mark)
check smtpd_wrong_dict_function_never_answers timeout "$(helo)"
like smtpd_wrong_dict_function_logs_fatal \
    "fatal: load_library_symbols: dlsym failure looking up dict_lmdbacl_opn in $so: *undefined symbol: dict_lmdbacl_opn" \
    "$(logged "$mark" smtpd "dlsym failure")"
like smtpd_wrong_dict_function_master_throttles \
    "warning: */smtpd: bad command startup -- throttling" \
    "$(logged "$mark" master "bad command startup")"

# Fixed, and reloaded: the next session is served again.
register installed
reload
check smtpd_fixed_entry_answers_after_reload \
    "554 5.7.1 <x.example.org>: Helo command rejected: wild" "$(helo)"

finish
