/* Writes seed inputs for fuzz_codec: real accumulators, serialised, each
 * prefixed with the byte that selects its format (fuzz_codec.c).
 *
 * Usage: gen_codec_seeds OUT_DIR EVENTS.csv...
 * Every event file is read into a store; the store's survey, gap,
 * SERVQUAL, loyalty and service accumulators are written as
 * <format>-<n>, together with empty ones and a few extreme counts. The
 * seeds committed in fuzz/corpus/codec were written by
 *   gen_codec_seeds fuzz/corpus/codec examples/data/sample_events.csv \
 *     examples/data/with_errors.csv */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cxm/experience.h"
#include "cxm/query.h"
#include "cxm/reader.h"
#include "cxm/store.h"
#include "cxm/survey.h"

enum { SURVEY, GAP, SERVQUAL, LOYALTY, SERVICE };
static const char *const names[5] = {"survey", "gap", "servqual", "loyalty", "service"};

static int write_seed(const char *dir, int format, int n, const uint8_t *bytes, size_t len) {
  char path[4096];
  FILE *fp;
  uint8_t sel = (uint8_t)format;
  snprintf(path, sizeof path, "%s/%s-%d", dir, names[format], n);
  fp = fopen(path, "wb");
  if (fp == NULL || fwrite(&sel, 1, 1, fp) != 1 || fwrite(bytes, 1, len, fp) != len) {
    fprintf(stderr, "gen_codec_seeds: cannot write %s\n", path);
    if (fp != NULL) fclose(fp);
    return 1;
  }
  return fclose(fp) != 0;
}

/* Serialise and write each accumulator of one slice of a store. */
static int store_seeds(const char *dir, const cxm_store *store, const cxm_filter *filter, int n, uint8_t *buf) {
  cxm_survey_acc survey;
  cxm_gap_acc gap;
  cxm_servqual_acc servqual;
  cxm_loyalty_acc loyalty;
  cxm_service_acc *service = malloc(sizeof *service);
  size_t len;
  int bad = 0;
  if (service == NULL) return 1;
  bad |= cxm_store_survey(&survey, store, filter) != CXM_OK ||
         cxm_survey_acc_serialize(buf, CXM_SERVICE_ACC_MAX_BYTES, &len, &survey) != CXM_OK ||
         write_seed(dir, SURVEY, n, buf, len);
  bad |= cxm_store_gap(&gap, store, filter, NULL) != CXM_OK ||
         cxm_gap_acc_serialize(buf, CXM_SERVICE_ACC_MAX_BYTES, &len, &gap) != CXM_OK ||
         write_seed(dir, GAP, n, buf, len);
  bad |= cxm_store_servqual_acc(&servqual, store, filter) != CXM_OK ||
         cxm_servqual_acc_serialize(buf, CXM_SERVICE_ACC_MAX_BYTES, &len, &servqual) != CXM_OK ||
         write_seed(dir, SERVQUAL, n, buf, len);
  bad |= cxm_store_loyalty_acc(&loyalty, store, filter) != CXM_OK ||
         cxm_loyalty_acc_serialize(buf, CXM_SERVICE_ACC_MAX_BYTES, &len, &loyalty) != CXM_OK ||
         write_seed(dir, LOYALTY, n, buf, len);
  bad |= cxm_store_service_acc(service, store, filter, NULL) != CXM_OK ||
         cxm_service_acc_serialize(buf, CXM_SERVICE_ACC_MAX_BYTES, &len, service) != CXM_OK ||
         write_seed(dir, SERVICE, n, buf, len);
  free(service);
  return bad;
}

int main(int argc, char **argv) {
  uint8_t *buf = malloc(CXM_SERVICE_ACC_MAX_BYTES);
  int n = 0, i, bad = 0;
  if (argc < 2 || buf == NULL) {
    fprintf(stderr, "usage: %s OUT_DIR EVENTS.csv...\n", argv[0]);
    return 2;
  }
  {
    /* Empty accumulators: an empty store. */
    cxm_store *store = NULL;
    bad |= cxm_store_new(&store, NULL) != CXM_OK || store_seeds(argv[1], store, NULL, n++, buf);
    cxm_store_free(store);
  }
  {
    /* Extreme counts: the varint of 2^64 - 1 and of 2^63. */
    cxm_survey_acc s;
    cxm_loyalty_acc l = {UINT64_C(0x0102030405060708), 300, UINT64_C(1) << 63};
    size_t len;
    cxm_survey_acc_init(&s);
    s.nps.count[0] = 1;
    s.nps.count[10] = 300;
    s.csat.count[0] = 128;
    s.csat.count[4] = 127;
    s.ces.count[6] = UINT64_C(1) << 63;
    s.nps.count[5] = UINT64_MAX;
    bad |= cxm_survey_acc_serialize(buf, CXM_SERVICE_ACC_MAX_BYTES, &len, &s) != CXM_OK ||
           write_seed(argv[1], SURVEY, n, buf, len);
    bad |= cxm_loyalty_acc_serialize(buf, CXM_SERVICE_ACC_MAX_BYTES, &len, &l) != CXM_OK ||
           write_seed(argv[1], LOYALTY, n, buf, len);
    n++;
  }
  for (i = 2; i < argc; i++) {
    cxm_store *store = NULL;
    cxm_filter f;
    int32_t rc = cxm_store_new(&store, NULL);
    if (rc == CXM_OK) rc = cxm_store_ingest_file(store, argv[i], NULL, NULL);
    if (rc != CXM_OK) {
      fprintf(stderr, "gen_codec_seeds: %s: %s\n", argv[i], cxm_status_str(rc));
      bad = 1;
    } else {
      bad |= store_seeds(argv[1], store, NULL, n++, buf);
      /* A slice: one channel. */
      cxm_filter_init(&f);
      f.channel = 2; /* phone */
      bad |= store_seeds(argv[1], store, &f, n++, buf);
    }
    cxm_store_free(store);
  }
  free(buf);
  return bad ? 1 : 0;
}
