"""The simulated provincial platform as a child process, for the exchange tests and the
browser test (which talks to it from a live server)."""

import json
import select
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SECRET = "province-test-secret-0123456789"
START_TIMEOUT = 20


class SimulatorError(RuntimeError):
    pass


class Simulator:
    """``python -m minhu.exchange.simulator`` in its own process; stop and start it again
    on the same port (and database file) to play an outage."""

    def __init__(self, db: Path, max_skew: int = 0):
        # The tests pin Minhu's clock, so the timestamps they sign are not "now".
        self.max_skew = max_skew
        self.db = db
        self.port = 0
        self.proc = None

    def start(self):
        cmd = [sys.executable, "-m", "minhu.exchange.simulator", "--port", str(self.port),
               "--db", str(self.db), "--secret", SECRET, "--max-skew", str(self.max_skew)]
        # stderr to a file: an unread pipe could fill up and stall the server.
        with open(self.db.with_suffix(".log"), "ab") as log:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=log,
                                         text=True)
        ready, _, _ = select.select([self.proc.stdout], [], [], START_TIMEOUT)
        line = self.proc.stdout.readline() if ready else ""
        if not line.startswith("READY"):
            self.stop()
            raise SimulatorError(f"the simulator did not start: {line!r}")
        self.port = int(line.rsplit(":", 1)[1])
        return self

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc is not None:
            self.proc.stdout.close()
        self.proc = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _call(self, path, data=None):
        body = json.dumps(data).encode() if data is not None else None
        request = urllib.request.Request(self.url + path, data=body,
                                         method="POST" if body else "GET")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def updates(self, number=None) -> list[dict]:
        return self._call("/updates" + (f"?province_no={number}" if number else ""))["updates"]

    def stats(self) -> dict:
        return self._call("/stats")

    def control(self, **flags) -> dict:
        return self._call("/control", flags)
