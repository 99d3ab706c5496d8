/**
 * @file cxm/snapshot.h
 * @brief Store snapshots: save a whole store to a file or a byte stream and
 *        load it back into a store that behaves exactly like the original.
 *
 * A snapshot holds everything a store knows: customers, channel and segment
 * names, event ids (so duplicates are still skipped after a load), every
 * cell with its accumulators, interactions, SERVQUAL answers, churned keys,
 * purchase days, the counters and the bucket width. Every query on the
 * loaded store, and every event recorded into it afterwards, gives the
 * results the original would have given.
 *
 * The bytes are canonical: they depend only on the store's logical content
 * (in insertion order), never on hash-table capacities or allocation
 * history, so two stores with equal content give identical snapshots. The
 * byte format, its checksums and the versioning policy are described in
 * docs/snapshot.md.
 */
#ifndef CXM_SNAPSHOT_H
#define CXM_SNAPSHOT_H

#include "common.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Receives a snapshot's bytes in order, chunk by chunk.
 * @param[in] opaque The pointer given to cxm_store_save_to().
 * @param[in] bytes `len` bytes, valid for the call only.
 * @param[in] len Number of bytes (> 0).
 * @return 0 to go on; any other value aborts the save, which returns it.
 * @since 0.1
 */
typedef int32_t (*cxm_write_fn)(void *opaque, const void *bytes, size_t len);

/**
 * @brief Options for cxm_store_save_with(); fill with cxm_save_options_init().
 * @since 0.1
 */
typedef struct cxm_save_options {
  size_t size;            /**< sizeof(cxm_save_options); set by cxm_save_options_init() */
  uint32_t new_file_mode; /**< permission bits (at most 07777) of a file the save creates, applied
                               as given (the umask does not apply); an existing file keeps its own.
                               Default 0600: snapshots hold customer ids. */
} cxm_save_options;

/** @brief Set `size` and the defaults (new_file_mode 0600). Ignores NULL. @since 0.1 */
CXM_API void cxm_save_options_init(cxm_save_options *options);

/**
 * @brief Save a store to a file, atomically (cxm_store_save_with() with the
 *        default options: a new file gets mode 0600).
 *
 * Writes a unique temporary file `NAME.tmp-PID-XXXXXXXX` in the directory of
 * the file it replaces, flushes it to disk, renames it over that file and
 * flushes the directory. `path` may be a symlink: the file it leads to is
 * replaced, the link is kept. That file keeps its permission bits (and its
 * owner and group when the process may set them). A directory, FIFO, device
 * or socket is refused with CXM_E_NOT_FILE, and nothing is written. On any
 * failure the temporary file is removed and a previous file is left as it
 * was. Temporary files of this name left by a save that never finished
 * (their process is gone and their lock is free) are removed first. File
 * names of up to 255 bytes are fine (a longer name's temporary files use its
 * first 222 bytes). The store is never changed by saving. See
 * docs/snapshot.md.
 * @param[in] store The store (read only).
 * @param[in] path File name (NUL-terminated).
 * @return CXM_OK, CXM_E_ARG, CXM_E_IO, CXM_E_NOT_FILE, CXM_E_NOMEM or
 *         CXM_E_OVERFLOW (the store holds a value a snapshot cannot hold;
 *         recording and merging never let one in).
 * @note Safe beside other readers of the store; no thread may write it
 *       meanwhile. @since 0.1
 */
CXM_API int32_t cxm_store_save(const cxm_store *store, const char *path);

/**
 * @brief Save a store to a file, atomically, with options: as
 *        cxm_store_save(), with the mode of a new file from `options`.
 * @param[in] store The store (read only).
 * @param[in] path File name (NUL-terminated).
 * @param[in] options From cxm_save_options_init(), or NULL for the defaults.
 * @return As cxm_store_save(), plus CXM_E_SIZE (unknown `options->size`)
 *         and CXM_E_OPTION (new_file_mode above 07777).
 * @note Safe beside other readers of the store; no thread may write it
 *       meanwhile. @since 0.1
 */
CXM_API int32_t cxm_store_save_with(const cxm_store *store, const char *path, const cxm_save_options *options);

