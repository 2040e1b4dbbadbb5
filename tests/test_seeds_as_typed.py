"""Each seed document's calls as it spells them (names, argument names, kinds and order), run on tiny data in a namespace
holding only `from slowcnn.all import *` and that seed's compatibility module; where a seed's own code is wrong, the
failure its page describes."""
import subprocess, sys, textwrap
import pytest

def as_typed(code:str, compat:str|None=None, own:str='', **given) -> dict:
    "Run the seed's `own` definitions, then `code`, in a fresh namespace made by the star imports (plus `given`, tiny data); returns the namespace."
    ns = {}
    exec('from slowcnn.all import *', ns)
    if compat: exec(f'from slowcnn.compat.{compat} import *', ns)
    ns.update(given)
    exec(own, ns)
    exec(textwrap.dedent(code), ns)
    return ns

@pytest.fixture(scope='module')
def tiny():
    "Tiny data in the library's loaders: 64 FashionMNIST-shaped images and 64 CIFAR-shaped ones, random labels."
    import torch
    from slowcnn.data import DataLoaders, DeviceLoader, FMNIST_CLASSES, CIFAR_CLASSES
    g = torch.Generator().manual_seed(0)
    def dls(shape, classes):
        x, y = torch.randn(64, *shape, generator=g), torch.randint(0, 10, (64,), generator=g)
        return DataLoaders(DeviceLoader(x, y, bs=16, shuffle=True, seed=0), DeviceLoader(x[:32], y[:32], bs=16),
                           DeviceLoader(x[32:], y[32:], bs=16), classes=classes)
    return {'fmnist': dls((1, 28, 28), FMNIST_CLASSES), 'cifar': dls((3, 32, 32), CIFAR_CLASSES)}

def test_star_import_gives_the_seeds_namespace():
    "In a fresh interpreter: torch, nn, F, np, plt, timm, partial, noop and Path, nothing private, no compat names, and plt/timm imported on first use."
    code = textwrap.dedent('''
        import sys, functools, pathlib, numpy, torch
        ns = {}
        exec('from slowcnn.all import *', ns)
        missing = [n for n in ('torch', 'nn', 'F', 'np', 'plt', 'timm', 'partial', 'noop', 'Path', 'Learner', 'DeeperCNN') if n not in ns]
        assert not missing, missing
        private = [n for n in ns if n.startswith('_') and n != '__builtins__']
        assert not private, private
        assert not {'GoogleNet', 'visualize_predictions', 'ResidualBlock', 'TransBlock'} & set(ns), 'compat names leaked'
        assert 'timm' not in sys.modules and 'matplotlib.pyplot' not in sys.modules, 'imported eagerly'
        assert (ns['torch'], ns['nn'], ns['F'], ns['np']) == (torch, torch.nn, torch.nn.functional, numpy)
        assert ns['partial'] is functools.partial and ns['Path'] is pathlib.Path and ns['noop'](3, 4, k=5) == 3
        ns['plt'].style.use('ggplot')
        import matplotlib.pyplot, timm
        assert ns['plt'].figure is matplotlib.pyplot.figure and ns['timm'].create_model is timm.create_model
        print('NAMESPACE OK')''')
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and 'NAMESPACE OK' in r.stdout, r.stderr[-2000:]

