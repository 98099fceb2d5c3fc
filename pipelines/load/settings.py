"""Where things live: paths and run settings, from environment variables (and ``.env``).

| variable            | default (relative to the repository root) |
|---------------------|--------------------------------------------|
| AGENCY_CONFIG       | config/agency.yaml                         |
| AGENCY_DATA_DIR     | data                                       |
| AGENCY_INBOX        | <data>/inbox                               |
| AGENCY_BUILD_DB     | <data>/warehouse/build.duckdb              |
| AGENCY_SERVING_DB   | <data>/serving/serving.duckdb              |
| AGENCY_AS_OF        | (today) the date reports are "as of"       |
| AGENCY_CONTACT_SALT | <data>/secrets/contact_salt (made once)    |
| AGENCY_USERS        | <data>/access/users.sqlite3                |
| AGENCY_WAREHOUSE    | duckdb (or postgres, or spark: loading only) |
| AGENCY_PG_HOST      | 127.0.0.1 (read with AGENCY_WAREHOUSE=postgres) |
| AGENCY_PG_PORT      | 5432                                       |
| AGENCY_PG_USER      | postgres                                   |
| AGENCY_PG_DBNAME    | agency                                     |
| AGENCY_PG_PASSWORD  | (empty; read when a connection opens)      |
| AGENCY_EXECUTOR     | in_process (or celery: steps on workers)   |
| AGENCY_CELERY_BROKER  | redis://127.0.0.1:6379/0 (with celery)   |
| AGENCY_CELERY_BACKEND | redis://127.0.0.1:6379/1 (with celery)   |
| AGENCY_PG_READER_ROLE | (none) the role the publish grants SELECT on the serving schemas |
| AGENCY_SPARK_DIR    | <data>/spark: Spark's warehouse and metastore (AGENCY_WAREHOUSE=spark) |
| AGENCY_SPARK_CORES  | 2 (local[n])                               |
| AGENCY_SPARK_DRIVER_MEMORY | 6g                                  |
| AGENCY_SPARK_SHUFFLE_PARTITIONS | 200                            |
| AGENCY_SPARK_SCHEMA | main (the schema of dbt's models on Spark) |

With ``AGENCY_WAREHOUSE=postgres`` the refresh loads, builds and publishes in that PostgreSQL
database (the same ``AGENCY_PG_*`` variables the dbt profile's ``postgres`` target reads);
``AGENCY_BUILD_DB`` and ``AGENCY_SERVING_DB`` are then unused by the refresh. The password is
never kept in the settings (they travel in Dagster's resource configuration).

With ``AGENCY_WAREHOUSE=spark`` the loaders write Spark's parquet tables
(``pipelines.load.spark.SparkRawStore``, a local session configured as the dbt profile's ``spark``
target from the same ``AGENCY_SPARK_*`` variables); the refresh's dbt step reaches that session
through Spark's Thrift server (the profile's ``spark_thrift`` target), and the publish step copies
Spark's marts into the serving file ``AGENCY_SERVING_DB`` (``pipelines.load.build_store``).

With ``AGENCY_EXECUTOR=celery`` the refresh's steps run on Celery workers
(``celery -A pipelines.defs.celery_app worker``, ``make worker``) reached through the broker; it
needs ``AGENCY_WAREHOUSE=postgres`` (``pipelines.defs.executors``).

The send log of delivered reports is ``<data>/delivery/send_log.sqlite3``. Delivery's secrets are
read where they are used: ``AGENCY_SMTP_PASSWORD`` and ``TELEGRAM_BOT_TOKEN``.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from dotenv import load_dotenv

__all__ = [
    "EXECUTORS",
    "REPO_ROOT",
    "WAREHOUSES",
    "CelerySettings",
    "PostgresSettings",
    "Settings",
    "SparkSettings",
    "warehouse_from_env",
]

REPO_ROOT = Path(__file__).resolve().parents[2]


def _path(value: str | None, default: Path) -> Path:
    if not value:
        return default
    path = Path(value).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path


WAREHOUSES = ("duckdb", "postgres", "spark")


@dataclass(frozen=True)
class PostgresSettings:
    """Where the PostgreSQL warehouse is (``AGENCY_PG_*``, the dbt profile's ``postgres`` target).
    The password is not kept here (it would travel in Dagster's resource configuration): it is
    read from ``AGENCY_PG_PASSWORD`` when a connection opens."""

    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "postgres"
    dbname: str = "agency"
    reader_role: str | None = None
    """The role the dashboard and the reports read as: each publish grants it the serving schemas."""

    @classmethod
    def from_env(cls) -> PostgresSettings:
        env = os.environ.get
        return cls(
            host=env("AGENCY_PG_HOST", "").strip() or cls.host,
            port=int(env("AGENCY_PG_PORT", "").strip() or cls.port),
            user=env("AGENCY_PG_USER", "").strip() or cls.user,
            dbname=env("AGENCY_PG_DBNAME", "").strip() or cls.dbname,
            reader_role=env("AGENCY_PG_READER_ROLE", "").strip() or None,
        )

    def conninfo(self) -> str:
        """A libpq connection string (psycopg), the password from the environment if set."""
        password = os.environ.get("AGENCY_PG_PASSWORD", "")
        parts = [f"host={self.host}", f"port={self.port}", f"user={self.user}", f"dbname={self.dbname}"]
        if password:
            parts.append("password='" + password.replace("\\", "\\\\").replace("'", "\\'") + "'")
        return " ".join(parts)

    def dbt_env(self) -> dict[str, str]:
        """The variables the dbt profile's ``postgres`` target reads (the password is the
        environment's own ``AGENCY_PG_PASSWORD``, passed through as it is)."""
        return {
            "AGENCY_PG_HOST": self.host,
            "AGENCY_PG_PORT": str(self.port),
            "AGENCY_PG_USER": self.user,
            "AGENCY_PG_DBNAME": self.dbname,
        }


@dataclass(frozen=True)
class SparkSettings:
    """Where the Spark warehouse is (``AGENCY_SPARK_*``, the variables the dbt profile's ``spark``
    target reads): a local session's warehouse and metastore folder and its size."""

    dir: Path
    cores: int = 2
    driver_memory: str = "6g"
    shuffle_partitions: int = 200
    schema: str = "main"

    @classmethod
    def from_env(cls, data_dir: Path) -> SparkSettings:
        env = os.environ.get
        return cls(
            dir=_path(env("AGENCY_SPARK_DIR", "").strip(), data_dir / "spark"),
            cores=int(env("AGENCY_SPARK_CORES", "").strip() or cls.cores),
            driver_memory=env("AGENCY_SPARK_DRIVER_MEMORY", "").strip() or cls.driver_memory,
            shuffle_partitions=int(
                env("AGENCY_SPARK_SHUFFLE_PARTITIONS", "").strip() or cls.shuffle_partitions
            ),
            schema=env("AGENCY_SPARK_SCHEMA", "").strip() or cls.schema,
        )

    def dbt_env(self) -> dict[str, str]:
        """The variables the dbt profile's ``spark`` target reads; the loader's session is
        configured from the same profile with them (``pipelines.load.spark.spark_session``)."""
        return {
            "AGENCY_SPARK_DIR": str(self.dir),
            "AGENCY_SPARK_CORES": str(self.cores),
            "AGENCY_SPARK_DRIVER_MEMORY": self.driver_memory,
            "AGENCY_SPARK_SHUFFLE_PARTITIONS": str(self.shuffle_partitions),
            "AGENCY_SPARK_SCHEMA": self.schema,
        }


def warehouse_from_env(*, dotenv: bool = True) -> str:
    """The warehouse named by ``AGENCY_WAREHOUSE`` (environment or ``.env``), as
    :meth:`Settings.from_env` reads it; the Dagster definitions tag their assets with it."""
    if dotenv:
        load_dotenv(REPO_ROOT / ".env", override=False)
    return _warehouse(os.environ.get("AGENCY_WAREHOUSE"))


def _warehouse(value: str | None) -> str:
    name = (value or "").strip().lower() or "duckdb"
    if name not in WAREHOUSES:
        raise ValueError(f"AGENCY_WAREHOUSE must be one of {', '.join(WAREHOUSES)}, not {value!r}")
    return name


EXECUTORS = ("in_process", "celery")


def _executor(value: str | None) -> str:
    name = (value or "").strip().lower().replace("-", "_") or "in_process"
    if name not in EXECUTORS:
        raise ValueError(f"AGENCY_EXECUTOR must be one of {', '.join(EXECUTORS)}, not {value!r}")
    return name


def _celery_url(variable: str, value: str) -> str:
    scheme, sep, rest = value.partition("://")
    if not sep or not scheme or not rest:
        raise ValueError(f"{variable} must be a URL such as redis://127.0.0.1:6379/0, not {value!r}")
    return value


@dataclass(frozen=True)
class CelerySettings:
    """Where the Celery workers take the refresh's steps from (``AGENCY_CELERY_BROKER``) and
    leave their results (``AGENCY_CELERY_BACKEND``): Redis databases 0 and 1 on this machine by
    default. A password, if any, is part of the URL (``redis://:secret@host:6379/0``)."""

    broker: str = "redis://127.0.0.1:6379/0"
    backend: str = "redis://127.0.0.1:6379/1"

    def __post_init__(self) -> None:
        _celery_url("AGENCY_CELERY_BROKER", self.broker)
        _celery_url("AGENCY_CELERY_BACKEND", self.backend)

    @classmethod
    def from_env(cls) -> CelerySettings:
        env = os.environ.get
        return cls(
            broker=env("AGENCY_CELERY_BROKER", "").strip() or cls.broker,
            backend=env("AGENCY_CELERY_BACKEND", "").strip() or cls.backend,
        )


@dataclass(frozen=True)
class Settings:
    config_path: Path
    data_dir: Path
    inbox_dir: Path
    build_db: Path
    serving_db: Path
    as_of: dt.date | None = None
    warehouse: str = "duckdb"
    """``duckdb`` (the build and serving files) or ``postgres`` (:attr:`postgres`)."""
    postgres: PostgresSettings | None = None
    """The PostgreSQL warehouse when :attr:`warehouse` is ``postgres``."""
    spark: SparkSettings | None = None
    """The Spark warehouse when :attr:`warehouse` is ``spark``."""
    executor: str = "in_process"
    """How the refresh's steps run: ``in_process`` (one after another) or ``celery`` (workers)."""
    celery: CelerySettings = CelerySettings()
    """The broker and result backend when :attr:`executor` is ``celery``."""

    def __post_init__(self) -> None:
        _warehouse(self.warehouse)
        _executor(self.executor)
        if self.warehouse == "postgres" and self.postgres is None:
            object.__setattr__(self, "postgres", PostgresSettings())
        if self.warehouse == "spark" and self.spark is None:
            # the environment's AGENCY_SPARK_* (the resource Dagster's steps rebuild settings from
            # does not carry them)
            object.__setattr__(self, "spark", SparkSettings.from_env(self.data_dir))

    @property
    def archive_dir(self) -> Path:
        return self.data_dir / "archive"

    @property
    def quarantine_dir(self) -> Path:
        return self.data_dir / "quarantine"

    def as_of_date(self) -> dt.date:
        return self.as_of or dt.date.today()

    @property
    def send_log(self) -> Path:
        """The record of every report sent (``delivery.SendLog``): its own SQLite file, never the
        build or serving database, whose only writer is the pipeline."""
        return self.data_dir / "delivery" / "send_log.sqlite3"

    @property
    def users_db(self) -> Path:
        """The dashboard's users, sessions, client links and audit log (``dashboard.access``): its
        own SQLite file, never the build or serving database. ``AGENCY_USERS`` when set (relative
        to the repository root), read when asked like ``AGENCY_CONTACT_SALT``.

        ``dashboard.access.users_path`` resolves the same place without importing ``pipelines``
        (the dashboard may not); a test keeps the two equal."""
        return _path(os.environ.get("AGENCY_USERS", "").strip(), self.data_dir / "access" / "users.sqlite3")

    @property
    def contact_salt_file(self) -> Path:
        return self.data_dir / "secrets" / "contact_salt"

    def contact_salt(self) -> str:
        """The salt of the contact hashes the lead ledger publishes (phones and e-mails are never
        published; a salted hash cannot be reversed by trying every phone number).

        ``AGENCY_CONTACT_SALT`` when set (several installations sharing hashes); otherwise a
        random salt made on first use and kept in ``<data>/secrets/contact_salt`` (mode 0600).
        Changing it changes every published hash, not the lead counts."""
        configured = os.environ.get("AGENCY_CONTACT_SALT", "").strip()
        if configured:
            return configured
        path = self.contact_salt_file
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        salt = secrets.token_hex(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(salt + "\n")
        return salt

    @classmethod
    def from_env(cls, *, dotenv: bool = True) -> Settings:
        if dotenv:
            load_dotenv(REPO_ROOT / ".env", override=False)
        env = os.environ.get
        data_dir = _path(env("AGENCY_DATA_DIR"), REPO_ROOT / "data")
        as_of = env("AGENCY_AS_OF")
        warehouse = warehouse_from_env(dotenv=False)  # .env is loaded above
        return cls(
            config_path=_path(env("AGENCY_CONFIG"), REPO_ROOT / "config" / "agency.yaml"),
            data_dir=data_dir,
            inbox_dir=_path(env("AGENCY_INBOX"), data_dir / "inbox"),
            build_db=_path(env("AGENCY_BUILD_DB"), data_dir / "warehouse" / "build.duckdb"),
            serving_db=_path(env("AGENCY_SERVING_DB"), data_dir / "serving" / "serving.duckdb"),
            as_of=dt.date.fromisoformat(as_of) if as_of else None,
            warehouse=warehouse,
            postgres=PostgresSettings.from_env() if warehouse == "postgres" else None,
            spark=SparkSettings.from_env(data_dir) if warehouse == "spark" else None,
            executor=_executor(env("AGENCY_EXECUTOR")),
            celery=CelerySettings.from_env(),
        )

    @classmethod
    def for_directory(cls, data_dir: Path, config_path: Path, as_of: dt.date | None = None) -> Settings:
        """Everything under one folder (tests, the demo)."""
        return cls(
            config_path=config_path,
            data_dir=data_dir,
            inbox_dir=data_dir / "inbox",
            build_db=data_dir / "warehouse" / "build.duckdb",
            serving_db=data_dir / "serving" / "serving.duckdb",
            as_of=as_of,
        )
