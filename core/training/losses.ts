// Losses and metrics over predictions and task targets (means over every predicted position, as PyTorch's defaults).
import * as tf from '../engine/tf.ts';
import type { Model } from '../models/model.ts';
import type { Batch } from '../tasks/task.ts';

/** The batch's targets as a tensor: float [B, O] for mse, int32 class indices for ce. */
export function targetTensor(b: Batch): tf.Tensor {
  return b.y instanceof Int32Array ? tf.tensor(b.y, b.yShape, 'int32') : tf.tensor(b.y, b.yShape, 'float32');
}

/**
 * The prediction of each sequence of a variable-length batch: outputs [T, B, O] read at step lengths[b] − 1
 * (the last valid step; padding follows it), giving [B, O]. Any other batch's predictions pass unchanged.
 */
export function atLengths(pred: tf.Tensor, b: Batch): tf.Tensor {
  if (
    !b.lengths ||
    pred.rank !== 3 ||
    (b.yShape.length === 2 && b.yShape[0] === b.xShape[0] && b.y instanceof Int32Array)
  )
    return pred;
  // Σ_t pred[t] · [t = lengths[b] − 1]: a one-hot selection over time, differentiable (GatherNd has no gradient in TF.js).
  const [T, B] = pred.shape as [number, number, number];
  const pick = new Float32Array(T * B);
  b.lengths.forEach((len, i) => (pick[(len - 1) * B + i] = 1));
  return tf.tidy(() => tf.sum(tf.mul(pred, tf.tensor3d(pick, [T, B, 1])), 0));
}

/** mse: mean((ŷ − y)²) (nn.MSELoss); ce: mean over positions of −log softmax(ŷ)[y] (nn.CrossEntropyLoss). */
export function lossOf(kind: 'mse' | 'ce', pred: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.tidy((): tf.Scalar => {
    if (kind === 'mse') return tf.mean<tf.Scalar>(tf.squaredDifference(pred, target));
    const classes = pred.shape[pred.rank - 1]!;
    const logp = tf.logSoftmax(pred);
    return tf.neg(
      tf.mean(tf.sum(tf.mul(logp, tf.oneHot(tf.cast(target, 'int32'), classes)), -1)),
    ) as tf.Scalar;
  });
}

/** Fraction of positions whose arg-max prediction equals the target class. */
export function accuracyOf(pred: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(pred, -1), tf.cast(target, 'int32')), 'float32')));
}

/**
 * The loss and (for 'ce') the accuracy of `model` on batch b in evaluation mode, each a mean over the batch (the
 * accuracy is 0 for 'mse').
 */
export function batchLossAccuracy(model: Model, kind: 'mse' | 'ce', b: Batch): [number, number] {
  return tf.tidy(() => {
    const x = tf.tensor3d(b.x, b.xShape);
    const y = targetTensor(b);
    const pred = atLengths(model.forward(x, false, null), b);
    return [lossOf(kind, pred, y).dataSync()[0]!, kind === 'ce' ? accuracyOf(pred, y).dataSync()[0]! : 0];
  });
}
