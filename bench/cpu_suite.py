#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""CPU benchmark suite: hebllm beside the original system's reported figures and beside Brian2.

Run it with Debian's interpreter from anywhere (paths are relative to the repository):

    /usr/bin/python3 bench/cpu_suite.py            # the full suite (long; needs a quiet machine)
    /usr/bin/python3 bench/cpu_suite.py --quick    # smoke run: small sizes, few repeats

Part 1, the seed suite (hebllm only; the original's figures beside it, labelled as reported by
the original on another machine with a different model; ORIGINAL.md §6):
  * `hebllm simulate` with the HebSNN size flags, density 0.1, 100 ms, the flags-only default
    stimulus (neurons 0-4 forced every step for the first 10 ms): 190 (50+100+20+20),
    380 (100+200+40+40) and 1,600 (200+1000+200+200, the "1,400+" network) neurons;
  * quick_speed_test's 25 ms runs of 190 and 380 neurons (neurons 0-2 driven for t < 5 ms, seed
    42), the source of the seed's speed table (original 0.90 s / 8.39 s, JAX 0.54 s / 0.50 s);
  * optimized_demo.py's pattern training (bench/seed_training.cpp: 1,600 neurons, 10 epochs x
    8 patterns of 3-4 tokens, 20 ms per token, reset before each pattern; "~15 s").
  Each is repeated (--repeats, default 5); mean +- sd.

Part 2, the standard random network of bench/brian2_bench.py (LIF, 80/20 E/I, exponential
current synapses, fixed out-degree K, PoissonInput drive, optional STDP on E->E) in hebllm
(config written by bench/std_network.py) and in Brian2 2.5.1 C++ standalone, side by side:
sizes N x K (default 1000x100, 4000x400, 20000x1000, 100000x1000), STDP off and on, dt 1 and
0.1 ms, 1 s measured after a 200 ms warm-up, --threads for both (default 2). Brian2 is compiled
once per configuration (its first run); further repeats (--std-repeats) rerun its generated
binary, alternating with hebllm's runs. Whole-process wall time and peak RSS come from
/usr/bin/time -v (Brian2: of its generated binary; the Python process that generates and
compiles it is reported separately).

Outputs (in --out-dir, default bench/results): cpu.md (tables, machine, command, how to rerun),
cpu_events.svg (synaptic events/s against N x K, dt 1 ms) and cpu_raw.jsonl (one JSON object
per run, the first line describes the machine and the invocation).
"""
import argparse
import datetime
import glob
import json
import math
import os
import hashlib
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
import std_network  # noqa: E402  (bench/std_network.py)

PYTHON = '/usr/bin/python3'
BRIAN2_SCRIPT = os.path.join(HERE, 'brian2_bench.py')

# Part 1 workloads: (label, populations) and the figures reported by the original (ORIGINAL.md
# §6.9): seconds, including construction, on the seed author's machine (macOS, CPU backend).
SEED_SIZES = [('190', (50, 100, 20, 20)), ('380', (100, 200, 40, 40)),
              ('1,600', (200, 1000, 200, 200))]
REPORTED_QUICK = {'190': (0.90, 0.54), '380': (8.39, 0.50)}
RERUN_ORIGINAL_QUICK = {'190': 1.45, '380': 12.29}   # ORIGINAL.md §6.9 [re-run], HebSNN
REPORTED_TRAINING_S = 15.0

DEFAULT_SIZES = '1000x100,4000x400,20000x1000,100000x1000'
QUICK_SIZES = '1000x100'
RATE_TOLERANCE = 0.25


# --------------------------------------------------------------------------- running things

def log(msg):
    print(msg, file=sys.stderr, flush=True)


def loadavg():
    try:
        return list(os.getloadavg())
    except OSError:
        return None


def others_running(seconds=1.0, samples=10):
    """Mean number of runnable processes other than this one over a short window
    (/proc/stat procs_running counts the sampling process itself)."""
    vals = []
    for _ in range(samples):
        try:
            with open('/proc/stat') as f:
                for line in f:
                    if line.startswith('procs_running'):
                        vals.append(int(line.split()[1]) - 1)
                        break
        except OSError:
            return None
        time.sleep(seconds / samples)
    return statistics.fmean(vals) if vals else None


QUIET = {'max_wait': 0.0, 'threshold': 0.3}


def wait_quiet():
    """Wait (up to --wait-quiet seconds) until no other process is running; return the
    measured figure (mean other runnable processes) when the wait ended."""
    busy = others_running()
    if busy is None or QUIET['max_wait'] <= 0:
        return busy
    t0 = time.perf_counter()
    warned = False
    while busy > QUIET['threshold'] and time.perf_counter() - t0 < QUIET['max_wait']:
        if not warned:
            log(f'  waiting for a quiet machine ({busy:.1f} other processes running)')
            warned = True
        time.sleep(4.0)
        busy = others_running()
    if busy > QUIET['threshold']:
        log(f'  still busy after {QUIET["max_wait"]:.0f} s ({busy:.1f} other processes): '
            'measuring anyway')
    return busy


def parse_time_v(stderr):
    """Split /usr/bin/time -v's report off stderr; return (rest, max_rss_kib, elapsed_s)."""
    rss, elapsed = None, None
    lines = stderr.splitlines()
    cut = len(lines)
    for i, line in enumerate(lines):
        s = line.strip()
        if s.startswith('Command being timed:'):
            cut = min(cut, i)
        elif s.startswith('Maximum resident set size (kbytes):'):
            rss = int(s.split(':')[-1])
        elif s.startswith('Elapsed (wall clock) time'):
            parts = s.rsplit(' ', 1)[-1].split(':')
            sec = 0.0
            for p in parts:
                sec = sec * 60 + float(p)
            elapsed = sec
    return '\n'.join(lines[:cut]), rss, elapsed


def run_timed(cmd, cwd=None, timeout=None):
    """Run cmd under /usr/bin/time -v; return a dict with rc, stdout, stderr, wall, RSS."""
    busy = wait_quiet()
    t0 = time.perf_counter()
    try:
        p = subprocess.run(['/usr/bin/time', '-v'] + cmd, cwd=cwd, capture_output=True,
                           text=True, timeout=timeout)
        rc, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        rc = 'timeout'
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or '')
        err = e.stderr.decode() if isinstance(e.stderr, bytes) else (e.stderr or '')
    wall = time.perf_counter() - t0
    err, rss, elapsed = parse_time_v(err)
    return {'rc': rc, 'stdout': out, 'stderr': err, 'process_s': wall,
            'max_rss_kib': rss, 'time_v_elapsed_s': elapsed, 'busy_before': busy}


