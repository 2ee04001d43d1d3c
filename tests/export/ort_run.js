// ort_run.js MODEL ROWS: onnxruntime-node (found through NODE_PATH) runs
// MODEL on ROWS (a JSON array of float rows, the graph's "input") and
// prints {"name", "dims", "data"} of the graph's first output as JSON.
const fs = require("fs");
const ort = require("onnxruntime-node");

async function main(model, rowsPath) {
  const rows = JSON.parse(fs.readFileSync(rowsPath, "utf8"));
  const session = await ort.InferenceSession.create(model);
  const input = new ort.Tensor("float32", Float32Array.from(rows.flat()),
                               [rows.length, rows[0].length]);
  const out = await session.run({ input });
  const name = session.outputNames[0];
  console.log(JSON.stringify({ name, dims: out[name].dims,
                               data: Array.from(out[name].data) }));
}

main(process.argv[2], process.argv[3]).catch((e) => {
  console.error(`onnxruntime: ${e.message}`);
  process.exit(1);
});
