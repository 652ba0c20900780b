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

export { combineExitCodes, ExitCode, type ExitCodeValue } from "./exit_codes.ts";
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
export { type CrawlProgress, formatSummary, ProgressBar } from "./progress.ts";
export {
  downloadSummary,
  openReportOutput,
  ReportFileError,
  type ReportOutput,
  summaryState,
} from "./report_output.ts";
export { type InputPacingSettings, inputPacingSettings, parseSeconds } from "./input_pacing_settings.ts";
export { type Recursion, type RecursiveSettings, recursiveSettings } from "./recursive_settings.ts";
export { parseUrlList, type UrlList } from "./input_list.ts";
export { readUrlList } from "./url_list_file.ts";
export { traceTap } from "./trace_tap.ts";
export {
  finishedBlock,
  humanSize,
  humanTime,
  type NonVerboseFile,
  nonVerboseLine,
  type RunTotals,
  wgetRate,
  wgetTime,
} from "./nv_log.ts";
export { OptionConflictError, parseHeader, type RequestSettings, requestSettings } from "./request_options.ts";
export { GROUPS, type OptionGroup, OPTIONS, type OptionSpec } from "./option_table.ts";
export { type Assignment, parseWgetrc, supportedCommands, WgetrcError } from "./wgetrc.ts";
export { type Configuration, readWgetrcFiles, type WgetrcChoice } from "./configuration.ts";
