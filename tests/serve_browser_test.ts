// End to end: the page at GET / in headless Chromium (Debian's, driven by playwright-core). It
// uploads a photo and draws a digit on the canvas, predicting on the server and then in the browser
// with the served model. Skips when Chromium or the committed model is absent.
//
// playwright-core probes /proc/sys/fs/binfmt_misc at load, which Deno allows only under
// --allow-all, so the test serves the app in its own process and drives the browser from a child
// `deno run --allow-all` of this same file (import.meta.main is true there, false under deno test).
import { deepEqual, equal, match } from "node:assert/strict";
import type { Page } from "playwright-core";
import { configFromEnv } from "../src/serve/config.ts";
import { samplePhoto } from "./_sample_images.ts";
import { startServer } from "../src/serve/start_server.ts";

const CHROMIUM = "/usr/bin/chromium";
const MODEL_DIR = decodeURIComponent(new URL("../models/default/", import.meta.url).pathname);
const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

/** Draws polyline strokes given in 0-1 canvas coordinates. */
async function draw(page: Page, strokes: [number, number][][]): Promise<void> {
  const box = (await page.locator("#canvas").boundingBox())!;
  for (const stroke of strokes) {
    const at = ([x, y]: [number, number]) => [box.x + x * box.width, box.y + y * box.height];
    const [x0, y0] = at(stroke[0]);
    await page.mouse.move(x0, y0);
    await page.mouse.down();
    for (const point of stroke.slice(1)) {
      const [x, y] = at(point);
      await page.mouse.move(x, y, { steps: 8 });
    }
    await page.mouse.up();
  }
}

/** Waits for the page to finish a prediction; returns the digit it shows, or its error. */
async function shown(page: Page): Promise<string> {
  await page.waitForFunction(`["done", "error"].includes(document.body.dataset.state)`);
  const error = await page.textContent("#error");
  if (error) return `error: ${error}`;
  return (await page.textContent("#results .answer")) ?? "";
}

async function predictDrawing(page: Page, strokes: [number, number][][]): Promise<string> {
  await page.click("#clear");
  await draw(page, strokes);
  await page.evaluate(`document.body.dataset.state = ""`);
  await page.click("#predict-drawing");
  return await shown(page);
}

const SEVEN: [number, number][][] = [[[0.25, 0.2], [0.75, 0.2], [0.45, 0.85]]];
const ONE: [number, number][][] = [[[0.5, 0.15], [0.5, 0.85]]];

/** What the browser saw, printed as JSON by the child process. */
interface PageAnswers {
  photo: string;
  photoInput: string;
  bars: number;
  drawing: string;
  inBrowser: string;
  inBrowserMeta: string;
}

/** The child: opens the page at `url`, uploads `photo`, draws, and prints {@linkcode PageAnswers}. */
async function drivePage(url: string, photo: string): Promise<void> {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
  });
  try {
    const page = await browser.newPage();
    await page.goto(url);
    await page.setInputFiles("#file", photo);
    const answers: Partial<PageAnswers> = { photo: await shown(page) };
    answers.photoInput = (await page.getAttribute("#results img", "src")) ?? "";
    answers.bars = await page.locator("#results .bars .bar").count();
    answers.drawing = await predictDrawing(page, SEVEN);
    await page.check("#local"); // in the browser: tfjs and the model from this server
    answers.inBrowser = await predictDrawing(page, ONE);
    answers.inBrowserMeta = (await page.textContent("#results .meta")) ?? "";
    console.log(JSON.stringify(answers));
  } finally {
    await browser.close();
  }
}

if (import.meta.main) await drivePage(Deno.args[0], Deno.args[1]);

Deno.test({
  name: "The page predicts an uploaded photo and a drawing, on the server and in the browser",
  ignore: !(await exists(CHROMIUM)) || !(await exists(`${MODEL_DIR}model.json`)),
  async fn() {
    const config = configFromEnv({ HOST: "127.0.0.1", PORT: "0", MODEL_PATH: MODEL_DIR });
    const controller = new AbortController();
    let url = "";
    const server = await startServer(config, {
      signal: controller.signal,
      onListen: (addr) => (url = `http://127.0.0.1:${addr.port}/`),
    });
    const dir = await Deno.makeTempDir({ prefix: "serve-browser-" });
    try {
      const photo = `${dir}/three.jpg`;
      await Deno.writeFile(photo, await samplePhoto(3, { width: 1280, height: 960 }));
      const child = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--allow-all",
          decodeURIComponent(new URL(import.meta.url).pathname),
          url,
          photo,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(child.stderr);
      equal(child.code, 0, `the browser driver failed:\n${stderr}`);
      const answers: PageAnswers = JSON.parse(new TextDecoder().decode(child.stdout).trim());
      deepEqual(
        [answers.photo, answers.drawing, answers.inBrowser],
        ["3", "7", "1"],
        "photo of a 3 on the server, a drawn 7 on the server, a drawn 1 in the browser",
      );
      match(answers.photoInput, /^data:image\/png;base64,/);
      equal(answers.bars, 10);
      match(answers.inBrowserMeta, /browser/);
    } finally {
      controller.abort();
      await server.finished;
      await Deno.remove(dir, { recursive: true });
    }
  },
});
