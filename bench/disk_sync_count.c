/* The sync counter of pschema_disk_bench: see disk_sync_count.h. The
 * executable exports these definitions (-Wl,--export-dynamic-symbol=...,
 * bench/CMakeLists.txt) so that the shared libraries' calls bind to them. */
#undef _FORTIFY_SOURCE /* open() must not be the fortified inline wrapper */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include "disk_sync_count.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static _Atomic uint64_t n_fsync, n_fdatasync, n_msync, n_other, n_sync_writes;

/* Descriptors opened with O_SYNC or O_DSYNC (O_SYNC includes the O_DSYNC
 * bit on Linux). Descriptors beyond the table are asked with fcntl. */
#define TRACKED_FDS 65536
static _Atomic unsigned char sync_fd[TRACKED_FDS];

/* The C library's function `name`, resolved on first use (a library's
 * constructor may call one before ours would run). */
#define REAL(type, name)                                                         \
	static type real_##name(void)                                              \
	{                                                                          \
		static _Atomic(type) fn;                                           \
		type f = atomic_load_explicit(&fn, memory_order_acquire);          \
		if (f == NULL) {                                                   \
			f = (type)dlsym(RTLD_NEXT, #name);                          \
			if (f == NULL) {                                           \
				static const char msg[] = "disk_sync_count: no C library " #name "\n"; \
				(void)!syscall_write_stderr(msg, sizeof msg - 1);  \
				abort();                                           \
			}                                                          \
			atomic_store_explicit(&fn, f, memory_order_release);       \
		}                                                                  \
		return f;                                                          \
	}

static ssize_t syscall_write_stderr(const char *msg, size_t n);

typedef int (*fsync_fn)(int);
typedef int (*msync_fn)(void *, size_t, int);
typedef int (*sync_file_range_fn)(int, off64_t, off64_t, unsigned int);
typedef void (*sync_fn)(void);
typedef int (*open_fn)(const char *, int, ...);
typedef int (*openat_fn)(int, const char *, int, ...);
typedef int (*close_fn)(int);
typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);
typedef ssize_t (*pwrite64_fn)(int, const void *, size_t, off64_t);
typedef ssize_t (*writev_fn)(int, const struct iovec *, int);
typedef ssize_t (*pwritev_fn)(int, const struct iovec *, int, off_t);

REAL(fsync_fn, fsync)
REAL(fsync_fn, fdatasync)
REAL(msync_fn, msync)
REAL(sync_file_range_fn, sync_file_range)
REAL(fsync_fn, syncfs)
REAL(sync_fn, sync)
REAL(open_fn, open)
REAL(open_fn, open64)
REAL(openat_fn, openat)
REAL(openat_fn, openat64)
REAL(close_fn, close)
REAL(write_fn, write)
REAL(pwrite_fn, pwrite)
REAL(pwrite64_fn, pwrite64)
REAL(writev_fn, writev)
REAL(pwritev_fn, pwritev)

static ssize_t
syscall_write_stderr(const char *msg, size_t n)
{
	/* Not through write(): its real pointer may be what is missing. */
	return (ssize_t)syscall(SYS_write, 2, msg, n);
}

static void
count(_Atomic uint64_t *counter)
{
	atomic_fetch_add_explicit(counter, 1, memory_order_relaxed);
}

/* ---- the sync calls ---------------------------------------------------- */

int
fsync(int fd)
{
	count(&n_fsync);
	return real_fsync()(fd);
}

int
fdatasync(int fd)
{
	count(&n_fdatasync);
	return real_fdatasync()(fd);
}

int
msync(void *addr, size_t len, int flags)
{
	if (flags & MS_SYNC)
		count(&n_msync);
	return real_msync()(addr, len, flags);
}

int
sync_file_range(int fd, off64_t offset, off64_t nbytes, unsigned int flags)
{
	count(&n_other);
	return real_sync_file_range()(fd, offset, nbytes, flags);
}

int
syncfs(int fd)
{
	count(&n_other);
	return real_syncfs()(fd);
}

void
sync(void)
{
	count(&n_other);
	real_sync()();
}

