/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's core: one manager owns the sd-event loop and every object on
 * it (the bus, the mountinfo watch, the monitor fds, timers); one worker
 * thread per filesystem issues the long kernel calls (scans, repairs,
 * polling).  Workers never touch loop objects: they change the shared
 * status below under its mutex and wake the loop through the manager's
 * eventfd; the loop then turns queued outcomes into journal records and bus
 * signals.
 *
 * Per-filesystem state machine (enum xsd_fs_state):
 *   idle -> scanning (scan started) -> idle (finished/cancelled)
 *   idle|scanning -> repairing (targets from events) -> back
 *   any -> paused (Pause) -> previous (Resume)
 *   any -> queued (scan waits for another fs on the same disk)
 */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "config.h"
#include "damage.h"
#include "healthmon.h"
#include "item.h"
#include "journal.h"
#include "mounts.h"
#include "mountwatch.h"
#include "state.h"

enum xsd_fs_state {
	XSD_FS_IDLE,
	XSD_FS_QUEUED,
	XSD_FS_SCANNING,
	XSD_FS_REPAIRING,
	XSD_FS_PAUSED,
	XSD_FS_POLLING,		/* busy reading sick flags */
	XSD_FS_GONE,		/* unmounted; the worker is finishing */
};

const char *xsd_fs_state_name(enum xsd_fs_state s);

/* A record produced by a worker for the loop to journal and signal. */
struct xsd_outcome {
	struct xsd_outcome *next;
	enum xsd_msg msg;
	int priority;
	int64_t agno;
	uint64_t ino;
	uint32_t gen;
	int err;
	char scrub_type[24];
	char outcome[24];
	char path[1024];
	char text[512];
	/* XSD_MSG_MEDIA_ERROR */
	const char *media_device;	/* static string, or NULL */
	uint64_t physical, length;
	int64_t file_offset;		/* -1: not file data */
	const char *owner;		/* static string, or NULL */
};

/* What a scan request asks for. */
struct xsd_scan_req {
	enum xsd_scan_kind kind;
	enum xsd_scan_mode mode;
	bool throttle;
	int64_t ag;		/* metadata of this AG only (escalation); -1: all */
	/*
	 * true: an interrupted scan's checkpoint is resumed whatever it was
	 * (schedule, restart, escalation); false: a caller asked for exactly
	 * this, and a checkpoint of another kind or mode is dropped.
	 */
	bool resume;
	uint64_t media_rate;	/* media bytes per second for this scan; 0: the configured cap */
};

#define XSD_SCAN_REQ_DEFAULT \
	((struct xsd_scan_req){ XSD_SCAN_METADATA, XSD_SCAN_MODE_DEFAULT, true, -1, true, 0 })

#define XSD_MAX_TARGETS 1024

/*
 * Shared between the loop thread and the fs's worker.  Rule: every field
 * is read and written only with `lock` held; the worker waits on `wake`,
 * which the loop signals after changing a request field.
 */
struct xsd_shared {
	pthread_mutex_t lock;
	pthread_cond_t wake;

	/* requests: loop -> worker */
	bool quit;		/* daemon stops or fs went away: keep the checkpoint */
	bool paused;
	bool cancel;		/* end the active scan, drop its checkpoint */
	bool scan_go;		/* start or continue a scan (scheduler allowed it) */
	struct xsd_scan_req req;	/* what scan_go starts */
	bool poll;		/* poll sick flags (no usable monitor) */
	struct xst_item targets[XSD_MAX_TARGETS];	/* repairs from events */
	unsigned int ntargets;
	/*
	 * targets[0] is the watch's rehearsal (manager.c, rehearse_event):
	 * taken down a repair's way, leaving the object alone.  Set only on an
	 * empty queue, cleared when a real event about the same object is
	 * merged into it or a healthy one drops it.
	 */
	bool rehearse_first;
	bool waiting;		/* the worker waits for work for the first time: rehearse now */
	uint64_t targets_dropped;

	/* status: worker -> loop and bus */
	enum xsd_fs_state state;
	struct xsd_state st;		/* cursor, counters, last results */
	uint64_t total_work;		/* estimate for progress */
	uint64_t session_done;		/* work done since this process resumed the scan */
	uint64_t session_start_ns;	/* CLOCK_MONOTONIC */
	uint64_t objects_checked;	/* since daemon start */
	uint64_t corruptions, repairs, restores, losses, failures;
	bool worker_exited;
	bool resync;		/* the mount point no longer holds this fs: look again */
	struct xsd_outcome *out_head, *out_tail;
	const char *ckpt_method;	/* how checkpoints are written */
	uint64_t checkpoints;		/* written since start */
};

struct xsd_manager;

/* An event about one object (escalate()'s key), and when it came. */
struct xsd_stamp {
	uint64_t key;
	uint64_t t_ns;
};

