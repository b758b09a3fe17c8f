"""Writing an imported spec directory: ``DIR/modules/<module>.yaml`` and ``DIR/warnings.txt``.

The text is deterministic (the same surface gives the same bytes): keys in the schema's order,
items in source order, no machine paths.  Each file starts with a comment naming its source; the
imported spec holds DCloud's text and lives under ``build/``, never in the repository.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from generator.importer.tospec import ModuleSpec

__all__ = ["HEADER", "dump_module", "write_spec_dir"]

#: The first line of every file the importer writes (stale ones are recognised by it).
HEADER = "# Written by utsapi import"


class _Dumper(yaml.SafeDumper):
    """Block style, except the small ``provenance`` mappings, which read best on one line."""


def _represent_dict(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    flow = set(data) in ({"line", "column"}, {"zh"}, {"zh", "en"})
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(str, _represent_str)


def dump_module(spec: ModuleSpec) -> str:
    """The YAML text of one module."""
    source = spec.data["provenance"]
    where = "@".join(p for p in (source["package"], source["version"]) if p)
    head = (
        f"{HEADER} from {where} {source['file']} (module {spec.key}).\n"
        "# Generated: edit the declarations or the importer, not this file; do not commit it.\n"
    )
    body = yaml.dump(
        spec.data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=100,
        default_flow_style=False,
    )
    return head + body


def write_spec_dir(specs: Sequence[ModuleSpec], out: Path, *, clean: bool) -> list[Path]:
    """Write each module to ``out/modules/<name>.yaml`` and every warning to
    ``out/warnings.txt``; ``clean`` first removes module files an earlier import wrote (and
    only those).  Returns the module files written."""
    modules = out / "modules"
    modules.mkdir(parents=True, exist_ok=True)
    if clean:
        for old in sorted(modules.glob("*.yaml")):
            with old.open(encoding="utf-8") as f:
                if f.readline().startswith(HEADER):
                    old.unlink()
    written: list[Path] = []
    for spec in specs:
        path = modules / f"{spec.name}.yaml"
        path.write_text(dump_module(spec), encoding="utf-8")
        written.append(path)
    lines = [f"{w}\n" for spec in specs for w in spec.warnings]
    (out / "warnings.txt").write_text("".join(lines), encoding="utf-8")
    return written
