"Seed 004's calls, verbatim, against `from slowcnn.all import *` (on a small stand-in FashionMNIST, so it takes seconds)."
import os, subprocess, sys, textwrap
from slowcnn.data import make_fake_fashion_mnist

SEED004 = textwrap.dedent('''
    from slowcnn.all import *
    import timm
    import torch.nn as nn
    import torch.nn.functional as F
    noop = lambda x=None, *args, **kwargs: x  # fastcore's, which seed 004 passes as a filter

    _, stats = train_1cycle(CNN.kaiming(nfs=(8, 16, 32, 64)))
    train_1cycle(DeeperCNN.kaiming(nfs=(8, 16, 32, 64, 128)));
    m = DeeperCNN.kaiming(nfs=(8, 16, 32, 64, 128), block=ResidualConvBlock)
    _ = train_1cycle(m)
    SummaryCB(mods=None, mod_filter=noop)
    for block in [Conv, ResidualConvBlock]:
        print(block.__name__)
        m = DeeperCNN.kaiming(nfs=(8, 16, 32, 64, 128), block=block)
        summarize(m, m.layers)

    def train_timm(id):
        m = timm.create_model(id, in_chans=1, num_classes=10)
        m.layers = []  # Because we're not recording anything
        np = sum(p.numel() for p in m.parameters())
        print(f"N. parameters: {np:,}")
        train_1cycle(m)
    train_timm("resnet18")

    m = DeeperCNN.kaiming(nfs=(8, 16, 32, 64, 128), block=DoubleConvBlock)
    shape(m)
    _ = train_1cycle(m)
    print('SEED004 DONE')
''')

def test_seed004_runs_verbatim(tmp_path):
    data = make_fake_fashion_mnist(tmp_path/'fmnist', n_train=512, n_test=256)
    env = {**os.environ, 'SLOWCNN_DATA': str(data), 'PYTHONWARNINGS': 'ignore', 'MPLBACKEND': 'Agg'}
    r = subprocess.run([sys.executable, '-c', SEED004], capture_output=True, text=True, timeout=600, env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    out = r.stdout
    assert 'SEED004 DONE' in out and 'N. parameters: 11,175,370' in out
    for total in ('110,156', '321,438', '309,012'): assert total in out, total  # the seed's printed parameter totals
