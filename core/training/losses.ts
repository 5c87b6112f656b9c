// Losses and metrics over predictions and task targets (means over every predicted position, as PyTorch's defaults).
import * as tf from '../engine/tf.ts';
import type { Batch } from '../tasks/task.ts';

/** The batch's targets as a tensor: float [B, O] for mse, int32 class indices for ce. */
export function targetTensor(b: Batch): tf.Tensor {
  return b.y instanceof Int32Array ? tf.tensor(b.y, b.yShape, 'int32') : tf.tensor(b.y, b.yShape, 'float32');
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
