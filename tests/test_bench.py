"The scripts a GPU session runs (bench/device_run.sh) work, at a tiny size on the CPU: a broken one would waste device time."
import json, os, subprocess, sys
from pathlib import Path
import pytest
from slowcnn.data import make_fake_fashion_mnist

ROOT = Path(__file__).parent.parent

@pytest.fixture(scope='module')
def env(tmp_path_factory):
    data = make_fake_fashion_mnist(tmp_path_factory.mktemp('fmnist'), n_train=1200, n_test=200)
    return {**os.environ, 'SLOWCNN_DATA': str(data), 'MPLBACKEND': 'Agg', 'PYTHONPATH': str(ROOT)}

def bench(script, *args, env):
    return subprocess.run([sys.executable, str(ROOT/'bench'/script), *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=600)

def test_bench_learner_times_each_variant_and_says_what_it_could_not(tmp_path, env):
    r = bench('bench_learner.py', '--epochs', '1', '--reps', '1', '--subset', '600', '--graph', '--cudnn', '--peers', '--stats',
              '--only', 'Graph|cudnn|Lightning|fastai', '--device', 'cpu', '--record', tmp_path/'b.json', env=env)
    assert r.returncode == 0, r.stderr
    rec = json.loads((tmp_path/'b.json').read_text())
    names = [x['variant'] for x in rec['results']]
    # --only keeps the matching variants (not the plain Learner, nor ActivationStats) and always the baseline
    assert names[:3] == ['hand-written loop', 'Learner + CudaGraph', 'Learner + cudnn.benchmark'], names
    assert 'CudaGraph: training eagerly: CUDA graphs need a CUDA device, found cpu' in r.stderr  # on a CPU, and says so
    assert all(len(x['valid_accuracy']) == len(x['seconds']) == 1 for x in rec['results'])  # each timed repetition's accuracy
    assert rec['reps'] == {'asked': 1, 'timed': 1}
    for label, module in (('Lightning', 'lightning'), ('fastai', 'fastai')):  # timed where installed, else one line says why
        assert label in names or f'{label}: not timed, {module} does not import' in r.stdout, r.stdout
    bad = bench('bench_learner.py', '--only', '(', '--device', 'cpu', env=env)
    assert bad.returncode == 1 and bad.stderr.strip().startswith('bench_learner: --only must be a regular expression') and 'Traceback' not in bad.stderr

def test_host_overhead_times_and_counts_both_loops_per_batch(tmp_path, env):
    r = bench('host_overhead.py', '--images', '512', '--reps', '1', '--record', tmp_path/'h.json', env=env)
    assert r.returncode == 0, r.stderr
    rec = json.loads((tmp_path/'h.json').read_text())
    assert [x['variant'] for x in rec['results']] == ['hand-written loop', 'Learner'] and rec['recipe']['batches'] == 8 + 1
    assert rec['learner_extra_us_per_batch'] == sorted(rec['paired_extra_us_per_batch'])[0]  # one repetition: its difference
    assert rec['smoke']  # 512 images, one repetition: a check of the script, not a result
    ops = rec['ops_per_train_batch']  # tensor operations per training batch, on the CPU
    assert ops['Learner'] <= ops['hand-written loop'] and ops['Learner'] > 100, ops  # the Learner adds no work per batch
    assert sum(rec['ops_learner_minus_loop'].values()) == ops['Learner'] - ops['hand-written loop']

def test_uva_cifar10_says_in_one_line_when_cifar10_is_missing(tmp_path, env):
    # its smoke run on a local copy in the real format is on the Architectures page (nbs/16_architectures.ipynb)
    missing = bench('exp_uva_cifar10.py', '--data', tmp_path/'nowhere', '--record', tmp_path/'x.json', env=env)
    assert missing.returncode == 1 and missing.stderr.startswith('exp_uva_cifar10: CIFAR-10 not found') and 'Traceback' not in missing.stderr

def test_exp_recipes_smoke_through_the_fast_path(tmp_path, env):
    r = bench('exp_recipes.py', '--smoke', '--graph', '--steps', 'seed004', '--record', tmp_path/'r.json', env=env)
    assert r.returncode == 0, r.stderr
    rec = json.loads((tmp_path/'r.json').read_text())
    assert rec['smoke'] and rec['graph'] and len(rec['runs']) == 2 and {x['step'] for x in rec['runs']} == {'seed004'}

def test_device_run_parses_and_has_the_first_jobs():
    assert subprocess.run(['bash', '-n', str(ROOT/'bench'/'device_run.sh')]).returncode == 0
    src = (ROOT/'bench'/'device_run.sh').read_text()
    jobs = src.split('JOB: ')[1].splitlines()[0]
    for job in ('smoke', 'bench', 'formats', 'accurate', 'profile', 'recipes_fast', 'recipes_margin', 'seed004'):  # the jobs a GPU session runs, all in the script
        assert job in jobs and f'\n    {job})' in src, job

def test_onednn_profile_reads_onednns_log_per_kind(tmp_path, env):
    r = bench('onednn_profile.py', '--steps', '1', '--bs', '16', '--no-compile', '--record', tmp_path/'o.json', env=env)
    assert r.returncode == 0, r.stderr
    rec = json.loads((tmp_path/'o.json').read_text())
    assert rec['smoke'] and rec['matmul_gflops'] > 0 and [x['variant'] for x in rec['runs']] == ['eager', 'eager, channels_last']
    for run in rec['runs']:  # the log was read: convolutions forward and backward, each with its arithmetic rate
        convs = [p for p in run['primitives'] if p['kind'] == 'convolution']
        assert {'forward_training', 'backward_data', 'backward_weights'} <= {p['prop'] for p in convs}, run['by_kind_ms']
        assert all(p['gflops'] > 0 for p in convs) and abs(sum(run['by_kind_ms'].values()) - run['onednn_ms']) < 1e-6

def test_conv_flops_counts_each_multiply_add_twice():
    sys.path.insert(0, str(ROOT/'bench'))
    from onednn_profile import conv_flops
    assert conv_flops('mb2_ic3oc4_ih8oh8kh3sh1dh0ph1_iw8ow8kw3sw1dw0pw1') == 2 * 2 * 4 * 8 * 8 * 3 * 3 * 3
    assert conv_flops('mb2_g2ic4oc4_ih8oh4kh1sh2dh0ph0_iw8ow4kw1sw2dw0pw0') == 2 * 2 * 4 * 4 * 4 * 2  # groups split the inputs

def test_exit_time_runs_the_command_through_both_entries(tmp_path, env):
    r = bench('exit_time.py', '--reps', '1', '--record', tmp_path/'e.json', '--', 'summary', '--model', 'deeper_cnn', env=env)
    assert r.returncode == 0, r.stderr
    rec = json.loads((tmp_path/'e.json').read_text())
    assert rec['smoke'] and rec['recipe']['command'] == 'slowcnn summary --model deeper_cnn'
    assert [x['variant'] for x in rec['results']] == ['main', 'console_main']
    assert all(0 < e < w for x in rec['results'] for e, w in zip(x['exit_s'], x['seconds']))  # the exit is part of the process
    bad = bench('exit_time.py', '--reps', '1', '--', 'summary', '--model', 'no_such_model', env=env)
    assert bad.returncode == 1 and bad.stderr.startswith('exit_time: `slowcnn summary --model no_such_model` through main failed (exit code 2): slowcnn: error: unknown model')