# The UvA tutorial's own classes, verbatim: the compatibility classes must have their parameters, in their order.
UVA_OWN = '''
class UvaInceptionBlock(nn.Module):
    def __init__(self, c_in, c_red: dict, c_out: dict, act_fn):
        super().__init__()
        self.conv_1x1 = nn.Sequential(
            nn.Conv2d(c_in, c_out["1x1"], kernel_size=1), nn.BatchNorm2d(c_out["1x1"]), act_fn()
        )
        self.conv_3x3 = nn.Sequential(
            nn.Conv2d(c_in, c_red["3x3"], kernel_size=1),
            nn.BatchNorm2d(c_red["3x3"]),
            act_fn(),
            nn.Conv2d(c_red["3x3"], c_out["3x3"], kernel_size=3, padding=1),
            nn.BatchNorm2d(c_out["3x3"]),
            act_fn(),
        )
        self.conv_5x5 = nn.Sequential(
            nn.Conv2d(c_in, c_red["5x5"], kernel_size=1),
            nn.BatchNorm2d(c_red["5x5"]),
            act_fn(),
            nn.Conv2d(c_red["5x5"], c_out["5x5"], kernel_size=5, padding=2),
            nn.BatchNorm2d(c_out["5x5"]),
            act_fn(),
        )
        self.max_pool = nn.Sequential(
            nn.MaxPool2d(kernel_size=3, padding=1, stride=1),
            nn.Conv2d(c_in, c_out["max"], kernel_size=1),
            nn.BatchNorm2d(c_out["max"]),
            act_fn(),
        )

class UvaResNetBlock(nn.Module):
    def __init__(self, c_in, act_fn, subsample=False, c_out=-1):
        super().__init__()
        if not subsample:
            c_out = c_in
        self.net = nn.Sequential(
            nn.Conv2d(
                c_in, c_out, kernel_size=3, padding=1, stride=1 if not subsample else 2, bias=False
            ),
            nn.BatchNorm2d(c_out),
            act_fn(),
            nn.Conv2d(c_out, c_out, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(c_out),
        )
        self.downsample = nn.Conv2d(c_in, c_out, kernel_size=1, stride=2) if subsample else None
        self.act_fn = act_fn()

class UvaPreActResNetBlock(nn.Module):
    def __init__(self, c_in, act_fn, subsample=False, c_out=-1):
        super().__init__()
        if not subsample:
            c_out = c_in
        self.net = nn.Sequential(
            nn.BatchNorm2d(c_in),
            act_fn(),
            nn.Conv2d(c_in, c_out, kernel_size=3, padding=1, stride=1 if not subsample else 2, bias=False),
            nn.BatchNorm2d(c_out),
            act_fn(),
            nn.Conv2d(c_out, c_out, kernel_size=3, padding=1, bias=False),
        )
        self.downsample = (
            nn.Sequential(nn.BatchNorm2d(c_in), act_fn(), nn.Conv2d(c_in, c_out, kernel_size=1, stride=2, bias=False))
            if subsample
            else None
        )

class UvaDenseLayer(nn.Module):
    def __init__(self, c_in, bn_size, growth_rate, act_fn):
        super().__init__()
        self.net = nn.Sequential(
            nn.BatchNorm2d(c_in),
            act_fn(),
            nn.Conv2d(c_in, bn_size * growth_rate, kernel_size=1, bias=False),
            nn.BatchNorm2d(bn_size * growth_rate),
            act_fn(),
            nn.Conv2d(bn_size * growth_rate, growth_rate, kernel_size=3, padding=1, bias=False),
        )
'''

