/**
 * The coordinator's certificate and key (`--tls-cert`, `--tls-key`): read, and checked to form a
 * usable pair before anything listens, so a wrong file is named instead of failing inside the
 * server.
 */
import { readFile } from "node:fs/promises";
import { X509Certificate } from "node:crypto";
import { createSecureContext } from "node:tls";
import { UsageError } from "./command-line.ts";

export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
}

export async function loadTls(files: { readonly certFile: string; readonly keyFile: string }): Promise<TlsMaterial> {
  const read = (flag: string, file: string) =>
    readFile(file).catch((e: Error) => {
      throw new UsageError(`cannot read ${flag} ${file}: ${e.message}`);
    });
  const [cert, key] = await Promise.all([read("--tls-cert", files.certFile), read("--tls-key", files.keyFile)]);
  try {
    new X509Certificate(cert);
  } catch (e) {
    throw new UsageError(`--tls-cert ${files.certFile} is not a PEM certificate: ${(e as Error).message}`);
  }
  try {
    createSecureContext({ cert, key });
  } catch (e) {
    throw new UsageError(
      `--tls-key ${files.keyFile} does not fit --tls-cert ${files.certFile} (or is not a PEM private key): ${(e as Error).message}`,
    );
  }
  return { cert, key };
}

/** The loopback name the certificate is valid for (the in-process demo clients connect to it), or null. */
export function loopbackName(cert: Buffer): string | null {
  const x509 = new X509Certificate(cert);
  if (x509.checkIP("127.0.0.1") !== undefined) return "127.0.0.1";
  if (x509.checkHost("localhost") !== undefined) return "localhost";
  return null;
}
