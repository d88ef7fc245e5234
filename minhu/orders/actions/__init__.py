"""Every state change of a work order goes through one ``do_*`` function here.

Each one locks the order, checks the transition table (state + role), checks the unit,
writes the order and its timeline event in one transaction, and queues notices with
``transaction.on_commit``. Views, the API and commands call these and nothing else
writes ``WorkOrder.state``.
"""

from .attachments import do_attach
from .closing import do_callback, do_citizen_rate, do_review_dissatisfaction
from .dispatch import (
    do_dispatch,
    do_forward,
    do_merge,
    do_reassign,
    do_review_extension,
    do_review_return,
)
from .handling import (
    do_reply,
    do_report_in,
    do_report_up,
    do_request_extension,
    do_return,
    do_sign,
    do_sub_dispatch,
    do_summon,
)
from .intake import Intake, do_answer_directly, do_citizen_reopen, do_register, do_withdraw
from .merging import do_unmerge
from .supervision import (
    do_escalate,
    do_mark_unreasonable,
    do_review_unreasonable,
    do_supervise,
    do_urge,
)
from .sweeps import send_daily_reminders, sweep_deadlines

__all__ = [
    "Intake", "do_answer_directly", "do_attach", "do_callback", "do_citizen_rate",
    "do_citizen_reopen", "do_dispatch",
    "do_escalate", "do_forward", "do_mark_unreasonable", "do_merge", "do_reassign",
    "do_register", "do_reply", "do_report_in", "do_report_up", "do_request_extension",
    "do_return", "do_review_dissatisfaction", "do_review_extension", "do_review_return",
    "do_review_unreasonable", "do_sign", "do_sub_dispatch", "do_summon", "do_supervise",
    "do_unmerge", "do_urge", "do_withdraw", "send_daily_reminders", "sweep_deadlines",
]
