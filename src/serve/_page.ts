// The self-contained page served at `GET /`: upload or photograph a digit, or draw one, and see the
// answer, the ten probabilities and the 28×28 the model saw. "Predict in this browser" loads
// tfjs from /vendor/tf.min.js and the model from /model/model.json, and runs a small version of the
// photo pipeline in the page, so that it works without the server once loaded.

const STYLE = `
body { font: 16px/1.4 system-ui, sans-serif; margin: 0; background: #f6f6f4; color: #222; }
main { max-width: 46rem; margin: auto; padding: 1rem; }
h1 { font-size: 1.4rem; }
.row { display: flex; flex-wrap: wrap; gap: .6rem; align-items: center; margin: .6rem 0; }
.button, button { background: #234; color: #fff; border: 0; border-radius: .4rem; padding: .55rem .9rem;
  font: inherit; cursor: pointer; }
#clear { background: #777; }
canvas { width: 280px; height: 280px; max-width: 100%; border: 1px solid #999; border-radius: .4rem;
  touch-action: none; background: #fff; }
.card { display: grid; grid-template-columns: auto 1fr; gap: .3rem 1rem; background: #fff;
  border-radius: .5rem; padding: .8rem; margin: .6rem 0; box-shadow: 0 1px 3px #0002; }
.answer { font-size: 2.6rem; font-weight: 700; line-height: 1; }
.seen { width: 112px; height: 112px; image-rendering: pixelated; background: #000; }
.bars { grid-column: 1 / -1; display: grid; grid-template-columns: 1.2rem 1fr 4rem; gap: 2px .5rem;
  font-size: .85rem; }
.bar { background: #4a7; height: .9rem; align-self: center; min-width: 1px; }
.meta { color: #666; font-size: .85rem; }
#error { color: #b00; min-height: 1.4em; }
`;

