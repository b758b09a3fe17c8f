"""Write the overlay facts (ids, URLs, names; no prose) from DCloud's published docs data.

Usage: python3 tools/overlay_from_dcloud.py DCLOUD_JSON DOCS_GIT_DIR COMMIT IMPORTED_SPEC_DIR OUT

- DCLOUD_JSON: ``docs/.vuepress/utils/utsApiJson.json`` of ``dcloudio/unidocs-uni-app-x-zh``;
- DOCS_GIT_DIR, COMMIT: a git directory of that repository and the commit the JSON is from
  (the pages ``docs/api/*.md`` give the page grouping);
- IMPORTED_SPEC_DIR: ``utsapi import --out DIR`` of the matching npm version (which module
  declares which API);
- OUT: the overlay file to write.

What it keeps: per API the ``mid`` of its 相关 Bug link and whether the mini-program vendor links
appear; per module its source folder and docs module keys; per page the API names in order; the
URLs of type-name links.  Titles are the project's own (API or module names), not the docs'.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import yaml

_SOURCE = re.compile(
    r"> GitHub: https://github\.com/dcloudio/(uni-api|uni-component)/tree/alpha/uni_modules/([A-Za-z0-9_.-]+)"
)
_MID = re.compile(r"\(https://issues\.dcloud\.net\.cn/\?mid=([^)\s]+)\)")
_TYPE_LINK = re.compile(r"\[([A-Za-z_$][\w$.]*)\]\(((?:https://|/)[^)\s#]*(?:#[^)\s]*)?)\)")
_PLACEHOLDER = re.compile(r"<!--\s*UTSAPIJSON\.([A-Za-z0-9_$-]+)\.([A-Za-z]+)\s*-->")


def _modules_shown(data: dict[str, dict[str, str]], spec_dir: Path) -> dict[str, str]:
    """API name -> the module whose declaration the docs show.  An API several modules declare
    (createCameraContext in api/ and biz/uni-camera, getLocation in uni-location and the
    unexported uni-getLocation, previewImage in uni-media and uni-previewImage...) goes to the
    module whose rendering agrees with the docs' data on most facts of that key; a tie, to the
    first module in file order."""
    from generator.compare import compare_data  # noqa: PLC0415
    from generator.flavors.dcloud import build_data  # noqa: PLC0415
    from generator.spec import load_spec  # noqa: PLC0415
    from generator.spec.overlay import load_overlay  # noqa: PLC0415

    declaring: dict[str, list[str]] = {}
    for file in sorted(Path(spec_dir, "modules").glob("*.yaml")):
        doc = yaml.safe_load(file.read_text("utf-8"))
        for api in doc.get("apis") or ():
            declaring.setdefault(api["name"], []).append(doc["module"])
    module_of = {name: found[0] for name, found in declaring.items()}
    several = {name: found for name, found in declaring.items() if len(found) > 1}
    if not several:
        return module_of
    spec = load_spec([spec_dir])
    overlay = load_overlay(None)
    by_name = {m.name: m for m in spec.modules}
    for name, found in several.items():
        if name not in data:
            continue
        agreed = [
            compare_data(data, build_data(by_name[m], "zh", overlay=overlay), keys=[name])
            .total()
            .equal
            for m in found
        ]
        module_of[name] = found[agreed.index(max(agreed))]
    return module_of


def main(argv: list[str]) -> int:
    data_file, git_dir, commit, spec_dir, out = argv
    data = json.loads(Path(data_file).read_text("utf-8"))
    module_of = _modules_shown(data, Path(spec_dir))
    module_keys = {k for k, e in data.items() if set(e) == {"example"}}

    apis: dict[str, dict[str, object]] = {}
    folders: dict[str, Counter[tuple[str, str]]] = {}
    type_links: dict[str, str] = {}
    for key, entry in data.items():
        tutorial = entry.get("tutorial")
        if tutorial is not None:
            item: dict[str, object] = {}
            mid = _MID.search(tutorial)
            if mid:
                item["menu"] = mid.group(1)
            if "open.alipay.com" not in tutorial:
                item["mp"] = False
            apis[key] = item
        source = _SOURCE.search(entry.get("name", ""))
        if source and key in module_of:
            folders.setdefault(module_of[key], Counter())[(source.group(1), source.group(2))] += 1
            apis.setdefault(key, {})["_source"] = (source.group(1), source.group(2))
        for section, text in entry.items():
            if section in ("tutorial", "example", "description"):
                continue
            for name, url in _TYPE_LINK.findall(text):
                if name.startswith("string.") and url == "/uts/data-type.md#ide-string":
                    type_links["string.*"] = url
                elif name[:1].isupper():
                    type_links.setdefault(name, url)

    modules: dict[str, dict[str, object]] = {}
    for module, counts in sorted(folders.items()):
        (repository, folder), _ = counts.most_common(1)[0]
        modules[module] = {"source": folder}
        if repository != "uni-api":
            modules[module]["repository"] = repository
    for key, item in apis.items():
        found = item.pop("_source", None)
        if not isinstance(found, tuple):
            continue
        entry = modules.get(module_of[key], {})
        if (entry.get("repository", "uni-api"), entry.get("source")) != found:
            item["source"] = found[1]
            if found[0] != entry.get("repository", "uni-api"):
                item["repository"] = found[0]

    listing = subprocess.run(
        ["git", "-C", git_dir, "ls-tree", "--name-only", commit, "docs/api/"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    pages: list[dict[str, object]] = []
    for path in sorted(p for p in listing if p.endswith(".md")):
        text = subprocess.run(
            ["git", "-C", git_dir, "show", f"{commit}:{path}"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        names = list(dict.fromkeys(k for k, _ in _PLACEHOLDER.findall(text)))
        page_apis = [k for k in names if k in module_of]
        if not page_apis:
            continue
        module = Counter(module_of[k] for k in page_apis).most_common(1)[0][0]
        for k in names:
            if k in module_keys:
                keys = modules.setdefault(module, {}).setdefault("key", [])
                assert isinstance(keys, list)
                if k not in keys:
                    keys.append(k)
        stem = path.removeprefix("docs/").removesuffix(".md")
        title = f"uni.{page_apis[0]}" if len(page_apis) == 1 else module
        pages.append(
            {"path": stem, "title": {"zh": title, "en": title}, "module": module, "apis": page_apis}
        )
    for page in pages:
        modules.setdefault(str(page["module"]), {})
    modules = {
        name: {"title": {"zh": name, "en": name}, **entry}
        for name, entry in sorted(modules.items())
    }
    for entry in modules.values():
        keys = entry.get("key")
        if isinstance(keys, list) and len(keys) == 1:
            entry["key"] = keys[0]
    doc = {
        "format": 1,
        "source": f"dcloudio/unidocs-uni-app-x-zh@{commit}",
        "modules": modules,
        "pages": pages,
        "apis": {k: v for k, v in sorted(apis.items()) if v},
        "type-links": dict(sorted(type_links.items())),
    }
    header = (
        "# Facts the declarations cannot supply (ids, URLs, names; no prose), read from\n"
        f"# dcloudio/unidocs-uni-app-x-zh at {commit} by tools/overlay_from_dcloud.py.\n"
    )
    Path(out).write_text(
        header + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100), "utf-8"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
