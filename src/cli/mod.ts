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
  FEATURES,
  helpText,
  parseCommandLine,
  readSettings,
  type Settings,
  UsageError,
  versionText,
} from "./options.ts";
export { formatSummary, ProgressBar } from "./progress.ts";
export { GROUPS, type OptionGroup, OPTIONS, type OptionSpec } from "./option_table.ts";
