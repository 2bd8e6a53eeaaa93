"""Reading consultations: each page a fixed handful of queries, whatever the turnout."""

from __future__ import annotations

from collections import defaultdict
from functools import cache, lru_cache
from typing import NamedTuple

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    ScalarSelect,
    Select,
    and_,
    bindparam,
    case,
    cast,
    func,
    null,
    or_,
    select,
    true,
)
from sqlalchemy.orm import joinedload, selectinload, with_expression

from ..database import json_rows, reader_param, utcnow
from ..extensions import db
from ..features import Registry, found_sections, registry, section_probes
from ..organisations.queries import official_city_ids_column, read_city_ids
from ..pagination import PreparedPage, paged, paginate, prepared_page
from .models import (
    FOLLOWS,
    Ballot,
    Comment,
    CommentVote,
    Consultation,
    Follower,
    Participant,
    Proposal,
    ProposalStatus,
    Question,
    Support,
    Tally,
)

PER_PAGE = 20
PROPOSALS_PER_PAGE = 20
COMMENTS_PER_PAGE = 25
#: the discussion's orders: most agreed first, newest first, oldest first
COMMENT_ORDERS = ("best", "new", "old")

#: list filters: phase name → condition on announced consultations
PHASE_FILTERS = ("open", "upcoming", "closed")


def _phase_condition(name: str, now):
    return {
        "open": and_(Consultation.opens_dt <= now, Consultation.closes_dt > now),
        "upcoming": Consultation.opens_dt > now,
        "closed": Consultation.closes_dt <= now,
    }[name]


def listing(page: int, phase: str = "", city_id: int | None = None, sector: str = "",
            manageable: tuple[bool, set[int]] = (False, set())):
    """Announced consultations (and the drafts the reader manages: ``manageable`` is
    (is admin, official city ids)), open ones first, then upcoming, then closed."""
    now = utcnow()
    is_admin, city_ids = manageable
    visible: ColumnElement[bool] = Consultation.announced_dt.is_not(None)
    if is_admin:
        visible = true()
    elif city_ids:
        visible = or_(visible, Consultation.city_id.in_(city_ids))
    stmt = filtered(select(Consultation).options(joinedload(Consultation.city)).where(visible),
                    phase, sector, now)
    if city_id:
        stmt = stmt.where(Consultation.city_id == city_id)
    rank = case((Consultation.announced_dt.is_(None), 0),
                (_phase_condition("open", now), 1), (Consultation.opens_dt > now, 2), else_=3)
    stmt = stmt.order_by(rank, Consultation.closes_dt.desc(), Consultation.id.desc())
    return paginate(stmt, page, PER_PAGE)


def filtered(stmt, phase: str = "", sector: str = "", now=None):
    """``stmt`` of the consultations in a phase ("open", "upcoming", "closed": announced ones)
    and about a sector, when asked."""
    if phase in PHASE_FILTERS:
        stmt = stmt.where(Consultation.announced_dt.is_not(None),
                          _phase_condition(phase, now or utcnow()))
    if sector:
        # sectors is a short JSON list of words; a quoted match is exact and portable
        stmt = stmt.where(db.cast(Consultation.sectors, db.String).contains(f'"{sector}"'))
    return stmt


def consultation(consultation_id: int) -> Consultation | None:
    """The consultation with its city."""
    return db.session.scalar(_consultation_statement(False),
                             {"consultation_id": consultation_id})


def consultation_read_by(consultation_id: int,
                         viewer_id: int) -> tuple[Consultation | None, set[int]]:
    """The consultation with its city and whether that person follows it
    (Consultation.viewer_follows), and the ids of the cities they are an official of
    (organisations' official_city_ids: may they run it?), all in one query."""
    row = db.session.execute(_consultation_statement(True),
                             {"consultation_id": consultation_id,
                              "reader_id": viewer_id}).first()
    return (row[0], read_city_ids(row[1])) if row else (None, set())


#: the consultation page's slot of other features' sections (features.page_sections)
CONSULTATION_SLOT = "consultation"


class ConsultationPage(NamedTuple):
    """What a consultation's page reads in one statement: the consultation (None: there is
    none), the cities the reader is an official of, and what the page's sections have (their
    probes: ``features.Section.probe``)."""

    consultation: Consultation | None
    official_of: set[int]
    found_sections: dict
    top_proposals: list[TopProposal]