def last_json(text):
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith('{'):
            try:
                return json.loads(line)
            except ValueError:
                continue
    return None


def sh(cmd, cwd=None):
    try:
        return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True,
                              timeout=120).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ''


def rel(path):
    """Path relative to the repository when inside it, else absolute."""
    path = os.path.abspath(path)
    if path == REPO or path.startswith(REPO + os.sep):
        return os.path.relpath(path, REPO)
    return path


# Copies of the binaries made at start -> the paths they were copied from (for printing).
BINARY_ORIGIN = {}


def cmd_text(cmd):
    out = []
    for c in cmd:
        c = BINARY_ORIGIN.get(c, c)
        out.append(shlex.quote(rel(c) if os.path.isabs(c) and c.startswith(REPO) else c))
    return ' '.join(out)


def snapshot_binary(path, tmpdir):
    """Copy a binary so that a rebuild during the suite cannot mix two versions."""
    dst = os.path.join(tmpdir, os.path.basename(path))
    shutil.copy2(path, dst)
    BINARY_ORIGIN[dst] = path
    with open(dst, 'rb') as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:16]
    mtime = datetime.datetime.fromtimestamp(os.path.getmtime(path), datetime.timezone.utc)
    return dst, {'path': rel(path), 'sha256_16': digest,
                 'mtime_utc': mtime.strftime('%Y-%m-%d %H:%M:%S')}


# --------------------------------------------------------------------------- environment

def machine_info(args):
    cpu_model, cpus = '', ''
    for line in sh(['lscpu']).splitlines():
        if line.startswith('Model name:'):
            cpu_model = line.split(':', 1)[1].strip()
        elif line.startswith('CPU(s):'):
            cpus = line.split(':', 1)[1].strip()
    head = sh(['git', 'rev-parse', '--short', 'HEAD'], cwd=REPO)
    dirty = bool(sh(['git', 'status', '--porcelain', '--untracked-files=no'], cwd=REPO))
    info = {
        'kind': 'meta',
        'date_utc': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M:%S'),
        'date_local': datetime.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M:%S %Z'),
        'command': cmd_text([PYTHON] + [os.path.abspath(sys.argv[0])] + sys.argv[1:]),
        'cpu_model': cpu_model, 'cpus': cpus, 'nproc': os.cpu_count(),
        'mem_total_gib': None,
        'kernel': sh(['uname', '-sr']),
        'gxx': sh(['g++', '--version']).splitlines()[0] if sh(['g++', '--version']) else '',
        'commit': head + ('-dirty' if dirty else ''),
        'hebllm': rel(args.hebllm),
        'hebllm_info': last_json(sh([args.hebllm, 'info', '--json'])) or {},
        'threads': args.threads,
        'load_start': loadavg(),
    }
    try:
        with open('/proc/meminfo') as f:
            kb = int(f.readline().split()[1])
            info['mem_total_gib'] = round(kb / 1048576, 1)
    except (OSError, ValueError, IndexError):
        pass
    if not args.no_brian2:
        info['brian2'] = sh([PYTHON, '-c', 'import brian2; print(brian2.__version__)'])
    return info


# --------------------------------------------------------------------------- part 1

def seed_flags_cmd(args, pops, duration):
    s, a, i, o = pops
    return [args.hebllm, 'simulate', '--sensory', str(s), '--associative', str(a),
            '--inhibitory', str(i), '--output', str(o), '--density', '0.1',
            '--duration', f'{duration:g}', '--json', '--threads', str(args.threads)]


def quick_speed_config(path, pops):
    """quick_speed_test's JAX input: neurons 0-2 on for t < 5 ms; 25 ms; seed 42."""
    s, a, i, o = pops
    text = f"""# quick_performance_test.py:quick_speed_test (ORIGINAL.md §6.1):
# {sum(pops)} neurons, density 0.1, seed 42, 25 ms, neurons 0-2 forced every step for t < 5 ms.
[simulation]
dt_ms = 1.0
duration_ms = 25.0
seed = 42

[hebsnn]
sensory = {s}
associative = {a}
inhibitory = {i}
output = {o}
density = 0.1

[[stimulus]]
kind = "poisson"
population = "sensory"
first = 0
count = 3
t_start_ms = 0.0
t_stop_ms = 5.0
rate_hz = 1000.0
"""
    with open(path, 'w') as f:
        f.write(text)


def hebllm_record(res, extra):
    j = last_json(res['stdout'])
    rec = dict(extra)
    rec.update({'tool': 'hebllm', 'rc': res['rc'], 'process_s': res['process_s'],
                'max_rss_kib': res['max_rss_kib'], 'load': loadavg(),
                'busy_before': res['busy_before']})
    if res['rc'] != 0 or j is None:
        rec['error'] = (res['stderr'] or res['stdout'])[-2000:]
        return rec
    rec.update({
        'loop_s': j.get('simulation_s'), 'construction_s': j.get('construction_s'),
        'spikes': j.get('spikes'), 'rate_hz': j.get('mean_rate_hz'),
        'synaptic_events': j.get('synaptic_events'),
        'events_per_s': j.get('synaptic_events_per_s'),
        'synapses': j.get('synapses'), 'bytes_per_synapse': j.get('bytes_per_synapse'),
        'neurons': j.get('neurons'), 'simulated_ms': j.get('simulated_ms'),
        'populations': {p['name']: p['rate_hz'] for p in j.get('populations', [])},
        'forced_spikes_dropped': j.get('forced_spikes_dropped'),
    })
    return rec


