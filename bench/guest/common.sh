# Shared by the in-VM benches (sourced): our daemon's configuration and the
# populated filesystem the scan benches work on.  Expects work and mnt.

# ours_conf MODE [CPU_BUDGET]: $work/conf for xfs_scrubd watching $mnt only,
# repair mode MODE, no scheduled scans, state and sockets in $work.
ours_conf() {
	cat >$work/conf <<EOF2
[daemon]
state_dir = $work/state
runtime_dir = $work/run
[scan]
interval = 0
${2:+cpu_budget = $2}
[repair]
mode = $1
[filesystems]
include = $mnt
EOF2
}

# populate_fs DEV N: a fresh filesystem on DEV mounted at $mnt with N
# inodes (directories of 499 empty files each).
populate_fs() {
	mkfs.xfs -q -f $1 && mount $1 $mnt || exit 1
	echo "# populating $2 inodes"
	for d in $(seq 1 $(($2 / 500 + 1))); do
		mkdir $mnt/d$d
		(cd $mnt/d$d && seq -f "f%g" 1 499 | xargs touch)
	done
}