def consultation_page(consultation_id: int, viewer_id: int | None) -> ConsultationPage:
    """consultation() (or consultation_read_by() with ``viewer_id``) with its top proposals
    and the answers of the page's section probes in the same statement: a section with
    nothing about the consultation (threads about it, contract actions it led to: most have
    none) asks no query of its own. A signed-in page asks four statements instead of seven
    (the person, this, the questions, the comments), an anonymous one three instead of six."""
    with_reader = viewer_id is not None
    row = db.session.execute(_consultation_page_statement(registry(), with_reader),
                             {"consultation_id": consultation_id,
                              "reader_id": viewer_id}).first()
    if row is None:
        return ConsultationPage(None, set(), {}, [])
    probed = 3 if with_reader else 2
    return ConsultationPage(row[0], read_city_ids(row[1]) if with_reader else set(),
                            found_sections(CONSULTATION_SLOT, row[probed:]),
                            _read_top_proposals(row[probed - 1]))


@lru_cache(maxsize=16)
def _consultation_page_statement(features: Registry, with_reader: bool) -> Select:
    """consultation_page()'s statement, built once per app's features (whose sections'
    probes it asks)."""
    return _consultation_statement(with_reader).add_columns(
        _top_proposals_column(), *section_probes(CONSULTATION_SLOT, Consultation.id))


@cache
def _consultation_statement(with_reader: bool) -> Select:
    """consultation()'s statement, built once (with the reader's state or without): a
    consultation's page asks it on every request, and building a SELECT with its loader
    options and its cache key costs about as much CPU as running it. With the reader, the
    cities they are an official of come beside it (a column, not a loaded attribute: a value
    never kept on the row for another reader), one query and one ORM execution fewer per
    signed-in page: Python calls per page 24.4k → 24.1k (bench seed, in-process loop)."""
    options: list = [joinedload(Consultation.city)]
    stmt = select(Consultation)
    if with_reader:
        options.append(with_expression(Consultation.viewer_follows,
                                       FOLLOWS.exists(reader_param(), Consultation.id)))
        stmt = stmt.add_columns(official_city_ids_column(reader_param()))
    return stmt.options(*options).where(Consultation.id == bindparam("consultation_id"))


def questions(consultation_id: int, viewer_id: int | None = None) -> list[Question]:
    """The questions in order, each with its options (one query); with ``viewer_id``, that
    person's own choice key (Question.viewer_choice, shown to them alone)."""
    return list(db.session.scalars(_questions_statement(viewer_id is not None),
                                   {"consultation_id": consultation_id,
                                    "reader_id": viewer_id}).unique())


@cache
def _questions_statement(with_reader: bool) -> Select:
    """questions()'s statement, built once (see _consultation_statement)."""
    options: list = [joinedload(Question.options)]
    if with_reader:
        options.append(with_expression(Question.viewer_choice, select(Ballot.choice_key).where(
            Ballot.question_id == Question.id, Ballot.user_id == reader_param())
            .scalar_subquery()))
    return (select(Question).options(*options)
            .where(Question.consultation_id == bindparam("consultation_id"))
            .order_by(Question.position, Question.id)
            .execution_options(populate_existing=True))


def question(consultation_id: int, question_id: int) -> Question | None:
    return db.session.scalar(select(Question).options(selectinload(Question.options)).where(
        Question.id == question_id, Question.consultation_id == consultation_id)
        .execution_options(populate_existing=True))


def tallies(question_ids: list[int]) -> dict[int, list[tuple[str, str, int]]]:
    """Every question's tally rows: as many as distinct choices × sectors, never ballots."""
    found: dict[int, list[tuple[str, str, int]]] = defaultdict(list)
    if question_ids:
        rows = db.session.execute(select(Tally.question_id, Tally.choice_key, Tally.sector,
                                         Tally.count)
                                  .where(Tally.question_id.in_(question_ids), Tally.count > 0))
        for question_id, key, sector, count in rows:
            found[question_id].append((key, str(sector), count))
    return found


def proposals(consultation_id: int, page: int, order: str = "supports", per_page: int = 0):
    return prepared_page(_proposals_statement(order == "new"), {"consultation_id": consultation_id},
                         page, per_page or PROPOSALS_PER_PAGE, counted=True)


