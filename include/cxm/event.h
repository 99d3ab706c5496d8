/**
 * @file cxm/event.h
 * @brief Touchpoint events: kinds, channels, journey stages, SERVQUAL
 *        dimensions and the event record (docs/events.md).
 */
#ifndef CXM_EVENT_H
#define CXM_EVENT_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Event kinds (docs/events.md, "Kinds"). @since 0.1 */
enum cxm_kind {
  CXM_KIND_NPS = 0,               /**< integer 0..10 */
  CXM_KIND_CSAT = 1,              /**< integer 1..5 */
  CXM_KIND_CES = 2,               /**< integer 1..7 (7 = least effort) */
  CXM_KIND_INTERNAL = 3,          /**< number 0..100, the company's own rating */
  CXM_KIND_EXPECTATION = 4,       /**< integer 1..7, needs a dimension */
  CXM_KIND_PERCEPTION = 5,        /**< integer 1..7, needs a dimension */
  CXM_KIND_CONTACT_OPEN = 6,      /**< no value, needs a ref */
  CXM_KIND_CONTACT_REPLY = 7,     /**< no value, needs a ref */
  CXM_KIND_CONTACT_RESOLVE = 8,   /**< no value, needs a ref */
  CXM_KIND_PURCHASE = 9,          /**< number >= 0, the amount */
  CXM_KIND_COMPLAINT = 10,        /**< no value */
  CXM_KIND_COMPLIMENT = 11,       /**< no value */
  CXM_KIND_CHURN = 12,            /**< no value */
  CXM_KIND_CONTACT_REOPEN = 13,   /**< no value, needs a ref (the contact's) */
  CXM_KIND_CONTACT_TRANSFER = 14, /**< no value, needs a ref (the contact's) */
  CXM_KIND_FOLLOWUP = 15,         /**< no value, needs a ref (the answer's) */
  CXM_KIND_SURVEY_SENT = 16,      /**< no value, a survey invitation */
  CXM_KIND_RATING = 17,           /**< integer 1..7, needs an attribute (cxm_store_attribute()) @since 0.2 */
  CXM_KIND_COUNT = 18             /**< number of kinds */
};

/**
 * @brief Named channels. Codes from `CXM_CHANNEL_FIRST_CUSTOM` up are custom
 *        tokens interned per store with cxm_store_channel().
 * @since 0.1
 */
enum cxm_channel {
  CXM_CHANNEL_UNKNOWN = 0, /**< empty channel */
  CXM_CHANNEL_EMAIL = 1,
  CXM_CHANNEL_PHONE = 2,
  CXM_CHANNEL_CHAT = 3,
  CXM_CHANNEL_WEB = 4,
  CXM_CHANNEL_STORE = 5,
  CXM_CHANNEL_SOCIAL = 6,
  CXM_CHANNEL_APP = 7,
  CXM_CHANNEL_FIRST_CUSTOM = 8
};

/** @brief Journey stages. @since 0.1 */
enum cxm_stage {
  CXM_STAGE_NONE = 0, /**< no stage given */
  CXM_STAGE_AWARENESS = 1,
  CXM_STAGE_DISCOVERY = 2,
  CXM_STAGE_ATTRACTION = 3,
  CXM_STAGE_INTERACTION = 4,
  CXM_STAGE_PURCHASE = 5,
  CXM_STAGE_USE = 6,
  CXM_STAGE_CULTIVATION = 7,
  CXM_STAGE_ADVOCACY = 8,
  CXM_STAGE_COUNT = 9 /**< number of stage codes, NONE included */
};

/** @brief SERVQUAL dimensions. @since 0.1 */
enum cxm_dimension {
  CXM_DIMENSION_NONE = 0,
  CXM_DIMENSION_TANGIBLES = 1,
  CXM_DIMENSION_RELIABILITY = 2,
  CXM_DIMENSION_RESPONSIVENESS = 3,
  CXM_DIMENSION_ASSURANCE = 4,
  CXM_DIMENSION_EMPATHY = 5,
  CXM_DIMENSION_COUNT = 6
};

