"""Published figures the app starts from until the client's own numbers replace them.

Each default names where it comes from, so a consultant can say so in the room.
Both the Model page (threshold by money) and the ROI page (expected churn with a
programme) start from the same retention success rate.
"""

from __future__ import annotations

#: Share of the at-risk customers a timely retention contact keeps: 67 %, the
#: "successful intervention" figure practitioners report for AI-based churn work
#: (Norwegian industry guide to churn prevention, in ``shared/seeds/004``). It is a
#: reported average from good programmes, so the pages say where it comes from and
#: invite the client's own campaign results instead.
RETENTION_SUCCESS_RATE = 0.67
