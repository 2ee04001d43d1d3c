/* Fuzz target: an IDX image file alone (lnn_load_images, as lnn predict
 * reads one), raw or gzip: the loader tells them apart by content. */
#include "fuzz.h"
#include "lnn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    lnn_dataset d;
    if (lnn_load_images(&d, fuzz_file(0, data, size), err, sizeof err) ==
        LNN_OK)
        lnn_dataset_free(&d);
    return 0;
}
