/** Entry point of `npm run load -- --clients N …` (server/src/load/run-load.ts). */
import { runCommand } from "../cli/command-line.ts";
import { LOAD_USAGE, parseLoadArgs } from "../load/load-args.ts";
import { formatLoadReport } from "../load/load-report.ts";
import { runLoad } from "../load/run-load.ts";

await runCommand("load", LOAD_USAGE, parseLoadArgs, async (options) => {
  console.log(formatLoadReport(await runLoad(options)));
});
