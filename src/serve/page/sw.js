// @ts-check
/// <reference lib="dom" />
// The page's service worker: keeps the page, tfjs and the model for offline use (network first).
const CACHE = "digits-v2";
/** The worker's global scope (typed loosely: the DOM library has no ServiceWorkerGlobalScope). */
const worker = /** @type {any} */ (self);
worker.addEventListener("install", () => worker.skipWaiting());
worker.addEventListener(
  "activate",
  (/** @type {any} */ e) => e.waitUntil(worker.clients.claim()),
);
worker.addEventListener("fetch", (/** @type {any} */ e) => {
  /** @type {Request} */
  const request = e.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== location.origin) return;
  e.respondWith(
    fetch(request).then((res) => {
      if (res.ok) {
        const copy = res.clone();
        caches.open(CACHE).then((c) => c.put(request, copy));
      }
      return res;
    }).catch(() => caches.match(request).then((hit) => hit || Response.error())),
  );
});