/**
 * @brief Stream a store's snapshot to a callback.
 * @param[in] store The store (read only).
 * @param[in] write Called with the bytes in order; a nonzero return aborts.
 * @param[in] opaque Passed to `write` unchanged.
 * @return CXM_OK, CXM_E_ARG, CXM_E_NOMEM, CXM_E_OVERFLOW (the store holds
 *         a value a snapshot cannot hold, a day amount that is not finite;
 *         nothing is written), or the nonzero value `write` returned (the
 *         bytes given so far are then an incomplete snapshot).
 * @note Safe beside other readers of the store; no thread may write it
 *       meanwhile. @since 0.1
 */
CXM_API int32_t cxm_store_save_to(const cxm_store *store, cxm_write_fn write, void *opaque);

/**
 * @brief Load a store from a snapshot file written by cxm_store_save().
 *
 * Only a regular file is read (a FIFO or device is refused before a byte is
 * read), its header first: a file that is not a snapshot fails after 16
 * bytes, whatever its size, and memory is bounded by the file's size.
 * @param[out] out Receives the new store (NULL on failure); the caller frees
 *        it with cxm_store_free().
 * @param[in] path File name (NUL-terminated).
 * @param[in] allocator Memory hooks for the new store (copied), or NULL for
 *        malloc/realloc/free.
 * @return CXM_OK, CXM_E_ARG, CXM_E_IO, CXM_E_NOT_FILE, CXM_E_NOMEM,
 *         CXM_E_FORMAT, CXM_E_VERSION, CXM_E_TRUNCATED or CXM_E_CHECKSUM.
 * @note Thread-safe. @since 0.1
 */
CXM_API int32_t cxm_store_load(cxm_store **out, const char *path, const cxm_allocator *allocator);

/**
 * @brief cxm_store_save(), saying why it failed: for CXM_E_IO, what failed
 *        on which path and the operating system's reason ("cannot create a
 *        temporary file next to 'x/s.cxms': No such file or directory").
 * @param[in] store The store (read only).
 * @param[in] path The file to write.
 * @param[out] detail Why; its `size` set by cxm_detail_init() (may be NULL).
 * @return As cxm_store_save(); CXM_E_SIZE, writing nothing, for a `detail`
 *         of a size this library does not know.
 * @since 0.2
 */
CXM_API int32_t cxm_store_save_ex(const cxm_store *store, const char *path, cxm_detail *detail);

/**
 * @brief cxm_store_load(), saying why it failed: for CXM_E_IO, what failed
 *        on which path and the operating system's reason; for a file that
 *        is not a snapshot this library reads, the path and the status.
 * @param[out] out Receives the new store; NULL on failure.
 * @param[in] path The file to read.
 * @param[in] allocator As for cxm_store_load() (may be NULL).
 * @param[out] detail Why; its `size` set by cxm_detail_init() (may be NULL).
 * @return As cxm_store_load(); CXM_E_SIZE for a `detail` of a size this
 *         library does not know.
 * @since 0.2
 */
CXM_API int32_t cxm_store_load_ex(cxm_store **out, const char *path, const cxm_allocator *allocator,
                                  cxm_detail *detail);

/**
 * @brief Load a store from snapshot bytes in memory.
 *
 * Any bytes are safe to give: malformed, truncated or corrupted input
 * returns a status, never reads outside `bytes`, and leaks nothing.
 * @param[out] out Receives the new store (NULL on failure); the caller frees
 *        it with cxm_store_free().
 * @param[in] bytes The snapshot; borrowed for the call only. May be NULL
 *        when `len` is 0.
 * @param[in] len Number of bytes.
 * @param[in] allocator Memory hooks for the new store (copied), or NULL for
 *        malloc/realloc/free.
 * @return CXM_OK, CXM_E_ARG, CXM_E_NOMEM, CXM_E_FORMAT (wrong magic or
 *         inconsistent content), CXM_E_VERSION (a format version this
 *         library does not read), CXM_E_TRUNCATED (the bytes end early) or
 *         CXM_E_CHECKSUM (a section's checksum does not match).
 * @note Thread-safe. @since 0.1
 */
CXM_API int32_t cxm_store_load_bytes(cxm_store **out, const void *bytes, size_t len, const cxm_allocator *allocator);

#ifdef __cplusplus
}
#endif

#endif /* CXM_SNAPSHOT_H */
