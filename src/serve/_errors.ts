import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ErrorBody } from "./types.ts";

/** An HTTP failure with a stable code; the only kind of error whose message reaches a client. */
export class ApiError extends HTTPException {
  /** A machine-readable code such as `unsupported_media_type`. */
  readonly code: string;

  constructor(status: ContentfulStatusCode, code: string, message: string) {
    super(status, { message });
    this.code = code;
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

/** The JSON error body for a code and a message. */
export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/** Code for statuses that Hono itself raises (404 route, 405 …) without an {@linkcode ApiError}. */
export function codeForStatus(status: number): string {
  switch (status) {
    case 400:
      return "bad_request";
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
