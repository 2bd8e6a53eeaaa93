"""Account writes. They flush; the view commits (and e-mail leaves after the commit)."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from .. import mail
from ..celery_app import enqueue
from ..database import after_commit, commit, rows_changed, utcnow
from ..extensions import db
from ..util import absolute_url, slugify
from . import tokens
from .models import AddressRequest, Sector, User, is_reserved_handle, new_session_token

# Checked when no account matches, so a wrong e-mail costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password-m100")


class EmailTaken(Exception):
    pass


class HandleTaken(Exception):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def normalise_handle(handle: str) -> str:
    return handle.strip().lower()


def unique_handle(name: str) -> str:
    """``Maria Popescu`` → ``maria.popescu`` (then ``maria.popescu2``… when taken; a
    reserved one is prefixed: ``Primăria Cluj`` → ``persoana.primaria.cluj``)."""
    base = slugify(name, max_length=24).replace("-", ".").strip(".") or "persoana"
    if is_reserved_handle(base):
        base = f"persoana.{base}"[:24].rstrip("._")
    taken = set(db.session.scalars(select(User.handle).where(User.handle.startswith(base))))
    candidate, n = base, 1
    while candidate in taken or is_reserved_handle(candidate):  # "M": m2…m99, m101
        n += 1
        candidate = f"{base}{n}"
    return candidate


def create_user(display_name, email, password, sector, home_city_id=None, locale="ro",
                accepted: bool = False) -> User:
    """A new account; ``accepted``: they accepted the current terms and privacy notice.

    The password is hashed before the first query: on SQLite a writing request's transaction
    (and its write lock) begins there, and the slow hash must not hold the lock every other
    writer waits for. Whether the address is taken or not, the same work is done: timing
    tells nothing."""
    email = normalise_email(email)
    password_hash = generate_password_hash(password)
    if db.session.scalar(select(func.count()).where(User.email == email)):
        raise EmailTaken(email)
    user = User(
        display_name=display_name.strip(),
        handle=unique_handle(display_name),
        email=email,
        password_hash=password_hash,
        sector=Sector(sector),
        home_city_id=home_city_id or None,
        locale=locale,
    )
    if accepted:
        record_acceptance(user)
    db.session.add(user)
    db.session.flush()
    return user


def outdated_documents(user) -> list[str]:
    """"terms" and/or "privacy" when the person has not accepted their current versions."""
    config = current_app.config
    return [name for name, accepted in (("terms", user.terms_version),
                                        ("privacy", user.privacy_version))
            if accepted != config[f"{name.upper()}_VERSION"]]


def current_acceptance() -> dict:
    """The columns of a person who accepts the current terms and privacy notice now."""
    now, config = utcnow(), current_app.config
    return {"terms_version": config["TERMS_VERSION"], "terms_accepted_dt": now,
            "privacy_version": config["PRIVACY_VERSION"], "privacy_accepted_dt": now}


def record_acceptance(user: User) -> None:
    """The person accepted the current terms of use and privacy notice, now."""
    for column, value in current_acceptance().items():
        setattr(user, column, value)
    db.session.flush()


def authenticate(email: str, password: str) -> User | None:
    user = find_by_email(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def end_sessions(user: User) -> None:
    """A new session token: every session and remember cookie of the account stops working,
    copied ones included (signing out)."""
    user.session_token = new_session_token()
    db.session.flush()


def set_password(user: User, password: str) -> None:
    """New hash and a new session token: every other session of the account ends."""
    user.password_hash = generate_password_hash(password)
    user.session_token = new_session_token()
    db.session.flush()


def confirm_email(user: User) -> bool:
    """Mark the address confirmed, and no longer bouncing (the link reached its person);
    True for the one call that confirmed it (a conditional UPDATE: of two presses of one
    link, even at once, one only confirms)."""
    confirmed_now = rows_changed(
        update(User).where(User.id == user.id, User.email_confirmed_dt.is_(None))
        .values(email_confirmed_dt=utcnow())) == 1
    db.session.refresh(user, ["email_confirmed_dt"])
    mail.clear_bounce(user.email)
    return confirmed_now


def _send_link(user: User, endpoint: str, token: str, subject, template: str) -> None:
    """E-mail the person a signed link, in their language, once the transaction commits —
    even to a bouncing address: the person asked for it, and it is how they confirm the
    address again."""
    link = absolute_url(endpoint, token=token)
    with force_locale(user.locale):
        subject = str(subject)
    mail.queue(mail.compose(user.email, subject, template, user.locale, user=user,
                            link=link), despite_bounce=True)


def send_confirmation(user: User) -> None:
    _send_link(user, "accounts.confirm", tokens.confirm_token(user),
               _l("Confirm your e-mail address for M100 Hub"), "confirm")


def request_password_reset(email: str) -> None:
    """Whether or not an account has this address, the request does the same work: it writes
    one AddressRequest row, and one task is queued after the commit. The task looks the
    address up, so timing tells nobody anything; the row keeps the request through Redis
    being down (the sweep then does it)."""
    _request_for_address("reset", email)


def tell_owner_of_signup(email: str) -> None:
    """Sign-up with an address that has an account: the visitor sees what any sign-up sees;
    the owner gets an e-mail (sign in, or reset the password), after the commit."""
    _request_for_address("signup_exists", email)


def _request_for_address(kind: str, email: str) -> None:
    request = AddressRequest(kind=kind, email=normalise_email(email))
    db.session.add(request)
    db.session.flush()
    request_id = request.id
    after_commit(lambda: enqueue(answer_address_requests, [request_id]))


#: address requests one run answers at most
ADDRESS_REQUEST_BATCH = 100


def answer_requests(ids: list[int] | None) -> int:
    """Take the requests (these, or for the sweep those older than MAIL_SWEEP_SECONDS),
    deleting them, and write their e-mails to the outbox in the same transaction; returns
    how many were taken. A request another run took (and deleted) is not found again; a run
    that dies before its commit leaves its requests for the sweep."""
    taken = select(AddressRequest.id).order_by(AddressRequest.id).limit(ADDRESS_REQUEST_BATCH)
    if ids is None:
        grace = timedelta(seconds=current_app.config["MAIL_SWEEP_SECONDS"])
        taken = taken.where(AddressRequest.created_dt <= utcnow() - grace)
    else:
        taken = taken.where(AddressRequest.id.in_(ids))
    requests = db.session.execute(
        delete(AddressRequest).where(AddressRequest.id.in_(taken.scalar_subquery()))
        .returning(AddressRequest.kind, AddressRequest.email)).all()
    for kind, email in requests:
        (_write_reset_link if kind == "reset" else _write_signup_notice)(email)
    commit()
    return len(requests)


@shared_task(name="accounts.answer_address_requests")
def answer_address_requests(ids: list[int]) -> int:
    """Answer these requests (queued after the commit that wrote them)."""
    return answer_requests(ids)


@shared_task(name="accounts.sweep_address_requests")
def sweep_address_requests() -> int:
    """Answer the requests whose task was lost (Redis down, a worker killed)."""
    answered = 0
    while (taken := answer_requests(None)) > 0:
        answered += taken
        if taken < ADDRESS_REQUEST_BATCH:
            break
    return answered


#: a sign-up repeated this soon after the one that made the still unconfirmed account is the
#: same person's double click or retried request: its confirmation e-mail is on its way
SIGNUP_REPEAT_SECONDS = 120


def _repeats_a_fresh_signup(user: User) -> bool:
    return (not user.is_confirmed
            and utcnow() - user.created_dt < timedelta(seconds=SIGNUP_REPEAT_SECONDS))


def _write_signup_notice(email: str) -> None:
    user = find_by_email(email)
    if user is not None and not _repeats_a_fresh_signup(user):
        with force_locale(user.locale):
            message = mail.compose(
                user.email, _l("Someone tried to sign up with your address on M100 Hub"),
                "signup_exists", user.locale, user=user, login=absolute_url("accounts.login"),
                reset=absolute_url("accounts.forgot_password"))
        mail.queue(message)


def _write_reset_link(email: str) -> None:
    """The reset link goes even to a bouncing address: its person asked for it."""
    user = find_by_email(email)
    if user is not None:
        link = absolute_url("accounts.reset_password", token=tokens.reset_token(user))
        with force_locale(user.locale):
            message = mail.compose(user.email, _l("Reset your M100 Hub password"), "reset",
                                   user.locale, user=user, link=link)
        mail.queue(message, despite_bounce=True)


def update_profile(user: User, display_name, handle, sector, home_city_id, locale, bio) -> None:
    """HandleTaken when someone has the handle: the database's unique constraint decides (in
    any letter case, as handles are stored lower-cased); the caller rolls back."""
    user.display_name = display_name.strip()
    user.handle = handle = normalise_handle(handle)
    user.sector = Sector(sector)
    user.home_city_id = home_city_id or None
    user.locale = locale
    user.bio = (bio or "").strip()
    try:
        db.session.flush()
    except IntegrityError as exc:
        if "handle" not in str(exc.orig):
            raise
        raise HandleTaken(handle) from exc


def set_locale(user: User, language: str) -> None:
    user.locale = language
    db.session.flush()
