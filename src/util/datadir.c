/* util/datadir.c: where joulecast's shipped data lives (data/: the GPU
 * table, the default model, the dispatch defaults). The build records the
 * source tree's data/ folder; JOULECAST_DATA overrides it at run time (an
 * installed copy, or tests pointing at their own files). */
#include <stdio.h>
#include <stdlib.h>

#include "joulecast/util.h"

#ifndef JC_DATA_DIR
#define JC_DATA_DIR "data"
#endif

const char *jc_data_dir(void)
{
    const char *env = getenv("JOULECAST_DATA");
    return env && *env ? env : JC_DATA_DIR;
}

int jc_data_path(const char *name, char *buf, size_t size)
{
    int k = snprintf(buf, size, "%s/%s", jc_data_dir(), name);
    if (k < 0 || (size_t)k >= size)
        return jc_fail(JC_ERR_INVALID, "data path too long: %s/%s", jc_data_dir(), name);
    return JC_OK;
}
