# NAME
#	harness.sh - shared plumbing of the lmdbacl integration tests
# SYNOPSIS
#	. tests/lib/harness.sh
#
#	harness_init	(sets top_srcdir, top_builddir, LMDBACL_PLUGIN,
#			LMDBACL; exits 77 when the test cannot run)
#	pass NAME
#	fail NAME EXPECTED GOT
#	expect_code NAME EXPECTED REPLY [TEXT]
#	expect_same NAME REPLY_A REPLY_B
#	harness_finish	(prints the totals; exits 1 on any failure)
# DESCRIPTION
#	Every case prints "PASS: name" or "FAIL: name (expected X got Y)";
#	the last line is "N passed, M failed". The exit status follows the
#	automake test protocol: 0 pass, 1 fail, 77 skip.
#
#	expect_code compares the three-digit code of REPLY (an SMTP reply
#	line, as pfi_smtp prints it) with EXPECTED, which is a code
#	("250") or a class ("5xx"); with TEXT, REPLY must also contain
#	TEXT, which tells which table entry decided.
#
#	expect_same passes when two replies are the same line.
#
#	top_builddir is $top_builddir when set, else the current directory
#	when it holds a build (make check runs tests from the build tree),
#	else the source tree that holds this file.

harness_passed=0
harness_failed=0

harness_init() {
	local here
	here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	top_srcdir=$(cd "$here/../.." && pwd)
	if [ -z "${top_builddir:-}" ]; then
		if [ -d dict_lmdbacl ] || [ -d tools ] && [ -f Makefile ]; then
			top_builddir=$(pwd)
		else
			top_builddir=$top_srcdir
		fi
	fi
	top_builddir=$(cd "$top_builddir" && pwd)
	: "${LMDBACL_PLUGIN:=$top_builddir/dict_lmdbacl/.libs/postfix-lmdbacl.so}"
	: "${LMDBACL:=$top_builddir/tools/lmdbacl}"

	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: must run as root (starts a private Postfix instance)"
		exit 77
	fi
	if ! command -v postmap >/dev/null 2>&1 &&
	    [ ! -x /usr/sbin/postmap ]; then
		echo "SKIP: Postfix is not installed"
		exit 77
	fi
	if [ ! -f "$LMDBACL_PLUGIN" ]; then
		echo "SKIP: no plugin at $LMDBACL_PLUGIN"
		exit 77
	fi
	PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
	export PATH
}

pass() {
	harness_passed=$((harness_passed + 1))
	echo "PASS: $1"
}

fail() {
	harness_failed=$((harness_failed + 1))
	echo "FAIL: $1 (expected $2 got $3)"
}

# reply_code - the code of a reply line; a failed earlier step shows
# as "step:code", which matches no expectation.
reply_code() {
	case $1 in
	[0-9][0-9][0-9]*) printf '%s' "${1:0:3}" ;;
	*) printf '%s' "${1%% *}" ;;
	esac
}

expect_code() {
	local name=$1 want=$2 reply=$3 text=${4:-} code
	code=$(reply_code "$reply")
	case $want in
	[0-9]xx) [[ $code =~ ^${want:0:1}[0-9][0-9]$ ]] ;;
	*) [ "$code" = "$want" ] ;;
	esac || {
		fail "$name" "$want${text:+ \"$text\"}" "$reply"
		return 1
	}
	if [ -n "$text" ] && [[ $reply != *"$text"* ]]; then
		fail "$name" "$want \"$text\"" "$reply"
		return 1
	fi
	pass "$name"
}

expect_same() {
	local name=$1 a=$2 b=$3
	if [ "$a" = "$b" ]; then
		pass "$name"
	else
		fail "$name" "$a" "$b"
		return 1
	fi
}

harness_finish() {
	echo "$harness_passed passed, $harness_failed failed"
	[ "$harness_failed" -eq 0 ]
	exit $?
}
