# shellcheck shell=bash
# Shared helpers for the VM groups that check xfs_scrub against real damage:
# make a filesystem with testing's default features, fill it with one object
# of every metadata shape the scrubbers look at, remember where each object
# lives (the "ground truth"), break exactly one object with xfs_db on the
# unmounted device, and compare what two xfs_scrub binaries report.  Runs in
# the test VM as root (tests/vm/run-vm.sh); source it.
#
#   xf_mkfs DEV                 mkfs.xfs with testing's defaults (rmapbt,
#                               reflink, parent pointers, exchange, ...)
#   xf_missing_features MNT     prints default features MNT lacks
#   xf_populate MNT             create the objects listed below
#   xf_check_shapes DEV         "ok NAME" / "bad NAME: why" per object shape
#   xf_truth_record MNT         write "NAME INO" lines to $XF_TRUTH
#   xf_ino NAME                 inode number of object NAME
#   xf_damage_CLASS DEV         break one object (DEV must be unmounted);
#                               returns 1 when the recipe did not apply
#   xf_run_scrub OUT BIN ARGS.. run one xfs_scrub, all output to OUT; echoes
#                               its exit status
#   xf_reports OUT              the sorted set of Corruption/Warning lines
#   xf_show OUT                 OUT for the log, repetitive Info lines cut
#
# Objects made by xf_populate (paths relative to the mount point):
#   dir_sf/        short-form directory (3 entries, stored in the inode)
#   dir_block/     single-block directory (30 entries)
#   dir_leaf/      leaf directory: 3 data blocks and one leaf block
#   dir_node/      node directory: a da-btree node block over several leaves
#   xattr_sf       file with two short xattrs (short-form attr fork)
#   xattr_leaf     file with 120 small xattrs (one attr leaf block)
#   xattr_remote   file with a 6000-byte xattr value (two remote value blocks)
#   files/         data, a reflinked copy, a fragmented file, symlinks (inline
#                  and remote), a hard link, nested directories
XF_TRUTH=${XF_TRUTH:-/tmp/xf-truth}

# Directory offsets (in 4 KiB blocks) where the leaf/node and the free-index
# segments of a directory start: 32 GiB and 64 GiB into the data fork.
XF_DIR_LEAF_FSB=8388608

# xf_mkfs DEV [MKFS-OPTIONS...]: a fresh filesystem with mkfs's defaults.
xf_mkfs() {
	local dev=$1; shift
	mkfs.xfs -f -q "$@" "$dev" </dev/null
}

# xf_missing_features MNT: prints the default features MNT lacks (nothing
# when it has them all); the damage recipes depend on every one of them.
xf_missing_features() {
	local info f out=
	info=$(xfs_info "$1" 2>&1) || { echo "xfs_info failed: $info"; return; }
	for f in crc finobt rmapbt reflink exchange parent ftype sparse; do
		case "$info" in
		(*" $f=1"*) ;;
		(*) out="$out $f" ;;
		esac
	done
	echo "${out# }"
}

# xf_setxattrs FILE NAME=VALUE...: set user xattrs in one process (setfattr
# --restore reads a getfattr dump): a process per xattr is slow under TCG.
xf_setxattrs() {
	local file=$1 dump kv rc; shift
	dump=$(mktemp /tmp/xf-attrs.XXXXXX)
	{
		echo "# file: $file"
		for kv in "$@"; do echo "user.${kv%%=*}=\"${kv#*=}\""; done
	} >"$dump"
	setfattr -h -P --restore="$dump"
	rc=$?
	rm -f "$dump"
	return $rc
}

# xf_populate MNT: the objects listed in the header.  The name lengths and
# counts give the intended formats with 4 KiB blocks (xf_check_shapes proves
# it).  Files are created with shell redirections, not a process each.
xf_populate() {
	(
	set -e
	cd "$1"
	local i args=()
	mkdir dir_sf dir_block dir_leaf dir_node files files/sub files/sub/deeper
	for i in 1 2 3; do : >dir_sf/f$i; done
	for i in $(seq 1 30); do : >dir_block/file_$i; done
	for i in $(seq 1 200); do : >dir_leaf/entry_with_a_longish_name_$i; done
	for i in $(seq 1 1500); do
		: >dir_node/entry_with_a_much_longer_name_for_node_$i
	done

	: >xattr_sf
	xf_setxattrs xattr_sf one=1 two=2
	: >xattr_leaf
	for i in $(seq 100 219); do args+=("a$i=v$i"); done
	xf_setxattrs xattr_leaf "${args[@]}"
	: >xattr_remote
	xf_setxattrs xattr_remote "big=$(printf '%06000d' 7)" small=s

	for i in 1 2 3; do echo "hello $i" >files/f$i; done
	xfs_io -f -c 'pwrite -q 0 1m' files/data
	cp --reflink=always files/data files/data.reflink
	args=()
	for i in $(seq 0 2 400); do args+=(-c "pwrite -q $((i * 4096)) 4096"); done
	xfs_io -f "${args[@]}" files/fragmented
	ln files/f1 files/sub/f1.hardlink
	echo deep >files/sub/deeper/file
	ln -s f1 files/short_link
	ln -s "$(printf 'x%.0s' $(seq 1 600))" files/long_link
	sync
	)
}

