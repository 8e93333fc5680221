"""The README's example runs as written."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_example_runs(capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "README has no python example"
    namespace: dict = {}
    exec(compile(blocks[0], str(README), "exec"), namespace)
    search = namespace["search"]
    printed = capsys.readouterr().out
    assert "regressor__lstm__hidden_size" in printed
    assert printed.strip().endswith("True")
    assert search.best_params_["regressor__lstm__hidden_size"] in (8, 16)
