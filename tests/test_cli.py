"The `slowcnn` command, run for real in subprocesses: each error path is one line and a non-zero exit code."
import json, os, re, shlex, signal, subprocess, sys, time
from pathlib import Path
import pytest
from slowcnn.data import make_fake_fashion_mnist

def slowcnn(*args, env=None, **kw):
    return subprocess.run([sys.executable, '-m', 'slowcnn.cli', *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=600, **kw)

@pytest.fixture(scope='module')
def data(tmp_path_factory): return make_fake_fashion_mnist(tmp_path_factory.mktemp('fmnist'), n_train=512, n_test=64)

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

@pytest.mark.parametrize('args,needle', [(['--epochs', '0'], '--epochs: must be > 0'), (['--lr', '-1'], '--lr: must be > 0'),
                                         (['--bs', 'x'], "--bs: expected a int, found 'x'")])
def test_bad_numbers(args, needle, tmp_path):
    one_line_error(slowcnn('compare', *args, '--out', tmp_path), needle)

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
    rows = json.loads((tmp_path/'results.json').read_text())
    assert [x['name'] for x in rows] == ['cnn', 'deeper_cnn'] and rows[1]['params'] == 110_156
    for f in ['results.csv', 'accuracy.png', 'losses.png', 'activations_cnn.png']: assert (tmp_path/f).stat().st_size > 0

def test_summary_models_and_lr_find(tmp_path, data):
    r = slowcnn('summary', '--model', 'resnet18'); assert r.returncode == 0 and '11,175,370' in r.stdout, r.stderr
    r = slowcnn('models', '--filter', 'resnet1*', '--timm'); assert 'resnet18  (timm)' in r.stdout
    r = slowcnn('lr-find', '--model', 'cnn', '--bs', '16', '--data', data, '--out', tmp_path)
    assert r.returncode == 0 and 'valley:' in r.stdout, r.stderr
    assert (tmp_path/'lr_find_cnn.png').stat().st_size > 0

def test_ctrl_c_keeps_checkpoint_and_prints_resume_command(tmp_path):
    data = make_fake_fashion_mnist(tmp_path/'data', n_train=4096, n_test=64)  # epochs long enough to interrupt one
    out = tmp_path/'run'
    p = subprocess.Popen([sys.executable, '-m', 'slowcnn.cli', 'train', '--model', 'cnn', '--epochs', '20', '--bs', '64',
                          '--data', str(data), '--out', str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
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
    assert 'resuming from' in r.stdout and (out/'final.pth').exists()

def test_model_that_does_not_fit_the_data(tmp_path, data):
    one_line_error(slowcnn('compare', '--models', 'lenet', '--epochs', '1', '--data', data, '--out', tmp_path),
                   'LeNet was built for 32x32 images, found (28, 28)')
