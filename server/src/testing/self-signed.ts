/** A throwaway self-signed certificate for TLS tests, made by the system's openssl. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface SelfSigned {
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: Buffer;
  readonly key: Buffer;
  /** Deletes the files. */
  remove(): void;
}

/** An EC P-256 certificate valid for a day, for `subjectAltName` (e.g. "DNS:localhost,IP:127.0.0.1"). */
export function selfSignedCertificate(subjectAltName: string): SelfSigned {
  const dir = mkdtempSync(join(tmpdir(), "fedrec-tls-"));
  const certFile = join(dir, "cert.pem");
  const keyFile = join(dir, "key.pem");
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"].concat([
      "-subj",
      "/CN=FedRec test",
      "-addext",
      `subjectAltName=${subjectAltName}`,
      "-keyout",
      keyFile,
      "-out",
      certFile,
    ]),
    { stdio: "ignore" },
  );
  return {
    certFile,
    keyFile,
    cert: readFileSync(certFile),
    key: readFileSync(keyFile),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
