"""Activity verbs of cities."""

from flask_babel import gettext as _

from ..activity.verbs import register_verb

register_verb("city_created", lambda f: _("added the city %(target)s", target=f["target"]))
register_verb("city_updated", lambda f: _("updated the city %(target)s", target=f["target"]))
