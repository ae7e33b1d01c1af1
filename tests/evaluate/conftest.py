from pathlib import Path

import pytest

EVAL_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "eval-data"


@pytest.fixture(scope="session")
def eval_data() -> Path:
    if not EVAL_DATA.is_dir():
        pytest.skip(f"shared eval-data not found at {EVAL_DATA}")
    return EVAL_DATA
