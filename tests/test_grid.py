"Grids over (model, seed): in-process and on a local Ray cluster the same records, an interrupted grid resumed without retraining, bad input refused."
import functools, os, signal, subprocess, sys, time
from contextlib import redirect_stderr
from io import StringIO
from pathlib import Path
import pytest, torch
from slowcnn.data import fashion_mnist, make_fake_fashion_mnist
from slowcnn.grid import Grid, GridError, read_record, run_figures, run_file

MODELS, SEEDS = ['cnn', 'deeper_cnn'], [0, 1]

@pytest.fixture(scope='module')
def data(tmp_path_factory): return make_fake_fashion_mnist(tmp_path_factory.mktemp('fmnist'), n_train=512, n_test=64)

@pytest.fixture(scope='module')
def ray_cluster():
    ray = pytest.importorskip('ray')
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level='ERROR')
    yield ray
    ray.shutdown()

def test_local_and_ray_give_the_same_records(data, tmp_path, ray_cluster):
    "Bit-equal on a CPU when both compute with one thread (a Ray task with one CPU does); with other thread counts the losses agree within 1e-3."
    load = functools.partial(fashion_mnist, bs=64, path=data)
    threads = torch.get_num_threads(); torch.set_num_threads(1)
    try: local = Grid(MODELS, load, SEEDS, tmp_path/'local', n_epochs=1, progress=False).run()
    finally: torch.set_num_threads(threads)
    on_ray = Grid(MODELS, load, SEEDS, tmp_path/'ray', n_epochs=1, executor='ray').run()
    assert [(r['name'], r['seed']) for r in on_ray.runs] == [(m, s) for m in MODELS for s in SEEDS]
    for a, b in zip(local.runs, on_ray.runs): assert run_figures(a) == run_figures(b), (a['name'], a['seed'])
    assert {r['worker']['pid'] for r in on_ray.runs}.isdisjoint({os.getpid()})  # trained in Ray's worker processes
    assert sorted(p.name for p in (tmp_path/'ray'/'runs').iterdir()) == sorted(p.name for p in (tmp_path/'local'/'runs').iterdir())

def _dies_first(marker, times):
    "A model factory that kills its worker process the first `times` calls (counted in `marker`), then builds the model."
    import os
    from pathlib import Path
    p = Path(marker); n = int(p.read_text()) if p.exists() else 0
    if n < times: p.write_text(str(n + 1)); os._exit(1)
    from slowcnn.models.registry import create_model
    return create_model('cnn')
_dies_first.__module__ = '__main__'  # pickled by value: Ray's workers cannot import this test module

def test_a_dead_workers_run_is_retried_once_and_reported(data, tmp_path, ray_cluster, capsys):
    load = functools.partial(fashion_mnist, bs=64, path=data)
    g = Grid({'dies': functools.partial(_dies_first, str(tmp_path/'once'), 1)}, load, [0], tmp_path/'o', n_epochs=1, executor='ray')
    assert len(g.run().runs) == 1 and run_file(tmp_path/'o', 'dies', 0).is_file()
    assert 'dies seed 0: its worker died (' in capsys.readouterr().out
    g = Grid({'cnn': 'cnn', 'dies': functools.partial(_dies_first, str(tmp_path/'twice'), 2)}, load, [0], tmp_path/'o2', n_epochs=1, executor='ray')
    with pytest.raises(GridError, match='dies seed 0: its worker died 2 times'): g.run()
    assert run_file(tmp_path/'o2', 'cnn', 0).is_file()  # the finished run is kept

def test_ctrl_c_on_ray_cancels_the_outstanding_runs_and_keeps_the_finished(data, tmp_path, ray_cluster, capsys):
    import _thread, threading
    runs = tmp_path/'runs'
    def interrupt():  # Ctrl-C as soon as the first run is written
        while not (runs.is_dir() and any(runs.glob('*.json'))): time.sleep(0.02)
        _thread.interrupt_main()
    old = signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C raises here even where this run started with it ignored
    t = threading.Thread(target=interrupt, daemon=True); t.start()
    g = Grid(MODELS, functools.partial(fashion_mnist, bs=16, path=data), [0, 1, 2], tmp_path, n_epochs=2, executor='ray')
    try:
        with pytest.raises(KeyboardInterrupt): g.run()
    finally: t.join(); signal.signal(signal.SIGINT, old)
    kept = list(runs.glob('*.json'))
    assert 1 <= len(kept) < 6 and f'the {len(kept)} finished ones are kept' in capsys.readouterr().err
    assert all(read_record(f)['kind'] == 'run' for f in kept)

def slowcnn(*args, **kw):
    return subprocess.Popen([sys.executable, '-m', 'slowcnn.cli', 'compare', *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=os.environ, **kw)

def test_an_interrupted_grid_resumes_without_retraining(data, tmp_path):
    args = ['--models', 'cnn,deeper_cnn', '--seeds', 4, '--epochs', 2, '--bs', 16, '--data', data, '--out', tmp_path]
    p = slowcnn(*args, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    runs = tmp_path/'runs'
    while not (runs.is_dir() and any(runs.glob('*.json'))) and p.poll() is None: time.sleep(0.05)
    p.send_signal(signal.SIGINT); out, err = p.communicate(timeout=120)
    assert p.returncode == 130, err
    kept = {f.name: f.read_bytes() for f in runs.glob('*.json')}
    assert 1 <= len(kept) < 8, (len(kept), out)
    assert not (tmp_path/'results.json').exists() and 'interrupted; files already written are kept' in err
    p = slowcnn(*args); out, err = p.communicate(timeout=120)
    assert p.returncode == 0, err
    assert f'{len(kept)} of 8 runs already done in {tmp_path}; training the other {8 - len(kept)}' in out, out
    assert all((runs/n).read_bytes() == b for n, b in kept.items())  # the finished runs were not trained again
    assert len(read_record(tmp_path/'results.json')['runs']) == 8

@pytest.mark.parametrize('args,says', [
    (['--seeds', '0'], "--seeds: expected a number of seeds of at least 1, or different comma-separated seeds (0,1,2), found '0'"),
    (['--seeds', '2', '--baseline', 'vgg'], '--baseline vgg is not one of --models (cnn,deeper_cnn)'),
    (['--seeds', '2', '--executor', 'ray', '--address', '127.0.0.1:1'], 'no Ray cluster answers at 127.0.0.1:1')])
def test_bad_input_is_one_line_and_writes_nothing(args, says, data, tmp_path):
    from slowcnn.cli import main
    with redirect_stderr(StringIO()) as err:
        try: code = main(['compare', '--models', 'cnn,deeper_cnn', '--data', str(data), '--out', str(tmp_path/'out'), *args])
        except SystemExit as e: code = e.code  # argparse's own checks
    line = err.getvalue()
    assert code == 2 and line.count('\n') == 1 and line.startswith('slowcnn: error:') and says in line, line
    assert not (tmp_path/'out').exists()