# xf_truth_record MNT: "NAME INO" for every object a recipe breaks or a test
# looks for.
xf_truth_record() {
	local m=$1 p
	: >"$XF_TRUTH"
	for p in dir_sf dir_sf/f2 dir_block dir_leaf dir_node xattr_sf xattr_leaf \
		xattr_remote files files/f1 files/data files/fragmented \
		files/long_link; do
		echo "$p $(stat -c %i "$m/$p")" >>"$XF_TRUTH"
	done
}

xf_ino() { awk -v n="$1" '$1 == n { print $2 }' "$XF_TRUTH"; }

# xf_db DEV CMD...: xfs_db in expert mode, one -c per argument; never reads
# stdin (with no commands it would wait for a terminal).
xf_db() {
	local dev=$1 a args=(); shift
	[ $# -gt 0 ] || return 0
	for a in "$@"; do args+=(-c "$a"); done
	xfs_db -x "${args[@]}" "$dev" </dev/null 2>&1
}

# xf_db_get DEV FIELD CMD...: the value xfs_db prints for FIELD after CMDs.
xf_db_get() {
	local dev=$1 field=$2; shift 2
	xf_db "$dev" "$@" "print $field" | sed -n "s/^$field = //p" | head -n1
}

# xf_check_shapes DEV: proves the populated objects have the on-disk shapes
# the recipes rely on (unmounted DEV).  One line per shape.
xf_check_shapes() {
	local dev=$1
	_xf_shape() { # NAME WANT GOT
		if [ "$2" = "$3" ]; then echo "ok $1"; else echo "bad $1: want $2, got '$3'"; fi
	}
	_xf_shape "dir_sf short-form" "1 (local)" \
		"$(xf_db_get "$dev" core.format 'path /dir_sf')"
	_xf_shape "dir_block single block" 0x58444233 \
		"$(xf_db_get "$dev" bhdr.hdr.magic 'path /dir_block' 'dblock 0')"
	_xf_shape "dir_leaf data block" 0x58444433 \
		"$(xf_db_get "$dev" dhdr.hdr.magic 'path /dir_leaf' 'dblock 1')"
	_xf_shape "dir_leaf leaf block" 0x3df1 \
		"$(xf_db_get "$dev" lhdr.info.hdr.magic 'path /dir_leaf' "dblock $XF_DIR_LEAF_FSB")"
	_xf_shape "dir_node node block" 0x3ebe \
		"$(xf_db_get "$dev" nhdr.info.hdr.magic 'path /dir_node' "dblock $XF_DIR_LEAF_FSB")"
	_xf_shape "xattr_sf short-form" "1 (local)" \
		"$(xf_db_get "$dev" core.aformat 'path /xattr_sf')"
	_xf_shape "xattr_leaf leaf block" 0x3bee \
		"$(xf_db_get "$dev" hdr.info.hdr.magic 'path /xattr_leaf' 'ablock 0')"
	_xf_shape "xattr_leaf >= 100 xattrs" yes \
		"$([ "$(xf_db_get "$dev" hdr.count 'path /xattr_leaf' 'ablock 0')" -ge 100 ] 2>/dev/null && echo yes)"
	_xf_shape "xattr_remote remote value block" 0x5841524d \
		"$(xf_db_get "$dev" hdr.magic 'path /xattr_remote' 'ablock 1')"
	_xf_shape "long_link remote symlink" "2 (extents)" \
		"$(xf_db_get "$dev" core.format 'path /files/long_link')"
	_xf_shape "fragmented file btree" "3 (btree)" \
		"$(xf_db_get "$dev" core.format 'path /files/fragmented')"
}

# --- Damage recipes.  Each breaks one object of a freshly populated, clean,
# unmounted filesystem with xfs_db, and checks that the write happened.
# "write -d" stores the bad value but recomputes the CRC, so the kernel sees a
# well-formed block whose contents are wrong (the verifier or the scrubber
# must judge it, not the checksum).

# _xf_write DEV WANT CMD...: run CMDs; succeed when the output has WANT.
_xf_write() {
	local dev=$1 want=$2 out; shift 2
	out=$(xf_db "$dev" "$@")
	echo "$out" | sed 's/^/# xfs_db: /'
	case "$out" in (*"$want"*) return 0 ;; esac
	echo "# damage recipe did not apply (no '$want' in the xfs_db output)"
	return 1
}

# A data block of a leaf directory: zero the magic of the second data block.
xf_damage_dir_data() {
	_xf_write "$1" "dhdr.hdr.magic = 0" 'path /dir_leaf' 'dblock 1' \
		'write -d dhdr.hdr.magic 0'
}

# The leaf block of a leaf directory (the hash index over the data blocks).
xf_damage_dir_leaf() {
	_xf_write "$1" "lhdr.info.hdr.magic = 0" 'path /dir_leaf' \
		"dblock $XF_DIR_LEAF_FSB" 'write -d lhdr.info.hdr.magic 0'
}

# The da-btree root node block of a node directory.
xf_damage_dir_node() {
	_xf_write "$1" "nhdr.info.hdr.magic = 0" 'path /dir_node' \
		"dblock $XF_DIR_LEAF_FSB" 'write -d nhdr.info.hdr.magic 0'
}

# The only attr leaf block of the file with 120 xattrs.
xf_damage_xattr_leaf() {
	_xf_write "$1" "hdr.info.hdr.magic = 0" 'path /xattr_leaf' 'ablock 0' \
		'write -d hdr.info.hdr.magic 0'
}

# The first block of a remote xattr value.
xf_damage_xattr_remote() {
	_xf_write "$1" "hdr.magic = 0" 'path /xattr_remote' 'ablock 1' \
		'write -d hdr.magic 0'
}

# A short-form directory: put a '/' into the second entry's name ("f2" ->
# "f/").  The inode verifier does not look at names, so the inode reads fine
# and only the directory scrubber can tell.
xf_damage_sf_dir() {
	_xf_write "$1" 'u3.sfdir3.list[1].name = "f/"' 'path /dir_sf' \
		'write -d u3.sfdir3.list[1].name "f/"'
}

# An inode core field the verifier accepts but the inode scrubber checks
# against the block map: files/f1 claims 100 blocks, it owns one.
xf_damage_inode_core() {
	_xf_write "$1" "core.nblocks = 100" 'path /files/f1' \
		'write -d core.nblocks 100'
}

# An inode core field the verifier rejects (extent size hint without the
# hint flag): the inode cannot be loaded at all, bulkstat skips it, and the
# scrubber must still find it through the inode btree.
xf_damage_inode_verifier() {
	_xf_write "$1" "core.extsize = 7" 'path /files/f1' \
		'write -d core.extsize 7'
}

# The root block of AG 1's free-space-by-block btree.
xf_damage_bnobt_ag1() {
	_xf_write "$1" "magic = 0" 'agf 1' 'addr bnoroot' 'write -d magic 0'
}

# The root block of AG 2's reverse-mapping btree.
xf_damage_rmapbt_ag2() {
	_xf_write "$1" "magic = 0" 'agf 2' 'addr rmaproot' 'write -d magic 0'
}

# The summary counters: with lazy superblock counters a cleanly unmounted
# filesystem is mounted with the superblock's free-block count as it stands,
# so halving it leaves the in-core counters wrong until the next recount.
xf_damage_fscounters() {
	local free
	free=$(xf_db_get "$1" fdblocks 'sb 0')
	case "$free" in (''|*[!0-9]*) echo "# cannot read fdblocks: '$free'"; return 1 ;; esac
	_xf_write "$1" "fdblocks = $((free / 2))" 'sb 0' "write -d fdblocks $((free / 2))"
}

# --- Running and reading xfs_scrub.

# xf_run_scrub OUT BIN ARGS...: runs BIN with ARGS, stdout and stderr to
# OUT, stdin from /dev/null (no tty: no progress bar, no syslog), at most
# $XF_SCRUB_TIMEOUT seconds (then exit 124 and a note in OUT); echoes the
# exit status.
xf_run_scrub() {
	local out=$1 rc=0; shift
	timeout -k 10 "${XF_SCRUB_TIMEOUT:-300}" "$@" </dev/null >"$out" 2>&1 || rc=$?
	[ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] ||
		echo "xf_run_scrub: $1 timed out after ${XF_SCRUB_TIMEOUT:-300}s" >>"$out"
	echo "$rc"
}

# xf_reports OUT: the sorted set of verdict lines (Corruption and Warning),
# which the two implementations must agree on.
xf_reports() {
	grep -E '^(Corruption|Warning): ' "$1" | sort -u
}

# xf_show OUT: OUT for the log, the per-child "Cross-referencing failed."
# lines (one per entry of a broken directory) cut to a count.
xf_show() {
	local n
	n=$(grep -c 'Cross-referencing failed\.$' "$1")
	grep -v 'Cross-referencing failed\.$' "$1" | sed 's/^/#   /'
	[ "$n" -eq 0 ] || echo "#   ($n 'Cross-referencing failed.' Info lines not shown)"
}
