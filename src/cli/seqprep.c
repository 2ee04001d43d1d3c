/* seqprep.c: a table model's preparation (lnn_prep.raw and the columns it
 * leaves out) as the exports' metadata key "preparation" (seqprep.h), and
 * back for lnn import. */
#define _POSIX_C_SOURCE 200809L

#include "seqprep.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "prepcol.h"
#include "sequential.h"

#define KIND_NAME_AT(E, name, ...) [E] = name,
static const char *const kind_names[] = {PREPCOL_KIND_LIST(KIND_NAME_AT)};
#undef KIND_NAME_AT
#define N_KINDS (sizeof kind_names / sizeof *kind_names)

/* A JSON array of n strings (NULL names: null), or NULL. */
static json_t *strings_json(char *const *s, size_t n)
{
    json_t *a = json_array();
    for (size_t k = 0; a && k < n; k++)
        if (json_array_append_new(a, s[k] ? json_string(s[k])
                                          : json_null()) != 0) {
            json_decref(a);
            a = NULL;
        }
    return a;
}

/* A string, or null for NULL. */
static json_t *string_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* One raw column: its name, kind, imputation and fill, categories, other
 * and indicator. */
static json_t *column_json(const lnn_prep_column *c)
{
    const prepcol_kind kind = prepcol_kind_of(c);
    json_t *o = json_pack("{s:o, s:s, s:s, s:f, s:b}", "name",
                          string_or_null(c->name), "kind", kind_names[kind],
                          "impute", lnn_impute_name(c->impute), "fill",
                          (double)c->fill, "indicator", c->indicator != 0);
    if (o && kind == PREPCOL_CATEGORY &&
        (json_object_set_new(o, "levels",
                             strings_json(c->levels, c->n_levels)) != 0 ||
         json_object_set_new(o, "other", json_boolean(c->other)) != 0)) {
        json_decref(o);
        o = NULL;
    }
    return o;
}

char *seqprep_json(const lnn_prep *p)
{
    json_t *cols = json_array();
    for (size_t c = 0; cols && c < p->n_raw; c++)
        if (json_array_append_new(cols, column_json(&p->raw[c])) != 0) {
            json_decref(cols);
            cols = NULL;
        }
    json_t *o = cols ? json_pack(
        "{s:o, s:o, s:o, s:o, s:o, s:o}", "columns", cols, "label",
        string_or_null(p->label), "left_out",
        strings_json(p->skipped, p->n_skipped), "id",
        string_or_null(p->id_name), "weight", string_or_null(
            p->weight_column), "na_values", string_or_null(p->na_values))
                     : NULL;
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return text;
}