/* One watched filesystem. */
struct xsd_fs {
	struct xsd_fs *next;
	struct xsd_manager *m;
	/* immutable after creation (the worker may read them without lock) */
	char *mountpoint;
	char *source;
	dev_t dev;
	bool discard;		/* online discard; updated at resyncs (atomic access) */
	char uuid[37];
	uint8_t uuid_raw[16];
	unsigned int agino_log;	/* inode number -> AG, for escalation */
	uint32_t agcount;
	struct xsd_fs_ident ident;	/* device, UUID, fs handle at discovery */
	int hm_check_fd;	/* the worker's dup of the monitor fd for the same-fs check, or -1 */
	char disks[256];	/* whole disks under the fs, " sda sdb " */
	char state_path[4096];
	/* loop thread only */
	int hm_fd;
	sd_event_source *hm_src;
	unsigned char hm_buf[64 * XSD_HM_RECORD];
	size_t hm_len;
	bool targets_queued;	/* wake the worker when the events at hand are read */
	bool hm_held;		/* monitor unread while the worker acts on events (hold_monitor) */
	bool rehearsing;	/* the events at hand are the rehearsal's */
	bool rehearsed;		/* the rehearsal was sent (or cannot be) */
	uint64_t root_ino;	/* the root directory, for the rehearsal */
	uint32_t root_gen;
	bool monitor;		/* true: kernel monitor; false: polling */
	char monitor_note[128];
	sd_event_source *poll_timer;
	bool scan_wanted;	/* asked for but waiting for its disk */
	struct xsd_scan_req want;	/* what was asked for */
	bool after_wanted;	/* asked for while another ran: starts when it ends */
	struct xsd_scan_req after;
	char after_why[32];
	uint64_t first_seen;	/* realtime seconds */
	uint64_t events;
	struct xsd_stamp recent[32];	/* for escalation */
	unsigned int recent_pos;
	struct xsd_stamp escalated[8];	/* the last escalations */
	unsigned int escalated_pos;
	bool seen;		/* mark for mount-table resync */
	struct xsd_damage_list *damage;	/* what is known broken (ListDamage) */
	uint64_t damage_mark;	/* xsd_damage_mark() at the start of the scan */
	bool hm_gone;		/* the monitor hit EOF: its superblock is gone */
	uint64_t mnt_uid;	/* unique id of the mount found at discovery (0: unknown) */
	char gone_why[160];	/* why a resync drops it */
	/* the worker */
	pthread_t thread;
	bool thread_started;
	struct xsd_shared sh;
};

struct xsd_manager {
	struct xsd_config *cfg;
	sd_event *event;
	sd_bus *bus;			/* system bus, or NULL */
	int private_fd;			/* listening control socket */
	sd_event_source *private_src;
	struct xsd_mountwatch mw;
	sd_event_source *efd_src;
	sd_event_source *sched_timer;
	sd_event_source *ticker;	/* progress/metrics while busy */
	int efd;			/* workers -> loop */
	int kick_tfd;			/* workers -> loop, a little later (timerfd) */
	uint64_t kick_due_ns;		/* when kick_tfd fires (CLOCK_MONOTONIC), 0: not set */
	sd_event_source *kick_src;
	struct xsd_journal *journal;
	struct xsd_fs *fs;
	bool repair_allowed_default;
	char status[256];
	uint64_t last_metrics_ns;
};

int xsd_manager_new(struct xsd_config *cfg, bool mirror_stderr, struct xsd_manager **ret);
struct xsd_manager *xsd_manager_free(struct xsd_manager *m);
int xsd_manager_run(struct xsd_manager *m);
/* Read the mount table and match it (mountwatch.c calls it; loop thread). */
void xsd_manager_sync_mounts(struct xsd_manager *m);

/* Lookups and requests, from the bus handlers (loop thread). */
struct xsd_fs *xsd_manager_find(struct xsd_manager *m, const char *mountpoint);
int xsd_fs_request_scan(struct xsd_fs *fs, const char *why, const struct xsd_scan_req *req);
int xsd_fs_pause(struct xsd_fs *fs, bool pause);
int xsd_fs_cancel(struct xsd_fs *fs);

/* Progress 0..1, rate (objects/s) and ETA (s) of the active scan; lock held. */
void xsd_shared_progress(const struct xsd_shared *sh, double *progress, double *rate,
			 uint64_t *eta_s);

/* The worker thread (worker.c). */
void *xsd_worker_main(void *arg);
/* Wake the loop (any thread). */
void xsd_manager_kick(struct xsd_manager *m);
/* The same, ns from now at the latest (a kick meanwhile comes first). */
void xsd_manager_kick_later(struct xsd_manager *m, uint64_t ns);

/*
 * How long the loop may be left out while a health event's repair is on its
 * way to the kernel: records and state changes reach it with the repair's
 * own record, or this much later at the latest.  The loop sets that look
 * itself when it queues an event's target, so the worker need not.
 */
#define XSD_EVENT_QUIET_NS (250 * 1000000ull)
/* Queue an outcome (worker; takes the lock itself). */
void xsd_fs_post(struct xsd_fs *fs, struct xsd_outcome *o);
/*
 * Queue o and have the loop take it after ns at the latest (sooner if
 * anything else is posted meanwhile): for records that must not take the
 * CPU from a repair an application is waiting for.
 */
void xsd_fs_post_later(struct xsd_fs *fs, struct xsd_outcome *o, uint64_t ns);

/* bus.c */
int xsd_bus_setup(struct xsd_manager *m);
void xsd_bus_emit_progress(struct xsd_manager *m, struct xsd_fs *fs);
void xsd_bus_emit_outcome(struct xsd_manager *m, struct xsd_fs *fs, const struct xsd_outcome *o);
void xsd_bus_emit_finished(struct xsd_manager *m, struct xsd_fs *fs);
void xsd_bus_done(struct xsd_manager *m);
