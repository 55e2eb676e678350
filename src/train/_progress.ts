import cliProgress from "cli-progress";
import process from "node:process";

/** A per-epoch progress bar: batches, ETA, running loss and accuracy. */
export interface EpochProgress {
  update(batch: number, loss: number, accuracy: number): void;
  stop(): void;
}

/**
 * Starts a progress bar for one epoch. On a terminal it redraws in place; elsewhere (CI, a pipe)
 * cli-progress prints a line every few seconds instead.
 */
export function startEpochProgress(epoch: number, epochs: number, batches: number): EpochProgress {
  const bar = new cliProgress.SingleBar({
    format: `Epoch ${epoch}/${epochs} {bar} {value}/{total} batches | ETA {eta_formatted}` +
      " | loss {loss} | accuracy {accuracy}",
    barsize: 24,
    etaBuffer: 50,
    hideCursor: false,
    noTTYOutput: true,
    notTTYSchedule: 5000,
    stream: process.stderr,
  }, cliProgress.Presets.shades_classic);
  bar.start(batches, 0, { loss: "-", accuracy: "-" });
  return {
    update(batch, loss, accuracy) {
      bar.update(batch, { loss: loss.toFixed(4), accuracy: accuracy.toFixed(4) });
    },
    stop() {
      bar.stop();
    },
  };
}
