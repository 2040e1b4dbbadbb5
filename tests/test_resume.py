"Kill-and-resume acceptance: a run SIGKILLed after epoch 2 and resumed ends bit-identical to an uninterrupted run."
import json, re, signal, subprocess, sys
from pathlib import Path
import torch
from slowcnn.data import make_fake_fashion_mnist

JOB = Path(__file__).parent/'resume_job.py'

def run(*args):
    return subprocess.run([sys.executable, str(JOB), *map(str, args)], capture_output=True, text=True, timeout=600)

def test_sigkill_then_resume_is_bit_exact(tmp_path):
    data = make_fake_fashion_mnist(tmp_path/'data', n_train=1024, n_test=256)
    full, killed = tmp_path/'full', tmp_path/'killed'
    r = run(data, full); assert r.returncode == 0, r.stderr
    r = run(data, killed, '--kill-after', 2)
    assert r.returncode == -signal.SIGKILL, (r.returncode, r.stderr)
    names = sorted(p.name for p in (killed/'ckpt').iterdir())
    assert len(names) == 2 and all(re.fullmatch(rf'epoch_00{i}-[0-9a-f]{{8}}\.pth', n) for i, n in zip((1, 2), names)), names
    assert not (killed/'final.pth').exists()
    r = run(data, killed, '--resume'); assert r.returncode == 0, r.stderr
    a, b = torch.load(full/'final.pth'), torch.load(killed/'final.pth')
    assert a.keys() == b.keys()
    for k in a: assert torch.equal(a[k], b[k]), k
    assert json.loads((full/'history.json').read_text()) == json.loads((killed/'history.json').read_text())
    assert len(json.loads((full/'history.json').read_text())) == 4
