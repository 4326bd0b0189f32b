"""The development database tool is not part of the server (decision 0016): importing every server
module, as gunicorn's workers and the `gridwork` command do, loads neither devtools nor a devdb."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import importlib, pkgutil, sys
import server
for info in pkgutil.walk_packages(server.__path__, "server."):
    importlib.import_module(info.name)
loaded = sorted(name for name in sys.modules if name.startswith("devtools") or name.endswith(".devdb"))
print(",".join(loaded))
"""


def test_importing_the_whole_server_package_loads_no_development_tool():
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "GRIDWORK_HOME": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_config_does_not_import_the_development_database():
    source = (ROOT / "server" / "config.py").read_text(encoding="utf-8")
    assert "devdb" not in source.replace("devtools/devdb.py", "")
