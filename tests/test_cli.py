"The `slowcnn` command, run for real in subprocesses (argument errors in this process): each error path is one line and a non-zero exit code."
import json, os, re, shlex, signal, subprocess, sys, time
from pathlib import Path
import pytest
from slowcnn.data import make_fake_fashion_mnist

def slowcnn(*args, env=None, **kw):
    return subprocess.run([sys.executable, '-m', 'slowcnn.cli', *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=600, **kw)

@pytest.fixture(scope='module')
def data(tmp_path_factory): return make_fake_fashion_mnist(tmp_path_factory.mktemp('fmnist'), n_train=512, n_test=64)

def interruptible():
    "Give the child the default Ctrl-C handling, even when this test run was started with SIGINT ignored (a background job)."
    signal.signal(signal.SIGINT, signal.SIG_DFL)

class Result:
    "What `subprocess.run` returns, for `main` called in this process."
    def __init__(self, returncode, stdout, stderr): self.returncode, self.stdout, self.stderr = returncode, stdout, stderr

def slowcnn_here(capsys, *args):
    "Run `slowcnn ARGS` in this process (no new interpreter, so seconds faster): for argument errors, same code path."
    from slowcnn.cli import main
    try: code = main([str(a) for a in args])
    except SystemExit as e: code = e.code  # argparse's own errors exit
    out, err = capsys.readouterr()
    return Result(code, out, err)

def one_line_error(r, *needles):
    assert r.returncode != 0, r.stdout
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith('slowcnn: error:'), r.stderr
    for n in needles: assert n in lines[0], lines[0]

def test_unknown_model_suggests_close_names():
    one_line_error(slowcnn('summary', '--model', 'residual_cn'), "unknown model 'residual_cn'", 'residual_cnn')

def test_missing_data_says_where_it_looked(tmp_path):
    one_line_error(slowcnn('train', '--model', 'cnn', '--data', tmp_path/'nowhere', '--out', tmp_path/'o'),
                   str(tmp_path/'nowhere'), 'apt-get install dataset-fashion-mnist')

@pytest.mark.parametrize('args,needle', [(['--epochs', '0'], '--epochs: must be a finite number > 0'), (['--lr', '-1'], '--lr: must be a finite number > 0'), (['--lr', 'inf'], '--lr: must be a finite number > 0, found inf'), (['--lr', 'nan'], 'found nan'),
                                         (['--bs', 'x'], "--bs: expected a int, found 'x'")])
def test_bad_numbers(args, needle, tmp_path, capsys):
    one_line_error(slowcnn_here(capsys, 'compare', *args, '--out', tmp_path), needle)

def test_bad_number_from_the_command_line(tmp_path):  # the same errors as above, through a real `slowcnn` process once
    one_line_error(slowcnn('compare', '--epochs', '0', '--out', tmp_path), '--epochs: must be a finite number > 0')

def test_unwritable_out(tmp_path, data):
    (tmp_path/'afile').write_text('')
    one_line_error(slowcnn('compare', '--data', data, '--out', tmp_path/'afile'/'sub'), 'cannot write to --out')

def test_unavailable_device(tmp_path, data):
    if __import__('torch').cuda.is_available(): pytest.skip('a GPU is present')
    one_line_error(slowcnn('train', '--model', 'cnn', '--device', 'cuda', '--data', data, '--out', tmp_path), 'no CUDA device')

def test_compare_writes_results_and_plots(tmp_path, data):
    r = slowcnn('compare', '--models', 'cnn,deeper_cnn', '--epochs', '1', '--bs', '128', '--data', data, '--out', tmp_path)
    assert r.returncode == 0, r.stderr
    assert re.search(r'^deeper_cnn\s+110,156', r.stdout, re.M), r.stdout
    rec = json.loads((tmp_path/'results.json').read_text())
    rows = rec['runs']
    assert [x['name'] for x in rows] == ['cnn', 'deeper_cnn'] and rows[1]['params'] == 110_156
    assert rec['format'] == 'slowcnn-record-1' and rec['command'].startswith('python -m slowcnn.cli compare') and rec['seed'] == 42
    assert 'partial' not in rec  # saved after the first model too (a Ctrl-C would keep it), then whole
    for f in ['results.csv', 'accuracy.png', 'losses.png', 'activations_cnn.png']: assert (tmp_path/f).stat().st_size > 0
    phases = rec['phases']  # where a cold start's time went, measured in this new process
    assert {'import torch', 'import the rest', 'data', 'models', 'training', 'results', 'plots', 'other', 'total'} <= set(phases)
    assert phases['import torch'] > 0 and phases['import the rest'] > 0 and phases['training'] > 0 and phases['other'] < 0.05 * phases['total']  # the named phases cover the run
    assert re.search(r'^time: [\d.]+ s in all: import torch [\d.]+ s, import the rest [\d.]+ s, data', r.stdout, re.M), r.stdout

def test_compare_in_the_seed003_protocol(tmp_path, data):
    "`--split seed003`: validation held out of training, the best validation epoch kept, the test split used once."
    r = slowcnn('compare', '--models', 'cnn', '--epochs', '2', '--bs', '64', '--split', 'seed003', '--data', data, '--out', tmp_path)
    assert r.returncode == 0, r.stderr
    assert 'test_acc' in r.stdout and 'chosen_epoch' in r.stdout, r.stdout
    rec = json.loads((tmp_path/'results.json').read_text())
    run = rec['runs'][0]
    assert rec['split'] == 'train 427 / valid 85 / test 64' and run['selected_by'] == 'valid_accuracy'
    assert run['valid_accuracy'] == max(h['valid_accuracy'] for h in run['history']) and 0 <= run['test_accuracy'] <= 1

def test_summary_models_and_lr_find(tmp_path, data):
    r = slowcnn('summary', '--model', 'resnet18'); assert r.returncode == 0 and '11,175,370' in r.stdout, r.stderr
    r = slowcnn('models', '--filter', 'resnet1*', '--timm'); assert re.search(r'^resnet18\s+timm', r.stdout, re.M), r.stdout
    r = slowcnn('lr-find', '--model', 'cnn', '--bs', '16', '--data', data, '--out', tmp_path)
    assert r.returncode == 0 and 'valley:' in r.stdout, r.stderr
    assert (tmp_path/'lr_find_cnn.png').stat().st_size > 0

def test_ctrl_c_keeps_checkpoint_and_prints_resume_command(tmp_path):
    data = make_fake_fashion_mnist(tmp_path/'data', n_train=4096, n_test=64)  # epochs long enough to interrupt one
    out = tmp_path/'run'
    p = subprocess.Popen([sys.executable, '-m', 'slowcnn.cli', 'train', '--model', 'cnn', '--epochs', '20', '--bs', '64',
                          '--data', str(data), '--out', str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         preexec_fn=interruptible)
    deadline = time.time() + 300
    while not list((out/'checkpoints').glob('epoch_*.pth')):
        assert p.poll() is None and time.time() < deadline, p.communicate()
        time.sleep(0.1)
    p.send_signal(signal.SIGINT)
    stdout, stderr = p.communicate(timeout=120)
    assert p.returncode == 130, (p.returncode, stderr)
    assert 'interrupted; the last complete checkpoint is' in stderr and 'Traceback' not in stderr, stderr
    cmd = shlex.split(stderr.strip().splitlines()[-1])
    assert cmd[:2] == ['slowcnn', 'train'] and '--resume' in cmd
    r = subprocess.run([sys.executable, '-m', 'slowcnn.cli', *cmd[1:]], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert 'resuming run' in r.stdout and (out/'final.pth').exists()

def test_model_that_does_not_fit_the_data(tmp_path, data):
    one_line_error(slowcnn('compare', '--models', 'lenet', '--epochs', '1', '--data', data, '--out', tmp_path),
                   'LeNet was built for 32x32 images, found (28, 28)')

def test_models_lists_each_once_with_family_and_params():
    r = slowcnn('models'); assert r.returncode == 0, r.stderr
    names = [l.split()[0] for l in r.stdout.splitlines()[1:]]
    assert len(names) == len(set(names)) and 'residual_cnn' in names
    assert re.search(r'^residual_cnn\s+cnn\s+321,438$', r.stdout, re.M), r.stdout

def test_second_run_in_the_same_folder_is_refused_then_owns_its_files(tmp_path, data):
    out = tmp_path/'o'
    args = ['train', '--model', 'cnn', '--bs', '256', '--data', data, '--out', out]
    r = slowcnn(*args, '--epochs', '3'); assert r.returncode == 0, r.stderr
    first = sorted(p.name for p in (out/'checkpoints').iterdir())
    one_line_error(slowcnn(*args, '--epochs', '2', '--seed', '2'), 'already holds another run', '--overwrite')
    assert sorted(p.name for p in (out/'checkpoints').iterdir()) == first   # nothing changed
    r = slowcnn(*args, '--epochs', '2', '--seed', '2', '--overwrite'); assert r.returncode == 0, r.stderr
    now = sorted(p.name for p in (out/'checkpoints').iterdir())
    assert set(first) <= set(now) and len(now) == len(first) + 2, now     # the first run's files are all kept
    one_line_error(slowcnn(*args, '--epochs', '2', '--resume', out/'checkpoints'), 'seed 2 then, 42 now')  # it was the second run's
    r = slowcnn(*args, '--epochs', '2', '--seed', '2', '--resume', out/'checkpoints')
    assert 'nothing to do' in r.stdout, r.stdout                           # the latest run is the second one

def test_resume_refuses_a_checkpoint_that_would_run_code(tmp_path, data):
    import torch
    marker = tmp_path/'pwned'
    class Exploit:
        def __reduce__(self): return (os.system, (f'touch {marker}',))
    torch.save({'format': 'slowcnn-checkpoint-2', 'model': {}, 'x': Exploit()}, tmp_path/'epoch_001-0123abcd.pth')
    one_line_error(slowcnn('train', '--model', 'cnn', '--data', data, '--out', tmp_path/'o', '--resume', tmp_path),
                   'not a safe slowcnn checkpoint')
    assert not marker.exists()

def test_corrupt_newest_checkpoint_names_the_older_one(tmp_path, data):
    out = tmp_path/'o'
    r = slowcnn('train', '--model', 'cnn', '--epochs', '2', '--bs', '256', '--data', data, '--out', out); assert r.returncode == 0
    ckpts = sorted((out/'checkpoints').iterdir())
    ckpts[-1].write_bytes(ckpts[-1].read_bytes()[:500])
    one_line_error(slowcnn('train', '--model', 'cnn', '--epochs', '3', '--data', data, '--out', out, '--resume', out/'checkpoints'),
                   'truncated or corrupt', f'--resume {ckpts[0]}')

@pytest.mark.parametrize('args,needle', [(['--models', ''], '--models is empty'), (['--models', ' , '], '--models is empty'),
                                         (['--out', ''], '--out is empty')])
def test_empty_arguments(args, needle, tmp_path, data, capsys):
    one_line_error(slowcnn_here(capsys, 'compare', '--data', data, *(['--out', tmp_path] if '--out' not in args else []), *args), needle)

def test_full_disk_is_one_line_and_keeps_the_last_checkpoint(tmp_path, data):  # a checkpoint of deeper_cnn is ~1.35 MB
    "A disk that fills up mid-run: one line naming the file and the last complete checkpoint, no partial files."
    if os.geteuid() != 0: pytest.skip('mounting a small tmpfs needs root')
    disk = tmp_path/'disk'; disk.mkdir()
    if subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=2000k', 'tmpfs', str(disk)], capture_output=True).returncode:
        pytest.skip('cannot mount a tmpfs here')
    try:
        r = slowcnn('train', '--model', 'deeper_cnn', '--epochs', '20', '--bs', '256', '--data', data, '--out', disk/'o')
        one_line_error(r, 'no space left on device: could not write', 'the last complete checkpoint is')
        assert not list((disk/'o').rglob('*.tmp')), 'no temporary file is left behind'
        r = slowcnn('compare', '--models', 'cnn', '--epochs', '1', '--bs', '256', '--data', data, '--out', disk/'c')
        assert all(p.stat().st_size > 0 for p in (disk/'c').glob('*.png')), 'no empty plot is left behind'
    finally: subprocess.run(['umount', str(disk)])

def test_summary_of_an_input_too_large_to_allocate():
    one_line_error(slowcnn('summary', '--model', 'cnn', '--size', '2000000', '--bs', '100000'), 'cannot run on 2000000x2000000 images')

def test_ctrl_c_while_starting_is_one_line(tmp_path, data):
    "Ctrl-C while torch is still loading: one line and exit code 130, no import traceback."
    p = subprocess.Popen([sys.executable, '-m', 'slowcnn.cli', 'compare', '--data', str(data), '--out', str(tmp_path)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=interruptible)
    time.sleep(1.0)  # inside the imports: Python starts in ~0.1 s, torch and the rest take seconds to load
    p.send_signal(signal.SIGINT)
    _, stderr = p.communicate(timeout=120)
    assert p.returncode == 130 and 'Traceback' not in stderr, (p.returncode, stderr)
    assert stderr.strip().splitlines()[-1].startswith('slowcnn: interrupted'), stderr

def test_a_number_too_large_for_float32_and_a_model_too_large_to_build(tmp_path, capsys):
    one_line_error(slowcnn_here(capsys, 'compare', '--lr', '1e39', '--out', tmp_path), '--lr: must fit in float32', 'found 1e39')
    one_line_error(slowcnn_here(capsys, 'summary', '--model', 'cnn', '--num-classes', '10000000000'),
                   'cannot build cnn with --in-chans 1 and --num-classes 10000000000')

def test_a_listed_model_that_cannot_take_the_images_is_refused_before_anything_is_written(tmp_path, data, capsys):
    for i, cmd in enumerate([['train', '--model', 'alexnet_book', '--epochs', '1'], ['compare', '--models', 'alexnet_book', '--epochs', '1'],
                             ['lr-find', '--model', 'alexnet_book']]):
        one_line_error(slowcnn_here(capsys, *cmd, '--data', data, '--out', tmp_path/str(i)), "alexnet_book cannot take the data's images of shape (1, 28, 28)")
        assert not (tmp_path/str(i)).exists()

def test_resume_says_which_options_differ_and_offers_an_older_checkpoint_only_for_damage(tmp_path, data, capsys):
    out = tmp_path/'o'
    assert slowcnn_here(capsys, 'train', '--recipe', 'fast', '--model', 'cnn', '--epochs', '2', '--bs', '128', '--data', data, '--out', out).returncode == 0
    r = slowcnn_here(capsys, 'train', '--recipe', 'fast', '--model', 'cnn', '--epochs', '3', '--bs', '64', '--data', data, '--out', out,
                     '--resume', out/'checkpoints')
    one_line_error(r, 'that run was started with other options', 'bs 128 then, 64 now', 'epochs 2 then, 3 now', '--allow-changes')
    plain = tmp_path/'plain'
    assert slowcnn_here(capsys, 'train', '--model', 'cnn', '--epochs', '2', '--bs', '256', '--data', data, '--out', plain).returncode == 0
    r = slowcnn_here(capsys, 'train', '--model', 'deeper_cnn', '--epochs', '3', '--data', data, '--out', plain, '--resume', plain/'checkpoints')
    one_line_error(r, 'different architecture'); assert 'may be intact' not in r.stderr  # the older checkpoint would fail alike
