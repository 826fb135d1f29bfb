"""Interactive widgets of the course (ipywidgets + matplotlib). Display one by putting it last
in a cell; each has ``.widget`` (the ipywidgets box) and tests drive it by setting its controls.

One import per line, so that new widgets are added by appending a line.
"""
from .conv_stepper import ConvStepper
from .size_playground import SizePlayground
from .padding_explorer import PaddingExplorer
from .pooling_stepper import PoolingStepper
from .kernel_lab import KernelLab
from .backward_stepper import BackwardStepper
