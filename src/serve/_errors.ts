import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ErrorBody } from "./types.ts";

/** An HTTP failure with a stable code; the only kind of error whose message reaches a client. */
export class ApiError extends HTTPException {
  /** A machine-readable code such as `unsupported_media_type`. */
  readonly code: string;
  /** Seconds after which a retry may succeed (`Retry-After`), for 503s. */
  readonly retryAfter?: number;

  constructor(status: ContentfulStatusCode, code: string, message: string, retryAfter?: number) {
    super(status, { message });
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

/** 400: the request or an image in it cannot be read. */
export function badRequest(message: string, code = "bad_request"): ApiError {
  return new ApiError(400, code, message);
}

/** 413: the body or an image is larger than the limits allow. */
export function tooLarge(message: string, code = "payload_too_large"): ApiError {
  return new ApiError(413, code, message);
}

/** 415: not an image type the service accepts. */
export function unsupportedType(message: string): ApiError {
  return new ApiError(415, "unsupported_media_type", message);
}

/** 422: the image was read but holds no digit. */
export function noDigit(message: string): ApiError {
  return new ApiError(422, "no_digit_found", message);
}

/** 408: the client took longer than the time limit to send its request body. */
export function requestTimeout(timeoutMs: number): ApiError {
  return new ApiError(
    408,
    "request_timeout",
    `The request body did not arrive within ${timeoutMs} ms`,
  );
}

/** 504: the service took longer than the time limit to answer. */
export function serviceTimeout(timeoutMs: number): ApiError {
  return new ApiError(504, "timeout", `The request took longer than ${timeoutMs} ms`, 1);
}

/** 503: too many requests are waiting for the photo pipeline; retry after a second. */
export function overloaded(waiting: number): ApiError {
  return new ApiError(
    503,
    "overloaded",
    `The service is busy: ${waiting} requests are already waiting; retry in a second`,
    1,
  );
}

/** The JSON error body for a code and a message. */
export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/** Code for statuses that Hono itself raises (404 route, 405 …) without an {@linkcode ApiError}. */
export function codeForStatus(status: number): string {
  switch (status) {
    case 400:
      return "bad_request";
    case 408:
      return "request_timeout";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 413:
      return "payload_too_large";
    case 415:
      return "unsupported_media_type";
    case 503:
      return "unavailable";
    case 504:
      return "timeout";
    default:
      return status >= 500 ? "internal" : "error";
  }
}
