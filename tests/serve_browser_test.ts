// End to end: the page at GET / in headless Chromium (Debian's, driven by playwright-core). It
// uploads photos (a digit, a number whose digits get boxes, a photo of no digit that is refused) and
// draws on the canvas (a 7 and "42", read as you draw), predicting on the server and then in the
// browser with the served model and the server's own pipeline bundled for the page (a drawn
// number, a refused letter, and the same answers as the server for the same photos). Skips when Chromium or the committed model is absent.
//
// playwright-core probes /proc/sys/fs/binfmt_misc at load, which Deno allows only under
// --allow-all, so the test serves the app in its own process and drives the browser from a child
// `deno run --allow-all` of this same file (import.meta.main is true there, false under deno test).
import { deepEqual, equal, match } from "node:assert/strict";
import type { Page } from "playwright-core";
import { configFromEnv } from "../src/serve/config.ts";
import { samplePhoto } from "../src/bench/_sample_images.ts";
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

/** Waits for the page to finish a prediction; returns the number it shows, or its error. */
async function shown(page: Page): Promise<string> {
  await page.waitForFunction(`["done", "error"].includes(document.body.dataset.state)`);
  const error = await page.textContent("#error");
  if (error) return `error: ${error}`;
  return (await page.textContent("#results .answer")) ?? "";
}

/** Waits until the first card's boxes are placed over its image; returns how many there are. */
async function boxes(page: Page): Promise<number> {
  await page.waitForFunction(`document.querySelector("#results .figure")?.dataset.boxes`);
  return await page.locator("#results .figure").first().locator(".box").count();
}

/** Clears the canvas and draws: the page reads the drawing by itself once the strokes stop. */
async function predictDrawing(page: Page, strokes: [number, number][][]): Promise<string> {
  await page.click("#clear");
  await draw(page, strokes);
  return await shown(page);
}

/** Uploads one file and waits for the answer. */
async function predictFile(page: Page, file: string): Promise<string> {
  await page.evaluate(`document.body.dataset.state = ""`);
  await page.setInputFiles("#file", file);
  return await shown(page);
}

// Strokes in 0-1 coordinates of the 2:1 canvas.
const SEVEN: [number, number][][] = [[[0.38, 0.2], [0.62, 0.2], [0.47, 0.85]]];
const ONE: [number, number][][] = [[[0.5, 0.15], [0.5, 0.85]]];
const FORTY_TWO: [number, number][][] = [
  [[0.3, 0.12], [0.12, 0.6], [0.4, 0.6]], // 4: the slant and the bar
  [[0.33, 0.3], [0.33, 0.88]], // 4: the stem
  [[0.6, 0.3], [0.66, 0.16], [0.76, 0.13], [0.85, 0.2], [0.85, 0.38], [0.62, 0.86], [0.9, 0.86]], // 2
];

/** What the browser saw, printed as JSON by the child process. */
interface PageAnswers {
  photo: string;
  photoInput: string;
  bars: number;
  drawing: string;
  drawnNumber: string;
  drawnBoxes: number;
  numberPhoto: string;
  numberBoxes: number;
  refused: string;
  refusedReason: string;
  refusedCard: number;
  letter: string;
  letterReason: string;
  abortedOnStroke: string;
  afterAbort: string;
  inBrowser: string;
  inBrowserMeta: string;
  inBrowserBoxes: number;
  inBrowserNumber: string;
  inBrowserNumberBoxes: number;
  inBrowserLetter: string;
  inBrowserLetterReason: string;
  inBrowserPhoto: string;
  inBrowserNumberPhoto: string;
  inBrowserNumberPhotoBoxes: number;
}

/** The files the child uploads. */
interface PageFiles {
  photo: string;
  numberPhoto: string;
  notADigit: string;
  letter: string;
}

/**
 * The child: opens the page at `url`, uploads the photos, draws, and prints
 * {@linkcode PageAnswers}. With `PAGE_SCREENSHOTS=<folder>` it also saves screenshots there.
 */
