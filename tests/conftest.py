import os
import warnings

import numpy as np
import pytest

os.environ.setdefault("SDL_AUDIODRIVER", "dsp")
warnings.filterwarnings("ignore", category=DeprecationWarning, module="pettingzoo")


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)
