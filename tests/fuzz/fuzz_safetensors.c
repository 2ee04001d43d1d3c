/* Fuzz target: a safetensors file as lnn import reads it, from the bytes
 * in memory: the header (st_parse), the nn.Sequential layout and the
 * activation, then a network of max_batch 1 with the converted parameters
 * (sizes that reach lnn_net_create have been checked against the bytes
 * present, so nothing is allocated from an unchecked header). */
#include <stddef.h>
#include <stdint.h>

#include "safetensors.h"
#include "sequential.h"

#define FUZZ_ERRLEN 512

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[FUZZ_ERRLEN];
    st_file f;
    if (!st_parse(&f, data, size, err, sizeof err))
        return 0;
    lnn_net_destroy(seq_net_create(&f, NULL, 1, err, sizeof err));
    st_free(&f);
    return 0;
}
