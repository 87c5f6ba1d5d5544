#!/bin/bash
# NAME
#	test-faults.sh - the previous table keeps serving, whatever happens
# DESCRIPTION
#	Short forms of the fault tests: builds killed with SIGKILL at random
#	moments, a full disk (a small tmpfs), concurrent writers with
#	readers looping, and an unprivileged reader of a root-owned table.
#	Needs root (tmpfs mount, setpriv); skipped otherwise.
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/common.sh"
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root"
	exit 77
fi
# On tmpfs when there is one: the point is the kill, not the disk's
# fsync latency (seconds per build on some virtual disks).
[ -d /dev/shm ] && [ -w /dev/shm ] && TMPDIR=/dev/shm
mktest_dir
cd "$T" || exit 1
KILLS=${LMDBACL_FAULT_KILLS:-100}
# Under valgrind every query costs a second: fewer kills there.
[ -n "${LMDBACL_VALGRIND:-}" ] && KILLS=${LMDBACL_FAULT_KILLS:-10}

perl -e 'for my $i (1 .. 100000) { printf "h%d.example.net REJECT %d\n", $i, $i; }' > big
printf '*.old.example OK old table\n' > small
lmdbacl compile small big    # big.lmdbacl holds the old, small table
old=$(lmdbacl query big a.old.example)
check kill_setup_old_table_answers "OK old table" "$old"

# 1. SIGKILL at random moments during a 100,000-line build.
bad=0
for ((i = 0; i < KILLS; i++)); do
	"$LMDBACL" compile big 2>/dev/null &
	pid=$!
	sleep "0.$(printf '%03d' $((RANDOM % 300)))"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	got=$(lmdbacl query big a.old.example 2>/dev/null)
	new=$(lmdbacl query big h77.example.net 2>/dev/null)
	# Either the old table, or (the build won the race) the complete new one.
	if [ "$got" != "OK old table" ] && [ "$new" != "REJECT 77" ]; then
		bad=$((bad + 1))
	fi
	if [ "$new" = "REJECT 77" ]; then
		lmdbacl compile small big	# back to the old table
	fi
done
check "killed_builds_${KILLS}_leave_a_whole_table" 0 "$bad"
lmdbacl compile small big
check next_build_leaves_no_temporary_file "" "$(ls big.lmdbacl.* 2>/dev/null)"

# 2. A full disk: a clear error naming the file; the old table answers.
mkdir disk
if mount -t tmpfs -o size=3m tmpfs disk 2>/dev/null; then
	cp small disk/src && lmdbacl compile disk/src
	head -n 20000 big > disk/src
	err=$(lmdbacl compile disk/src 2>&1); rc=$?
	check disk_full_exit_5 5 "$rc"
	case $err in *'disk/src.lmdbacl.new: cannot reserve'*'No space left on device'*) r=yes ;; *) r="no: $err" ;; esac
	check disk_full_message_names_the_file yes "$r"
	check disk_full_old_table_answers "OK old table" "$(lmdbacl query disk/src a.old.example)"
	check disk_full_no_temporary_file "" "$(ls disk/src.lmdbacl.* 2>/dev/null)"
	umount disk
fi

# 3. 4 writers x 25 updates while 4 readers loop: no update lost, every
#    answer belongs to some snapshot (an OK value or not found, never an
#    error).
printf 'base.example BASE\n' > upd
lmdbacl compile upd
: > reader-errors
for r in 1 2 3 4; do
	( while [ ! -e stop ]; do
		lmdbacl query upd base.example >/dev/null 2>>reader-errors || echo "rc=$?" >> reader-errors
	done ) &
done
for w in 1 2 3 4; do
	( for ((u = 0; u < 25; u++)); do
		lmdbacl add upd "w$w-$u.example" "OK $w $u" || echo "writer $w $u failed" >> writer-errors
	done ) &
	wpids="${wpids:-} $!"
done
# shellcheck disable=SC2086
wait $wpids
touch stop
wait
check concurrent_updates_none_lost 101 "$(lmdbacl dump upd | wc -l)"
check concurrent_writers_no_error "" "$(cat writer-errors 2>/dev/null)"
check concurrent_readers_never_error "" "$(sort -u reader-errors)"

# 4. A root-owned table, mode 0644, read by an unprivileged user.
chmod 755 "$T"
lmdbacl compile small
if command -v setpriv >/dev/null; then
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$LMDBACL" query "$T/small" x.old.example 2>&1)
	check unprivileged_reader_answers "OK old table" "$out"
	check unprivileged_reader_creates_nothing "small small.lmdbacl" "$(echo small*)"
fi

finish
