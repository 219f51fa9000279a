"""The C extension is declared here; everything else is in pyproject.toml."""
from setuptools import Extension, setup

setup(ext_modules=[Extension("hello_ext._speedups", sources=["src/hello_ext/_speedups.c"])])
