/* Store snapshots (cxm/snapshot.h): the byte format's constants, shared by
 * the writer (snapshot_save.c) and the reader (snapshot_load.c), and the
 * file functions with injectable I/O (snapshot_file.c) for tests. The
 * format is described byte by byte in docs/snapshot.md. */
#ifndef CXM_SRC_SNAPSHOT_H
#define CXM_SRC_SNAPSHOT_H

#include "cxm/snapshot.h"
#include "common/fileio.h"

/* 2: interactions gain first_time, last_resolve_time and the reply, reopen
 * and transfer counts. 3: the survey log (LOOP) follows the customer days.
 * 4: the contacts' resolves, reopens and transfers (STAT) follow the
 * survey log, then the rating log (RATE: attribute labels, refs, ratings),
 * then what each customer came through first (FRST: channel, segment).
 * Version 1, 2 and 3 files still load (docs/snapshot.md). */
#define CXMI_SNAPSHOT_VERSION 4u
#define CXMI_SNAPSHOT_HEADER_BYTES 16u
#define CXMI_SNAPSHOT_TRAILER_BYTES 16u
/* A section's frame: tag (4), payload length (8), payload, CRC-32C (4). */
#define CXMI_SNAPSHOT_FRAME_BYTES 16u

/* "\x89CXMSNAP": the high byte catches 7-bit channels, the rest names it. */
extern const unsigned char cxmi_snapshot_magic[8];

/* The sections, in the order they are written (LOOP from version 3; STAT,
 * RATE and FRST from version 4). */
enum {
  CXMI_SEC_META,
  CXMI_SEC_CUSTOMERS,
  CXMI_SEC_EVENT_IDS,
  CXMI_SEC_CHANNELS,
  CXMI_SEC_SEGMENTS,
  CXMI_SEC_CELLS,
  CXMI_SEC_INTERACTIONS,
  CXMI_SEC_SERVQUAL,
  CXMI_SEC_CHURNED,
  CXMI_SEC_DAYS,
  CXMI_SEC_LOOP,
  CXMI_SEC_STATUS,
  CXMI_SEC_RATINGS,
  CXMI_SEC_FIRST,
  CXMI_SEC_COUNT
};
extern const char cxmi_snapshot_tags[CXMI_SEC_COUNT][5];
#define CXMI_SNAPSHOT_TRAILER_TAG "TAIL"

/* cxm_store_save() and cxm_store_load() through the operations `io`. */
int32_t cxmi_snapshot_save_file(const cxm_store *store, const char *path, uint32_t new_mode, const cxmi_fileio *io);
int32_t cxmi_snapshot_load_file(cxm_store **out, const char *path, const cxm_allocator *allocator,
                                const cxmi_fileio *io);
/* The same, telling `detail` (may be NULL, size already checked) what failed:
 * for CXM_E_IO the operation, the path and the OS's reason. */
int32_t cxmi_snapshot_save_file_ex(const cxm_store *store, const char *path, const cxmi_fileio *io, cxm_detail *detail);
int32_t cxmi_snapshot_load_file_ex(cxm_store **out, const char *path, const cxm_allocator *allocator,
                                   const cxmi_fileio *io, cxm_detail *detail);

#endif
