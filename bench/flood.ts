// `npm run bench:flood` (also `npm run bench -- --flood`): issue 4's flood benchmark, normal
// SessionsList latency next to a flood of rejected documents. See bench/lib/flood.ts and bench/README.md.
import { runMain } from './lib/cli.js';
import { FLOOD_HELP, floodMain } from './lib/flood.js';

runMain(() => floodMain(process.argv.slice(2)), FLOOD_HELP);
