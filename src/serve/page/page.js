// @ts-check
/// <reference lib="dom" />
// The page at `GET /`: upload or photograph a number, or draw one, and see the number read, a box
// around each digit, its probabilities and the 28×28 the model saw, or the reason it was refused.
// A drawing is read as you draw (300 ms after the last stroke; a newer request aborts the older).
// "Predict in this browser" loads tfjs from /vendor/tf.min.js and the model from /model/model.json,
// and runs the server's own number reader, photo pipeline and decision function (pipeline.js,
// generated from src/preprocess by `deno task build:page`) in the page, so that it works without
// the server once loaded. Plain JavaScript that the browser runs as it is; `deno check` and
// `deno lint` read it (`@ts-check`, JSDoc types).

/**
 * One answer, from the server (`POST /predict?input=1`, the number reader's shape) or from the page.
 * @typedef {{ digit: number, probability: number }} Scored
 * @typedef {{ x: number, y: number, width: number, height: number }} Box
 * @typedef {Scored & { box: Box, top: Scored[] }} Digit
 * @typedef {{ number: string | null, digits: Digit[], digit: number | null, probability: number,
 *   reason?: string, top: Scored[], input?: string, name?: string, where: string, image?: string,
 *   timings?: { preprocess: number, infer: number } }} Result
 * @typedef {{ blob: Blob, name: string }} Item
 * @typedef {{ number: string | null, digits: Digit[], probability: number, reason?: string,
 *   digit?: number | null, top?: Scored[] }} Reading the number reader's answer (pipeline.js)
 */

import { digitInput, readNumberInBrowser } from "./pipeline.js";

/** Milliseconds after the last stroke before a drawing is read. */
const DEBOUNCE_MS = 300;

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const canvas = /** @type {HTMLCanvasElement} */ ($("canvas"));
const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
let drawing = false;
let drawn = false;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let timer;
/** The request in flight, aborted when a newer one starts or the drawing changes. */
let inFlight = new AbortController();
/** Object URLs of the images shown, revoked when the results are replaced. */
let shownUrls = /** @type {string[]} */ ([]);

/** @param {string} state "", "drawing", "busy", "done" or "error" (the browser test reads it) */
const setState = (state) => (document.body.dataset.state = state);

/** Stops a pending or running prediction. */
function cancel() {
  clearTimeout(timer);
  inFlight.abort();
}

function clearCanvas() {
  cancel();
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  drawn = false;
  $("error").textContent = "";
  render([]);
  setState("");
}

/** @param {PointerEvent} e */
function point(e) {
  const r = canvas.getBoundingClientRect();
  return {
    x: (e.clientX - r.left) * canvas.width / r.width,
    y: (e.clientY - r.top) * canvas.height / r.height,
  };
}

canvas.addEventListener("pointerdown", (e) => {
  cancel(); // the drawing changes: an answer for the old one is no use
  setState("drawing");
  drawing = drawn = true;
  canvas.setPointerCapture(e.pointerId);
  const p = point(e);
  Object.assign(ctx, { lineWidth: 22, lineCap: "round", lineJoin: "round", strokeStyle: "#000" });
  ctx.beginPath();
  ctx.moveTo(p.x, p.y);
  ctx.lineTo(p.x + 0.1, p.y);
  ctx.stroke();
});
canvas.addEventListener("pointermove", (e) => {
  if (!drawing) return;
  const p = point(e);
  ctx.lineTo(p.x, p.y);
  ctx.stroke();
});
for (const type of ["pointerup", "pointercancel"]) {
  canvas.addEventListener(type, () => {
    if (!drawing) return;
    drawing = false;
    predictDrawingSoon();
  });
}

/** Reads the drawing once no stroke has started for {@linkcode DEBOUNCE_MS}. */
function predictDrawingSoon() {
  clearTimeout(timer);
  timer = setTimeout(() => {
    canvas.toBlob((blob) => blob && predict([{ blob, name: "drawing.png" }]), "image/png");
  }, DEBOUNCE_MS);
}

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, unknown>} [props]
 * @param {(Node | string)[]} [children]
 * @returns {HTMLElementTagNameMap[K]}
 */
function el(tag, props, children) {
  const node = Object.assign(document.createElement(tag), props || {});
  for (const child of children || []) node.append(child);
  return node;
}

const percent = (/** @type {number} */ p) => (100 * p).toFixed(1) + " %";

/**
 * The image with a box over each digit (boxes are in the image's pixels, placed once it has
 * loaded and its size is known).
 * @param {string} src
 * @param {Digit[]} digits
 */
