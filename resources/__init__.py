"""Files shipped with the application: fonts, reference data, stylesheet, icons."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent


def path(*parts: str) -> Path:
    return ROOT.joinpath(*parts)
