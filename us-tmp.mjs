import usearch from "usearch";
const { Index, MetricKind, ScalarKind } = usearch;
for (const [n, dim] of [[10000,256],[100000,256],[100000,128]]) {
const data = new Float32Array(n*dim); for (let i=0;i<data.length;i++) data[i]=Math.random()-0.5;
const t0 = performance.now();
const index = new Index({ metric: MetricKind.Cos, dimensions: dim, connectivity: 16, quantization: ScalarKind.F32, expansion_add: 64, expansion_search: 64, multi:false });
const keys = new BigUint64Array(n); for (let i=0;i<n;i++) keys[i]=BigInt(i);
index.add(keys, data, 2);
const t1 = performance.now();
const res = index.search(data, 40, 2);
const t2 = performance.now();
console.log(n, dim, (t1-t0)/1000, (t2-t1)/1000);
}
