// The one TensorFlow.js import of the project: tfjs-core's ops, with every gradient registered.
// Why: tfjs-core's Node bundle registers no gradients; the union package's Node bundle registers them (and the
// cpu backend) on the same tfjs-core instance. Import `* as tf from '.../engine/tf.ts'`, never tfjs-core directly.
import '@tensorflow/tfjs';
import { env } from '@tensorflow/tfjs-core';

export * from '@tensorflow/tfjs-core';

// PROD silences TF.js's "install tfjs-node" banner, which would otherwise land in the CLI's output.
env().set('PROD', true);
