"""hello-py2distro: the example package of py2distro's demo."""

__version__ = "1.0.0"


def greeting(name: str = "world") -> str:
    return f"hello, {name}, from a verified, signed package"


def main() -> None:
    print(greeting())
