"""Does an implementation expose the spec's surface?  ``utsapi check-surface MODULE:ATTR``.

Two checks, one report:

``surface``
    Introspection with :mod:`inspect`: every API of the spec is an attribute of the object,
    callable, not a coroutine function, and callable with the spec's parameters (each spec
    parameter has a positional slot; a slot that can also be passed by keyword carries the
    spec's name; any further parameter has a default).  The deprecated globals are APIs like
    the others: one missing is a finding.  The same holds for the methods of each interface an
    API returns (``SocketTask``).

``stubtest``
    mypy's ``stubtest`` against a ``.pyi`` generated from the spec for the implementation's own
    module path: for ``reference_impl:uni`` whose class is ``reference_impl._runtime.Runtime``, a
    ``reference_impl/_runtime.pyi`` declaring ``class Runtime`` with the spec's methods, and a
    ``reference_impl/__init__.pyi`` declaring ``uni: Runtime``.  Only what the spec describes is
    judged: stubtest's reports about other names of those modules (helpers, extra members) are
    not surface problems and are dropped.

On the imported whole surface, ``--module NAME`` (repeatable) checks the named spec modules
only: their APIs, their interfaces, and stubtest over their typed modules alone.  An API or
interface several modules declare (``getLocation``) is described once in the generated
``.pyi``, by the first module in spec order.  Names are the typed package's: a spec name that
is a Python keyword is looked for with a trailing underscore (:func:`generator.stubs.python_name`).

Which class implements an interface: the implementation is never run (``connectSocket`` is not
called: no sockets, no threads).  The class comes from ``--task-class MODULE:ATTR`` or else from
the return annotation of the API that returns the interface (``connectSocket(...) -> SocketTask``),
resolved with :func:`typing.get_type_hints`; it must be a concrete class, not a Protocol.  When
neither gives one, the check stops with a :class:`SurfaceError` that says to pass ``--task-class``.

The module runs past 500 lines because both checks work from one plan (which class implements
which interface, under which module path) and report into one :class:`SurfaceReport` with one
allowlist; kept together, the plan has one owner.

Known deviations go in an allowlist file, one entry a line, each with its reason::

    SocketTask.close  # takes options=None: task.close() is the spec's own @example

An entry names a spec member (``connectSocket``, ``SocketTask.onClose``) or a surface object
(``Uni``, ``SocketTask``) and allows every finding about it, from either check.  An entry
without a reason, naming no member, or repeated is a usage error; an entry that allows nothing
is a finding (``unused-allowlist-entry``), so deviations go stale visibly.  Without stubtest
(``--no-stubtest``) an unused entry is not judged: it may be about what stubtest finds; the report
lists it as unverified.

Without ``--allowlist``, the check uses the allowlist the implementation ships, if any
(:func:`find_allowlist`): a file :data:`SHIPPED_ALLOWLIST` in the implementation's top-level
package (package data, installed with it), or, for the kit's own ``reference_impl``, the one the
kit ships in ``generator/templates/stubs/reference_impl.allowlist``.  ``--no-allowlist`` ignores
it.  A shipped allowlist may name members of spec modules that are not checked (``--module``,
another ``--spec``): those entries are left out, not errors.
"""

from __future__ import annotations

import dataclasses
import difflib
import inspect
import os
import sys
import tempfile
import types
import typing
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from generator.exceptions import TargetError, UtsApiError
from generator.spec import Spec
from generator.spec.model import Callable, InterfaceType, Module
from generator.spec.typeexpr import Named
from generator.stubs import (
    MODULE_PROTOCOL,
    MethodView,
    ModuleView,
    StubsError,
    module_names,
    module_view,
    render_stubs,
    requalify,
)
from generator.targets import resolve_target

__all__ = [
    "SHIPPED_ALLOWLIST",
    "AllowlistEntry",
    "Finding",
    "SurfaceError",
    "SurfaceReport",
    "check_surface",
    "find_allowlist",
    "load_allowlist",
    "select_modules",
]