def run_seed_suite(args, emit):
    cfg_dir = os.path.join(args.out_dir, 'configs')
    os.makedirs(cfg_dir, exist_ok=True)
    jobs = []
    for label, pops in SEED_SIZES:
        jobs.append((f'simulate {label} neurons, 100 ms', label, 'flags100',
                     seed_flags_cmd(args, pops, 100.0)))
    for label, pops in SEED_SIZES[:2]:
        path = os.path.join(cfg_dir, f'seed_quick_speed_{label}.toml')
        quick_speed_config(path, pops)
        jobs.append((f'quick_speed_test {label} neurons, 25 ms', label, 'quick25',
                     [args.hebllm, 'simulate', '--config', path, '--json',
                      '--threads', str(args.threads)]))
    for name, label, workload, cmd in jobs:
        log(f'[seed] {name}: {cmd_text(cmd)}')
        for rep in range(-1, args.repeats):   # rep -1: an untimed first run (cold caches)
            res = run_timed(cmd, cwd=REPO)
            rec = hebllm_record(res, {'kind': 'seed', 'workload': workload, 'label': label,
                                      'name': name, 'rep': rep, 'cmd': cmd_text(cmd),
                                      'discarded': rep < 0})
            emit(rec)
            if 'error' in rec:
                log(f'  error: {rec["error"][-300:]}')
                break
    # pattern training
    cmd = [args.seed_training, '--threads', str(args.threads)]
    if not os.path.exists(args.seed_training):
        log(f'[seed] {args.seed_training} not found: training skipped '
            '(build the seed_training target)')
        emit({'kind': 'seed', 'workload': 'training', 'label': '1,600', 'rep': 0,
              'tool': 'hebllm', 'cmd': cmd_text(cmd), 'error': 'binary not built'})
        return
    log(f'[seed] pattern training: {cmd_text(cmd)}')
    for rep in range(-1, args.train_repeats):   # rep -1: an untimed first run
        res = run_timed(cmd, cwd=REPO)
        j = last_json(res['stdout'])
        rec = {'kind': 'seed', 'workload': 'training', 'label': '1,600',
               'name': 'optimized_demo training', 'rep': rep, 'tool': 'hebllm',
               'discarded': rep < 0,
               'cmd': cmd_text(cmd), 'rc': res['rc'], 'process_s': res['process_s'],
               'max_rss_kib': res['max_rss_kib'], 'load': loadavg(),
               'busy_before': res['busy_before']}
        if res['rc'] != 0 or j is None:
            rec['error'] = (res['stderr'] or res['stdout'])[-2000:]
            emit(rec)
            log(f'  error: {rec["error"][-300:]}')
            break
        rec.update({'loop_s': j['wall_s'], 'step_wall_s': j['step_wall_s'],
                    'construction_s': j['construction_s'], 'spikes': j['spikes'],
                    'simulated_ms': j['simulated_ms'], 'neurons': j['neurons'],
                    'synapses': j['synapses'],
                    'rate_hz': j['spikes'] / (j['neurons'] * j['simulated_ms'] / 1000.0)
                    if j['simulated_ms'] else None,
                    'synaptic_events': j['synaptic_events'],
                    'events_per_s': j['synaptic_events'] / j['step_wall_s']
                    if j['step_wall_s'] else None,
                    'stdp_updates': j['stdp_updates'],
                    'mean_abs_weight_change': j['mean_abs_weight_change'],
                    'mean_weight_change': j['mean_weight_change'],
                    'weights_changed': j['weights_changed'], 'raw': j})
        emit(rec)


# --------------------------------------------------------------------------- part 2

def parse_sizes(text):
    sizes = []
    for item in text.split(','):
        item = item.strip().lower().replace('×', 'x')
        if not item:
            continue
        n, k = item.split('x')
        def num(s):
            s = s.strip()
            mult = 1
            if s.endswith('k'):
                s, mult = s[:-1], 1000
            return int(float(s) * mult)
        sizes.append((num(n), num(k)))
    return sizes


def brian2_counts(build_dir, n_e):
    import numpy as np
    res_dir = os.path.join(build_dir, 'results')
    counts = np.fromfile(glob.glob(os.path.join(res_dir, '_array_count_count_*'))[0],
                         dtype=np.int32)
    return int(counts.sum()), int(counts[:n_e].sum()), int(counts[n_e:].sum())


def brian2_first(args, N, K, dt, plastic, tmpdir):
    """Generate, compile and run the Brian2 standalone project once (brian2_bench.py)."""
    jpath = os.path.join(tmpdir, f'b2_{N}_{K}_{dt:g}_{plastic}.jsonl')
    if os.path.exists(jpath):
        os.remove(jpath)
    cmd = [PYTHON, BRIAN2_SCRIPT, '--N', str(N), '--K', str(K), '--dt', f'{dt:g}',
           '--plastic', str(plastic), '--target', 'cpp_standalone', '--threads',
           str(args.threads), '--warmup', f'{args.warmup:g}', '--duration',
           f'{args.duration:g}', '--json', jpath]
    res = run_timed(cmd, cwd=tmpdir, timeout=args.timeout)
    j = None
    if os.path.exists(jpath):
        with open(jpath) as f:
            j = last_json(f.read())
    rec = {'tool': 'brian2', 'rc': res['rc'], 'cmd': cmd_text(cmd), 'rerun': False,
           'python_process_s': res['process_s'], 'python_max_rss_kib': res['max_rss_kib'],
           'load': loadavg(), 'busy_before': res['busy_before']}
    if res['rc'] != 0 or j is None:
        rec['error'] = (res['stderr'] or res['stdout'])[-3000:]
        return rec, None
    rec.update({
        'loop_s': j['sim_wall_s'], 'spikes': j['spikes'], 'rate_hz': j['rate_hz'],
        'rate_e_hz': j['rate_e_hz'], 'rate_i_hz': j['rate_i_hz'],
        'synaptic_events': j['syn_events'], 'events_per_s': j['syn_events_per_s'],
        'process_s': j['run_binary_s'], 'binary_wall_s': j['binary_wall_s'],
        'max_rss_kib': j['binary_peak_rss_mib'] * 1024.0, 'compile_s': j['compile_s'],
        'codegen_build_call_s': j['codegen_build_call_s'], 'build_dir': j['build_dir'],
        'brian2': j['brian2'], 'eta': j['eta'], 'nu_ext_hz': j['nu_ext_hz'],
        'w_E_mV': j['w_E_mV'], 'k_ext': j['k_ext'], 'delay_ms': j['delay_ms'],
        'g': j['g'],
    })
    return rec, j['build_dir']


def brian2_rerun(args, build_dir, N, K, n_e):
    """Run the already compiled Brian2 binary again (same network, same seed)."""
    info = os.path.join(build_dir, 'results', 'bench_info.txt')
    if os.path.exists(info):
        os.remove(info)
    res = run_timed(['./main'], cwd=build_dir, timeout=args.timeout)
    rec = {'tool': 'brian2', 'rc': res['rc'], 'cmd': f'(cd {build_dir} && ./main)',
           'rerun': True, 'process_s': res['process_s'], 'max_rss_kib': res['max_rss_kib'],
           'load': loadavg(), 'build_dir': build_dir, 'busy_before': res['busy_before']}
    if res['rc'] != 0 or not os.path.exists(info):
        rec['error'] = (res['stderr'] or res['stdout'])[-3000:]
        return rec
    with open(info) as f:
        sim_s, binary_s, hwm_kb = f.read().split()
    spikes, s_e, s_i = brian2_counts(build_dir, n_e)
    dur = args.duration / 1000.0
    sim = float(sim_s)
    rec.update({'loop_s': sim, 'binary_wall_s': float(binary_s), 'vmhwm_kib': int(hwm_kb),
                'spikes': spikes, 'rate_hz': spikes / (N * dur),
                'rate_e_hz': s_e / (n_e * dur), 'rate_i_hz': s_i / ((N - n_e) * dur),
                'synaptic_events': spikes * K,
                'events_per_s': spikes * K / sim if sim > 0 else None})
    return rec


