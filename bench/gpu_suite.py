#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""GPU benchmark suite (issue 6): the standard random network of bench/std_network.py on the
cuda backend beside the cpu backend, with the device's measured copy bandwidth.

    /usr/bin/python3 bench/gpu_suite.py --hebllm build-cuda/bin/hebllm
    /usr/bin/python3 bench/gpu_suite.py --quick        # 20000x1000 only

Sizes N x K (default 20000x1000, 100000x1000, 1000000x1000), STDP off and on, dt 1 ms, 1 s
measured after a 200 ms warm-up. In the same invocation it compiles bench/gpu_bandwidth.cu with
nvcc and measures device-to-device copy bandwidth (read + write bytes), samples the GPU's memory
in use (nvidia-smi) during each cuda run, and runs the cpu backend on the sizes of --cpu-sizes.

Per run: wall time of the simulation loop, synaptic events/s, real-time factor (simulated /
wall), GPU memory per synapse (peak memory.used minus the idle figure, over synapses), the
fraction of the measured bandwidth achieved assuming --bytes-per-event bytes per synaptic event
(docs/dev/cuda-backend.md), and cpu/cuda ratio. Writes bench/results/gpu.md and gpu_raw.jsonl;
the device log (stdout/stderr of every run) goes to bench/results/gpu_logs/.
"""
import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
import std_network  # noqa: E402


def last_json(text):
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith('{'):
            try:
                return json.loads(line)
            except ValueError:
                continue
    return None


def gpu_memory_used_mib():
    try:
        out = subprocess.run(['nvidia-smi', '--query-gpu=memory.used', '--format=csv,noheader,nounits',
                              '-i', '0'], capture_output=True, text=True, timeout=10).stdout
        return float(out.strip().splitlines()[0])
    except (OSError, ValueError, IndexError, subprocess.SubprocessError):
        return None


def run(cmd, log_path, sample_gpu=False, timeout=None):
    peak = [None]
    stop = threading.Event()

    def sampler():
        while not stop.is_set():
            m = gpu_memory_used_mib()
            if m is not None and (peak[0] is None or m > peak[0]):
                peak[0] = m
            stop.wait(0.2)

    th = threading.Thread(target=sampler) if sample_gpu else None
    if th:
        th.start()
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=REPO)
        rc, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        rc, out, err = 'timeout', str(e.stdout or ''), str(e.stderr or '')
    wall = time.perf_counter() - t0
    if th:
        stop.set()
        th.join()
    with open(log_path, 'w') as f:
        f.write('$ ' + ' '.join(cmd) + f'\n# rc {rc}, {wall:.2f} s\n' + out + '\n--- stderr\n' + err)
    return rc, out, err, wall, peak[0]


def bandwidth(args, tmpdir, logs):
    exe = os.path.join(tmpdir, 'gpu_bandwidth')
    src = os.path.join(HERE, 'gpu_bandwidth.cu')
    rc, out, err, _, _ = run([args.nvcc, '-O2', '-o', exe, src], os.path.join(logs, 'nvcc_bandwidth.log'))
    if rc != 0:
        return {'error': err[-1000:]}
    rc, out, err, _, _ = run([exe, str(args.copy_mib)], os.path.join(logs, 'bandwidth.log'))
    return last_json(out) or {'error': (err or out)[-1000:]}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--hebllm', default=os.path.join(REPO, 'build-cuda', 'bin', 'hebllm'))
    ap.add_argument('--nvcc', default='/usr/local/cuda/bin/nvcc')
    ap.add_argument('--sizes', default='20000x1000,100000x1000,1000000x1000')
    ap.add_argument('--cpu-sizes', default='20000x1000,100000x1000',
                    help='sizes also run on the cpu backend (1M x 1000 on the CPU takes minutes)')
    ap.add_argument('--threads', type=int, default=0, help='cpu backend threads (0: all)')
    ap.add_argument('--stdp', default='0,1')
    ap.add_argument('--warmup', type=float, default=200.0)
    ap.add_argument('--duration', type=float, default=1000.0)
    ap.add_argument('--copy-mib', type=int, default=1024)
    ap.add_argument('--bytes-per-event', type=float, default=8.0,
                    help='bytes a synaptic event must move (docs/dev/cuda-backend.md)')
    ap.add_argument('--timeout', type=float, default=1800)
    ap.add_argument('--quick', action='store_true')
    ap.add_argument('--out-dir', default=os.path.join(HERE, 'results'))
    args = ap.parse_args()
    if args.quick:
        args.sizes = args.cpu_sizes = '20000x1000'
    logs = os.path.join(args.out_dir, 'gpu_logs')
    os.makedirs(logs, exist_ok=True)
    tmpdir = tempfile.mkdtemp(prefix='hebllm_gpu_suite_')
    bw = bandwidth(args, tmpdir, logs)
    print('bandwidth', bw, flush=True)
    idle = gpu_memory_used_mib()
    info = subprocess.run([args.hebllm, 'info'], capture_output=True, text=True).stdout
    records = []
    cpu_sizes = set(args.cpu_sizes.split(',')) if args.cpu_sizes else set()
    for size in args.sizes.split(','):
        N, K = (int(x) for x in size.split('x'))
        for plastic in (int(x) for x in args.stdp.split(',')):
            text, _ = std_network.make_toml(N, K, 1.0, plastic, seed=1, duration_ms=args.duration)
            cfg = os.path.join(tmpdir, f'std_N{N}_K{K}_stdp{plastic}.toml')
            with open(cfg, 'w') as f:
                f.write(text)
            for backend in ('cuda', 'cpu'):
                if backend == 'cpu' and size not in cpu_sizes:
                    continue
                cmd = [args.hebllm, 'simulate', '--config', cfg, '--backend', backend,
                       '--warmup', f'{args.warmup:g}', '--duration', f'{args.duration:g}', '--json']
                if backend == 'cpu':
                    cmd += ['--threads', str(args.threads)]
                tag = f'{backend}_N{N}_K{K}_stdp{plastic}'
                print('run', tag, flush=True)
                rc, out, err, wall, peak = run(cmd, os.path.join(logs, tag + '.log'),
                                               sample_gpu=backend == 'cuda', timeout=args.timeout)
                j = last_json(out) or {}
                rec = {'backend': backend, 'N': N, 'K': K, 'stdp': plastic, 'rc': rc,
                       'process_s': wall, 'loop_s': j.get('simulation_s'),
                       'events': j.get('synaptic_events'), 'events_per_s': j.get('synaptic_events_per_s'),
                       'synapses': j.get('synapses'), 'rate_hz': j.get('mean_rate_hz'),
                       'simulated_ms': j.get('simulated_ms'), 'gpu_peak_mib': peak}
                if rc != 0 or not j:
                    rec['error'] = (err or out)[-1500:]
                records.append(rec)
                print(json.dumps(rec), flush=True)
    with open(os.path.join(args.out_dir, 'gpu_raw.jsonl'), 'w') as f:
        f.write(json.dumps({'date': datetime.datetime.utcnow().isoformat() + 'Z', 'bandwidth': bw,
                            'idle_mib': idle, 'info': info, 'argv': sys.argv}) + '\n')
        for r in records:
            f.write(json.dumps(r) + '\n')
    write_md(args, bw, idle, info, records)


def write_md(args, bw, idle, info, records):
    gbs = bw.get('d2d_gb_s')
    lines = ['# GPU benchmark (bench/gpu_suite.py)', '',
             f'Run {datetime.datetime.utcnow().isoformat()}Z: `{" ".join(sys.argv)}`.', '',
             '```', info.strip(), '```', '',
             f'Device-to-device copy bandwidth (same run, read + write bytes): '
             f'{gbs if gbs else "not measured"} GB/s ({json.dumps(bw)}).', '',
             f'Bandwidth fraction assumes {args.bytes_per_event:g} bytes per synaptic event '
             '(docs/dev/cuda-backend.md). GPU memory per synapse: peak nvidia-smi memory.used '
             'during the run minus the idle figure, over synapses.', '',
             '| network | STDP | backend | loop s | spikes Hz | events/s | real-time factor | '
             'GPU B/synapse | of bandwidth | cpu / cuda |',
             '|---|---|---|---|---|---|---|---|---|---|']
    cpu = {(r['N'], r['K'], r['stdp']): r for r in records if r['backend'] == 'cpu'}
    for r in records:
        if 'error' in r:
            lines.append(f'| {r["N"]}x{r["K"]} | {r["stdp"]} | {r["backend"]} | error: see gpu_logs | | | | | | |')
            continue
        rtf = (r['simulated_ms'] / 1000.0) / r['loop_s'] if r['loop_s'] else None
        bps = ((r['gpu_peak_mib'] - idle) * 1048576 / r['synapses']
               if r['backend'] == 'cuda' and r['gpu_peak_mib'] and idle is not None and r['synapses'] else None)
        frac = (r['events_per_s'] * args.bytes_per_event / (gbs * 1e9)
                if r['backend'] == 'cuda' and gbs and r['events_per_s'] else None)
        c = cpu.get((r['N'], r['K'], r['stdp']))
        ratio = (c['loop_s'] / r['loop_s'] if r['backend'] == 'cuda' and c and c.get('loop_s')
                 and r['loop_s'] else None)

        def f(x, fmt):
            return fmt.format(x) if x is not None else ''
        lines.append(f'| {r["N"]}x{r["K"]} | {"on" if r["stdp"] else "off"} | {r["backend"]} | '
                     f'{f(r["loop_s"], "{:.4g}")} | {f(r["rate_hz"], "{:.3g}")} | '
                     f'{f(r["events_per_s"], "{:.3g}")} | {f(rtf, "{:.3g}")} | {f(bps, "{:.2f}")} | '
                     f'{f(frac, "{:.1%}")} | {f(ratio, "{:.2f}x")} |')
    lines += ['', 'Logs of every run: bench/results/gpu_logs/.', '']
    with open(os.path.join(args.out_dir, 'gpu.md'), 'w') as f:
        f.write('\n'.join(lines))


if __name__ == '__main__':
    main()
