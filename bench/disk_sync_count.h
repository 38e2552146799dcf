/* Counts the durability requests this process makes, whichever library
 * makes them (pschema_disk_bench, see README.md "Counting syncs").
 *
 * disk_sync_count.c defines fsync, fdatasync, msync, sync_file_range,
 * syncfs and sync in the executable itself, each counting the call and
 * then calling the C library's function (found with dlsym(RTLD_NEXT)).
 * The executable comes first in the dynamic linker's lookup order, so the
 * calls of every shared library (liblmdb, libsqlite3, libpmem,
 * libpmemobj) land here as well as the pschema runtime's, which is linked
 * in statically. It also defines open, open64, openat, openat64 and close
 * to remember which descriptors were opened with O_SYNC or O_DSYNC, and
 * write, pwrite, pwrite64, writev and pwritev to count the writes to them:
 * such a write returns only when it is durable, so it is a sync too (LMDB
 * writes its meta page that way).
 *
 * The counters are process-wide and atomic, summed over all threads. */
#ifndef PSCHEMA_BENCH_DISK_SYNC_COUNT_H
#define PSCHEMA_BENCH_DISK_SYNC_COUNT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct disk_sync_counts {
  uint64_t fsync;           /* fsync */
  uint64_t fdatasync;       /* fdatasync */
  uint64_t msync;           /* msync with MS_SYNC (MS_ASYNC starts writeback only: not counted) */
  uint64_t other;           /* sync_file_range, syncfs, sync */
  uint64_t sync_writes;     /* writes to a descriptor opened with O_SYNC or O_DSYNC */
};

/* The counts so far. */
struct disk_sync_counts disk_sync_counts_now(void);
/* All of them: a call or write that made (or waited for) data durable. */
uint64_t disk_sync_total(const struct disk_sync_counts* c);
/* Nonzero if the interposed functions are the ones the dynamic linker
 * hands to shared libraries (dlsym(RTLD_DEFAULT, name) finds ours): if
 * not, the counts would miss the libraries' calls. */
int disk_sync_count_active(void);

#ifdef __cplusplus
}
#endif

#endif
