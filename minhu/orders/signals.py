"""Signals about an order's timeline, for the apps that follow orders from outside.

``event_recorded`` is sent inside the action's transaction, right after the timeline
event is written: receivers may only write rows of their own (an outbox entry), so they
commit or roll back with the change itself; they must not talk to the outside world.

``event_committed`` is sent after the transaction commits (``on_commit``): receivers may
queue jobs or messages (an SMS to the citizen), knowing the change really happened.
Both pass ``order`` (the WorkOrder as saved) and ``event`` (the TimelineEvent).
"""

from django.dispatch import Signal

event_recorded = Signal()
event_committed = Signal()