@cache
def _proposals_statement(newest_first: bool) -> Select:
    """proposals()'s statement, built once per order (see _consultation_statement)."""
    return paged(select(Proposal).options(joinedload(Proposal.author))
                 .where(Proposal.consultation_id == bindparam("consultation_id"))
                 .order_by(*_proposal_order(newest_first)), counted=True)


def _proposal_order(newest_first: bool) -> tuple:
    """Proposals newest first, or most supported first (then newest)."""
    by = ((Proposal.created_dt.desc(),) if newest_first
          else (Proposal.support_count.desc(), Proposal.created_dt.desc()))
    return (*by, Proposal.id)


#: how many proposals the consultation's page shows
TOP_PROPOSALS = 5


class TopProposal(NamedTuple):
    """A proposal as the consultation's page lists it: its title, supports and status only
    (no author, no count beside them: the page says Consultation.proposal_count)."""

    id: int
    title: str
    support_count: int
    status: ProposalStatus


def top_proposals(consultation_id: int) -> list[TopProposal]:
    """The most supported proposals (proposals()' order), for the consultation's page when
    consultation_page() did not read them."""
    return _read_top_proposals(db.session.scalar(_top_proposals_statement(),
                                                 {"consultation_id": consultation_id}))


@cache
def _top_proposals_statement() -> Select:
    return select(_top_proposals_column())


@cache
def _top_proposals_column() -> ScalarSelect:
    """The top proposals of ``:consultation_id`` as one JSON column (database.json_rows) of
    the page's statement, each with its place in proposals()' order: one ORM statement less
    per page (top_proposals' own statement and its rows cost ~0.4 ms of Python)."""
    top = (select(Proposal.id, Proposal.title, Proposal.support_count, Proposal.status,
                  func.row_number().over(order_by=_proposal_order(False)).label("place"))
           .where(Proposal.consultation_id == bindparam("consultation_id"))
           .order_by(*_proposal_order(False)).limit(TOP_PROPOSALS).subquery())
    return select(json_rows(top.c.place, top.c.id, top.c.title, top.c.support_count,
                            top.c.status)).scalar_subquery()


def _read_top_proposals(rows: list | None) -> list[TopProposal]:
    return [TopProposal(ident, title, supports, ProposalStatus(status))
            for _place, ident, title, supports, status in sorted(rows or ())]


def proposal(proposal_id: int) -> Proposal | None:
    return db.session.scalar(select(Proposal).options(joinedload(Proposal.author))
                             .where(Proposal.id == proposal_id))


def supported(user_id: int, proposal_ids: list[int]) -> set[int]:
    if not proposal_ids:
        return set()
    return set(db.session.scalars(select(Support.proposal_id).where(
        Support.user_id == user_id, Support.proposal_id.in_(proposal_ids))))


def _comment_order(order: str) -> tuple:
    """Top-level comments: by score (most agreed first), newest or oldest first."""
    if order == "new":
        return (Comment.id.desc(),)
    if order == "old":
        return (Comment.id,)
    return ((Comment.up_count - Comment.down_count).desc(), Comment.id)


def _discussion(consultation_id: int, proposal_id: int | None):
    return and_(Comment.consultation_id == consultation_id,
                Comment.proposal_id == proposal_id if proposal_id
                else Comment.proposal_id.is_(None))


def comments(consultation_id: int, proposal_id: int | None, order: str = "best",
             page: int = 1, viewer_id: int | None = None):
    """A page of the discussion: COMMENTS_PER_PAGE top-level comments (by score, newest or
    oldest first), each with all its replies as a tree (replies in the order they were
    written). One query, whatever the discussion's length (_discussion_statement)."""
    with_reader, order = viewer_id is not None, order if order in ("new", "old") else "best"
    return DiscussionPage(
        select=_discussion_statement(order, proposal_id is not None, with_reader),
        params={"consultation_id": consultation_id, "proposal_id": proposal_id,
                "reader_id": viewer_id},
        counted=True, session=db.session(), page=page, per_page=COMMENTS_PER_PAGE,
        error_out=False, count=True)


