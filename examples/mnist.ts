/**
 * The seed's Keras program, line for line, in the maas API:
 *
 *   (train_images, train_labels), (test_images, test_labels) = tf.keras.datasets.fashion_mnist.load_data()
 *   train_images, test_images = train_images / 255.0, test_images / 255.0
 *   model = tf.keras.Sequential([
 *       tf.keras.layers.Flatten(input_shape=(28, 28)),
 *       tf.keras.layers.Dense(128, activation='relu'),
 *       tf.keras.layers.Dropout(0.2),
 *       tf.keras.layers.Dense(10, activation='softmax')])
 *   model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])
 *   model.fit(train_images, train_labels, epochs=5)
 *   test_loss, test_acc = model.evaluate(test_images, test_labels, verbose=2)
 *
 * Run: node --import tsx examples/mnist.ts [fashion-mnist|mnist|mnist-small]
 */
import { dense, dropout, flatten, loadNamedDataset, normalize, sequential } from '../src/training/keras.ts'

const dataset = (process.argv[2] ?? 'fashion-mnist') as 'fashion-mnist' | 'mnist' | 'mnist-small'
const { train, test } = await loadNamedDataset(dataset, { dataDir: 'data/datasets' })
const [trainImages, testImages] = [normalize(train, { scale: 1 / 255 }), normalize(test, { scale: 1 / 255 })]

const model = sequential([
  flatten({ inputShape: [28, 28] }),
  dense({ units: 128, activation: 'relu' }),
  dropout({ rate: 0.2 }),
  dense({ units: 10, activation: 'softmax' }),
])
model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] })
await model.fit(trainImages, undefined, {
  epochs: 5,
  callbacks: { onEpochEnd: (logs) => console.log(`epoch ${logs.epoch}: loss ${logs.loss.toFixed(4)} accuracy ${logs.metrics.accuracy!.toFixed(4)} (${Math.round(logs.samplesPerSecond)} samples/s)`) },
})
const { loss: testLoss, metrics } = await model.evaluate(testImages)
console.log(`test loss ${testLoss.toFixed(4)}, test accuracy ${metrics.accuracy!.toFixed(4)}`)
