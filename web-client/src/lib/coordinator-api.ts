/** The coordinator's HTTP endpoints the pages use, with errors a person can act on. */
import { isErrorReply, parseCatalogueResponse, type CatalogueResponse } from "@fedrec/common";

export class CoordinatorError extends Error {}

export async function getJson<T>(path: string, token?: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  } catch {
    throw new CoordinatorError(`Cannot reach the coordinator at ${location.origin}. Is it running, and are you on its network?`);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new CoordinatorError(`The coordinator answered ${response.status} with something that is not JSON`);
  }
  const message = (body as { message?: string } | null)?.message;
  if (response.status === 404) throw new CoordinatorError(message ?? "not found");
  if (response.status === 401)
    throw new CoordinatorError("The link's token is not valid for this federation. Ask for a new link.");
  if (!response.ok) throw new CoordinatorError(`The coordinator answered ${response.status}: ${message ?? "no details"}`);
  return body as T; // JSON null is a valid answer (e.g. no graph yet)
}

export async function fetchCatalogue(code: string, token: string): Promise<CatalogueResponse> {
  const body = await getJson<unknown>(
    `/api/federations/${encodeURIComponent(code)}/catalogue?token=${encodeURIComponent(token)}`,
  ).catch((error: Error) => {
    if (/no federation has the code/.test(error.message)) {
      throw new CoordinatorError(`No federation has the code "${code}". Check the link or the code you typed.`);
    }
    throw error;
  });
  const response = parseCatalogueResponse(body);
  if (isErrorReply(response)) {
    throw new CoordinatorError(
      `The coordinator's catalogue is not what this page understands (${response.message}); reload the page.`,
    );
  }
  return response;
}
