/** Reads `fixtures/photos/labels.csv` for the photo-pipeline tests. */

/** One fixture row. */
export interface FixtureRow {
  file: string;
  label: number | null;
  kind: "scene" | "bad";
  /** The scene's digit: its index in MNIST's test set (`t10k`), `null` for a bad input. */
  mnistTestIndex: number | null;
  polarity: string;
  upright: boolean;
  expect: string;
}

/** Folder of the fixtures. */
export const FIXTURES = new URL("../fixtures/photos/", import.meta.url);

/** All rows of `labels.csv`. */
export async function fixtureRows(): Promise<FixtureRow[]> {
  const text = await Deno.readTextFile(new URL("labels.csv", FIXTURES));
  return text.trim().split("\n").slice(1).map((line) => {
    const [file, label, kind, index, polarity, upright, expect] = line.split(",");
    return {
      file,
      label: label === "" ? null : Number(label),
      kind: kind as "scene" | "bad",
      mnistTestIndex: index === "" ? null : Number(index),
      polarity,
      upright: upright === "1",
      expect,
    };
  });
}

/** The bytes of one fixture. */
export function fixtureBytes(file: string): Promise<Uint8Array> {
  return Deno.readFile(new URL(file, FIXTURES));
}
