/** Entry point of `npm start`: the coordinator (see cli/serve.ts). */
import { UsageError } from "../cli/command-line.ts";
import { COORDINATOR_USAGE, parseCoordinatorArgs } from "../cli/coordinator-args.ts";
import { serve } from "../cli/serve.ts";

async function main(): Promise<void> {
  try {
    const options = parseCoordinatorArgs(process.argv.slice(2));
    if (options.help) {
      console.log(COORDINATOR_USAGE);
      return;
    }
    const serving = await serve(options);
    const stop = () => {
      void serving.close().then(() => process.exit(0));
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  } catch (error) {
    const e = error as Error;
    console.error(`coordinator: ${e.message}`);
    if (e instanceof UsageError) console.error(`\n${COORDINATOR_USAGE}`);
    process.exitCode = e instanceof UsageError || e.name === "ConfigError" || e.name === "DatasetParseError" ? 2 : 1;
  }
}

await main();
