/* onnx_missing.c: onnx_write in a build without protobuf-c or Debian's
 * onnx.proto (meson option onnx): says what to install. */
#include "errbuf.h"
#include "onnx.h"

bool onnx_write(const char *path, const lnn_net *net, const seq_state *s,
                onnx_output *out, char *err, size_t errlen)
{
    (void)net;
    (void)s;
    (void)out;
    return errbuf_set(err, errlen, "%s: this lnn was built without ONNX "
                      "export; apt-get install %s, then meson setup "
                      "--reconfigure -Donnx=auto BUILD_DIR and rebuild", path,
                      ONNX_PACKAGES);
}