Check = Literal["surface", "stubtest", "allowlist"]

#: The allowlist an implementation ships in its top-level package, found without ``--allowlist``.
SHIPPED_ALLOWLIST = "utsapi-surface.allowlist"
#: Allowlists of the kit's own implementations, ``<top-level package>.allowlist``: package data
#: of ``generator``, shipped in the kit's wheel.
_KIT_ALLOWLISTS = Path(__file__).resolve().parent / "templates" / "stubs"


class SurfaceError(UtsApiError):
    """The check cannot run: a bad ``MODULE:ATTR``, an import error, an invalid allowlist.

    ``problems`` lists each one as ``where: what``.
    """

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__(self.problems)

    def __str__(self) -> str:
        return "\n".join(self.problems)


@dataclass(frozen=True)
class Finding:
    """One way the implementation differs from the spec.

    ``member`` is the spec's name for it (``connectSocket``, ``SocketTask.onClose``, or ``Uni`` /
    ``SocketTask`` for the object itself); ``where`` the runtime object (``pkg.mod.Class.name``)
    or, for an unused allowlist entry, ``file:line``.
    """

    member: str
    check: Check
    problem: str
    message: str
    where: str

    def __str__(self) -> str:
        return f"{self.member}: {self.problem}: {self.message} [{self.check}: {self.where}]"


