"""Who may do what in the forums. Views ask here; templates get the answers."""

from __future__ import annotations

from ..permissions import can_moderate


def can_post(user) -> bool:
    """Writing, reacting and reporting need a confirmed e-mail address."""
    return bool(user.is_authenticated and user.is_confirmed)


def can_see_thread(user, thread) -> bool:
    return not thread.hidden or can_moderate(user) or (
        user.is_authenticated and thread.author_id == user.id)


def can_see_post(user, post) -> bool:
    """Hidden posts: moderators and their author only. Deleted ones show a placeholder."""
    return post.hidden_dt is None or can_moderate(user) or (
        user.is_authenticated and post.author_id == user.id)


def can_reply(user, thread, category) -> bool:
    return can_post(user) and not thread.locked and not thread.hidden and not category.archived


def can_start_thread(user, category) -> bool:
    return can_post(user) and not category.archived


def can_edit(user, post) -> bool:
    """Authors edit or delete their own visible posts (not one moderation hid: its notice
    and reports stay until a moderator decides)."""
    return (can_post(user) and post.author_id == user.id and post.deleted_dt is None
            and post.hidden_dt is None)


can_delete = can_edit


def can_react(user, post) -> bool:
    return can_post(user) and post.visible and post.author_id != user.id


def can_report(user, post) -> bool:
    return can_post(user) and post.visible and post.author_id != user.id


def can_see_revisions(user, post) -> bool:
    """A post's earlier texts: for moderators (what was said before an edit matters to a
    report), and for its author."""
    return can_moderate(user) or (user.is_authenticated and post.author_id == user.id)
