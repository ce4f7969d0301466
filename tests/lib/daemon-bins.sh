# The xfs_scrubd and xfs_scrubctl a host test runs: the ASan+UBSan build
# when it is there, else the plain one ($XST_BUILD_ASAN / $XST_BUILD
# override).  Sourced after tap.sh with $here set to the test's directory;
# sets b, d and ctl.
b=${XST_BUILD_ASAN:-$here/../../build-asan}
[ -x "$b/daemon/xfs_scrubd" ] || b=${XST_BUILD:-$here/../../build}
d=$b/daemon/xfs_scrubd ctl=$b/daemon/xfs_scrubctl
[ -x "$d" ] || { t_fail "xfs_scrubd built" "no $d"; t_done; }
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
