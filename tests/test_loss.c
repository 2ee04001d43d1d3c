/* compute_loss against hand-computed values; finite when a probability is
 * 0; accuracy of argmax predictions. */
#include <float.h>

#include "check.h"
#include "lnn_exercise.h"

int main(void)
{
    /* 3 classes x 2 samples */
    const float P[6] = {0.7f, 0.2f, 0.1f, 0.25f, 0.25f, 0.5f};
    const float Y[6] = {1.0f, 0.0f, 0.0f, 0.0f, 0.0f, 1.0f};
    double loss;
    CHECK_STATUS(lnn_compute_loss(P, Y, 3, 2, &loss), LNN_OK);
    /* -(log 0.7 + log 0.5) / 2 */
    CHECK_NEAR(loss, -(log(0.7) + log(0.5)) / 2.0, 1e-7);
    CHECK_NEAR(loss, 0.52491, 1e-5);

    /* A correct class whose probability underflowed to 0: large, finite. */
    const float P0[3] = {0.0f, 1.0f, 0.0f};
    const float Y0[3] = {1.0f, 0.0f, 0.0f};
    CHECK_STATUS(lnn_compute_loss(P0, Y0, 3, 1, &loss), LNN_OK);
    CHECK(isfinite(loss));
    CHECK_NEAR(loss, -log((double)FLT_MIN), 1e-9);
    /* and a zero probability where y = 0 costs nothing */
    const float Y1[3] = {0.0f, 1.0f, 0.0f};
    CHECK_STATUS(lnn_compute_loss(P0, Y1, 3, 1, &loss), LNN_OK);
    CHECK_NEAR(loss, 0.0, 0.0);

    /* a NaN probability is not hidden by the clamp: training must see it */
    const float Pn[3] = {NAN, 0.5f, 0.5f};
    CHECK_STATUS(lnn_compute_loss(Pn, Y0, 3, 1, &loss), LNN_OK);
    CHECK(isnan(loss));

    const int32_t pred[2] = {0, 1};
    double acc;
    CHECK_STATUS(lnn_accuracy(pred, Y, 3, 2, &acc), LNN_OK);
    CHECK_NEAR(acc, 0.5, 0.0);

    CHECK_STATUS(lnn_compute_loss(NULL, Y, 3, 2, &loss), LNN_ERR_ARG);
    CHECK_STATUS(lnn_compute_loss(P, Y, 3, 0, &loss), LNN_ERR_ARG);
    CHECK_STATUS(lnn_accuracy(pred, Y, 3, 2, NULL), LNN_ERR_ARG);
    return check_result("loss");
}
