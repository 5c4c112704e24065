/**
 * A table's wire bytes, made once per burst however many clients it goes to. The round machine
 * sends a round's tables (and a finished federation's) to every participant in one synchronous
 * loop, and most of them get the same array (θ_global, where no personal table exists): copying it
 * for each — 222 KB × 10,000 clients for ML-100K's shapes — held the coordinator's event loop for
 * seconds. The memo lives until the loop yields, so a table changed in place later is encoded anew.
 */
import { toWire } from "@fedrec/common";

export class WireTables {
  private memo = new Map<Float32Array, Uint8Array>();
  private clearing = false;

  bytesOf(table: Float32Array): Uint8Array {
    let bytes = this.memo.get(table);
    if (bytes === undefined) {
      bytes = toWire(table);
      this.memo.set(table, bytes);
      if (!this.clearing) {
        this.clearing = true;
        setImmediate(() => {
          this.memo = new Map();
          this.clearing = false;
        });
      }
    }
    return bytes;
  }
}
