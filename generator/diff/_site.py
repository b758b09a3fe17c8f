"""Where the site shows the item a change concerns, for the links of the Changes page.

A change's ``path`` names its item (:class:`generator.diff.Change`): ``''`` the module,
``connectSocket`` an API (``connectSocket(options)`` its parameter), ``SocketTask.send`` a
method (``SocketTask.send(data)``), ``ConnectSocketOptions`` a type and ``ConnectSocketOptions.url``
its field.  The item is looked up in the spec the site shows (the newer side): an API links to
the page that shows it (:func:`generator.flavors.mkdocs.api_links`), a method to its heading on
its type's page, a type or field to the type's page, the module to its page.  An item the site
does not have (removed, or a module the spec lacks) gets no link.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from generator.diff._walk import Change
from generator.spec import Spec

__all__ = ["ChangeLinks", "site_links"]

#: A change -> the link to its item, relative to the page's language folder, or None.
ChangeLinks = Callable[[Change], str | None]


def site_links(
    spec: Spec,
    *,
    api_pages: Mapping[str, str],
    type_files: Mapping[str, Mapping[str, str]],
    module_pages: Mapping[str, str],
    types_dir: str = "types",
) -> ChangeLinks:
    """The links of the site's pages, all relative to the language folder: ``api_pages``
    (``module.api`` -> ``page.md#anchor``), ``type_files`` (module -> type -> file under
    ``types_dir``) and ``module_pages`` (module -> its first page)."""

    def link(change: Change) -> str | None:
        module = spec.module(change.module)
        if module is None:
            return None
        head = change.path.partition("(")[0]
        if not head:
            return module_pages.get(module.name)
        owner, dot, _ = head.partition(".")
        files = type_files.get(module.name, {})
        if not dot and module.api(owner) is not None:
            return api_pages.get(f"{module.name}.{owner}")
        if owner not in module.types or owner not in files:
            return None
        page = f"{types_dir}/{files[owner]}"
        method = module.callable(head) if dot else None
        return page if method is None else f"{page}#{method.anchor}"

    return link
