"""Regenerate ``0001_initial`` from the models (development only, before first release).

Once a release has shipped, schema changes are new revisions instead:
``alembic revision --autogenerate`` style, reviewed by hand.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402

VERSIONS = ROOT / "db" / "migrations" / "versions"


def render_item(type_, obj, autogen_context):
    # Migrations are frozen history: render our TypeDecorator as the plain type it stores.
    if type_ == "type" and type(obj).__name__ == "UTCDateTime":
        return "sa.DateTime()"
    return False


def main() -> None:
    target = VERSIONS / "0001_initial.py"
    target.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/empty.db"
        cfg = Config()
        cfg.set_main_option("script_location", str(ROOT / "db" / "migrations"))
        cfg.set_main_option("sqlalchemy.url", url)
        import db.migrations  # noqa: F401

        # Other revisions depend on 0001; move them aside while generating.
        others = [p for p in VERSIONS.glob("*.py") if p.name != "__init__.py"]
        moved = []
        for p in others:
            dest = Path(tmp) / p.name
            p.rename(dest)
            moved.append((dest, p))
        try:
            from sqlalchemy import create_engine

            engine = create_engine(url)
            with engine.connect() as conn:
                cfg.attributes["connection"] = conn
                from alembic.runtime.environment import EnvironmentContext  # noqa: F401

                cfg.attributes["render_item"] = render_item
                command.revision(cfg, message="initial schema", autogenerate=True, rev_id="0001_initial")
        finally:
            for dest, original in moved:
                dest.rename(original)
    generated = next(VERSIONS.glob("0001_initial*.py"))
    if generated != target:
        generated.rename(target)
    print(f"wrote {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
