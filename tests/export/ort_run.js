// ort_run.js MODEL ROWS: onnxruntime-node (found through NODE_PATH) runs
// MODEL on ROWS and prints {"name", "dims", "data"} of the graph's first
// output as JSON. ROWS is a JSON array of float rows (the graph's one
// input, "input"), or an object of columns, one per graph input of a table
// model's raw columns: an array of strings (a string tensor [N, 1]) or of
// numbers, null for a missing cell (a float tensor [N, 1], null as NaN).
const fs = require("fs");
const ort = require("onnxruntime-node");

function column(values) {
  const dims = [values.length, 1];
  if (values.some((v) => typeof v === "string"))
    return new ort.Tensor("string", values, dims);
  return new ort.Tensor("float32",
                        Float32Array.from(values, (v) => (v === null ? NaN : v)),
                        dims);
}

async function main(model, rowsPath) {
  const rows = JSON.parse(fs.readFileSync(rowsPath, "utf8"));
  const session = await ort.InferenceSession.create(model);
  const feeds = {};
  if (Array.isArray(rows))
    feeds.input = new ort.Tensor("float32", Float32Array.from(rows.flat()),
                                 [rows.length, rows[0].length]);
  else
    for (const name of Object.keys(rows)) feeds[name] = column(rows[name]);
  const out = await session.run(feeds);
  const name = session.outputNames[0];
  console.log(JSON.stringify({ name, dims: out[name].dims,
                               data: Array.from(out[name].data) }));
}

main(process.argv[2], process.argv[3]).catch((e) => {
  console.error(`onnxruntime: ${e.message}`);
  process.exit(1);
});
