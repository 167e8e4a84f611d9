#!/usr/bin/env python3
"""The two seed recipes of maas (the MLP and the small CNN) on Fashion-MNIST in PyTorch, on
one thread, for the `training` bench suite's PyTorch baseline: samples/s over the training
epochs and test accuracy after them. Same architectures as src/nn/presets.ts, Adam (lr 1e-3,
Keras' epsilon 1e-7), sparse categorical cross-entropy (CrossEntropyLoss on logits), shuffled
batches with Keras' smaller last batch, PyTorch's default initialisation.

    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 python3 bench/pytorch/train_fashion_mnist.py \
        [--models mlp,cnn] [--batches 32,128] [--epochs 5] [--samples N] \
        [--cnn-epochs E] [--cnn-samples N] [--mkldnn on|off] [--flush-denormal] [--json]

--mkldnn off routes convolutions through im2col + BLAS (OpenBLAS) instead of oneDNN.
--json prints one JSON object per line (an "env" line, then one per result) for bench/.
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn

DATA_DIR = os.environ.get('FASHION_MNIST_DIR', '/usr/share/datasets/fashion-mnist')


def read_idx(path):
    with gzip.open(path, 'rb') as handle:
        data = handle.read()
    magic = int.from_bytes(data[0:4], 'big')
    dims = magic & 0xFF
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_split(prefix):
    images = read_idx(os.path.join(DATA_DIR, f'{prefix}-images-idx3-ubyte.gz'))
    labels = read_idx(os.path.join(DATA_DIR, f'{prefix}-labels-idx1-ubyte.gz'))
    return torch.from_numpy(images.astype(np.float32) / 255.0), torch.from_numpy(labels.astype(np.int64))


def seed_mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 10))


def seed_cnn():
    return nn.Sequential(
        nn.Unflatten(1, (1, 28)),  # [N, 28, 28] -> [N, 1, 28, 28]
        nn.Conv2d(1, 32, 3), nn.ReLU(),
        nn.Conv2d(32, 64, 3), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(64 * 12 * 12, 128), nn.ReLU(),
        nn.Linear(128, 10),
    )


MODELS = {'mlp': seed_mlp, 'cnn': seed_cnn}


def fit(model, x, y, epochs, batch_size, seed):
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(seed)
    seconds = 0.0
    cpu_seconds = 0.0
    for _ in range(epochs):
        model.train()
        order = torch.randperm(x.shape[0], generator=generator)
        started = time.perf_counter()
        cpu_started = time.process_time()
        for start in range(0, x.shape[0], batch_size):
            index = order[start:start + batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[index]), y[index])
            loss.backward()
            optimizer.step()
        seconds += time.perf_counter() - started
        cpu_seconds += time.process_time() - cpu_started
    return x.shape[0] * epochs / seconds, seconds, x.shape[0] * epochs / cpu_seconds


@torch.no_grad()
def accuracy(model, x, y):
    model.eval()
    correct = 0
    for start in range(0, x.shape[0], 1024):
        correct += (model(x[start:start + 1024]).argmax(1) == y[start:start + 1024]).sum().item()
    return correct / x.shape[0]


def gemm_gflops(size=1024, runs=10):
    a, b = torch.randn(size, size), torch.randn(size, size)
    for _ in range(2):
        a @ b
    started = time.perf_counter()
    for _ in range(runs):
        a @ b
    return 2 * size ** 3 * runs / (time.perf_counter() - started) / 1e9


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--models', default='mlp,cnn')
    parser.add_argument('--batches', default='32,128')
    parser.add_argument('--epochs', type=int, default=5)
    parser.add_argument('--samples', type=int, default=0, help='train on the first N samples (0: all 60,000)')
    parser.add_argument('--cnn-epochs', type=int, default=0, help='epochs for the CNN (0: --epochs)')
    parser.add_argument('--cnn-samples', type=int, default=0, help='training samples for the CNN (0: --samples)')
    parser.add_argument('--mkldnn', choices=['on', 'off'], default='on')
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--flush-denormal', action='store_true',
                        help='torch.set_flush_denormal(True): subnormal floats computed as zero, as maas sets in ORT')
    parser.add_argument('--json', action='store_true')
    parser.add_argument('--gemm-only', action='store_true',
                        help='print the environment line (with the GEMM rate) and stop: a probe of the BLAS build')
    args = parser.parse_args()

    torch.set_num_threads(1)
    torch.set_flush_denormal(args.flush_denormal)
    torch.backends.mkldnn.enabled = args.mkldnn == 'on'
    torch.manual_seed(args.seed)
    env = {
        'kind': 'env',
        'torch': torch.__version__,
        'numpy': np.__version__,
        'threads': torch.get_num_threads(),
        'mkldnn': torch.backends.mkldnn.enabled,
        'flush_denormal': args.flush_denormal,
        'openblas_num_threads': os.environ.get('OPENBLAS_NUM_THREADS'),
        'openblas_coretype': os.environ.get('OPENBLAS_CORETYPE'),
        'blas': next((line.strip() for line in torch.__config__.show().splitlines() if 'BLAS_INFO' in line), '').split(',')[0:2],
        'gemm_1024_gflops': round(gemm_gflops(), 1),
    }
    emit = (lambda record: print(json.dumps(record), flush=True)) if args.json else None
    if emit:
        emit(env)
    else:
        print(torch.__config__.show())
        print(f"threads {env['threads']}, mkldnn {env['mkldnn']}, 1024x1024 GEMM {env['gemm_1024_gflops']} GFLOP/s")
    if args.gemm_only:
        return 0
    train_x, train_y = load_split('train')
    test_x, test_y = load_split('t10k')
    if not emit:
        print(f"{'model':5} {'batch':>5} {'epochs':>6} {'samples':>7} {'samples/s':>10} {'cpu-time samples/s':>18} {'seconds':>8} {'test acc':>8}")
    for name in args.models.split(','):
        epochs = args.cnn_epochs if name == 'cnn' and args.cnn_epochs else args.epochs
        samples = args.cnn_samples if name == 'cnn' and args.cnn_samples else args.samples
        x, y = (train_x[:samples], train_y[:samples]) if samples else (train_x, train_y)
        for batch in (int(value) for value in args.batches.split(',')):
            torch.manual_seed(args.seed)
            model = MODELS[name]()
            rate, seconds, cpu_rate = fit(model, x, y, epochs, batch, args.seed)
            result = {'kind': 'result', 'model': name, 'batch': batch, 'epochs': epochs, 'samples': x.shape[0],
                      'samples_per_second': rate, 'seconds': seconds, 'cpu_samples_per_second': cpu_rate,
                      'test_accuracy': accuracy(model, test_x, test_y)}
            if emit:
                emit(result)
            else:
                print(f"{name:5} {batch:>5} {epochs:>6} {x.shape[0]:>7} {rate:>10.0f} {cpu_rate:>18.0f} {seconds:>8.1f} {result['test_accuracy']:>8.4f}", flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