class DiscussionPage(PreparedPage):
    """A page of top-level comments read with all their replies (_discussion_statement's
    rows: the comment, its place on the page — none for a reply — and the count of all the
    top-level comments); each comment gets its ``replies``."""

    def _query_items(self) -> list[Comment]:
        rows = self._rows(self.per_page, self._query_offset).all()
        top = [row[0] for row in rows if row[1] is not None]  # first, in their order
        self._counted(rows[:1])
        children: dict[int | None, list[Comment]] = defaultdict(list)
        for row in rows[len(top):]:  # the replies, in the order they were written
            children[row[0].parent_id].append(row[0])
        for row in rows:
            row[0].replies = children[row[0].id]
        return top


def _comment_loads(with_reader: bool) -> list:
    loads: list = [joinedload(Comment.author)]
    if with_reader:  # the reader's own votes come with the comments
        loads.append(with_expression(Comment.viewer_vote, func.coalesce(
            select(CommentVote.value).where(CommentVote.comment_id == Comment.id,
                                            CommentVote.user_id == reader_param())
            .scalar_subquery(), 0)))
    return loads


@cache
def _discussion_statement(order: str, of_proposal: bool, with_reader: bool) -> Select:
    """comments()' statement, built once per order, kind of discussion and reader state (see
    _consultation_statement): a recursive CTE whose first rows are the page of top-level
    comments (with their place in the order and the window count of them all; LIMIT and
    OFFSET bound as pagination.paged's), then all their replies down the chains of replies,
    however long; each comment with its author (and the reader's vote). One round trip and one
    ORM execution instead of two (the page, then the replies): Python calls per signed-in
    consultation page 25.1k → 24.4k (bench seed, in-process loop); PostgreSQL's planning and
    execution about those of the two (EXPLAIN ANALYZE: ~0.7 ms both ways at load 10). The
    place and count travel in the CTE's rows, so the page is not joined a second time."""
    by = _comment_order(order)
    discussion = and_(Comment.consultation_id == bindparam("consultation_id"),
                      Comment.proposal_id == bindparam("proposal_id") if of_proposal
                      else Comment.proposal_id.is_(None))
    page = (select(Comment.id, func.row_number().over(order_by=by).label("place"),
                   func.count().over().label("total"))
            .where(discussion, Comment.parent_id.is_(None)).order_by(*by)
            .limit(bindparam("page_limit", type_=Integer))
            .offset(bindparam("page_offset", type_=Integer)).subquery("page"))
    tree = select(page.c.id, page.c.place, page.c.total).cte("tree", recursive=True)
    no_place = cast(null(), BigInteger)  # a reply's: the types of the page's columns
    tree = tree.union_all(select(Comment.id, no_place, no_place)
                          .join(tree, Comment.parent_id == tree.c.id))
    return (select(Comment, tree.c.place, tree.c.total).options(*_comment_loads(with_reader))
            .join(tree, tree.c.id == Comment.id)
            .order_by(tree.c.place.is_(None), tree.c.place, Comment.id))


def comment_page(comment: Comment, order: str = "best") -> int:
    """The page of the discussion (in this order) that shows the comment: its top-level
    comment's, found by one recursive query up the chain of parents, however long."""
    chain = select(Comment.id, Comment.parent_id).where(Comment.id == comment.id) \
        .cte("chain", recursive=True)
    chain = chain.union_all(
        select(Comment.id, Comment.parent_id).join(chain, Comment.id == chain.c.parent_id))
    root = comment if comment.parent_id is None else db.session.scalars(
        select(Comment).where(Comment.id == select(chain.c.id).where(
            chain.c.parent_id.is_(None)).scalar_subquery())).one()
    if order == "new":
        before = Comment.id > root.id
    elif order == "old":
        before = Comment.id < root.id
    else:
        score = Comment.up_count - Comment.down_count
        before = or_(score > root.score, and_(score == root.score, Comment.id < root.id))
    ahead = db.session.execute(select(func.count()).select_from(Comment).where(
        _discussion(root.consultation_id, root.proposal_id), Comment.parent_id.is_(None),
        before)).scalar_one()
    return ahead // COMMENTS_PER_PAGE + 1


def viewer_votes(page, user_id: int, consultation_id: int) -> dict[int, int]:
    """The reader's votes on the comments of a discussion page: loaded with them (comments(…,
    viewer_id)), or asked now when some were in the session already."""
    shown, stack = [], list(page.items)
    while stack:
        comment = stack.pop()
        shown.append(comment)
        stack.extend(comment.replies)
    if all(c.viewer_vote is not None for c in shown):
        return {c.id: c.viewer_vote for c in shown if c.viewer_vote}
    return my_comment_votes(user_id, consultation_id)


