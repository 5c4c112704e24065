// Two pages, both served by the coordinator: the client (index.html) and the dashboard (admin.html).
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [svelte()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 4096, // transformers.js + onnxruntime-web's loader are large by nature
    rollupOptions: { input: { index: "index.html", admin: "admin.html" } },
  },
});
