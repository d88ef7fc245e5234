"""Turn an HTML form into an operation's typed input (the same schemas as the API)."""

import typing

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError

from minhu.core.errors import ValidationFailed

TRUE = {"1", "true", "on", "yes", "是"}


def _clean_text(value: str) -> str:
    """PostgreSQL cannot store NUL; lone surrogates cannot be encoded. Refuse both."""
    if "\x00" in value:
        raise ValidationFailed(gettext("输入内容含有不允许的字符，请删除后重试"),
                               code="bad_characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationFailed(gettext("输入内容含有无法识别的字符，请删除后重试"),
                               code="bad_characters") from None
    return value


def form_to_schema(schema, post) -> object:
    for key in post:
        for value in post.getlist(key):
            if isinstance(value, str):
                _clean_text(value)
    data = {}
    if "scores" in schema.model_fields:
        data["scores"] = {k[6:]: int(v) for k, v in post.items()
                          if k.startswith("score_") and v.isdigit()}
    for name, field in schema.model_fields.items():
        if name not in post or name == "scores":
            continue
        origin = typing.get_origin(field.annotation)
        args = typing.get_args(field.annotation)
        if origin is list or list in args:
            data[name] = [v for v in post.getlist(name) if v]
            continue
        raw = post.get(name, "")
        if field.annotation is bool or bool in args:
            data[name] = raw.lower() in TRUE
        elif raw == "" and not field.is_required():
            continue
        else:
            data[name] = raw
    try:
        return schema(**data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(x) for x in first.get("loc", ()))
        raise ValidationFailed(gettext("“%(field)s”填写不正确") % {
            "field": FIELD_LABELS.get(field, field)}, code="invalid_form")


FIELD_LABELS = {
    "content": _("诉求内容"), "reason": _("理由"), "note": _("说明"), "text": _("答复内容"),
    "lead_unit": _("主办单位"), "unit": _("单位"), "amount": _("延期量"),
    "satisfaction": _("满意度"), "resolved": _("是否解决"), "kind": _("方式"),
    "master": _("主单编号"), "answer": _("答复内容"),
}


CHOICE_LABELS = {
    "hours": _("小时"), "days": _("自然日"), "workdays": _("工作日"),
    "yes": _("已解决"), "partly": _("部分解决"), "no": _("未解决"),
    "satisfied": _("满意"), "basic": _("基本满意"), "dissatisfied": _("不满意"),
    "phone": _("电话催办"), "notice": _("催办单"), "interview": _("约谈"), "": _("（请选择）"),
}
MORE_LABELS = {
    "co_units": _("协办单位"), "sub_centre": _("分中心"), "category": _("分类（可改）"),
    "urgency": _("紧急程度（可改）"), "suggested_unit": _("建议改派单位"), "approve": _("同意"),
    "units": _("召集部门"), "due_at": _("子单期限"), "solved": _("已解决"),
    "handler_name": _("承办人"), "handler_phone": _("承办人电话"), "reached": _("已接通"),
    "reopen": _("重办（不勾选则办结）"), "scores": _("评分"),
}


def describe(schema) -> list[dict]:
    """Fields of an operation's schema as form widgets (used by the order page)."""
    out = []
    for name, field in schema.model_fields.items():
        if name == "scores":
            continue
        ann = field.annotation
        args = typing.get_args(ann)
        widget, choices = "text", []
        if ann is bool or bool in args:
            widget = "checkbox"
        elif typing.get_origin(ann) is typing.Literal:
            widget = "select"
            choices = [(v, CHOICE_LABELS.get(v, v)) for v in args]
        elif typing.get_origin(ann) is list or list in args:
            widget = "multi"
        elif ann is int:
            widget = "number"
        elif name in ("reason", "note", "text", "answer", "content"):
            widget = "textarea"
        elif "datetime" in str(ann):
            widget = "datetime"
        unit_like = name in ("lead_unit", "unit", "sub_centre", "suggested_unit", "co_units",
                             "units")
        out.append({
            "name": name, "label": FIELD_LABELS.get(name) or MORE_LABELS.get(name, name),
            "widget": widget, "choices": choices, "required": field.is_required(),
            "units": unit_like,
        })
    return out