def test_uva_tutorial_as_typed(tiny):
    "The UvA Tutorial 4's calls: its block signatures (positional and keyword), model_dict/create_model, and its table's parameter counts."
    ns = as_typed('''
        shapes = lambda m: [tuple(p.shape) for p in m.parameters()]
        c_red, c_out = {"3x3": 32, "5x5": 16}, {"1x1": 24, "3x3": 48, "5x5": 12, "max": 12}
        assert shapes(InceptionBlock(64, c_red=c_red, c_out=c_out, act_fn=nn.ReLU)) == shapes(UvaInceptionBlock(64, c_red=c_red, c_out=c_out, act_fn=nn.ReLU))
        for ours, theirs in ((ResNetBlock, UvaResNetBlock), (PreActResNetBlock, UvaPreActResNetBlock)):
            assert shapes(ours(c_in=16, act_fn=nn.ReLU, subsample=True, c_out=32)) == shapes(theirs(c_in=16, act_fn=nn.ReLU, subsample=True, c_out=32))
            assert shapes(ours(16, nn.ReLU)) == shapes(theirs(16, nn.ReLU))
        assert shapes(DenseLayer(c_in=48, bn_size=2, growth_rate=16, act_fn=nn.ReLU)) == shapes(UvaDenseLayer(c_in=48, bn_size=2, growth_rate=16, act_fn=nn.ReLU))
        block = resnet_blocks_by_name["PreActResNetBlock"](c_in=16, act_fn=nn.ReLU, subsample=True, c_out=32)
        DenseBlock(c_in=32, num_layers=6, bn_size=2, growth_rate=16, act_fn=nn.ReLU)
        TransitionLayer(c_in=128, c_out=128 // 2, act_fn=act_fn_by_name["relu"])

        googlenet_model = create_model(model_name="GoogleNet", model_hparams={"num_classes": 10, "act_fn_name": "relu"})
        resnet_model = create_model("ResNet", {"num_classes": 10, "c_hidden": [16, 32, 64], "num_blocks": [3, 3, 3], "act_fn_name": "relu"})
        resnetpreact_model = create_model("ResNet", {"num_classes": 10, "c_hidden": [16, 32, 64], "num_blocks": [3, 3, 3],
                                                     "act_fn_name": "relu", "block_name": "PreActResNetBlock"})
        densenet_model = create_model("DenseNet", {"num_classes": 10, "num_layers": [6, 6, 6, 6], "bn_size": 2,
                                                   "growth_rate": 16, "act_fn_name": "relu"})
        all_models = [("GoogleNet", googlenet_model), ("ResNet", resnet_model), ("ResNetPreAct", resnetpreact_model), ("DenseNet", densenet_model)]
        table = [[model_name, f"{sum(np.prod(p.shape) for p in model.parameters()):,}"] for model_name, model in all_models]
        imgs, labels = dls.one_batch()
        preds = resnet_model(imgs)
        acc = (preds.argmax(dim=-1) == labels).float().mean()
    ''', 'uva', own=UVA_OWN, dls=tiny['cifar'])
    assert ns['table'] == [['GoogleNet', '260,650'], ['ResNet', '272,378'], ['ResNetPreAct', '272,250'], ['DenseNet', '239,146']]
    assert ns['preds'].shape == (16, 10)

def test_uva_practical_as_typed():
    "The UvA Practical 2's own tests of the pre-activation block and of its ResNet, verbatim."
    as_typed('''
        device = torch.device("cpu")
        c_in = np.random.randint(low=16, high=64)
        module = PreActResNetBlock(c_in=c_in, subsample=False)
        module.to(device)
        img = torch.randn(4, c_in, 32, 32, device=device)
        out = module(img)
        for i in range(len(img.shape)):
            assert out.shape[i] == img.shape[i], f'Disagreement in shapes: output={out.shape}, input={img.shape}'
        c_out = np.random.randint(low=16, high=64)
        module = PreActResNetBlock(c_in=c_in, subsample=True, c_out=c_out)
        module.to(device)
        img = torch.randn(4, c_in, 32, 32, device=device)
        out = module(img)
        assert out.shape[1] == c_out
        assert out.shape[2] == img.shape[2]//2
        assert out.shape[3] == img.shape[3]//2

        num_classes = np.random.randint(low=5, high=20)
        model_hparams = {"num_classes": 10, "c_hidden": [16,24,32], "num_blocks": [2,2,3]}
        model = PreActResNet(num_classes=model_hparams['num_classes'], num_blocks=model_hparams['num_blocks'], c_hidden=model_hparams['c_hidden'])
        model = PreActResNet(num_classes=num_classes)
        model.to(device)
        img = torch.randn(4, 3, 32, 32, device=device)
        out = model(img)
        assert len(out.shape) == 2
        assert out.shape[0] == img.shape[0]
        assert out.shape[1] == num_classes
    ''', 'uva')

