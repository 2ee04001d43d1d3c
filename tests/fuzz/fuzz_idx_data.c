/* Fuzz target: an IDX image file and its label file together
 * (lnn_load_data, as lnn train reads them), each raw or gzip, then the
 * exercise's data_wrapper on them. One input holds both:
 *   byte 0        n_classes - 1
 *   bytes 1..4    the length of the image file, little-endian (mod what is
 *                 left)
 *   then          the image file, then the label file. */
#include "fuzz.h"
#include "lnn.h"

#define PREFIX 5

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < PREFIX)
        return 0;
    const size_t n_classes = (size_t)data[0] + 1;
    const size_t rest = size - PREFIX;
    const uint32_t len = (uint32_t)data[1] | (uint32_t)data[2] << 8 |
                         (uint32_t)data[3] << 16 | (uint32_t)data[4] << 24;
    const size_t n_img = rest ? len % (rest + 1) : 0;
    const char *images = fuzz_file(0, data + PREFIX, n_img);
    const char *labels = fuzz_file(1, data + PREFIX + n_img, rest - n_img);
    char err[256];
    lnn_dataset d;
    if (lnn_load_data(&d, images, labels, n_classes, err, sizeof err) !=
        LNN_OK)
        return 0;
    lnn_splits s;
    if (lnn_data_wrapper(&s, &d, &d, d.m, 0, err, sizeof err) == LNN_OK)
        lnn_splits_free(&s);
    lnn_dataset_free(&d);
    return 0;
}