def run_standard_suite(args, emit):
    cfg_dir = os.path.join(args.out_dir, 'configs')
    os.makedirs(cfg_dir, exist_ok=True)
    tmpdir = tempfile.mkdtemp(prefix='hebllm_cpu_suite_')
    for (N, K) in parse_sizes(args.sizes):
        for dt in [float(x) for x in args.dts.split(',')]:
            for plastic in [int(x) for x in args.stdp.split(',')]:
                text, p = std_network.make_toml(N, K, dt, plastic, seed=1,
                                                duration_ms=args.duration)
                path = os.path.join(cfg_dir, f'std_N{N}_K{K}_dt{dt:g}_stdp{plastic}.toml')
                with open(path, 'w') as f:
                    f.write(text)
                base = {'kind': 'standard', 'N': N, 'K': K, 'dt_ms': dt, 'stdp': plastic,
                        'threads': args.threads, 'config': rel(path),
                        'model': {k: p[k] for k in ('eta', 'nu_ext_hz', 'w_e', 'w_i', 'g',
                                                    'k_ext', 'delay_ms', 'k_to_e', 'k_to_i',
                                                    'a_plus', 'a_minus', 'w_max')}}
                hcmd = [args.hebllm, 'simulate', '--config', path, '--warmup',
                        f'{args.warmup:g}', '--duration', f'{args.duration:g}', '--threads',
                        str(args.threads), '--json']
                tag = f'N={N} K={K} dt={dt:g} STDP={"on" if plastic else "off"}'
                build_dir = None
                if not args.no_brian2:
                    log(f'[standard] {tag}: Brian2 codegen + compile + run')
                    rec, build_dir = brian2_first(args, N, K, dt, plastic, tmpdir)
                    rec.update(base, rep=0)
                    emit(rec)
                    if 'error' in rec:
                        log(f'  Brian2 error: {rec["error"][-500:]}')
                    else:
                        log(f'  Brian2 loop {rec["loop_s"]:.4g} s, {rec["rate_hz"]:.3g} Hz')
                log(f'[standard] {tag}: {cmd_text(hcmd)}')
                h_ok = True
                for rep in range(args.std_repeats):
                    if h_ok:
                        res = run_timed(hcmd, cwd=REPO, timeout=args.timeout)
                        rec = hebllm_record(res, dict(base, rep=rep, cmd=cmd_text(hcmd)))
                        emit(rec)
                        if 'error' in rec:
                            log(f'  hebllm error: {rec["error"][-500:]}')
                            h_ok = False
                        else:
                            log(f'  hebllm loop {rec["loop_s"]:.4g} s, {rec["rate_hz"]:.3g} Hz')
                    if build_dir and rep + 1 < args.std_repeats:
                        b = brian2_rerun(args, build_dir, N, K, p['n_e'])
                        b.update(base, rep=rep + 1)
                        emit(b)
                        if 'error' in b:
                            log(f'  Brian2 rerun error: {b["error"][-500:]}')
                            build_dir = None
                        else:
                            log(f'  Brian2 rerun loop {b["loop_s"]:.4g} s, {b["rate_hz"]:.3g} Hz')
                if build_dir and args.clean_brian2:
                    subprocess.run(['rm', '-rf', '--', build_dir])


# --------------------------------------------------------------------------- report

def mean_sd(values):
    values = [v for v in values if v is not None]
    if not values:
        return None, None
    m = statistics.fmean(values)
    sd = statistics.stdev(values) if len(values) > 1 else None
    return m, sd


def fmt_s(m, sd=None, digits=4):
    if m is None:
        return '—'
    s = f'{m:.{digits}g}'
    if sd is not None:
        s += f' ± {sd:.2g}'
    return s


BUSY_LIMIT = 0.5


def busy_mark(rs):
    """'†' when another process was running as one of these runs started."""
    return ' †' if any((r.get('busy_before') or 0) > BUSY_LIMIT for r in rs) else ''


def fmt_sci(x):
    return '—' if x is None else f'{x:.3g}'


def fmt_mib(kib):
    return '—' if kib is None else f'{kib / 1024.0:.1f}'


def seed_table(records):
    out = []
    out.append('| workload | neurons | synapses | simulated | hebllm loop s '
               '| hebllm whole process s | construction s | spikes | mean rate Hz | events/s '
               '| peak RSS MiB | reported by the original (another machine, different model) |')
    out.append('|---|---|---|---|---|---|---|---|---|---|---|---|')
    groups = {}
    for r in records:
        if r.get('kind') == 'seed':
            groups.setdefault((r['workload'], r['label']), []).append(r)
    order = [('flags100', l) for l, _ in SEED_SIZES] + [('quick25', l) for l, _ in
                                                         SEED_SIZES[:2]] + [('training', '1,600')]
    for key in order:
        rs = groups.get(key)
        if not rs:
            continue
        workload, label = key
        ok = [r for r in rs if 'error' not in r and not r.get('discarded')]
        name = {'flags100': '`simulate` flags, 100 ms, input 0–4 for 10 ms',
                'quick25': 'quick_speed_test: 25 ms, input 0–2 for 5 ms',
                'training': 'optimized_demo training: 10 epochs × 8 patterns'}[workload]
        if workload == 'quick25':
            o, jx = REPORTED_QUICK[label]
            reported = (f'original {o:.2f} s, JAX {jx:.2f} s (incl. construction); original '
                        f're-run on this machine {RERUN_ORIGINAL_QUICK[label]:.2f} s')
        elif workload == 'training':
            reported = f'"10 epochs on 8 patterns in ~{REPORTED_TRAINING_S:.0f} seconds" (JAX)'
        elif label == '1,600':
            reported = '"scaled to 1400+ neurons" (no timing)'
        else:
            reported = '—'
        if not ok:
            out.append(f'| {name} | {label} | — | — | error: {rs[0].get("error", "")[:80]!r} '
                       '| | | | | | | |')
            continue
        lm, lsd = mean_sd([r['loop_s'] for r in ok])
        pm, psd = mean_sd([r['process_s'] for r in ok])
        cm, _ = mean_sd([r.get('construction_s') for r in ok])
        em, _ = mean_sd([r.get('events_per_s') for r in ok])
        rss = max((r.get('max_rss_kib') or 0) for r in ok)
        r0 = ok[0]
        sim = r0.get('simulated_ms')
        spikes = r0.get('spikes')
        spikes_txt = str(spikes)
        if len({r.get('spikes') for r in ok}) > 1:
            spikes_txt += ' (varies)'
        extra = ''
        if workload == 'training':
            extra = (f'; {r0["stdp_updates"]:.3g} STDP updates, mean Δw '
                     f'{r0["mean_weight_change"]:.3g} (|Δw| {r0["mean_abs_weight_change"]:.3g}), '
                     f'{r0["weights_changed"]} weights changed')
        out.append(f'| {name} | {label} | {r0.get("synapses", "—")} | '
                   f'{sim:g} ms | {fmt_s(lm, lsd)}{busy_mark(ok)} | {fmt_s(pm, psd)} | '
                   f'{fmt_s(cm)} | '
                   f'{spikes_txt}{extra} | {fmt_s(r0.get("rate_hz"), None, 3)} | {fmt_sci(em)} | '
                   f'{fmt_mib(rss)} | {reported} |')
    n = max((len([r for r in v if not r.get('discarded')]) for v in groups.values()),
            default=0)
    out.append('')
    busy = any((r.get('busy_before') or 0) > BUSY_LIMIT for r in records
               if r.get('kind') == 'seed')
    out.append(('† another process was running when one of these runs started (see '
                '`busy_before` in cpu_raw.jsonl): the time is suspect. ' if busy else '') +
               f'Repeats per workload: up to {n} after one untimed first run; mean ± sample '
               'sd. "loop" is the wall time of the stepping loop (`simulation_s`; for training '
               'the wall time of the whole training loop including resets), "whole process" '
               'the wall time of the process (construction, loop, output). The original\'s '
               'figures include construction (and for JAX its JIT compilation); they were '
               'measured on another machine with a different model (the original `JAXHebSNN` '
               'is nearly silent on these inputs, ORIGINAL.md §6.9), so they are context, not '
               'a like-for-like comparison.')
    return '\n'.join(out)


