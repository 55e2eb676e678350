// @ts-check
/// <reference lib="dom" />
// The page at `GET /`: upload or photograph a number, or draw one, and see the number read, a box
// around each digit, its probabilities and the 28×28 the model saw, or the reason it was refused.
// A drawing is read as you draw (300 ms after the last stroke; a newer request aborts the older).
// "Predict in this browser" loads tfjs from /vendor/tf.min.js and the model from /model/model.json,
// and runs a small version of the single-digit photo pipeline in the page, so that it works without
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
 */

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

// A small photo pipeline: grayscale, ink light on dark, crop to the ink, fit 20×20, centre by mass.

/**
 * Area-average resize of a `sw × sh` plane to `dw × dh`.
 * @param {Float32Array} src
 * @param {number} sw
 * @param {number} sh
 * @param {number} dw
 * @param {number} dh
 */
function boxResize(src, sw, sh, dw, dh) {
  const out = new Float32Array(dw * dh);
  for (let y = 0; y < dh; y++) {
    for (let x = 0; x < dw; x++) {
      const x0 = Math.floor(x * sw / dw), x1 = Math.max(x0 + 1, Math.floor((x + 1) * sw / dw));
      const y0 = Math.floor(y * sh / dh), y1 = Math.max(y0 + 1, Math.floor((y + 1) * sh / dh));
      let sum = 0;
      for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) sum += src[yy * sw + xx];
      out[y * dw + x] = sum / ((x1 - x0) * (y1 - y0));
    }
  }
  return out;
}

/**
 * The model's 784 inputs for an image and the ink's box in the image's pixels, or `null` when it
 * holds no ink.
 * @param {ImageBitmap} image
 * @returns {{ input: Float32Array, box: Box } | null}
 */
function toMnist(image) {
  const scale = Math.min(1, 400 / Math.max(image.width, image.height));
  const w = Math.max(1, Math.round(image.width * scale));
  const h = Math.max(1, Math.round(image.height * scale));
  const c = el("canvas", { width: w, height: h });
  const g = /** @type {CanvasRenderingContext2D} */ (c.getContext("2d", {
    willReadFrequently: true,
  }));
  g.fillStyle = "#fff";
  g.fillRect(0, 0, w, h);
  g.drawImage(image, 0, 0, w, h);
  const rgba = g.getImageData(0, 0, w, h).data;
  const gray = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) {
    gray[i] = (0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2]) / 255;
  }
  let border = 0, n = 0;
  for (let x = 0; x < w; x++) {
    border += gray[x] + gray[(h - 1) * w + x];
    n += 2;
  }
  for (let y = 0; y < h; y++) {
    border += gray[y * w] + gray[y * w + w - 1];
    n += 2;
  }
  const light = border / n > 0.5;
  const ink = gray.map((v) => (light ? 1 - v : v));
  const bg = light ? 1 - border / n : border / n;
  let peak = 0;
  for (const v of ink) peak = Math.max(peak, v);
  if (peak - bg < 0.2) return null;
  const cut = bg + 0.35 * (peak - bg);
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let i = 0; i < w * h; i++) {
    ink[i] = ink[i] < cut ? 0 : (ink[i] - cut) / (peak - cut);
    if (ink[i] > 0) {
      const x = i % w, y = (i - x) / w;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
  }
  if (x1 < 0) return null;
  const bw = x1 - x0 + 1, bh = y1 - y0 + 1;
  const crop = new Float32Array(bw * bh);
  for (let y = 0; y < bh; y++) {
    crop.set(ink.subarray((y0 + y) * w + x0, (y0 + y) * w + x0 + bw), y * bw);
  }
  const s = 20 / Math.max(bw, bh);
  const dw = Math.max(1, Math.round(bw * s)), dh = Math.max(1, Math.round(bh * s));
  const small = boxResize(crop, bw, bh, dw, dh);
  let mass = 0, mx = 0, my = 0;
  for (let y = 0; y < dh; y++) {
    for (let x = 0; x < dw; x++) {
      const v = small[y * dw + x];
      mass += v;
      mx += v * x;
      my += v * y;
    }
  }
  const ox = Math.round(14 - mx / mass), oy = Math.round(14 - my / mass);
  const out = new Float32Array(784);
  for (let y = 0; y < dh; y++) {
    for (let x = 0; x < dw; x++) {
      const tx = x + ox, ty = y + oy;
      if (tx >= 0 && tx < 28 && ty >= 0 && ty < 28) {
        out[ty * 28 + tx] = Math.min(1, small[y * dw + x]);
      }
    }
  }
  const k = image.width / w;
  const box = { x: x0 * k, y: y0 * k, width: bw * k, height: bh * k };
  return { input: out, box: /** @type {Box} */ (mapValues(box, Math.round)) };
}

/**
 * @param {Record<string, number>} o
 * @param {(v: number) => number} f
 */
const mapValues = (o, f) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));

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
 * @param {Item[]} items
 * @param {AbortSignal} signal
 * @returns {Promise<Result[]>}
 */
async function predictInBrowser(items, signal) {
  const model = await loadLocalModel();
  const tf = tfjs();
  /** @type {Result[]} */
  const results = [];
  for (const item of items) {
    signal.throwIfAborted();
    const t0 = performance.now();
    const found = toMnist(await createImageBitmap(item.blob));
    if (!found) {
      results.push({ ...refusal("No digit found in " + item.name, "browser"), name: item.name });
      continue;
    }
    const t1 = performance.now();
    const output = tf.tidy(() => model.predict(tf.tensor4d(found.input, [1, 28, 28, 1])));
    /** @type {Float32Array} */
    const probs = await output.data();
    output.dispose();
    const top = Array.from(probs, (probability, digit) => ({ digit, probability }))
      .sort((a, b) => b.probability - a.probability);
    const { digit, probability } = top[0];
    results.push({
      number: String(digit),
      digits: [{ digit, probability, box: found.box, top: top.slice(0, 3) }],
      digit,
      probability,
      top,
      input: pngOf(found.input),
      name: item.name,
      where: "browser",
      timings: { preprocess: t1 - t0, infer: performance.now() - t1 },
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