async function drivePage(url: string, files: PageFiles): Promise<void> {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
  });
  const shots = Deno.env.get("PAGE_SCREENSHOTS");
  const shoot = (name: string) =>
    shots ? page.screenshot({ path: `${shots}/${name}.png`, fullPage: true }) : null;
  const page = await browser.newPage();
  try {
    await page.goto(url);
    const answers: Partial<PageAnswers> = { photo: await predictFile(page, files.photo) };
    answers.photoInput = (await page.getAttribute("#results img.seen", "src")) ?? "";
    answers.bars = await page.locator("#results .bars .bar").count();
    answers.numberPhoto = await predictFile(page, files.numberPhoto);
    answers.numberBoxes = await boxes(page);
    await shoot("photo_boxes");
    answers.refused = await predictFile(page, files.notADigit);
    answers.refusedReason = (await page.textContent("#results .reason")) ?? "";
    answers.refusedCard = await page.locator("#results .card.refused").count();
    await shoot("refused");
    answers.letter = await predictFile(page, files.letter);
    answers.letterReason = (await page.textContent("#results .reason")) ?? "";
    answers.drawing = await predictDrawing(page, SEVEN);
    answers.drawnNumber = await predictDrawing(page, FORTY_TWO);
    answers.drawnBoxes = await boxes(page);
    await shoot("drawn_42");
    await heldThenStroke(page, files.photo, answers);
    await page.check("#local"); // in the browser: tfjs and the model from this server
    answers.inBrowser = await predictDrawing(page, ONE);
    answers.inBrowserMeta = (await page.textContent("#results .meta")) ?? "";
    answers.inBrowserBoxes = await boxes(page);
    answers.inBrowserNumber = await predictDrawing(page, FORTY_TWO);
    answers.inBrowserNumberBoxes = await boxes(page);
    answers.inBrowserLetter = await predictFile(page, files.letter);
    answers.inBrowserLetterReason = (await page.textContent("#results .reason")) ?? "";
    answers.inBrowserPhoto = await predictFile(page, files.photo);
    answers.inBrowserNumberPhoto = await predictFile(page, files.numberPhoto);
    answers.inBrowserNumberPhotoBoxes = await boxes(page);
    console.log(JSON.stringify(answers));
  } finally {
    await browser.close();
  }
}

/**
 * Requests do not pile up: an upload whose request the test holds is aborted by the page as soon
 * as a stroke starts, and the drawing is read instead.
 */
async function heldThenStroke(page: Page, photo: string, answers: Partial<PageAnswers>) {
  let release = () => {};
  const held = new Promise<void>((ok) => (release = ok));
  await page.route("**/predict*", async (route) => {
    await held;
    await route.continue().catch(() => {}); // the page has aborted it by then
  }, { times: 1 });
  const failed = page.waitForEvent("requestfailed"); // 30 s at most
  await page.click("#clear");
  await page.setInputFiles("#file", photo);
  await page.waitForFunction(`document.body.dataset.state === "busy"`);
  await draw(page, ONE);
  answers.abortedOnStroke = (await failed).failure()?.errorText ?? "";
  release();
  answers.afterAbort = await shown(page);
}

/** The first file of `fixtures/numbers` of a kind ("gap": digits that stand apart, "letter"). */
async function numberFixture(kind: string): Promise<{ path: string; number: string }> {
  const dir = new URL("../fixtures/numbers/", import.meta.url);
  const rows = (await Deno.readTextFile(new URL("labels.csv", dir))).trim().split("\n").slice(1)
    .map((line) => line.split(","));
  const [file, number] = rows.find((row) => row[2] === kind)!;
  return { path: decodeURIComponent(new URL(file, dir).pathname), number };
}

if (import.meta.main) await drivePage(Deno.args[0], JSON.parse(Deno.args[1]));

Deno.test({
  name:
    "The page reads photos and drawings (a digit, a number with its boxes, a refusal), on the server and in the browser",
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
      const numberPhoto = await numberFixture("gap");
      const files: PageFiles = {
        photo,
        numberPhoto: numberPhoto.path,
        notADigit: decodeURIComponent(
          new URL("../fixtures/photos/clouds_not_a_digit.jpg", import.meta.url).pathname,
        ),
        letter: (await numberFixture("letter")).path,
      };
      const child = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--allow-all",
          decodeURIComponent(new URL(import.meta.url).pathname),
          url,
          JSON.stringify(files),
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
      equal(answers.inBrowserBoxes, 1, "the drawn 1 read in the browser has its box");
      equal(answers.drawnNumber, "42", "two digits drawn on the canvas read as one number");
      equal(answers.drawnBoxes, 2, "a box over each drawn digit");
      match(answers.abortedOnStroke, /ABORTED/, "a stroke aborts the request in flight");
      equal(answers.afterAbort, "1", "then the drawing is read");
      equal(answers.numberPhoto, numberPhoto.number, `the number in ${numberPhoto.path}`);
      equal(answers.numberBoxes, numberPhoto.number.length, "a box over each digit of the photo");
      deepEqual([answers.refused, answers.refusedCard], ["Not a number", 1], "a refusal card");
      match(answers.refusedReason, /\w/, "the refusal says why");
      deepEqual(
        [answers.letter, /\w/.test(answers.letterReason)],
        ["Not a number", true],
        "a letter",
      );
      equal(answers.inBrowserNumber, "42", "a drawn 42 read in the browser");
      equal(answers.inBrowserNumberBoxes, 2, "a box over each digit read in the browser");
      deepEqual(
        [answers.inBrowserLetter, answers.inBrowserLetterReason],
        ["Not a number", answers.letterReason],
        "the letter refused in the browser, for the server's reason",
      );
      deepEqual(
        [answers.inBrowserPhoto, answers.inBrowserNumberPhoto, answers.inBrowserNumberPhotoBoxes],
        [answers.photo, answers.numberPhoto, answers.numberBoxes],
        "the browser reads the photos as the server does",
      );
    } finally {
      controller.abort();
      await server.finished;
      await Deno.remove(dir, { recursive: true });
    }
  },
});
