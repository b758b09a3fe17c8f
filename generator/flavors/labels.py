"""Every fixed word the docs and the reports print, per language, in one place.

``DCLOUD`` holds the dcloud flavour's words (:class:`Labels`, one per language, as the uni-app
x docs spell them); ``MKDOCS`` the mkdocs flavour's, ``RESULTS`` the conformance results page's
and ``PLATFORM_KEYS`` the names of a platform block's keys in a badge's tooltip, each a table of
:class:`~generator.spec.model.Text` by key that :func:`table` turns into one language's words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from generator.spec.model import Lang, Text

__all__ = ["DCLOUD", "MKDOCS", "PLATFORM_KEYS", "RESULTS", "Labels", "table"]


def table(texts: Mapping[str, Text], lang: Lang) -> dict[str, str]:
    """One language's words of ``texts``."""
    return {key: text.get(lang) for key, text in texts.items()}


@dataclass(frozen=True)
class Labels:
    """The fixed words of the dcloud Markdown, per language."""

    compatibility: str
    params: str
    name: str
    type: str
    required_param: str
    required_field: str
    default: str
    description: str
    yes: str
    no: str
    values_of: str  # "{name} 的属性值"
    methods_of: str  # "{name} 的方法"
    return_value: str
    valid_values: str
    see_also: str
    general_types: str
    deprecated: str  # "已废弃，使用 {replacement} 替换。"
    method_of: str  # "{owner} 的 {method}"
    bugs: str  # the 相关 Bug link
    uni_app_docs: str  # a @tutorial_uni_app link
    weixin_docs: str  # a @tutorial_weixin link, or the WeChat search link
    #: the ten mini-program "see also" links, in the docs' order (see dcloud.VENDOR_LINKS)
    vendors: tuple[str, ...] = ()


DCLOUD: Mapping[Lang, Labels] = {
    "zh": Labels(
        compatibility="兼容性", params="参数", name="名称", type="类型", required_param="必填",
        required_field="必备", default="默认值", description="描述", yes="是", no="否",
        values_of="{name} 的属性值", methods_of="{name} 的方法", return_value="返回值",
        valid_values="合法值", see_also="参见", general_types="通用类型",
        deprecated="已废弃，使用 {replacement} 替换。", method_of="{owner} 的 {method}",
        bugs="相关 Bug", uni_app_docs="参见uni-app相关文档", weixin_docs="微信小程序文档",
        vendors=(
            "支付宝小程序文档", "百度小程序文档", "抖音小程序文档", "飞书小程序文档",
            "钉钉小程序文档", "QQ小程序文档", "快手小程序文档", "京东小程序文档", "华为快应用文档",
            "360小程序文档",
        ),
    ),
    "en": Labels(
        compatibility="Compatibility", params="Parameters", name="Name", type="Type",
        required_param="Required", required_field="Required", default="Default",
        description="Description", yes="Yes", no="No", values_of="{name} Values",
        methods_of="{name} Methods", return_value="Return value", valid_values="Valid values",
        see_also="See also", general_types="General types",
        deprecated="Deprecated; use {replacement} instead.", method_of="{owner}'s {method}",
        bugs="Related bugs", uni_app_docs="uni-app docs", weixin_docs="WeChat mini program docs",
        vendors=(
            "Alipay mini program docs", "Baidu smart program docs", "Douyin mini program docs",
            "Feishu mini program docs", "DingTalk mini program docs", "QQ mini program docs",
            "Kuaishou mini program docs", "JD mini program docs", "Huawei quick app docs",
            "360 mini program docs",
        ),
    ),
}  # fmt: skip

