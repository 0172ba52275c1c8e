"""What recruiting tells later stages. Listeners (LMS, QM) connect here; recruiting imports none.

Both are sent inside the transaction that made the change, after it is flushed: a listener's own
writes commit or roll back together with the move that caused them.
"""

from blinker import Namespace

_signals = Namespace()

# sender: the Application; kwargs: from_stage, to_stage, actor (User or None), reason
stage_changed = _signals.signal("stage-changed")
# sender: the Application; kwargs: user (the new agent), actor
hired = _signals.signal("hired")
