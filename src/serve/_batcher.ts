import { IMAGE_PIXELS, NUM_CLASSES } from "../data/types.ts";
import type { Classifier } from "../model/classifier.ts";

interface Waiting {
  batch: Float32Array;
  n: number;
  resolve: (probabilities: Float32Array) => void;
  reject: (error: unknown) => void;
}

/**
 * Runs the model once for the requests that are ready in the same turn of the event loop: each
 * call waits for the next timer tick, and everything queued by then goes in one batch of at most
 * `maxImages` (a batch of 8 costs the model about what 1.5 single images do). Each caller gets its
 * own rows back; a failure rejects every caller of that batch.
 */
export function batchPredictions(classifier: Classifier, maxImages = 64): Classifier {
  let queue: Waiting[] = [];
  let scheduled = false;
  const run = async (group: Waiting[]) => {
    const n = group.reduce((total, w) => total + w.n, 0);
    const batch = new Float32Array(n * IMAGE_PIXELS); // [n, 28, 28, 1]
    let at = 0;
    for (const w of group) {
      batch.set(w.batch, at * IMAGE_PIXELS);
      at += w.n;
    }
    try {
      const probabilities = await classifier.predict(batch, n); // [n, 10]
      at = 0;
      for (const w of group) {
        w.resolve(probabilities.slice(at * NUM_CLASSES, (at + w.n) * NUM_CLASSES));
        at += w.n;
      }
    } catch (error) {
      for (const w of group) w.reject(error);
    }
  };
  const flush = () => {
    scheduled = false;
    const waiting = queue;
    queue = [];
    while (waiting.length > 0) {
      const group: Waiting[] = [];
      let n = 0;
      while (waiting.length > 0 && (group.length === 0 || n + waiting[0].n <= maxImages)) {
        n += waiting[0].n;
        group.push(waiting.shift()!);
      }
      void run(group);
    }
  };
  return {
    predict(batch: Float32Array, n: number): Promise<Float32Array> {
      return new Promise((resolve, reject) => {
        queue.push({ batch, n, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setTimeout(flush, 0);
        }
      });
    },
  };
}
