// Lint rules: typescript-eslint's recommended set, plus the boundary of the pure core —
// common/ imports no Node built-ins, sockets, servers or DOM-only packages.
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/node_modules/**", "**/dist/**", ".cache/**", "results/**", "test-results/**", "web-client/dist/**"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "error",
    },
  },
  {
    files: ["common/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["node:*"], message: "common/ is platform-neutral: no Node built-ins." },
            { group: ["fs", "path", "os", "crypto", "child_process", "worker_threads"], message: "common/ is platform-neutral." },
            {
              group: ["socket.io", "socket.io-client", "express", "@huggingface/*", "@tensorflow/*"],
              message: "common/ holds pure logic; shells wire in I/O and kernels (type-only imports are fine).",
              allowTypeImports: true,
            },
            {
              group: ["@fedrec/common", "**/index.ts"],
              message: "inside common/, import modules directly, not the package index.",
            },
          ],
        },
      ],
      "no-restricted-globals": ["error", "window", "document", "process", "localStorage", "fetch"],
      "no-restricted-properties": [
        "error",
        { object: "Math", property: "random", message: "use a seeded Rng (random/rng.ts)." },
        { object: "Date", property: "now", message: "take a clock from the shell." },
      ],
    },
  },
);
