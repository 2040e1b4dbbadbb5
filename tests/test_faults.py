"Faults a careless user or an attacker meets through the `slowcnn` command: each one line and exit 2, and every figure the saved model's."
import csv, json, os, signal, subprocess, sys, time
from pathlib import Path
import pytest, torch
from slowcnn.data import make_fake_fashion_mnist
from test_cli import slowcnn, one_line_error, interruptible

@pytest.fixture(scope='module')
def data(tmp_path_factory): return make_fake_fashion_mnist(tmp_path_factory.mktemp('fmnist'), n_train=512, n_test=64)

def history(out): return list(csv.DictReader(open(out/'history.csv')))

def test_the_same_seed_gives_the_same_run(tmp_path, data):
    "A plain --model run draws its data order from --seed, not from torch's random start-up seed."
    runs = [slowcnn('train', '--model', 'cnn', '--epochs', '1', '--bs', '64', '--data', data, '--out', tmp_path/n) for n in 'ab']
    assert all(r.returncode == 0 for r in runs), runs[0].stderr
    assert history(tmp_path/'a')[0]['train_loss'] == history(tmp_path/'b')[0]['train_loss']
    rec = json.loads((tmp_path/'a'/'record.json').read_text())
    assert rec['run_id'] and rec['run_options']['seed'] == 42 and rec['run_options']['data']['n_train'] == 512

def test_two_runs_into_one_folder_the_second_is_refused(tmp_path):
    data = make_fake_fashion_mnist(tmp_path/'data', n_train=2048, n_test=64)
    out = tmp_path/'o'
    first = subprocess.Popen([sys.executable, '-m', 'slowcnn.cli', 'train', '--model', 'cnn', '--epochs', '30', '--bs', '64',
                              '--data', str(data), '--out', str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             preexec_fn=interruptible)
    try:
        deadline = time.time() + 300
        while not (out/'.slowcnn-lock').exists():
            assert first.poll() is None and time.time() < deadline, first.communicate()
            time.sleep(0.1)
        second = slowcnn('train', '--model', 'cnn', '--epochs', '1', '--lr', '0.002', '--bs', '64', '--data', data, '--out', out,
                         '--overwrite')
        one_line_error(second, f'--out {out} is in use by another slowcnn run now (process {first.pid})')
        first.send_signal(signal.SIGTERM)  # docker stop, a scheduler, torchrun: ends like Ctrl-C, with the resume command
        _, stderr = first.communicate(timeout=120)
    finally:
        if first.poll() is None: first.kill()
    assert first.returncode == 143 and 'Traceback' not in stderr, stderr
    assert 'terminated' in stderr and ('Resume with:' in stderr or 'none was written' in stderr), stderr
    assert not (out/'.slowcnn-lock').exists()

def test_a_resume_with_other_options_is_refused(tmp_path, data):
    out, args = tmp_path/'o', ['train', '--model', 'cnn', '--epochs', '2', '--bs', '64', '--lr', '0.01', '--data', data]
    assert slowcnn(*args, '--out', out).returncode == 0
    before = (out/'record.json').read_bytes()
    other = make_fake_fashion_mnist(tmp_path/'other', n_train=300, n_test=64, seed=1)
    for change, says in [(['--lr', '5'], 'lr 0.01 then, 5.0 now'), (['--bs', '200'], 'bs 64 then, 200 now'),
                         (['--seed', '3'], 'seed 42 then, 3 now'), (['--data', other], "data {'n_train': 512")]:
        r = slowcnn(*args, *change, '--epochs', '2', '--out', out, '--resume', out/'checkpoints')
        one_line_error(r, says, '--allow-changes')
    assert (out/'record.json').read_bytes() == before

def test_a_finished_run_resumed_writes_what_a_kill_took(tmp_path, data):
    out, args = tmp_path/'o', ['train', '--model', 'cnn', '--epochs', '2', '--bs', '64', '--data', data, '--out', tmp_path/'o']
    assert slowcnn(*args).returncode == 0
    weights = torch.load(out/'final.pth', weights_only=True)['model']
    (out/'final.pth').unlink(); (out/'record.json').unlink()  # killed after the last checkpoint
    r = slowcnn(*args, '--resume', out/'checkpoints'); assert r.returncode == 0, r.stderr
    assert 'wrote the missing' in r.stdout and (out/'record.json').is_file()
    for k, v in torch.load(out/'final.pth', weights_only=True)['model'].items(): assert torch.equal(v, weights[k]), k
    r = slowcnn(*args, '--resume', out/'checkpoints'); assert 'nothing to do' in r.stdout

def test_overwrite_leaves_none_of_the_old_runs_results(tmp_path, data):
    out, args = tmp_path/'o', ['train', '--model', 'cnn', '--bs', '64', '--data', data, '--out', tmp_path/'o']
    assert slowcnn(*args, '--epochs', '1').returncode == 0
    old_id = json.loads((out/'record.json').read_text())['run_id']
    # a new run over it, killed in its first epoch: before, the old final.pth and record.json stayed beside the new run's files
    p = subprocess.Popen([sys.executable, '-m', 'slowcnn.cli', *map(str, args), '--epochs', '1', '--overwrite'],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while (out/'record.json').exists() and time.time() < deadline and p.poll() is None: time.sleep(0.05)
    p.kill(); p.communicate()
    rec = out/'record.json'
    assert not rec.exists() or json.loads(rec.read_text())['run_id'] != old_id

def test_a_vit_summary_at_the_wrong_size_is_one_line():
    one_line_error(slowcnn('summary', 'vit_tiny_patch16_224'), 'cannot run on 28x28 images', "doesn't match model (224)")

def test_the_command_line_speaks_like_a_command_line(capsys):  # in this process: the same code path, seconds faster
    from slowcnn.cli import main
    def run(*args):
        try: code = main(list(args))
        except SystemExit as e: code = e.code  # argparse's --help and --version exit
        return code, capsys.readouterr().out
    code, out = run('--version'); assert code == 0 and out.startswith('slowcnn ')
    code, out = run('summary', 'residual_cnn'); assert code == 0 and '321,438' in out
    h = run('train', '--help')[1]
    for default in ('(default: 42)', '(default: runs/train)'): assert default in h, h
    for sub in ('compare', 'train', 'summary', 'lr-find', 'models'):
        code, out = run(sub, '--help'); lines = out.splitlines()
        assert code == 0 and lines[lines.index('') + 1].strip(), out  # a description under the usage

def test_a_quick_run_on_part_of_the_data_logged_for_tensorboard(tmp_path, data):
    out = tmp_path/'o'
    r = slowcnn('train', '--model', 'cnn', '--epochs', '1', '--bs', '50', '--n-train', '100', '--tensorboard', '--data', data, '--out', out)
    assert r.returncode == 0, r.stderr
    assert json.loads((out/'record.json').read_text())['split'].startswith('train 100 / ')
    assert list((out/'tensorboard').glob('events.out.tfevents.*'))
    one_line_error(slowcnn('train', '--model', 'cnn', '--n-train', '99999', '--data', data, '--out', tmp_path/'x'), '--n-train 99999', 'only 512')
    assert not (tmp_path/'x').exists()
