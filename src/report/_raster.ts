import sharp from "sharp";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

/** Rasterises an SVG document to PNG bytes with sharp, on a white background. */
export async function svgToPng(svg: string): Promise<Uint8Array> {
  const png = await sharp(new TextEncoder().encode(svg))
    .flatten({ background: "#ffffff" })
    .png()
    .toBuffer();
  return new Uint8Array(png);
}

/** Compiles a Vega-Lite spec, renders it to SVG with vega (no DOM), and rasterises it. */
export async function vegaLiteToPng(spec: TopLevelSpec): Promise<Uint8Array> {
  const withBackground = { background: "white", ...spec } as TopLevelSpec;
  const view = new vega.View(vega.parse(compile(withBackground).spec), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return svgToPng(svg);
}

/** Escapes text for inclusion in SVG markup. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
