import sys; sys.path.insert(0,'/work/wt'); from nbedit import *
p='nbs/01_data.ipynb'; nb=load(p)
replace(nb, """                  batch_tfms=None, valid_bs:int|None=None, root=None) -> DataLoaders:
    "FashionMNIST as `DataLoaders` of normalised `(N,1,28,28)` floats; `split='seed003'` gives 50k/10k/10k."
    check_bs(bs)""", """                  batch_tfms=None, valid_bs:int|None=None, root=None, n_train:int|None=None, n_valid:int|None=None) -> DataLoaders:
    "FashionMNIST as `DataLoaders` of normalised `(N,1,28,28)` floats; `split='seed003'` gives 50k/10k/10k; `n_train`, `n_valid`: a random subset."
    check_bs(bs)
    for what, n in (('n_train', n_train), ('n_valid', n_valid)): _pick(1, None, 0, what) if n is None else _pick(n, n, 0, what)  # checked before reading""")
replace(nb, """    dls = DataLoaders(train, valid, test, classes=FMNIST_CLASSES, mean=(FMNIST_MEAN,), std=(FMNIST_STD,))
    return dls.to(device)""", """    dls = DataLoaders(train, valid, test, classes=FMNIST_CLASSES, mean=(FMNIST_MEAN,), std=(FMNIST_STD,))
    if n_train is not None or n_valid is not None: dls = dls.subset(n_train, n_valid)
    return dls.to(device)""")
save(nb, p)
