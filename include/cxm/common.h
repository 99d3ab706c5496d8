/**
 * @file cxm/common.h
 * @brief Export macro, version, status codes and allocator hooks shared by
 *        every part of the cxm API.
 *
 * Conventions used across the whole API:
 * - Every fallible function returns an `int32_t` status: `CXM_OK` (0) on
 *   success, a negative `CXM_E_*` code on error, or a positive notice
 *   (e.g. `CXM_DUPLICATE`) when the call succeeded but did nothing.
 *   Bindings treat `status < 0` as an error.
 * - Results travel through out-parameters, which come first.
 * - A function that fails leaves every object it was given exactly as it
 *   was, unless its documentation says otherwise.
 * - Enumerations travel as `int32_t`; their values are never renumbered.
 */
#ifndef CXM_COMMON_H
#define CXM_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @def CXM_API
 * Marks a function as part of the exported API. The library is built with
 * hidden visibility, so everything else stays private.
 */
#if defined(_WIN32) && defined(CXM_BUILDING_DLL)
#define CXM_API __declspec(dllexport)
#elif defined(_WIN32) && !defined(CXM_STATIC)
#define CXM_API __declspec(dllimport)
#elif defined(__GNUC__) && __GNUC__ >= 4
#define CXM_API __attribute__((visibility("default")))
#else
#define CXM_API
#endif

/** Major version: changes when the ABI breaks (the soname follows it). */
#define CXM_VERSION_MAJOR 0
/** Minor version: changes when the API grows compatibly. */
#define CXM_VERSION_MINOR 1
/** Patch version: changes for fixes only. */
#define CXM_VERSION_PATCH 0
/** The version as one number: major * 10000 + minor * 100 + patch. */
#define CXM_VERSION_NUMBER (CXM_VERSION_MAJOR * 10000 + CXM_VERSION_MINOR * 100 + CXM_VERSION_PATCH)
/** @cond */
#define CXM_VERSION_STR_(x) #x
#define CXM_VERSION_XSTR_(x) CXM_VERSION_STR_(x)
/** @endcond */
/** The version as a string, "MAJOR.MINOR.PATCH". */
#define CXM_VERSION_STRING \
  CXM_VERSION_XSTR_(CXM_VERSION_MAJOR) "." CXM_VERSION_XSTR_(CXM_VERSION_MINOR) "." CXM_VERSION_XSTR_(CXM_VERSION_PATCH)

/**
 * @brief Status codes. Values are part of the ABI and never renumbered.
 * @since 0.1
 */
enum cxm_status {
  CXM_OK = 0,              /**< Success. */
  CXM_DUPLICATE = 1,       /**< Notice: the event id was seen before; skipped. */
  CXM_UNKNOWN_COLUMN = 2,  /**< Notice: a CSV column is unknown and ignored. */
  CXM_REPEATED_HEADER = 3, /**< Notice: a copy of the CSV header row among the data rows was skipped. */
  CXM_E_ARG = -1,          /**< A required pointer is NULL. */
  CXM_E_NOMEM = -2,        /**< An allocation failed; nothing changed. */
  CXM_E_SIZE = -3,         /**< A struct's `size` field is not one this library knows. */
  CXM_E_CUSTOMER = -4,     /**< Customer id empty or longer than 128 bytes. */
  CXM_E_HANDLE = -5,       /**< Customer handle not issued by this store. */
  CXM_E_TIME = -6,         /**< Time unparseable or outside years 1970..9999. */
  CXM_E_KIND = -7,         /**< Unknown event kind. */
  CXM_E_VALUE = -8,        /**< Value missing, not a number, out of range, or given to a kind that takes none. */
  CXM_E_CHANNEL = -9,      /**< Channel code or token invalid. */
  CXM_E_STAGE = -10,       /**< Journey stage invalid. */
  CXM_E_SEGMENT = -11,     /**< Segment code or label invalid. */
  CXM_E_DIMENSION = -12,   /**< SERVQUAL dimension invalid or missing where required. */
  CXM_E_REF = -13,         /**< Interaction ref invalid or missing where required. */
  CXM_E_EVENT_ID = -14,    /**< Event id longer than 128 bytes. */
  CXM_E_WINDOW = -15,      /**< Window reversed or off the store's buckets, or a cut-off not a UTC midnight. */
  CXM_E_BY = -16,          /**< Unknown grouping dimension. */
  CXM_E_OVERFLOW = -17,  /**< A count would overflow 64 bits, or a sum (a day's purchase amount) would not be finite. */
  CXM_E_FORMAT = -18,    /**< Serialised bytes are malformed. */
  CXM_E_VERSION = -19,   /**< Serialised format version not supported. */
  CXM_E_TRUNCATED = -20, /**< Serialised bytes end early. */
  CXM_E_IO = -21,        /**< A file could not be opened or read. */
  CXM_E_HEADER = -22,    /**< CSV header missing, duplicated or lacking a required column. */
  CXM_E_ROW = -23,       /**< Strict mode stopped at a bad row. */
  CXM_E_STATE = -24,     /**< Object used in the wrong state (reader fed after finish, store without a table). */
  CXM_E_LIMIT = -25,     /**< A capacity limit was reached (customers, channels, segments). */
  CXM_E_COLUMNS = -26,   /**< A row has the wrong number of fields. */
  CXM_E_QUOTE = -27,     /**< A quoted field is malformed or never closed. */
  CXM_E_ENCODING = -28,  /**< Invalid UTF-8 or a control character in a known field. */
  CXM_E_NOT_FOUND = -29, /**< The thing looked up does not exist. */
  CXM_E_BUFFER = -30,    /**< The caller's buffer is too small. */
  CXM_E_OPTION = -31,    /**< An option value is invalid. */
  CXM_E_SYNTAX = -32,    /**< A JSON Lines record is not valid JSON of the expected shape. */
  CXM_E_CONVERGE = -33,  /**< A model fit did not converge; the result holds the best point reached. */
  CXM_E_MODEL = -34,     /**< Unknown model kind, or a model whose parameters are unusable for the call. */
  CXM_E_NO_DATA = -35,   /**< Nothing to compute from (e.g. no customers to fit). */
  CXM_E_CHECKSUM = -36,  /**< A snapshot section's checksum does not match its bytes. */
  CXM_E_CONFLICT = -37,  /**< Two stores cannot be merged (different options, or an event id in both). */
  CXM_E_NOT_FILE = -38   /**< A path names something other than a regular file (a directory, FIFO, device, socket). */
};

