"""What the reports take from the agency configuration: branding and each client's language.

The YAML is read with :func:`pipelines.load.config.load_config` (plain Python, no Dagster); a
wrong file raises :class:`ReportConfigError` with the configuration's own list of problems.
``pipelines`` is imported when a configuration is read, not with this module: the dashboard
imports the reports for its download buttons and should not load every connector with them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from dashboard.fmt import Lang
from reports.branding import Branding
from reports.errors import ReportConfigError

if TYPE_CHECKING:
    from pipelines.load.config import AgencyConfig

__all__ = ["AgencySetup", "read_agency", "setup_from_config", "setup_from_env"]


@dataclass(frozen=True)
class AgencySetup:
    """The configuration as the reports see it."""

    branding: Branding = field(default_factory=Branding)
    languages: Mapping[str, Lang] = field(default_factory=dict)
    """Client id -> the language of its reports (``language:`` in the YAML; Russian when absent)."""

    def language(self, client_id: str) -> Lang:
        return self.languages.get(client_id, "ru")


def setup_from_config(config: AgencyConfig) -> AgencySetup:
    agency = config.agency
    branding = Branding(
        agency_name=agency.name,
        logo=agency.branding.logo,
        primary_color=agency.branding.primary_color,
        contact_line=agency.branding.contact_line,
    )
    return AgencySetup(branding=branding, languages={c.id: c.language for c in config.clients})


def read_agency(config_path: Path) -> AgencySetup:
    """Branding and languages from the configuration YAML at ``config_path``."""
    from pipelines.load.config import ConfigError, load_config

    try:
        return setup_from_config(load_config(config_path))
    except ConfigError as exc:
        raise ReportConfigError(str(exc)) from None


def setup_from_env() -> AgencySetup:
    """Branding and languages from ``AGENCY_CONFIG`` (:meth:`pipelines.load.settings.Settings.from_env`);
    the plain look when that file does not exist. A wrong file raises :class:`ReportConfigError`."""
    from pipelines.load.settings import Settings

    path = Settings.from_env().config_path
    return read_agency(path) if path.exists() else AgencySetup()