/** Segment code of an event without a segment. */
#define CXM_SEGMENT_UNKNOWN 0
/** Longest customer id, ref or event id, in bytes. */
#define CXM_MAX_ID_LEN 128
/** Longest segment label, in bytes. */
#define CXM_MAX_SEGMENT_LEN 64
/** Longest attribute label of a rating (cxm_store_attribute()), in bytes. */
#define CXM_MAX_ATTRIBUTE_LEN 64
/** Longest custom channel token, in bytes. */
#define CXM_MAX_CHANNEL_LEN 32
/** Earliest accepted time: 1970-01-01T00:00:00Z. */
#define CXM_TIME_MIN INT64_C(0)
/** Latest accepted time: 9999-12-31T23:59:59Z. */
#define CXM_TIME_MAX INT64_C(253402300799)

/**
 * @brief One touchpoint event. Fill it after cxm_event_init(), which sets
 *        `size` and the "absent" defaults.
 *
 * The struct only borrows its strings for the duration of the call that
 * receives it; the store copies what it keeps.
 * @since 0.1
 */
typedef struct cxm_event {
  size_t size;          /**< sizeof(cxm_event); set by cxm_event_init(). */
  const char *customer; /**< customer id bytes (1..128); ignored by cxm_store_record_for() */
  size_t customer_len;  /**< length of `customer` */
  int64_t time;         /**< UTC seconds since 1970, CXM_TIME_MIN..CXM_TIME_MAX */
  int32_t kind;         /**< an enum cxm_kind value */
  int32_t has_value;    /**< 1 if `value` is given, 0 if not */
  double value;         /**< the value, checked against the kind's range */
  int32_t channel;      /**< enum cxm_channel or a code from cxm_store_channel() */
  int32_t stage;        /**< enum cxm_stage */
  int32_t segment;      /**< CXM_SEGMENT_UNKNOWN or a code from cxm_store_segment() */
  int32_t dimension;    /**< enum cxm_dimension; for CXM_KIND_RATING an attribute code from cxm_store_attribute() */
  const char *ref;      /**< interaction id (1..128 bytes) or NULL */
  size_t ref_len;       /**< length of `ref`, 0 when absent */
  const char *id;       /**< event id (1..128 bytes) or NULL */
  size_t id_len;        /**< length of `id`, 0 when absent */
} cxm_event;

/**
 * @brief Reset an event: `size` set, no value, unknown channel, no stage,
 *        no segment, no dimension, no ref, no id, kind NPS, time 0.
 * @param[out] event The event to reset; ignored when NULL.
 * @note Thread-safe. @since 0.1
 */
CXM_API void cxm_event_init(cxm_event *event);

/**
 * @brief The canonical name of a kind ("nps", "contact_open", ...).
 * @return A static string, or NULL for an unknown kind. @since 0.1
 */
CXM_API const char *cxm_kind_name(int32_t kind);

/**
 * @brief Look up a kind by its name.
 * @param[out] kind Receives the enum cxm_kind value.
 * @param[in] name Name bytes, not necessarily NUL-terminated.
 * @param[in] len Length of `name`.
 * @return CXM_OK, CXM_E_ARG, or CXM_E_KIND for an unknown name.
 * @note Thread-safe. @since 0.1
 */
CXM_API int32_t cxm_kind_parse(int32_t *kind, const char *name, size_t len);

/** @brief The name of a named channel ("email"...), or NULL for a custom or invalid code. @since 0.1 */
CXM_API const char *cxm_channel_name(int32_t channel);

/** @brief The name of a stage ("none", "awareness", ...), or NULL. @since 0.1 */
CXM_API const char *cxm_stage_name(int32_t stage);

/**
 * @brief Look up a stage by name ("awareness"...; the empty string is CXM_STAGE_NONE).
 * @return CXM_OK, CXM_E_ARG or CXM_E_STAGE. @note Thread-safe. @since 0.1
 */
CXM_API int32_t cxm_stage_parse(int32_t *stage, const char *name, size_t len);

/** @brief The name of a SERVQUAL dimension ("none", "tangibles", ...), or NULL. @since 0.1 */
CXM_API const char *cxm_dimension_name(int32_t dimension);

/**
 * @brief Look up a SERVQUAL dimension by name (empty string: CXM_DIMENSION_NONE).
 * @return CXM_OK, CXM_E_ARG or CXM_E_DIMENSION. @note Thread-safe. @since 0.1
 */
CXM_API int32_t cxm_dimension_parse(int32_t *dimension, const char *name, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* CXM_EVENT_H */
