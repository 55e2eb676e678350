// @ts-check
/// <reference lib="dom" />
// The page at `GET /`: upload or photograph a digit, or draw one, and see the answer, the ten
// probabilities and the 28×28 the model saw. "Predict in this browser" loads tfjs from
// /vendor/tf.min.js and the model from /model/model.json, and runs a small version of the photo
// pipeline in the page, so that it works without the server once loaded. Plain JavaScript that the
// browser runs as it is; `deno check` and `deno lint` read it (`@ts-check`, JSDoc types).

/**
 * One answer, from the server (`POST /predict?input=1`) or from the page itself.
 * @typedef {{ digit: number, probability: number }} Scored
 * @typedef {Scored & { top: Scored[], input: string, name?: string, where: string,
 *   timings: { preprocess: number, infer: number } }} Result
 * @typedef {{ blob: Blob, name: string }} Item
 */

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const canvas = /** @type {HTMLCanvasElement} */ ($("canvas"));
const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
let drawing = false;
let drawn = false;

function clearCanvas() {
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  drawn = false;
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
  canvas.addEventListener(type, () => (drawing = false));
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

/** @param {Result[]} results */
function render(results) {
  $("results").replaceChildren(...results.map((r) => {
    const byDigit = new Array(10).fill(0);
    for (const t of r.top) byDigit[t.digit] = t.probability;
    const bars = el(
      "div",
      { className: "bars" },
      byDigit.flatMap((p, d) => [
        el("span", { textContent: String(d) }),
        el("span", { className: "bar", style: "width:" + (100 * p).toFixed(1) + "%" }),
        el("span", { textContent: (100 * p).toFixed(1) + " %" }),
      ]),
    );
    const t = r.timings;
    const meta = (r.name ? r.name + " · " : "") + r.where + " · preprocess " +
      t.preprocess.toFixed(1) + " ms · infer " + t.infer.toFixed(1) + " ms";
    return el("article", { className: "card" }, [
      el("img", { className: "seen", src: r.input, alt: "the 28×28 the model saw" }),
      el("div", {}, [
        el("div", { className: "answer", textContent: String(r.digit) }),
        el("div", { textContent: (100 * r.probability).toFixed(1) + " % sure" }),
        el("div", { className: "meta", textContent: meta }),
      ]),
      bars,
    ]);
  }));
  const first = results[0];
  document.body.dataset.digit = first ? String(first.digit) : "";
}

/**
 * @param {Item[]} items
 * @returns {Promise<Result[]>}
 */
async function predictOnServer(items) {
  const form = new FormData();
  for (const item of items) form.append("image", item.blob, item.name);
  const res = await fetch("predict?top=10&input=1", { method: "POST", body: form });
  const json = await res.json();
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
 * The model's 784 inputs for an image, or `null` when it holds no ink.
 * @param {ImageBitmap} image
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
  return out;
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
 * @param {Item[]} items
 * @returns {Promise<Result[]>}
 */
async function predictInBrowser(items) {
  const model = await loadLocalModel();
  const tf = tfjs();
  /** @type {Result[]} */
  const results = [];
  for (const item of items) {
    const t0 = performance.now();
    const input = toMnist(await createImageBitmap(item.blob));
    if (!input) throw new Error("No digit found in " + item.name);
    const t1 = performance.now();
    const output = tf.tidy(() => model.predict(tf.tensor4d(input, [1, 28, 28, 1])));
    /** @type {Float32Array} */
    const probs = await output.data();
    output.dispose();
    const top = Array.from(probs, (probability, digit) => ({ digit, probability }))
      .sort((a, b) => b.probability - a.probability);
    results.push({
      digit: top[0].digit,
      probability: top[0].probability,
      top,
      input: pngOf(input),
      name: item.name,
      where: "browser",
      timings: { preprocess: t1 - t0, infer: performance.now() - t1 },
    });
  }
  return results;
}

/** @param {Item[]} items */
async function predict(items) {
  $("error").textContent = "";
  document.body.dataset.state = "busy";
  try {
    const local = /** @type {HTMLInputElement} */ ($("local")).checked;
    render(await (local ? predictInBrowser(items) : predictOnServer(items)));
    document.body.dataset.state = "done";
  } catch (e) {
    $("error").textContent = e instanceof Error ? e.message : String(e);
    document.body.dataset.state = "error";
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
$("predict-drawing").addEventListener("click", () => {
  if (!drawn) {
    $("error").textContent = "Draw a digit first";
    return;
  }
  canvas.toBlob((blob) => blob && predict([{ blob, name: "drawing.png" }]), "image/png");
});
$("clear").addEventListener("click", clearCanvas);
clearCanvas();
if ("serviceWorker" in navigator) navigator.serviceWorker.register("sw.js").catch(() => {});
