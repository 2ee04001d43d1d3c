/* safetensors.h: the safetensors file format (Hugging Face's weights
 * format): an 8-byte little-endian header length N, N bytes of JSON header,
 * then the raw little-endian tensor data. The header maps each tensor name
 * to {"dtype", "shape", "data_offsets": [begin, end]} (offsets into the
 * data, which the tensors must cover exactly, without holes or overlaps),
 * plus an optional "__metadata__" object of string values.
 *
 * Reading parses a memory buffer (the whole file) with jansson, so a fuzzer
 * can drive it; nothing is allocated from a size in the header before that
 * size is checked against the buffer. */
#ifndef LNN_CLI_SAFETENSORS_H
#define LNN_CLI_SAFETENSORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ST_LEN_BYTES 8           /* the header length field */
#define ST_ALIGN 8               /* writers pad the header to this */
#define ST_MAX_HEADER (100u << 20) /* the reference reader's limit, 100 MB */
#define ST_MAX_RANK 8
/* JSON values in a header, at most: a model's header has about 12 per
 * tensor (2 per layer, at most 4096 layers) and one per metadata entry;
 * the parsed tree costs about 100 bytes a value, so a 48 MB header of
 * tiny values would otherwise cost gigabytes before any check. */
#define ST_MAX_VALUES (1u << 18)
#define ST_METADATA_KEY "__metadata__"

/* X(enum, name in the header, bytes per element): the dtypes lnn reads. */
#define ST_DTYPE_LIST(X)    \
    X(ST_F32, "F32", 4)     \
    X(ST_F64, "F64", 8)     \
    X(ST_F16, "F16", 2)     \
    X(ST_BF16, "BF16", 2)

typedef enum st_dtype {
#define ST_DTYPE_ENUM_(e, name, size) e,
    ST_DTYPE_LIST(ST_DTYPE_ENUM_)
#undef ST_DTYPE_ENUM_
    ST_N_DTYPES
} st_dtype;

typedef struct st_tensor {
    const char *name;            /* borrowed from the header */
    st_dtype dtype;
    size_t rank;
    uint64_t shape[ST_MAX_RANK];
    size_t count;                /* elements: the product of shape */
    const unsigned char *data;   /* count elements, little-endian, borrowed
                                    from the buffer given to st_parse */
} st_tensor;

typedef struct st_file {
    void *json;         /* the parsed header (a json_t *) */
    unsigned char *buf; /* the file's bytes, when st_load read them */
    size_t n_tensors;
    st_tensor *tensors; /* in the header's order */
} st_file;

/* Parse and check a whole safetensors file held in buf[0..len-1]: the
 * header length fits, the header is a JSON object, every tensor has a known
 * dtype, a shape and data_offsets in range that match its size, and the
 * tensors cover the data exactly. On success f borrows from buf (keep it
 * until st_free). false with a one-line message in err (f then needs no
 * st_free). */
bool st_parse(st_file *f, const unsigned char *buf, size_t len, char *err,
              size_t errlen);
void st_free(st_file *f);

/* st_parse on the whole of the regular file at path, read into memory that
 * f owns. false with a one-line message naming the file in err. */
bool st_load(st_file *f, const char *path, char *err, size_t errlen);

/* The metadata value of key (a string), or NULL. */
const char *st_metadata(const st_file *f, const char *key);

/* Convert t's elements to float32 (F64 rounds to nearest, F16 and BF16 are
 * exact), out has t->count entries. */
void st_to_f32(const st_tensor *t, float *out);

/* What st_write writes: a float32 tensor, row-major, of rank 1 or 2. */
typedef struct st_out_tensor {
    const char *name;
    size_t rank;
    size_t shape[2];
    const float *data;
} st_out_tensor;

typedef struct st_kv {
    const char *key, *value;
} st_kv;

/* Write a safetensors file of float32 tensors (in this order) and string
 * metadata. false with a message in err (a partial file is removed). */
bool st_write(const char *path, const st_out_tensor *tensors, size_t n,
              const st_kv *metadata, size_t n_metadata, char *err,
              size_t errlen);

#endif /* LNN_CLI_SAFETENSORS_H */
