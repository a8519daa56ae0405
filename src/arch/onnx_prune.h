/* arch/onnx_prune: drop the weight bytes from a serialised ONNX model before
 * protobuf-c unpacks it, so a 100 MB file is read as a few hundred KB of
 * graph (counting needs the initializers' dims, never their values). */
#ifndef JC_ARCH_ONNX_PRUNE_H
#define JC_ARCH_ONNX_PRUNE_H

#include <stddef.h>
#include <stdint.h>

/* Tensor data fields longer than this are dropped: a tensor whose values the
 * counter reads (a shape, at most 64 int64 values) is always shorter. */
#define JC_ONNX_PRUNE_MIN 1024

/* Copies the ModelProto in[0..n) to a new buffer *out (malloc'd, *out_len
 * bytes) without the long data fields of the graph's initializers and of
 * Constant node tensors. Returns 0, -1 on malformed wire data, -2 when out of
 * memory. Never reads past in + n. */
int jc_onnx_prune(const uint8_t *in, size_t n, uint8_t **out, size_t *out_len);

#endif
