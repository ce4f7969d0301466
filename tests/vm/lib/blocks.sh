# Where a file's bytes are on its device, for tests that plant read errors
# (device-mapper error segments) under chosen blocks.  Sourced by VM groups.

# ext: awk code putting "START END" of the [START..END] of a line into a[1], a[2].
ext='s = $0; sub(/^[^[]*\[/, "", s); sub(/\].*/, "", s); split(s, a, /\.\./)'

# sector FILE OFFSET: the device sector (512 bytes) holding byte OFFSET of FILE.
sector() {
	xfs_bmap "$1" | awk -v off=$(($2 / 512)) "/\\[/ && !/hole/ { $ext"'
		if (off >= a[1] && off <= a[2]) { split($0, f, /: */); split(f[3], d, /\.\./)
			print d[1] + (off - a[1]); exit } }'
}

# dm_table SIZE BACKING "START COUNT TARGET..."...: a table of SIZE sectors
# that maps BACKING linearly except for the given segments (sorted here).
dm_table() {
	local size=$1 backing=$2 pos=0 s n what
	shift 2
	printf '%s\n' "$@" | sort -n | {
		while read -r s n what; do
			[ "$s" -gt "$pos" ] && echo "$pos $((s - pos)) linear $backing $pos"
			echo "$s $n $what"
			pos=$((s + n))
		done
		[ "$pos" -lt "$size" ] && echo "$pos $((size - pos)) linear $backing $pos"
	}
}
