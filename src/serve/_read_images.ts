import {
  checkImageSize,
  IMAGE_TYPE_NAMES,
  type ImageInfo,
  type ImageType,
  PixelLimitError,
  readImageInfo,
} from "../preprocess/mod.ts";
import { badRequest, tooLarge, unsupportedType } from "./_errors.ts";
import type { ServeLimits } from "./types.ts";

/** One image file taken from a request, checked against the limits but not yet decoded. */
export interface UploadedImage {
  /** The file name for multipart uploads, `undefined` for a raw body. */
  name?: string;
  /** The file's bytes. */
  bytes: Uint8Array;
  /** Type, size, orientation and frames read from the file header. */
  info: ImageInfo;
}

/** The images of a request and whether they came as a multipart form (which may hold several). */
export interface RequestImages {
  images: UploadedImage[];
  multipart: boolean;
}

/** The form field that holds the image files. */
export const IMAGE_FIELD = "image";

function describeAllowed(allowed: string[]): string {
  const names = allowed.map((t) => IMAGE_TYPE_NAMES[t as ImageType] ?? t);
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
  const info = readImageInfo(bytes);
  const expected = `expected a ${describeAllowed(limits.allowedTypes)} image`;
  if (info === null) {
    const found = claimed === "" ? "bytes of an unknown type" : `"${claimed}" content`;
    throw unsupportedType(
      `${label(name)} is not an image the service reads: ${expected}, found ${found}`,
    );
  }
  if (!limits.allowedTypes.includes(info.type)) {
    throw unsupportedType(`${label(name)} is ${info.type}: ${expected}`);
  }
  const kind = IMAGE_TYPE_NAMES[info.type];
  if (info.width === null || info.height === null) {
    throw badRequest(`${label(name)} has a damaged ${kind} header: cannot read its size`);
  }
  try {
    checkImageSize(info.width, info.height, limits.maxPixels);
  } catch (error) {
    if (error instanceof PixelLimitError) throw pixelsOver(name, info, limits.maxPixels);
    throw badRequest(`${label(name)}: ${(error as Error).message}`, "invalid_image");
  }
  return { name, bytes, info };
}

function pixelsOver(name: string | undefined, info: ImageInfo, limit: number) {
  const [width, height] = [info.width!, info.height!];
  return tooLarge(
    `${label(name)} has ${width}×${height} = ${width * height} pixels: expected at most ${limit}`,
    "too_many_pixels",
  );
}

async function readForm(
  body: Uint8Array,
  contentType: string,
  limits: ServeLimits,
): Promise<UploadedImage[]> {
  let form: FormData;
  try {
    const response = new Response(body as Uint8Array<ArrayBuffer>, {
      headers: { "content-type": contentType },
    });
    form = await response.formData();
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
  let pixels = 0;
  for (const [i, entry] of entries.entries()) {
    if (typeof entry === "string") {
      throw badRequest(`Form field "${IMAGE_FIELD}" #${i + 1} is text: expected a file`);
    }
    const bytes = new Uint8Array(await entry.arrayBuffer());
    const image = checkImage(bytes, entry.name || `#${i + 1}`, entry.type, limits);
    pixels += image.info.width! * image.info.height!;
    if (pixels > limits.maxRequestPixels) {
      throw tooLarge(
        `The form's first ${
          i + 1
        } images hold ${pixels} pixels: expected at most ${limits.maxRequestPixels} in one request`,
        "too_many_pixels",
      );
    }
    images.push(image);
  }
  return images;
}

/**
 * Takes the images out of the body of a `POST /predict`: a `multipart/form-data` body (field
 * `image`, one or more files) or a raw body with an `image/*` or `application/octet-stream` type.
 * Throws an `ApiError` (400, 413 or 415) for anything else, before any pixel is decoded.
 */
export async function readRequestImages(
  body: Uint8Array,
  contentType: string,
  limits: ServeLimits,
): Promise<RequestImages> {
  const mediaType = checkContentType(contentType);
  if (mediaType === "multipart/form-data") {
    return { images: await readForm(body, contentType, limits), multipart: true };
  }
  return { images: [checkImage(body, undefined, mediaType, limits)], multipart: false };
}

/**
 * The media type of a `Content-Type` that `POST /predict` accepts (multipart, `image/*` or
 * `application/octet-stream`); a 415 for any other, so that its body need not be read.
 */
export function checkContentType(contentType: string): string {
  const mediaType = contentType.split(";")[0].trim().toLowerCase();
  const accepted = mediaType === "multipart/form-data" || mediaType.startsWith("image/") ||
    mediaType === "application/octet-stream";
  if (accepted) return mediaType;
  throw unsupportedType(
    `Content-Type ${mediaType === "" ? "is missing" : `"${mediaType}" is not accepted`}: ` +
      `expected multipart/form-data with an "${IMAGE_FIELD}" file, or an image/* body`,
  );
}