def standard_rows(records):
    groups = {}
    for r in records:
        if r.get('kind') == 'standard':
            key = (r['N'], r['K'], r['dt_ms'], r['stdp'])
            groups.setdefault(key, {'hebllm': [], 'brian2': []})[r['tool']].append(r)
    rows = []
    for key in sorted(groups, key=lambda k: (k[0], k[1], -k[2], k[3])):
        g = groups[key]
        h = [r for r in g['hebllm'] if 'error' not in r]
        b = [r for r in g['brian2'] if 'error' not in r]
        row = {'N': key[0], 'K': key[1], 'dt': key[2], 'stdp': key[3],
               'h_err': next((r['error'] for r in g['hebllm'] if 'error' in r), None),
               'b_err': next((r['error'] for r in g['brian2'] if 'error' in r), None),
               'h_n': len(h), 'b_n': len(b), 'h_busy': busy_mark(h), 'b_busy': busy_mark(b)}
        if h:
            row['h_loop'] = mean_sd([r['loop_s'] for r in h])
            row['h_proc'] = mean_sd([r['process_s'] for r in h])
            row['h_eps'] = mean_sd([r['events_per_s'] for r in h])[0]
            row['h_spikes'] = h[0]['spikes']
            row['h_rate'] = h[0]['rate_hz']
            row['h_rss'] = max(r['max_rss_kib'] or 0 for r in h)
            row['h_bps'] = h[0].get('bytes_per_synapse')
            row['h_constr'] = mean_sd([r.get('construction_s') for r in h])[0]
            row['h_pops'] = h[0].get('populations')
        if b:
            row['b_loop'] = mean_sd([r['loop_s'] for r in b])
            row['b_proc'] = mean_sd([r['process_s'] for r in b])
            row['b_eps'] = mean_sd([r['events_per_s'] for r in b])[0]
            row['b_spikes'] = b[0]['spikes']
            row['b_rate'] = b[0]['rate_hz']
            row['b_rate_e'] = b[0].get('rate_e_hz')
            row['b_rate_i'] = b[0].get('rate_i_hz')
            rss = [r.get('max_rss_kib') for r in b if r.get('max_rss_kib')]
            row['b_rss'] = max(rss) if rss else None
            first = [r for r in b if not r.get('rerun')]
            row['b_python'] = first[0].get('python_process_s') if first else None
            row['b_compile'] = first[0].get('compile_s') if first else None
        flags = []
        for side in ('h', 'b'):
            rate = row.get(f'{side}_rate')
            if rate is not None and (rate < 0.5 or rate > 100.0):
                flags.append(f'{"hebllm" if side == "h" else "Brian2"} '
                             f'{"silent" if rate < 0.5 else "runaway"}')
        if row.get('h_rate') is not None and row.get('b_rate'):
            diff = abs(row['h_rate'] - row['b_rate']) / row['b_rate']
            row['rate_diff'] = diff
            if diff > RATE_TOLERANCE:
                flags.append(f'rates differ by {diff * 100:.0f} %')
        row['flags'] = flags
        if row.get('h_loop') and row.get('b_loop') and row['h_loop'][0]:
            row['ratio'] = row['b_loop'][0] / row['h_loop'][0]
        rows.append(row)
    return rows


def standard_table(rows):
    out = []
    out.append('| N | K | dt ms | STDP | hebllm loop s | Brian2 loop s | ratio Brian2/hebllm '
               '| hebllm events/s | Brian2 events/s | hebllm spikes (Hz) | Brian2 spikes (Hz) '
               '| check | hebllm peak RSS MiB | Brian2 peak RSS MiB | hebllm B/synapse '
               '| hebllm whole process s | Brian2 binary whole process s '
               '| Brian2 codegen+compile+run s |')
    out.append('|' + '---|' * 18)
    for r in rows:
        def loop(side):
            v = r.get(f'{side}_loop')
            if v is None:
                err = r.get(f'{side}_err')
                return 'error' if err else '—'
            return fmt_s(*v) + r.get(f'{side}_busy', '')
        h_sp = (f'{r["h_spikes"]} ({r["h_rate"]:.3g})' if 'h_spikes' in r else '—')
        b_sp = (f'{r["b_spikes"]} ({r["b_rate"]:.3g})' if 'b_spikes' in r else '—')
        check = ('**' + '; '.join(r['flags']) + '**') if r['flags'] else (
            'ok' if 'rate_diff' in r else '—')
        ratio = f'{r["ratio"]:.3g}' if 'ratio' in r else '—'
        out.append(
            f'| {r["N"]} | {r["K"]} | {r["dt"]:g} | {"on" if r["stdp"] else "off"} | '
            f'{loop("h")} | {loop("b")} | {ratio} | {fmt_sci(r.get("h_eps"))} | '
            f'{fmt_sci(r.get("b_eps"))} | {h_sp} | {b_sp} | {check} | '
            f'{fmt_mib(r.get("h_rss"))} | {fmt_mib(r.get("b_rss"))} | '
            f'{fmt_s(r.get("h_bps"), None, 3)} | '
            f'{fmt_s(*(r.get("h_proc") or (None, None)))} | '
            f'{fmt_s(*(r.get("b_proc") or (None, None)))} | '
            f'{fmt_s(r.get("b_python"), None, 3)} |')
    return '\n'.join(out)