@dataclass(frozen=True)
class AllowlistEntry:
    member: str
    reason: str
    file: str
    line: int

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class SurfaceReport:
    target: str
    classes: dict[str, str]  # surface object ("Uni", "SocketTask") -> runtime class or module
    checked: tuple[str, ...]
    stubtest: bool
    findings: tuple[Finding, ...]
    allowed: tuple[tuple[Finding, AllowlistEntry], ...] = field(default=())
    #: The allowlist used, given or found (:func:`find_allowlist`); None: none.
    allowlist: str | None = None
    #: Entries not judged because stubtest did not run (``--no-stubtest``).
    unverified: tuple[AllowlistEntry, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.findings

    def as_dict(self) -> dict[str, object]:
        return {
            "target": self.target,
            "ok": self.ok,
            "classes": self.classes,
            "checked": list(self.checked),
            "stubtest": self.stubtest,
            "findings": [asdict(f) for f in self.findings],
            "allowed": [
                {**asdict(f), "allowlist": e.location, "reason": e.reason} for f, e in self.allowed
            ],
            "allowlist": self.allowlist,
            "unverified": [
                {"member": e.member, "allowlist": e.location, "reason": e.reason}
                for e in self.unverified
            ],
        }


# ----------------------------------------------------------------------------------------------
# Resolving the implementation


def _resolve(target: str) -> object:
    try:
        return resolve_target(target)
    except TargetError as exc:
        raise SurfaceError([str(exc)]) from exc


def _interfaces(module: Module) -> dict[str, Callable]:
    """Interface name -> the first API that returns it."""
    found: dict[str, Callable] = {}
    for api in module.apis:
        if isinstance(api.returns, Named) and isinstance(
            module.types.get(api.returns.name), InterfaceType
        ):
            found.setdefault(api.returns.name, api)
    return found


def _is_protocol(cls: type) -> bool:
    return bool(getattr(cls, "_is_protocol", False))


def _interface_class(impl: object, target: str, interface: str, api: Callable) -> type | None:
    """The class the API's return annotation names; None when the API is missing."""
    function = getattr(impl, api.name, None)
    if function is None or not callable(function):
        return None
    try:
        hints = typing.get_type_hints(function)
    except Exception as exc:  # unresolvable annotations: any error of evaluating them
        raise SurfaceError(
            [
                f"{target}: cannot resolve the annotations of {api.name} to find the {interface} "
                f"class ({type(exc).__name__}: {exc}); pass --task-class MODULE:ATTR"
            ]
        ) from exc
    returned = hints.get("return")
    if returned is typing.Any:  # a class since Python 3.11: it must not pass for one
        raise SurfaceError(
            [
                f"{target}: {api.name} returns Any, which names no {interface} class to check; "
                f"annotate it with the class it returns or pass --task-class MODULE:ATTR"
            ]
        )
    if not isinstance(returned, type) or _is_protocol(returned):
        described = "no return annotation" if returned is None else f"returns {returned!r}"
        raise SurfaceError(
            [
                f"{target}: {api.name} {described}, not a concrete {interface} class; "
                "pass --task-class MODULE:ATTR"
            ]
        )
    library = _library_module(returned)
    if library is not None:
        raise SurfaceError(
            [
                f"{target}: {api.name} returns {returned.__qualname__}, a class of the standard "
                f"library ({library}), not the implementation's {interface} class; annotate it "
                "with the class it returns or pass --task-class MODULE:ATTR"
            ]
        )
    return returned


def _library_module(obj: type | types.ModuleType) -> str | None:
    """The standard-library module a class or module is (from): ``typing``, ``builtins``; else
    None.  stubtest cannot describe it: a ``.pyi`` of that name would shadow the library's."""
    name = obj.__name__ if isinstance(obj, types.ModuleType) else obj.__module__
    top = name.partition(".")[0]
    return name if top in sys.stdlib_module_names or top == "builtins" else None


# ----------------------------------------------------------------------------------------------
# The surface check (inspect)


def _signature(owner: object, name: str) -> inspect.Signature | None:
    """The signature as a caller sees it: without ``self`` for a method looked up on a class."""
    member = getattr(owner, name)
    try:
        signature = inspect.signature(member)
    except (TypeError, ValueError):
        return None
    if isinstance(owner, type) and not isinstance(
        inspect.getattr_static(owner, name, None), staticmethod | classmethod
    ):
        params = list(signature.parameters.values())[1:]
        signature = signature.replace(parameters=params)
    return signature


def _signature_problems(
    spec: Callable, view: MethodView, signature: inspect.Signature
) -> list[str]:
    params = list(signature.parameters.values())
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    has_varargs = any(p.kind == p.VAR_POSITIONAL for p in params)
    problems: list[str] = []
    for index, wanted in enumerate(view.params):
        if index < len(positional):
            slot = positional[index]
            if slot.kind == slot.POSITIONAL_OR_KEYWORD and slot.name != wanted.name:
                problems.append(
                    f"parameter {index + 1} is named {slot.name!r}; "
                    f"the spec names it {wanted.name!r}"
                )
        elif not has_varargs:
            problems.append(
                f"takes {len(positional)} positional parameter(s), the spec passes "
                f"{len(spec.params)} ({', '.join(p.name for p in spec.params)})"
            )
            break
    for extra in positional[len(spec.params) :]:
        if extra.default is extra.empty:
            problems.append(
                f"parameter {extra.name!r} has no default; the spec passes "
                f"{len(spec.params)} argument(s)"
            )
    for extra in params:
        if extra.kind == extra.KEYWORD_ONLY and extra.default is extra.empty:
            problems.append(f"keyword-only parameter {extra.name!r} has no default")
    return problems


def _spec_call(c: Callable) -> str:
    return f"{c.name}({', '.join(p.name for p in c.params)})"


def _check_members(
    owner: object, where: str, members: Iterable[tuple[str, Callable, MethodView]]
) -> Iterator[Finding]:
    """``members``: (spec member, its callable, its view: the Python names)."""
    for member, spec, view in members:
        attr = view.name
        path = f"{where}.{attr}"
        if not hasattr(owner, attr):
            note = ""
            if spec.deprecated is not None:
                note = f" (deprecated, replaced by {spec.deprecated.replacement}, still required)"
            yield Finding(member, "surface", "missing", f"no attribute {attr!r}{note}", path)
            continue
        value = getattr(owner, attr)
        if not callable(value):
            yield Finding(
                member, "surface", "not-callable", f"{type(value).__name__} is not callable", path
            )
            continue
        if inspect.iscoroutinefunction(value):
            yield Finding(
                member,
                "surface",
                "async",
                "is a coroutine function; the spec's calls are synchronous",
                path,
            )
        signature = _signature(owner, attr)
        if signature is None:
            continue
        problems = _signature_problems(spec, view, signature)
        if problems:
            message = f"spec {_spec_call(spec)}, implementation {attr}{signature}: " + "; ".join(
                problems
            )
            yield Finding(member, "surface", "signature", message, path)


def _runtime_name(obj: object) -> str:
    if isinstance(obj, types.ModuleType):
        return obj.__name__
    cls = obj if isinstance(obj, type) else type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


# ----------------------------------------------------------------------------------------------
# The stubtest check


@dataclass
class _StubPlan:
    """``.pyi`` text per runtime module, and how stubtest's object paths map to spec members."""

    modules: dict[str, list[str]] = field(default_factory=dict)
    members: dict[tuple[str, ...], str] = field(default_factory=dict)
    uniapi_modules: set[str] = field(default_factory=set)

    def add(self, module: str, text: str) -> None:
        self.modules.setdefault(module, []).append(text)


def _method_stub(view: MethodView, qualified: Mapping[str, str], *, method: bool) -> str:
    params = ["self"] if method else []
    params += [f"{p.name}: {requalify(p.annotation, qualified)}{p.default}" for p in view.params]
    returns = requalify(view.returns, qualified)
    pad = "    " if method else ""
    return f"{pad}def {view.name}({', '.join(params)}) -> {returns}: ...\n"


_STUB_HEADER = "from collections.abc import Callable, Mapping, Sequence\nfrom typing import Any\n"


def _require_top_level(cls: type, role: str) -> None:
    hint = "pass --no-stubtest" if role == MODULE_PROTOCOL else "pass --task-class MODULE:ATTR"
    library = _library_module(cls)
    if library is not None:
        raise SurfaceError(
            [
                f"{_runtime_name(cls)}: the {role} class is the standard library's "
                f"({library}), not one of the implementation's; stubtest can only check a class "
                f"the implementation defines ({hint})"
            ]
        )
    if "." in cls.__qualname__ or "<" in cls.__qualname__:
        raise SurfaceError(
            [
                f"{_runtime_name(cls)}: the {role} class is not defined at module level, where a "
                ".pyi can describe it; pass --no-stubtest"
            ]
        )


def _plan(
    views: Mapping[str, ModuleView], spec: Spec, impl: object, target: str, classes: dict[str, type]
) -> _StubPlan:
    plan = _StubPlan()
    module_name, _, attr = target.partition(":")
    is_module = isinstance(impl, types.ModuleType)
    owner_path: tuple[str, ...]
    if isinstance(impl, types.ModuleType):
        library = _library_module(impl)
        if library is not None:
            raise SurfaceError(
                [
                    f"{target}: the module {library} is the standard library's, not an "
                    "implementation stubtest can check; pass --no-stubtest"
                ]
            )
        owner_module, owner_path, opening = impl.__name__, (impl.__name__,), ""
    else:
        cls = type(impl)
        _require_top_level(cls, MODULE_PROTOCOL)
        owner_module, owner_path = cls.__module__, (cls.__module__, cls.__name__)
        opening = f"class {cls.__name__}:\n"
        plan.members[owner_path] = MODULE_PROTOCOL
        if "." not in attr:  # a module attribute: `uni: Runtime`
            if module_name == cls.__module__:
                plan.add(module_name, f"{attr}: {cls.__name__}\n")
            else:
                alias = f"_Surface{cls.__name__}"
                plan.add(
                    module_name,
                    f"from {cls.__module__} import {cls.__name__} as {alias}\n{attr}: {alias}\n",
                )
            plan.members[(module_name, attr)] = MODULE_PROTOCOL
    api_lines: list[str] = []
    # An API or interface several modules declare (getLocation, CameraContext) is described
    # once, by the first module in spec order: a class cannot define a name twice.
    described: set[tuple[str, ...]] = set()
    for module in spec.modules:
        view = views[module.name]
        plan.uniapi_modules.add(view.name)
        qualified = {name: f"uniapi.{view.name}.{name}" for name in view.exports}
        for api in module.apis:
            method = view.method(MODULE_PROTOCOL, api.name)
            assert method is not None
            if (*owner_path, method.name) in described:
                continue
            described.add((*owner_path, method.name))
            api_lines.append(_method_stub(method, qualified, method=not is_module))
            plan.members[(*owner_path, method.name)] = api.name
        for interface, task_cls in classes.items():
            decl = module.types.get(interface)
            path = (task_cls.__module__, task_cls.__name__)
            if not isinstance(decl, InterfaceType) or path in described:
                continue
            described.add(path)
            _require_top_level(task_cls, interface)
            lines = [f"class {task_cls.__name__}:\n"]
            for m in decl.methods:
                method = view.method(interface, m.name)
                assert method is not None
                lines.append(_method_stub(method, qualified, method=True))
                plan.members[(task_cls.__module__, task_cls.__name__, method.name)] = (
                    f"{interface}.{m.name}"
                )
            plan.members[(task_cls.__module__, task_cls.__name__)] = interface
            plan.add(task_cls.__module__, "".join(lines))
    plan.add(owner_module, opening + "".join(api_lines))
    imports = "".join(f"import uniapi.{m}\n" for m in sorted(plan.uniapi_modules))
    for mod, chunks in plan.modules.items():
        plan.modules[mod] = [_STUB_HEADER + imports + "\n" + "\n".join(chunks)]
    return plan


def _write_plan(plan: _StubPlan, spec: Spec, folder: Path) -> None:
    for rel, text in render_stubs(spec).items():
        if rel.parts[0] == "uniapi":
            path = folder.joinpath(*rel.parts)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    for module_name, chunks in plan.modules.items():
        parts = module_name.split(".")
        runtime = sys.modules.get(module_name)
        is_package = runtime is not None and hasattr(runtime, "__path__")
        path = (
            folder.joinpath(*parts, "__init__.pyi")
            if is_package
            else folder.joinpath(*parts[:-1], f"{parts[-1]}.pyi")
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(chunks), encoding="utf-8")
        for depth in range(1, len(parts)):
            init = folder.joinpath(*parts[:depth], "__init__.pyi")
            if not init.exists():
                init.write_text("", encoding="utf-8")


def _run_stubtest(plan: _StubPlan, folder: Path) -> Iterator[Finding]:
    from mypy import stubtest  # noqa: PLC0415 - heavy; only when the check runs
    from mypy.options import Options  # noqa: PLC0415

    options = Options()
    options.incremental = False
    options.cache_dir = os.devnull
    options.mypy_path = [str(folder)]
    options.python_version = sys.version_info[:2]
    try:
        modules = stubtest.build_stubs(sorted(plan.modules), options)
    except stubtest.StubtestFailure as exc:
        raise SurfaceError([f"stubs generated in {folder} do not build: {exc}"]) from exc
    for module in modules:
        for error in stubtest.test_module(module):
            member = plan.members.get(tuple(error.object_path))
            if member is None and len(error.object_path) == 1:
                member = MODULE_PROTOCOL  # the module itself: failed to import, no stub
            if member is None:
                continue  # a name the spec does not describe: not the surface's business
            yield Finding(member, "stubtest", "stubtest", error.message, error.object_desc)


# ----------------------------------------------------------------------------------------------
# Allowlist


def find_allowlist(target: str) -> Path | None:
    """The allowlist the implementation ``target`` (``MODULE:ATTR``, already imported) ships:
    :data:`SHIPPED_ALLOWLIST` in its top-level package, else, for a package of the kit itself
    (installed beside ``generator``), the kit's ``<package>.allowlist``; None when there is none."""
    top = target.partition(":")[0].partition(".")[0]
    package = sys.modules.get(top)
    if package is None or not hasattr(package, "__path__"):
        return None  # a plain module ships no package data
    for folder in package.__path__:
        shipped = Path(folder) / SHIPPED_ALLOWLIST
        if shipped.is_file():
            return shipped
    kit = _KIT_ALLOWLISTS / f"{top}.allowlist"
    kit_root = Path(__file__).resolve().parents[1]
    if kit.is_file() and any(Path(f).resolve().parent == kit_root for f in package.__path__):
        return kit
    return None


def load_allowlist(
    path: Path, spec: Spec, *, skip_unknown: bool = False
) -> tuple[AllowlistEntry, ...]:
    """Parse an allowlist; every problem of the file is reported at once, as ``file:line: what``.

    ``skip_unknown``: an entry naming no member of ``spec`` is left out instead of being an
    error (a shipped allowlist may be about modules this run does not check)."""
    known = _known_members(spec)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SurfaceError([f"{path}: cannot read the allowlist: {exc}"]) from exc
    entries: list[AllowlistEntry] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        member, hash_, reason = (part.strip() for part in line.partition("#"))
        where = f"{path}:{number}"
        if not hash_ or not reason:
            problems.append(f"{where}: entry {member!r} has no reason; write '{member}  # why'")
            continue
        if member not in known:
            if skip_unknown:
                continue
            near = difflib.get_close_matches(member, sorted(known), n=3)
            hint = f"; did you mean {', '.join(near)}?" if near else ""
            problems.append(f"{where}: {member!r} is no member of the spec's surface{hint}")
            continue
        if member in seen:
            problems.append(f"{where}: {member!r} is already allowed on line {seen[member]}")
            continue
        seen[member] = number
        entries.append(AllowlistEntry(member, reason, str(path), number))
    if problems:
        raise SurfaceError(problems)
    return tuple(entries)


def _known_members(spec: Spec) -> set[str]:
    known = {MODULE_PROTOCOL}
    for module in spec.modules:
        known.update(api.name for api in module.apis)
        for name, named in module.types.items():
            if isinstance(named, InterfaceType):
                known.add(name)
                known.update(f"{name}.{m.name}" for m in named.methods)
    return known


# ----------------------------------------------------------------------------------------------
# Entry point


def check_surface(
    target: str,
    spec: Spec,
    *,
    task_class: str | None = None,
    allowlist: Path | None = None,
    shipped_allowlist: bool = True,
    stubtest: bool = True,
    modules: Sequence[str] = (),
) -> SurfaceReport:
    """Check the object ``target`` (``MODULE:ATTR``) against every module of ``spec``, or
    against the spec modules named in ``modules``.

    Deviations are allowed by ``allowlist``, or, when it is None and ``shipped_allowlist`` is
    true, by the one the implementation ships (:func:`find_allowlist`).

    Raises :class:`SurfaceError` when the check cannot run (exit 2 for the CLI).
    """
    spec = select_modules(spec, modules)
    entries = load_allowlist(allowlist, spec) if allowlist is not None else ()
    impl = _resolve(target)
    if allowlist is None and shipped_allowlist:
        allowlist = find_allowlist(target)
        if allowlist is not None:
            entries = load_allowlist(allowlist, spec, skip_unknown=True)
    try:
        python_modules = module_names(spec)
        views = {m.name: module_view(m, python_modules[m.name]) for m in spec.modules}
    except StubsError as exc:
        raise SurfaceError([str(exc)]) from exc
    findings: list[Finding] = []
    classes: dict[str, type] = {}
    checked: list[str] = []
    for module in spec.modules:
        for interface, api in _interfaces(module).items():
            if task_class is not None:
                given = _resolve(task_class)
                if not isinstance(given, type):
                    raise SurfaceError([f"{task_class}: is a {type(given).__name__}, not a class"])
                classes[interface] = given
                continue
            found = _interface_class(impl, target, interface, api)
            if found is None:
                findings.append(
                    Finding(interface, "surface", "unchecked",
                            f"{api.name} is missing, so the {interface} class is unknown; "
                            "pass --task-class MODULE:ATTR", _runtime_name(impl))
                )  # fmt: skip
            else:
                classes[interface] = found
        view = views[module.name]
        findings.extend(
            _check_members(
                impl,
                _runtime_name(impl),
                ((a.name, a, _view(view, MODULE_PROTOCOL, a)) for a in module.apis),
            )
        )
        checked.extend(a.name for a in module.apis)
        for interface, cls in classes.items():
            named = module.types.get(interface)
            if isinstance(named, InterfaceType):
                members = (
                    (f"{interface}.{m.name}", m, _view(view, interface, m)) for m in named.methods
                )
                findings.extend(_check_members(cls, _runtime_name(cls), members))
                checked.extend(f"{interface}.{m.name}" for m in named.methods)
    if stubtest:
        plan = _plan(views, spec, impl, target, classes)
        with tempfile.TemporaryDirectory(prefix="utsapi-surface-") as tmp:
            _write_plan(plan, spec, Path(tmp))
            findings.extend(_run_stubtest(plan, Path(tmp)))
    return _apply_allowlist(
        target=target,
        impl=impl,
        classes=classes,
        checked=checked,
        stubtest=stubtest,
        findings=findings,
        entries=entries,
        allowlist=allowlist,
    )


def select_modules(spec: Spec, modules: Sequence[str]) -> Spec:
    """``spec`` with only the modules named (all of them when ``modules`` is empty); an unknown
    name is a :class:`SurfaceError` that names the nearest known ones."""
    if not modules:
        return spec
    known = {m.name for m in spec.modules}
    problems = []
    for name in dict.fromkeys(modules):
        if name not in known:
            near = difflib.get_close_matches(name, sorted(known), n=3)
            hint = f"; did you mean {', '.join(near)}?" if near else ""
            problems.append(f"--module {name}: no module of that name in the spec{hint}")
    if problems:
        raise SurfaceError(problems)
    wanted = set(modules)
    return dataclasses.replace(spec, modules=tuple(m for m in spec.modules if m.name in wanted))


def _view(view: ModuleView, protocol: str, member: Callable) -> MethodView:
    found = view.method(protocol, member.name)
    assert found is not None, (protocol, member.name)
    return found


def _apply_allowlist(
    *,
    target: str,
    impl: object,
    classes: dict[str, type],
    checked: list[str],
    stubtest: bool,
    findings: list[Finding],
    entries: tuple[AllowlistEntry, ...],
    allowlist: Path | None,
) -> SurfaceReport:
    by_member = {e.member: e for e in entries}
    kept: list[Finding] = []
    allowed: list[tuple[Finding, AllowlistEntry]] = []
    for finding in findings:
        entry = by_member.get(finding.member)
        if entry is None:
            kept.append(finding)
        else:
            allowed.append((finding, entry))
    used = {e.member for _, e in allowed}
    unused = [e for e in entries if e.member not in used]
    if stubtest:  # without it, an entry about what stubtest finds cannot be judged
        kept.extend(
            Finding(e.member, "allowlist", "unused-allowlist-entry",
                    f"the entry allows nothing (its reason: {e.reason})", e.location)
            for e in unused
        )  # fmt: skip
    surface_classes = {MODULE_PROTOCOL: _runtime_name(impl)}
    surface_classes.update({name: _runtime_name(cls) for name, cls in classes.items()})
    return SurfaceReport(
        target,
        surface_classes,
        tuple(checked),
        stubtest,
        tuple(kept),
        tuple(allowed),
        allowlist=None if allowlist is None else str(allowlist),
        unverified=() if stubtest else tuple(unused),
    )
