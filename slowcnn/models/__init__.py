"""The model zoo: a registry of models by name and one module per family of architectures, all registered on import."""
from importlib import import_module as _import_module
from .registry import *
from .cnn import *
from .lenet import *
from .alexnet import *
from .vgg import *
from .inception import *
from .resnet import *
from .densenet import *

# `cnn`, `lenet` and `vgg` name both a family module and a builder: the star imports leave the builder here, so reach
# a module with `from slowcnn.models.cnn import ...` or `importlib.import_module('slowcnn.models.cnn')`.
_MODULES = ('registry', 'cnn', 'lenet', 'alexnet', 'vgg', 'inception', 'resnet', 'densenet')
__all__ = [name for m in _MODULES for name in _import_module(f'{__name__}.{m}').__all__]