# --------------------------------------------------------------------------- SVG

def marker(tool, x, y, color, fill):
    """hebllm: circle, Brian2: square; filled for STDP off, hollow for STDP on."""
    if tool == 'hebllm':
        return (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{fill}" stroke="{color}" '
                f'stroke-width="2"/>')
    return (f'<rect x="{x - 4.5:.1f}" y="{y - 4.5:.1f}" width="9" height="9" fill="{fill}" '
            f'stroke="{color}" stroke-width="2"/>')


def write_svg(path, rows, subtitle=''):
    series = {}
    for r in rows:
        if r['dt'] != 1.0:
            continue
        x = r['N'] * r['K']
        for side, tool in (('h', 'hebllm'), ('b', 'Brian2')):
            y = r.get(f'{side}_eps')
            if y:
                key = (tool, r['stdp'])
                series.setdefault(key, []).append((x, y))
    W, H = 720, 480
    L, R, T, B = 80, 200, 50, 60
    pw, ph = W - L - R, H - T - B
    pts = [p for s in series.values() for p in s]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
             f'viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">',
             f'<rect width="{W}" height="{H}" fill="white"/>',
             f'<text x="{L + pw / 2}" y="22" text-anchor="middle" font-size="14">'
             'Synaptic events per second, standard random network, dt = 1 ms</text>',
             f'<text x="{L + pw / 2}" y="36" text-anchor="middle" font-size="11" fill="#555">'
             f'{subtitle}</text>']
    if not pts:
        parts.append(f'<text x="{W / 2}" y="{H / 2}" text-anchor="middle">no data</text>')
        parts.append('</svg>')
        with open(path, 'w') as f:
            f.write('\n'.join(parts) + '\n')
        return
    lx = [math.log10(p[0]) for p in pts]
    ly = [math.log10(p[1]) for p in pts]
    x0, x1 = math.floor(min(lx)), math.ceil(max(lx))
    y0, y1 = math.floor(min(ly)), math.ceil(max(ly))
    if x1 == x0:
        x0, x1 = x0 - 1, x1 + 1
    if y1 == y0:
        y0, y1 = y0 - 1, y1 + 1

    def X(v):
        return L + (math.log10(v) - x0) / (x1 - x0) * pw

    def Y(v):
        return T + ph - (math.log10(v) - y0) / (y1 - y0) * ph

    parts.append(f'<rect x="{L}" y="{T}" width="{pw}" height="{ph}" fill="none" stroke="#000"/>')
    for e in range(x0, x1 + 1):
        x = L + (e - x0) / (x1 - x0) * pw
        parts.append(f'<line x1="{x:.1f}" y1="{T}" x2="{x:.1f}" y2="{T + ph}" stroke="#ddd"/>')
        parts.append(f'<text x="{x:.1f}" y="{T + ph + 18}" text-anchor="middle">'
                     f'10<tspan dy="-6" font-size="9">{e}</tspan></text>')
    for e in range(y0, y1 + 1):
        y = T + ph - (e - y0) / (y1 - y0) * ph
        parts.append(f'<line x1="{L}" y1="{y:.1f}" x2="{L + pw}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{L - 8}" y="{y + 4:.1f}" text-anchor="end">'
                     f'10<tspan dy="-6" font-size="9">{e}</tspan></text>')
    parts.append(f'<text x="{L + pw / 2}" y="{H - 18}" text-anchor="middle">'
                 'network size N × K (synapses)</text>')
    parts.append(f'<text x="18" y="{T + ph / 2}" text-anchor="middle" '
                 f'transform="rotate(-90 18 {T + ph / 2})">synaptic events / s (wall)</text>')
    style = {('hebllm', 0): ('#1f77b4', ''), ('hebllm', 1): ('#1f77b4', '6,4'),
             ('Brian2', 0): ('#d62728', ''), ('Brian2', 1): ('#d62728', '6,4')}
    ly_ = T + 10
    for key in [('hebllm', 0), ('hebllm', 1), ('Brian2', 0), ('Brian2', 1)]:
        if key not in series:
            continue
        color, dash = style[key]
        s = sorted(series[key])
        d = ' '.join(f'{X(x):.1f},{Y(y):.1f}' for x, y in s)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ''
        if len(s) > 1:
            parts.append(f'<polyline points="{d}" fill="none" stroke="{color}" '
                         f'stroke-width="2"{dash_attr}/>')
        fill = color if key[1] == 0 else 'white'
        for x, y in s:
            parts.append(marker(key[0], X(x), Y(y), color, fill))
        label = f'{key[0]}, STDP {"on" if key[1] else "off"}'
        lx0 = L + pw + 15
        parts.append(f'<line x1="{lx0}" y1="{ly_}" x2="{lx0 + 30}" y2="{ly_}" stroke="{color}" '
                     f'stroke-width="2"{dash_attr}/>')
        parts.append(marker(key[0], lx0 + 15, ly_, color, fill))
        parts.append(f'<text x="{lx0 + 38}" y="{ly_ + 4}">{label}</text>')
        ly_ += 20
    parts.append('</svg>')
    with open(path, 'w') as f:
        f.write('\n'.join(parts) + '\n')


