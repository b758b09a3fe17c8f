"""The compatibility columns of both flavours, as data.

A :class:`Column` names one ``@uniPlatform`` value (a platform and one of its keys) and the title
it shows under.  The dcloud flavour has a :class:`ColumnSet` per era of the uni-app x docs
(``shared/reference/uni-websocket-facts.md`` §1.5), selectable by name through
:data:`COLUMN_SETS`; :data:`DCLOUD_DEFAULT` is ``2026-04``, the set of DCloud's data file at
9416194a, which matches the pinned npm 0.7.122 (``2025`` is the seed page's).  The mkdocs flavour
shows :data:`MKDOCS_COLUMNS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from generator.spec.model import Lang, Text

__all__ = ["COLUMN_SETS", "DCLOUD_DEFAULT", "MKDOCS_COLUMNS", "Column", "ColumnSet", "column_set"]


@dataclass(frozen=True)
class Column:
    """One compatibility column: which ``@uniPlatform`` value it shows, under which title.

    An ``optional`` column (a UTS-plugin or Vapor split) is deleted from a dcloud table when none
    of its cells has a value; the others always show, with ``-`` where there is no data.
    ``short`` is the title in the mkdocs flavour's per-property badges, where room is scarce.
    """

    platform: str
    key: str
    title: Text
    optional: bool = False
    short: Text | None = None
    #: An OS-version column: a cell at or below this version (the platform's minimum for
    #: uni-app x), ``x`` or ``√`` says nothing the platform column does not, and shows ``-``.
    floor: str | None = None

    def short_title(self, lang: Lang) -> str:
        return (self.short or self.title).get(lang)


@dataclass(frozen=True)
class ColumnSet:
    """The compatibility columns of one era of the docs.

    ``help`` adds the ``<Help />`` component to compatibility headings; ``status`` adds the
    ``status`` the theme shows (computed over every column, before empty ones are deleted).

    ``whole_surface`` selects the conventions of the docs' generator for the whole surface
    (``utsApiJson.json`` of 2026, e.g. unidocs-uni-app-x-zh at 9416194a): the name section in a
    ``::: sourceCode`` block with the module's source links, optional parameters marked ``?``,
    an ``originName`` section, empty field cells ``x`` where the API is unsupported, and the
    参见 list of the 相关 Bug link, uni-app and WeChat links and the ten mini-program links.
    """

    name: str
    columns: tuple[Column, ...]
    help: bool = False
    status: bool = False
    whole_surface: bool = False


def _col(
    platform: str, key: str, zh: str, en: str, *, optional: bool = False, floor: str | None = None
) -> Column:
    return Column(platform, key, Text(zh, en), optional, floor=floor)


_UTS = "unixUtsPlugin"
_WEB = _col("web", "unixVer", "Web", "Web")
_WEIXIN = _col("mp.weixin", "unixVer", "微信小程序", "WeChat Mini Program")
_ANDROID = _col("app.android", "unixVer", "Android", "Android")
_ANDROID_UTS = _col(
    "app.android", _UTS, "Android uni-app x UTS 插件", "Android uni-app x UTS Plugin", optional=True
)
_IOS = _col("app.ios", "unixVer", "iOS", "iOS")
_IOS_UTS = _col(
    "app.ios", _UTS, "iOS uni-app x UTS 插件", "iOS uni-app x UTS Plugin", optional=True
)
_IOS_VDOM_UTS = _col("app.ios", _UTS, "iOS(VDOM) UTS 插件", "iOS(VDOM) UTS Plugin", optional=True)
_HARMONY = _col("app.harmony", "unixVer", "HarmonyOS", "HarmonyOS")
_HARMONY_VAPOR = _col(
    "app.harmony", "unixvVer", "HarmonyOS(Vapor)", "HarmonyOS(Vapor)", optional=True
)
_HARMONY_UTS = _col(
    "app.harmony",
    _UTS,
    "HarmonyOS uni-app x UTS 插件",
    "HarmonyOS uni-app x UTS Plugin",
    optional=True,
)
#: A platform's OS version (``osVer``), shown only where a cell needs more than the minimum
#: OS of uni-app x (Android 5.0, iOS 12.0, HarmonyOS 5.0.0(11)): DCloud's data at 9416194a
#: shows ``iOS 系统版本 15.0`` (virtual payment) and never the 1,535 cells ``12.0``.
_ANDROID_OS = _col(
    "app.android", "osVer", "Android 系统版本", "Android OS version", optional=True, floor="5.0"
)
_IOS_OS = _col("app.ios", "osVer", "iOS 系统版本", "iOS OS version", optional=True, floor="12.0")
_HARMONY_OS = _col(
    "app.harmony",
    "osVer",
    "HarmonyOS 系统版本",
    "HarmonyOS OS version",
    optional=True,
    floor="5.0.0(11)",
)
#: npm 0.7.122 spells the Vapor key ``unixVaporVer`` (``unixvVer`` in earlier declarations).
_HARMONY_VAPOR_2026 = _col(
    "app.harmony", "unixVaporVer", "HarmonyOS(Vapor)", "HarmonyOS(Vapor)", optional=True
)

#: Every column set the websocket page has been rendered with (§1.5), by name.
COLUMN_SETS: Mapping[str, ColumnSet] = {
    s.name: s
    for s in (
        ColumnSet("2024", (_WEB, _ANDROID, _IOS)),
        ColumnSet("2024-12", (_WEB, _WEIXIN, _ANDROID, _IOS)),
        ColumnSet("2025-01", (_WEB, _WEIXIN, _ANDROID, _ANDROID_UTS, _IOS, _IOS_UTS)),
        ColumnSet("2025", (_WEB, _WEIXIN, _ANDROID, _ANDROID_UTS, _IOS, _IOS_UTS, _HARMONY)),
        ColumnSet("2025-07", (_WEB, _WEIXIN, _ANDROID, _IOS, _IOS_UTS, _HARMONY)),
        ColumnSet(
            "2025-08", (_WEB, _WEIXIN, _ANDROID, _IOS, _IOS_VDOM_UTS, _HARMONY),
            help=True, status=True,
        ),
        ColumnSet(
            "2026", (_WEB, _WEIXIN, _ANDROID, _IOS, _IOS_VDOM_UTS, _HARMONY, _HARMONY_VAPOR),
            help=True, status=True,
        ),
        # the data file at 9416194a (2026-04-30), which matches npm 0.7.122: the whole surface
        ColumnSet(
            "2026-04",
            (
                _WEB, _WEIXIN, _ANDROID_OS, _ANDROID, _IOS_OS, _IOS, _IOS_UTS, _HARMONY_OS,
                _HARMONY, _HARMONY_UTS, _HARMONY_VAPOR_2026,
            ),
            whole_surface=True,
        ),
    )
}  # fmt: skip

#: The set of DCloud's data at 9416194a (2026-04-30), which matches npm 0.7.122, the pinned
#: version: it reproduces that data far better than the seed page's ``2025`` set (measured with
#: ``utsapi compare-data`` on the whole surface, 83.6% against 54.6% of the derivable facts).
DCLOUD_DEFAULT: ColumnSet = COLUMN_SETS["2026-04"]

#: The mkdocs flavour's columns: one per platform, uni-app x versions.
MKDOCS_COLUMNS: tuple[Column, ...] = (
    _WEB,
    Column(
        "mp.weixin",
        "unixVer",
        Text("微信小程序", "WeChat mini program"),
        short=Text("微信", "WeChat"),
    ),
    _ANDROID,
    _IOS,
    _HARMONY,
)


def column_set(name: str) -> ColumnSet:
    """The column set called ``name``; raises :class:`KeyError` naming the known ones."""
    try:
        return COLUMN_SETS[name]
    except KeyError:
        raise KeyError(
            f"unknown column set {name!r}; choose from {', '.join(COLUMN_SETS)}"
        ) from None
