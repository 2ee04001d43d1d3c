/* test_dtypes.c: st_to_f32 on the values where half and bfloat16 are
 * tricky (subnormals, the largest finite, infinities, signed zero) and on
 * F64 rounding, through a safetensors file built in memory; st_write then
 * st_parse gives back every float bit for bit. */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "safetensors.h"

#define N_F16 8
#define N_BF16 3
#define N_F64 2
#define ERRLEN 256

/* "<len><header><data>" in buf; returns its length. */
static size_t make_file(unsigned char *buf, const char *header,
                        const unsigned char *data, size_t data_len)
{
    const size_t n = strlen(header);
    for (int i = 0; i < 8; i++)
        buf[i] = (unsigned char)((uint64_t)n >> (8 * i));
    memcpy(buf + 8, header, n);
    memcpy(buf + 8 + n, data, data_len);
    return 8 + n + data_len;
}

static void check_conversions(void)
{
    /* little-endian half, bfloat16 and double patterns */
    static const uint16_t f16[N_F16] = {
        0x0001, /* smallest subnormal, 2^-24 */
        0x03ff, /* largest subnormal, 1023 2^-24 */
        0x0400, /* smallest normal, 2^-14 */
        0x7bff, /* largest finite, 65504 */
        0x3c00, /* 1 */
        0xc000, /* -2 */
        0xfc00, /* -inf */
        0x8000, /* -0 */
    };
    static const float f16_want[N_F16] = {0x1p-24f, 1023 * 0x1p-24f,
                                          0x1p-14f, 65504.0f, 1.0f, -2.0f,
                                          -INFINITY, -0.0f};
    static const uint16_t bf16[N_BF16] = {0x3f80, 0xc049, 0x0001};
    static const float bf16_want[N_BF16] = {1.0f, -3.140625f, 0x1p-133f};
    static const double f64[N_F64] = {0.1, -1e300};
    unsigned char data[2 * N_F16 + 2 * N_BF16 + 8 * N_F64];
    size_t at = 0;
    for (int i = 0; i < N_F16; i++, at += 2) {
        data[at] = f16[i] & 0xff;
        data[at + 1] = f16[i] >> 8;
    }
    for (int i = 0; i < N_BF16; i++, at += 2) {
        data[at] = bf16[i] & 0xff;
        data[at + 1] = bf16[i] >> 8;
    }
    for (int i = 0; i < N_F64; i++, at += 8) {
        uint64_t bits;
        memcpy(&bits, &f64[i], sizeof bits);
        for (int k = 0; k < 8; k++)
            data[at + k] = (unsigned char)(bits >> (8 * k));
    }
    const char *header =
        "{\"h\":{\"dtype\":\"F16\",\"shape\":[8],\"data_offsets\":[0,16]},"
        "\"b\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[16,22]},"
        "\"d\":{\"dtype\":\"F64\",\"shape\":[1,2],\"data_offsets\":[22,38]}}";
    unsigned char buf[512];
    const size_t len = make_file(buf, header, data, sizeof data);
    st_file f;
    char err[ERRLEN];
    CHECK(st_parse(&f, buf, len, err, sizeof err));
    CHECK(f.n_tensors == 3);
    if (f.n_tensors != 3)
        return;
    float out[N_F16];
    st_to_f32(&f.tensors[0], out);
    for (int i = 0; i < N_F16; i++)
        CHECK(memcmp(&out[i], &f16_want[i], sizeof out[i]) == 0);
    st_to_f32(&f.tensors[1], out);
    for (int i = 0; i < N_BF16; i++)
        CHECK(memcmp(&out[i], &bf16_want[i], sizeof out[i]) == 0);
    st_to_f32(&f.tensors[2], out);
    CHECK(out[0] == 0.1f);      /* rounded to nearest */
    CHECK(out[1] == -INFINITY); /* beyond float's range */
    st_free(&f);
}

static void check_write_read(void)
{
    const float w[6] = {1.5f, -0x1p-149f, 3e38f, 0.1f, -0.0f, 7.0f};
    const float b[3] = {NAN, 2.0f, -1.0f};
    const st_out_tensor t[2] = {{"0.weight", 2, {3, 2}, w},
                                {"0.bias", 1, {3, 0}, b}};
    const st_kv meta[1] = {{"layers", "2,3"}};
    char path[] = "/tmp/lnn-test-dtypes-XXXXXX";
    const int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    close(fd);
    char err[ERRLEN];
    CHECK(st_write(path, t, 2, meta, 1, err, sizeof err));
    st_file f;
    CHECK(st_load(&f, path, err, sizeof err));
    remove(path);
    CHECK(f.n_tensors == 2);
    if (f.n_tensors != 2)
        return;
    /* the header is padded to 8 bytes, so the data is aligned */
    CHECK((f.tensors[0].data - f.buf) % ST_ALIGN == 0);
    CHECK(strcmp(f.tensors[0].name, "0.weight") == 0);
    CHECK(f.tensors[0].rank == 2 && f.tensors[0].shape[0] == 3 &&
          f.tensors[0].shape[1] == 2);
    float out[6];
    st_to_f32(&f.tensors[0], out);
    CHECK(memcmp(out, w, sizeof w) == 0);
    st_to_f32(&f.tensors[1], out);
    CHECK(memcmp(out, b, sizeof b) == 0);
    CHECK(st_metadata(&f, "layers") && strcmp(st_metadata(&f, "layers"),
                                              "2,3") == 0);
    CHECK(st_metadata(&f, "activation") == NULL);
    st_free(&f);
}

int main(void)
{
    check_conversions();
    check_write_read();
    return check_result("dtypes");
}
