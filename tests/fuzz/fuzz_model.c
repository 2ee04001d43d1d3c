/* Fuzz target: the model loader, with the stored max_batch in charge
 * (max_batch = 0), the way the reproducer of issue 18 was found. The last
 * 4 bytes are replaced by the CRC-32 of the rest, so that mutations get
 * past the checksum into everything it guards: a CRC detects damage, not
 * intent. */
#include "fuzz.h" /* first: it defines _GNU_SOURCE */

#include <string.h>
#include <zlib.h>

#include "lnn.h"

#define CRC_LEN 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *b = malloc(size ? size : 1);
    if (!b)
        return 0;
    memcpy(b, data, size);
    if (size >= CRC_LEN) {
        const uLong crc = crc32(crc32(0L, Z_NULL, 0), b, (uInt)(size - CRC_LEN));
        for (int i = 0; i < CRC_LEN; i++)
            b[size - CRC_LEN + i] = (uint8_t)(crc >> (8 * i));
    }
    const char *path = fuzz_file(0, b, size);
    free(b);
    char err[256];
    lnn_train_opts opts = lnn_train_opts_default();
    lnn_net *net = NULL;
    if (lnn_model_load(&net, &opts, path, 0, err, sizeof err) == LNN_OK) {
        /* what a loaded model must support: a forward pass */
        const size_t n_0 = lnn_net_dims(net)[0];
        if (n_0 <= 4096) {
            float x[4096] = {0};
            int32_t pred;
            lnn_predict(net, x, 1, &pred);
        }
        lnn_net_destroy(net);
    }
    return 0;
}
