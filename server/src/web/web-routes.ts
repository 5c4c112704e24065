/**
 * The coordinator serves everything a browser needs from its own origin — no CDN, no model hub,
 * so a classroom LAN without internet works: the built web client (`/` and `/admin`), the
 * MiniLM files (`/models/`, transformers.js' local model path) and onnxruntime-web's wasm and
 * loader files (`/ort/`).
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import compression from "compression";
import express, { type Router } from "express";
import { REPO_ROOT } from "../cli/dataset-location.ts";
import { defaultModelDir } from "../encoder/minilm-encoder.ts";

export const WEB_DIST = join(REPO_ROOT, "web-client", "dist");

/** onnxruntime-web's dist/ (its package.json is not exported; its main entry lives in dist/). */
function onnxRuntimeWebDist(): string {
  return dirname(createRequire(import.meta.url).resolve("onnxruntime-web"));
}

export function webRoutes(dist: string = WEB_DIST, modelDir: string = defaultModelDir()): Router {
  const router = express.Router();
  const long = { maxAge: "1d", immutable: false, fallthrough: false } as const;
  // Model files are sent as they are: transformers.js checks their sizes against Content-Length
  // (and fp32 weights barely compress). onnxruntime's wasm and the page's scripts are gzipped
  // (the wasm: 27 MB → 7 MB on the wire).
  router.use("/models", express.static(modelDir, long));
  router.use("/ort", compression(), express.static(onnxRuntimeWebDist(), long));
  router.use(compression());
  if (!existsSync(join(dist, "index.html"))) {
    router.get(["/", "/admin"], (_req, res) => {
      res.status(503).type("text/plain").send("The web client is not built: run `npm run build` and restart the coordinator.\n");
    });
    return router;
  }
  router.get("/admin", (_req, res) => res.sendFile(join(dist, "admin.html")));
  router.use(express.static(dist, { index: "index.html" }));
  return router;
}