/* ---- synchronous descriptors ------------------------------------------ */

static int
has_mode(int flags)
{
	return (flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE;
}

static int
opened(int fd, int flags)
{
	if (fd >= 0 && fd < TRACKED_FDS)
		atomic_store_explicit(&sync_fd[fd], (flags & O_DSYNC) ? 1 : 0, memory_order_relaxed);
	return fd;
}

static int
is_sync_fd(int fd)
{
	if (fd < 0)
		return 0;
	if (fd < TRACKED_FDS)
		return atomic_load_explicit(&sync_fd[fd], memory_order_relaxed) != 0;
	const int flags = fcntl(fd, F_GETFL);
	return flags >= 0 && (flags & O_DSYNC) != 0;
}

static void
wrote(int fd, ssize_t result)
{
	if (result >= 0 && is_sync_fd(fd))
		count(&n_sync_writes);
}

int
open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	if (has_mode(flags)) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return opened(real_open()(path, flags, mode), flags);
}

int
open64(const char *path, int flags, ...)
{
	mode_t mode = 0;
	if (has_mode(flags)) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return opened(real_open64()(path, flags, mode), flags);
}

int
openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	if (has_mode(flags)) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return opened(real_openat()(dirfd, path, flags, mode), flags);
}

int
openat64(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	if (has_mode(flags)) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return opened(real_openat64()(dirfd, path, flags, mode), flags);
}

int
close(int fd)
{
	if (fd >= 0 && fd < TRACKED_FDS)
		atomic_store_explicit(&sync_fd[fd], 0, memory_order_relaxed);
	return real_close()(fd);
}

ssize_t
write(int fd, const void *buf, size_t n)
{
	const ssize_t r = real_write()(fd, buf, n);
	wrote(fd, r);
	return r;
}

ssize_t
pwrite(int fd, const void *buf, size_t n, off_t offset)
{
	const ssize_t r = real_pwrite()(fd, buf, n, offset);
	wrote(fd, r);
	return r;
}

ssize_t
pwrite64(int fd, const void *buf, size_t n, off64_t offset)
{
	const ssize_t r = real_pwrite64()(fd, buf, n, offset);
	wrote(fd, r);
	return r;
}

ssize_t
writev(int fd, const struct iovec *iov, int iovcnt)
{
	const ssize_t r = real_writev()(fd, iov, iovcnt);
	wrote(fd, r);
	return r;
}

ssize_t
pwritev(int fd, const struct iovec *iov, int iovcnt, off_t offset)
{
	const ssize_t r = real_pwritev()(fd, iov, iovcnt, offset);
	wrote(fd, r);
	return r;
}

/* ---- the counts -------------------------------------------------------- */

struct disk_sync_counts
disk_sync_counts_now(void)
{
	struct disk_sync_counts c;
	c.fsync = atomic_load(&n_fsync);
	c.fdatasync = atomic_load(&n_fdatasync);
	c.msync = atomic_load(&n_msync);
	c.other = atomic_load(&n_other);
	c.sync_writes = atomic_load(&n_sync_writes);
	return c;
}

uint64_t
disk_sync_total(const struct disk_sync_counts *c)
{
	return c->fsync + c->fdatasync + c->msync + c->other + c->sync_writes;
}

int
disk_sync_count_active(void)
{
	return dlsym(RTLD_DEFAULT, "fsync") == (void *)fsync &&
	    dlsym(RTLD_DEFAULT, "fdatasync") == (void *)fdatasync &&
	    dlsym(RTLD_DEFAULT, "msync") == (void *)msync &&
	    dlsym(RTLD_DEFAULT, "open") == (void *)open &&
	    dlsym(RTLD_DEFAULT, "open64") == (void *)open64 &&
	    dlsym(RTLD_DEFAULT, "pwrite") == (void *)pwrite &&
	    dlsym(RTLD_DEFAULT, "pwrite64") == (void *)pwrite64 &&
	    dlsym(RTLD_DEFAULT, "write") == (void *)write &&
	    dlsym(RTLD_DEFAULT, "close") == (void *)close;
}
