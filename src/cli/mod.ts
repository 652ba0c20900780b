/**
 * The command line: the options table (help is generated from it) and the settings it yields, the progress line and
 * summary, wget's exit codes and the one sentence each failure becomes.
 *
 * @example
 * ```ts
 * import { parseCommandLine, readSettings } from "./mod.ts";
 * const settings = readSettings(parseCommandLine(["-t", "5", "http://198.18.2.2/a"]));
 * ```
 *
 * @module
 */

export { ExitCode, type ExitCodeValue } from "./exit_codes.ts";
export { describeFailure, type Failure, FFI_PERMISSION_MESSAGE } from "./messages.ts";
export {
  type CommandLine,
  helpText,
  OPTIONS,
  type OptionSpec,
  parseCommandLine,
  readSettings,
  type Settings,
  UsageError,
} from "./options.ts";
export { formatSummary, ProgressBar } from "./progress.ts";
