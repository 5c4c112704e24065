/** Entry point of `npm run attack`. */
import { ATTACK_USAGE, parseAttackArgs } from "../cli/attack-args.ts";
import { attack } from "../cli/attack.ts";
import { runCommand } from "../cli/command-line.ts";

await runCommand("attack", ATTACK_USAGE, parseAttackArgs, async (options) => {
  await attack(options);
});
