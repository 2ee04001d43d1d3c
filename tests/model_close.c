/* model_close: do two model files hold the same network up to float
 * rounding? For the tests of data-parallel training (test_mpi.sh).
 * Usage: model_close A B RTOL
 * Prints max |W_a - W_b| / max |W_b| over the parameter blocks; exit 0 if
 * that is <= RTOL and the sizes and training positions agree, 1 if not,
 * 2 if a file cannot be loaded. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lnn.h"

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: model_close A B RTOL\n");
        return 2;
    }
    lnn_net *a = NULL, *b = NULL;
    char err[256];
    if (lnn_model_load(&a, NULL, argv[1], 0, err, sizeof err) != LNN_OK ||
        lnn_model_load(&b, NULL, argv[2], 0, err, sizeof err) != LNN_OK) {
        fprintf(stderr, "model_close: %s\n", err);
        lnn_net_destroy(a);
        return 2;
    }
    int rc = 1;
    const size_t n = lnn_net_n_params(a);
    const lnn_train_state sa = lnn_net_train_state(a);
    const lnn_train_state sb = lnn_net_train_state(b);
    if (n != lnn_net_n_params(b) || sa.iteration != sb.iteration) {
        fprintf(stderr, "model_close: %zu parameters after %llu updates vs "
                "%zu after %llu\n", n, (unsigned long long)sa.iteration,
                lnn_net_n_params(b), (unsigned long long)sb.iteration);
        goto done;
    }
    const float *pa = lnn_net_params(a), *pb = lnn_net_params(b);
    double diff = 0.0, scale = 0.0;
    for (size_t i = 0; i < n; i++) {
        diff = fmax(diff, fabs((double)pa[i] - (double)pb[i]));
        scale = fmax(scale, fabs((double)pb[i]));
    }
    const double rel = scale > 0.0 ? diff / scale : diff;
    printf("max |dW| / max |W| = %.3g\n", rel);
    rc = rel <= strtod(argv[3], NULL) ? 0 : 1;
done:
    lnn_net_destroy(a);
    lnn_net_destroy(b);
    return rc;
}
