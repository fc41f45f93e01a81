"""Read and check ``config.toml``, over the site's ``_config.yml``, into one frozen settings object.

Each key is declared once, as a dataclass field with its type, default and help
(:mod:`feeds.config.sections`); the loader here, the checks (:mod:`feeds.config.checks`) and
the README's key table all come from these declarations. Errors name the file, the section and
the key (``config.toml: [feeds] limit must be an integer``).

Only ``[site] source`` is required: the site's ``_config.yml`` gives ``url``, ``title``,
``timezone`` and the rest as Jekyll reads them (:mod:`feeds.jekyll.siteconfig`). A key set in
``config.toml`` wins; where the two differ, :attr:`Config.origins` says so for ``feeds check``.
"""

from __future__ import annotations

import os
import tomllib
import typing
from dataclasses import MISSING, fields
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..jekyll import siteconfig
from .checks import check, convert
from .sections import (
    ENGINES,
    SECTIONS,
    CacheConfig,
    Config,
    FeedsConfig,
    IndexConfig,
    SearchConfig,
    ServerConfig,
    SiteConfig,
    WebSubConfig,
)

__all__ = [
    "DEFAULT_PATH",
    "ENGINES",
    "ENV_VAR",
    "SECTIONS",
    "CacheConfig",
    "Config",
    "FeedsConfig",
    "IndexConfig",
    "SearchConfig",
    "ServerConfig",
    "SiteConfig",
    "WebSubConfig",
    "find_path",
    "from_dict",
    "load",
]

#: Where the config is looked for when neither ``--config`` nor ``FEEDS_CONFIG`` names one.
DEFAULT_PATH = Path("config.toml")
ENV_VAR = "FEEDS_CONFIG"


def find_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The config file to read: ``--config``, else ``$FEEDS_CONFIG``, else ``./config.toml``."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else DEFAULT_PATH


def load(path: str | os.PathLike[str] | None = None) -> Config:
    """Read and check a config file.

    Raises:
        ConfigError: the file is missing or not TOML, or a key is unknown, missing or wrong;
            the message starts with the file's path and names the key.
    """
    path = find_path(path)
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except OSError as e:
        raise ConfigError(f"{path}: cannot read config: {e.strerror or e}") from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from e
    return from_dict(data, path)


def from_dict(data: dict[str, Any], path: Path = DEFAULT_PATH) -> Config:
    """Check a parsed TOML mapping; relative paths resolve against ``path``'s folder.

    Raises:
        ConfigError: as :func:`load`.
    """
    base = path.parent.resolve() if str(path.parent) else Path.cwd()
    for name in data:
        if name not in SECTIONS:
            raise ConfigError(f"{path}: unknown section [{name}]")
    tables: dict[str, dict[str, Any]] = {}
    for name in SECTIONS:
        table = data.get(name, {})
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [{name}] must be a table")
        tables[name] = dict(table)
    if "source" not in tables["site"]:
        raise ConfigError(f"{path}: [site] source is required")
    source = convert(tables["site"]["source"], Path, (), f"{path}: [site] source", base)
    jekyll = siteconfig.read(source)
    yml = source / siteconfig.CONFIG_FILE
    origins: list[str] = []
    #: (section, key) → where a value taken from _config.yml came from, for error messages.
    taken: dict[tuple[str, str], str] = {}
    for s in siteconfig.settings(jekyll, yml):
        table = tables[s.section]
        if s.key not in table:
            table[s.key] = s.value
            taken[s.section, s.key] = f"{yml}: {s.source_key}"
        elif str(table[s.key]).rstrip("/") != str(s.value).rstrip("/"):
            origins.append(
                f"[{s.section}] {s.key} = {table[s.key]!r} from {path} is used; "
                f"{yml.name} {s.source_key} says {s.value!r}"
            )
    sections = {
        name: _section(cls, name, tables[name], path, base, taken) for name, cls in SECTIONS.items()
    }
    config = Config(path=path, jekyll=jekyll, origins=tuple(origins), **sections)
    return check(config)


def _section(
    cls: type,
    section: str,
    table: dict[str, Any],
    path: Path,
    base: Path,
    taken: dict[tuple[str, str], str],
) -> Any:
    declared = {f.name: f for f in fields(cls)}
    for name in table:
        if name not in declared:
            raise ConfigError(f"{path}: unknown key [{section}] {name}")
    values: dict[str, Any] = {}
    hints = typing.get_type_hints(cls)
    for name, f in declared.items():
        where = taken.get((section, name)) or f"{path}: [{section}] {name}"
        if name not in table:
            if f.default is MISSING:
                raise ConfigError(f"{where} is required")
            value = f.default
            if isinstance(value, Path) and not value.is_absolute():
                value = base / value
            values[name] = value
            continue
        values[name] = convert(table[name], hints[name], f.metadata["choices"], where, base)
    return cls(**values)
