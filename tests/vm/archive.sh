# Sourced by tests/vm/assets.sh and tests/vm/qemu-testing.sh: where the
# Debian archive is and what its index says.

# The Debian mirror comes from this machine's own apt configuration, never
# from a host name written into the repository.
find_mirror() {
	local f uri
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -e "$f" ] || continue
		uri=$(awk 'tolower($1)=="uris:" {for (i=2;i<=NF;i++) print $i}' "$f" |
		      grep -v -- '-security' | head -n1)
		[ -n "$uri" ] && { echo "${uri%/}"; return; }
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -e "$f" ] || continue
		uri=$(awk '$1=="deb" {for (i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' "$f" |
		      grep -v -- '-security' | head -n1)
		[ -n "$uri" ] && { echo "${uri%/}"; return; }
	done
	return 1
}

pkg_version() { # name -> version from the suite's Packages index
	awk -v p="$1" '$1=="Package:" {f=($2==p)} f && $1=="Version:" {print $2; exit}' "$2"
}
