/* sr/model_json.h: the sr model as a jansson object, for containers that
 * embed it in their own JSON (the learn module's regressor files). The
 * object is exactly what jc_sr_model_save writes. */
#ifndef JC_SR_MODEL_JSON_H
#define JC_SR_MODEL_JSON_H

#include <jansson.h>
#include "joulecast/sr.h"

/* New reference, or NULL (out of memory or an invalid program: see jc_last_error). */
json_t *jc_sr_model_to_json(const jc_sr_model *m);
/* `where` names the source in messages. */
int jc_sr_model_from_json(const json_t *root, const char *where, jc_sr_model *out);

#endif
