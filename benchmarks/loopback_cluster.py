"""Every server of a distributed refresh on loopback, each a separate process stopped by its pid:
an S3-compatible server (moto_server), PostgreSQL (Debian's, initdb in a temporary folder, run as
the `postgres` user when started by root), a dask scheduler and dask workers (no nanny: one
process per worker, each with its own RDW_CACHE, as if on its own machine).

Used by tests/test_distributed.py and benchmarks/distributed_scale.py."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

BIN = Path(sys.executable).parent
BUCKET = "rdw"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_bin() -> Path | None:
    """The folder of Debian's PostgreSQL server programs (the newest installed), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


def wait_for_port(port: int, process: subprocess.Popen, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode} while starting")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on 127.0.0.1:{port} within {seconds:g} s")


@dataclass
class LoopbackCluster:
    """Start with `start(workers)`; `stop()` (or leaving the `with` block) stops every process."""

    root: Path
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    s3_port: int = 0
    pg_port: int = 0
    scheduler_port: int = 0
    pg_root: Path | None = None

    def __enter__(self) -> "LoopbackCluster":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.s3_port}"

    @property
    def scheduler(self) -> str:
        return f"tcp://127.0.0.1:{self.scheduler_port}"

    def env(self) -> dict[str, str]:
        """The environment of every process that talks to the store."""
        return {**os.environ, "AWS_ACCESS_KEY_ID": "rdw-test", "AWS_SECRET_ACCESS_KEY": "rdw-test",
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": self.endpoint,
                "PYTHONUNBUFFERED": "1"}

    def _spawn(self, name: str, command: list[str], env: dict | None = None, **kwargs) -> subprocess.Popen:
        log = open(self.root / f"{name}.log", "wb")
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                   env=env or self.env(), start_new_session=True, **kwargs)
        log.close()
        self.processes[name] = process
        return process

    def start(self, workers: int = 2) -> "LoopbackCluster":
        self.root.mkdir(parents=True, exist_ok=True)
        self.start_s3()
        self.start_postgres()
        self.start_scheduler()
        for n in range(workers):
            self.start_worker(n)
        self.wait_for_workers(workers)
        return self

    def start_s3(self) -> None:
        self.s3_port = free_port()
        process = self._spawn("s3", [str(BIN / "moto_server"), "-H", "127.0.0.1",
                                     "-p", str(self.s3_port)])
        wait_for_port(self.s3_port, process, "moto_server")
        import boto3

        boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id="rdw-test",
                     aws_secret_access_key="rdw-test", region_name="us-east-1").create_bucket(
            Bucket=BUCKET)

    def start_postgres(self) -> None:
        programs = postgres_bin()
        if programs is None:
            raise RuntimeError("Debian's postgresql is not installed (apt-get install postgresql)")
        # a folder of its own (the server's user may not enter the caller's temporary folders)
        self.pg_root = Path(tempfile.mkdtemp(prefix="rdw-postgres-"))
        data = self.pg_root / "data"
        data.mkdir()
        # the server refuses to run as root: as root, run it as the `postgres` user
        user = "postgres" if os.geteuid() == 0 else None
        if user:
            account = pwd.getpwnam(user)
            for folder in (self.pg_root, data):
                os.chown(folder, account.pw_uid, account.pw_gid)
        subprocess.run([str(programs / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                        "--no-sync", "-E", "UTF8"], check=True, capture_output=True, user=user,
                       cwd=self.pg_root)
        self.pg_port = free_port()
        process = self._spawn("postgres", [
            str(programs / "postgres"), "-D", str(data), "-p", str(self.pg_port), "-k", str(self.pg_root),
            "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=200"],
            user=user, cwd=self.pg_root)
        wait_for_port(self.pg_port, process, "postgres")

    def start_scheduler(self) -> None:
        self.scheduler_port = free_port()
        process = self._spawn("scheduler", [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1",
                                            "--port", str(self.scheduler_port), "--no-dashboard"])
        wait_for_port(self.scheduler_port, process, "dask scheduler")

    def start_worker(self, n: int) -> subprocess.Popen:
        cache = self.root / f"worker{n}-cache"
        env = {**self.env(), "RDW_CACHE": str(cache)}
        return self._spawn(f"worker{n}", [
            str(BIN / "dask"), "worker", self.scheduler, "--nthreads", "1", "--no-nanny",
            "--no-dashboard", "--name", f"worker{n}", "--local-directory", str(cache / "dask")],
            env=env, cwd=self.root)

    def wait_for_workers(self, count: int, seconds: float = 60) -> None:
        """Until `count` workers joined the scheduler (asked from a child process: a dask client
        leaves an event loop behind in the process that made it)."""
        subprocess.run([sys.executable, "-c", "import sys; from distributed import Client; "
                        f"Client('{self.scheduler}', timeout={seconds}).wait_for_workers({count}, "
                        f"timeout={seconds})"], check=True, timeout=seconds + 30, env=self.env(),
                       capture_output=True)

    def dagster_home(self) -> Path:
        """A DAGSTER_HOME whose run, event and schedule storage is this Postgres."""
        home = self.root / "dagster_home"
        home.mkdir(exist_ok=True)
        (home / "dagster.yaml").write_text(
            "storage:\n  postgres:\n    postgres_url: "
            f"postgresql+psycopg2://postgres@127.0.0.1:{self.pg_port}/postgres\n"
            "telemetry:\n  enabled: false\n")
        return home

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        self.processes[name].send_signal(sig)
        self.processes[name].wait()

    def stop(self) -> None:
        for name, process in reversed(list(self.processes.items())):
            if process.poll() is None:
                os.kill(process.pid, signal.SIGTERM if name == "postgres" else signal.SIGKILL)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.kill(process.pid, signal.SIGKILL)
                    process.wait()
        if self.pg_root:
            shutil.rmtree(self.pg_root, ignore_errors=True)


def upload_folder(folder: Path, url: str, env: dict[str, str]) -> int:
    """Copy a local folder to s3://… (the analysts' drop into the store)."""
    old = {k: os.environ.get(k) for k in env}
    os.environ.update({k: v for k, v in env.items() if k.startswith("AWS_")})
    try:
        from pipelines.object_store import Store, push

        return push(folder, Store(url))
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
