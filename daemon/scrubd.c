// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * xfs_scrubd: keeps every mounted XFS filesystem healthy in the background.
 * main() only reads the configuration and hands over to the manager; a bad
 * configuration file is an error at start (exit 6, EXIT_NOTCONFIGURED in
 * systemd's LSB numbering), never a silent fallback to defaults.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "manager.h"
#include "warm.h"

#define DEFAULT_CONFIG "/etc/xfs_scrubd.conf"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: xfs_scrubd [options]\n"
		"Keep mounted XFS filesystems healthy: repair damage reported by the kernel,\n"
		"run throttled, resumable background scans.\n\n"
		"  -c, --config FILE   configuration file (default " DEFAULT_CONFIG ")\n"
		"  -t, --test-config   check the configuration file and exit\n"
		"  -s, --stderr        also print every record on stderr\n"
		"  -V, --version       print the version and exit\n"
		"  -h, --help          this help\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "test-config", no_argument, NULL, 't' },
		{ "stderr", no_argument, NULL, 's' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *config = DEFAULT_CONFIG;
	bool test_only = false, mirror = false, explicit_config = false;
	struct xsd_config cfg;
	struct xsd_manager *m = NULL;
	char err[512] = "";
	int c, r;

	while ((c = getopt_long(argc, argv, "c:tsVh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; explicit_config = true; break;
		case 't': test_only = true; break;
		case 's': mirror = true; break;
		case 'V': printf("xfs_scrubd version %s\n", XST_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if (xsd_config_defaults(&cfg) < 0) {
		fprintf(stderr, "xfs_scrubd: out of memory\n");
		return 1;
	}
	r = xsd_config_load(&cfg, config, err, sizeof(err));
	if (r == -ENOENT && !explicit_config) {
		/* No file: the defaults are the configuration. */
	} else if (r == -EINVAL) {
		fprintf(stderr, "xfs_scrubd: bad configuration: %s\n", err);
		xsd_config_done(&cfg);
		return 6;
	} else if (r < 0) {
		fprintf(stderr, "xfs_scrubd: %s: %s\n", config, strerror(-r));
		xsd_config_done(&cfg);
		return 6;
	}
	if (test_only) {
		printf("%s: configuration OK\n", config);
		xsd_config_done(&cfg);
		return 0;
	}
	/* Our code in place before the first health event needs it (warm.h). */
	(void)xsd_warm_text();
	r = xsd_manager_new(&cfg, mirror, &m);
	if (r < 0) {
		fprintf(stderr, "xfs_scrubd: cannot start: %s\n", strerror(-r));
		xsd_config_done(&cfg);
		return 1;
	}
	r = xsd_manager_run(m);
	xsd_manager_free(m);
	xsd_config_done(&cfg);
	return r < 0 ? 1 : 0;
}