function figure(src, digits) {
  const frame = el("div", { className: "figure" });
  const img = el("img", { className: "photo", src, alt: "the image read" });
  img.addEventListener("load", () => {
    const w = img.naturalWidth, h = img.naturalHeight;
    frame.append(...digits.map(({ digit, box }) =>
      el("div", {
        className: "box",
        title: "digit " + digit,
        style: `left:${100 * box.x / w}%;top:${100 * box.y / h}%;` +
          `width:${100 * box.width / w}%;height:${100 * box.height / h}%`,
      }, [el("span", { textContent: String(digit) })])
    ));
    frame.dataset.boxes = String(digits.length);
  });
  frame.append(img);
  return frame;
}

/** The ten probabilities of a single digit as bars. @param {Scored[]} top */
function bars(top) {
  const byDigit = new Array(10).fill(0);
  for (const t of top) byDigit[t.digit] = t.probability;
  return el(
    "div",
    { className: "bars" },
    byDigit.flatMap((p, d) => [
      el("span", { textContent: String(d) }),
      el("span", { className: "bar", style: "width:" + (100 * p).toFixed(1) + "%" }),
      el("span", { textContent: percent(p) }),
    ]),
  );
}

/** Each digit of a number with its probability and the runner-up. @param {Digit[]} digits */
function digitList(digits) {
  return el(
    "ol",
    { className: "digits" },
    digits.map((d) => {
      const next = d.top[1];
      const alt = next ? " (else " + next.digit + " at " + percent(next.probability) + ")" : "";
      return el("li", { textContent: d.digit + ": " + percent(d.probability) + alt });
    }),
  );
}

/** @param {Result} r */
function card(r) {
  const refused = r.number === null;
  const t = r.timings;
  const meta = [
    r.name,
    r.where,
    t && "preprocess " + t.preprocess.toFixed(1) + " ms · infer " + t.infer.toFixed(1) + " ms",
  ].filter(Boolean).join(" · ");
  const text = el("div", { className: "text" }, [
    el("div", { className: "answer", textContent: refused ? "Not a number" : String(r.number) }),
    refused
      ? el("div", { className: "reason", textContent: r.reason || "no reason given" })
      : el("div", { textContent: percent(r.probability) + " sure" }),
    el("div", { className: "meta", textContent: meta }),
  ]);
  if (r.digits.length > 1) text.append(digitList(r.digits));
  const children = [];
  if (r.image) children.push(figure(r.image, r.digits));
  children.push(text);
  if (r.input && r.digits.length <= 1) { // for a number: the pipeline's one digit would mislead
    children.push(el("img", { className: "seen", src: r.input, alt: "the 28×28 the model saw" }));
  }
  if (r.top.length === 10 && r.digits.length <= 1) children.push(bars(r.top));
  return el("article", { className: refused ? "card refused" : "card" }, children);
}

/** @param {Result[]} results */
function render(results) {
  for (const url of shownUrls) URL.revokeObjectURL(url);
  shownUrls = results.flatMap((r) => (r.image ? [r.image] : []));
  $("results").replaceChildren(...results.map(card));
  const first = results[0];
  document.body.dataset.number = first?.number ?? "";
  document.body.dataset.digit = first?.digit == null ? "" : String(first.digit);
}

/**
 * A refusal in the shape of an answer.
 * @param {string} reason
 * @param {string} where
 * @returns {Result}
 */
const refusal = (reason, where) => ({
  number: null,
  digits: [],
  digit: null,
  probability: 0,
  reason,
  top: [],
  where,
});

/**
 * @param {Item[]} items
 * @param {AbortSignal} signal
 * @returns {Promise<Result[]>}
 */
async function predictOnServer(items, signal) {
  const form = new FormData();
  for (const item of items) form.append("image", item.blob, item.name);
  const res = await fetch("predict?top=10&input=1", { method: "POST", body: form, signal });
  const json = await res.json();
  if (res.status === 422 && json.error?.code === "no_digit_found") {
    // The whole request is refused: one card says why (its message names the file).
    return [{
      ...refusal(json.error.message, "server"),
      name: items.length === 1 ? items[0].name : undefined,
    }];
  }
  if (!res.ok) throw new Error(json.error ? json.error.message : res.statusText);
  return (Array.isArray(json) ? json : [json]).map((r) => Object.assign(r, { where: "server" }));
}

/** tfjs, once /vendor/tf.min.js has loaded (a global script, untyped here). */
const tfjs = () => /** @type {any} */ (globalThis).tf;

/** @type {any} */
let localModel = null;
async function loadLocalModel() {
  if (localModel) return localModel;
  if (!tfjs()) {
    await new Promise((ok, fail) =>
      document.head.append(el("script", {
        src: "vendor/tf.min.js",
        onload: ok,
        onerror: () => fail(new Error("Cannot load vendor/tf.min.js")),
      }))
    );
  }
  const meta = await fetch("model/model.json");
  if (!meta.ok) throw new Error("This server does not publish its model for in-browser use");
  const format = (await meta.json()).format;
  localModel = format === "layers-model"
    ? await tfjs().loadLayersModel("model/model.json")
    : await tfjs().loadGraphModel("model/model.json");
  return localModel;
}

