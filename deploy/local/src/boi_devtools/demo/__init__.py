"""Demo sources shipped with the project so `make run` works on any machine."""

from importlib import resources
from pathlib import Path


def demo_feed() -> Path:
    return Path(str(resources.files(__package__) / "convocatorias-demo.xml"))
