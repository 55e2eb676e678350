/**
 * Report pictures and logs of a training run: loss and accuracy curves, digit grids, a
 * confusion matrix, a model diagram, a t-SNE scatter (all PNG bytes), and TensorBoard event files.
 *
 * @module
 */
export { renderHistoryChart, type TrainingHistory } from "./render_history_chart.ts";
export {
  DIGIT_SCALE,
  type DigitGridOptions,
  GRID_CELL_HEIGHT,
  GRID_CELL_WIDTH,
  GRID_TITLE_HEIGHT,
  renderDigitGrid,
} from "./render_digit_grid.ts";
export { confusionMatrix } from "./confusion_matrix.ts";
export { type ConfusionMatrixOptions, renderConfusionMatrix } from "./render_confusion_matrix.ts";
export {
  DIAGRAM_BOX_HEIGHT,
  DIAGRAM_GAP,
  DIAGRAM_MARGIN,
  DIAGRAM_WIDTH,
  diagramHeight,
  renderModelDiagram,
} from "./render_model_diagram.ts";
export { tsne, type TsneOptions } from "./tsne.ts";
export { renderTsne, type TsneChartOptions } from "./render_tsne.ts";
export { createTensorBoardWriter, type TensorBoardWriter } from "./tensorboard_writer.ts";
export { readTensorBoardEvents, type ScalarEvent } from "./read_tensorboard_events.ts";
export {
  createKerasTensorBoard,
  type EpochLogs,
  type KerasTensorBoard,
} from "./keras_tensorboard.ts";
