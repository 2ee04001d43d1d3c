/* Fuzz target: a PGM image (P5 or P2) as lnn predict reads one, for a
 * model of 28x28 inputs. */
#include "fuzz.h"
#include "pgm.h"

#define PIXELS (28 * 28)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    float x[PIXELS];
    char err[256];
    /* lnn predict sniffs first; pgm_read must refuse anything else itself */
    pgm_sniff(data, size);
    pgm_read(fuzz_file(0, data, size), x, PIXELS, err, sizeof err);
    return 0;
}