/**
 * @brief The library's version as `CXM_VERSION_NUMBER` of the build that
 *        produced the shared object (may differ from the header's).
 * @return major * 10000 + minor * 100 + patch.
 * @note Thread-safe. @since 0.1
 */
CXM_API uint32_t cxm_version(void);

/**
 * @brief The library's version as a static string such as "0.1.0".
 * @return A static, NUL-terminated string; never free it.
 * @note Thread-safe. @since 0.1
 */
CXM_API const char *cxm_version_string(void);

/**
 * @brief A static English description of a status code.
 * @param[in] status Any value; unknown ones give "unknown status".
 * @return A static, NUL-terminated string; never free it.
 * @note Thread-safe. @since 0.1
 */
CXM_API const char *cxm_status_str(int32_t status);

/**
 * @brief The symbolic name of a status code, e.g. "CXM_E_VALUE".
 * @param[in] status Any value; unknown ones give "CXM_UNKNOWN".
 * @return A static, NUL-terminated string; never free it.
 * @note Thread-safe. @since 0.1
 */
CXM_API const char *cxm_status_name(int32_t status);

/**
 * @brief Memory hooks supplied by the caller, per object (never global).
 *
 * All three functions must be set, or the whole struct pointer passed as
 * NULL to use the C library's malloc/realloc/free. `free` receives NULL
 * never. Sizes are passed so that arena or pool allocators need no headers.
 * Frozen: this layout never changes (docs/api.md, "Structs that grow").
 * @since 0.1
 */
typedef struct cxm_allocator {
  /** Allocate `size` bytes (size > 0), aligned for any type; NULL on failure. */
  void *(*alloc)(void *opaque, size_t size);
  /** Resize `ptr` (from this allocator, `old_size` bytes) to `new_size` > 0; NULL on failure, leaving `ptr` intact. */
  void *(*realloc)(void *opaque, void *ptr, size_t old_size, size_t new_size);
  /** Release `ptr` of `size` bytes. */
  void (*free)(void *opaque, void *ptr, size_t size);
  /** Passed back to each hook unchanged. */
  void *opaque;
} cxm_allocator;

/** Bytes of cxm_detail's `reason`, its NUL included. @since 0.2 */
#define CXM_DETAIL_REASON_SIZE 256

/**
 * @brief Why a call failed, for the calls that take one: an optional
 *        per-call out-parameter (jansson's `json_error_t`), never global
 *        state, so calls on distinct objects may run in parallel.
 *
 * Fill with cxm_detail_init(); a call that takes one sets every field,
 * whether it succeeds (status CXM_OK, empty reason) or fails.
 * @since 0.2
 */
typedef struct cxm_detail {
  size_t size;       /**< sizeof(cxm_detail); set by cxm_detail_init() */
  int32_t status;    /**< the status the call returned */
  const char *field; /**< the input field at fault ("value", "time", ...), "*" for none; a static string */
  char reason[CXM_DETAIL_REASON_SIZE]; /**< a sentence: "value 11 for kind nps is not an integer 0..10" */
} cxm_detail;

/** @brief Set `size` and clear the rest. Ignores NULL. @since 0.2 */
CXM_API void cxm_detail_init(cxm_detail *detail);

#ifdef __cplusplus
}
#endif

#endif /* CXM_COMMON_H */
