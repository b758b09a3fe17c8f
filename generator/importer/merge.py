"""One declaration per interface name: TypeScript's interface merging, with ``// #ifdef`` variants.

The declarations declare some interfaces more than once in one file: as variants under
``// #ifdef APP-IOS`` / ``// #ifndef APP-IOS`` (the iOS one adds ``JSExport`` and members), and
plainly twice (TypeScript merges both into one interface).  :func:`merge_interfaces` applies
TypeScript's rule with the conditions kept:

- interfaces of the same name in one file become one, at the place and with the doc of the
  first (the first that has a doc, if the first has none);
- its ``condition`` is what all the variants share (``()`` for ``APP-IOS`` and ``!APP-IOS``);
- its members are the variants' members in source order; a member written the same way in every
  variant (same kind, name, optionality and type text) is kept once, with the shared condition;
  others keep their own condition (``("APP-IOS",)``).  Overloads (same name, other types) are
  all kept, as TypeScript keeps them;
- ``extends``/``implements`` names likewise: once each, with the shared condition when every
  variant names them.

Other declarations are left as they are, in their order.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from generator.importer.model import Declaration, Heritage, Member

__all__ = ["merge_interfaces"]


def _common(conditions: Sequence[tuple[str, ...]]) -> tuple[str, ...]:
    first, *rest = conditions
    size = 0
    while size < len(first) and all(len(c) > size and c[size] == first[size] for c in rest):
        size += 1
    return first[:size]


def _member_key(m: Member) -> tuple[object, ...]:
    signature = None
    if m.signature is not None:
        signature = (
            tuple(
                (p.name, p.optional, p.rest, p.type.text if p.type else None)
                for p in m.signature.parameters
            ),
            m.signature.returns.text if m.signature.returns else None,
            tuple(t.name for t in m.signature.type_parameters),
        )
    return (m.kind, m.name, m.optional, m.type.text if m.type else None, signature)


def _merge(group: list[Declaration]) -> Declaration:
    shared = _common([d.condition for d in group])
    members: list[Member] = []
    member_seen: dict[tuple[object, ...], list[tuple[int, int]]] = {}
    for variant, d in enumerate(group):
        for m in d.members:
            member_seen.setdefault(_member_key(m), []).append((variant, len(members)))
            members.append(m)
    keep: list[Member] = []
    for index, member in enumerate(members):
        places = member_seen[_member_key(member)]
        if places[0][1] != index:
            continue
        if len({variant for variant, _ in places}) < len(group):
            keep.append(member)
            continue
        shared_condition = _common([members[i].condition for _, i in places])
        keep.append(dataclasses.replace(member, condition=shared_condition))
    heritage: list[Heritage] = []
    heritage_seen: dict[tuple[str, str], list[tuple[int, Heritage]]] = {}
    for variant, d in enumerate(group):
        for h in d.heritage:
            heritage_seen.setdefault((h.token, h.text), []).append((variant, h))
    for same in heritage_seen.values():
        h = same[0][1]
        if len({variant for variant, _ in same}) == len(group):
            h = dataclasses.replace(h, condition=_common([x.condition for _, x in same]))
        heritage.append(h)
    doc = next((d.doc for d in group if d.doc is not None), None)
    return dataclasses.replace(
        group[0],
        condition=shared,
        members=tuple(keep),
        heritage=tuple(heritage),
        doc=doc,
    )


def merge_interfaces(declarations: Sequence[Declaration]) -> tuple[Declaration, ...]:
    """The declarations with each interface name declared once (see the module docstring)."""
    groups: dict[str, list[Declaration]] = {}
    for d in declarations:
        if d.kind == "interface" and d.name is not None:
            groups.setdefault(d.name, []).append(d)
    out: list[Declaration] = []
    for d in declarations:
        if d.kind != "interface" or d.name is None:
            out.append(d)
            continue
        group = groups[d.name]
        if group[0] is d:
            out.append(d if len(group) == 1 else _merge(group))
    return tuple(out)
