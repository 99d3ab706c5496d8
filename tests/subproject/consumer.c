/* Links cxm as a subproject and checks the library it got is usable. */
#include <cxm.h>
#include <stdio.h>

int main(void) {
  cxm_store *store = NULL;
  int32_t rc = cxm_store_new(&store, NULL);
  if (rc != CXM_OK) {
    fprintf(stderr, "cxm_store_new: %s\n", cxm_status_str(rc));
    return 1;
  }
  cxm_store_free(store);
  printf("cxm %s as a subproject: ok\n", cxm_version_string());
  return cxm_version() == CXM_VERSION_NUMBER ? 0 : 1;
}