BOOK_TRAIN_TEST = '''
def train(net, trainloader, optim, epoch):
    loss_total = 0.0
    for i, data in enumerate(trainloader, 0):
        ip, ground_truth = data
        optim.zero_grad()
        op = net(ip)
        loss = nn.CrossEntropyLoss()(op, ground_truth)
        loss.backward()
        optim.step()
        loss_total += loss.item()
        if (i+1) % 1000 == 0:
            print('[Epoch number : %d, Mini-batches: %5d] \\
                  loss: %.3f' % (epoch + 1, i + 1,
                                 loss_total / 200))
            loss_total = 0.0

def test(net, testloader):
    success = 0
    counter = 0
    with torch.no_grad():
        for data in testloader:
            im, ground_truth = data
            op = net(im)
            _, pred = torch.max(op.data, 1)
            counter += ground_truth.size(0)
            success += (pred == ground_truth).sum().item()
    print('LeNet accuracy on 10000 images from test dataset: %d %%'\\
        % (100 * success / counter))
'''

def test_book_as_typed(tiny, capsys):
    "Mastering PyTorch, chapter 3: LeNet trained by the book's own loop, its blocks by its signatures, the prediction figure."
    ns = as_typed('''
        lenet = LeNet()
        print(lenet)
        trainloader, testloader = dls.train, dls.valid
        optim = torch.optim.Adam(lenet.parameters(), lr=0.001)
        for epoch in range(1):
            train(lenet, trainloader, optim, epoch)
            print()
            test(lenet, testloader)
            print()
        print('Finished Training')
        classes = ('plane', 'car', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck')
        fig = visualize_predictions(lenet, max_num_imgs=4, dls=dls, classes=classes)  # the book's loaders are globals: here, dls=

        block = BasicBlock(64, 128, strd=2)
        dense, trans = DenseBlock(64, 32), TransBlock(96, 48)
        module = InceptionModule(192, 64, 96, 128, 16, 32, 32)
        alexnet = AlexNet(number_of_classes=10)
        out = block(torch.randn(2, 64, 16, 16))
    ''', 'book', own=BOOK_TRAIN_TEST, dls=tiny['cifar'])
    printed = capsys.readouterr().out
    assert 'LeNet accuracy on 10000 images from test dataset:' in printed and 'Finished Training' in printed
    assert [t.get_text().split(',')[0] for t in (a.title for a in ns['fig'].axes)][0].startswith('Prediction: ')
    assert ns['out'].shape == (2, 128, 8, 8)
    assert sum(p.numel() for p in ns['module'].parameters()) == 165_552
    import matplotlib.pyplot as plt; plt.close('all')

def test_book_basic_block_fails_as_printed():
    "The book's BasicBlock passes `stride=stride`, a name it never defines: building one is a NameError, as its page says."
    with pytest.raises(NameError, match="name 'stride' is not defined"):
        as_typed('''
            class BasicBlock(nn.Module):
                multiplier=1
                def __init__(self, input_num_planes, num_planes, strd=1):
                    super(BasicBlock, self).__init__()
                    self.conv_layer1 = nn.Conv2d(in_channels=input_num_planes,
                                                 out_channels=num_planes,
                                                 kernel_size=3,
                                                 stride=stride, padding=1,
                                                 bias=False)
            BasicBlock(64, 128, strd=2)
        ''')

