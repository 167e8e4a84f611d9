#!/usr/bin/env python3
"""The optimizer update of maas' seed MLP in PyTorch, on one thread: the `optimizer` suite's baseline.

Prints one JSON line per measurement (microseconds, the median of 7 rounds):
  {"kind": "update", "optimizer": "adam" | "sgd", "parameters": "all" | "kernel", "us": ...}
    torch.optim.Adam (lr 1e-3, eps 1e-7, Keras' epsilon) or SGD over the seed MLP's
    parameters (784x128, 128, 128x10, 10) or over the 784x128 kernel alone, gradients fixed.
  {"kind": "op", "op": "add" | "mul_scalar" | "sqrt" | "div", "in_place": bool, "us": ...}
    one element-wise op over 100,352 floats (the kernel's size), out of place (into a
    preallocated out= tensor) or in place, to set next to onnxruntime's kernels for the same op.
"""
import ctypes
import json
import os
import time

import torch

SHAPES = {'all': [(784, 128), (128,), (128, 10), (10,)], 'kernel': [(784, 128)]}
SIZE = 784 * 128
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt's parameter numbers, from glibc's malloc.h


def median_us(fn, calls=400, rounds=7):
    for _ in range(50):
        fn()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(calls):
            fn()
        times.append((time.perf_counter() - started) * 1e6 / calls)
    times.sort()
    return times[len(times) // 2]


def main():
    torch.set_num_threads(1)
    torch.set_flush_denormal(True)
    # glibc may hand each 400 KB temporary back to the kernel when it is freed (a fresh mmap,
    # or a trimmed heap top) and fault its pages in again on the next step: Adam's step then
    # took 1.8 ms instead of 0.1 ms, depending on what the process had freed before (the
    # training script's runs are in the fast state). Fixed thresholds keep them on the heap.
    libc = ctypes.CDLL('libc.so.6')
    libc.mallopt(M_MMAP_THRESHOLD, 32 << 20)
    libc.mallopt(M_TRIM_THRESHOLD, 256 << 20)
    generator = torch.Generator().manual_seed(1)
    print(json.dumps({'kind': 'env', 'torch': torch.__version__, 'threads': torch.get_num_threads(),
                      'cpu_capability': next((line.split(':')[-1].strip() for line in torch.__config__.show().splitlines() if 'CPU capability' in line), None),
                      'openblas_num_threads': os.environ.get('OPENBLAS_NUM_THREADS')}), flush=True)
    for optimizer in ('adam', 'sgd'):
        for group, shapes in SHAPES.items():
            parameters = [torch.nn.Parameter(torch.randn(*shape, generator=generator) * 0.05) for shape in shapes]
            for parameter in parameters:
                parameter.grad = torch.randn(*parameter.shape, generator=generator) * 0.01
            opt = torch.optim.Adam(parameters, lr=1e-3, eps=1e-7) if optimizer == 'adam' else torch.optim.SGD(parameters, lr=1e-3)
            print(json.dumps({'kind': 'update', 'optimizer': optimizer, 'parameters': group, 'us': median_us(opt.step)}), flush=True)
    a = torch.rand(SIZE, generator=generator) + 0.5
    b = torch.rand(SIZE, generator=generator) + 0.5
    out = torch.empty(SIZE)
    ops = {
        'add': (lambda: torch.add(a, b, out=out), lambda: out.add_(b)),
        'mul_scalar': (lambda: torch.mul(a, 0.999, out=out), lambda: out.mul_(0.999)),
        'sqrt': (lambda: torch.sqrt(a, out=out), lambda: out.sqrt_()),
        'div': (lambda: torch.div(a, b, out=out), lambda: out.div_(b)),
    }
    for name, (new_tensor, in_place) in ops.items():
        out.copy_(a)
        print(json.dumps({'kind': 'op', 'op': name, 'in_place': False, 'us': median_us(new_tensor)}), flush=True)
        out.copy_(a)
        print(json.dumps({'kind': 'op', 'op': name, 'in_place': True, 'us': median_us(in_place)}), flush=True)
        out.copy_(a)


if __name__ == '__main__':
    main()
