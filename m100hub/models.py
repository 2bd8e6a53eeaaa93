"""Every model, imported once so that metadata (and so migrations) sees them all."""

from .accounts.models import User  # noqa: F401
from .activity.models import ActivityEntry  # noqa: F401
from .cities.models import City  # noqa: F401
from .consultations.models import (  # noqa: F401
    Ballot,
    Comment,
    CommentVote,
    Consultation,
    Follower,
    Option,
    Participant,
    Proposal,
    Question,
    Support,
    Tally,
)
from .events.models import CalendarFeed, Event, EventOrganiser, Registration  # noqa: F401
from .forums.models import (  # noqa: F401
    Category,
    Post,
    PostRevision,
    Reaction,
    ReadMarker,
    Report,
    Subscription,
    Thread,
)
from .notifications.models import Notification  # noqa: F401
from .organisations.models import Membership, Organisation  # noqa: F401
