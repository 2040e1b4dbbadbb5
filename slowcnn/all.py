"Everything public in slowcnn, for `from slowcnn.all import *` (fastai's convention)."
from .core import *
from .data import *
from .learner import *
from .schedule import *
from .callbacks import *
from .models import *
from .hooks import *
from .summary import *
from .interpret import *
from .compare import *
from .finetune import *
# The seed architectures share block names (both seeds have a `DenseBlock`), so they stay in their modules:
# `uva.ResNet`, `classic.DenseBlock`, or by name with `create_model('uva_resnet')`.
from . import uva, classic
