// The page served at `GET /`: the files in `page/` (HTML, CSS, a browser script, the photo pipeline
// bundled for it, and its service worker), read once, on first use, from beside this module.

/** A file of the page and its `Content-Type`. */
export interface PageFile {
  body: string;
  type: string;
}

const FILES: Record<string, [string, string]> = {
  "/": ["index.html", "text/html; charset=utf-8"],
  "/page.js": ["page.js", "text/javascript; charset=utf-8"],
  "/pipeline.js": ["pipeline.js", "text/javascript; charset=utf-8"],
  "/page.css": ["page.css", "text/css; charset=utf-8"],
  "/sw.js": ["sw.js", "text/javascript; charset=utf-8"],
};

const cache = new Map<string, Promise<PageFile>>();

/** The routes the page's files answer. */
export const PAGE_ROUTES: readonly string[] = Object.keys(FILES);

/** The file of the page at `route` (one of {@linkcode PAGE_ROUTES}). */
export function pageFile(route: string): Promise<PageFile> {
  const [name, type] = FILES[route];
  let file = cache.get(route);
  if (file === undefined) {
    file = Deno.readTextFile(new URL(`./page/${name}`, import.meta.url)).then((body) => ({
      body,
      type,
    }));
    file.catch(() => cache.delete(route)); // try again on the next request
    cache.set(route, file);
  }
  return file;
}
