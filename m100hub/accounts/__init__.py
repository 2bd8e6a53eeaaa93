"""Accounts: sign-up with a stakeholder sector, e-mail confirmation, sign-in, profiles."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..extensions import login_manager
from ..features import Feature, Figure

bp = Blueprint("accounts", __name__, template_folder="templates")

from . import demo, personal_data, views  # noqa: E402,F401
from .models import User  # noqa: E402
from .queries import load_by_session_id  # noqa: E402

login_manager.user_loader(load_by_session_id)

feature = Feature(
    "accounts", blueprint=bp, models="m100hub.accounts.models",
    tasks=["m100hub.accounts.services"],
    # reset requests and sign-up notices whose task was lost: as often as the mail sweep
    beat={"accounts-address-requests": {"task": "accounts.sweep_address_requests",
                                        "schedule": "MAIL_SWEEP_SECONDS"}},
    rate_limits={
        "RATE_LIMIT_SIGN_IN": "10 per minute;50 per hour",
        # one account tried from anywhere (many addresses guessing one password)
        "RATE_LIMIT_SIGN_IN_ACCOUNT": "10 per minute;30 per hour",
        "RATE_LIMIT_SIGN_UP": "5 per minute;30 per hour",
        "RATE_LIMIT_RESET": "5 per minute;20 per hour",
    },
    # people who confirmed their address: those who can take part
    figures=[Figure(_l("people"), lambda: select(func.count(User.id)).where(
        User.email_confirmed_dt.is_not(None)).scalar_subquery(), order=10)],
    demo=demo.seed, personal_data=personal_data.PERSONAL_DATA,
)