#: The mkdocs flavour's words; ``{name}`` and the like are filled by the view.
MKDOCS: Mapping[str, Text] = {
    "compatibility": Text("兼容性", "Compatibility"),
    "compat_heading": Text("{name} 兼容性", "{name} compatibility"),
    "properties": Text("属性", "Properties"),
    "kind": Text("种类", "Kind"),
    "parameters": Text("参数", "Parameters"),
    "name": Text("名称", "Name"),
    "type": Text("类型", "Type"),
    "required": Text("必填", "Required"),
    "required_field": Text("必备", "Required"),
    "default": Text("默认值", "Default"),
    "description": Text("描述", "Description"),
    "yes": Text("是", "Yes"),
    "no": Text("否", "No"),
    "properties_of": Text("{name} 的属性值", "{name} properties"),
    "methods_of": Text("{name} 的方法", "{name} methods"),
    "nested_of": Text("{param} 的属性（{type}）", "Properties of {param} ({type})"),
    "values_of": Text("{name} 的合法值", "Valid values of {name}"),
    "value": Text("合法值", "Value"),
    "return_value": Text("返回值", "Return value"),
    "see_also": Text("参见", "See also"),
    "deprecated": Text("已废弃", "Deprecated"),
    "use_instead": Text("请改用 {replacement}。", "Use {replacement} instead."),
    "deprecated_since": Text("自 {since} 起废弃。", "Deprecated since {since}."),
    "general_types": Text("通用类型", "General types"),
    "rules": Text("行为规则", "Conformance rules"),
    "rule": Text("规则", "Rule"),
    "level": Text("级别", "Level"),
    "requirement": Text("要求", "Requirement"),
    "example": Text("示例", "Example"),
    "preview": Text("在线预览", "Live preview"),
    "open_in_app": Text("在 App 中打开", "Open in the app"),
    "source": Text("源码", "Source"),
    "methods": Text("方法", "Methods"),
    "error_codes": Text("错误码", "Error codes"),
    "code": Text("错误码", "Code"),
    "subject": Text("错误主题", "Error subject"),
    "extends": Text("继承自", "Extends"),
    "alias_of": Text("类型别名", "Type alias"),
    "object_type": Text("对象类型", "Object type"),
    "interface_type": Text("接口", "Interface"),
    "error_codes_type": Text("错误码类型", "Error code type"),
    "types": Text("类型", "Types"),
    "types_intro": Text(
        "规范中每个具名类型各有一页。", "Each named type of the spec has a page of its own."
    ),
    "used_by": Text("用于", "Used by"),
    "general": Text("通用", "general"),
    "module": Text("模块", "Module"),
}

#: How the keys of a platform block are named in a badge's tooltip.
PLATFORM_KEYS: Mapping[str, Text] = {
    "unixVer": Text("uni-app x", "uni-app x"),
    "unixvVer": Text("uni-app x Vapor", "uni-app x Vapor"),
    "unixUtsPlugin": Text("UTS 插件", "UTS plugin"),
    "uniVer": Text("uni-app", "uni-app"),
    "osVer": Text("系统版本", "OS version"),
    "hostVer": Text("宿主版本", "host version"),
}

#: The words of the conformance results page.
RESULTS: Mapping[str, Text] = {
    "no_results": Text(
        "还没有一致性测试结果。运行 `utsapi conformance run --impl MODULE:ATTR --json {path}` "
        "后重新构建站点。",
        "No conformance results yet. Run `utsapi conformance run --impl MODULE:ATTR --json "
        "{path}` and rebuild the site.",
    ),
    "unreadable": Text(
        "无法读取一致性测试报告 `{path}`：{problem}",
        "The conformance report `{path}` could not be read: {problem}",
    ),
    "not_report": Text("不是 utsapi 一致性测试报告", "not a utsapi conformance report"),
    "implementation": Text("实现", "Implementation"),
    "profile": Text("配置", "Profile"),
    "started": Text("运行时间", "Run at"),
    "conformant": Text("是否符合", "Conformant"),
    "yes": Text("是", "yes"),
    "no": Text("否", "no"),
    "verdict": Text("结论", "Verdict"),
    "count": Text("数量", "Count"),
    "case": Text("用例", "Case"),
    "level": Text("级别", "Level"),
    "title": Text("规则", "Rule"),
    "message": Text("说明", "Details"),
    "duration": Text("耗时 (s)", "Time (s)"),
    "summary": Text("汇总", "Summary"),
    "results": Text("逐条结果", "Results"),
}
