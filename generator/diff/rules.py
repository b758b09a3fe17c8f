"""How each kind of change is classified: the rules of ``utsapi diff``, as data.

Every change the walker (:mod:`generator.diff._walk`) finds has a *kind* (``field.removed``,
``platform.min-raised``…); :data:`RULES` gives each kind its class and the reason, in both
languages.  A kind whose effect depends on which way values flow has two classes: ``given`` for
a value the caller gives the API (a parameter, a field of an options type, what a callback it
registers returns), ``received`` for a value the API gives back (a return value, a field of a
result type, what a callback receives, an interface's property).  A named type used both ways
takes the stricter class (:func:`classify`).  The README section "What changed between
versions" renders the same table.

The classes, strictest first:

``breaking``
    a program written against the old version may stop compiling or working.
``deprecation``
    an item is marked deprecated: it still works, a replacement may be named.
``additive``
    something new that no existing program can notice.
``documentation``
    text, examples, links, or a fact restated without changing what a program may rely on.

Platform cells (``app.android`` × ``unixVer``…) hold a version (supported from it), ``√``
(supported, version not stated), ``x`` (not supported) or ``-`` (not stated); a missing cell is
"not stated" as well.  Raising a minimum version, or a supported cell becoming ``x`` or
disappearing, is breaking; the reverse is additive; ``√`` ↔ a version, or ``-`` ↔ ``x``,
only restates what is known.  A key spelled two ways across versions is compared under one
name (:data:`PLATFORM_KEY_ALIASES`).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = ["PLATFORM_KEY_ALIASES", "RULES", "ChangeClass", "Direction", "Rule", "classify"]


class ChangeClass(enum.IntEnum):
    """The class of a change; a larger value is stricter."""

    DOCUMENTATION = 0
    ADDITIVE = 1
    DEPRECATION = 2
    BREAKING = 3

    @property
    def label(self) -> str:
        return self.name.lower()


#: Which way values flow through the changed item; ``both`` for a type used both ways.
Direction = Literal["given", "received", "both"]


@dataclass(frozen=True)
class Rule:
    """The class of a kind of change: ``given`` and ``received`` differ for kinds whose effect
    depends on the direction of the value; ``en`` and ``zh`` say why."""

    given: ChangeClass
    received: ChangeClass
    en: str
    zh: str
    #: The reason for a received value, when it differs (``en``/``zh`` are then a given one's).
    en_received: str = ""
    zh_received: str = ""

    def reason(self, direction: Direction, lang: str = "en") -> str:
        """Why, for a change in ``direction`` (``both``: both reasons)."""
        given = self.zh if lang == "zh" else self.en
        received = self.zh_received if lang == "zh" else self.en_received
        if not received or direction == "given":
            return given
        if direction == "received":
            return received
        return f"{given}; {received}"


B, A, DEP, DOC = (
    ChangeClass.BREAKING,
    ChangeClass.ADDITIVE,
    ChangeClass.DEPRECATION,
    ChangeClass.DOCUMENTATION,
)


def _same(cls: ChangeClass, en: str, zh: str) -> Rule:
    return Rule(cls, cls, en, zh)


#: kind -> its rule.  Kinds are ``<item>.<what happened>``.
RULES: Mapping[str, Rule] = {
    # modules, APIs, methods, named types
    "module.added": _same(A, "a new module", "新增模块"),
    "module.removed": _same(B, "programs using the module lose it", "使用该模块的程序失去它"),
    "api.added": _same(A, "a new API", "新增 API"),
    "api.removed": _same(B, "calls to the API no longer resolve", "对该 API 的调用无法解析"),
    "method.added": _same(A, "a new method", "新增方法"),
    "method.removed": _same(
        B, "calls to the method no longer resolve", "对该方法的调用无法解析"
    ),
    "type.added": _same(A, "a new type", "新增类型"),
    "type.removed": _same(
        B, "programs naming the type no longer compile", "引用该类型的程序无法编译"
    ),
    "type.kind-changed": _same(
        B,
        "the type is now a different kind of declaration",
        "类型的声明种类改变",
    ),
    "type.base-changed": _same(
        B,
        "the type extends other types: inherited members may differ",
        "类型继承的基类改变，继承的成员可能不同",
    ),
    "type-params.changed": _same(
        B,
        "the generic parameters changed: every use must change",
        "泛型参数改变，所有使用处都须修改",
    ),
    # parameters of APIs and methods (always given by the caller)
    "param.added-optional": _same(A, "a new optional parameter", "新增可选参数"),
    "param.added-required": _same(
        B, "existing calls lack the new required parameter", "已有调用缺少新增的必填参数"
    ),
    "param.removed": _same(
        B, "existing calls pass a parameter that is gone", "已有调用传入了已删除的参数"
    ),
    "param.moved": _same(
        B, "the parameter is at another position", "参数位置改变"
    ),
    # fields of object types and properties of interfaces
    "field.added-optional": _same(A, "a new optional field", "新增可选字段"),
    "field.added-required": Rule(
        B,
        A,
        "a caller's existing values lack the new required field",
        "调用方已有的值缺少新增的必填字段",
        "a received value only gains a field",
        "返回的值只是多了一个字段",
    ),
    "field.removed": _same(
        B, "programs reading or writing the field lose it", "读写该字段的程序失去它"
    ),
    # optionality (fields and parameters)
    "optional.to-required": Rule(
        B,
        A,
        "what the caller may leave out becomes mandatory",
        "调用方可省略的值变为必填",
        "a received value now always has it",
        "返回的值现在总会给出",
    ),
    "required.to-optional": Rule(
        A,
        B,
        "the caller may now leave it out",
        "调用方现在可以省略",
        "a received value may now lack it",
        "返回的值现在可能缺少它",
    ),
    "nullable.added": Rule(
        A,
        B,
        "the caller may now pass null",
        "调用方现在可以传 null",
        "a received value may now be null",
        "返回的值现在可能为 null",
    ),
    "nullable.removed": Rule(
        B,
        A,
        "the caller may no longer pass null",
        "调用方不能再传 null",
        "a received value is never null",
        "返回的值不再为 null",
    ),
    # types of parameters, fields, properties, return values and aliases
    "type.narrowed": Rule(
        B,
        A,
        "fewer types are accepted from the caller",
        "接受调用方的类型变少",
        "fewer are received",
        "返回的类型变少",
    ),
    "type.widened": Rule(
        A,
        B,
        "more types are accepted from the caller",
        "接受调用方的类型变多",
        "the receiver must handle more",
        "接收方须处理更多类型",
    ),
    "type.changed": _same(
        B,
        "the type changed: values of the old type may not fit",
        "类型改变，旧类型的值可能不再适用",
    ),
    # literal values of a literal union
    "value.added": Rule(
        A,
        A,
        "a new legal value (a receiver that switches on the value needs a default branch)",
        "新增合法值（按值分支的接收方需要默认分支）",
    ),
    "value.removed": Rule(
        B,
        A,
        "a value the caller may pass is no longer legal",
        "调用方可传的值不再合法",
        "a received value is never it",
        "返回的值不再是它",
    ),
    # error codes
    "code.added": _same(A, "a new error code", "新增错误码"),
    "code.removed": _same(
        B, "programs handling the error code lose it", "处理该错误码的程序失去它"
    ),
    # platform cells
    "platform.added": _same(
        A, "support on the platform is now declared", "新增对该平台的支持"
    ),
    "platform.removed": _same(
        B, "the platform's support is now declared absent (x)", "该平台的支持被声明为不支持 (x)"
    ),
    "platform.unstated": _same(
        B,
        "the platform's support is no longer declared: programs cannot rely on it",
        "不再声明对该平台的支持，程序不能再依赖它",
    ),
    "platform.min-raised": _same(
        B, "the minimum version was raised: older versions lose it", "最低版本提高，旧版本失去它"
    ),
    "platform.min-lowered": _same(
        A, "the minimum version was lowered: older versions gain it", "最低版本降低，旧版本也可使用"
    ),
    "platform.restated": _same(
        DOC,
        "the cell says the same support in other terms (√ and a version, - and x)",
        "单元格以其他方式表达相同的支持情况（√ 与版本号，- 与 x）",
    ),
    # deprecation
    "deprecated.added": _same(DEP, "marked deprecated", "标记为已废弃"),
    "deprecated.removed": _same(DOC, "no longer marked deprecated", "不再标记为已废弃"),
    "deprecated.changed": _same(
        DOC, "the deprecation names another replacement or text", "废弃说明或替代项改变"
    ),
    # text and facts that change no program
    "description.changed": _same(DOC, "the description changed", "描述改变"),
    "default.changed": _same(
        DOC, "the documented default changed (check programs that rely on it)",
        "文档中的默认值改变（依赖它的程序请检查）",
    ),
    "requires.changed": _same(DOC, "the stated requirement changed", "使用条件说明改变"),
    "errmsg.changed": _same(
        DOC,
        "the errMsg text changed (programs match errCode)",
        "errMsg 文本改变（程序应按 errCode 判断）",
    ),
    "subject.changed": _same(DOC, "the errSubject changed", "errSubject 改变"),
    "tutorial.changed": _same(DOC, "the tutorial links changed", "教程链接改变"),
    "examples.changed": _same(DOC, "the examples changed", "示例改变"),
    "title.changed": _same(DOC, "the module title changed", "模块标题改变"),
    "docs-only.changed": _same(
        DOC,
        "the field is now (or no longer) only in the docs, not in the UTS interface",
        "字段现在（或不再）仅存在于文档中",
    ),
}  # fmt: skip


#: A platform key as an older version of the declarations spells it -> the key it means.
#: Reason for each: 0.7.92 writes ``unixvVer`` where later versions write ``unixVaporVer``
#: (uni-app x Vapor's minimum version, the same values: ``5.0``).
PLATFORM_KEY_ALIASES: Mapping[str, str] = {"unixvVer": "unixVaporVer"}


def classify(kind: str, direction: Direction) -> ChangeClass:
    """The class of a change of ``kind`` to an item whose values flow ``direction``."""
    rule = RULES[kind]
    if direction == "given":
        return rule.given
    if direction == "received":
        return rule.received
    return max(rule.given, rule.received)
