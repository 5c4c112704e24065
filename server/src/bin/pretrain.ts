/** Entry point of `npm run pretrain`. */
import { runCommand } from "../cli/command-line.ts";
import { parsePretrainArgs, PRETRAIN_USAGE } from "../cli/pretrain-args.ts";
import { pretrain } from "../cli/pretrain.ts";

await runCommand("pretrain", PRETRAIN_USAGE, parsePretrainArgs, async (options) => {
  await pretrain(options);
});
