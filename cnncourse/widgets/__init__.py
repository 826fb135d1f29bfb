"""Interactive widgets of the course (ipywidgets + matplotlib). Display one by putting it last
in a cell; each has ``.widget`` (the ipywidgets box) and tests drive it by setting its controls.

Each widget computes what it shows with ``cnncourse.ops`` and draws with ``cnncourse.viz``;
``_base.CourseWidget`` holds what they share (figure view, error area, re-entrancy guard).
"""
from .conv_stepper import ConvStepper
from .size_playground import SizePlayground
from .padding_explorer import PaddingExplorer
from .pooling_stepper import PoolingStepper
from .kernel_lab import KernelLab
from .backward_stepper import BackwardStepper