LAB_TRAIN = '''
def evaluate_accuracy(net, data_iter, loss, device):
    """Compute the accuracy for a model on a dataset."""
    net.eval()  # Set the model to evaluation mode
    total_loss = 0
    total_hits = 0
    total_samples = 0
    with torch.no_grad():
        for X, y in data_iter:
            X, y = X.to(device), y.to(device)
            y_hat = net(X)
            l = loss(y_hat, y)
            total_loss += float(l)
            total_hits += sum(net(X).argmax(axis=1).type(y.dtype) == y)
            total_samples += y.numel()
    return float(total_loss) / len(data_iter), float(total_hits) / total_samples  * 100

def train_epoch(net, train_iter, loss, optimizer, device):
    net.train()
    total_loss = 0
    total_hits = 0
    total_samples = 0
    for X, y in train_iter:
        X, y = X.to(device), y.to(device)
        y_hat = net(X)
        l = loss(y_hat, y)
        optimizer.zero_grad()
        l.backward()
        optimizer.step()
        total_loss += float(l)
        total_hits += sum(y_hat.argmax(axis=1).type(y.dtype) == y)
        total_samples += y.numel()
    return float(total_loss) / len(train_iter), float(total_hits) / total_samples  * 100

def train(net, train_iter, val_iter, test_iter, num_epochs, lr, device):
    """Train a model."""
    train_loss_all = []
    train_acc_all = []
    val_loss_all = []
    val_acc_all = []
    def init_weights(m):
        if type(m) == nn.Linear or type(m) == nn.Conv2d:
            nn.init.xavier_uniform_(m.weight)
    net.apply(init_weights)
    print('Training on', device)
    net.to(device)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss = nn.CrossEntropyLoss()
    for epoch in range(num_epochs):
        train_loss, train_acc = train_epoch(net, train_iter, loss, optimizer, device)
        train_loss_all.append(train_loss)
        train_acc_all.append(train_acc)
        val_loss, val_acc = evaluate_accuracy(net, val_iter, loss, device)
        val_loss_all.append(val_loss)
        val_acc_all.append(val_acc)
        print(f'Epoch {epoch + 1}, Train loss {train_loss:.2f}, Train accuracy {train_acc:.2f}, Validation loss {val_loss:.2f}, Validation accuracy {val_acc:.2f}')
    test_loss, test_acc = evaluate_accuracy(net, test_iter, loss, device)
    print(f'Test loss {test_loss:.2f}, Test accuracy {test_acc:.2f}')
    return train_loss_all, train_acc_all, val_loss_all, val_acc_all

def try_gpu(i=0):
    """Return gpu(i) if exists, otherwise return cpu()."""
    if torch.cuda.device_count() >= i + 1:
        return torch.device(f'cuda:{i}')
    return torch.device('cpu')

class Residual(nn.Module):
    """The Residual block of ResNet."""
    def __init__(self, input_channels, num_channels,
                 use_1x1conv=False, strides=1):
        super().__init__()
        self.conv1 = nn.Conv2d(input_channels, num_channels,
                               kernel_size=3, padding=1, stride=strides)
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.conv2 = nn.Conv2d(num_channels, num_channels,
                               kernel_size=3, padding=1)
        self.bn2 = nn.BatchNorm2d(num_channels)
        if use_1x1conv:
            self.conv3 = nn.Conv2d(input_channels, num_channels,
                                   kernel_size=1, stride=strides)
        else:
            self.conv3 = None
'''

@pytest.mark.filterwarnings('ignore:Converting a tensor with requires_grad')  # the lab's own `float(l)` on the loss
def test_fashion_mnist_lab_as_typed(tiny):
    "The FashionMNIST lab: its own SGD training loop on the library's loaders and LeNet-BN, and its VGG and ResNet builders by their names."
    ns = as_typed('''
        net = lenet_bn()
        batch_size, lr, num_epochs = 256, 1.0, 1
        train_iter, val_iter, test_iter = dls.train, dls.valid, dls.test
        train_loss_all, train_acc_all, val_loss_all, val_acc_all = train(net, train_iter, val_iter, test_iter, num_epochs, lr, try_gpu())
        gamma, beta = net[1].weight.data, net[1].bias.data

        conv_arch = ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))
        blk = vgg_block(2, 1, 64)
        small_conv_arch = ((1, 16), (1, 32), (2, 64), (2, 128), (2, 128))
        small = vgg(small_conv_arch)
        ours, theirs = resnet_block(64, 128, 2)[0], Residual(64, 128, use_1x1conv=True, strides=2)
    ''', own=LAB_TRAIN, dls=tiny['fmnist'])
    assert len(ns['train_loss_all']) == 1 and ns['gamma'].shape == (6,)
    n = lambda m: sum(p.numel() for p in m.parameters())
    assert n(ns['ours']) == n(ns['theirs'])  # the library's d2l block has the lab's parameters
    assert ns['small'](ns['torch'].randn(1, 1, 224, 224)).shape == (1, 10)

