// How a long-running process starts (the server, `npm run worker`): `--help` prints its usage;
// otherwise the configuration is validated (a bad variable exits 2 with a message naming it) and
// `start` runs (a failure to start exits 1 with one line, no stack trace).
import { ConfigError, loadConfig, type Config } from '../config.js';

export function runEntry(options: { help: string; what: string; start: (config: Config) => Promise<unknown> }): void {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(options.help);
    return;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  options.start(config).catch((error: unknown) => {
    console.error(`${options.what} failed to start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
