"""Request-type cue words: how a citizen opens a request usually says what kind it is
("咨询…", "投诉…", "建议…", "举报…"). The model learns types from a corpus dominated by
complaints and reads long letters poorly, so a cue in the title or the opening sentence
decides the type; without a cue the model's answer stands.

Measured on the hand-labelled development set: the cues fire on about two thirds of the
requests and are right about 87 % of the time there (hence ``CUE_CONFIDENCE``).
"""

from __future__ import annotations

import re

CUE_CONFIDENCE = 0.85
OPENING_CHARS = 60

# Checked in this order: a 举报 that also says 投诉 is a report, a 投诉 that suggests is a
# complaint.
CUES: tuple[tuple[str, re.Pattern], ...] = tuple((code, re.compile(p)) for code, p in (
    ("report", r"举报"),
    ("praise", r"表扬|感谢信|点赞|致谢"),
    ("complaint", r"投诉"),
    ("suggestion", r"建议|呼吁|提议|希望.{0,8}(?:增设|增加|开通|修建|安装|设立|规划)"),
    ("consult", r"咨询|请问|想问|问一下|问问|是否|能否|可否|怎么办理|如何办理|怎么申请|如何申请"
                r"|需要什么|哪里办"),
    ("help", r"请求|求助|恳请|帮忙|帮帮|求救|急需|请.{0,4}解决"),
))
_OPENING = re.compile(r"[^。！？!?\n]*")


def opening(text: str, title: str = "") -> str:
    if title and title.strip():
        return title.strip()[:OPENING_CHARS]
    match = _OPENING.match((text or "").strip())
    return (match.group(0) if match else "")[:OPENING_CHARS]


def cue(text: str, title: str = "") -> tuple[str, str] | None:
    """(type code, the cue words) or None."""
    head = opening(text, title)
    for code, pattern in CUES:
        m = pattern.search(head)
        if m:
            return code, m.group(0)
    return None