def test_resnets_notebook_as_typed(tiny, capsys):
    "The slowai ResNets notebook's helpers with its signatures, on tiny data (the whole notebook runs in test_seed004.py)."
    as_typed('''
        set_seed(42)
        plt.style.use("ggplot")
        m = DeeperCNN.kaiming(nfs=(8, 16, 32, 64, 128), block=ResidualConvBlock)
        summarize(m, m.layers, dls=dls)
        summarize(m, m.layers)
        shape(m)
        _, stats = train_1cycle(CNN.kaiming(nfs=(8, 16, 32, 64)), dls=dls, n_epochs=1)
        learn = Learner(m, dls, progress=False)
        learn.fit(1, cbs=[SummaryCB(mod_filter=noop)])
        m = timm.create_model("resnet18", in_chans=1, num_classes=10)
        np = sum(p.numel() for p in m.parameters())
        print(f"N. parameters: {np:,}")
    ''', 'resnets', dls=tiny['fmnist'])
    out = capsys.readouterr().out
    assert out.count('321,438') >= 4 and 'N. parameters: 11,175,370' in out  # three summaries and SummaryCB's

def test_resnets_notebook_residual_block_fails_as_printed():
    "The notebook's ResidualBlock assigns a module before nn.Module.__init__: PyTorch refuses, as its page says."
    with pytest.raises(AttributeError, match=r'cannot assign module before Module.__init__\(\) call'):
        as_typed('''
            class ResidualBlock(nn.Module):
                def __init__(self, inner):
                    self.inner = inner
            ResidualBlock(Conv(8, 8, stride=1))
        ''')
    ns = as_typed('block = ResidualBlock(Conv(8, 8, stride=1))\nout = block(torch.randn(2, 8, 7, 7))', 'resnets')
    assert ns['out'].shape == (2, 8, 7, 7)

def test_lab_protocol_script_runs_and_names_its_differences(tmp_path):
    "bench/exp_lab.py, the FashionMNIST lab's own protocol, at its smoke size: SGD at the lab's rates, and each row says what differs from the lab."
    import json, os
    from pathlib import Path
    from slowcnn.data import make_fake_fashion_mnist
    root = Path(__file__).parents[1]
    data = make_fake_fashion_mnist(tmp_path/'fmnist', n_train=600, n_test=300)
    env = {**os.environ, 'SLOWCNN_DATA': str(data), 'PYTHONPATH': str(root)}
    r = subprocess.run([sys.executable, str(root/'bench'/'exp_lab.py'), '--smoke', '--models', 'lenet_bn,resnet18_d2l', '--device', 'cpu',
                        '--record', str(tmp_path/'lab.json')], capture_output=True, text=True, env=env, cwd=root, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    rec = json.loads((tmp_path/'lab.json').read_text())
    assert rec['smoke'] and rec['recipe']['optimizer'] == 'SGD' and rec['recipe']['schedule'] == 'constant'
    lenet, resnet = rec['runs']
    assert (lenet['lr'], lenet['bs'], lenet['input_size'], lenet['lab_epochs']) == (1.0, 256, 28, 10)
    assert (resnet['lr'], resnet['bs'], resnet['input_size']) == (0.05, 256, 96)
    assert lenet['differs_from_seed']['epochs'] == {'ours': 1, 'lab': 10} and 'resize' in resnet['differs_from_seed']
    assert len(rec['batchnorm']['lenet_bn']) == 4
