# Shared result protocol for the host and VM test scripts.  Each test prints
# one line, "ok - NAME", "not ok - NAME: REASON" or "skip - NAME: REASON";
# tests/run-all.sh counts them.  Source this file, then call t_done last: it
# prints the script's totals and exits 1 if anything failed.
XST_T_PASS=0 XST_T_FAIL=0 XST_T_SKIP=0

t_ok() { echo "ok - $1"; XST_T_PASS=$((XST_T_PASS + 1)); }
t_fail() { echo "not ok - $1: ${2:-failed}"; XST_T_FAIL=$((XST_T_FAIL + 1)); }
t_skip() { echo "skip - $1: ${2:?a skip must say why}"; XST_T_SKIP=$((XST_T_SKIP + 1)); }

# t_check NAME CMD...: passes when CMD exits 0.
t_check() {
	local name=$1; shift
	if "$@"; then t_ok "$name"; else t_fail "$name" "command failed: $*"; fi
}

# t_expect_rc NAME RC CMD...: passes when CMD exits with RC.
t_expect_rc() {
	local name=$1 want=$2 rc=0; shift 2
	"$@" || rc=$?
	if [ "$rc" -eq "$want" ]; then t_ok "$name"; else t_fail "$name" "exit $rc, wanted $want: $*"; fi
}

t_done() {
	echo "# $0: $XST_T_PASS passed, $XST_T_FAIL failed, $XST_T_SKIP skipped"
	[ "$XST_T_FAIL" -eq 0 ]
	exit $?
}
