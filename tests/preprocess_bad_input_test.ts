import { equal, match, ok, rejects } from "node:assert/strict";
import { preprocessImage } from "../src/preprocess/mod.ts";
import { fixtureBytes, fixtureRows } from "./_photo_fixtures.ts";

const bad = (await fixtureRows()).filter((r) => r.kind === "bad");
const ERRORS: Record<string, ErrorConstructor> = { TypeError, RangeError, SyntaxError };

for (const row of bad) {
  const [kind, message] = row.expect.split(/:(.*)/s);
  Deno.test(`preprocessImage() answers ${row.file} with ${row.expect}`, async () => {
    const bytes = await fixtureBytes(row.file);
    if (kind === "null") {
      const result = await preprocessImage(bytes);
      equal(result.input, null);
      match(result.reason ?? "", new RegExp(message));
      return;
    }
    await rejects(preprocessImage(bytes), (error: Error) => {
      ok(error instanceof ERRORS[kind], `${row.file}: ${error.constructor.name}: ${error.message}`);
      ok(error.message.includes(message), `${row.file}: "${error.message}" lacks "${message}"`);
      ok(/^[A-Z]/.test(error.message) && !error.message.endsWith("."), error.message);
      return true;
    });
  });
}

Deno.test("preprocessImage() refuses a 0×0 PNG from its header", async () => {
  const bytes = (await fixtureBytes("one_pixel.png")).slice();
  new DataView(bytes.buffer).setUint32(16, 0);
  new DataView(bytes.buffer).setUint32(20, 0);
  await rejects(preprocessImage(bytes), /Image is 0×0 pixels/);
});

Deno.test("preprocessImage() refuses an image above maxPixels before decoding it", async () => {
  const bytes = await fixtureBytes("paper_shadow_3.jpg"); // 320×240
  await rejects(
    preprocessImage(bytes, { maxPixels: 50_000 }),
    (e: Error) => e instanceof RangeError && /76800 pixels: expected at most 50000/.test(e.message),
  );
});

Deno.test("preprocessImage() refuses an empty file as not an image", async () => {
  await rejects(preprocessImage(new Uint8Array()), /Not an image.*\(empty\)/);
});

Deno.test("preprocessImage() refuses SVG even behind a byte-order mark and whitespace", async () => {
  const svg = new TextEncoder().encode(
    '\uFEFF  <?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
  );
  await rejects(
    preprocessImage(svg),
    (e: Error) => e instanceof TypeError && /SVG/.test(e.message),
  );
});

Deno.test("preprocessImage() reads the first frame of an animated GIF when allowed", async () => {
  const result = await preprocessImage(await fixtureBytes("animated.gif"), { allowAnimated: true });
  equal(result.input, null); // the first frame is blank white
  match(result.reason!, /no digit found/);
});
