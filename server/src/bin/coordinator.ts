/** Entry point of `npm start`: the coordinator (see cli/serve.ts), or one gateway of a Redis cluster (cli/serve-cluster.ts). */
import { runCommand } from "../cli/command-line.ts";
import { COORDINATOR_USAGE, parseCoordinatorArgs } from "../cli/coordinator-args.ts";
import { serve } from "../cli/serve.ts";
import { serveCluster } from "../cli/serve-cluster.ts";

await runCommand("coordinator", COORDINATOR_USAGE, parseCoordinatorArgs, async (options) => {
  const serving = options.redis === null ? await serve(options) : await serveCluster(options);
  const stop = () => void serving.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
});
