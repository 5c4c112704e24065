/** An admin command — `{action: …}`, `{kick: clientId}` or `{settings: {...}}` — applied to a federation. */
import { errorReply, isErrorReply, parseControlRequest, type ControlAccepted, type Federation, type Reply } from "@fedrec/common";

export function applyControl(federation: Federation, payload: unknown): Reply<ControlAccepted> {
  const request = parseControlRequest(payload);
  if (isErrorReply(request)) return request;
  if ("action" in request) {
    try {
      federation.control(request.action);
    } catch (error) {
      return errorReply("malformed", (error as Error).message);
    }
    return { ok: true, status: federation.status() };
  }
  if ("kick" in request) {
    if (!federation.kick(request.kick)) {
      return errorReply("unknown-client", `no client ${request.kick} in federation ${federation.code}`);
    }
    return { ok: true, status: federation.status() };
  }
  try {
    return { ok: true, config: federation.configure(request.settings) };
  } catch (error) {
    return errorReply("malformed", (error as Error).message);
  }
}
