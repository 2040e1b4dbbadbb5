"Seed 004's calls and its own classes, verbatim, against `from slowcnn.all import *` and `slowcnn.compat.resnets` (on a small stand-in FashionMNIST, so it takes seconds)."
import os, subprocess, sys, textwrap
from slowcnn.data import make_fake_fashion_mnist

SEED004 = textwrap.dedent('''
    from slowcnn.all import *  # torch, nn, F, plt, timm and noop included, as fastai's star import
    from slowcnn.compat.resnets import *  # the notebook's summarize(m, mods, dls=), shape, SummaryCB and train_1cycle

    set_seed(42)
    plt.style.use("ggplot")
    _, stats = train_1cycle(CNN.kaiming(nfs=(8, 16, 32, 64)))
    stats.mean_std_plot()

    class DeeperCNN(CNN):
        """7 layer convolutional neural network with GeneralReLU"""

        def get_layers(self, nfs, n_outputs=10, C=None):
            if C is None:
                C = Conv
            assert len(nfs) == 5
            # Notice we changed the stride to 1 to fit another layer --+
            layers = [C(1, 8, ks=5, stride=1)]  # 👈 ------------------+
            for c_in, c_out in zip(nfs, nfs[1:]):
                layers.append(C(c_in, c_out))
            layers.append(C(nfs[-1], n_outputs, act=False))
            return layers
    train_1cycle(DeeperCNN.kaiming(nfs=(8, 16, 32, 64, 128)));

    class ResidualBlock(nn.Module):  # the seed defines it and never builds it
        def __init__(self, inner):
            self.inner = inner

        def forward(self, x):
            x_orig = x
            x = self.inner(x)
            assert x.shape == x_orig.shape
            return x + x_orig

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

    class DoubleConvBlock(nn.Module):
        """Convolutional block with residual links"""

        def __init__(self, c_in, c_out, stride=2, ks=3, act=True, norm=True):
            super().__init__()
            self.conv_a = Conv(c_in, c_out, stride=1, ks=ks, act=act, norm=norm)
            self.conv_b = Conv(c_out, c_out, stride=stride, ks=ks, act=act, norm=norm)

        def forward(self, x):
            x = self.conv_a(x)
            x = self.conv_b(x)
            return x
    m = DeeperCNN.kaiming(nfs=(8, 16, 32, 64, 128), block=DoubleConvBlock)
    shape(m)
    _ = train_1cycle(m)
    assert DeeperCNN.__module__ == '__main__' and DoubleConvBlock.__module__ == '__main__'  # the seed's own classes ran
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
