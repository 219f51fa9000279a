"""hello-ext: a greeting computed in C, so that py2distro has an Architecture: any example."""

from ._speedups import add, greeting

__all__ = ["add", "greeting"]
__version__ = "0.3.0"
