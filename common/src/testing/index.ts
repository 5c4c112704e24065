// Test-only helpers for the shells' tests (never imported by product code).
export * from "./bag-of-words-encoder.ts";
export * from "./tiny-model.ts";
export * from "./random-arrays.ts";
