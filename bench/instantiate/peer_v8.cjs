// The peer: V8 (Node's WebAssembly) doing what instantiate_bench does, on the
// same module. With a Google Benchmark JSON file as second argument it prints
// both side by side with ratios (vivarium / V8; below 1 means Vivarium is faster).
//
//   node peer_v8.cjs request.wasm [vivarium.json]
'use strict';
const fs = require('fs');

const bytes = fs.readFileSync(process.argv[2]);
const wasmModule = new WebAssembly.Module(bytes);
const imports = { env: { log: () => {} } };

function measure(fn) {
  // Warm up, then take the best of five batches (the machine is shared).
  for (let i = 0; i < 2000; i++) fn();
  let best = Infinity;
  for (let b = 0; b < 5; b++) {
    const n = 2000;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / n);
  }
  return best;
}

const v8 = {
  BM_Instantiate: measure(() => new WebAssembly.Instance(wasmModule, imports)),
  BM_InstantiateAndCall: measure(() => {
    const r = new WebAssembly.Instance(wasmModule, imports).exports.run(5);
    if (r !== 10) throw new Error('run() returned ' + r);
  }),
  BM_Compile: measure(() => new WebAssembly.Module(bytes)),
};

if (process.argv[3]) {
  const viv = {};
  for (const b of JSON.parse(fs.readFileSync(process.argv[3], 'utf8')).benchmarks) {
    viv[b.name] = b.time_unit === 'ns' ? b.real_time : b.real_time * { us: 1e3, ms: 1e6 }[b.time_unit];
  }
  console.log('benchmark                 vivarium ns       V8 ns   ratio');
  for (const [name, ns] of Object.entries(v8)) {
    if (!(name in viv)) continue;
    console.log(`${name.padEnd(24)} ${viv[name].toFixed(0).padStart(12)} ${ns.toFixed(0).padStart(11)}   ${(viv[name] / ns).toFixed(2)}`);
  }
} else {
  for (const [name, ns] of Object.entries(v8)) console.log(`${name}: ${ns.toFixed(0)} ns`);
}
