/* arch: what the zoo and the ONNX path share: the names of the layer kinds.
 * The counting conventions themselves are written down once, in
 * include/joulecast/arch.h, and both paths follow them. */
#include "joulecast/arch.h"

const char *jc_layer_kind_name(jc_layer_kind k)
{
    static const char *const names[JC_LAYER_NKINDS] = {"conv", "linear", "attention", "norm",
                                                       "activation", "pooling", "embedding", "other"};
    return (unsigned)k < JC_LAYER_NKINDS ? names[k] : "?";
}