/**
 * Draws `image` into a canvas: the pipeline asks for a region of it at a given size and reads the
 * RGBA bytes (on white, as a transparent drawing is). The browser's resampling differs slightly
 * from sharp's on the server.
 * @param {ImageBitmap} image
 * @returns {(region: { left: number, top: number, width: number, height: number },
 *   width: number, height: number) => Uint8ClampedArray}
 */
function drawer(image) {
  const c = /** @type {HTMLCanvasElement} */ (el("canvas", { width: 1, height: 1 }));
  const g = /** @type {CanvasRenderingContext2D} */ (c.getContext("2d", {
    willReadFrequently: true,
  }));
  return (region, width, height) => {
    c.width = width;
    c.height = height;
    g.imageSmoothingQuality = "high";
    g.fillStyle = "#fff";
    g.fillRect(0, 0, width, height);
    g.drawImage(image, region.left, region.top, region.width, region.height, 0, 0, width, height);
    return g.getImageData(0, 0, width, height).data;
  };
}

/** @param {Float32Array} input */
function pngOf(input) {
  const c = el("canvas", { width: 28, height: 28 });
  const g = /** @type {CanvasRenderingContext2D} */ (c.getContext("2d"));
  const img = g.createImageData(28, 28);
  input.forEach((v, i) => img.data.set([v * 255, v * 255, v * 255, 255], 4 * i));
  g.putImageData(img, 0, 0);
  return c.toDataURL("image/png");
}

/**
 * Reads each item in the page with the server's own number reader and decision (pipeline.js,
 * generated from src/preprocess) and the model served at /model/.
 * @param {Item[]} items
 * @param {AbortSignal} signal
 * @returns {Promise<Result[]>}
 */
async function predictInBrowser(items, signal) {
  const model = await loadLocalModel();
  const tf = tfjs();
  let inferMs = 0;
  const classifier = {
    /** @param {Float32Array} batch @param {number} n @returns {Promise<Float32Array>} */
    async predict(batch, n) {
      const t = performance.now();
      const output = tf.tidy(() => model.predict(tf.tensor4d(batch, [n, 28, 28, 1])));
      try {
        return await output.data();
      } finally {
        output.dispose();
        inferMs += performance.now() - t;
      }
    },
  };
  /** @type {Result[]} */
  const results = [];
  for (const item of items) {
    signal.throwIfAborted();
    const t0 = performance.now();
    inferMs = 0;
    const image = await createImageBitmap(item.blob);
    const draw = drawer(image);
    const reading = /** @type {Reading} */ (await readNumberInBrowser(
      image.width,
      image.height,
      draw,
      classifier,
      {
        signal,
      },
    ));
    const input = reading.digits.length <= 1
      ? await digitInput(image.width, image.height, draw)
      : null;
    image.close();
    results.push({
      ...reading,
      digit: reading.digit ?? null,
      top: reading.top ?? [],
      input: input ? pngOf(input) : undefined,
      name: item.name,
      where: "browser",
      timings: { preprocess: performance.now() - t0 - inferMs, infer: inferMs },
    });
  }
  return results;
}

/**
 * Reads `items` on the server or in the browser and shows the answers; a newer call aborts this
 * one, which then shows nothing.
 * @param {Item[]} items
 */
async function predict(items) {
  cancel();
  const controller = inFlight = new AbortController();
  const { signal } = controller;
  $("error").textContent = "";
  setState("busy");
  try {
    const local = /** @type {HTMLInputElement} */ ($("local")).checked;
    const results =
      await (local ? predictInBrowser(items, signal) : predictOnServer(items, signal));
    signal.throwIfAborted();
    if (results.length === items.length) {
      items.forEach((item, i) => (results[i].image = URL.createObjectURL(item.blob)));
    }
    render(results);
    setState("done");
  } catch (e) {
    if (signal.aborted) return; // a newer request or stroke took over
    $("error").textContent = e instanceof Error ? e.message : String(e);
    setState("error");
  }
}

for (const id of ["file", "camera"]) {
  $(id).addEventListener("change", (e) => {
    const target = /** @type {HTMLInputElement} */ (e.target);
    const files = Array.from(target.files || []);
    if (files.length) predict(files.map((f) => ({ blob: f, name: f.name })));
    target.value = "";
  });
}
$("local").addEventListener("change", () => drawn && predictDrawingSoon());
$("clear").addEventListener("click", clearCanvas);
clearCanvas();
if ("serviceWorker" in navigator) navigator.serviceWorker.register("sw.js").catch(() => {});
