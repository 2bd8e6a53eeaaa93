"""Activity verbs of account deletion: the public log says that an account was deleted and
by whose decision, never whose account it was."""

from flask_babel import gettext as _

from ..activity.verbs import register_verb

register_verb("account_deleted", lambda f: _("deleted an account at its owner's request"))
register_verb("account_erased",
              lambda f: _("deleted an account at its owner's request to the secretariat"))