def write_markdown(path, meta, records, args, t_total):
    rows = standard_rows(records)
    info = meta.get('hebllm_info', {})
    L = []
    L.append('# hebllm CPU benchmark suite')
    L.append('')
    when = meta['date_utc'] + ' UTC'
    if not meta['date_local'].endswith('UTC'):
        when = f'{meta["date_local"]} ({when})'
    L.append(f'Generated by `bench/cpu_suite.py` on {when}; total wall time '
             f'{t_total / 60:.1f} min.')
    L.append('')
    L.append('```')
    L.append(meta['command'])
    L.append('```')
    L.append('')
    L.append('| | |')
    L.append('|---|---|')
    L.append(f'| machine | {meta["cpu_model"]}, {meta["cpus"]} CPUs, '
             f'{meta.get("mem_total_gib")} GiB, {meta["kernel"]} |')
    L.append(f'| compiler | {meta["gxx"]} |')
    L.append(f'| hebllm | commit `{meta["commit"]}`, {info.get("build_type", "?")} build, '
             f'{info.get("compiler", "?")}, {info.get("flags", "")}; backends '
             f'{", ".join(info.get("backends", []))} |')
    if 'brian2' in meta:
        L.append(f'| Brian2 | {meta["brian2"]} (Debian python3-brian), C++ standalone, '
                 f'`bench/brian2_bench.py` |')
    for name, b in meta.get('binaries', {}).items():
        L.append(f'| binary `{name}` | `{b["path"]}`, built {b["mtime_utc"]} UTC, sha256 '
                 f'{b["sha256_16"]}… (copied at start: one binary for the whole invocation) |')
    L.append(f'| threads | {meta["threads"]} (both tools) |')
    end = next((r for r in records if r.get('kind') == 'end'), {})

    def loads(v):
        return ', '.join(f'{x:.2f}' for x in v) if v else '?'
    L.append(f'| load average (1, 5, 15 min) at start / end | {loads(meta.get("load_start"))} / '
             f'{loads(end.get("load_end"))} |')
    L.append('')
    n_busy = sum(1 for r in records if (r.get('busy_before') or 0) > BUSY_LIMIT)
    if n_busy:
        L.append(f'**Warning:** {n_busy} run(s) started while other processes were running '
                 '(marked †): those timings are unreliable.')
        L.append('')
    if any(r.get('kind') == 'seed' for r in records):
        L.append('## 1. Seed suite (the original system\'s workloads)')
        L.append('')
        L.append(seed_table(records))
        L.append('')
        tr = [r for r in records if r.get('workload') == 'training' and 'error' not in r]
        if tr:
            r = tr[0]
            L.append(f'Training: {r["simulated_ms"]:g} ms simulated in total, '
                     f'{r["spikes"]} spikes ({r["rate_hz"]:.3g} Hz mean), '
                     f'{r["synaptic_events"]} synaptic events, {r["stdp_updates"]} STDP updates; '
                     f'patterns (sensory tokens) {r["raw"]["patterns"]}; per-population spikes '
                     f'{r["raw"]["population_spikes"]}.')
            L.append('')
    if rows:
        L.append('## 2. Standard random network: hebllm vs Brian2')
        L.append('')
        L.append(f'bench/brian2_bench.py\'s model (layout `ei`, `--conn fixed`, seed 1) in both '
                 f'tools; hebllm configs written by bench/std_network.py into '
                 f'`{rel(os.path.join(args.out_dir, "configs"))}/`. '
                 f'{args.duration:g} ms measured after {args.warmup:g} ms of warm-up; '
                 f'{args.std_repeats} run(s) per tool and configuration (mean ± sd).')
        L.append('')
        L.append(standard_table(rows))
        L.append('')
        L.append('- *loop*: wall time of the measured simulation loop (hebllm `simulation_s` '
                 'with `--warmup`; Brian2 a clock_gettime pair around the measured run in its '
                 'generated main()). *ratio* = Brian2 loop / hebllm loop (> 1: hebllm faster).')
        if any(r.get('h_busy') or r.get('b_busy') for r in rows):
            L.append('- † another process was running when one of the runs started '
                     '(`busy_before` in cpu_raw.jsonl): the time is suspect.')
        L.append('- *events/s* = spikes × K / loop time for both (external Poisson input not '
                 'counted). Spikes and rates are over the measured second only.')
        L.append(f'- *check*: flags a row where the mean rates differ by more than '
                 f'{RATE_TOLERANCE * 100:.0f} % or a network is silent (< 0.5 Hz) or runaway '
                 '(> 100 Hz): such a speed figure is not comparable.')
        L.append('- *peak RSS*: hebllm from `/usr/bin/time -v`; Brian2 of its generated binary '
                 '(VmHWM, or `/usr/bin/time -v` on reruns). *whole process*: hebllm process '
                 'wall time (construction + warm-up + measured run); Brian2 the generated '
                 'binary\'s wall time (same parts). *codegen+compile+run*: the Python process '
                 'of brian2_bench.py (code generation, compilation, first run).')
        L.append('')
        L.append('![synaptic events per second](cpu_events.svg)')
        L.append('')
    errors = [r for r in records if 'error' in r]
    if errors:
        L.append('## Errors')
        L.append('')
        for r in errors:
            what = r.get('name') or (f'N={r.get("N")} K={r.get("K")} dt={r.get("dt_ms")} '
                                     f'STDP={r.get("stdp")}')
            msg = ' '.join(r['error'].strip().splitlines()[-3:])[:400]
            L.append(f'- {r.get("tool")}, {what}, run {r.get("rep")}: `{msg}`')
        L.append('')
    L.append('## How to rerun')
    L.append('')
    L.append('```sh')
    L.append('cmake --build build -j2 --target hebllm_cli seed_training    # Release build')
    L.append('uptime                                                     # load should be ~0')
    L.append('/usr/bin/python3 bench/cpu_suite.py                        # full suite (long)')
    L.append('/usr/bin/python3 bench/cpu_suite.py --quick                # smoke run, 1-4 min')
    L.append('/usr/bin/python3 bench/cpu_suite.py --no-seed --sizes 20000x1000 --dts 1 --stdp 0,1')
    L.append('/usr/bin/python3 bench/std_network.py --N 20000 --K 1000 --dt 1 --plastic 1 '
             '> net.toml')
    L.append('```')
    L.append('')
    L.append('Options: `--sizes NxK,...`, `--dts 1,0.1`, `--stdp 0,1`, `--threads T`, '
             '`--repeats R` (seed suite), `--std-repeats R`, `--train-repeats R`, '
             '`--no-brian2`, `--no-seed`, `--no-standard`, `--out-dir DIR`. Raw results: '
             '`cpu_raw.jsonl` (one JSON object per run). Brian2 builds its projects under '
             '`/tmp/brian2_anchor_builds/`.')
    L.append('')
    with open(path, 'w') as f:
        f.write('\n'.join(L))


# --------------------------------------------------------------------------- main

