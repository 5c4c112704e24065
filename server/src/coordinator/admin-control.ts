/** An admin command — `{action: start|pause|stop}` or `{settings: {...}}` — applied to a federation. */
import { errorReply, isErrorReply, parseControlRequest, type ControlAccepted, type Federation, type Reply } from "@fedrec/common";

export function applyControl(federation: Federation, payload: unknown): Reply<ControlAccepted> {
  const request = parseControlRequest(payload);
  if (isErrorReply(request)) return request;
  if ("action" in request) {
    federation.control(request.action);
    return { ok: true, status: federation.status() };
  }
  try {
    return { ok: true, config: federation.configure(request.settings) };
  } catch (error) {
    return errorReply("malformed", (error as Error).message);
  }
}
