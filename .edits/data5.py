import sys; sys.path.insert(0,'/work/wt'); from nbedit import *
p='nbs/01_data.ipynb'; nb=load(p)
i = find(nb, 'def subset_loader(')
j = insert_after(nb, i, 'markdown', '''**Your own data in one line.** `DataLoaders.from_tensors` takes tensors or NumPy arrays and keeps them on the
training device (when they fit in half its free memory); `DataLoaders.from_dsets` takes any map-style dataset,
torchvision's included (their PIL images become tensors, their `classes` the loaders' class names); and
`DataLoaders(train, valid)` takes a `torch.utils.data.DataLoader` as it is. uint8 images are scaled to [0, 1], a
missing channel axis is added and labels of any integer type become int64:''')
j = insert_after(nb, j, 'code', '''x = np.random.default_rng(0).integers(0, 256, (101, 28, 28), dtype=np.uint8)  # no channel axis, uint8
y = np.arange(101, dtype=np.int32) % 10                                        # int32 labels
dls = DataLoaders.from_tensors(x[:81], y[:81], x[81:], y[81:], bs=16)
xb, yb = dls.one_batch()
test_eq((xb.shape, xb.dtype, yb.dtype), ((16, 1, 28, 28), torch.float32, torch.int64))
assert 0 <= xb.min() and xb.max() <= 1
test_eq(len(dls.train), 5)  # 81 = 5 x 16 + 1: a shuffled split never ends on a batch of one image (BatchNorm cannot train on it)
print(dls)
ds = torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
for d in (DataLoaders.from_dsets(ds, ds, bs=16), DataLoaders(torch.utils.data.DataLoader(ds, batch_size=16), torch.utils.data.DataLoader(ds, batch_size=32))):
    xb, yb = d.one_batch(); test_eq((xb.shape, xb.dtype, yb.dtype), ((16, 1, 28, 28), torch.float32, torch.int64))
fake = torchvision.datasets.FakeData(40, (1, 28, 28), num_classes=3, random_offset=0)  # PIL images, like FashionMNIST's
fake.classes = ['a', 'b', 'c']
d = DataLoaders.from_dsets(fake, fake, bs=8)
xb, yb = d.one_batch(); test_eq((xb.shape, xb.dtype, yb.dtype, d.classes), ((8, 1, 28, 28), torch.float32, torch.int64, ['a', 'b', 'c']))
test_eq(d.subset(16, 8).train.n, 16)''')
j = insert_after(nb, j, 'markdown', '''What cannot be read without a guess is refused when the loaders are built, in one line that says what was found
and what to do:''')
j = insert_after(nb, j, 'code', '''def error(f):
    try: f()
    except DataError as e: print(e); return str(e)
    raise AssertionError('no error')
assert 'from_dsets' in error(lambda: DataLoaders(ds, ds))  # a dataset where a loader belongs
assert 'uint8' in error(lambda: DataLoaders.from_tensors(x.astype(np.int32), y, x, y))
assert 'channels-last' in error(lambda: DataLoaders.from_tensors(np.zeros((5, 28, 28, 3), np.uint8), y[:5], x, y))
assert 'found -1 to 9' in error(lambda: DataLoaders.from_tensors(x, y - 1, x, y))
assert '0-2 for 3 classes' in error(lambda: DataLoaders.from_tensors(x, y, x, y, classes=['a', 'b', 'c']))
assert 'empty' in error(lambda: DataLoaders.from_tensors(x[:0], y[:0], x, y))
assert 'empty' in error(lambda: DataLoaders.from_dsets(torch.utils.data.TensorDataset(torch.zeros(0, 1, 2, 2), torch.zeros(0)), ds))
assert 'pair' in error(lambda: DataLoaders.from_dsets(torch.utils.data.TensorDataset(torch.zeros(3, 1, 2, 2)), ds))
assert 'only 101' in error(lambda: DataLoaders.from_tensors(x, y, x, y).subset(500))''')
i = find(nb, "print(f'batch mean {xb.mean():.3f}")
j = insert_after(nb, i, 'code', '''#| slow
small = fashion_mnist(bs=64, n_train=1000, n_valid=200)  # a random, fixed subset for quick runs
test_eq((small.train.n, small.valid.n), (1000, 200))
test_eq(fashion_mnist(bs=64, n_train=1000, n_valid=200).train.y, small.train.y)''')
save(nb, p)