const SCRIPT = `
const $ = (id) => document.getElementById(id);
const canvas = $("canvas");
const ctx = canvas.getContext("2d");
let drawing = false;
let drawn = false;

function clearCanvas() {
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  drawn = false;
}
function point(e) {
  const r = canvas.getBoundingClientRect();
  return { x: (e.clientX - r.left) * canvas.width / r.width, y: (e.clientY - r.top) * canvas.height / r.height };
}
canvas.addEventListener("pointerdown", (e) => {
  drawing = drawn = true;
  canvas.setPointerCapture(e.pointerId);
  const p = point(e);
  Object.assign(ctx, { lineWidth: 22, lineCap: "round", lineJoin: "round", strokeStyle: "#000" });
  ctx.beginPath(); ctx.moveTo(p.x, p.y); ctx.lineTo(p.x + 0.1, p.y); ctx.stroke();
});
canvas.addEventListener("pointermove", (e) => {
  if (!drawing) return;
  const p = point(e);
  ctx.lineTo(p.x, p.y); ctx.stroke();
});
for (const type of ["pointerup", "pointercancel"]) canvas.addEventListener(type, () => (drawing = false));

function el(tag, props, children) {
  const node = Object.assign(document.createElement(tag), props || {});
  for (const child of children || []) node.append(child);
  return node;
}
function render(results) {
  $("results").replaceChildren(...results.map((r) => {
    const byDigit = new Array(10).fill(0);
    for (const t of r.top) byDigit[t.digit] = t.probability;
    const bars = el("div", { className: "bars" }, byDigit.flatMap((p, d) => [
      el("span", { textContent: String(d) }),
      el("span", { className: "bar", style: "width:" + (100 * p).toFixed(1) + "%" }),
      el("span", { textContent: (100 * p).toFixed(1) + " %" }),
    ]));
    const t = r.timings;
    const meta = (r.name ? r.name + " · " : "") + r.where + " · preprocess " + t.preprocess.toFixed(1) +
      " ms · infer " + t.infer.toFixed(1) + " ms";
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

async function predictOnServer(items) {
  const form = new FormData();
  for (const item of items) form.append("image", item.blob, item.name);
  const res = await fetch("predict?top=10&input=1", { method: "POST", body: form });
  const json = await res.json();
  if (!res.ok) throw new Error(json.error ? json.error.message : res.statusText);
  return (Array.isArray(json) ? json : [json]).map((r) => Object.assign(r, { where: "server" }));
}

let localModel = null;
async function loadLocalModel() {
  if (localModel) return localModel;
  if (!window.tf) {
    await new Promise((ok, fail) => document.head.append(el("script", {
      src: "vendor/tf.min.js", onload: ok, onerror: () => fail(new Error("Cannot load vendor/tf.min.js")),
    })));
  }
  const meta = await fetch("model/model.json");
  if (!meta.ok) throw new Error("This server does not publish its model for in-browser use");
  const format = (await meta.json()).format;
  localModel = format === "layers-model" ? await tf.loadLayersModel("model/model.json")
    : await tf.loadGraphModel("model/model.json");
  return localModel;
}

// A small photo pipeline: grayscale, ink light on dark, crop to the ink, fit 20×20, centre by mass.
function boxResize(src, sw, sh, dw, dh) {
  const out = new Float32Array(dw * dh);
  for (let y = 0; y < dh; y++) for (let x = 0; x < dw; x++) {
    const x0 = Math.floor(x * sw / dw), x1 = Math.max(x0 + 1, Math.floor((x + 1) * sw / dw));
    const y0 = Math.floor(y * sh / dh), y1 = Math.max(y0 + 1, Math.floor((y + 1) * sh / dh));
    let sum = 0;
    for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) sum += src[yy * sw + xx];
    out[y * dw + x] = sum / ((x1 - x0) * (y1 - y0));
  }
  return out;
}
function toMnist(image) {
  const scale = Math.min(1, 400 / Math.max(image.width, image.height));
  const w = Math.max(1, Math.round(image.width * scale)), h = Math.max(1, Math.round(image.height * scale));
  const c = el("canvas", { width: w, height: h });
  const g = c.getContext("2d", { willReadFrequently: true });
  g.fillStyle = "#fff"; g.fillRect(0, 0, w, h); g.drawImage(image, 0, 0, w, h);
  const rgba = g.getImageData(0, 0, w, h).data;
  const gray = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) gray[i] = (0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2]) / 255;
  let border = 0, n = 0;
  for (let x = 0; x < w; x++) { border += gray[x] + gray[(h - 1) * w + x]; n += 2; }
  for (let y = 0; y < h; y++) { border += gray[y * w] + gray[y * w + w - 1]; n += 2; }
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
    if (ink[i] > 0) { const x = i % w, y = (i - x) / w; x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
  }
  if (x1 < 0) return null;
  const bw = x1 - x0 + 1, bh = y1 - y0 + 1;
  const crop = new Float32Array(bw * bh);
  for (let y = 0; y < bh; y++) crop.set(ink.subarray((y0 + y) * w + x0, (y0 + y) * w + x0 + bw), y * bw);
  const s = 20 / Math.max(bw, bh);
  const dw = Math.max(1, Math.round(bw * s)), dh = Math.max(1, Math.round(bh * s));
  const small = boxResize(crop, bw, bh, dw, dh);
  let mass = 0, mx = 0, my = 0;
  for (let y = 0; y < dh; y++) for (let x = 0; x < dw; x++) { const v = small[y * dw + x]; mass += v; mx += v * x; my += v * y; }
  const ox = Math.round(14 - mx / mass), oy = Math.round(14 - my / mass);
  const out = new Float32Array(784);
  for (let y = 0; y < dh; y++) for (let x = 0; x < dw; x++) {
    const tx = x + ox, ty = y + oy;
    if (tx >= 0 && tx < 28 && ty >= 0 && ty < 28) out[ty * 28 + tx] = Math.min(1, small[y * dw + x]);
  }
  return out;
}
function pngOf(input) {
  const c = el("canvas", { width: 28, height: 28 });
  const g = c.getContext("2d");
  const img = g.createImageData(28, 28);
  input.forEach((v, i) => { img.data.set([v * 255, v * 255, v * 255, 255], 4 * i); });
  g.putImageData(img, 0, 0);
  return c.toDataURL("image/png");
}
async function predictInBrowser(items) {
  const model = await loadLocalModel();
  const results = [];
  for (const item of items) {
    const t0 = performance.now();
    const input = toMnist(await createImageBitmap(item.blob));
    if (!input) throw new Error("No digit found in " + item.name);
    const t1 = performance.now();
    const output = tf.tidy(() => model.predict(tf.tensor4d(input, [1, 28, 28, 1])));
    const probs = await output.data();
    output.dispose();
    const top = Array.from(probs, (probability, digit) => ({ digit, probability }))
      .sort((a, b) => b.probability - a.probability);
    results.push({ digit: top[0].digit, probability: top[0].probability, top, input: pngOf(input),
      name: item.name, where: "browser", timings: { preprocess: t1 - t0, infer: performance.now() - t1 } });
  }
  return results;
}

async function predict(items) {
  $("error").textContent = "";
  document.body.dataset.state = "busy";
  try {
    render(await ($("local").checked ? predictInBrowser(items) : predictOnServer(items)));
    document.body.dataset.state = "done";
  } catch (e) {
    $("error").textContent = e.message;
    document.body.dataset.state = "error";
  }
}
for (const id of ["file", "camera"]) {
  $(id).addEventListener("change", (e) => {
    const files = Array.from(e.target.files || []);
    if (files.length) predict(files.map((f) => ({ blob: f, name: f.name })));
    e.target.value = "";
  });
}
$("predict-drawing").addEventListener("click", () => {
  if (!drawn) { $("error").textContent = "Draw a digit first"; return; }
  canvas.toBlob((blob) => predict([{ blob, name: "drawing.png" }]), "image/png");
});
$("clear").addEventListener("click", clearCanvas);
clearCanvas();
if ("serviceWorker" in navigator) navigator.serviceWorker.register("sw.js").catch(() => {});
`;

/** The HTML of `GET /`. */
export const PAGE_HTML: string = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Which digit?</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>Which digit?</h1>
<p>Photograph or upload a handwritten digit, or draw one below.</p>
<div class="row">
  <label class="button">Take a photo<input id="camera" type="file" accept="image/*" capture="environment" hidden></label>
  <label class="button">Choose images<input id="file" type="file" accept="image/*" multiple hidden></label>
  <label><input id="local" type="checkbox"> Predict in this browser (works offline)</label>
</div>
<canvas id="canvas" width="280" height="280" aria-label="drawing area"></canvas>
<div class="row"><button id="predict-drawing">Predict the drawing</button><button id="clear">Clear</button></div>
<p id="error" role="alert"></p>
<section id="results" aria-live="polite"></section>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;

/** A service worker that keeps the page, tfjs and the model for offline use (network first). */
export const SERVICE_WORKER_JS: string = `
const CACHE = "digits-v1";
self.addEventListener("install", (e) => { self.skipWaiting(); });
self.addEventListener("activate", (e) => e.waitUntil(self.clients.claim()));
self.addEventListener("fetch", (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== "GET" || url.origin !== location.origin) return;
  e.respondWith(fetch(e.request).then((res) => {
    if (res.ok) { const copy = res.clone(); caches.open(CACHE).then((c) => c.put(e.request, copy)); }
    return res;
  }).catch(() => caches.match(e.request).then((hit) => hit || Response.error())));
});
`;
