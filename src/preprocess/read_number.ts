import { onceSource } from "./_once_source.ts";
import { readNumberFromGray } from "./read_number_gray.ts";
import type { NumberReading, ReadNumberOptions } from "./read_number_gray.ts";
import type { Classifier } from "../model/classifier.ts";

export type { DigitReading, NumberReading, ReadNumberOptions } from "./read_number_gray.ts";

/**
 * Reads the whole number in a photo, scan or drawing: finds the line of ink, splits it into
 * glyphs (connected ink, broken strokes joined), splits glyphs that hold several touching digits
 * where the model is surer of the parts than of the whole (split and verify, by dynamic
 * programming over cut columns), reads each digit with the model and decides each with
 * {@linkcode decideDigit}; a filler dash closing the number ("1570—", as on a cheque) and the
 * separators between digits ("1,250", "555-8190": `number` holds the digits only) are not read as
 * marks, the lines of squared paper are cleared, and a line of digits photographed turned by
 * 8-50° is read levelled. An image of one digit goes through the single-digit pipeline
 * ({@linkcode preprocessImage}) unchanged. Refuses (`number: null` with a `reason`) when any mark
 * is not a confident digit, or there are several lines of marks. Decoding errors throw as in
 * {@linkcode preprocessImage}.
 *
 * A large photo of one large digit is read at the single-digit pipeline's 320 px, without the
 * reader's 640 px. A number written small on a large page (a scan) is looked at again on the page
 * decoded larger (up to 1,536 px), keeping to the largest writing on it (printed text beside it is
 * smaller). Each working size is decoded once.
 *
 * Time and memory are bounded: at most 4,000 ink pieces, 60 glyphs and 600 crops per image, and
 * at most two more decodes of a large page.
 *
 * @example
 * ```ts ignore
 * import { readNumber } from "./read_number.ts";
 * import { loadClassifier } from "../model/classifier.ts";
 * const model = await loadClassifier("models/default");
 * const reading = await readNumber(await Deno.readFile("meter.jpg"), model);
 * console.log(reading.number, reading.digits.map((d) => d.box));
 * ```
 */
export async function readNumber(
  bytes: Uint8Array,
  model: Classifier,
  options: ReadNumberOptions = {},
): Promise<NumberReading> {
  const { maxPixels, signal } = options;
  // One decode per working size: the reader's sizes and the single-digit pipeline's share them.
  return await readNumberFromGray(onceSource(bytes, { maxPixels, signal }), model, options);
}
