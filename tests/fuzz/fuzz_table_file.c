/* Fuzz target: a table file as lnn train reads one (lnn_table_load from
 * a path). Byte 0 picks the format and options: bits 0-1 CSV, LIBSVM or
 * .npy (3: CSV again, as a TSV), bit 2 a forced header, bit 3 --label 0,
 * bit 4 --features 8; bits 5-6 what the labels then become: 1 numeric
 * targets (lnn_table_targets, values), 2 LIBSVM's label sets
 * (lnn_table_label_sets), 3 label sets by a vocabulary of "0", "1", "2";
 * the rest is the file. */
#include "fuzz.h"
#include "lnn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const lnn_format formats[] = {LNN_FORMAT_CSV, LNN_FORMAT_LIBSVM,
                                         LNN_FORMAT_NPY, LNN_FORMAT_CSV};
    lnn_table_opts o = lnn_table_opts_default();
    o.format = formats[data[0] & 3];
    if ((data[0] & 3) == 3)
        o.delimiter = '\t';
    if (data[0] & 4)
        o.header = 1;
    if (data[0] & 8)
        o.label = "0";
    if (data[0] & 16)
        o.n_features = 8;
    char err[256];
    lnn_table t;
    if (lnn_table_load(&t, fuzz_file(0, data + 1, size - 1), &o, err,
                       sizeof err) != LNN_OK)
        return 0;
    static char *const known[] = {"0", "1", "2"};
    const int then = (data[0] >> 5) & 3;
    if (t.y && then == 1)
        lnn_table_targets(&t, LNN_TARGET_VALUES, NULL, err, sizeof err);
    else if (t.y && then >= 2)
        lnn_table_label_sets(&t, then == 3 ? known : NULL, then == 3 ? 3 : 0,
                             err, sizeof err);
    lnn_table_free(&t);
    return 0;
}
