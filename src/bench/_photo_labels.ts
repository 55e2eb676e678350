/** One row of `../shared/photos/labels.csv`. */
export interface PhotoRow {
  /** Path relative to the CSV's folder. */
  file: string;
  /** The digit written. */
  label: number;
  /** Kind of image: `photo_ink_on_paper`, `canvas_drawing` … */
  kind: string;
}

/** Splits one CSV line into fields (RFC 4180 quotes, no newlines inside fields). */
export function csvFields(line: string): string[] {
  const out: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') field += line[++i];
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      out.push(field);
      field = "";
    } else field += ch;
  }
  out.push(field);
  return out;
}

/** Reads the labels CSV: `file,label,kind,…` with a header line. */
export function parsePhotoLabels(text: string, name: string): PhotoRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  const header = csvFields(lines[0]);
  const col = (n: string) => {
    const i = header.indexOf(n);
    if (i < 0) throw new SyntaxError(`Cannot parse ${name} line 1: expected a "${n}" column`);
    return i;
  };
  const [f, l, k] = [col("file"), col("label"), col("kind")];
  return lines.slice(1).map((line, i) => {
    const row = csvFields(line);
    const label = Number(row[l]);
    if (!Number.isInteger(label) || label < 0 || label > 9) {
      throw new SyntaxError(
        `Cannot parse ${name} line ${i + 2}: expected a label 0-9, found "${row[l]}"`,
      );
    }
    return { file: row[f], label, kind: row[k] };
  });
}