def my_comment_votes(user_id: int, consultation_id: int) -> dict[int, int]:
    rows = db.session.execute(
        select(CommentVote.comment_id, CommentVote.value).join(
            Comment, Comment.id == CommentVote.comment_id)
        .where(CommentVote.user_id == user_id, Comment.consultation_id == consultation_id))
    return dict(rows.all())


def of_city(city_id: int, limit: int = 5) -> list[Consultation]:
    """A city's latest announced consultations (its page shows "you said, we did")."""
    return list(db.session.scalars(
        select(Consultation).where(Consultation.city_id == city_id,
                                   Consultation.announced_dt.is_not(None))
        .order_by(Consultation.closes_dt.desc(), Consultation.id.desc()).limit(limit)))


def open_now(limit: int = 6) -> list[Consultation]:
    """Announced consultations open for voting, closing soonest first (the home page)."""
    now = utcnow()
    return list(db.session.scalars(
        select(Consultation).options(joinedload(Consultation.city))
        .where(Consultation.announced_dt.is_not(None), _phase_condition("open", now))
        .order_by(Consultation.closes_dt, Consultation.id).limit(limit)))


def latest_results(limit: int = 4) -> list[Consultation]:
    """Consultations whose results and official response were published, newest first."""
    return list(db.session.scalars(
        select(Consultation).options(joinedload(Consultation.city))
        .where(Consultation.announced_dt.is_not(None), Consultation.published_dt.is_not(None))
        .order_by(Consultation.published_dt.desc(), Consultation.id.desc()).limit(limit)))


def latest_decisions(limit: int = 4) -> list[tuple[Proposal, Consultation]]:
    """The officials' latest answers to citizens' proposals (of announced consultations)."""
    rows = db.session.execute(
        select(Proposal, Consultation).join(Consultation,
                                            Consultation.id == Proposal.consultation_id)
        .where(Consultation.announced_dt.is_not(None), Proposal.status_dt.is_not(None),
               Proposal.status != ProposalStatus.NONE)
        .order_by(Proposal.status_dt.desc(), Proposal.id.desc()).limit(limit))
    return [(proposal, consultation) for proposal, consultation in rows]


def awaiting_vote(user_id: int, city_ids: set[int], limit: int = 5) -> list[Consultation]:
    """Open consultations of the person's cities, national ones and those they follow, in
    which they have not voted yet, closing soonest first (one query)."""
    now = utcnow()
    voted = select(Participant.consultation_id).where(Participant.user_id == user_id)
    followed = select(Follower.consultation_id).where(Follower.user_id == user_id)
    concerned = or_(Consultation.city_id.is_(None), Consultation.city_id.in_(city_ids),
                    Consultation.id.in_(followed))
    return list(db.session.scalars(
        select(Consultation).options(joinedload(Consultation.city))
        .where(Consultation.announced_dt.is_not(None), _phase_condition("open", now),
               concerned, Consultation.id.not_in(voted))
        .order_by(Consultation.closes_dt, Consultation.id).limit(limit)))


def of_city_for_feed(city_id: int | None, limit: int) -> list[Consultation]:
    """Announced consultations (of a city, or all with None), latest news first: publication
    of results, else the announcement."""
    latest = func.coalesce(Consultation.published_dt, Consultation.announced_dt)
    stmt = select(Consultation).options(joinedload(Consultation.city)).where(
        Consultation.announced_dt.is_not(None))
    if city_id is not None:
        stmt = stmt.where(Consultation.city_id == city_id)
    return list(db.session.scalars(stmt.order_by(latest.desc(), Consultation.id.desc())
                                   .limit(limit)))


def awaiting_publication(city_ids: set[int], limit: int = 5) -> list[Consultation]:
    """Closed consultations of these cities whose results are not yet published (for their
    officials), the longest waiting first."""
    return list(db.session.scalars(
        select(Consultation).options(joinedload(Consultation.city))
        .where(Consultation.announced_dt.is_not(None), Consultation.city_id.in_(city_ids),
               Consultation.closes_dt <= utcnow(), Consultation.published_dt.is_(None))
        .order_by(Consultation.closes_dt, Consultation.id).limit(limit)))