/* A member that is a string or null (or absent) into *out (NULL). */
static bool string_member(json_t *o, const char *key, char **out)
{
    json_t *v = json_object_get(o, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return true;
    return json_is_string(v) && json_string_length(v) > 0 &&
           (*out = strdup(json_string_value(v))) != NULL;
}

/* A category column's "levels": distinct non-empty names into c. */
static bool levels_of(lnn_prep_column *c, json_t *levels)
{
    const size_t n = json_array_size(levels);
    if (!json_is_array(levels) || !(c->levels = calloc(n ? n : 1,
                                                       sizeof *c->levels)))
        return false;
    for (; c->n_levels < n; c->n_levels++) {
        json_t *v = json_array_get(levels, c->n_levels);
        if (!json_is_string(v) || json_string_length(v) == 0)
            return false;
        for (size_t l = 0; l < c->n_levels; l++)
            if (strcmp(c->levels[l], json_string_value(v)) == 0)
                return false;
        if (!(c->levels[c->n_levels] = strdup(json_string_value(v))))
            return false;
    }
    return true;
}

/* Column k of "preparation"'s columns into c (zeroed); false with a
 * message. */
static bool column_of(lnn_prep_column *c, json_t *o, size_t k, char *err,
                      size_t errlen)
{
    const char *kind = NULL, *impute = NULL;
    double fill = 0.0;
    int indicator = 0, other = 0;
    json_t *levels = NULL;
    size_t kind_k = N_KINDS;
    bool ok = json_unpack(o, "{s:s, s:s, s:F, s:b, s?o, s?b}", "kind", &kind,
                          "impute", &impute, "fill", &fill, "indicator",
                          &indicator, "levels", &levels, "other",
                          &other) == 0 &&
              string_member(o, "name", &c->name);
    for (size_t i = 0; ok && i < N_KINDS; i++)
        kind_k = strcmp(kind, kind_names[i]) == 0 ? i : kind_k;
    ok = ok && kind_k < N_KINDS &&
         lnn_impute_from_name(impute, &c->impute) == LNN_OK &&
         isfinite(fill) && (levels != NULL) == (kind_k == PREPCOL_CATEGORY);
    c->indicator = indicator;
    c->other = other;
    c->fill = (float)fill;
    if (ok && kind_k == PREPCOL_CATEGORY)
        ok = levels_of(c, levels) && (c->n_levels || other) &&
             fill == floor(fill) && fill >= -1.0 &&
             fill < (double)c->n_levels + other;
    return ok || errbuf_set(err, errlen, "metadata \"%s\": column %zu is "
                            "not {\"name\", \"kind\": number or category, "
                            "\"impute\", \"fill\", \"indicator\", and a "
                            "category's distinct \"levels\" and \"other\"}",
                            SEQ_KEY_PREPARATION, k + 1);
}

/* "left_out": the names of the columns left out into p. */
static bool left_out_of(lnn_prep *p, json_t *a)
{
    const size_t n = json_array_size(a);
    if (!json_is_array(a) || (n && !(p->skipped = calloc(n, sizeof
                                                         *p->skipped))))
        return false;
    for (; p->n_skipped < n; p->n_skipped++) {
        json_t *v = json_array_get(a, p->n_skipped);
        if (!json_is_string(v) ||
            !(p->skipped[p->n_skipped] = strdup(json_string_value(v))))
            return false;
    }
    return true;
}

bool seqprep_of(lnn_prep *p, const char *text, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *o = json_loads(text, 0, &jerr), *cols = NULL, *left = NULL;
    bool ok = json_unpack(o, "{s:o, s:o}", "columns", &cols, "left_out",
                          &left) == 0 &&
              json_is_array(cols) && json_array_size(cols) > 0 &&
              string_member(o, "label", &p->label) &&
              string_member(o, "id", &p->id_name) &&
              string_member(o, "weight", &p->weight_column) &&
              string_member(o, "na_values", &p->na_values) &&
              (!p->na_values || strlen(p->na_values) <= LNN_NA_VALUES_MAX) &&
              left_out_of(p, left);
    if (!ok) {
        json_decref(o);
        return errbuf_set(err, errlen, "metadata \"%s\" is not {\"columns\": "
                          "[...], \"label\", \"left_out\": [...], \"id\", "
                          "\"weight\", \"na_values\"}", SEQ_KEY_PREPARATION);
    }
    const size_t n = json_array_size(cols);
    if (!(p->raw = calloc(n, sizeof *p->raw))) {
        json_decref(o);
        return errbuf_set(err, errlen, "out of memory for %zu columns", n);
    }
    size_t width = 0;
    for (; ok && p->n_raw < n; p->n_raw++) {
        ok = column_of(&p->raw[p->n_raw], json_array_get(cols, p->n_raw),
                       p->n_raw, err, errlen);
        width += lnn_prep_column_width(&p->raw[p->n_raw]);
    }
    json_decref(o);
    return ok && (width == p->n_x ||
                  errbuf_set(err, errlen, "metadata \"%s\": its %zu "
                             "columns make %zu inputs, the network has %zu",
                             SEQ_KEY_PREPARATION, n, width, p->n_x));
}
