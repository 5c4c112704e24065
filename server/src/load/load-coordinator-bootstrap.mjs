// A forked process does not inherit tsx's loader when the parent is not run by tsx (vitest): register it.
import { register } from "tsx/esm/api";

register();
await import("./load-coordinator.ts");
