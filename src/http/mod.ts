/**
 * The sans-IO HTTP/1.x client layer: build a GET request, parse the response, decode gzip, parse URLs.
 *
 * @module
 */

export * from "./errors.ts";
export * from "./headers.ts";
export * from "./request.ts";
export * from "./response_parser.ts";
export { persistenceOf, type PersistenceVerdict } from "./persistence.ts";
export * from "./decode.ts";
export * from "./date.ts";
export * from "./url.ts";
export * from "./file_name_rules.ts";
export * from "./charset.ts";
export * from "./content_disposition.ts";
export * from "./tunnel.ts";
export * from "./auth.ts";
export * from "./set_cookie.ts";
export * from "./strict_transport_security.ts";
