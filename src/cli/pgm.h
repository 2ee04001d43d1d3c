/* pgm.h: reading PGM greyscale images (P5 binary, P2 plain text). */
#ifndef LNN_CLI_PGM_H
#define LNN_CLI_PGM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* true if the file starts like a PGM ("P5" or "P2"). */
bool pgm_sniff(const unsigned char *head, size_t n);

/* Read the PGM image at path into x: exactly n pixels, scaled to [0, 1]
 * by its maxval, row-major (MNIST's order; 0 is the background). false
 * with a one-line message naming the fault in err. */
bool pgm_read(const char *path, float *x, size_t n, char *err, size_t errlen);

#endif /* LNN_CLI_PGM_H */
