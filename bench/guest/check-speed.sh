#!/bin/bash
# Inside the bench VM: build a filesystem with at least 40,000 inodes, then
# time this project's xfs_scrub -n against upstream's, interleaved, with the
# page cache dropped before each run, and print the median ratio.
set -u
runs=${XST_BENCH_RUNS:-3}
ninodes=${XST_BENCH_INODES:-40000}
dev=/dev/vda mnt=/mnt/bench
ours=$XST_BUILD/scrub/xfs_scrub
m=/project/bench/guest/measure.py
mkdir -p $mnt
mkfs.xfs -q -f $dev && mount $dev $mnt || exit 1
echo "# populating $ninodes inodes"
ndirs=$((ninodes / 500 + 1))
for d in $(seq 1 $ndirs); do
	mkdir $mnt/d$d
	(cd $mnt/d$d && seq -f "f%g" 1 499 | xargs touch)
done
for d in $(seq 1 20); do setfattr -n user.bench -v value$d $mnt/d$d/f1; ln -s f1 $mnt/d$d/link; done
umount $mnt && mount $dev $mnt
icount=$(df -i $mnt | awk 'NR==2 {print $3}')
echo "# inodes in use: $icount; vCPUs: $(nproc)"
a=() b=() ra=() rb=()
for i in $(seq 1 "$runs"); do
	for who in ours upstream; do
		sync; echo 3 >/proc/sys/vm/drop_caches
		if [ $who = ours ]; then set -- $(python3 $m "$ours" -n $mnt); a+=("$1"); ra+=("$2")
		else set -- $(python3 $m xfs_scrub -n $mnt); b+=("$1"); rb+=("$2"); fi
		echo "run $i $who: ${1}s, peak RSS ${2} KiB, exit $3"
	done
done
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
ma=$(median "${a[@]}") mb=$(median "${b[@]}")
mra=$(median "${ra[@]}") mrb=$(median "${rb[@]}")
echo "median wall: ours ${ma}s, upstream ${mb}s"
echo "median peak RSS: ours ${mra} KiB, upstream ${mrb} KiB"
awk -v a="$ma" -v b="$mb" 'BEGIN {printf "ratio (ours/upstream, wall): %.3f\n", a / b}'
awk -v a="$mra" -v b="$mrb" 'BEGIN {printf "ratio (ours/upstream, peak RSS): %.3f\n", a / b}'
