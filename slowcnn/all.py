"Everything public in slowcnn, for `from slowcnn.all import *` (fastai's convention), with the names the seed documents and fastai's notebooks take for granted."
import importlib as _importlib, types as _types
# The working namespace of the seed documents and of fastai notebooks, re-exported on purpose
from functools import partial  # noqa: F401
from pathlib import Path  # noqa: F401
import numpy as np  # noqa: F401
import torch  # noqa: F401
from torch import nn  # noqa: F401
import torch.nn.functional as F  # noqa: F401
from .core import *
from .data import *
from .callback import *
from .learner import *
from .schedule import *
from .callbacks import *
from .graphs import *
from .checkpoint import *
from .finetune import *
from .distributed import *
from .models import *
from .hooks import *
from .explain import *
from .summary import *
from .interpret import *
from .records import *
from .stats import *
from .grid import *
from .compare import *
from .recipes import *
from .runs import *
from .loggers import *

class _LazyModule(_types.ModuleType):
    "A module imported on its first attribute access, so that the star import pays for matplotlib and timm only when they are used."
    def __getattr__(self, attr):
        module = _importlib.import_module(self.__name__)
        self.__dict__.update(vars(module))  # later look-ups find the attribute directly
        return getattr(module, attr)

plt = _LazyModule('matplotlib.pyplot')
timm = _LazyModule('timm')