def report_from_raw(args):
    with open(args.from_raw) as f:
        lines = [json.loads(x) for x in f if x.strip()]
    meta, records = lines[0], lines[1:]
    opts = argparse.Namespace(**meta.get('options', {}))
    opts.out_dir = os.path.abspath(args.out_dir)
    t_total = next((r.get('total_s', 0.0) for r in records if r.get('kind') == 'end'), 0.0)
    os.makedirs(opts.out_dir, exist_ok=True)
    write_markdown(os.path.join(opts.out_dir, 'cpu.md'), meta, records, opts, t_total)
    write_svg(os.path.join(opts.out_dir, 'cpu_events.svg'), standard_rows(records),
              f'{meta["threads"]} threads each; hebllm {meta["commit"]}, Brian2 '
              f'{meta.get("brian2", "-")} C++ standalone; {meta["date_utc"][:10]}')
    log(f'wrote {rel(os.path.join(opts.out_dir, "cpu.md"))} and cpu_events.svg from '
        f'{rel(args.from_raw)}')
    return 0



def portable_paths(value):
    """The record as written to cpu_raw.jsonl: paths inside the repository relative to it and
    temporary directories as $TMPDIR, so that the committed file names no machine's paths."""
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
    tmp = tempfile.gettempdir().rstrip(os.sep) + os.sep
    if isinstance(value, dict):
        return {k: portable_paths(v) for k, v in value.items()}
    if isinstance(value, list):
        return [portable_paths(v) for v in value]
    if isinstance(value, str):
        return value.replace(repo, '').replace(tmp, '$TMPDIR/')
    return value

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--quick', action='store_true',
                    help=f'smoke run: sizes {QUICK_SIZES}, 2 repeats (unless given)')
    ap.add_argument('--sizes', default=None, help=f'N x K list (default {DEFAULT_SIZES})')
    ap.add_argument('--dts', default='1,0.1', help='time steps in ms (default 1,0.1)')
    ap.add_argument('--stdp', default='0,1', help='STDP off/on list (default 0,1)')
    ap.add_argument('--threads', type=int, default=2, help='threads for both tools (default 2)')
    ap.add_argument('--repeats', type=int, default=None, help='seed-suite repeats (default 5)')
    ap.add_argument('--std-repeats', type=int, default=None,
                    help='standard-network runs per tool and configuration (default 3)')
    ap.add_argument('--train-repeats', type=int, default=None,
                    help='pattern-training repeats (default 3)')
    ap.add_argument('--warmup', type=float, default=200.0, help='warm-up ms (default 200)')
    ap.add_argument('--duration', type=float, default=1000.0, help='measured ms (default 1000)')
    ap.add_argument('--no-brian2', action='store_true', help='hebllm only')
    ap.add_argument('--no-seed', action='store_true', help='skip part 1 (seed suite)')
    ap.add_argument('--no-standard', action='store_true', help='skip part 2 (standard network)')
    ap.add_argument('--clean-brian2', action='store_true',
                    help='delete each Brian2 build directory after use')
    ap.add_argument('--timeout', type=float, default=None, help='seconds per process')
    ap.add_argument('--wait-quiet', type=float, default=300.0, metavar='S',
                    help='before each run wait up to S seconds until no other process is '
                         'running (default 300; 0: do not wait)')
    ap.add_argument('--out-dir', default=os.path.join(HERE, 'results'))
    ap.add_argument('--hebllm', default=os.path.join(REPO, 'build', 'bin', 'hebllm'))
    ap.add_argument('--seed-training', default=os.path.join(REPO, 'build', 'bin',
                                                            'seed_training'))
    ap.add_argument('--from-raw', metavar='JSONL', default=None,
                    help='only rewrite cpu.md and cpu_events.svg from an existing raw file')
    args = ap.parse_args(argv)
    if args.from_raw:
        return report_from_raw(args)
    if args.sizes is None:
        args.sizes = QUICK_SIZES if args.quick else DEFAULT_SIZES
    if args.repeats is None:
        args.repeats = 2 if args.quick else 5
    if args.std_repeats is None:
        args.std_repeats = 1 if args.quick else 3
    if args.train_repeats is None:
        args.train_repeats = 1 if args.quick else 3
    if min(args.repeats, args.std_repeats, args.train_repeats) < 1:
        ap.error('repeats must be >= 1')
    args.out_dir = os.path.abspath(args.out_dir)
    args.hebllm = os.path.abspath(args.hebllm)
    args.seed_training = os.path.abspath(args.seed_training)
    if not os.path.exists(args.hebllm):
        ap.error(f'{args.hebllm} not found: build it first (cmake --build build)')
    parse_sizes(args.sizes)
    os.makedirs(args.out_dir, exist_ok=True)
    QUIET['max_wait'] = args.wait_quiet

    t0 = time.perf_counter()
    meta = machine_info(args)
    meta['options'] = dict(vars(args))
    bin_dir = tempfile.mkdtemp(prefix='hebllm_cpu_suite_bin_')
    meta['binaries'] = {}
    args.hebllm, meta['binaries']['hebllm'] = snapshot_binary(args.hebllm, bin_dir)
    if os.path.exists(args.seed_training):
        args.seed_training, meta['binaries']['seed_training'] = snapshot_binary(
            args.seed_training, bin_dir)
    if meta['load_start'] and meta['load_start'][0] > 0.5:
        log(f'warning: load average {meta["load_start"]}: timings will be noisy')
    raw_path = os.path.join(args.out_dir, 'cpu_raw.jsonl')
    records = []
    with open(raw_path, 'w') as raw:
        raw.write(json.dumps(portable_paths(meta), sort_keys=True) + '\n')

        def emit(rec):
            rec.setdefault('time_utc', datetime.datetime.now(datetime.timezone.utc)
                           .strftime('%Y-%m-%d %H:%M:%S'))
            records.append(rec)
            raw.write(json.dumps(portable_paths(rec), sort_keys=True) + '\n')
            raw.flush()

        if not args.no_seed:
            run_seed_suite(args, emit)
        if not args.no_standard:
            run_standard_suite(args, emit)
        t_total = time.perf_counter() - t0
        emit({'kind': 'end', 'load_end': loadavg(), 'total_s': t_total})

    md_path = os.path.join(args.out_dir, 'cpu.md')
    write_markdown(md_path, meta, records, args, t_total)
    write_svg(os.path.join(args.out_dir, 'cpu_events.svg'), standard_rows(records),
              f'{args.threads} threads each; hebllm {meta["commit"]}, Brian2 '
              f'{meta.get("brian2", "-")} C++ standalone; {meta["date_utc"][:10]}')
    log(f'wrote {rel(md_path)}, {rel(os.path.join(args.out_dir, "cpu_events.svg"))}, '
        f'{rel(raw_path)} ({t_total:.0f} s)')
    shutil.rmtree(bin_dir, ignore_errors=True)
    errors = [r for r in records if 'error' in r]
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
