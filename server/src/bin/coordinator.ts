/** Entry point of `npm start`: the coordinator (see cli/serve.ts). */
import { runCommand } from "../cli/command-line.ts";
import { COORDINATOR_USAGE, parseCoordinatorArgs } from "../cli/coordinator-args.ts";
import { serve } from "../cli/serve.ts";

await runCommand("coordinator", COORDINATOR_USAGE, parseCoordinatorArgs, async (options) => {
  const serving = await serve(options);
  const stop = () => void serving.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
});
