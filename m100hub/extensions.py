"""Extension objects, created unbound; ``create_app`` binds them. Imports no app code."""

from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from flask import g, has_request_context, request
from flask_babel import Babel
from flask_caching import Cache
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


#: set (database.get_writes_follow) when a GET request goes on to write
GET_WRITES = "m100_get_writes"
_READING_ENGINES: WeakKeyDictionary[Engine, Engine] = WeakKeyDictionary()


class RequestSession(Session):
    """``db.session``: on PostgreSQL, a page's reads (a view's GET or HEAD request) run
    without a transaction (autocommit), so no BEGIN and no ROLLBACK go to the server: two
    round trips less per page, and about half of PostgreSQL's CPU for a signed-in page. A
    GET writes nothing (a test listener checks it), save the thread page's read marker,
    which says so first and gets a transaction of its own. Socket.IO handlers (no view's
    address) and everything outside requests keep their transactions."""

    def get_bind(self, mapper: Any = None, clause: Any = None,
                 bind: Engine | Connection | None = None, **kwargs: Any) -> Engine | Connection:
        found = super().get_bind(mapper, clause, bind, **kwargs)
        if not (isinstance(found, Engine) and found.dialect.name == "postgresql"
                and has_request_context() and request.method in ("GET", "HEAD")
                and request.url_rule is not None and not g.get(GET_WRITES)):
            return found
        reading = _READING_ENGINES.get(found)
        if reading is None:  # one per engine: the session keeps a connection per bind
            reading = _READING_ENGINES[found] = found.execution_options(
                isolation_level="AUTOCOMMIT")
        return reading


db = SQLAlchemy(model_class=Base, session_options={"class_": RequestSession})

# The base of every model. A type checker cannot take an attribute (``db.Model``) as a base
# class; to it, ``Model`` is the declarative base that Flask-SQLAlchemy builds db.Model on.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model

migrate = Migrate()
compress = Compress()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
socketio = SocketIO()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
#: whole pages for visitors without a session (page_cache.py configures it)
cache = Cache()
