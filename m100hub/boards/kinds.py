"""Activity verbs of the boards (moderation of cards)."""

from flask_babel import gettext as _

from ..activity.verbs import register_verb

register_verb("board_card_hidden", lambda f: _(
    "hid a card on the workshop board “%(target)s”", target=f["target"]))
register_verb("board_card_shown", lambda f: _(
    "restored a card on the workshop board “%(target)s”", target=f["target"]))
register_verb("board_card_reports_dismissed", lambda f: _(
    "kept a reported card on the workshop board “%(target)s” visible", target=f["target"]))
