import type { HonoRequest } from "hono";
import { badRequest, tooLarge, unsupportedType } from "./_errors.ts";
import { type ImageHeader, readImageHeader } from "./_image_header.ts";
import type { ServeLimits } from "./types.ts";

/** One image file taken from a request, checked against the limits but not yet decoded. */
export interface UploadedImage {
  /** The file name for multipart uploads, `undefined` for a raw body. */
  name?: string;
  /** The file's bytes. */
  bytes: Uint8Array;
  /** Type and size read from the file header. */
  header: ImageHeader;
}

/** The images of a request and whether they came as a multipart form (which may hold several). */
export interface RequestImages {
  images: UploadedImage[];
  multipart: boolean;
}

/** The form field that holds the image files. */
export const IMAGE_FIELD = "image";

const TYPE_NAMES: Record<string, string> = {
  "image/png": "PNG",
  "image/jpeg": "JPEG",
  "image/webp": "WebP",
  "image/gif": "GIF",
};

function describeAllowed(allowed: string[]): string {
  const names = allowed.map((t) => TYPE_NAMES[t] ?? t);
  return names.length < 2 ? names.join("") : `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`;
}

function label(name: string | undefined): string {
  return name === undefined ? "The request body" : `File "${name}"`;
}

/** Checks one file's signature, type and pixel count; throws a 400, 413 or 415 otherwise. */
function checkImage(
  bytes: Uint8Array,
  name: string | undefined,
  claimed: string,
  limits: ServeLimits,
): UploadedImage {
  if (bytes.length === 0) throw badRequest(`${label(name)} is empty: expected an image`);
  const header = readImageHeader(bytes);
  const expected = `expected a ${describeAllowed(limits.allowedTypes)} image`;
  if (header === null) {
    const found = claimed === "" ? "bytes of an unknown type" : `"${claimed}" content`;
    throw unsupportedType(
      `${label(name)} is not an image the service reads: ${expected}, found ${found}`,
    );
  }
  if (!limits.allowedTypes.includes(header.type)) {
    throw unsupportedType(`${label(name)} is ${header.type}: ${expected}`);
  }
  if (header.width === 0 || header.height === 0) {
    throw badRequest(`${label(name)} has a damaged ${header.type} header: cannot read its size`);
  }
  const pixels = header.width * header.height;
  if (pixels > limits.maxPixels) {
    throw tooLarge(
      `${
        label(name)
      } has ${header.width}×${header.height} = ${pixels} pixels: expected at most ${limits.maxPixels}`,
      "too_many_pixels",
    );
  }
  return { name, bytes, header };
}

async function readForm(req: HonoRequest, limits: ServeLimits): Promise<UploadedImage[]> {
  let form: FormData;
  try {
    form = await req.formData();
  } catch {
    throw badRequest("Cannot parse the multipart/form-data body: expected well-formed parts");
  }
  const entries = form.getAll(IMAGE_FIELD);
  if (entries.length === 0) {
    throw badRequest(`The form has no "${IMAGE_FIELD}" field: expected one or more image files`);
  }
  if (entries.length > limits.maxFiles) {
    throw tooLarge(
      `The form has ${entries.length} "${IMAGE_FIELD}" files: expected at most ${limits.maxFiles}`,
      "too_many_files",
    );
  }
  const images: UploadedImage[] = [];
  for (const [i, entry] of entries.entries()) {
    if (typeof entry === "string") {
      throw badRequest(`Form field "${IMAGE_FIELD}" #${i + 1} is text: expected a file`);
    }
    const bytes = new Uint8Array(await entry.arrayBuffer());
    images.push(checkImage(bytes, entry.name || `#${i + 1}`, entry.type, limits));
  }
  return images;
}

/**
 * Takes the images out of a `POST /predict`: a `multipart/form-data` body (field `image`, one or
 * more files) or a raw body with an `image/*` or `application/octet-stream` type. Throws an
 * `ApiError` (400, 413 or 415) for anything else.
 */
export async function readRequestImages(
  req: HonoRequest,
  limits: ServeLimits,
): Promise<RequestImages> {
  const contentType = req.header("content-type") ?? "";
  const mediaType = contentType.split(";")[0].trim().toLowerCase();
  if (mediaType === "multipart/form-data") {
    return { images: await readForm(req, limits), multipart: true };
  }
  if (mediaType.startsWith("image/") || mediaType === "application/octet-stream") {
    const bytes = new Uint8Array(await req.arrayBuffer());
    return { images: [checkImage(bytes, undefined, mediaType, limits)], multipart: false };
  }
  throw unsupportedType(
    `Content-Type ${mediaType === "" ? "is missing" : `"${mediaType}" is not accepted`}: ` +
      `expected multipart/form-data with an "${IMAGE_FIELD}" file, or an image/* body`,
  );
}
