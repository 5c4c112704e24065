/** Whether the MiniLM model files are on this machine (tests that embed with it skip without them, except in CI). */
import { assertMiniLmModelPresent, defaultModelDir } from "../encoder/minilm-encoder.ts";

export const miniLmModelPresent: boolean = (() => {
  try {
    assertMiniLmModelPresent(defaultModelDir());
    return true;
  } catch {
    return false;
  }
})();
