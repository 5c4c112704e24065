/** The stand-in encoder the load generator's catalogue names (no model runs: profiles are synthetic). */
import {
  encodeUtf8,
  modelFilesChecksum,
  sha256Hex,
  type EncoderIdentity,
  type EncoderPrecision,
  type Pooling,
} from "@fedrec/common";

export function loadEncoderIdentity(dimension: number, pooling: Pooling, precision: EncoderPrecision): EncoderIdentity {
  return {
    model: "load-generator/synthetic",
    pooling,
    precision,
    dimension,
    checksum: modelFilesChecksum({ "synthetic.txt": sha256Hex(encodeUtf8(`load-generator:${dimension}`)) }),
  };
}
